from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("E-post direkt")
    DIGEST = "digest", _("E-post en gång om dagen")
    NONE = "none", _("Ingen e-post, bara i Lotsen")


# What a user gets by e-mail for a kind they have not chosen for.
DEFAULT_DELIVERY = Delivery.IMMEDIATE


class Notification(models.Model):
    """That something of ``kind`` happened to the thing ``object_id`` names, for ``user``.

    Nothing here is personal data about a young person: the text shown is the kind's
    title, and ``url`` leads to the page of the thing, which reads it through the door."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("typ"), max_length=64)
    object_id = models.PositiveBigIntegerField()
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the notification went out by e-mail, alone or in a digest; empty while it has not.
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notis")
        verbose_name_plural = _("notiser")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_newest"),
            models.Index(fields=["kind", "object_id"], name="notification_kind_object"),
        ]

    def __str__(self) -> str:
        return f"Notis {self.pk}"

    @property
    def title(self) -> str:
        from lotsen.notifications.kinds import kind_title

        return kind_title(self.kind)


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=64)
    delivery = models.CharField(_("e-post"), max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = _("val för notiser")
        verbose_name_plural = _("val för notiser")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


class DigestSent(models.Model):
    """One row per user and day a digest went out: what makes ``send_digests`` safe to
    run twice (the scheduler may, after a lost worker)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_and_day"),
        ]

    def __str__(self) -> str:
        return f"Sammanfattning {self.day}"
