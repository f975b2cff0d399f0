"""Forms for the case pages. They parse; the services validate what spans fields and what
depends on consent."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.models import Organisation, OrganisationKind, User
from lotsen.pages.validators import HAPPENED, PLANNED, DateWindow
from lotsen.support.models import (
    CaseCloseReason,
    ContactChannel,
    GoalStatus,
    HandoverKind,
    InterventionEndReason,
    LeadParty,
    Method,
    NoteCategory,
    TargetGroup,
    TeamMemberRole,
)

DATE_HINT = _("ÅÅÅÅ-MM-DD")


def _date_field(label, *, kind, required=True, help_text=None):
    # kind: HAPPENED (up to tomorrow) or PLANNED (up to ten years ahead); both from 1900.
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text or DATE_HINT,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[DateWindow(label, kind)],
    )


class CaseOpenForm(forms.Form):
    target_groups = forms.MultipleChoiceField(
        label=_("Målgrupp"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Välj alla som passar."),
        error_messages={"required": _("Välj minst en målgrupp.")},
    )


class CaseCloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Varför avslutas ärendet?"),
        choices=CaseCloseReason.choices,
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(
        label=_("Resultat"), required=False, widget=forms.Textarea, max_length=4000
    )
    closed_on = _date_field(_("Avslutat den"), kind=HAPPENED)


class TeamMemberForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        help_text=_(
            "Bara organisationer som den unga har gett samtycke till finns med, och er egen."
        ),
    )
    role = forms.ChoiceField(
        label=_("Roll i ärendet"), choices=TeamMemberRole.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in organisations]
        )


class ReferralForm(forms.Form):
    to_organisation = forms.ChoiceField(
        label=_("Till"),
        widget=forms.RadioSelect,
        help_text=_(
            "Du kan bara skicka remiss till en organisation som den unga har gett samtycke till."
        ),
    )
    message = forms.CharField(
        label=_("Meddelande"),
        widget=forms.Textarea,
        max_length=4000,
        help_text=_("Vad behöver den unga, och varför just från er?"),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        # value: "organisation_id:consent_id" — the referral names the consent it relies on
        self.fields["to_organisation"].choices = choices

    def cleaned_ids(self) -> tuple[int, int]:
        org_id, consent_id = self.cleaned_data["to_organisation"].split(":")
        return int(org_id), int(consent_id)


class ReferralDeclineForm(forms.Form):
    decline_reason = forms.CharField(
        label=_("Varför avböjer ni?"), widget=forms.Textarea, max_length=4000
    )


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    own_goal = forms.CharField(
        label=_("Den ungas eget mål, med egna ord"),
        required=False,
        widget=forms.Textarea,
        max_length=4000,
    )
    lead_party = forms.ChoiceField(
        label=_("Vem leder arbetet?"),
        choices=LeadParty.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("När både socialtjänsten och hälso- och sjukvården deltar (SIP)."),
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_fields = []
        for goal in goals:
            name = f"goal_{goal.pk}"
            self.fields[name] = forms.ChoiceField(
                label=_("Status för målet: %(goal)s") % {"goal": goal.text},
                choices=GoalStatus.choices,
                initial=goal.status,
                widget=forms.RadioSelect,
            )
            self.goal_fields.append((goal.pk, name))

    def goal_statuses(self) -> dict[int, str]:
        return {goal_id: self.cleaned_data[name] for goal_id, name in self.goal_fields}


class GoalForm(forms.Form):
    text = forms.CharField(label=_("Mål"), max_length=300)
    target_date = _date_field(_("Ska vara klart"), kind=PLANNED, required=False)


class PlanActionForm(forms.Form):
    text = forms.CharField(label=_("Insats eller aktivitet"), max_length=300)
    responsible_organisation = forms.ModelChoiceField(
        label=_("Ansvarig organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    follow_up_on = _date_field(_("Följs upp den"), kind=PLANNED)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in organisations]
        )


class InterventionForm(forms.Form):
    method = forms.ModelChoiceField(
        label=_("Metod"), queryset=Method.objects.filter(active=True), empty_label=""
    )
    provider = forms.ModelChoiceField(
        label=_("Utförare"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    start = _date_field(_("Startdatum"), kind=PLANNED)
    hours_per_week = forms.DecimalField(
        label=_("Timmar per vecka"), required=False, min_value=0, max_value=60, decimal_places=1
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = Organisation.objects.filter(
            pk__in=[org.pk for org in organisations]
        )


class InterventionEndForm(forms.Form):
    end = _date_field(_("Slutdatum"), kind=HAPPENED)
    end_reason = forms.ChoiceField(
        label=_("Varför slutade insatsen?"),
        choices=InterventionEndReason.choices,
        widget=forms.RadioSelect,
    )


class ContactForm(forms.Form):
    date = _date_field(_("Datum"), kind=HAPPENED)
    channel = forms.ChoiceField(
        label=_("Hur?"), choices=ContactChannel.choices, widget=forms.RadioSelect
    )
    reached = forms.TypedChoiceField(
        label=_("Nådde du den unga?"),
        choices=[("1", _("Ja")), ("0", _("Nej, det var ett försök"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    outcome = forms.CharField(label=_("Resultat"), required=False, max_length=200)
    note = forms.CharField(
        label=_("Kort anteckning"), required=False, widget=forms.Textarea, max_length=500
    )


class NoteForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Sort"),
        choices=NoteCategory.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Hälsorelaterade anteckningar läses bara i er organisation, om inte den unga har "
            "samtyckt till att de delas."
        ),
    )
    text = forms.CharField(label=_("Anteckning"), widget=forms.Textarea, max_length=4000)


class HandoverForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vilken övergång?"), choices=HandoverKind.choices, widget=forms.RadioSelect
    )
    to_school = forms.ModelChoiceField(
        label=_("Mottagande skola"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.SCHOOL_UNIT),
        empty_label="",
    )
    strengths = forms.CharField(label=_("Styrkor"), widget=forms.Textarea, max_length=4000)
    what_has_worked = forms.CharField(
        label=_("Det här har fungerat"), widget=forms.Textarea, max_length=4000
    )
    support_needed = forms.CharField(
        label=_("Stöd som behövs"), widget=forms.Textarea, max_length=4000
    )
    own_words = forms.CharField(
        label=_("Den ungas egna ord"), required=False, widget=forms.Textarea, max_length=4000
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username
