"""Writes for surveys: the project team builds and opens a survey; a young person answers.

An answer to an anonymous survey never records who answered, even when the young person
happens to be logged in, and keeps only the day it came in.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.programmes.models import Programme, SubProject
from lotsen.surveys.models import Answer, Question, QuestionKind, Response, Survey
from lotsen.surveys.selectors import (
    TEAM,
    access_for,
    may_create,
    programmes_for,
    subprojects_for,
)

ERROR_NOT_TEAM = "Bara projektledare i enkätens organisation kan ändra enkäten."
ERROR_PROGRAMME = "Välj ett program som din organisation deltar i."
ERROR_SUBPROJECT = "Välj ett delprojekt som din organisation deltar i."
ERROR_SUBPROJECT_PROGRAMME = "Delprojektet hör till ett annat program."
ERROR_HAS_RESPONSES = "Enkäten har redan svar. Frågorna kan inte ändras längre."
ERROR_NO_QUESTIONS = "Lägg till minst en fråga innan enkäten öppnas."
ERROR_CLOSED = "Enkäten är stängd och tar inte emot fler svar."
ERROR_LOGIN_REQUIRED = "Logga in för att svara på enkäten."
ERROR_ALREADY_ANSWERED = "Du har redan svarat på enkäten."
ERROR_EMPTY = "Svara på minst en fråga."
ERROR_SCALE = "Välj ett värde från 1 till 5."
ERROR_YES_NO = "Välj ja eller nej."
ERROR_TEXT_LENGTH = "Svaret får vara högst {limit} tecken."

TEXT_LIMIT = 1000


def _require_team(actor: Actor, survey: Survey) -> None:
    if access_for(actor, survey) != TEAM:
        raise PermissionDenied(ERROR_NOT_TEAM)


@transaction.atomic
def survey_create(
    *,
    actor: Actor,
    title: str,
    intro: str = "",
    anonymous: bool = True,
    programme: Programme | None = None,
    subproject: SubProject | None = None,
) -> Survey:
    if not may_create(actor):
        raise PermissionDenied(ERROR_NOT_TEAM)
    if programme is not None and not programmes_for(actor).filter(pk=programme.pk).exists():
        raise ValidationError({"programme": ERROR_PROGRAMME})
    if subproject is not None:
        if not subprojects_for(actor).filter(pk=subproject.pk).exists():
            raise ValidationError({"subproject": ERROR_SUBPROJECT})
        if programme is not None and subproject.programme_id != programme.pk:
            raise ValidationError({"subproject": ERROR_SUBPROJECT_PROGRAMME})
        programme = programme or subproject.programme
    survey = Survey(
        title=" ".join(title.split()),
        intro=intro.strip(),
        organisation=actor.organisation,
        programme=programme,
        subproject=subproject,
        anonymous=anonymous,
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def question_add(*, actor: Actor, survey: Survey, text: str, kind: str) -> Question:
    _require_team(actor, survey)
    if survey.responses.exists():
        raise ValidationError(ERROR_HAS_RESPONSES)
    last = survey.questions.order_by("-order").values_list("order", flat=True).first()
    question = Question(
        survey=survey, text=" ".join(text.split()), kind=kind, order=(last or 0) + 1
    )
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def survey_set_open(*, actor: Actor, survey: Survey, is_open: bool) -> Survey:
    _require_team(actor, survey)
    if is_open and not survey.questions.exists():
        raise ValidationError(ERROR_NO_QUESTIONS)
    survey.is_open = is_open
    survey.save(update_fields=["is_open"])
    return survey


def _start_of_day(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _answer_for(question: Question, raw: object) -> Answer | None:
    """The answer to one question, or None when it was skipped."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if question.kind == QuestionKind.FREE_TEXT:
        text = str(raw).strip()
        if len(text) > TEXT_LIMIT:
            raise ValidationError({f"q_{question.pk}": ERROR_TEXT_LENGTH.format(limit=TEXT_LIMIT)})
        return Answer(question=question, text=text)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if question.kind == QuestionKind.SCALE and value not in (1, 2, 3, 4, 5):
        raise ValidationError({f"q_{question.pk}": ERROR_SCALE})
    if question.kind == QuestionKind.YES_NO and value not in (0, 1):
        raise ValidationError({f"q_{question.pk}": ERROR_YES_NO})
    return Answer(question=question, value=value)


@transaction.atomic
def survey_respond(*, survey: Survey, actor: Actor | None, answers: dict[int, object]) -> Response:
    """Store one response. ``answers`` maps question ids to the raw value given."""
    if not survey.is_open:
        raise ValidationError(ERROR_CLOSED)
    person_id = None
    if not survey.anonymous:
        if actor is None or actor.role != Role.YOUNG_PERSON or not actor.user.person_id:
            raise PermissionDenied(ERROR_LOGIN_REQUIRED)
        person_id = actor.user.person_id
        if survey.responses.filter(person_id=person_id).exists():
            raise ValidationError(ERROR_ALREADY_ANSWERED)
    given = []
    for question in survey.questions.order_by("order", "id"):
        answer = _answer_for(question, answers.get(question.pk))
        if answer is not None:
            given.append(answer)
    if not given:
        raise ValidationError(ERROR_EMPTY)
    now = timezone.now()
    response = Response(
        survey=survey,
        person_id=person_id,
        submitted_at=now if person_id else _start_of_day(now),
    )
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:
        raise ValidationError(ERROR_ALREADY_ANSWERED) from exc
    for answer in given:
        answer.response = response
    Answer.objects.bulk_create(given)
    return response
