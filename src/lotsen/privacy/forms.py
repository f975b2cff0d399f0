from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.models import Organisation
from lotsen.pages.validators import happened, planned
from lotsen.people.forms import clean_identity_number
from lotsen.privacy.models import Category, ConsentGiver
from lotsen.privacy.services import (
    EMERGENCY_REASON_MIN_LENGTH,
    ERROR_CONSENT_NO_CATEGORIES,
    ERROR_CONSENT_NO_ORGANISATIONS,
    ERROR_EMERGENCY_REASON,
)

# Identity is part of every consent; project participation rests on the programme's own
# basis, not on a consent between organisations.
SHAREABLE_CATEGORIES = [
    (c.value, c.label) for c in Category if c not in (Category.IDENTITY, Category.PROGRAMME)
]


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(
        label=_("Vem lämnade samtycket?"), choices=ConsentGiver.choices, widget=forms.RadioSelect
    )
    guardian_name = forms.CharField(
        label=_("Vårdnadshavarens namn"), max_length=200, required=False
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Vilka organisationer får ta del av uppgifterna?"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": ERROR_CONSENT_NO_ORGANISATIONS},
    )
    categories = forms.MultipleChoiceField(
        label=_("Vilka uppgifter gäller samtycket?"),
        choices=SHAREABLE_CATEGORIES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": ERROR_CONSENT_NO_CATEGORIES},
    )
    given_on = forms.DateField(
        label=_("Datum då samtycket lämnades"),
        help_text=_("ÅÅÅÅ-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[happened(_("Datum då samtycket lämnades"))],
    )
    expires_on = forms.DateField(
        label=_("Gäller till och med"),
        required=False,
        help_text=_("ÅÅÅÅ-MM-DD. Lämna tomt om samtycket gäller tills vidare."),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[planned(_("Gäller till och med"))],
    )
    evidence = forms.CharField(
        label=_("Hur lämnades samtycket?"),
        required=False,
        help_text=_(
            "Till exempel: undertecknad blankett, muntligt vid möte den 2026-01-12. "
            "Krävs när samtycket gäller din egen organisation. Den unga ser vem som "
            "registrerade samtycket och hur det lämnades."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.exclude(
            kind="region"
        ).order_by("name")
        self.fields["given_on"].initial = timezone.localdate()


class EmergencyAccessForm(forms.Form):
    personal_identity_number = forms.CharField(
        label=_("Personnummer"), max_length=13, help_text=_("ÅÅÅÅMMDD-NNNN")
    )
    # The reason is checked by the form, before anybody is looked up: a lookup must never
    # answer "exists" or "does not exist" to a request that cannot open access.
    reason = forms.CharField(
        label=_("Skäl till nödåtkomst"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=EMERGENCY_REASON_MIN_LENGTH,
        error_messages={"min_length": ERROR_EMERGENCY_REASON, "required": ERROR_EMERGENCY_REASON},
        help_text=_("Skälet granskas i efterhand av din organisations administratör."),
    )

    def clean_personal_identity_number(self) -> str:
        return clean_identity_number(self.cleaned_data["personal_identity_number"])


class EmergencyReviewForm(forms.Form):
    note = forms.CharField(
        label=_("Kommentar från granskningen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
