"""A school with one mentor and pupils whose data the rules can score."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.accounts.models import OrganisationKind, Role
from tests.factories import (
    AttendancePeriodFactory,
    EnrolmentFactory,
    GradeFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
)

TODAY = dt.date(2026, 2, 15)
SIXTEEN = (
    "SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI",
    "RE", "SH", "TK", "BL", "HKK", "IDH", "MU", "SL",
)  # fmt: skip


def weeks_of_absence(person, *, invalid=(0, 0, 0, 0), valid=(0, 0, 0, 0), end=TODAY, unit=None):
    """Four weeks of 1 000 minutes each, ending on ``end``, oldest first."""
    for index, (bad, good) in enumerate(zip(invalid, valid, strict=True)):
        week_end = end - dt.timedelta(days=7 * (3 - index))
        AttendancePeriodFactory(
            person=person,
            school_unit=unit,
            end_date=week_end,
            invalid_absence_minutes=bad,
            valid_absence_minutes=good,
        )


def term_grades(person, grades: dict[str, str], *, semester="HT", year=2025, registered_on=None):
    for subject, value in grades.items():
        GradeFactory(
            person=person,
            subject_code=subject,
            value=value,
            semester=semester,
            year=year,
            registered_on=registered_on or dt.date(2026, 1, 9),
        )


def uniform(grade: str, **changes: str) -> dict[str, str]:
    return {**{subject: grade for subject in SIXTEEN}, **changes}


@pytest.fixture
def organiser(db):
    return OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER, name="Skolförvaltningen")


@pytest.fixture
def school(organiser):
    return SchoolUnitFactory(name="Björkskolan", parent=organiser)


@pytest.fixture
def mentor(school):
    return MembershipFactory(organisation=school, role=Role.MENTOR)


@pytest.fixture
def mentor_actor(mentor):
    from lotsen.accounts.actor import Actor

    return Actor.for_membership(mentor)


def enrol(school, *, person=None, school_type="GR", school_year=9, **kwargs):
    person = person or PersonFactory()
    EnrolmentFactory(
        person=person,
        school_unit=school,
        school_type=school_type,
        school_year=school_year,
        start_date=kwargs.pop("start_date", dt.date(2024, 8, 15)),
        **kwargs,
    )
    return person


@pytest.fixture
def pupil(school):
    """A year-9 pupil with 7 % invalid absence and an F in maths."""
    person = enrol(school, person=PersonFactory(given_name="Elin", family_name="Ek"))
    weeks_of_absence(person, invalid=(0, 0, 0, 280))
    term_grades(person, uniform("C", MA="F"))
    return person
