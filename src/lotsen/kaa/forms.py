"""Forms for the KAA pages. They parse; the services validate what spans fields."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lotsen.kaa.models import (
    ContactKind,
    ContactMethod,
    EquivalentKind,
    MeasureEndReason,
    MeasureStatus,
    MeasureType,
    NoticeKind,
    Occupation,
    ReportPeriod,
)
from lotsen.kaa.selectors import STATUSES
from lotsen.pages.validators import HAPPENED, PLANNED, DateWindow
from lotsen.people.forms import clean_identity_number

NO_SENSITIVE_DATA = _(
    "Skriv kort och sakligt. Skriv inget om hälsa eller andra känsliga uppgifter här."
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


class CohortFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Visa"),
        required=False,
        choices=[
            ("", _("Alla")),
            *zip(
                STATUSES,
                (_("Okänd status"), _("Nådda, ingen pågående åtgärd"), _("I en åtgärd")),
                strict=True,
            ),
        ],
        widget=forms.RadioSelect,
    )
    q = forms.CharField(label=_("Namn"), required=False, max_length=100)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Fick du kontakt?"),
        choices=ContactKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj om du fick kontakt eller inte.")},
    )
    method = forms.ChoiceField(
        label=_("Hur sökte du personen?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj hur du sökte personen.")},
    )
    contact_date = _date_field(_("Datum"), kind=HAPPENED)
    occupation = forms.ChoiceField(
        label=_("Vad gör personen nu?"),
        help_text=_("Fyll i om du fick kontakt."),
        choices=Occupation.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Anteckning"),
        required=False,
        max_length=1000,
        help_text=NO_SENSITIVE_DATA,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_date"].initial = timezone.localdate()


class MeasureForm(forms.Form):
    measure_type = forms.ModelChoiceField(
        label=_("Åtgärd"),
        queryset=MeasureType.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Välj vilken åtgärd det gäller.")},
    )
    status = forms.ChoiceField(
        label=_("Hur är läget?"),
        choices=[
            (MeasureStatus.OFFERED, _("Erbjuden, inte påbörjad ännu")),
            (MeasureStatus.STARTED, _("Påbörjad")),
            (MeasureStatus.DECLINED, _("Den unga tackade nej")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj om åtgärden är erbjuden, påbörjad eller nekad.")},
    )
    offered_on = _date_field(_("Datum då åtgärden erbjöds"), kind=HAPPENED)
    start_date = _date_field(
        _("Startdatum"),
        kind=HAPPENED,
        required=False,
        help_text=_("ÅÅÅÅ-MM-DD. Fyll i om åtgärden har börjat."),
    )
    planned_end_date = _date_field(_("Planerat slutdatum"), kind=PLANNED, required=False)
    goal = forms.CharField(
        label=_("Mål med åtgärden"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible_individual = forms.CharField(
        label=_("Vad ansvarar den unga för?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    responsible_municipality = forms.CharField(
        label=_("Vad ansvarar kommunen för?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    other_actor = forms.CharField(
        label=_("Annan aktör"),
        required=False,
        max_length=200,
        help_text=_("Till exempel Arbetsförmedlingen eller en folkhögskola."),
    )
    responsible_other = forms.CharField(
        label=_("Vad ansvarar den andra aktören för?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    follow_up_on = _date_field(_("Datum för uppföljning"), kind=PLANNED, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure_type"].queryset = MeasureType.objects.filter(active=True)
        self.fields["offered_on"].initial = timezone.localdate()


class MeasureStartForm(forms.Form):
    start_date = _date_field(_("Startdatum"), kind=HAPPENED)


class MeasureEndForm(forms.Form):
    end_date = _date_field(_("Slutdatum"), kind=HAPPENED)
    end_reason = forms.ChoiceField(
        label=_("Varför slutade åtgärden?"),
        choices=MeasureEndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Ange varför åtgärden slutade.")},
    )
    occupation_after = forms.ChoiceField(
        label=_("Vad gör personen efter åtgärden?"),
        choices=Occupation.choices,
        widget=forms.RadioSelect,
        required=False,
    )


class FollowUpForm(forms.Form):
    due_on = _date_field(_("Datum för uppföljning"), kind=PLANNED)


class FollowUpDoneForm(forms.Form):
    note = forms.CharField(
        label=_("Vad kom uppföljningen fram till?"),
        required=False,
        max_length=1000,
        help_text=NO_SENSITIVE_DATA,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PlanForm(forms.Form):
    planning = forms.CharField(
        label=_("Individuell planering"),
        required=False,
        max_length=4000,
        help_text=NO_SENSITIVE_DATA,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    goal = forms.CharField(
        label=_("Mål"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    coordinated_support_needed = forms.BooleanField(
        label=_("Fler aktörer behövs (samordnat stöd)"), required=False
    )
    coordinated_support_note = forms.CharField(
        label=_("Vilka aktörer behövs och varför?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EquivalentEducationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Utbildning"), choices=EquivalentKind.choices, widget=forms.RadioSelect
    )
    start_date = _date_field(_("Startdatum"), kind=HAPPENED)
    end_date = _date_field(_("Slutdatum"), kind=PLANNED, required=False)
    completed_with_pass = forms.BooleanField(
        label=_("Fullföljd med godkänt resultat"), required=False
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vad gäller anmälan?"),
        choices=NoticeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vad anmälan gäller.")},
    )
    personal_identity_number = forms.CharField(
        label=_("Elevens personnummer"), max_length=13, help_text=_("ÅÅÅÅMMDD-NNNN")
    )
    home_municipality_code = forms.CharField(
        label=_("Elevens hemkommun (kommunkod)"),
        max_length=4,
        min_length=4,
        help_text=_(
            "Fyra siffror, till exempel 0180. Anmälan går till den kommun där eleven är "
            "folkbokförd."
        ),
    )
    event_date = _date_field(
        _("Datum"),
        kind=HAPPENED,
        help_text=_("ÅÅÅÅ-MM-DD. När eleven slutade, började eller anmälan gjordes."),
    )
    programme = forms.CharField(
        label=_("Program"),
        required=False,
        max_length=20,
        help_text=_("Programkod, till exempel EK eller IMV."),
    )
    message = forms.CharField(
        label=_("Meddelande till hemkommunen"),
        required=False,
        max_length=1000,
        help_text=_(
            "Skriv inte om orsaker till frånvaro, hälsa eller andra känsliga uppgifter. "
            "Hemkommunen kontaktar eleven."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_date"].initial = timezone.localdate()

    def clean_personal_identity_number(self) -> str:
        return clean_identity_number(self.cleaned_data["personal_identity_number"])


class ExportForm(forms.Form):
    period = forms.ModelChoiceField(
        label=_("Halvår"),
        queryset=ReportPeriod.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Välj vilket halvår rapporten gäller.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The current half-year and the three before it (a new file replaces an old one
        # at SCB, so earlier periods can be sent again).
        recent = ReportPeriod.objects.filter(starts_on__lte=timezone.localdate()).order_by(
            "-starts_on"
        )[:4]
        self.fields["period"].queryset = ReportPeriod.objects.filter(
            pk__in=[p.pk for p in recent]
        ).order_by("-starts_on")


# --- The caseload ---------------------------------------------------------------------------

ACTION_ASSIGN = "assign"
ACTION_LETTER = "letter"
NOBODY = "ingen"


class CaseloadFilterForm(forms.Form):
    """Whose caseload to show: the actor's own by default, a colleague's, or the young
    people assigned to nobody; and optionally one status."""

    samordnare = forms.ChoiceField(label=_("Vems unga"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Alla")),
            *zip(
                STATUSES,
                (_("Okänd status"), _("Nådda, ingen pågående åtgärd"), _("I en åtgärd")),
                strict=True,
            ),
        ],
    )

    def __init__(self, *args, coordinators, me, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["samordnare"].choices = [
            ("", _("Mina unga")),
            (NOBODY, _("Unga utan ansvarig samordnare")),
            *(
                (str(user.pk), user.get_full_name() or user.username)
                for user in coordinators
                if user.pk != me.pk
            ),
        ]


class CaseloadBulkForm(forms.Form):
    """One action for the young people ticked in the list: assign them to a coordinator,
    or record that a letter was sent to each (a contact attempt)."""

    person = forms.TypedMultipleChoiceField(
        label=_("Unga"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Markera minst en ung person i listan.")},
    )
    action = forms.ChoiceField(
        choices=[(ACTION_ASSIGN, _("Fördela")), (ACTION_LETTER, _("Brev skickat"))]
    )
    coordinator = forms.ChoiceField(label=_("Fördela till"), required=False)
    contact_date = _date_field(_("Datum då brevet skickades"), kind=HAPPENED, required=False)

    def __init__(self, *args, person_ids, coordinators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(pk, pk) for pk in person_ids]
        self.fields["coordinator"].choices = [
            ("", _("Välj samordnare")),
            (NOBODY, _("Ingen (ta bort ansvarig)")),
            *((str(user.pk), user.get_full_name() or user.username) for user in coordinators),
        ]
        self.initial.setdefault("contact_date", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("action") == ACTION_ASSIGN and not data.get("coordinator"):
            self.add_error("coordinator", _("Välj vem de unga ska fördelas till."))
        if data.get("action") == ACTION_LETTER and not data.get("contact_date"):
            self.add_error("contact_date", _("Ange när brevet skickades."))
        return data

    @property
    def coordinator_id(self) -> int | None:
        value = self.cleaned_data.get("coordinator")
        return None if value in ("", NOBODY, None) else int(value)
