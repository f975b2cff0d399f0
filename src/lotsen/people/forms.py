from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Gender


def clean_identity_number(value: str) -> str:
    try:
        return parse_identity_number(value).normalized
    except InvalidIdentityNumber as exc:
        raise forms.ValidationError(str(exc)) from exc


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök på namn eller personnummer"),
        max_length=100,
        required=False,
        help_text=_("Ett helt personnummer ger en exakt träff."),
    )


class PersonCreateForm(forms.Form):
    personal_identity_number = forms.CharField(
        label=_("Personnummer eller samordningsnummer"),
        max_length=13,
        help_text=_("ÅÅÅÅMMDD-NNNN"),
    )
    given_name = forms.CharField(label=_("Förnamn"), max_length=100)
    family_name = forms.CharField(label=_("Efternamn"), max_length=100)
    gender = forms.ChoiceField(
        label=_("Kön"),
        choices=Gender.choices,
        initial=Gender.NOT_STATED,
        help_text=_("Så som personen själv beskriver sig."),
        widget=forms.RadioSelect,
    )
    protected_identity = forms.BooleanField(label=_("Skyddad folkbokföring"), required=False)
    confidentiality_marking = forms.BooleanField(label=_("Sekretessmarkering"), required=False)

    def clean_personal_identity_number(self) -> str:
        return clean_identity_number(self.cleaned_data["personal_identity_number"])
