from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Kod"),
        max_length=32,
        help_text=_("Sex siffror från appen, eller en av dina reservkoder."),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("Koden som appen visar nu"),
        max_length=32,
        help_text=_("Sex siffror. Koden byts var 30:e sekund."),
    )
