"""Point-in-time features for the learned model: what the school knew on a date, as numbers."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from lotsen.earlywarning import features as F
from lotsen.earlywarning import rules
from lotsen.earlywarning.features import FeatureRequest, feature_row, features_for, reason_text
from tests.earlywarning.conftest import SIXTEEN, uniform
from tests.factories import AttendancePeriodFactory, GradeFactory, PersonFactory

D = dt.date(2026, 2, 15)


def term(grades: dict[str, str], *, semester: str, year: int, on: dt.date, kind: str = "term"):
    return tuple(
        rules.GradeFact(
            subject_code=subject, value=value, kind=kind, semester=semester, year=year,
            registered_on=on,
        )
        for subject, value in grades.items()
    )  # fmt: skip


def week(end: dt.date, *, invalid: int = 0, valid: int = 0, offered: int = 1000):
    return rules.AttendanceFact(
        start_date=end - dt.timedelta(days=6),
        end_date=end,
        offered_minutes=offered,
        attended_minutes=offered - invalid - valid,
        valid_absence_minutes=valid,
        invalid_absence_minutes=invalid,
    )


def row(facts: rules.PupilFacts, *, on: dt.date = D, school_year: int = 9) -> dict[str, float]:
    return dict(
        zip(
            F.FEATURE_NAMES,
            feature_row(facts=facts, as_of=on, school_year=school_year),
            strict=True,
        )
    )


def test_the_schema_never_holds_a_protected_characteristic():
    assert not set(F.FEATURE_NAMES) & F.NEVER_FEATURES
    words = " ".join(F.FEATURE_NAMES).lower()
    for word in ("gender", "kön", "birth", "country", "age", "protected", "school_type"):
        assert word not in words
    assert len(set(F.FEATURE_NAMES)) == len(F.FEATURES)


def test_a_pupil_without_school_data_has_only_the_school_year():
    values = row(rules.PupilFacts(school_type="GR"), school_year=8)
    assert values["school_year"] == 8
    assert values["course_points_failed"] == 0 and values["course_points_passed"] == 0
    unknown = {name for name, value in values.items() if math.isnan(value)}
    assert unknown == set(F.FEATURE_NAMES) - {
        "school_year",
        "course_points_failed",
        "course_points_passed",
    }


def test_grades_give_merit_failed_subjects_core_subjects_and_the_change():
    autumn = term(uniform("C", MA="F", BL="-"), semester="HT", year=2025, on=dt.date(2026, 1, 9))
    spring = term(uniform("B"), semester="VT", year=2025, on=dt.date(2025, 6, 10))
    values = row(rules.PupilFacts(school_type="GR", grades=autumn + spring))
    # 14 subjects at C (210); F and streck count 0.
    assert values["merit_value"] == 210
    assert values["failed_subjects"] == 2
    assert values["core_subjects_failed"] == 1
    # Sixteen B the term before: 280.
    assert values["merit_change"] == 210 - 280


def test_swedish_as_a_second_language_meets_the_swedish_requirement():
    grades = {**uniform("C"), "SV": "-", "SVA": "C"}
    values = row(
        rules.PupilFacts(
            school_type="GR", grades=term(grades, semester="HT", year=2025, on=dt.date(2026, 1, 9))
        )
    )
    assert values["core_subjects_failed"] == 0
    assert values["failed_subjects"] == 1  # the streck in SV is still a subject without a pass


def test_final_grades_replace_the_term_grades_once_year_9_is_done():
    autumn = term(uniform("E"), semester="HT", year=2025, on=dt.date(2026, 1, 9))
    finals = term(uniform("A"), semester="VT", year=2026, on=dt.date(2026, 6, 9), kind="final")
    facts = rules.PupilFacts(school_type="GR", grades=autumn + finals)
    assert row(facts, on=dt.date(2026, 6, 8))["merit_value"] == 160
    after = row(facts, on=dt.date(2026, 8, 20), school_year=10)
    assert after["merit_value"] == 320 and after["merit_change"] == 160


def test_a_few_early_final_grades_do_not_replace_the_latest_term():
    autumn = term(uniform("C"), semester="HT", year=2025, on=dt.date(2026, 1, 9))
    early = term({"HKK": "A"}, semester="HT", year=2025, on=dt.date(2026, 1, 9), kind="final")
    values = row(rules.PupilFacts(school_type="GR", grades=autumn + early))
    assert values["merit_value"] == 16 * 15


def test_absence_shares_over_four_and_twelve_weeks():
    weeks = [week(D - dt.timedelta(days=7 * k), invalid=100 if k < 4 else 0) for k in range(12)]
    values = row(rules.PupilFacts(school_type="GR", attendance=tuple(weeks)))
    assert values["invalid_absence_4w"] == pytest.approx(10.0)
    assert values["absence_4w"] == pytest.approx(10.0)
    assert values["invalid_absence_12w"] == pytest.approx(100 * 400 / 12000)
    assert values["absence_12w"] == pytest.approx(100 * 400 / 12000)


def test_valid_absence_counts_in_the_total_but_not_in_the_invalid_share():
    weeks = tuple(week(D - dt.timedelta(days=7 * k), valid=200) for k in range(4))
    values = row(rules.PupilFacts(school_type="GR", attendance=weeks))
    assert values["absence_4w"] == pytest.approx(20.0)
    assert values["invalid_absence_4w"] == 0


def test_upper_secondary_course_points_with_a_retake():
    def course(code, value, on, points=100):
        return rules.GradeFact(
            subject_code=code[:3], course_code=code, points=points, value=value, kind="final",
            registered_on=on,
        )  # fmt: skip

    grades = (
        course("MATMAT01a", "F", dt.date(2025, 6, 10)),
        course("ENGENG05", "F", dt.date(2025, 6, 10)),
        course("SVESVE01", "C", dt.date(2025, 6, 10), points=50),
        course("MATMAT01a", "E", dt.date(2025, 12, 1)),  # passed on a retake
    )
    values = row(rules.PupilFacts(school_type="GY", grades=grades), school_year=11)
    assert values["course_points_failed"] == 100
    assert values["course_points_passed"] == 150
    earlier = row(
        rules.PupilFacts(school_type="GY", grades=grades), on=dt.date(2025, 11, 1), school_year=11
    )
    assert earlier["course_points_failed"] == 200


def test_school_year_index():
    index = F.school_year_index
    assert index(school_type="GR", school_year=9) == 9
    assert index(school_type="GR", school_year=6) is None
    assert index(school_type="GY", school_year=1) == 10
    assert index(school_type="GY", school_year=3) == 12
    # The anpassad school forms are not scored: the school form is a disability proxy.
    assert index(school_type="GRS", school_year=9) is None
    assert index(school_type="GYS", school_year=2) is None
    assert index(school_type="GY", school_year=None) is None


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("school_year", 8, "Går i årskurs 8"),
        ("school_year", 11, "Går år 2 i gymnasieskolan"),
        ("merit_value", 187.5, "Meritvärde 187,5 i de senaste betygen"),
        ("failed_subjects", 1, "1 ämne utan godkänt betyg i de senaste betygen"),
        ("failed_subjects", 3, "3 ämnen utan godkänt betyg i de senaste betygen"),
        ("core_subjects_failed", 2, "Inte godkänt i 2 av svenska, engelska och matematik"),
        ("merit_change", -25, "Meritvärdet har sjunkit 25 poäng sedan terminen före"),
        ("merit_change", 10, "Meritvärdet har stigit 10 poäng sedan terminen före"),
        ("absence_4w", 18.27, "Frånvaro 18,2 % de senaste fyra veckorna"),
        ("invalid_absence_12w", 7, "Ogiltig frånvaro 7 % de senaste tolv veckorna"),
        ("course_points_failed", 250, "250 gymnasiepoäng utan godkänt betyg"),
        ("absence_4w", None, "Frånvaro de senaste fyra veckorna: uppgift saknas"),
        ("merit_value", math.nan, "Meritvärde: uppgift saknas"),
    ],
)
def test_reasons_in_plain_swedish(name, value, text):
    assert reason_text(name, value) == text


def test_every_feature_has_a_reason():
    for name in F.FEATURE_NAMES:
        assert reason_text(name, 1.0)
        assert reason_text(name, None).endswith("uppgift saknas")


# --- From the database ------------------------------------------------------------------


def grades_in_db(person, grades, *, semester, year, registered_on):
    for subject, value in grades.items():
        GradeFactory(
            person=person, subject_code=subject, value=value, semester=semester, year=year,
            registered_on=registered_on,
        )  # fmt: skip


@pytest.mark.django_db
def test_a_grade_registered_after_the_date_does_not_change_the_features():
    person = PersonFactory()
    grades_in_db(person, uniform("C"), semester="HT", year=2025, registered_on=dt.date(2026, 1, 9))
    for k in range(4):
        AttendancePeriodFactory(person=person, end_date=D - dt.timedelta(days=7 * k))
    request = FeatureRequest(person_id=person.pk, as_of=D, school_year=9)
    before = features_for(requests=[request]).X

    # The next day: a corrected maths grade, a new term's grades, a week of absence.
    GradeFactory(person=person, subject_code="MA", value="F", registered_on=D + dt.timedelta(1))
    grades_in_db(person, uniform("F"), semester="VT", year=2026, registered_on=dt.date(2026, 6, 9))
    AttendancePeriodFactory(
        person=person, end_date=D + dt.timedelta(days=5), invalid_absence_minutes=900
    )
    np.testing.assert_array_equal(features_for(requests=[request]).X, before)

    later = features_for(
        requests=[FeatureRequest(person_id=person.pk, as_of=D + dt.timedelta(1), school_year=9)]
    )
    assert later.X[0][F.FEATURE_NAMES.index("core_subjects_failed")] == 1


@pytest.mark.django_db
def test_each_request_is_read_as_of_its_own_date():
    person = PersonFactory()
    grades_in_db(person, uniform("B"), semester="HT", year=2024, registered_on=dt.date(2025, 1, 9))
    grades_in_db(person, uniform("E"), semester="HT", year=2025, registered_on=dt.date(2026, 1, 9))
    rows = features_for(
        requests=[
            FeatureRequest(person_id=person.pk, as_of=dt.date(2025, 3, 1), school_year=8),
            FeatureRequest(person_id=person.pk, as_of=D, school_year=9),
        ]
    )
    merit = F.FEATURE_NAMES.index("merit_value")
    assert rows.X[:, merit].tolist() == [16 * 17.5, 16 * 10]


@pytest.mark.django_db
def test_features_for_many_pupils_take_two_queries(django_assert_num_queries):
    requests = []
    for index in range(12):
        person = PersonFactory()
        grades_in_db(
            person, {s: "CDE"[index % 3] for s in SIXTEEN}, semester="HT", year=2025,
            registered_on=dt.date(2026, 1, 9),
        )  # fmt: skip
        AttendancePeriodFactory(person=person, end_date=D, invalid_absence_minutes=10 * index)
        requests.append(FeatureRequest(person_id=person.pk, as_of=D, school_year=9))
    with django_assert_num_queries(2):
        rows = features_for(requests=requests)
    assert rows.X.shape == (12, len(F.FEATURES))
    assert rows.X[:, F.FEATURE_NAMES.index("invalid_absence_4w")].tolist() == [
        float(index) for index in range(12)
    ]


@pytest.mark.django_db
def test_many_requests_are_read_in_batches(monkeypatch, django_assert_num_queries):
    persons = [PersonFactory() for _ in range(5)]
    for index, person in enumerate(persons):
        grades_in_db(
            person, uniform("CDEAB"[index]), semester="HT", year=2025,
            registered_on=dt.date(2026, 1, 9),
        )  # fmt: skip
    requests = [FeatureRequest(person_id=p.pk, as_of=D, school_year=9) for p in persons]
    monkeypatch.setattr(F, "BATCH_SIZE", 2)
    with django_assert_num_queries(6):
        rows = features_for(requests=requests)
    assert rows.X[:, F.FEATURE_NAMES.index("merit_value")].tolist() == [
        240.0, 200.0, 160.0, 320.0, 280.0,
    ]  # fmt: skip


@pytest.mark.django_db
def test_rows_read_from_the_database_equal_the_rules_reading():
    """``features_for`` reads the rows in one pass of its own (for speed); on varied,
    awkward histories it must give exactly what ``feature_row`` gives on the same facts:
    corrections on the same day and later, final grades early and late, terms without a
    stated semester, grades the rules leave out, course retakes, absence at the windows'
    edges, and several dates per pupil."""
    rng = np.random.default_rng(16)
    values = ["A", "B", "C", "D", "E", "F", "-", " c ", "x", "", "–"]
    subjects = [*SIXTEEN, "M2", "XX", " ma "]
    days = [dt.date(2024, 6, 10), dt.date(2025, 1, 9), dt.date(2025, 6, 10), dt.date(2026, 1, 9)]
    dates = [dt.date(2025, 3, 1), D, dt.date(2026, 1, 9), dt.date(2026, 6, 30)]
    persons, requests = [], []
    for _ in range(25):
        person = PersonFactory()
        persons.append(person)
        for _g in range(int(rng.integers(0, 60))):
            course = rng.random() < 0.25
            GradeFactory(
                person=person,
                subject_code=str(rng.choice(subjects)),
                course_code=str(rng.choice(["MATMAT01a", "ENGENG05", ""])) if course else "",
                points=int(rng.choice([50, 100])) if course and rng.random() < 0.9 else None,
                value=str(rng.choice(values)),
                kind=str(rng.choice(["term", "term", "final"])),
                semester=str(rng.choice(["HT", "VT", ""])),
                year=int(rng.choice([2024, 2025])) if rng.random() < 0.8 else None,
                registered_on=days[int(rng.integers(len(days)))]
                + dt.timedelta(days=int(rng.integers(0, 3))),
            )
        for k in range(int(rng.integers(0, 16))):
            offered = int(rng.choice([0, 600, 1000]))
            valid = int(rng.integers(0, 200)) if offered else 0
            invalid = int(rng.integers(0, 200)) if offered else 0
            AttendancePeriodFactory(
                person=person,
                end_date=D - dt.timedelta(days=7 * k + int(rng.integers(0, 3))),
                offered_minutes=offered,
                attended_minutes=offered - valid - invalid,
                valid_absence_minutes=valid,
                invalid_absence_minutes=invalid,
            )
        requests += [
            FeatureRequest(person_id=person.pk, as_of=on, school_year=int(rng.integers(7, 13)))
            for on in dates
        ]
    fast = features_for(requests=requests).X

    from lotsen.school.models import AttendancePeriod, Grade

    expected = []
    for request in requests:
        facts = rules.PupilFacts(
            school_type="",
            grades=tuple(
                rules.GradeFact(
                    subject_code=g.subject_code, course_code=g.course_code, points=g.points,
                    value=g.value, kind=g.kind, semester=g.semester, year=g.year,
                    registered_on=g.registered_on,
                )
                for g in Grade.objects.filter(person_id=request.person_id)
            ),
            attendance=tuple(
                rules.AttendanceFact(
                    start_date=a.start_date, end_date=a.end_date,
                    offered_minutes=a.offered_minutes, attended_minutes=a.attended_minutes,
                    valid_absence_minutes=a.valid_absence_minutes,
                    invalid_absence_minutes=a.invalid_absence_minutes,
                )
                for a in AttendancePeriod.objects.filter(person_id=request.person_id)
            ),
        )  # fmt: skip
        expected.append(
            feature_row(facts=facts, as_of=request.as_of, school_year=request.school_year)
        )
    np.testing.assert_array_equal(fast, np.asarray(expected))
    # The histories are varied enough to reach every feature.
    assert (~np.isnan(fast)).any(axis=0).all()
