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
from lotsen.earlywarning.scoring import risk_score_reasons
from lotsen.pages.methods import form_view, read_only
from lotsen.youth.guardian_views import guardian_required
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
        reasons=[reason["text"] for reason in risk_score_reasons(score=score)[:3]],
        as_of=score.features_as_of,
        objections=list(
            ScoreObjection.objects.filter(score__person_id=person.pk).order_by("-created_at")
        ),
    )


# --- The guardian of a minor sees the same -------------------------------------------------

GUARDIAN_BAND_WORDS = {
    RiskBand.LOW: gettext_lazy("Modellen tror inte att ditt barn riskerar att hoppa av."),
    RiskBand.ELEVATED: gettext_lazy("Modellen tror att ditt barn kan behöva lite mer stöd."),
    RiskBand.HIGH: gettext_lazy("Modellen tror att ditt barn kan behöva mer stöd i skolan."),
}
# A guardian of many children is still a handful of rows; a bound all the same.
GUARDIAN_SCORES_LIMIT = 200


def _scores_schools_see():
    """Risk scores as the schools see them: none where the organisation turned the learned
    model off (as ``own_latest_score``)."""
    from lotsen.earlywarning.models import RiskScore
    from lotsen.earlywarning.switch import units_switched_off

    scores = RiskScore.objects.all()
    off = units_switched_off()
    return scores.exclude(school_unit_id__in=off) if off else scores


def guardian_minors_assessed(*, actor: Actor) -> list:
    """The guardian's minors that the risk model has assessed (under the guardian's risk
    basis, ``youth.guardians.GUARDIAN_RISK_BASIS``), through the door: logged per minor."""
    from lotsen.privacy.door import records_read
    from lotsen.privacy.models import Category, Purpose

    scores = records_read(
        _scores_schools_see()
        .select_related("person")
        .defer("model_version__model_blob")
        .order_by("person__given_name", "person_id", "-features_as_of", "-id"),
        actor=actor,
        purpose=Purpose.GUARDIAN,
        category=Category.SCHOOL,
        window=slice(0, GUARDIAN_SCORES_LIMIT),
        object_type="risk_score_list",
    )
    minors = {}
    for score in scores:
        minors.setdefault(score.person_id, score.person)
    return list(minors.values())


def guardian_risk(*, actor: Actor, person_id: int) -> tuple[object, OwnRisk]:
    """The minor's latest score in words, as the minor sees it on "Varför?", for their
    guardian: read through the door under the guardian's risk basis and logged with the
    score's id. 404 for anybody the guardian does not reach."""
    from django.http import Http404

    from lotsen.privacy.door import record_read
    from lotsen.privacy.models import Category, Purpose

    latest = (
        _scores_schools_see()
        .filter(person_id=person_id)
        .order_by("-features_as_of", "-model_version__trained_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest is None:
        raise Http404
    score = record_read(
        _scores_schools_see().filter(pk=latest).select_related("person"),
        actor=actor,
        purpose=Purpose.GUARDIAN,
        category=Category.SCHOOL,
        object_type="risk_score",
    )
    return score.person, OwnRisk(
        band_words=str(GUARDIAN_BAND_WORDS[RiskBand(score.band)]),
        reasons=[reason["text"] for reason in risk_score_reasons(score=score)[:3]],
        as_of=score.features_as_of,
        objections=list(
            ScoreObjection.objects.filter(score__person_id=score.person_id).order_by("-created_at")
        ),
    )


@read_only
@guardian_required
def guardian_why(request, person_id: int):
    person, risk = guardian_risk(actor=request.guardian, person_id=person_id)
    return render(request, "guardians/why.html", {"person": person, "risk": risk})


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
