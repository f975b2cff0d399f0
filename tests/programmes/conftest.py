"""A programme led by a region with two sub-projects in two municipalities of the region,
and one in another region's municipality; project leaders in each, an evaluator, and a
project leader of an organisation outside the programme."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.programmes.models import Participation, Programme, SubProject, SubProjectGoal
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    fresh_identity_number,
)

D = dt.date


@pytest.fixture
def orgs(db):
    region = OrganisationFactory(name="Region Nord", kind=OrganisationKind.REGION)
    other_region = OrganisationFactory(name="Region Syd", kind=OrganisationKind.REGION)
    north_a = MunicipalityFactory(name="Kommun A", parent=region)
    north_b = MunicipalityFactory(name="Kommun B", parent=region)
    south = MunicipalityFactory(name="Kommun S", parent=other_region)
    outsider = MunicipalityFactory(name="Kommun Utanför")
    return {
        "region": region,
        "other_region": other_region,
        "a": north_a,
        "b": north_b,
        "south": south,
        "outsider": outsider,
    }


@pytest.fixture
def programme(orgs):
    programme = Programme.objects.create(
        name="Programmet",
        framework="esfplus",
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
        lead_organisation=orgs["region"],
    )
    return programme


@pytest.fixture
def subprojects(programme, orgs):
    a = SubProject.objects.create(
        programme=programme,
        name="Delprojekt A",
        lead_organisation=orgs["a"],
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
    )
    a.organisations.set([orgs["b"]])
    b = SubProject.objects.create(
        programme=programme,
        name="Delprojekt B",
        lead_organisation=orgs["b"],
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
    )
    south = SubProject.objects.create(
        programme=programme,
        name="Delprojekt Syd",
        lead_organisation=orgs["south"],
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
    )
    SubProjectGoal.objects.create(
        subproject=a, description="Deltagare", indicator="total_participants", target_value=20
    )
    return {"a": a, "b": b, "south": south}


def leader(org) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=org, role=Role.PROJECT_LEADER))


@pytest.fixture
def region_leader(orgs) -> Actor:
    return leader(orgs["region"])


@pytest.fixture
def leader_a(orgs) -> Actor:
    return leader(orgs["a"])


@pytest.fixture
def leader_south(orgs) -> Actor:
    return leader(orgs["south"])


@pytest.fixture
def outsider_leader(orgs) -> Actor:
    return leader(orgs["outsider"])


@pytest.fixture
def evaluator(orgs) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=orgs["region"], role=Role.EVALUATOR))


BORN = D(2005, 4, 1)


def participant(subproject, *, born=BORN, gender="woman", **fields) -> Participation:
    person = PersonFactory(
        personal_identity_number=fresh_identity_number(born),
        date_of_birth=born,
        gender={"woman": "woman", "man": "man", "nonbinary": "other"}[gender],
    )
    values = {
        "entry_date": D(2025, 2, 1),
        "entry_status": "unemployed",
        "education_level": "isced_3_4",
        "disability": "no",
        "foreign_background": "no",
        **fields,
    }
    # The project's name for the participant is the person's, as the data migration left
    # every participation that existed before participations kept their own.
    return Participation.objects.create(
        person=person,
        subproject=subproject,
        gender=gender,
        given_name=person.given_name,
        family_name=person.family_name,
        **values,
    )
