"""The inbox's own state: who in an organisation answers for a young person's items.

The items themselves (signals, notices, follow-ups …) stay in their domain apps; the inbox
keeps one row per (organisation, young person) saying who is responsible, whether someone
has seen the items, and when to look again.

A team is a role within the organisation: "Elevhälsan" at a school unit is everyone with
the student-health role there, the KAA coordinators of a municipality are everyone with
that role at the municipality. That needs no new membership list to keep up to date, and
it is how schools and municipalities already name these teams. Assigning to a team means
``assigned_role``; to a person, ``assigned_to``. The organisation's administrator is the
team lead who is shown what waits too long.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.models import Role


class InboxAssignment(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="inbox_assignments"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_role = models.CharField(
        _("ansvarigt team"), max_length=32, choices=Role.choices, blank=True
    )
    follow_up_on = models.DateField(_("följ upp"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person"], name="unique_inbox_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.person_id}"


class InboxEventKind(models.TextChoices):
    ASSIGN = "assign", _("Tilldelad")
    ACKNOWLEDGE = "acknowledge", _("Kvitterad")
    FOLLOW_UP = "follow_up", _("Uppföljningsdatum satt")


class InboxEvent(models.Model):
    """What was done to an assignment, by whom and when: the inbox's audit trail. When two
    people assign the same young person at once the last write wins, and both are here."""

    assignment = models.ForeignKey(InboxAssignment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=InboxEventKind.choices)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.assignment_id}"
