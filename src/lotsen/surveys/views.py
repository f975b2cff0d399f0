"""Survey pages. Thin: parse, call one selector or service, render.

Staff pages for the project team and readers in the programme; the answer page by token,
without login for an anonymous survey and for the logged-in young person for a linked one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.models import Role
from lotsen.pages.decorators import actor_required
from lotsen.pages.forms import form_add_service_errors
from lotsen.pages.methods import form_view, post_only, read_only
from lotsen.stats.downloads import csv_response
from lotsen.surveys import exports, forms
from lotsen.surveys.selectors import (
    TEAM,
    has_answered,
    may_create,
    programmes_for,
    questions_of,
    subprojects_for,
    survey_by_token,
    survey_get_for,
    survey_results,
    surveys_for,
)
from lotsen.surveys.services import question_add, survey_create, survey_respond, survey_set_open


def _posted(request):
    """The posted data, bound even when empty: an empty POST must show its errors."""
    return request.POST if request.method == "POST" else None


@read_only
@actor_required
def survey_list(request):
    rows = surveys_for(actor=request.actor)
    return render(
        request, "surveys/list.html", {"rows": rows, "may_create": may_create(request.actor)}
    )


@form_view
@actor_required
def survey_new(request):
    if not may_create(request.actor):
        raise Http404
    form = forms.SurveyForm(
        _posted(request),
        programmes=programmes_for(request.actor).order_by("name"),
        subprojects=subprojects_for(request.actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(actor=request.actor, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Enkäten är skapad. Lägg till frågor."))
            return redirect("surveys:detail", survey_id=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


@form_view
@actor_required
def survey_detail(request, survey_id: int):
    survey = survey_get_for(actor=request.actor, survey_id=survey_id, team_only=True)
    form = forms.QuestionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            question_add(actor=request.actor, survey=survey, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Frågan är tillagd."))
            return redirect("surveys:detail", survey_id=survey.pk)
    context = {
        "survey": survey,
        "questions": questions_of(survey),
        "responses": survey.responses.count(),
        "form": form,
        "answer_url": request.build_absolute_uri(survey_answer_path(survey)),
    }
    return render(request, "surveys/detail.html", context)


def survey_answer_path(survey) -> str:
    return reverse("surveys:answer", kwargs={"token": survey.token})


@post_only
@actor_required
def survey_open(request, survey_id: int):
    survey = survey_get_for(actor=request.actor, survey_id=survey_id, team_only=True)
    is_open = request.POST.get("open") == "1"
    try:
        survey_set_open(actor=request.actor, survey=survey, is_open=is_open)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Enkäten är öppen för svar.") if is_open else _("Enkäten är stängd.")
        )
    return redirect("surveys:detail", survey_id=survey.pk)


@read_only
@actor_required
def survey_results_page(request, survey_id: int):
    data = survey_results(actor=request.actor, survey_id=survey_id, yes=_("Ja"), no=_("Nej"))
    return render(request, "surveys/results.html", {"data": data, "TEAM": TEAM})


@read_only
@actor_required
def survey_results_csv(request, survey_id: int):
    data = survey_results(
        actor=request.actor, survey_id=survey_id, yes=_("Ja"), no=_("Nej"), export=True
    )
    name = f"enkat-{data.survey.pk}-{timezone.localdate().isoformat()}.csv"
    return csv_response(exports.results_csv(data), filename=name, request=request)


# --- Answering -------------------------------------------------------------------------------


def _young_person(request):
    actor = getattr(request, "actor", None)
    return actor if actor and actor.role == Role.YOUNG_PERSON else None


@form_view
def survey_answer(request, token: str):
    survey = survey_by_token(token=token)
    young = _young_person(request)
    if not survey.anonymous and young is None:
        if request.user.is_authenticated:
            raise Http404
        return redirect_to_login(request.get_full_path())
    context = {"survey": survey}
    if not survey.is_open:
        return render(request, "surveys/answer_closed.html", context)
    if not survey.anonymous and has_answered(survey=survey, person_id=young.user.person_id):
        return render(request, "surveys/answer_done.html", context)
    questions = questions_of(survey)
    form = forms.AnswerForm(_posted(request), questions=questions, anonymous=survey.anonymous)
    if request.method == "POST" and form.is_valid():
        try:
            survey_respond(
                survey=survey, actor=None if survey.anonymous else young, answers=form.answers()
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            if not hasattr(exc, "error_dict") and questions:
                # "Answer at least one question" belongs to the first question, so that the
                # error summary's link takes the keyboard there.
                form.add_error(f"q_{questions[0].pk}", exc.messages)
            else:
                form_add_service_errors(form, exc)
        else:
            return redirect("surveys:thanks", token=survey.token)
    context["form"] = form
    return render(request, "surveys/answer.html", context)


@read_only
def survey_thanks(request, token: str):
    survey = survey_by_token(token=token)
    return render(request, "surveys/answer_done.html", {"survey": survey, "thanks": True})
