"""The inbox's filter form (GET, kept in the URL) and its bulk-action form (POST)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lotsen.inbox.selectors import MAX_PAGE, SORTS, STATUSES, WHOS, InboxFilters
from lotsen.inbox.services import ACTIONS, MAX_SELECTED


class InboxFilterForm(forms.Form):
    """Every filter is optional, and a value out of range is ignored rather than an error:
    a link someone saved still opens their inbox."""

    typ = forms.CharField(required=False, max_length=40)
    arskurs = forms.IntegerField(required=False, min_value=0, max_value=13)
    skolenhet = forms.IntegerField(required=False, min_value=1)
    grupp = forms.IntegerField(required=False, min_value=1)
    ansvarig = forms.IntegerField(required=False, min_value=1)
    status = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in STATUSES])
    vem = forms.ChoiceField(required=False, choices=[("", "")] + [(w, w) for w in WHOS])
    sortera = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS])
    sida = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def filters(self) -> InboxFilters:
        data = self.cleaned_data if self.is_valid() else {}
        if not data:
            # Keep what is valid of a half-valid query string.
            data = {
                name: value
                for name, value in getattr(self, "cleaned_data", {}).items()
                if name not in self.errors
            }
        return InboxFilters(
            kind=data.get("typ") or "",
            year=data.get("arskurs"),
            unit=data.get("skolenhet"),
            group=data.get("grupp"),
            assigned=data.get("ansvarig"),
            status=data.get("status") or "",
            who=data.get("vem") or "",
            sort=data.get("sortera") or SORTS[0],
            page=data.get("sida") or 1,
        )


class InboxBulkForm(forms.Form):
    person_ids = forms.TypedMultipleChoiceField(
        label=_("Unga personer"), coerce=int, required=False, choices=()
    )
    action = forms.ChoiceField(label=_("Vad ska göras"), choices=[(a, a) for a in ACTIONS])
    assignee = forms.CharField(label=_("Tilldela till"), required=False, max_length=60)
    follow_up_on = forms.DateField(label=_("Följ upp"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service answers ids outside the inbox as missing.
        raw = self.data.getlist("person_ids") if hasattr(self.data, "getlist") else []
        self.fields["person_ids"].choices = [
            (value, value) for value in raw[: MAX_SELECTED + 1] if str(value).isdigit()
        ]
