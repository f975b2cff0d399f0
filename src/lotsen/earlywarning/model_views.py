"""The learned model's pages for those who govern it: the versions, each one's model card,
impact-assessment draft and comparison, activation by a person (system administrators:
the model is one for the installation), and the kill switch for an organisation's
administrator. Thin: parse, call one selector or service, render.

Anyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lotsen.accounts.models import Role
from lotsen.accounts.selectors import actor_is_system_admin
from lotsen.earlywarning.forms import ActivationForm, ScoreReviewForm, SwitchForm
from lotsen.earlywarning.governance import (
    ActivationRefused,
    ObjectionRefused,
    ReviewRefused,
    active_version,
    calibration_view,
    disagreement_by_school,
    facts_from_version,
    model_activate,
    objection_answer,
    score_review_record,
)
from lotsen.earlywarning.modelcard import (
    IMPACT_FILE,
    IMPACT_TITLE,
    MODEL_CARD_FILE,
    MODEL_CARD_TITLE,
    impact_assessment_sections,
    model_card_sections,
    sections_html,
    sections_html_fragment,
    sections_odt,
)
from lotsen.earlywarning.models import LearnedModelSwitch, ModelVersion
from lotsen.earlywarning.selectors import objection_get_for, risk_scores_visible_to
from lotsen.earlywarning.switch import SwitchRefused, learned_model_on_for, switch_set
from lotsen.jobs.runs import job_start
from lotsen.pages.decorators import actor_required
from lotsen.pages.methods import post_only, read_only
from lotsen.stats.downloads import download_response

ODT = "application/vnd.oasis.opendocument.text"
DOCUMENTS = {
    MODEL_CARD_FILE: (MODEL_CARD_TITLE, model_card_sections),
    IMPACT_FILE: (IMPACT_TITLE, impact_assessment_sections),
}


def _owner_required(request) -> None:
    if not actor_is_system_admin(request.actor):
        raise Http404


def _version_get(version: str) -> ModelVersion:
    found = ModelVersion.objects.defer("model_blob").filter(version=version[:40]).first()
    if found is None:
        raise Http404
    return found


@read_only
@actor_required
def model_versions(request):
    _owner_required(request)
    versions = ModelVersion.objects.defer("model_blob").select_related("activated_by")
    active = active_version()
    return render(
        request,
        "signals/model_versions.html",
        {
            "versions": versions,
            "active": active,
            "calibration": calibration_view(active) if active else None,
        },
    )


def _version_page(request, version: ModelVersion, *, form: ActivationForm | None = None):
    facts = facts_from_version(version)
    active = active_version()
    return render(
        request,
        "signals/model_version.html",
        {
            "version": version,
            "active": active,
            "comparison": version.comparison or {},
            "comparison_current": bool(version.comparison)
            and version.comparison.get("against_id") == (active.pk if active else None),
            "form": form or ActivationForm(),
            "model_card": sections_html_fragment(model_card_sections(facts), level=3),
            "impact": sections_html_fragment(impact_assessment_sections(facts), level=3),
            "disagreement": disagreement_by_school(version),
            "calibration": calibration_view(version),
        },
    )


@read_only
@actor_required
def model_version(request, version: str):
    _owner_required(request)
    return _version_page(request, _version_get(version))


@read_only
@actor_required
def model_document(request, version: str, document: str, fmt: str):
    _owner_required(request)
    found = _version_get(version)
    if document not in DOCUMENTS or fmt not in ("html", "odt"):
        raise Http404
    title, build = DOCUMENTS[document]
    sections = build(facts_from_version(found))
    heading = f"{title}: {found.name} {found.version}"
    filename = f"{document}-{found.version}.{fmt}"
    if fmt == "html":
        return download_response(
            sections_html(heading, sections), filename=filename, content_type="text/html"
        )
    return download_response(sections_odt(heading, sections), filename=filename, content_type=ODT)


@post_only
@actor_required
def model_compare(request, version: str):
    _owner_required(request)
    found = _version_get(version)
    job_start("signals.compare", params={"version": found.version}, started_by=request.user)
    messages.success(
        request,
        _("Jämförelsen har startat. Den tar några minuter; ladda om sidan för att se den."),
    )
    return redirect("signals:model_version", version=found.version)


@post_only
@actor_required
def model_activate_view(request, version: str):
    _owner_required(request)
    found = _version_get(version)
    form = ActivationForm(request.POST)
    if form.is_valid():
        try:
            model_activate(found, by=request.user, note=form.cleaned_data["note"])
        except ActivationRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Versionen används nu."))
            return redirect("signals:model_version", version=found.version)
    return _version_page(request, found, form=form)


def _switch_organisation(request):
    actor = request.actor
    if actor.role != Role.ORGANISATION_ADMIN and not actor_is_system_admin(actor):
        raise Http404
    if actor.organisation is None:
        raise Http404
    return actor.organisation


def _switch_page(request, organisation, *, form: SwitchForm | None = None):
    history = (
        LearnedModelSwitch.objects.filter(organisation=organisation)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[:50]
    )
    on = learned_model_on_for(organisation)
    return render(
        request,
        "signals/model_switch.html",
        {
            "organisation": organisation,
            "on": on,
            "form": form or SwitchForm(initial={"on": not on}),
            "history": history,
        },
    )


@read_only
@actor_required
def model_switch(request):
    return _switch_page(request, _switch_organisation(request))


@post_only
@actor_required
def model_switch_set(request):
    organisation = _switch_organisation(request)
    form = SwitchForm(request.POST)
    if form.is_valid():
        try:
            switch_set(
                organisation=organisation,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except SwitchRefused as refused:
            form.add_error("reason", str(refused))
        else:
            messages.success(request, _("Ändringen är sparad."))
            return redirect("signals:model_switch")
    return _switch_page(request, organisation, form=form)


@post_only
@actor_required
def score_review(request, score_id: int):
    """A member of staff says what they make of a score they were shown."""
    score = risk_scores_visible_to(request.actor).filter(pk=score_id).first()
    if score is None:
        raise Http404
    form = ScoreReviewForm(request.POST)
    if form.is_valid():
        try:
            score_review_record(user=request.user, score=score, **form.cleaned_data)
        except ReviewRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Tack. Din bedömning är sparad."))
    else:
        messages.error(request, _("Välj om bedömningen stämmer."))
    return redirect(reverse("web:person_detail", args=[score.person_id]) + "#modellens-bedomning")


@post_only
@actor_required
def objection_answer_view(request, objection_id: int):
    """Staff answer a young person's "this is wrong"; the answer shows on their page."""
    objection = objection_get_for(actor=request.actor, objection_id=objection_id)
    try:
        objection_answer(user=request.user, objection=objection, text=request.POST.get("answer"))
    except ObjectionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Svaret är sparat. Eleven ser det på Mina sidor."))
    return redirect(
        reverse("web:person_detail", args=[objection.score.person_id]) + "#modellens-bedomning"
    )
