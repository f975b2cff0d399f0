"""Query counts of the follow-up pages (programmes, sub-projects, participants, finance,
events, surveys, "what works"), pinned and flat in the number of rows.

A region leads a programme; its project leader and evaluator look at it. ``grow`` adds n
more programmes, sub-projects with budget lines, funding and costs, participants with
methods and WHO-5 check-ins, events with registrations, surveys with responses, and
methods.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.finance.models import ActualCost, BudgetLine, FundingSource
from lotsen.programmes.models import Programme, SubProject
from lotsen.support.models import Method, WellbeingCheckin
from lotsen.surveys.models import Answer, Question, Response, Survey
from tests.events.conftest import make_event, register
from tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory
from tests.programmes.conftest import participant
from tests.queries.pinning import assert_flat_and_pinned

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def world(db):
    region = OrganisationFactory(name="Region Nord", kind=OrganisationKind.REGION)
    town = MunicipalityFactory(name="Kommun A", parent=region)
    programme = Programme.objects.create(
        name="Programmet",
        framework="esfplus",
        start=dt.date(2024, 1, 1),
        end=TODAY() + dt.timedelta(days=400),
        lead_organisation=region,
    )
    subproject = SubProject.objects.create(
        programme=programme,
        name="Delprojekt A",
        lead_organisation=town,
        start=programme.start,
        end=programme.end,
    )
    survey = Survey.objects.create(
        title="Hur är det här?", organisation=region, programme=programme, is_open=True
    )
    Question.objects.create(survey=survey, text="Trivs du?", kind="scale", order=1)
    Question.objects.create(survey=survey, text="Vad saknas?", kind="free_text", order=2)
    method = Method.objects.create(name="Motiverande samtal")
    return SimpleNamespace(
        region=region,
        town=town,
        programme=programme,
        subproject=subproject,
        survey=survey,
        method=method,
        leader=MembershipFactory(organisation=region, role=Role.PROJECT_LEADER),
        evaluator=MembershipFactory(organisation=region, role=Role.EVALUATOR),
    )


def grow(world, n: int) -> None:
    today = TODAY()
    for _ in range(n):
        other = Programme.objects.create(
            name=f"Program {Programme.objects.count() + 1}",
            framework="esf",
            start=dt.date(2024, 1, 1),
            end=today + dt.timedelta(days=200),
            lead_organisation=world.region,
        )
        SubProject.objects.create(
            programme=other,
            name="Delprojekt",
            lead_organisation=world.town,
            start=other.start,
            end=other.end,
        )
        town = MunicipalityFactory(parent=world.region)
        sub = SubProject.objects.create(
            programme=world.programme,
            name=f"Delprojekt {SubProject.objects.count() + 1}",
            lead_organisation=town,
            start=world.programme.start,
            end=world.programme.end,
        )
        sub.organisations.add(world.town)
        for subproject in (sub, world.subproject):
            BudgetLine.objects.create(subproject=subproject, category="staff", amount=100)
            FundingSource.objects.create(
                subproject=subproject, kind="cofinancing_cash", amount=50, organisation=town
            )
            ActualCost.objects.create(
                subproject=subproject, date=dt.date(2024, 3, 1), category="travel", amount=10
            )

        method = Method.objects.create(name=f"Metod {Method.objects.count() + 1}")
        for subproject in (sub, world.subproject):
            record = participant(
                subproject,
                entry_date=today - dt.timedelta(days=300),
                exit_date=today - dt.timedelta(days=30),
                exit_status="employed",
            )
            record.methods.set([method, world.method])
            for days_ago, score in ((250, 40), (40, 64)):
                WellbeingCheckin.objects.create(
                    person=record.person,
                    answered_at=timezone.now() - dt.timedelta(days=days_ago),
                    item1=0, item2=0, item3=0, item4=0, item5=0,
                    score=score,
                )  # fmt: skip

        for days in (-30, 30):
            event = make_event(world.region, days=days, programme=world.programme)
            register(event, "Kim Berg", organisation=town, attended=days < 0)
            register(event, "Ali Ek", organisation_name="Skolan", attended=days < 0)

        other_survey = Survey.objects.create(
            title="Enkät", organisation=world.region, programme=world.programme
        )
        for survey in (other_survey, world.survey):
            for question in survey.questions.all():
                response = Response.objects.create(survey=survey)
                Answer.objects.create(response=response, question=question, value=4, text="Mer tid")


PAGES = [
    # (name, url, role, pinned on SQLite, names persons). Each count includes the header's
    # unread-notification count, one query, since notification kinds reach both roles (an
    # import that failed; for project leaders also a participant's follow-up falling due).
    ("programme list", lambda w: reverse("programmes:list"), Role.PROJECT_LEADER, 5, False),
    ("programme list", lambda w: reverse("programmes:list"), Role.EVALUATOR, 5, False),
    (
        "programme page",
        lambda w: reverse("programmes:programme", args=[w.programme.pk]),
        Role.PROJECT_LEADER,
        16,
        False,
    ),
    (
        "sub-project page",
        lambda w: reverse("programmes:subproject", args=[w.subproject.pk]),
        Role.PROJECT_LEADER,
        13,
        False,
    ),
    (
        "participants",
        lambda w: reverse("programmes:participants", args=[w.subproject.pk]),
        Role.PROJECT_LEADER,
        16,
        True,
    ),
    ("finance list", lambda w: reverse("finance:programme_list"), Role.PROJECT_LEADER, 5, False),
    (
        "finance programme",
        lambda w: reverse("finance:programme", args=[w.programme.pk]),
        Role.PROJECT_LEADER,
        15,
        False,
    ),
    (
        "finance sub-project",
        lambda w: reverse("finance:subproject", args=[w.subproject.pk]),
        Role.PROJECT_LEADER,
        14,
        False,
    ),
    ("events", lambda w: reverse("events:list"), Role.PROJECT_LEADER, 5, False),
    ("training hours", lambda w: reverse("events:training_hours"), Role.PROJECT_LEADER, 7, False),
    ("surveys", lambda w: reverse("surveys:list"), Role.PROJECT_LEADER, 5, False),
    (
        "survey results",
        lambda w: reverse("surveys:results", args=[w.survey.pk]),
        Role.PROJECT_LEADER,
        10,
        False,
    ),
    ("what works", lambda w: reverse("insights:methods"), Role.PROJECT_LEADER, 10, False),
    ("what works", lambda w: reverse("insights:methods"), Role.EVALUATOR, 10, False),
    (
        "method",
        lambda w: reverse("insights:method_detail", args=[w.method.pk]),
        Role.EVALUATOR,
        10,
        False,
    ),
]


@pytest.mark.parametrize(
    ("url", "role", "pinned", "names_persons"),
    [page[1:] for page in PAGES],
    ids=[f"{page[0]}-{page[2]}" for page in PAGES],
)
def test_follow_up_page_queries_do_not_grow_with_rows(
    client, world, url, role, pinned, names_persons
):
    member = world.leader if role == Role.PROJECT_LEADER else world.evaluator
    client.force_login(member.user)
    assert_flat_and_pinned(
        client,
        url(world),
        grow=lambda n: grow(world, n),
        pinned=pinned,
        names_persons=names_persons,
    )


def test_public_event_list_does_not_grow_with_rows(client, world):
    assert_flat_and_pinned(
        client, reverse("events:public_list"), grow=lambda n: grow(world, n), pinned=1,
        names_persons=False,
    )  # fmt: skip
