"""Forms for the finance pages. They parse; the services and models validate."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.models import Organisation
from lotsen.finance import money
from lotsen.finance.models import MONEY, CostCategory, FundingKind
from lotsen.pages.validators import happened

DATE_HINT = _("ÅÅÅÅ-MM-DD")
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class AmountField(forms.CharField):
    """Kronor as people write them: 1234,50 or 1 234 or 1234.50."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", _("I kronor, till exempel 125 000 eller 1234,50"))
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value) -> Decimal | None:
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise forms.ValidationError(_("Beloppet är för långt."))
        try:
            # Bounded by the model's column: a larger amount would be stored by SQLite and
            # then break every page that sums it.
            return money.parse_amount(value, max_digits=MONEY["max_digits"])
        except ValueError as exc:
            message = str(exc)
            raise forms.ValidationError(message[:1].upper() + message[1:] + ".") from exc


def _category_field():
    return forms.ChoiceField(
        label=_("Kostnadsslag"),
        choices=CostCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj kostnadsslag.")},
    )


class BudgetLineForm(forms.Form):
    category = _category_field()
    amount = AmountField(label=_("Belopp"), error_messages={"required": _("Ange beloppet.")})
    year = forms.IntegerField(
        label=_("År"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Lämna tomt om raden gäller hela projektperioden."),
    )
    description = forms.CharField(label=_("Beskrivning"), required=False, max_length=300)


class FundingSourceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Typ av finansiering"),
        choices=FundingKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj typ av finansiering.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation som medfinansierar"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Krävs för medfinansiering."),
        empty_label=None,
    )
    amount = AmountField(
        label=_("Belopp"),
        required=False,
        help_text=_("För stöd från fonden och medfinansiering i pengar, i kronor."),
    )
    hours = forms.DecimalField(
        label=_("Timmar"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("För personalinsats: antal arbetstimmar."),
        localize=True,
    )
    hourly_rate = forms.DecimalField(
        label=_("Timkostnad"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("För personalinsats: kronor per timme inklusive sociala avgifter."),
        localize=True,
    )
    description = forms.CharField(label=_("Beskrivning"), required=False, max_length=300)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        hours, rate = data.get("hours"), data.get("hourly_rate")
        if hours is not None and rate is not None:
            # Hours times rate becomes the amount: it must fit the amount column too.
            try:
                money.parse_amount(
                    str(money.staff_time_amount(hours, rate)), max_digits=MONEY["max_digits"]
                )
            except ValueError as exc:
                message = str(exc)
                self.add_error("hourly_rate", message[:1].upper() + message[1:] + ".")
        return data


class ActualCostForm(forms.Form):
    date = forms.DateField(
        label=_("Datum"),
        help_text=DATE_HINT,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[happened(_("Datum"))],
    )
    category = _category_field()
    amount = AmountField(label=_("Belopp"), error_messages={"required": _("Ange beloppet.")})
    description = forms.CharField(label=_("Beskrivning"), required=False, max_length=300)


class CostUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-fil med kostnader"),
        help_text=_(
            "Kolumner: subproject, date, category, amount, description, reference. "
            "Kolumnen subproject kan lämnas tom."
        ),
        error_messages={"required": _("Välj en fil.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Filen är för stor (högst 5 MB)."))
        return upload
