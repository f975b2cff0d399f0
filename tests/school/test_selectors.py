"""School's own read for the person page: its rows, through the policy for the SCHOOL
category, as known on the day asked about; the composite that shows them (web.person_page)
logs the read, so this read writes no log of its own."""

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.privacy.models import AccessLogEntry, Purpose
from lotsen.school.selectors import ATTENDANCE_PERIODS_SHOWN, school_records_for_person
from tests.factories import (
    AttendancePeriodFactory,
    EnrolmentFactory,
    GradeFactory,
    MembershipFactory,
    MunicipalityFactory,
    PersonFactory,
    SchoolUnitFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db

# The consents the factories record are given ten days before the real today.
TODAY = timezone.localdate()


def actor_at(organisation, role) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=organisation, role=role))


@pytest.fixture
def school():
    return SchoolUnitFactory()


@pytest.fixture
def pupil(school):
    person = PersonFactory(home_municipality_code="0180")
    EnrolmentFactory(person=person, school_unit=school, start_date=dt.date(2023, 8, 15))
    return person


def test_the_schools_mentor_gets_the_rows_known_on_the_day_and_nothing_is_logged(school, pupil):
    older = EnrolmentFactory(person=pupil, start_date=dt.date(2020, 8, 15),
                             end_date=dt.date(2023, 6, 10))  # fmt: skip
    known = GradeFactory(person=pupil, registered_on=TODAY - dt.timedelta(days=1))
    GradeFactory(person=pupil, subject_code="EN", registered_on=TODAY + dt.timedelta(days=1))
    for weeks_ago in range(ATTENDANCE_PERIODS_SHOWN + 2):
        AttendancePeriodFactory(person=pupil, end_date=TODAY - dt.timedelta(days=7 * weeks_ago))
    AttendancePeriodFactory(person=pupil, end_date=TODAY + dt.timedelta(days=7))

    records = school_records_for_person(
        actor=actor_at(school, Role.MENTOR), person=pupil, purpose=Purpose.SCHOOL, today=TODAY
    )
    assert records
    assert records.enrolments[1:] == [older] and records.enrolments[0].school_unit == school
    assert records.grades == [known]
    ends = [period.end_date for period in records.attendance]
    assert ends == [TODAY - dt.timedelta(days=7 * weeks) for weeks in range(20)]
    assert not AccessLogEntry.objects.exists()


def test_a_basis_that_does_not_cover_school_data_gets_nothing(pupil):
    municipality = MunicipalityFactory(municipality_code="0180")
    kaa = actor_at(municipality, Role.KAA_COORDINATOR)
    read = {"actor": kaa, "person": pupil, "purpose": Purpose.KAA, "today": TODAY}
    assert school_records_for_person(**read) is None
    # The young person's consent naming school data opens it for the coordinator.
    consent_create(person=pupil, organisations=[municipality], categories=["school"])
    records = school_records_for_person(**read)
    assert records is not None and len(records.enrolments) == 1


def test_another_schools_mentor_gets_nothing(pupil):
    other = actor_at(SchoolUnitFactory(), Role.MENTOR)
    records = school_records_for_person(
        actor=other, person=pupil, purpose=Purpose.SCHOOL, today=TODAY
    )
    assert records is None


def test_a_person_without_school_rows_has_records_that_are_empty():
    # The coordinator reaches a young person of the home municipality who never attended a
    # school here; the consent covers school data, but there is none to show.
    municipality = MunicipalityFactory(municipality_code="0180")
    kaa = actor_at(municipality, Role.KAA_COORDINATOR)
    person = PersonFactory(home_municipality_code="0180")
    consent_create(person=person, organisations=[municipality], categories=["school"])
    records = school_records_for_person(actor=kaa, person=person, purpose=Purpose.KAA, today=TODAY)
    assert records is not None and not records
