"""A municipality with a KAA coordinator, a school, and young people built from the
facts the cohort rules read: registration, enrolments and qualifications.

Dates are relative to today, so that what is "recent" stays recent whenever the suite
runs; the pure rules are tested on fixed dates in test_cohort.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.kaa.models import ResidencePeriod
from lotsen.kaa.services import kaa_cohort_refresh
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    PersonFactory,
    SchoolUnitFactory,
    fresh_identity_number,
)

M = "2480"
OTHER = "2481"


def today() -> dt.date:
    return timezone.localdate()


def years_ago(years: int, days: int = 0) -> dt.date:
    day = today()
    try:
        day = day.replace(year=day.year - years)
    except ValueError:
        day = day.replace(year=day.year - years, day=28)
    return day - dt.timedelta(days=days)


def young(
    school=None,
    *,
    age: int = 17,
    born: dt.date | None = None,
    municipality: str = M,
    left_compulsory_days_ago: int | None = 200,
    upper_secondary: tuple[int, int | None, str] | None = None,
    gy_end_reason: str = "Avbrott",
    residences: list[tuple[str, dt.date | None, dt.date | None]] | None = None,
    **person_fields,
):
    """A young person registered in ``municipality``. By default: left year 9
    ``left_compulsory_days_ago`` days ago and never started upper-secondary school.
    ``upper_secondary`` is (start days ago, end days ago or None, programme)."""
    born = born or years_ago(age, days=100)
    number = fresh_identity_number(born)
    born = dt.date(int(number[:4]), int(number[4:6]), int(number[6:8]))
    person = PersonFactory(
        personal_identity_number=number,
        date_of_birth=born,
        home_municipality_code=municipality,
        **person_fields,
    )
    for code, moved_in, moved_out in residences or [(municipality, born, None)]:
        ResidencePeriod.objects.create(
            person=person, municipality_code=code, moved_in=moved_in, moved_out=moved_out
        )
    school = school or SchoolUnitFactory()
    if left_compulsory_days_ago is not None:
        end = today() - dt.timedelta(days=left_compulsory_days_ago)
        EnrolmentFactory(
            person=person,
            school_unit=school,
            school_type="GR",
            school_year=9,
            start_date=end - dt.timedelta(days=1000),
            end_date=end,
            end_reason="Avslutat årskurs 9",
        )
    if upper_secondary is not None:
        start, end, programme = upper_secondary
        EnrolmentFactory(
            person=person,
            school_unit=school,
            school_type="GY",
            school_year=1,
            programme=programme,
            start_date=today() - dt.timedelta(days=start),
            end_date=None if end is None else today() - dt.timedelta(days=end),
            end_reason="" if end is None else gy_end_reason,
        )
    return person


def refresh(code: str = M):
    return kaa_cohort_refresh(municipality_code=code, today=today())


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(municipality_code=M, name="Kommunen")


@pytest.fixture
def other_municipality(db):
    return MunicipalityFactory(municipality_code=OTHER, name="Grannkommunen")


@pytest.fixture
def coordinator(municipality) -> Actor:
    return Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    )


@pytest.fixture
def other_coordinator(other_municipality) -> Actor:
    return Actor.for_membership(
        MembershipFactory(organisation=other_municipality, role=Role.KAA_COORDINATOR)
    )


@pytest.fixture
def school(db):
    return SchoolUnitFactory(name="Gymnasiet", municipality_code=M)


@pytest.fixture
def counsellor(school) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=school, role=Role.COUNSELLOR))
