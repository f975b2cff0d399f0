from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from lotsen.accounts import codes


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Kommun")
    SCHOOL_ORGANISER = "school_organiser", _("Huvudman")
    SCHOOL_UNIT = "school_unit", _("Skolenhet")
    SOCIAL_SERVICES = "social_services", _("Socialtjänst")
    HEALTH_CARE = "health_care", _("Hälso- och sjukvård")
    EMPLOYMENT_SERVICE = "employment_service", _("Arbetsförmedlingen")
    OTHER = "other", _("Annan")


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Systemadministratör")
    ORGANISATION_ADMIN = "organisation_admin", _("Organisationsadministratör")
    KAA_COORDINATOR = "kaa_coordinator", _("KAA-samordnare")
    MENTOR = "mentor", _("Mentor")
    STUDENT_HEALTH = "student_health", _("Elevhälsan")
    COUNSELLOR = "counsellor", _("Studie- och yrkesvägledare")
    CASE_WORKER = "case_worker", _("Coach/handläggare")
    PROJECT_LEADER = "project_leader", _("Projektledare")
    EVALUATOR = "evaluator", _("Utvärderare")
    YOUNG_PERSON = "young_person", _("Ung person")


class Organisation(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("typ"), max_length=32, choices=OrganisationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("ingår i"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True, db_index=True)
    school_unit_code = models.CharField(_("skolenhetskod"), max_length=8, blank=True, db_index=True)
    organisation_number = models.CharField(_("organisationsnummer"), max_length=11, blank=True)
    # The organisation's own rule on consent: below this age a guardian must consent too
    # (e.g. social services for young children); empty means the young person's own
    # consent is enough when they are mature enough to give it.
    guardian_consent_below_age = models.PositiveSmallIntegerField(
        _("vårdnadshavare samtycker också för unga under (år)"),
        null=True,
        blank=True,
        help_text=_("Lämna tomt om den ungas eget samtycke räcker."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_unit_code"],
                condition=~models.Q(school_unit_code=""),
                name="unique_school_unit_code",
            ),
            # A municipality code identifies one municipality; other organisations may
            # carry the code of the municipality they belong to.
            models.UniqueConstraint(
                fields=["municipality_code"],
                condition=models.Q(kind="municipality"),
                name="unique_municipality_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.municipality_code and not codes.is_municipality_code(self.municipality_code):
            errors["municipality_code"] = codes.ERROR_MUNICIPALITY_CODE
        if self.kind == OrganisationKind.MUNICIPALITY and not self.municipality_code:
            errors["municipality_code"] = codes.ERROR_MUNICIPALITY_CODE
        if self.school_unit_code and not codes.is_school_unit_code(self.school_unit_code):
            errors["school_unit_code"] = codes.ERROR_SCHOOL_UNIT_CODE
        if self.organisation_number:
            normalized = codes.normalize_organisation_number(self.organisation_number)
            if normalized is None:
                errors["organisation_number"] = codes.ERROR_ORGANISATION_NUMBER
            else:
                self.organisation_number = normalized
        if errors:
            raise ValidationError(errors)


class User(AbstractUser):
    """A person who logs in. Staff act through a Membership; a young person is linked to
    their own Person record and sees only that."""

    person = models.OneToOneField(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user_account",
        verbose_name=_("egen personpost"),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"
