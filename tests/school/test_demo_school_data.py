"""The demo's school data: grades calibrated to national figures, course grades, attendance."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter, defaultdict

import pytest
from django.db.models import Q

from lotsen.demo.generator import (
    END_REASON_DROPPED_OUT,
    demo_build,
    demo_population,
    school_attendance,
    school_grades,
)
from lotsen.people.models import Gender, Person
from lotsen.school.merit import PASSING_GRADES, SUBJECT_CODES, assess
from lotsen.school.models import (
    AttendancePeriod,
    Enrolment,
    Grade,
    GradeKind,
    SourcePersonId,
)
from lotsen.school.ss12000.periods import academic_year, attendance_periods, school_year_start

TODAY = dt.date(2026, 11, 23)
# Skolverket, year 9 in spring 2018 (calibration stats, grade9_riket).
NATIONAL_MEAN_MERIT = 228.7
NATIONAL_GIRLS, NATIONAL_BOYS = 243.2, 215.3
NATIONAL_ELIGIBLE_VOCATIONAL = 84.4
NATIONAL_ALL_PASSED = 75.6


@pytest.fixture(scope="module")
def finishers():
    """Final grades of everyone in a large demo who has finished year 9, by gender."""
    result = []
    for pupil in demo_population(seed=2026, size=6000, today=TODAY):
        final = {
            grade.subject_code: grade.value
            for grade in school_grades(pupil.facts, today=TODAY)
            if grade.kind == GradeKind.FINAL and not grade.course_code
        }
        if final:
            result.append((pupil.facts.gender, final))
    return result


def test_final_grades_come_close_to_the_national_figures(finishers):
    assert len(finishers) > 1500
    assessments = [(gender, assess(grades=grades, basis="final")) for gender, grades in finishers]
    merit = [a.merit_value for _g, a in assessments]
    girls = [a.merit_value for g, a in assessments if g == Gender.WOMAN]
    boys = [a.merit_value for g, a in assessments if g == Gender.MAN]
    eligible = 100 * sum(a.eligibility["yrkesprogram"].eligible for _g, a in assessments)
    all_passed = 100 * sum(
        all(value in PASSING_GRADES for value in grades.values()) for _g, grades in finishers
    )
    assert statistics.mean(merit) == pytest.approx(NATIONAL_MEAN_MERIT, abs=8)
    assert statistics.mean(girls) == pytest.approx(NATIONAL_GIRLS, abs=10)
    assert statistics.mean(boys) == pytest.approx(NATIONAL_BOYS, abs=10)
    assert 15 <= statistics.mean(girls) - statistics.mean(boys) <= 40
    assert eligible / len(finishers) == pytest.approx(NATIONAL_ELIGIBLE_VOCATIONAL, abs=4)
    assert all_passed / len(finishers) == pytest.approx(NATIONAL_ALL_PASSED, abs=5)
    # A spread, not everyone in the middle: some top grades, some far from eligibility.
    assert max(merit) >= 320
    assert min(merit) <= 120


def test_every_finisher_has_16_or_17_subjects_that_the_merit_rules_know(finishers):
    for _gender, grades in finishers:
        assert 16 <= len(grades) <= 17
        assert set(grades) <= set(SUBJECT_CODES)
        assert ("SV" in grades) != ("SVA" in grades)
        assert set(grades.values()) <= set("ABCDEF-")


@pytest.fixture
def demo(db):
    return demo_build(size=400, seed=5, today=TODAY, batch_size=150)


def test_term_grades_for_each_finished_term_and_final_grades_after_year_9(demo):
    academic_year = 2026
    terms = defaultdict(set)
    kinds = defaultdict(set)
    for person_id, kind, semester, year in Grade.objects.filter(course_code="").values_list(
        "person_id", "kind", "semester", "year"
    ):
        terms[person_id].add((semester, year))
        kinds[person_id].add(kind)
    assert not Grade.objects.filter(registered_on__gte=TODAY).exists()
    checked = Counter()
    for person in Person.objects.all():
        grade_index = academic_year - person.date_of_birth.year - 6
        year7 = academic_year - (grade_index - 7)
        if grade_index <= 7:
            # Year 7 (or younger): the first term has not ended yet.
            assert person.pk not in terms
            continue
        expected = [("HT", year7), ("VT", year7 + 1), ("HT", year7 + 1), ("VT", year7 + 2),
                    ("HT", year7 + 2), ("VT", year7 + 3)]  # fmt: skip
        finished = min(6, 2 * (grade_index - 7))
        assert terms[person.pk] == set(expected[:finished])
        assert (GradeKind.FINAL in kinds[person.pk]) == (grade_index >= 10)
        checked[min(grade_index, 10)] += 1
    assert checked[8] and checked[9] and checked[10]
    per_term = Counter(
        Grade.objects.filter(course_code="").values_list("person", "semester", "year", "kind")
    )
    assert set(per_term.values()) <= {16, 17}


def test_upper_secondary_pupils_have_course_grades(demo):
    courses = Grade.objects.exclude(course_code="")
    assert courses.exists()
    for code in courses.values_list("course_code", flat=True).distinct():
        assert re.fullmatch(r"[A-ZÅÄÖ]{3}[A-ZÅÄÖ]{3}0\d[a-c]?\d?|GYAR[A-Z]{2}", code), code
    assert set(courses.values_list("kind", flat=True)) == {GradeKind.FINAL}
    assert not courses.filter(points__isnull=True).exists()
    assert courses.filter(course_code="SVESVE01", points=100).exists()
    # Gymnasiearbete is graded E or F only.
    assert set(courses.filter(subject_code="GYAR").values_list("value", flat=True)) <= {"E", "F"}
    # Introduction programmes give no national course grades.
    introduction = Enrolment.objects.filter(programme="IM").values("person")
    only_introduction = Person.objects.filter(pk__in=introduction).exclude(
        enrolments__programme__in=["NA", "SA", "EK", "TE", "ES", "HU", "EE", "VO", "FT", "BA",
                                   "BF", "HA", "HV", "NB", "RL", "IN", "VF", "HT"]
    )  # fmt: skip
    assert not courses.filter(person__in=only_introduction).exists()
    # A pupil who dropped out has grades only from before they left.
    for enrolment in Enrolment.objects.filter(end_reason=END_REASON_DROPPED_OUT):
        assert not courses.filter(
            person=enrolment.person_id, registered_on__gt=enrolment.end_date
        ).exists()
    # Graduates have three years of courses, with the gymnasiearbete in the third.
    graduate = Enrolment.objects.filter(end_reason="Gymnasieexamen").first()
    assert graduate is not None
    assert courses.filter(person=graduate.person_id).values("year").distinct().count() == 3
    assert courses.filter(person=graduate.person_id, subject_code="GYAR").count() == 1


def test_attendance_for_every_pupil_in_school_each_ended_period(demo):
    periods = attendance_periods(TODAY)
    assert periods
    in_school = set(
        Enrolment.objects.filter(end_date__isnull=True).values_list("person_id", flat=True)
    )
    # Past school years' periods are the history of those who started upper secondary
    # (``school_attendance_history``); this school year's are everyone's in school.
    rows = list(
        AttendancePeriod.objects.filter(start_date__gte=school_year_start(academic_year(TODAY)))
    )
    assert {row.person_id for row in rows} == in_school
    assert Counter((row.start_date, row.end_date) for row in rows) == {
        period: len(in_school) for period in periods
    }
    for row in rows:
        assert row.attended_minutes + row.valid_absence_minutes + row.invalid_absence_minutes == (
            row.offered_minutes
        )
        assert row.offered_minutes > 0


def test_about_one_pupil_in_seven_is_absent_15_percent_or_more():
    offered, absent, valid, invalid = Counter(), Counter(), 0, 0
    pupils = 0
    for pupil in demo_population(seed=2026, size=4000, today=TODAY):
        rows = school_attendance(pupil.facts, today=TODAY)
        if not rows:
            continue
        pupils += 1
        for row in rows:
            offered[pupil.facts.ordinal] += row.offered
            absent[pupil.facts.ordinal] += row.valid_absence + row.invalid_absence
            valid += row.valid_absence
            invalid += row.invalid_absence
    high = sum(absent[key] / offered[key] >= 0.15 for key in offered)
    assert high / pupils == pytest.approx(1 / 7, abs=0.03)
    # Invalid absence is a minority of all absence.
    assert 0.1 < invalid / (valid + invalid) < 0.4


def test_without_school_data_the_same_people_have_no_grades_attendance_or_keys(db):
    demo_build(size=120, seed=9, today=TODAY, school_data=False)
    assert not Grade.objects.exists()
    assert not AttendancePeriod.objects.exists()
    assert not SourcePersonId.objects.exists()
    assert not Enrolment.objects.exclude(external_id=None).exists()
    numbers = sorted(Person.objects.values_list("personal_identity_number", flat=True))
    expected = sorted(
        pupil.person.personal_identity_number
        for pupil in demo_population(seed=9, size=120, today=TODAY)
    )
    assert numbers == expected


def test_with_school_data_every_person_has_a_transfer_id_and_keyed_rows(demo):
    assert SourcePersonId.objects.count() == Person.objects.count()
    assert not Enrolment.objects.filter(external_id=None).exists()
    assert not Grade.objects.filter(external_id=None).exists()
    assert Grade.objects.values("external_id").distinct().count() == Grade.objects.count()
    assert demo.grades == Grade.objects.count()
    assert demo.attendance_periods == AttendancePeriod.objects.count()


def test_protected_persons_have_no_stored_address(demo):
    protected = Person.objects.filter(Q(protected_identity=True) | Q(confidentiality_marking=True))
    assert protected.exists()
    assert not protected.exclude(street_address="", postal_code="", city="").exists()
    assert not Person.objects.filter(protected_identity=True, confidentiality_marking=True).exists()
    assert Person.objects.filter(protected_identity=False).exclude(street_address="").exists()


def test_rows_fit_the_model_fields(demo):
    # SQLite ignores max_length; PostgreSQL does not.
    for grade in Grade.objects.all()[:500]:
        grade.full_clean()
    for row in AttendancePeriod.objects.all()[:200]:
        row.full_clean()
    assert Grade.objects.filter(school_unit__kind="school_unit").count() == Grade.objects.count()
    assert set(
        Grade.objects.filter(course_code="").values_list("school_unit__name", flat=True)
    ) <= {"Björkskolan", "Ekbackens skola", "Tallåsskolan"}
