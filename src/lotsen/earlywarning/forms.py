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
