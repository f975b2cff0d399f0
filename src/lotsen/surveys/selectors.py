"""Reads for surveys. Who sees what:

- the survey's team (project leaders acting in the organisation that runs it) manage the
  survey and see its results in full, free-text answers included;
- project leaders and evaluators of the other organisations working in the survey's
  programme, and evaluators of the survey's organisation, see the results with small cells
  hidden and no free text;
- everyone else gets 404.

"Working in a programme" and "acting for an organisation" are
``programmes.policy.ProgrammePolicy``'s answers, the same as for every programme page.

Nothing here names a person: a linked response's person is never read for the results.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.programmes.models import Programme, SubProject
from lotsen.programmes.policy import ProgrammePolicy
from lotsen.surveys import results
from lotsen.surveys.models import Answer, Question, QuestionKind, Survey

TEAM = "team"
OUTSIDE = "outside"


def surveys_visible_q(policy: ProgrammePolicy) -> Q:
    if not policy.reads:
        return Q(pk__in=[])
    programmes = policy.works_in_programmes().values("pk")
    return (
        Q(organisation=policy.organisation)
        | Q(programme__in=programmes)
        | Q(subproject__programme__in=programmes)
    )


def _access(policy: ProgrammePolicy, survey: Survey) -> str:
    """For a survey the actor may see: TEAM or OUTSIDE, the same answer for the list and
    the survey's pages."""
    return TEAM if policy.acts_for(survey.organisation_id) else OUTSIDE


def access_for(actor: Actor | None, survey: Survey) -> str | None:
    """TEAM, OUTSIDE or None (not visible)."""
    policy = ProgrammePolicy(actor)
    if not Survey.objects.filter(surveys_visible_q(policy), pk=survey.pk).exists():
        return None
    return _access(policy, survey)


def surveys_for(*, actor: Actor) -> list[tuple[Survey, str]]:
    policy = ProgrammePolicy(actor)
    if not policy.reads:
        raise Http404
    surveys = (
        Survey.objects.filter(surveys_visible_q(policy))
        .distinct()
        .select_related("programme", "organisation")
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("-created_at", "-id")
    )
    return [(s, _access(policy, s)) for s in surveys]


def survey_get_for(*, actor: Actor, survey_id: int | str, team_only: bool = False) -> Survey:
    """Fetch and authorise in one call: 404 for "missing" and "not yours" alike."""
    try:
        survey_id = int(survey_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    survey = Survey.objects.select_related("organisation", "programme").filter(pk=survey_id).first()
    access = access_for(actor, survey) if survey else None
    if access is None or (team_only and access != TEAM):
        raise Http404
    return survey


def survey_by_token(*, token: str) -> Survey:
    survey = Survey.objects.filter(token=token).first()
    if survey is None:
        raise Http404
    return survey


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("order", "id"))


def may_create(actor: Actor | None) -> bool:
    return ProgrammePolicy(actor).may_create()


def programmes_for(actor: Actor) -> QuerySet[Programme]:
    """The programmes a survey of the actor's may belong to: those the actor is team for."""
    return ProgrammePolicy(actor).team_programmes()


def subprojects_for(actor: Actor) -> QuerySet[SubProject]:
    """The sub-projects a survey of the actor's may belong to: those the actor is team for."""
    return (
        ProgrammePolicy(actor)
        .team_subprojects()
        .select_related("programme")
        .order_by("programme__name", "name")
    )


def has_answered(*, survey: Survey, person_id: int | None) -> bool:
    return bool(person_id) and survey.responses.filter(person_id=person_id).exists()


@dataclass
class QuestionResult:
    question: Question
    distribution: results.Distribution | None
    labels: list[str]
    free_texts: list[str]
    free_text_count: str

    @property
    def pairs(self) -> list[tuple[str, results.Cell]]:
        if self.distribution is None:
            return []
        return list(zip(self.labels, self.distribution.cells, strict=True))


@dataclass
class SurveyResults:
    survey: Survey
    access: str
    responses: int
    too_few: bool
    questions: list[QuestionResult]

    @property
    def suppressed(self) -> bool:
        return self.access != TEAM


SCALE_LABELS = ["1", "2", "3", "4", "5"]


def survey_results(
    *, actor: Actor, survey_id: int | str, yes: str = "Ja", no: str = "Nej", export: bool = False
) -> SurveyResults:
    """The results as ``actor`` may see them. ``export`` gives the version that may leave
    the project team: suppressed and without free text, whoever asks."""
    survey = survey_get_for(actor=actor, survey_id=survey_id)
    access = OUTSIDE if export else access_for(actor, survey)
    responses = survey.responses.count()
    too_few = results.too_few(responses)
    rows: list[QuestionResult] = []
    if not too_few:
        answers: dict[int, list[Answer]] = {}
        for answer in Answer.objects.filter(response__survey=survey).order_by("pk"):
            answers.setdefault(answer.question_id, []).append(answer)
        suppress = access != TEAM
        for question in questions_of(survey):
            given = answers.get(question.pk, [])
            if question.kind == QuestionKind.FREE_TEXT:
                texts = [a.text for a in given if a.text.strip()]
                count = (
                    results.distribution([1] * len(texts), (1,), suppress=True).answered_text
                    if suppress
                    else str(len(texts))
                )
                rows.append(QuestionResult(question, None, [], [] if suppress else texts, count))
                continue
            scale = question.kind == QuestionKind.SCALE
            options = results.SCALE_VALUES if scale else results.YES_NO_VALUES
            labels = SCALE_LABELS if scale else [yes, no]
            values = [a.value for a in given if a.value is not None]
            rows.append(
                QuestionResult(
                    question,
                    results.distribution(values, options, suppress=suppress),
                    labels,
                    [],
                    "",
                )
            )
    return SurveyResults(
        survey=survey, access=access, responses=responses, too_few=too_few, questions=rows
    )
