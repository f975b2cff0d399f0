"""The database reader of feature rows (``features_for``) against the reference reading
(``feature_row`` on the same facts), on histories Hypothesis makes up: whatever the grades
and attendance, the numbers are exactly the same."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotsen.earlywarning import rules
from lotsen.earlywarning.features import FeatureRequest, feature_row, features_for
from lotsen.school.models import AttendancePeriod, Grade
from tests.earlywarning.conftest import SIXTEEN
from tests.factories import PersonFactory

# Few values of each, so that ties, corrections and retakes are common.
SUBJECTS = [*SIXTEEN, "M2", "SVA", "XX", " ma ", "en"]
VALUES = ["A", "B", "C", "D", "E", "F", "-", " c ", "x", "", "–", "e "]
DAYS = [
    dt.date(2024, 6, 10),
    dt.date(2025, 1, 9),
    dt.date(2025, 1, 10),
    dt.date(2025, 6, 10),
    dt.date(2025, 8, 20),
    dt.date(2026, 1, 9),
    dt.date(2026, 2, 15),
]
AS_OF = [dt.date(2025, 3, 1), dt.date(2026, 1, 9), dt.date(2026, 2, 15), dt.date(2026, 6, 30)]

grades = st.lists(
    st.fixed_dictionaries(
        {
            "subject_code": st.sampled_from(SUBJECTS),
            "course_code": st.sampled_from(["", "", "", "MATMAT01a", "ENGENG05", "matmat01a "]),
            "points": st.sampled_from([None, None, 50, 100]),
            "value": st.sampled_from(VALUES),
            "kind": st.sampled_from(["term", "term", "final"]),
            "semester": st.sampled_from(["HT", "VT", ""]),
            "year": st.sampled_from([2024, 2025, 2026, None]),
            "registered_on": st.sampled_from(DAYS),
        }
    ),
    max_size=40,
)
attendance = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=140),  # days before 2026-06-30 the period ended
        st.sampled_from([0, 600, 1000]),
        st.integers(min_value=0, max_value=300),
        st.integers(min_value=0, max_value=300),
    ),
    max_size=20,
)


def pupil_saved(pupil_grades: list[dict], pupil_attendance: list[tuple]):
    """A new person with the grades and attendance periods the strategies above made up
    (periods counted back from 2026-06-30, absence kept within the offered time)."""
    person = PersonFactory()
    Grade.objects.bulk_create([Grade(person=person, **g) for g in pupil_grades])
    periods = []
    for days_before, offered, valid, invalid in pupil_attendance:
        end = dt.date(2026, 6, 30) - dt.timedelta(days=days_before)
        valid, invalid = min(valid, offered), min(invalid, offered - min(valid, offered))
        periods.append(
            AttendancePeriod(
                person=person,
                start_date=end - dt.timedelta(days=6),
                end_date=end,
                offered_minutes=offered,
                attended_minutes=offered - valid - invalid,
                valid_absence_minutes=valid,
                invalid_absence_minutes=invalid,
            )
        )
    AttendancePeriod.objects.bulk_create(periods)
    return person


@pytest.mark.django_db
@settings(max_examples=60)
@given(
    pupils=st.lists(st.tuples(grades, attendance), min_size=1, max_size=4),
    dates=st.lists(st.sampled_from(AS_OF), min_size=1, max_size=3),
    school_year=st.integers(min_value=7, max_value=12),
)
def test_features_for_equals_feature_row_on_any_history(pupils, dates, school_year):
    requests, facts_of = [], {}
    for pupil_grades, pupil_attendance in pupils:
        person = pupil_saved(pupil_grades, pupil_attendance)
        # The facts as the rules read them, in the database's order of the rows.
        facts_of[person.pk] = rules.PupilFacts(
            school_type="",
            grades=tuple(
                rules.GradeFact(
                    subject_code=g.subject_code, course_code=g.course_code, points=g.points,
                    value=g.value, kind=g.kind, semester=g.semester, year=g.year,
                    registered_on=g.registered_on,
                )
                for g in Grade.objects.filter(person=person).order_by("pk")
            ),
            attendance=tuple(
                rules.AttendanceFact(
                    start_date=a.start_date, end_date=a.end_date,
                    offered_minutes=a.offered_minutes, attended_minutes=a.attended_minutes,
                    valid_absence_minutes=a.valid_absence_minutes,
                    invalid_absence_minutes=a.invalid_absence_minutes,
                )
                for a in AttendancePeriod.objects.filter(person=person).order_by("pk")
            ),
        )  # fmt: skip
        requests += [
            FeatureRequest(person_id=person.pk, as_of=on, school_year=school_year) for on in dates
        ]

    read = features_for(requests=requests).X

    expected = np.asarray(
        [
            feature_row(facts=facts_of[r.person_id], as_of=r.as_of, school_year=r.school_year)
            for r in requests
        ]
    )
    np.testing.assert_array_equal(read, expected)
