"""A small world with something for each inbox: a school with pupils carrying signals, a
municipality with young people of unknown status, and the staff who work with them."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.kaa.models import CohortMembership, Notice
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    SignalFactory,
)

CODE = "2480"


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def world(db):
    municipality = MunicipalityFactory(municipality_code=CODE)
    school = SchoolUnitFactory(name="Björkskolan", municipality_code=CODE)
    other_school = SchoolUnitFactory(name="Granskolan", municipality_code=CODE)
    members = {
        name: MembershipFactory(organisation=organisation, role=role)
        for name, role, organisation in [
            ("mentor", Role.MENTOR, school),
            ("colleague", Role.MENTOR, school),
            ("health", Role.STUDENT_HEALTH, school),
            ("kaa", Role.KAA_COORDINATOR, municipality),
            ("kaa2", Role.KAA_COORDINATOR, municipality),
            ("admin", Role.ORGANISATION_ADMIN, school),
        ]
    }
    actors = {name: Actor.for_membership(m) for name, m in members.items()}
    region = OrganisationFactory(name="Regionen", kind=OrganisationKind.REGION)
    return SimpleNamespace(
        municipality=municipality,
        school=school,
        other_school=other_school,
        region=region,
        members=members,
        actors=actors,
    )


def pupil(world, *, school=None, year: int = 9, days_ago: int = 0, **person):
    """A pupil at ``school`` with an open signal raised ``days_ago`` (one signal per pupil
    and school: the rules that hold are its reasons)."""
    school = school or world.school
    person = PersonFactory(home_municipality_code=CODE, **person)
    EnrolmentFactory(person=person, school_unit=school, school_year=year)
    SignalFactory(
        person=person, school_unit=school, raised_on=today() - dt.timedelta(days=days_ago)
    )
    return person


def unknown_status(world, *, days_ago: int = 10, **person):
    """A young person in the municipality's KAA register with no contact yet."""
    person = PersonFactory(home_municipality_code=CODE, **person)
    CohortMembership.objects.create(
        person=person,
        municipality_code=CODE,
        entered_on=today() - dt.timedelta(days=days_ago),
        reason="never_started",
    )
    return person


def notice(world, person, *, kind: str = "absence"):
    """A school's notice to the municipality naming ``person``."""
    return Notice.objects.create(
        kind=kind,
        personal_identity_number=person.personal_identity_number,
        person=person,
        municipality_code=CODE,
        event_date=today(),
        sender_organisation=world.school,
        sender_organisation_name=world.school.name,
        receipt=f"R{person.pk:08d}{Notice.objects.count():04d}",
    )
