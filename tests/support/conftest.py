"""A school with a pupil, social services and a youth clinic: the smallest world in which
coordinated support happens."""

from __future__ import annotations

import pytest

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    consent_create,
)


@pytest.fixture
def school(db):
    return SchoolUnitFactory(name="Björkskolan")


@pytest.fixture
def social(db):
    return OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)


@pytest.fixture
def clinic(db):
    return OrganisationFactory(name="Ungdomsmottagningen", kind=OrganisationKind.HEALTH_CARE)


@pytest.fixture
def pupil(school):
    person = PersonFactory(given_name="Sara", family_name="Lind")
    EnrolmentFactory(person=person, school_unit=school)
    return person


def actor_in(organisation, role) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=organisation, role=role))


@pytest.fixture
def mentor(school):
    return actor_in(school, Role.MENTOR)


@pytest.fixture
def coach(social):
    return actor_in(social, Role.CASE_WORKER)


@pytest.fixture
def nurse(clinic):
    return actor_in(clinic, Role.CASE_WORKER)


@pytest.fixture
def consent_social(pupil, social):
    return consent_create(person=pupil, organisations=[social], categories=["support"])
