"""Consent requests to guardians (issue 11): an organisation asks a minor's guardian for
consent, and the guardian answers after logging in with e-ID.

A request is not a consent. A "yes" records a ``privacy.Consent`` given by the guardian
(``consent``), with the login that gave it kept here as evidence: the account, when, the
level of assurance, and the identity provider's subject and session. A "no" records no
consent at all.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentRequestStatus(models.TextChoices):
    OPEN = "open", _("Väntar på svar")
    GIVEN = "given", _("Vårdnadshavaren sa ja")
    REFUSED = "refused", _("Vårdnadshavaren sa nej")
    CANCELLED = "cancelled", _("Återkallad")


PURPOSE_TEXT_MAX_LENGTH = 1000


class ConsentRequest(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="consent_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The organisation that asks: it sees the answer, like the organisation a consent is
    # recorded in (privacy.Consent.recorded_in).
    requested_in = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    organisations = models.ManyToManyField(
        "accounts.Organisation", related_name="+", verbose_name=_("organisationer")
    )
    # privacy.Category values; validated by the service.
    categories = models.JSONField(_("uppgifter"), default=list)
    purpose_text = models.TextField(
        _("vad samtycket ska användas till"), max_length=PURPOSE_TEXT_MAX_LENGTH
    )
    # The day the guardian stops answering for the young person: the youngest age at
    # which the named organisations let the young person consent alone, and 18 at the
    # latest (see youth.guardians.guardian_until).
    guardian_until = models.DateField()
    status = models.CharField(
        max_length=16, choices=ConsentRequestStatus.choices, default=ConsentRequestStatus.OPEN
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_assurance_level = models.CharField(max_length=32, blank=True)
    # The identity provider's words for the login: its slug, subject (sub), session (sid)
    # and auth_time. Never the personal identity number.
    answered_evidence = models.JSONField(default=dict, blank=True)
    consent = models.OneToOneField(
        "privacy.Consent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("fråga om samtycke till vårdnadshavare")
        verbose_name_plural = _("frågor om samtycke till vårdnadshavare")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"Samtyckesfråga {self.pk}"
