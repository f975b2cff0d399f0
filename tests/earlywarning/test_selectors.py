"""Signal and school-data reads: only through the policy for the SCHOOL category, only
the actor's own school, one access-log entry per person returned, 404 for missing and
foreign alike, and a pinned number of queries for the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.earlywarning.models import SignalReason, SignalStatus
from lotsen.earlywarning.selectors import (
    signal_get_for,
    signal_list_for,
    signal_school_years_for,
)
from lotsen.earlywarning.services import signals_compute
from lotsen.privacy.models import AccessLogEntry, EmergencyAccess
from lotsen.web.person_page import school_overview_for_person
from tests.earlywarning.conftest import TODAY, enrol, term_grades, uniform, weeks_of_absence
from tests.factories import (
    GradeFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    SchoolUnitFactory,
    SignalFactory,
    UserFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db


def actor_at(organisation, role) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=organisation, role=role))


def entries(object_type: str):
    return AccessLogEntry.objects.filter(object_type=object_type)


@pytest.fixture
def today():
    return timezone.localdate()


# --- The list ---------------------------------------------------------------------------


def test_the_list_shows_own_pupils_with_open_signals_and_logs_each_once(
    school, mentor_actor, today
):
    pupil = enrol(school)
    # One signal per pupil: two rules that fire together are two reasons of it.
    signal = SignalFactory(person=pupil, school_unit=school, rule_id="absence_invalid")
    for rule_id in ("absence_invalid", "absence_total"):
        SignalReason.objects.create(signal=signal, rule_id=rule_id, reason=rule_id, raised_on=today)
    SignalFactory(person=enrol(school), school_unit=school, status=SignalStatus.CLOSED)
    rows = signal_list_for(actor=mentor_actor, today=today)
    assert [r.person for r in rows] == [pupil]
    assert [s.pk for s in rows[0].signals] == [signal.pk]
    assert {r.rule_id for r in rows[0].signals[0].reason_list} == {
        "absence_invalid",
        "absence_total",
    }
    assert rows[0].school_year == 9
    logged = entries("signal_list")
    assert list(logged.values_list("person_id", "action", "purpose")) == [
        (pupil.pk, "view", "school")
    ]


def test_a_pupil_of_another_school_never_appears(school, mentor_actor, today):
    other_school = SchoolUnitFactory()
    foreign = enrol(other_school)
    SignalFactory(person=foreign, school_unit=other_school)
    # Even a signal filed under this school is not shown for a pupil who is not enrolled
    # here: the policy decides who the school may see.
    SignalFactory(person=foreign, school_unit=school)
    assert signal_list_for(actor=mentor_actor, today=today) == []
    assert not entries("signal_list").exists()


def test_a_former_pupil_leaves_the_list(school, mentor_actor, today):
    former = enrol(school, end_date=today - dt.timedelta(days=1))
    SignalFactory(person=former, school_unit=school)
    assert signal_list_for(actor=mentor_actor, today=today) == []


@pytest.mark.parametrize(
    "role", [Role.KAA_COORDINATOR, Role.CASE_WORKER, Role.ORGANISATION_ADMIN, Role.EVALUATOR]
)
def test_roles_outside_the_school_see_no_signals(school, role, today):
    pupil = enrol(school)
    SignalFactory(person=pupil, school_unit=school)
    organisation = MunicipalityFactory(municipality_code=pupil.home_municipality_code)
    if role == Role.ORGANISATION_ADMIN:
        organisation = school
    actor = actor_at(organisation, role)
    assert signal_list_for(actor=actor, today=today) == []
    assert signal_school_years_for(actor=actor, today=today) == []


def test_student_health_at_the_organiser_sees_all_its_schools(school, organiser, today):
    second = SchoolUnitFactory(parent=organiser)
    a, b = enrol(school), enrol(second, school_year=8)
    SignalFactory(person=a, school_unit=school)
    SignalFactory(person=b, school_unit=second)
    SignalFactory(person=enrol(SchoolUnitFactory()), school_unit=SchoolUnitFactory())
    actor = actor_at(organiser, Role.STUDENT_HEALTH)
    assert {r.person for r in signal_list_for(actor=actor, today=today)} == {a, b}
    assert signal_school_years_for(actor=actor, today=today) == [8, 9]


def test_signals_waiting_for_action_come_first_oldest_first(school, mentor_actor, today):
    fresh = enrol(school)
    SignalFactory(person=fresh, school_unit=school, due_on=today + dt.timedelta(days=3))
    late = enrol(school)
    SignalFactory(person=late, school_unit=school, due_on=today - dt.timedelta(days=2))
    later = enrol(school)
    SignalFactory(person=later, school_unit=school, due_on=today - dt.timedelta(days=9))
    done = enrol(school)
    SignalFactory(
        person=done,
        school_unit=school,
        due_on=today - dt.timedelta(days=20),
        status=SignalStatus.ACTION_RECORDED,
    )
    rows = signal_list_for(actor=mentor_actor, today=today)
    assert [(r.person, r.waiting) for r in rows[:2]] == [(later, True), (late, True)]
    assert {r.person for r in rows[2:]} == {fresh, done}
    assert not any(r.waiting for r in rows[2:])
    overdue = signal_list_for(actor=mentor_actor, today=today, overdue_only=True)
    assert [r.person for r in overdue] == [later, late]


def test_filter_by_school_year(school, mentor_actor, today):
    nine, eight = enrol(school, school_year=9), enrol(school, school_year=8)
    SignalFactory(person=nine, school_unit=school)
    SignalFactory(person=eight, school_unit=school)
    rows = signal_list_for(actor=mentor_actor, today=today, school_year=8)
    assert [r.person for r in rows] == [eight]
    assert signal_school_years_for(actor=mentor_actor, today=today) == [8, 9]


def test_the_list_names_what_eligibility_lacks(school, mentor_actor, today):
    pupil = enrol(school)
    term_grades(pupil, uniform("C", MA="F"), registered_on=today - dt.timedelta(days=30))
    SignalFactory(person=pupil, school_unit=school)
    (row,) = signal_list_for(actor=mentor_actor, today=today)
    assert row.eligibility_gap.startswith("Yrkesprogram (HT 2025): behöver godkänt i matematik")


def test_the_list_takes_a_fixed_number_of_queries(
    school, mentor_actor, today, django_assert_max_num_queries
):
    def listing(pupils: int) -> int:
        for _ in range(pupils):
            pupil = enrol(school)
            term_grades(pupil, uniform("C", MA="F"), registered_on=today - dt.timedelta(days=30))
            signal = SignalFactory(person=pupil, school_unit=school, assigned_to=mentor_actor.user)
            for rule_id in ("absence_invalid", "absence_total"):
                SignalReason.objects.create(
                    signal=signal, rule_id=rule_id, reason=rule_id, raised_on=today
                )
        with CaptureQueriesContext(connection) as queries:
            signal_list_for(actor=mentor_actor, today=today)
        return len(queries)

    assert listing(2) == listing(6)
    # Signals with persons and assignees, their reasons, current enrolments, grades, the
    # log (its hash chain's head, on PostgreSQL its lock, the insert), and the savepoint
    # around them.
    with django_assert_max_num_queries(9):
        rows = signal_list_for(actor=mentor_actor, today=today)
    assert len(rows) == 8


# --- One signal -------------------------------------------------------------------------


def test_get_a_signal_with_its_history_and_log_the_read(school, mentor_actor, pupil, mentor):
    signals_compute(today=TODAY)
    signal = pupil.signals.get(reasons__rule_id="absence_invalid")
    found = signal_get_for(actor=mentor_actor, signal_id=str(signal.pk))
    assert found == signal
    assert [e.kind for e in found.events.all()] == ["raised", "assigned"]
    assert list(entries("signal").values_list("person_id", "object_id")) == [
        (pupil.pk, str(signal.pk))
    ]


def test_missing_and_foreign_signals_are_the_same_404(school, mentor_actor):
    other_school = SchoolUnitFactory()
    foreign = SignalFactory(person=enrol(other_school), school_unit=other_school)
    for signal_id in (foreign.pk, foreign.pk + 1000, "abc", None):
        with pytest.raises(Http404):
            signal_get_for(actor=mentor_actor, signal_id=signal_id)
    assert not AccessLogEntry.objects.exists()


def test_a_closed_signal_can_still_be_read(school, mentor_actor):
    signal = SignalFactory(person=enrol(school), school_unit=school, status=SignalStatus.CLOSED)
    assert signal_get_for(actor=mentor_actor, signal_id=signal.pk) == signal


# --- The school overview ----------------------------------------------------------------


@pytest.fixture
def graded_pupil(school, today):
    """Final grades in three finished subjects, two terms of grades, four weeks of
    attendance, and the signals they raise."""
    person = enrol(school)
    spring = dict(semester="VT", year=2025, registered_on=today - dt.timedelta(days=200))
    autumn = dict(semester="HT", year=2025, registered_on=today - dt.timedelta(days=20))
    finished = ("HKK", "BL", "SL")
    term_grades(person, without(uniform("B"), finished), **spring)
    term_grades(person, without(uniform("C", MA="F"), finished), **autumn)
    for subject in finished:
        GradeFactory(person=person, subject_code=subject, value="A", kind="final",
                     registered_on=today - dt.timedelta(days=300))  # fmt: skip
    weeks_of_absence(person, invalid=(0, 100, 0, 280), valid=(50, 0, 0, 0), end=today)
    return person


def without(grades: dict[str, str], subjects: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in grades.items() if k not in subjects}


def test_the_school_overview_for_the_schools_mentor(graded_pupil, mentor, mentor_actor, today):
    signals_compute(today=today)
    overview = school_overview_for_person(actor=mentor_actor, person=graded_pupil)
    assert overview.latest_term == "HT 2025" and overview.previous_term == "VT 2025"
    rows = {row.subject_code: row for row in overview.grade_rows}
    assert (rows["MA"].latest_term, rows["MA"].previous_term, rows["MA"].final) == ("F", "B", "")
    assert (rows["HKK"].latest_term, rows["HKK"].final) == ("", "A")
    # Final: three A = 60. Projected: 12 subjects at C (180), F in maths, and the three
    # finished subjects at A (60) = 240.
    assert overview.final.merit_value == 60
    assert overview.projected.merit_value == 240
    vocational = next(r for r in overview.eligibility if r.programme == "yrkesprogram")
    assert vocational.projected.eligible is False
    assert vocational.projected.missing.items() == ["matematik"]
    assert [round(a.absence_percent, 1) for a in overview.attendance] == [5, 10, 0, 28]
    (signal,) = overview.signals
    assert {r.rule_id for r in signal.reason_list} >= {"absence_invalid", "projected_not_eligible"}
    assert list(entries("school_overview").values_list("person_id", "action", "purpose")) == [
        (graded_pupil.pk, "view", "school")
    ]


def test_a_kaa_coordinator_sees_no_grades_without_a_consent(graded_pupil, school, today):
    municipality = MunicipalityFactory(municipality_code=graded_pupil.home_municipality_code)
    kaa = actor_at(municipality, Role.KAA_COORDINATOR)
    assert school_overview_for_person(actor=kaa, person=graded_pupil) is None
    assert not AccessLogEntry.objects.exists()
    # With the young person's consent naming school data, the coordinator may see it; the
    # school's signals stay with the school.
    consent_create(person=graded_pupil, organisations=[municipality], categories=["school"])
    signals_compute(today=today)
    overview = school_overview_for_person(actor=kaa, person=graded_pupil)
    assert overview.grade_rows and overview.signals == []
    assert entries("school_overview").count() == 1


def test_a_consent_for_other_data_does_not_open_school_data(graded_pupil):
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    consent_create(person=graded_pupil, organisations=[social], categories=["support"])
    coach = actor_at(social, Role.CASE_WORKER)
    assert school_overview_for_person(actor=coach, person=graded_pupil) is None


def test_a_mentor_at_another_school_sees_nothing(graded_pupil):
    other = actor_at(SchoolUnitFactory(), Role.MENTOR)
    assert school_overview_for_person(actor=other, person=graded_pupil) is None


def test_the_young_person_sees_their_own_school_data_but_not_staff_signals(
    graded_pupil, mentor, today
):
    signals_compute(today=today)
    me = Actor.for_young_person(UserFactory(person=graded_pupil))
    overview = school_overview_for_person(actor=me, person=graded_pupil)
    assert overview.grade_rows and overview.signals == []


def test_emergency_access_reaches_school_data_and_is_logged_as_such(graded_pupil):
    other_school = SchoolUnitFactory()
    nurse = actor_at(other_school, Role.STUDENT_HEALTH)
    assert school_overview_for_person(actor=nurse, person=graded_pupil) is None
    EmergencyAccess.objects.create(
        actor_user=nurse.user,
        organisation=other_school,
        person=graded_pupil,
        reason="Den unga är i akut kris och behöver hjälp nu.",
        expires_at=timezone.now() + dt.timedelta(minutes=30),
    )
    overview = school_overview_for_person(actor=nurse, person=graded_pupil, purpose="emergency")
    assert overview is not None and overview.signals == []
    assert list(entries("school_overview").values_list("action", "purpose")) == [
        ("emergency", "emergency")
    ]


def test_a_person_without_school_data_has_no_school_section_and_no_log(school, mentor_actor):
    pupil = enrol(school)
    pupil.enrolments.all().delete()
    assert school_overview_for_person(actor=mentor_actor, person=pupil) is None


def test_upper_secondary_courses_in_the_overview(today):
    gymnasium = SchoolUnitFactory()
    person = enrol(gymnasium, school_type="GY", school_year=2)
    GradeFactory(person=person, subject_code="MAT", course_code="MATMAT01a", points=100,
                 value="F", kind="final", registered_on=today - dt.timedelta(days=50))  # fmt: skip
    GradeFactory(person=person, subject_code="ENG", course_code="ENGENG05", points=100,
                 value="C", kind="final", registered_on=today - dt.timedelta(days=50))  # fmt: skip
    counsellor = actor_at(gymnasium, Role.COUNSELLOR)
    overview = school_overview_for_person(actor=counsellor, person=person)
    assert overview.failed_course_points == 100 and overview.passed_course_points == 100
    assert overview.grade_rows == [] and overview.projected is None


def test_the_overview_takes_a_fixed_number_of_queries(
    graded_pupil, mentor, mentor_actor, today, django_assert_max_num_queries
):
    signals_compute(today=today)
    # The policy, enrolments, grades, attendance, signals with their reasons and events,
    # which organisations turned the learned model off, the model's latest score and the
    # latest "too little data", the log (its hash chain's head, on PostgreSQL its lock,
    # the insert), and the savepoint around them: however many grades, periods, signals
    # and reasons there are.
    with django_assert_max_num_queries(15):
        overview = school_overview_for_person(actor=mentor_actor, person=graded_pupil)
    assert len(overview.signals) == 1 and len(overview.signals[0].reason_list) >= 2
