"""Events and staff competence development: what a programme arranges for professionals
and young people, who registered, who came, and the training hours that follow.

Registrations name professionals, not young people: they are staff data, read only by the
project leaders of the organisation that arranges the event (``events.selectors``). The
public event page never lists who else has registered.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Slugs live under /evenemang/ beside the staff pages: these words are taken.
RESERVED_SLUGS = frozenset({"hantera", "api"})


class EventFormat(models.TextChoices):
    ON_SITE = "on_site", _("På plats")
    DIGITAL = "digital", _("Digitalt")


class Audience(models.TextChoices):
    PROFESSIONALS = "professionals", _("Yrkesverksamma")
    YOUNG_PEOPLE = "young_people", _("Unga")


class Event(models.Model):
    title = models.CharField(_("rubrik"), max_length=200)
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("program"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"))
    format = models.CharField(_("form"), max_length=16, choices=EventFormat.choices)
    audience = models.CharField(_("målgrupp"), max_length=16, choices=Audience.choices)
    organiser = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("arrangör"),
        on_delete=models.PROTECT,
        related_name="organised_events",
    )
    location = models.CharField(_("plats"), max_length=300, blank=True)
    link = models.URLField(_("länk till mötet"), blank=True)
    description = models.TextField(_("beskrivning"), blank=True)
    capacity = models.PositiveIntegerField(_("antal platser"), null=True, blank=True)
    registration_open = models.BooleanField(_("öppen för anmälan"), default=False)
    slug = models.SlugField(_("adress"), max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evenemang")
        verbose_name_plural = _("evenemang")
        ordering = ["-starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:public", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Evenemanget måste sluta efter att det har börjat.")
        if self.format == EventFormat.ON_SITE and not self.location.strip():
            errors["location"] = _("Skriv var evenemanget hålls.")
        if self.format == EventFormat.DIGITAL and not (self.link or self.location.strip()):
            errors["link"] = _("Skriv en länk till mötet eller hur deltagarna ansluter.")
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("Adressen är upptagen. Välj en annan.")
        if errors:
            raise ValidationError(errors)

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()


class Registration(models.Model):
    """A professional's registration; ``attended`` is unknown (None) until the organiser
    marks attendance after the event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("namn"), max_length=200)
    # Kept in lower case, so that the same address cannot register twice.
    email = models.EmailField(_("e-postadress"))
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("yrkesroll"), max_length=120, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(_("deltog"), null=True, blank=True)

    class Meta:
        verbose_name = _("anmälan")
        verbose_name_plural = _("anmälningar")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="unique_event_registration")
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.event}"

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name
