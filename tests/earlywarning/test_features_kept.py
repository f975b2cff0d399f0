"""Scoring's feature reader, which keeps grade features between runs
(``features_for_scoring``), against ``features_for``, which reads every grade every time.

Hypothesis makes up grade histories, then a run of nights: on each, a date (forwards,
backwards, the same again) and a change to the grades first (a new grade, a corrected one,
one deleted, one registered ahead of the date). Whatever the order, the kept reader gives
exactly the rows of the full one (whose absence the database sums, where the full reader
adds up each period). The database's triggers (``school.GradeVersion``) are
what tell it a pupil's grades changed, so they are tested on their own too.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lotsen.earlywarning.features import (
    FeatureRequest,
    features_for,
    features_for_scoring,
)
from lotsen.earlywarning.models import PupilGradeFeatures
from lotsen.school.models import Grade, GradeVersion
from tests.earlywarning.test_features_reader import (
    AS_OF,
    DAYS,
    attendance,
    grades,
    pupil_saved,
)
from tests.factories import PersonFactory

LATER = [*DAYS, dt.date(2026, 3, 1), dt.date(2026, 6, 20)]

change = st.one_of(
    st.just(("none",)),
    st.tuples(st.just("add"), st.sampled_from(LATER), st.sampled_from(["A", "F", "C", "-"])),
    st.tuples(st.just("correct"), st.integers(0, 50), st.sampled_from(["A", "F", "E", "x"])),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("move"), st.integers(0, 50), st.sampled_from(LATER)),
)


def _apply(person, change) -> None:
    kind, *args = change
    mine = list(Grade.objects.filter(person=person).order_by("pk"))
    if kind == "add":
        registered_on, value = args
        Grade.objects.create(
            person=person, subject_code="MA", value=value, kind="term", registered_on=registered_on
        )
    elif kind in ("correct", "delete", "move") and mine:
        grade = mine[args[0] % len(mine)]
        if kind == "correct":
            Grade.objects.filter(pk=grade.pk).update(value=args[1])
        elif kind == "delete":
            grade.delete()
        else:
            grade.registered_on = args[1]
            grade.save(update_fields=["registered_on"])


def _requests(persons, on: dt.date) -> list[FeatureRequest]:
    return [FeatureRequest(person_id=p.pk, as_of=on, school_year=8) for p in persons]


def _scored(persons, on: dt.date) -> np.ndarray:
    """What scoring reads for ``persons`` on ``on``: the rows ``_requests`` asks for."""
    return features_for_scoring(
        person_ids=[p.pk for p in persons], school_years=[8] * len(persons), as_of=on
    )


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    histories=st.lists(st.tuples(grades, attendance), min_size=1, max_size=3),
    nights=st.lists(
        st.tuples(st.sampled_from(AS_OF), st.integers(0, 2), change), min_size=1, max_size=6
    ),
)
def test_kept_features_are_the_features_read_in_full_night_after_night(histories, nights):
    persons = []
    for pupil_grades, pupil_attendance in histories:
        person = pupil_saved(pupil_grades, pupil_attendance)
        persons.append(person)
    for on, whose, night_change in nights:
        _apply(persons[whose % len(persons)], night_change)
        requests = _requests(persons, on)
        kept = _scored(persons, on)
        np.testing.assert_array_equal(kept, features_for(requests=requests).X)
        # And again from what was kept, unchanged.
        np.testing.assert_array_equal(_scored(persons, on), kept)


@pytest.mark.django_db
def test_a_night_with_nothing_changed_reads_no_grades(django_assert_num_queries):
    persons = [PersonFactory() for _ in range(3)]
    for person in persons:
        Grade.objects.create(
            person=person, subject_code="MA", value="F", kind="term", registered_on=DAYS[0]
        )
    first = _scored(persons, AS_OF[1])
    assert PupilGradeFeatures.objects.filter(person__in=persons).count() == 3
    # The kept rows checked against the versions in one read, and the attendance: no
    # grade, no write.
    with django_assert_num_queries(2):
        again = _scored(persons, AS_OF[2])
    np.testing.assert_array_equal(again, first)
    assert first[:, 2].tolist() == [1.0, 1.0, 1.0]  # failed subjects: maths


@pytest.mark.django_db
def test_a_grade_registered_ahead_counts_from_its_day():
    person = PersonFactory()
    # Two grades of the same spring term, the second registered later.
    for subject, day in (("MA", DAYS[1]), ("EN", DAYS[3])):
        Grade.objects.create(
            person=person,
            subject_code=subject,
            value="F",
            kind="term",
            semester="VT",
            year=2025,
            registered_on=day,
        )
    before = _scored([person], DAYS[2])
    kept = PupilGradeFeatures.objects.get(person=person)
    assert kept.valid_before == DAYS[3]
    on_the_day = _scored([person], DAYS[3])
    assert before[0, 2] == 1.0 and on_the_day[0, 2] == 2.0
    np.testing.assert_array_equal(on_the_day, features_for(requests=_requests([person], DAYS[3])).X)


@pytest.mark.django_db
def test_the_database_moves_the_grade_version_on_every_write():
    person, other = PersonFactory(), PersonFactory()

    def version(p) -> int:
        return (
            GradeVersion.objects.filter(person_id=p.pk).values_list("version", flat=True).first()
            or 0
        )

    grade = Grade.objects.create(
        person=person, subject_code="MA", value="C", kind="term", registered_on=DAYS[0]
    )
    seen = [version(person)]
    Grade.objects.bulk_create(
        [
            Grade(person=person, subject_code=s, value="E", kind="term", registered_on=DAYS[1])
            for s in ("EN", "SV")
        ]
    )
    seen.append(version(person))
    Grade.objects.filter(pk=grade.pk).update(value="A")
    seen.append(version(person))
    grade.refresh_from_db()
    grade.delete()
    seen.append(version(person))
    assert seen == sorted(set(seen)) and seen[0] >= 1, seen
    assert version(other) == 0

    # Moving a grade to another person changes both.
    moved = Grade.objects.filter(person=person).first()
    before = version(person), version(other)
    Grade.objects.filter(pk=moved.pk).update(person=other)
    assert version(person) > before[0] and version(other) > before[1]

    # Deleting the person deletes their grades on the way; the trigger does not stand in
    # the way, and what was kept goes with the person: the kept features, and the grade
    # version that the deleted grades had just moved on (a trigger on the person table).
    _scored([other], AS_OF[2])
    assert PupilGradeFeatures.objects.filter(person=other).exists()
    other.delete()
    assert not Grade.objects.filter(person_id=other.pk).exists()
    assert not PupilGradeFeatures.objects.filter(person_id=other.pk).exists()
    assert not GradeVersion.objects.filter(person_id=other.pk).exists()
    assert version(person) > 0  # another person's version stays
