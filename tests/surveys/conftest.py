"""A programme led by a region with a municipality taking part; a survey owned by the
region; project leaders and an evaluator on either side; young people."""

from __future__ import annotations

import pytest

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.surveys.models import Answer, Question, Response, Survey
from tests.events.conftest import leader, municipality, municipality_leader, programme, region  # noqa: F401
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory, UserFactory


@pytest.fixture
def evaluator(municipality) -> Actor:  # noqa: F811
    return Actor.for_membership(MembershipFactory(organisation=municipality, role=Role.EVALUATOR))


@pytest.fixture
def outsider(db) -> Actor:
    return Actor.for_membership(
        MembershipFactory(organisation=OrganisationFactory(), role=Role.PROJECT_LEADER)
    )


@pytest.fixture
def young_user(db):
    return UserFactory(person=PersonFactory())


@pytest.fixture
def survey(region, programme):  # noqa: F811
    survey = Survey.objects.create(
        title="Hur är det här?", organisation=region, programme=programme, is_open=True
    )
    Question.objects.create(survey=survey, text="Trivs du?", kind="scale", order=1)
    Question.objects.create(survey=survey, text="Har du fått hjälp?", kind="yes_no", order=2)
    Question.objects.create(survey=survey, text="Vad saknas?", kind="free_text", order=3)
    return survey


def answer_many(survey, rows):
    """``rows``: one dict per response, question order → value or text."""
    questions = {q.order: q for q in survey.questions.all()}
    for row in rows:
        response = Response.objects.create(survey=survey)
        for order, given in row.items():
            question = questions[order]
            if question.kind == "free_text":
                Answer.objects.create(response=response, question=question, text=given)
            else:
                Answer.objects.create(response=response, question=question, value=given)
