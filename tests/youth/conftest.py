"""A young person with one case at social services: a team with the school, a plan, a
few contacts, and a consent that lets the school take part. A second young person with
a case of their own, to prove that nobody sees another's data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import timezone, translation

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, OrganisationKind, Role
from lotsen.support.models import Case
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    UserFactory,
    consent_create,
)
from tests.youth.factories import (
    CaseFactory,
    ContactFactory,
    GoalFactory,
    PlanActionFactory,
    PlanFactory,
    TeamMemberFactory,
)


@dataclass
class World:
    social: object
    school: object
    clinic: object
    young_user: object
    young: Actor
    person: object
    case: Case
    coach: Actor
    mentor: Actor
    nurse: Actor
    other_case: Case
    other_young: Actor
    consent: object


def _staff(org, role, first, last) -> Actor:
    user = UserFactory(first_name=first, last_name=last)
    return Actor.for_membership(Membership.objects.create(user=user, organisation=org, role=role))


@pytest.fixture
def world(db) -> World:
    social = OrganisationFactory(
        name="Socialtjänsten i Exempelkommun", kind=OrganisationKind.SOCIAL_SERVICES
    )
    school = SchoolUnitFactory(name="Björkskolan")
    clinic = OrganisationFactory(name="Ungdomsmottagningen", kind=OrganisationKind.HEALTH_CARE)
    person = PersonFactory(given_name="Alva", family_name="Ek")
    young_user = UserFactory(username="alva", first_name="Alva", last_name="Ek", person=person)
    coach = _staff(social, Role.CASE_WORKER, "Emma", "Falk")
    mentor = _staff(school, Role.MENTOR, "Per", "Holm")
    nurse = _staff(clinic, Role.CASE_WORKER, "Sara", "Lind")

    case = CaseFactory(person=person, owner=social, opened_by=coach.user)
    TeamMemberFactory(case=case, organisation=social, user=coach.user, role="contact_person")
    TeamMemberFactory(case=case, organisation=school, user=mentor.user, role="member")
    TeamMemberFactory(case=case, organisation=clinic, user=nurse.user, role="member")
    consent = consent_create(person=person, organisations=[school], categories=["support"])
    plan = PlanFactory(case=case, own_goal="Jag vill gå klart nian.", lead_party="social_services")
    GoalFactory(plan=plan, text="Klara matten", status="in_progress")
    GoalFactory(plan=plan, text="Gå till skolan varje dag", status="not_started")
    PlanActionFactory(
        plan=plan,
        text="Läxhjälp på tisdagar",
        responsible_organisation=school,
        responsible_user=mentor.user,
    )
    PlanActionFactory(
        plan=plan,
        text="Möte med Emma varje vecka",
        responsible_organisation=social,
        follow_up_on=timezone.localdate() + dt.timedelta(days=7),
        done_on=timezone.localdate(),
    )
    ContactFactory(case=case, organisation=social, staff=coach.user, channel="meeting")
    ContactFactory(
        case=case,
        organisation=social,
        staff=coach.user,
        channel="sms",
        reached=False,
        date=timezone.localdate() - dt.timedelta(days=9),
    )

    other_person = PersonFactory(given_name="Bo", family_name="Lund")
    other_user = UserFactory(username="bo", person=other_person)
    other_case = CaseFactory(person=other_person, owner=social)
    PlanFactory(case=other_case, own_goal="Bos hemliga mål")

    return World(
        social=social,
        school=school,
        clinic=clinic,
        young_user=young_user,
        young=Actor.for_young_person(young_user),
        person=person,
        case=case,
        coach=coach,
        mentor=mentor,
        nurse=nurse,
        other_case=other_case,
        other_young=Actor.for_young_person(other_user),
        consent=consent,
    )


@pytest.fixture
def young_client(client, world):
    client.force_login(world.young_user)
    return client


@pytest.fixture(autouse=True)
def _language_back_to_swedish():
    # A page fetched in English leaves English active in this thread; later tests, here
    # and in other apps, expect the default.
    yield
    translation.activate(settings.LANGUAGE_CODE)
