"""Survey writes: building, opening, and answers that stay anonymous when they should."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.surveys import services
from lotsen.surveys.models import Answer, Response, Survey

pytestmark = pytest.mark.django_db


def test_the_team_builds_and_opens_a_survey(leader, programme):
    survey = services.survey_create(actor=leader, title="  Hur  mår du? ", programme=programme)
    assert (survey.title, survey.organisation, survey.anonymous) == (
        "Hur mår du?",
        leader.organisation,
        True,
    )
    assert len(survey.token) >= 20
    with pytest.raises(ValidationError) as exc:
        services.survey_set_open(actor=leader, survey=survey, is_open=True)
    assert exc.value.messages == [services.ERROR_NO_QUESTIONS]
    first = services.question_add(actor=leader, survey=survey, text="Trivs du?", kind="scale")
    second = services.question_add(actor=leader, survey=survey, text="Ja?", kind="yes_no")
    assert (first.order, second.order) == (1, 2)
    services.survey_set_open(actor=leader, survey=survey, is_open=True)
    assert Survey.objects.get().is_open


def test_only_the_team_changes_a_survey(survey, municipality_leader, evaluator, outsider):
    for actor in (municipality_leader, evaluator, outsider):
        with pytest.raises(PermissionDenied):
            services.question_add(actor=actor, survey=survey, text="Kapad", kind="yes_no")
        with pytest.raises(PermissionDenied):
            services.survey_set_open(actor=actor, survey=survey, is_open=False)
    assert survey.questions.count() == 3
    with pytest.raises(ValidationError) as exc:
        services.survey_create(actor=outsider, title="X", programme=survey.programme)
    assert exc.value.message_dict == {"programme": [services.ERROR_PROGRAMME]}


def test_an_anonymous_answer_holds_no_person_and_only_the_day(survey, young_user):
    q1, q2, q3 = survey.questions.order_by("order")
    young = Actor.for_young_person(young_user)
    response = services.survey_respond(
        survey=survey, actor=young, answers={q1.pk: "4", q2.pk: "0", q3.pk: "  Mer tid  "}
    )
    assert response.person_id is None
    local = timezone.localtime(response.submitted_at)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert local.date() == timezone.localdate()
    stored = {a.question_id: (a.value, a.text) for a in Answer.objects.all()}
    assert stored == {q1.pk: (4, ""), q2.pk: (0, ""), q3.pk: (None, "Mer tid")}


def test_a_linked_answer_holds_the_young_person_once(survey, young_user, leader):
    survey.anonymous = False
    survey.save()
    q1 = survey.questions.get(order=1)
    with pytest.raises(PermissionDenied):
        services.survey_respond(survey=survey, actor=None, answers={q1.pk: "3"})
    with pytest.raises(PermissionDenied):
        services.survey_respond(survey=survey, actor=leader, answers={q1.pk: "3"})
    young = Actor.for_young_person(young_user)
    response = services.survey_respond(survey=survey, actor=young, answers={q1.pk: "3"})
    assert response.person_id == young_user.person_id
    with pytest.raises(ValidationError) as exc:
        services.survey_respond(survey=survey, actor=young, answers={q1.pk: "5"})
    assert exc.value.messages == [services.ERROR_ALREADY_ANSWERED]
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({}, services.ERROR_EMPTY),
        ({1: "6"}, services.ERROR_SCALE),
        ({2: "ja"}, services.ERROR_YES_NO),
        ({3: "x" * 1001}, services.ERROR_TEXT_LENGTH.format(limit=1000)),
    ],
)
def test_bad_answers_write_nothing(survey, answers, error):
    by_order = {q.order: q.pk for q in survey.questions.all()}
    raw = {by_order[order]: value for order, value in answers.items()}
    with pytest.raises(ValidationError) as exc:
        services.survey_respond(survey=survey, actor=None, answers=raw)
    assert exc.value.messages == [error]
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_a_closed_survey_takes_no_answers_and_answered_questions_are_frozen(survey, leader):
    q1 = survey.questions.get(order=1)
    services.survey_respond(survey=survey, actor=None, answers={q1.pk: "2"})
    with pytest.raises(ValidationError) as exc:
        services.question_add(actor=leader, survey=survey, text="Ny?", kind="yes_no")
    assert exc.value.messages == [services.ERROR_HAS_RESPONSES]
    services.survey_set_open(actor=leader, survey=survey, is_open=False)
    with pytest.raises(ValidationError) as exc:
        services.survey_respond(survey=survey, actor=None, answers={q1.pk: "2"})
    assert exc.value.messages == [services.ERROR_CLOSED]
