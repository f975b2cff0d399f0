"""The audit of second-factor attempts: every code, recovery code and passkey tried, with
its outcome, next to django-axes' record of password logins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    TOTP = "totp", _("Kod från app")
    RECOVERY = "recovery", _("Reservkod")
    PASSKEY = "passkey", _("Nyckel (passkey)")


class Purpose(models.TextChoices):
    LOGIN = "login", _("Inloggning")
    STEP_UP = "step_up", _("Starkare inloggning")
    ENROL = "enrol", _("Ny andra faktor")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("Godkänd")
    FAILURE = "failure", _("Fel kod eller nyckel")
    THROTTLED = "throttled", _("För många försök, inte prövad")


class SecondFactorAttempt(models.Model):
    """One attempt. Never the code itself: a wrong code may be a typo of the right one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor_attempts"
    )
    method = models.CharField(_("sätt"), max_length=16, choices=Method.choices)
    purpose = models.CharField(_("syfte"), max_length=16, choices=Purpose.choices)
    outcome = models.CharField(_("utfall"), max_length=16, choices=Outcome.choices)
    ip_address = models.GenericIPAddressField(_("adress"), null=True, blank=True)
    user_agent = models.CharField(_("webbläsare"), max_length=255, blank=True)
    at = models.DateTimeField(_("tid"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("försök med andra faktor")
        verbose_name_plural = _("försök med andra faktor")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.method} {self.purpose} {self.outcome}"
