"""Programmes and their sub-projects: the structure everything in follow-up hangs on.

A programme (often ESF-funded) has a lead organisation, usually a region, and a chosen
indicator framework; sub-projects are the operations the indicators are counted per, each
led by one organisation with others taking part.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Framework(models.TextChoices):
    ESF_PLUS = "esfplus", _("ESF+ 2021–2027")
    ESF_2014 = "esf2014", _("ESF 2014–2020")


class Programme(models.Model):
    name = models.CharField(_("namn"), max_length=200, unique=True)
    funder = models.CharField(_("finansiär"), max_length=200, default="Europeiska socialfonden")
    framework = models.CharField(_("indikatorramverk"), max_length=16, choices=Framework.choices)
    start = models.DateField(_("startdatum"))
    end = models.DateField(_("slutdatum"))
    lead_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("projektägare"),
        on_delete=models.PROTECT,
        related_name="led_programmes",
    )
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("program")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Slutdatumet måste vara efter startdatumet.")})


class SubProject(models.Model):
    """An operation in ESF terms: participants are counted once per sub-project."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("program"), on_delete=models.CASCADE, related_name="subprojects"
    )
    name = models.CharField(_("namn"), max_length=200)
    lead_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("ansvarig organisation"),
        on_delete=models.PROTECT,
        related_name="led_subprojects",
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("deltagande organisationer"),
        blank=True,
        related_name="subprojects",
    )
    start = models.DateField(_("startdatum"))
    end = models.DateField(_("slutdatum"))
    target_groups = models.TextField(_("målgrupper"), blank=True)
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        verbose_name = _("delprojekt")
        verbose_name_plural = _("delprojekt")
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="unique_subproject_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Slutdatumet måste vara efter startdatumet.")})


class SubProjectGoal(models.Model):
    """A goal with a target value; ``indicator`` names an indicator key when the goal is
    one of the framework's indicators (e.g. ``total_participants``), else it is blank."""

    subproject = models.ForeignKey(SubProject, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("mål"), max_length=300)
    indicator = models.CharField(_("indikator"), max_length=64, blank=True)
    target_value = models.PositiveIntegerField(_("målvärde"))

    class Meta:
        verbose_name = _("mål")
        verbose_name_plural = _("mål")
        ordering = ["subproject", "id"]

    def __str__(self) -> str:
        return self.description


class ParticipationGender(models.TextChoices):
    """Gender as recorded at entry, in the three groups ESF+ reports (a person's own
    "other" is recorded as non-binary; ESF 2014–2020 reporting decides in
    ``programmes.indicators`` how it is counted)."""

    WOMAN = "woman", _("Kvinna")
    MAN = "man", _("Man")
    NONBINARY = "nonbinary", _("Icke-binär")


class EntryStatus(models.TextChoices):
    """Labour-market status at entry: exactly one applies (ESF/ESF+ Annex I)."""

    UNEMPLOYED = "unemployed", _("Arbetslös")
    LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("Långtidsarbetslös")
    INACTIVE = "inactive", _("Utanför arbetskraften")
    INACTIVE_NOT_IN_EDUCATION = (
        "inactive_not_in_education",
        _("Utanför arbetskraften och inte i utbildning"),
    )
    EMPLOYED = "employed", _("Anställd eller egen företagare")


class EducationLevel(models.TextChoices):
    ISCED_0_2 = "isced_0_2", _("Högst grundskola (ISCED 0–2)")
    ISCED_3_4 = "isced_3_4", _("Gymnasium eller eftergymnasial utbildning (ISCED 3–4)")
    ISCED_5_8 = "isced_5_8", _("Högskola eller universitet (ISCED 5–8)")


class Sensitive(models.TextChoices):
    YES = "yes", _("Ja")
    NO = "no", _("Nej")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Vill inte svara")


class ExitStatus(models.TextChoices):
    JOB_SEARCHING = "job_searching", _("Söker arbete")
    IN_EDUCATION = "in_education", _("Studerar eller är i utbildning")
    QUALIFICATION = "qualification", _("Har fått en kvalifikation")
    EMPLOYED = "employed", _("Har arbete, även egen företagare")
    OTHER = "other", _("Annat")


class FollowupStatus(models.TextChoices):
    EMPLOYED = "employed", _("Har arbete, även egen företagare")
    IMPROVED = "improved", _("Förbättrad situation på arbetsmarknaden")
    NOT_IMPROVED = "not_improved", _("Ingen förbättring")


class Participation(models.Model):
    """A young person's participation in a sub-project. A re-entry is a new row for the
    same person and sub-project; ``programmes.indicators`` counts the person once (first
    entry's characteristics, last exit)."""

    person = models.ForeignKey(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    subproject = models.ForeignKey(
        SubProject,
        verbose_name=_("delprojekt"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    # The name the project itself typed, shown on every project page. Never the Person's
    # name: that would let a project leader type any personnummer and learn whether
    # Lotsen knows the person and under which name (issue 10).
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    gender = models.CharField(_("kön"), max_length=16, choices=ParticipationGender.choices)
    entry_date = models.DateField(_("startdatum"))
    entry_status = models.CharField(
        _("situation på arbetsmarknaden vid start"), max_length=32, choices=EntryStatus.choices
    )
    education_level = models.CharField(
        _("utbildningsnivå"), max_length=16, choices=EducationLevel.choices, blank=True
    )
    disability = models.CharField(
        _("funktionsnedsättning"), max_length=20, choices=Sensitive.choices, blank=True
    )
    foreign_background = models.CharField(
        _("utländsk bakgrund"), max_length=20, choices=Sensitive.choices, blank=True
    )
    exit_date = models.DateField(_("slutdatum"), null=True, blank=True)
    exit_status = models.CharField(
        _("situation vid avslut"), max_length=20, choices=ExitStatus.choices, blank=True
    )
    followup_6m_status = models.CharField(
        _("situation sex månader efter avslut"),
        max_length=20,
        choices=FollowupStatus.choices,
        blank=True,
    )
    methods = models.ManyToManyField(
        "support.Method", verbose_name=_("metoder"), blank=True, related_name="participations"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("deltagande")
        verbose_name_plural = _("deltaganden")
        ordering = ["subproject", "entry_date", "id"]
        indexes = [models.Index(fields=["subproject", "entry_date"])]

    def __str__(self) -> str:
        # No name: the string is shown wherever Django lists objects (the admin's delete
        # confirmation of a programme lists every participation to a system admin).
        return f"{self._meta.verbose_name} {self.pk} – {self.subproject}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.exit_date and self.entry_date and self.exit_date < self.entry_date:
            errors["exit_date"] = _("Slutdatumet kan inte vara före startdatumet.")
        if self.exit_status and not self.exit_date:
            errors["exit_date"] = _("Ange slutdatum när situationen vid avslut är ifylld.")
        if self.followup_6m_status and not self.exit_date:
            errors["followup_6m_status"] = _(
                "Uppföljningen efter sex månader kan bara fyllas i efter avslut."
            )
        if errors:
            raise ValidationError(errors)
