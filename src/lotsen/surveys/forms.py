"""Forms for surveys. The answer form is built from the survey's questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.surveys.models import QuestionKind
from lotsen.surveys.services import TEXT_LIMIT

SCALE_CHOICES = [
    ("1", _("1 – Inte alls")),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", _("5 – Helt och hållet")),
]
YES_NO_CHOICES = [("1", _("Ja")), ("0", _("Nej"))]


class SurveyForm(forms.Form):
    title = forms.CharField(
        label=_("Rubrik"),
        max_length=200,
        error_messages={"required": _("Skriv en rubrik för enkäten.")},
    )
    intro = forms.CharField(
        label=_("Inledning"),
        required=False,
        widget=forms.Textarea,
        max_length=2000,
        help_text=_("Berätta kort varför ni frågar och vad svaren används till. Skriv enkelt."),
    )
    anonymous = forms.ChoiceField(
        label=_("Hur svarar de unga?"),
        choices=[
            ("1", _("Anonymt, via en länk. Ingen inloggning, vi vet inte vem som svarat.")),
            ("0", _("Inloggade. Svaret kopplas till den unga, till exempel för att följa upp.")),
        ],
        initial="1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj hur de unga svarar.")},
    )
    programme = forms.ChoiceField(label=_("Program"), required=False, widget=forms.RadioSelect)
    subproject = forms.ChoiceField(label=_("Delprojekt"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, programmes=(), subprojects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.programmes = {str(p.pk): p for p in programmes}
        self.subprojects = {str(s.pk): s for s in subprojects}
        self.fields["programme"].choices = [
            ("", _("Inget program")),
            *((k, p.name) for k, p in self.programmes.items()),
        ]
        self.fields["subproject"].choices = [
            ("", _("Inget delprojekt")),
            *((k, f"{s.name} ({s.programme.name})") for k, s in self.subprojects.items()),
        ]

    def clean(self):
        data = super().clean()
        data["anonymous"] = data.get("anonymous") != "0"
        data["programme"] = self.programmes.get(data.get("programme") or "")
        data["subproject"] = self.subprojects.get(data.get("subproject") or "")
        return data


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Fråga"),
        max_length=300,
        help_text=_("Korta meningar och vanliga ord. En sak per fråga."),
        error_messages={"required": _("Skriv frågan.")},
    )
    kind = forms.ChoiceField(
        label=_("Svarstyp"),
        choices=QuestionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj hur frågan besvaras.")},
    )


class AnswerForm(forms.Form):
    def __init__(self, *args, questions=(), anonymous=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            name = f"q_{question.pk}"
            if question.kind == QuestionKind.SCALE:
                field = forms.ChoiceField(
                    choices=SCALE_CHOICES, widget=forms.RadioSelect, required=False
                )
            elif question.kind == QuestionKind.YES_NO:
                field = forms.ChoiceField(
                    choices=YES_NO_CHOICES, widget=forms.RadioSelect, required=False
                )
            else:
                field = forms.CharField(
                    widget=forms.Textarea,
                    required=False,
                    max_length=TEXT_LIMIT,
                    help_text=_("Skriv inte ditt namn eller något annat som visar vem du är.")
                    if anonymous
                    else None,
                )
            field.label = question.text
            self.fields[name] = field

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}
