from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.models import Organisation
from lotsen.privacy.models import Category
from lotsen.youth.guardians import (
    ERROR_REQUEST_NO_CATEGORIES,
    ERROR_REQUEST_NO_ORGANISATIONS,
    REQUESTABLE_CATEGORIES,
)
from lotsen.youth.models import PURPOSE_TEXT_MAX_LENGTH

ANSWER_YES = "ja"
ANSWER_NO = "nej"


class ConsentRequestForm(forms.Form):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Vilka organisationer ska få dela uppgifter med varandra?"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": ERROR_REQUEST_NO_ORGANISATIONS},
    )
    categories = forms.MultipleChoiceField(
        label=_("Vilka uppgifter gäller samtycket?"),
        choices=[(c, Category(c).label) for c in REQUESTABLE_CATEGORIES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": ERROR_REQUEST_NO_CATEGORIES},
    )
    purpose_text = forms.CharField(
        label=_("Vad ska samtycket användas till?"),
        help_text=_(
            "Skriv med enkla ord, till vårdnadshavaren. Till exempel: Vi vill planera stödet "
            "i skolan tillsammans med socialtjänsten."
        ),
        max_length=PURPOSE_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.exclude(
            kind="region"
        ).order_by("name")


class ConsentAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Ditt svar"),
        choices=[
            (ANSWER_YES, _("Ja, jag samtycker")),
            (ANSWER_NO, _("Nej, jag samtycker inte")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj ja eller nej.")},
    )
