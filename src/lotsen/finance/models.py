"""Budgets, funding and actual costs per sub-project.

No personal data lives here: staff time given as co-financing is recorded per
organisation (hours × hourly rate), never per named person, so reads need no access log.
Amounts are kronor (SEK) as Decimal with öre, never floats.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from lotsen.finance import money

ERROR_AMOUNT_NEGATIVE = "Beloppet kan inte vara negativt."
ERROR_YEAR_OUTSIDE = "Året ska ligga inom delprojektets period ({start}–{end})."
ERROR_HOURS_REQUIRED = "Ange antal timmar för personalinsatsen (mer än 0)."
ERROR_RATE_REQUIRED = "Ange timkostnaden för personalinsatsen."
ERROR_HOURS_NOT_STAFF = "Timmar anges bara för medfinansiering i form av personalinsats."
ERROR_RATE_NOT_STAFF = "Timkostnad anges bara för medfinansiering i form av personalinsats."
ERROR_ORGANISATION_REQUIRED = "Ange vilken organisation som medfinansierar."
ERROR_AMOUNT_REQUIRED = "Ange beloppet."
ERROR_DATE_OUTSIDE = "Datumet ska ligga inom delprojektets period ({start}–{end})."

MONEY = {
    "max_digits": 14,
    "decimal_places": 2,
    "error_messages": {"null": ERROR_AMOUNT_REQUIRED, "invalid": ERROR_AMOUNT_REQUIRED},
}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"), message=ERROR_AMOUNT_NEGATIVE)]


class CostCategory(models.TextChoices):
    STAFF = "staff", _("Personal")
    PURCHASED_SERVICES = "purchased_services", _("Köpta tjänster")
    TRAVEL = "travel", _("Resor")
    PREMISES = "premises", _("Lokaler")
    OTHER = "other", _("Övrigt")


class FundingKind(models.TextChoices):
    FUND = "fund", _("Stöd från fonden")
    COFINANCING_CASH = "cofinancing_cash", _("Offentlig medfinansiering i pengar")
    COFINANCING_STAFF_TIME = "cofinancing_staff_time", _("Medfinansiering i form av personalinsats")


class CostSource(models.TextChoices):
    ENTERED = "entered", _("Registrerad")
    IMPORTED = "imported", _("Importerad")


class _Recorded(models.Model):
    """Who recorded a row and when: the finance pages' audit trail."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registrerad av"),
    )

    class Meta:
        abstract = True


class BudgetLine(_Recorded):
    subproject = models.ForeignKey(
        "programmes.SubProject",
        verbose_name=_("delprojekt"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    category = models.CharField(_("kostnadsslag"), max_length=32, choices=CostCategory.choices)
    amount = models.DecimalField(_("belopp (kr)"), validators=NOT_NEGATIVE, **MONEY)
    year = models.PositiveSmallIntegerField(_("år"), null=True, blank=True)
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("budgetrad")
        verbose_name_plural = _("budgetrader")
        ordering = ["subproject", "category", "year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="finance_budgetline_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subproject} – {self.get_category_display()}"

    def clean(self) -> None:
        sub = self.subproject if self.subproject_id else None
        if (
            self.year is not None
            and sub is not None
            and not (sub.start.year <= self.year <= sub.end.year)
        ):
            raise ValidationError(
                {"year": ERROR_YEAR_OUTSIDE.format(start=sub.start.year, end=sub.end.year)}
            )


class FundingSource(_Recorded):
    """Where a sub-project's money comes from. Staff time is valued as hours × hourly rate;
    the amount is derived, so the two can never disagree."""

    subproject = models.ForeignKey(
        "programmes.SubProject",
        verbose_name=_("delprojekt"),
        on_delete=models.CASCADE,
        related_name="funding_sources",
    )
    kind = models.CharField(_("typ av finansiering"), max_length=32, choices=FundingKind.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funding_sources",
    )
    amount = models.DecimalField(_("belopp (kr)"), validators=NOT_NEGATIVE, **MONEY)
    hours = models.DecimalField(
        _("timmar"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), message=ERROR_AMOUNT_NEGATIVE)],
    )
    hourly_rate = models.DecimalField(
        _("timkostnad (kr)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NOT_NEGATIVE,
    )
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("finansieringskälla")
        verbose_name_plural = _("finansieringskällor")
        ordering = ["subproject", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="finance_funding_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subproject} – {self.get_kind_display()}"

    @property
    def is_cofinancing(self) -> bool:
        return self.kind != FundingKind.FUND

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == FundingKind.COFINANCING_STAFF_TIME:
            if self.hours is None or self.hours <= 0:
                errors["hours"] = ERROR_HOURS_REQUIRED
            if self.hourly_rate is None:
                errors["hourly_rate"] = ERROR_RATE_REQUIRED
            if not errors:
                self.amount = money.staff_time_amount(self.hours, self.hourly_rate)
        else:
            if self.hours is not None:
                errors["hours"] = ERROR_HOURS_NOT_STAFF
            if self.hourly_rate is not None:
                errors["hourly_rate"] = ERROR_RATE_NOT_STAFF
        if self.is_cofinancing and not self.organisation_id:
            errors["organisation"] = ERROR_ORGANISATION_REQUIRED
        if errors:
            raise ValidationError(errors)


class ActualCost(_Recorded):
    subproject = models.ForeignKey(
        "programmes.SubProject",
        verbose_name=_("delprojekt"),
        on_delete=models.CASCADE,
        related_name="actual_costs",
    )
    date = models.DateField(_("datum"))
    category = models.CharField(_("kostnadsslag"), max_length=32, choices=CostCategory.choices)
    amount = models.DecimalField(_("belopp (kr)"), validators=NOT_NEGATIVE, **MONEY)
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    source = models.CharField(
        _("källa"), max_length=16, choices=CostSource.choices, default=CostSource.ENTERED
    )
    # The accounting system's reference (e.g. a voucher number): importing the same file
    # again finds the row by it instead of adding a second one.
    import_reference = models.CharField(_("referens"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("utfall")
        verbose_name_plural = _("utfall")
        ordering = ["subproject", "-date", "-id"]
        indexes = [models.Index(fields=["subproject", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["subproject", "import_reference"],
                condition=~models.Q(import_reference=""),
                name="finance_unique_cost_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="finance_cost_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subproject} – {self.date} – {self.amount}"

    def clean(self) -> None:
        sub = self.subproject if self.subproject_id else None
        if self.date and sub is not None and not (sub.start <= self.date <= sub.end):
            raise ValidationError(
                {
                    "date": ERROR_DATE_OUTSIDE.format(
                        start=sub.start.isoformat(), end=sub.end.isoformat()
                    )
                }
            )
