"""Forms for the young person's pages. They parse; the services validate."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from lotsen.youth.services import MESSAGE_MAX_LENGTH
from lotsen.youth.who5 import ITEM_KEYS

# The Swedish WHO-5 (WHO Collaborating Centre in Mental Health, Psykiatrisk Center
# Nordsjælland): the stem "Under de senaste två veckorna…" and five statements.
WHO5_STEM = _("Under de senaste två veckorna …")
WHO5_STATEMENTS = (
    _("… har jag känt mig glad och på gott humör"),
    _("… har jag känt mig lugn och avslappnad"),
    _("… har jag känt mig aktiv och kraftfull"),
    _("… har jag vaknat upp pigg och utvilad"),
    _("… har min vardag varit fylld av saker som intresserar mig"),
)
WHO5_CHOICES = (
    ("5", _("Hela tiden")),
    ("4", _("Större delen av tiden")),
    ("3", _("Lite mer än hälften av tiden")),
    ("2", _("Lite mindre än hälften av tiden")),
    ("1", _("Lite av tiden")),
    ("0", _("Aldrig")),
)


class WellbeingForm(forms.Form):
    """Five radio groups. The fields are plain text with radio widgets, so that the service
    alone validates and names each missing or invalid answer, as it does for every caller."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, statement in zip(ITEM_KEYS, WHO5_STATEMENTS, strict=True):
            self.fields[key] = forms.CharField(
                label=statement,
                required=False,
                widget=forms.RadioSelect(choices=WHO5_CHOICES),
            )


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Det här vill jag att ni vet"),
        help_text=format_lazy(
            _("Skriv med dina egna ord. Du kan skriva högst {limit} tecken."),
            limit=MESSAGE_MAX_LENGTH,
        ),
        required=False,
        widget=forms.Textarea,
        strip=False,
    )
