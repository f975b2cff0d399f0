"""Participants in a programme led by a region, with methods, interventions and WHO-5
check-ins, for the "what works" reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.programmes.models import Participation
from lotsen.support.models import Case, Intervention, Method, WellbeingCheckin
from tests.events.conftest import leader, municipality, municipality_leader, programme, region  # noqa: F401
from tests.factories import MembershipFactory, OrganisationFactory, PersonFactory

START = dt.date(2025, 1, 10)


@pytest.fixture
def evaluator(region) -> Actor:  # noqa: F811
    return Actor.for_membership(MembershipFactory(organisation=region, role=Role.EVALUATOR))


@pytest.fixture
def stranger(db) -> Actor:
    return Actor.for_membership(
        MembershipFactory(organisation=OrganisationFactory(), role=Role.PROJECT_LEADER)
    )


@pytest.fixture
def methods(db):
    return {
        name: Method.objects.create(name=name, evidence_note=f"Om {name}")
        for name in ("Motiverande samtal", "Arbetsträning", "Navigator-coachning")
    }


def participant(
    subproject,
    *,
    methods=(),
    exit_status="",
    followup="",
    who5=(),
    person=None,
    entry=START,
    exit_date=None,
):
    person = person or PersonFactory()
    participation = Participation.objects.create(
        person=person,
        subproject=subproject,
        gender="woman",
        entry_date=entry,
        entry_status="unemployed",
        exit_date=exit_date or (entry + dt.timedelta(days=200) if exit_status else None),
        exit_status=exit_status,
        followup_6m_status=followup,
    )
    participation.methods.set(methods)
    for n, score in enumerate(who5):
        WellbeingCheckin.objects.create(
            person=person,
            answered_at=timezone.now() - dt.timedelta(days=100 - n * 10),
            item1=0,
            item2=0,
            item3=0,
            item4=0,
            item5=0,
            score=score,
        )
    return participation


def intervention(person, method, provider):
    case = Case.objects.create(person=person, owner=provider, origin="referral", opened_on=START)
    return Intervention.objects.create(case=case, method=method, provider=provider, start=START)
