"""The young person's "Varför?" page: whether Lotsen uses a risk model for them, what it
said, the main reasons in words, that a person and not the model decides, and a way to say
"this is wrong" (EU AI Act Art. 86). Their words land as a task with the staff at their
school; the answer is shown here.

Plain Swedish for a young reader (LIX under 40, ``youth.lix``). Read and logged as the
young person's own data, like every page of "Mina sidor".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.accounts.actor import Actor
from lotsen.earlywarning.governance import ObjectionRefused, objection_record, own_latest_score
from lotsen.earlywarning.models import RiskBand, ScoreObjection
from lotsen.pages.methods import form_view
from lotsen.youth.selectors import _log_self, _require_young_person
from lotsen.youth.views import young_person_required

BAND_WORDS = {
    RiskBand.LOW: gettext_lazy("Modellen tror inte att du riskerar att hoppa av."),
    RiskBand.ELEVATED: gettext_lazy("Modellen tror att du kan behöva lite mer stöd."),
    RiskBand.HIGH: gettext_lazy("Modellen tror att du kan behöva mer stöd i skolan."),
}


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Vad stämmer inte?"),
        help_text=gettext_lazy("Skriv med egna ord. Högst 1000 tecken."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        error_messages={"required": gettext_lazy("Skriv vad som inte stämmer.")},
    )


@dataclass
class OwnRisk:
    band_words: str
    reasons: list[str]
    as_of: object
    objections: list[ScoreObjection] = field(default_factory=list)


def own_risk(*, actor: Actor) -> OwnRisk | None:
    """The young person's latest score in words, or None when no model assesses them."""
    person = _require_young_person(actor)
    score = own_latest_score(person.pk)
    if score is None:
        return None
    _log_self(actor, person, "risk_score", score.pk)
    return OwnRisk(
        band_words=str(BAND_WORDS[RiskBand(score.band)]),
        reasons=[reason["text"] for reason in score.explanation[:3]],
        as_of=score.features_as_of,
        objections=list(
            ScoreObjection.objects.filter(score__person_id=person.pk).order_by("-created_at")
        ),
    )


@form_view
@young_person_required
def why(request):
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = _require_young_person(request.actor)
        try:
            objection_record(person_id=person.pk, text=form.cleaned_data["text"])
        except ObjectionRefused as refused:
            form.add_error("text", str(refused))
        else:
            messages.success(request, _("Tack! Din skola får veta det och svarar dig här."))
            return redirect("youth:why")
    return render(
        request,
        "youth/why.html",
        {"risk": own_risk(actor=request.actor), "form": form, "current": "why"},
    )
