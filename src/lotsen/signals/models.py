"""Signals: a prompt for a person at the school to look at one pupil, and what they did.

A signal is raised by a transparent rule (``signals.rules``) and carries the rule's reason
and the numbers it used. It is never a decision about a young person: it goes to a person
who acknowledges it, records what was done and closes it with an outcome. The history of
each signal (``SignalEvent``) is kept with it.

Reached only through the privacy door: ``signals.selectors`` filters by ``PersonPolicy``
for the SCHOOL category; writes go through ``signals.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.signals import rules
from lotsen.signals.rules import RuleConfigError, thresholds_clean

# The rules' titles for the interface, translatable; ``signals.rules`` keeps the same
# Swedish titles for the command line, as a pure module cannot use Django's translation.
RULE_TITLES = {
    rules.ABSENCE_INVALID: _("Ogiltig frånvaro"),
    rules.ABSENCE_TOTAL: _("Hög frånvaro"),
    rules.CORE_SUBJECTS_NOT_PASSED: _("Inte godkänt i svenska, engelska eller matematik"),
    rules.PROJECTED_NOT_ELIGIBLE: _("Prognos: inte behörig till yrkesprogram"),
    rules.MERIT_DROP: _("Sjunkande meritvärde"),
    rules.COURSE_POINTS_FAILED: _("Kurser utan godkänt betyg"),
    rules.UPPER_SECONDARY_ABSENCE: _("Betydande ogiltig frånvaro"),
}
RULE_CHOICES = [(rule.id, RULE_TITLES.get(rule.id, rule.title)) for rule in rules.RULES]


class RuleSetting(models.Model):
    """An organisation's setting for one rule. A school unit's setting overrides its
    organiser's, which overrides the defaults in ``signals.rules``; thresholds not named
    keep the value from the level above."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        related_name="rule_settings",
        verbose_name=_("organisation"),
    )
    rule_id = models.CharField(_("regel"), max_length=40, choices=RULE_CHOICES)
    thresholds = models.JSONField(_("gränser"), default=dict, blank=True)
    enabled = models.BooleanField(_("används"), default=True)

    class Meta:
        verbose_name = _("regelinställning")
        verbose_name_plural = _("regelinställningar")
        ordering = ["organisation__name", "rule_id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rule_id"], name="unique_rule_setting")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.rule_id}"

    def clean(self) -> None:
        try:
            self.thresholds = thresholds_clean(rule_id=self.rule_id, thresholds=self.thresholds)
        except RuleConfigError as error:
            raise ValidationError({"thresholds": str(error)}) from error


class SignalStatus(models.TextChoices):
    OPEN = "open", _("Ny")
    ASSIGNED = "assigned", _("Tilldelad")
    ACKNOWLEDGED = "acknowledged", _("Kvitterad")
    ACTION_RECORDED = "action_recorded", _("Åtgärd registrerad")
    CLOSED = "closed", _("Avslutad")


NOT_CLOSED = (
    SignalStatus.OPEN,
    SignalStatus.ASSIGNED,
    SignalStatus.ACKNOWLEDGED,
    SignalStatus.ACTION_RECORDED,
)
# Statuses in which nobody has yet recorded what was done: these are "waiting for action".
WAITING = (SignalStatus.OPEN, SignalStatus.ASSIGNED, SignalStatus.ACKNOWLEDGED)


class OutcomeCode(models.TextChoices):
    IMPROVED = "improved", _("Situationen har blivit bättre")
    SUPPORT_IN_PLACE = "support_in_place", _("Stöd eller anpassningar är på plats")
    REFERRED = "referred", _("Lämnat vidare, till exempel till elevhälsan eller socialtjänsten")
    NO_ACTION_NEEDED = "no_action_needed", _("Ingen åtgärd behövs, signalen var inte befogad")
    LEFT_SCHOOL = "left_school", _("Eleven har slutat på skolan")
    OTHER = "other", _("Annat (beskriv)")


class Signal(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="signals")
    school_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="signals",
        verbose_name=_("skolenhet"),
    )
    rule_id = models.CharField(_("regel"), max_length=40, choices=RULE_CHOICES)
    reason = models.TextField(_("skäl"))
    evidence = models.JSONField(_("underlag"), default=dict)
    # False once a later run finds the rule no longer holds. The signal stays open: a
    # person decides whether anything more needs doing, and closes it.
    rule_holds = models.BooleanField(_("regeln gäller fortfarande"), default=True)
    raised_on = models.DateField(_("skapad"))
    due_on = models.DateField(_("åtgärdas senast"))
    status = models.CharField(
        _("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_signals",
        verbose_name=_("ansvarig"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome_code = models.CharField(
        _("utfall"), max_length=20, choices=OutcomeCode.choices, blank=True
    )
    outcome = models.TextField(_("beskrivning av utfallet"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signaler")
        ordering = ["due_on", "id"]
        constraints = [
            # One signal at a time per pupil, rule and school: a rule that still holds
            # refreshes the open signal instead of raising another.
            models.UniqueConstraint(
                fields=["person", "rule_id", "school_unit"],
                condition=~models.Q(status="closed"),
                name="unique_not_closed_signal",
            ),
        ]
        indexes = [
            models.Index(fields=["school_unit", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"Signal {self.pk} ({self.rule_id})"

    @property
    def is_closed(self) -> bool:
        return self.status == SignalStatus.CLOSED

    def is_waiting(self, today) -> bool:
        """Past its due date with no action recorded."""
        return self.status in WAITING and self.due_on < today


class SignalEventKind(models.TextChoices):
    RAISED = "raised", _("Signalen skapades")
    UPDATED = "updated", _("Underlaget uppdaterades")
    CLEARED = "cleared", _("Regeln gäller inte längre")
    ASSIGNED = "assigned", _("Tilldelad")
    ACKNOWLEDGED = "acknowledged", _("Kvitterad")
    ACTION_RECORDED = "action_recorded", _("Åtgärd")
    CLOSED = "closed", _("Avslutad")


class SignalEvent(models.Model):
    """One step in a signal's history. ``actor`` is empty when Lotsen itself raised or
    updated the signal from school data."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=SignalEventKind.choices)
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"
