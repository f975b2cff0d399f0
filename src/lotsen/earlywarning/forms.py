from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.earlywarning.models import OutcomeCode
from lotsen.earlywarning.services import (
    ERROR_ACTION_TEXT,
    ERROR_OUTCOME_CODE,
    TEXT_MAX_LENGTH,
)


class ActionRecordForm(forms.Form):
    text = forms.CharField(
        label=_("Vad har du gjort eller ska göra?"),
        help_text=_(
            "Till exempel ett samtal med eleven, kontakt med vårdnadshavare eller elevhälsan, "
            "extra stöd i ett ämne."
        ),
        widget=forms.Textarea,
        max_length=TEXT_MAX_LENGTH,
        error_messages={"required": ERROR_ACTION_TEXT},
    )


class SignalCloseForm(forms.Form):
    outcome_code = forms.ChoiceField(
        label=_("Hur gick det?"),
        choices=OutcomeCode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_OUTCOME_CODE, "invalid_choice": ERROR_OUTCOME_CODE},
    )
    outcome = forms.CharField(
        label=_("Beskriv utfallet"),
        help_text=_("Behövs om du väljer Annat. Skriv inget om elevens hälsa här."),
        widget=forms.Textarea,
        max_length=TEXT_MAX_LENGTH,
        required=False,
    )


class ActivationForm(forms.Form):
    note = forms.CharField(
        label=_("Varför ska versionen användas?"),
        help_text=_("Till exempel vad jämförelsen visade. Högst 500 tecken."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=True,
    )


class SwitchForm(forms.Form):
    on = forms.TypedChoiceField(
        label=_("Ska den inlärda modellen användas?"),
        choices=[("1", _("Ja, visa modellens bedömningar")), ("0", _("Nej, stäng av modellen"))],
        coerce=lambda value: value in ("1", True),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Skäl"),
        help_text=_("Högst 500 tecken. Syns för andra administratörer."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        initial = self.initial.get("on")
        if isinstance(initial, bool):
            self.initial["on"] = "1" if initial else "0"


class ScoreReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Stämmer bedömningen med din bild av eleven?"),
        choices=[],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Varför? (behövs om du inte håller med)"),
        help_text=_("Skriv inget om elevens hälsa här. Högst 500 tecken."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        from lotsen.earlywarning.models import ScoreVerdict

        super().__init__(*args, **kwargs)
        self.fields["verdict"].choices = ScoreVerdict.choices
