"""Forms for programme pages. They parse; the services validate and write."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from lotsen.pages.validators import happened, planned
from lotsen.programmes import indicators
from lotsen.programmes.models import (
    EducationLevel,
    EntryStatus,
    ExitStatus,
    FollowupStatus,
    Participation,
    ParticipationGender,
    Sensitive,
)

ERROR_PERIOD = _("Slutdatumet måste vara samma dag som eller efter startdatumet.")
UNKNOWN = [("", _("Vet inte än"))]
ERROR_NAME_CONTROL = _("Namnet får inte innehålla kontrolltecken.")
# The model's length, so that a long name is refused at the field, not by full_clean.
NAME_MAX_LENGTH = Participation._meta.get_field("given_name").max_length
# Django refuses NUL in every CharField; the other control characters (tab, line breaks,
# escape and the like) have no place in a name and would break the lists and exports.
_no_control_characters = RegexValidator(
    r"[\x00-\x1f\x7f-\x9f]", inverse_match=True, message=ERROR_NAME_CONTROL
)


def _name_field(label) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=NAME_MAX_LENGTH, validators=[_no_control_characters]
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _methods_field():
    from lotsen.support.models import Method

    return forms.ModelMultipleChoiceField(
        label=_("Metoder som används med deltagaren"),
        queryset=Method.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class EntryForm(forms.Form):
    """The participation's entry data, with the name the project knows the participant
    by: it is the project's to correct, and correcting it never touches the person."""

    given_name = _name_field(_("Förnamn"))
    family_name = _name_field(_("Efternamn"))
    gender = forms.ChoiceField(
        label=_("Kön"),
        choices=ParticipationGender.choices,
        widget=forms.RadioSelect,
        help_text=_("Som deltagaren själv uppger. ESF+ redovisar kvinnor, män och icke-binära."),
    )
    entry_date = forms.DateField(
        label=_("Startdatum"), widget=DateInput, validators=[planned(_("Startdatum"))]
    )
    entry_status = forms.ChoiceField(
        label=_("Situation på arbetsmarknaden vid start"),
        choices=EntryStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("Välj en. Långtidsarbetslösa räknas också som arbetslösa."),
    )
    education_level = forms.ChoiceField(
        label=_("Högsta avslutade utbildning"),
        choices=[*EducationLevel.choices, *UNKNOWN],
        widget=forms.RadioSelect,
        required=False,
    )
    disability = forms.ChoiceField(
        label=_("Har deltagaren en funktionsnedsättning?"),
        choices=[*Sensitive.choices, *UNKNOWN],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Frivillig uppgift. Redovisas bara som antal."),
    )
    foreign_background = forms.ChoiceField(
        label=_("Har deltagaren utländsk bakgrund?"),
        choices=[*Sensitive.choices, *UNKNOWN],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Frivillig uppgift. Redovisas bara som antal."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methods"] = _methods_field()


class EnrolForm(EntryForm):
    """A new participant: the personnummer and the name the project knows them by. Every
    field is asked whether or not Lotsen already knows the person, so the form never tells
    (issue 10)."""

    personal_identity_number = forms.CharField(
        label=_("Personnummer"),
        max_length=13,
        help_text=_("ÅÅÅÅMMDD-NNNN"),
    )
    home_municipality_code = forms.CharField(
        label=_("Folkbokföringskommun (kommunkod)"),
        max_length=4,
        help_text=_("Fyra siffror."),
    )

    field_order = [
        "personal_identity_number",
        "given_name",
        "family_name",
        "home_municipality_code",
    ]


class ExitForm(forms.Form):
    exit_date = forms.DateField(
        label=_("Slutdatum"), widget=DateInput, validators=[happened(_("Slutdatum"))]
    )
    exit_status = forms.ChoiceField(
        label=_("Situation vid avslut"),
        choices=ExitStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("Läget inom fyra veckor efter avslutet."),
    )


class FollowupForm(forms.Form):
    followup_6m_status = forms.ChoiceField(
        label=_("Situation sex månader efter avslut"),
        choices=FollowupStatus.choices,
        widget=forms.RadioSelect,
    )


class ReportForm(forms.Form):
    subproject = forms.ChoiceField(label=_("Delprojekt"), required=False)
    framework = forms.ChoiceField(
        label=_("Indikatorramverk"),
        choices=[(indicators.ESF_PLUS, "ESF+ 2021–2027"), (indicators.ESF_2014, "ESF 2014–2020")],
        widget=forms.RadioSelect,
    )
    start = forms.DateField(
        label=_("Från och med"), widget=DateInput, validators=[planned(_("Från och med"))]
    )
    end = forms.DateField(
        label=_("Till och med"), widget=DateInput, validators=[planned(_("Till och med"))]
    )

    def __init__(self, *args, subprojects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subproject"].choices = [("", _("Hela programmet"))] + [
            (str(s.pk), s.name) for s in subprojects
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error(
                "end", _("Slutdatumet måste vara samma dag som eller efter startdatumet.")
            )
        return data
