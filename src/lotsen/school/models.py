"""School data. The foundation holds enrolments, since a school's legal basis for its own
pupils rests on them; grades and attendance come with the school-data import."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SchoolType(models.TextChoices):
    GR = "GR", _("Grundskola")
    GRS = "GRS", _("Anpassad grundskola")
    GY = "GY", _("Gymnasieskola")
    GYS = "GYS", _("Anpassad gymnasieskola")


class Enrolment(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="enrolments")
    school_unit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("skolenhet"),
    )
    school_type = models.CharField(_("skolform"), max_length=4, choices=SchoolType.choices)
    school_year = models.PositiveSmallIntegerField(_("årskurs"), null=True, blank=True)
    programme = models.CharField(_("program"), max_length=20, blank=True)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)

    class Meta:
        verbose_name = _("inskrivning")
        verbose_name_plural = _("inskrivningar")
        indexes = [models.Index(fields=["school_unit", "end_date"])]

    def __str__(self) -> str:
        return f"{self.get_school_type_display()} {self.school_year or ''}".strip()
