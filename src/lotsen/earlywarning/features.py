"""Point-in-time features for the learned risk model: what the school knew about a pupil on
a given date, as a row of numbers.

One schema (``FEATURES``) serves training, scoring and the benchmark, so the model is
always fed the same columns in the same order. Each feature has a Swedish label and a
plain-language reason, which is what a mentor reads when the feature pushed a pupil's risk
up.

Point in time (DESIGN.md §4): a pupil's row as of date D uses only grades registered on
or before D and attendance periods that had ended by D (``PupilFacts.as_of``), so a grade
registered the day after D cannot change it. Training asks for rows as of dates years back
(before the outcome was known); scoring asks for today.

Never features: gender, country of birth, protected identity, age, and the school form
(anpassad grundskola and gymnasieskola stand for an intellectual disability). This module
reads grades and attendance only; the person's own record is never opened here. Gender goes
to the fairness audit in ``signals.scoring``, never into a row.

Reading: a constant number of queries per batch of pupils (grades and attendance, in two
queries), then one pass over the rows as the database gives them (``_grades_collect``; for
a batch with one date, straight from the fetch) and one row per pupil from what it kept
(``_row_from_collected``): each grade is cleaned once (a cache: a school has a handful of
distinct grade texts), and term grade sets, final grades, projections, course grades and
absence windows are read exactly as the rules' own pure functions read them
(``feature_row``, which stays the reference: a test holds the two to the same numbers).

Scoring (``features_for_scoring``, one date for all) keeps each pupil's grade features
between runs (``PupilGradeFeatures``) and reads a pupil's grades again only when the
database says they changed (``school.GradeVersion``, moved by triggers on the grade table)
or when a grade registered after the kept date counts by now: a night after an import reads
the grades of the pupils it touched, not a hundred grades of every pupil.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import F as DbF
from django.db.models import Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from lotsen.earlywarning import rules
from lotsen.earlywarning.models import PupilGradeFeatures
from lotsen.ingest.upsert import any_of, fetched_date, fetched_date_column, rows_fetched
from lotsen.school.merit import (
    LANGUAGE_CHOICE,
    PASSING_GRADES,
    SUBJECT_NAMES,
    MeritError,
    merit_value,
    merit_value_of_clean,
    parse_grade,
)
from lotsen.school.models import AttendancePeriod, Grade, GradeVersion

# Year groups as one number across school forms: 7–9 in compulsory school, 10–12 for years
# 1–3 of upper secondary (13 for a fourth year).
COMPULSORY_FIRST_SCORED_YEAR = 7
UPPER_SECONDARY_OFFSET = 9
# Absence windows in weeks: the rules' default window, and a term-long view of the trend.
SHORT_WEEKS = 4
LONG_WEEKS = 12
# Attendance that may be read for a row as of D: periods that ended within the longest
# window.
WINDOW_DAYS = 7 * LONG_WEEKS
# Requests per read: keeps each query's list of person ids well within the databases'
# limits on bound parameters, and memory flat for a training set of any size.
BATCH_SIZE = 2000

SCHOOL_YEAR = "school_year"
MERIT_VALUE = "merit_value"
FAILED_SUBJECTS = "failed_subjects"
CORE_SUBJECTS_FAILED = "core_subjects_failed"
MERIT_CHANGE = "merit_change"
ABSENCE_SHORT = "absence_4w"
INVALID_ABSENCE_SHORT = "invalid_absence_4w"
ABSENCE_LONG = "absence_12w"
INVALID_ABSENCE_LONG = "invalid_absence_12w"
COURSE_POINTS_FAILED = "course_points_failed"
COURSE_POINTS_PASSED = "course_points_passed"


@dataclass(frozen=True, kw_only=True)
class FeatureSpec:
    name: str
    label: str  # Swedish, for people: the model card and the explanation
    description: str


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        name=SCHOOL_YEAR,
        label="Årskurs",
        description="7–9 i grundskolan, 10–12 för år 1–3 i gymnasieskolan",
    ),
    FeatureSpec(
        name=MERIT_VALUE,
        label="Meritvärde",
        description="i de senaste betygen: slutbetyg om de finns, annars prognos utifrån "
        "de senaste terminsbetygen",
    ),
    FeatureSpec(
        name=FAILED_SUBJECTS,
        label="Ämnen utan godkänt betyg",
        description="F eller streck i de senaste betygen (moderna språk som språkval räknas inte)",
    ),
    FeatureSpec(
        name=CORE_SUBJECTS_FAILED,
        label="Svenska, engelska och matematik utan godkänt betyg",
        description="0–3; svenska och svenska som andraspråk räknas som ett ämne",
    ),
    FeatureSpec(
        name=MERIT_CHANGE,
        label="Meritvärdets förändring",
        description="de senaste betygen jämfört med betygen terminen före",
    ),
    FeatureSpec(
        name=ABSENCE_SHORT,
        label="Frånvaro de senaste fyra veckorna",
        description="procent av schemalagd tid, giltig och ogiltig",
    ),
    FeatureSpec(
        name=INVALID_ABSENCE_SHORT,
        label="Ogiltig frånvaro de senaste fyra veckorna",
        description="procent av schemalagd tid",
    ),
    FeatureSpec(
        name=ABSENCE_LONG,
        label="Frånvaro de senaste tolv veckorna",
        description="procent av schemalagd tid, giltig och ogiltig",
    ),
    FeatureSpec(
        name=INVALID_ABSENCE_LONG,
        label="Ogiltig frånvaro de senaste tolv veckorna",
        description="procent av schemalagd tid",
    ),
    FeatureSpec(
        name=COURSE_POINTS_FAILED,
        label="Gymnasiepoäng utan godkänt betyg",
        description="kurser med F eller streck, det senaste betyget per kurs",
    ),
    FeatureSpec(
        name=COURSE_POINTS_PASSED,
        label="Godkända gymnasiepoäng",
        description="kurser med betyget E eller högre",
    ),
)
FEATURE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FEATURES)
FEATURES_BY_NAME = {spec.name: spec for spec in FEATURES}
# The features read from grades alone: for a date, they depend only on the grades
# registered by then, which is what lets scoring keep them between nights
# (``features_for_scoring``).
GRADE_FEATURES: tuple[str, ...] = (
    MERIT_VALUE,
    FAILED_SUBJECTS,
    CORE_SUBJECTS_FAILED,
    MERIT_CHANGE,
    COURSE_POINTS_FAILED,
    COURSE_POINTS_PASSED,
)
# Attributes that must never become a feature, whatever a later change to the schema says:
# a test holds the schema to it.
NEVER_FEATURES = frozenset(
    {
        "gender",
        "country_of_birth",
        "citizenship",
        "protected_identity",
        "confidentiality_marking",
        "date_of_birth",
        "age",
        "school_type",
        "is_coordination_number",
        "home_municipality_code",
    }
)


@dataclass(frozen=True, kw_only=True)
class FeatureRequest:
    """One row to build: whose, as of which date, and the pupil's year group then.

    The year group is the caller's: for scoring, the current enrolment's; for training, the
    stage the row stands for. An ended enrolment only records the last year, so it cannot
    say which year a pupil was in on a date years back.
    """

    person_id: int
    as_of: dt.date
    school_year: int


@dataclass(frozen=True)
class FeatureRows:
    requests: list[FeatureRequest]
    X: np.ndarray  # (rows, len(FEATURES)), NaN where unknown


def enough_data(X: np.ndarray) -> np.ndarray:
    """Per row: whether the school knew enough about the pupil for a score.

    The minimum: at least one grade (a compulsory-school grade set or upper-secondary course
    points) or attendance in the last twelve weeks. A pupil with neither gets "för lite
    underlag" and no probability or band: a model asked about someone it knows nothing of
    answers with the average, which reads as a risk and is not one.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[None, :]
    column = FEATURE_NAMES.index
    grades = ~np.isnan(X[:, column(MERIT_VALUE)]) | (
        np.nan_to_num(X[:, column(COURSE_POINTS_FAILED)])
        + np.nan_to_num(X[:, column(COURSE_POINTS_PASSED)])
        > 0
    )
    attendance = ~np.isnan(X[:, column(ABSENCE_LONG)])
    return grades | attendance


def school_year_index(*, school_type: str, school_year: int | None) -> int | None:
    """The year group as one number (see ``FEATURES``); None for pupils the model does not
    score: below year 7, or in a school form it was not trained for."""
    if school_year is None:
        return None
    if school_type in rules.COMPULSORY and school_year >= COMPULSORY_FIRST_SCORED_YEAR:
        return school_year
    if school_type in ("GY",) and school_year >= 1:
        return UPPER_SECONDARY_OFFSET + school_year
    return None


def features_for(*, requests: Sequence[FeatureRequest]) -> FeatureRows:
    """The feature rows for ``requests``, in their order: two queries per
    ``BATCH_SIZE`` requests, however many grades and periods each pupil has.

    Each request may have its own date (training does); everything read is filtered to
    what was known on that request's date before a number is computed.
    """
    requests = list(requests)
    X = np.empty((len(requests), len(FEATURES)))
    for first in range(0, len(requests), BATCH_SIZE):
        X[first : first + BATCH_SIZE] = _rows(requests[first : first + BATCH_SIZE])
    return FeatureRows(requests=requests, X=X)


def _rows(requests: list[FeatureRequest]) -> np.ndarray:
    person_ids = sorted({r.person_id for r in requests})
    latest = max(r.as_of for r in requests)
    earliest = min(r.as_of for r in requests)
    rows = grade_rows(person_ids, latest=latest)
    if latest == earliest:
        # One date for all (scoring): each row is read once, straight from the fetch.
        collected = _grades_collect(rows, as_of=latest)

        def grades_of(request: FeatureRequest) -> _Collected:
            return collected.get(request.person_id, _NOTHING)

    else:
        # Each request its own date (training): a pupil's rows are read once per date.
        by_person: dict[int, list[tuple]] = defaultdict(list)
        for row in rows:
            by_person[row[0]].append(row)

        def grades_of(request: FeatureRequest) -> _Collected:
            own = by_person.get(request.person_id, ())
            return _grades_collect(own, as_of=request.as_of).get(request.person_id, _NOTHING)

    del rows
    attendance = _attendance_of(person_ids, latest=latest, earliest=earliest)
    X = np.empty((len(requests), len(FEATURES)))
    for index, request in enumerate(requests):
        X[index] = _row_from_collected(
            grades=grades_of(request),
            attendance=attendance.get(request.person_id, ()),
            as_of=request.as_of,
            school_year=request.school_year,
        )
    return X


def grade_rows(person_ids: Sequence[int], *, latest: dt.date) -> list[tuple]:
    """The grade rows of ``person_ids`` registered by ``latest`` as plain tuples (person,
    subject, course, points, value, kind, semester, year, registration day as
    ``fetched_date`` reads it), in the order the database gives them (the rules break
    ties between grades registered on the same day by that order, and so does
    ``_grades_collect``). Scoring's features and the signals' facts read them alike."""
    return rows_fetched(
        Grade.objects.filter(any_of("person_id", person_ids), registered_on__lte=latest)
        .annotate(day=fetched_date_column("registered_on"))
        .values_list(
            "person_id",
            "subject_code",
            "course_code",
            "points",
            "value",
            "kind",
            "semester",
            "year",
            "day",
        )
    )


def _attendance_of(
    person_ids: Sequence[int], *, latest: dt.date, earliest: dt.date
) -> dict[int, list[tuple]]:
    """Per person, the attendance periods that may count for a row as of a date between
    ``earliest`` and ``latest``: (end date, offered, valid absence, invalid absence)."""
    attendance: dict[int, list[tuple]] = defaultdict(list)
    for person_id, end_date, offered, valid, invalid in rows_fetched(
        AttendancePeriod.objects.filter(
            any_of("person_id", person_ids),
            end_date__lte=latest,
            end_date__gt=earliest - dt.timedelta(days=WINDOW_DAYS),
        )
        .annotate(day=fetched_date_column("end_date"))
        .values_list(
            "person_id",
            "day",
            "offered_minutes",
            "valid_absence_minutes",
            "invalid_absence_minutes",
        )
    ):
        attendance[person_id].append((fetched_date(end_date), offered, valid, invalid))
    return attendance


def features_for_scoring(
    *, person_ids: Sequence[int], school_years: Sequence[int], as_of: dt.date
) -> np.ndarray:
    """``features_for`` for pupils scored on one date, row by row in the order given (each
    pupil's year group beside them), with the grade features kept between runs
    (``PupilGradeFeatures``): a pupil's grades are read only when they changed since
    (``school.GradeVersion``), when a grade registered since the kept date now counts, or
    when nothing is kept. The rows are exactly ``features_for``'s
    (``tests/earlywarning/test_features_kept.py``); attendance is read every time, since
    its windows move with the date. Plain lists in, not a request object per pupil: a
    night scores every pupil of the municipality."""
    if len(person_ids) != len(school_years):
        raise ValueError("features_for_scoring: one year group per pupil.")
    X = np.empty((len(person_ids), len(FEATURES)))
    for first in range(0, len(person_ids), BATCH_SIZE):
        X[first : first + BATCH_SIZE] = _rows_kept(
            person_ids[first : first + BATCH_SIZE],
            school_years[first : first + BATCH_SIZE],
            as_of=as_of,
        )
    return X


def _rows_kept(pupils: Sequence[int], school_years: Sequence[int], *, as_of: dt.date) -> np.ndarray:
    """The rows for one batch, column by column: the kept or recomputed grade features and
    the summed absence come as one array per unique pupil, spread over the rows by index,
    instead of a dictionary per row (a fifth of a night's time at 20,000 pupils)."""
    person_ids = sorted(set(pupils))
    where = np.searchsorted(person_ids, pupils)
    X = np.full((len(pupils), len(FEATURES)), np.nan)
    X[:, _COLUMNS[SCHOOL_YEAR]] = school_years
    X[:, _GRADE_COLUMNS] = _grade_values_kept(person_ids, as_of=as_of)[where]
    X[:, _ABSENCE_COLUMNS] = _absence_summed(person_ids, as_of=as_of)[where]
    return X


_COLUMNS = {name: index for index, name in enumerate(FEATURE_NAMES)}
_GRADE_COLUMNS = [_COLUMNS[name] for name in GRADE_FEATURES]
_ABSENCE_WINDOWS = (
    (SHORT_WEEKS, ABSENCE_SHORT, INVALID_ABSENCE_SHORT),
    (LONG_WEEKS, ABSENCE_LONG, INVALID_ABSENCE_LONG),
)
_ABSENCE_COLUMNS = [
    _COLUMNS[name] for _weeks, total, invalid in _ABSENCE_WINDOWS for name in (total, invalid)
]


def _absence_summed(person_ids: list[int], *, as_of: dt.date) -> np.ndarray:
    """Per person in ``person_ids`` (sorted), the absence features as of ``as_of`` in the
    order of ``_ABSENCE_COLUMNS``, NaN without offered time: the minutes summed by the
    database (one row per pupil instead of one per period) over the periods that ended
    within each window, taken whole, as ``rules.absence_window`` takes them. The same
    arithmetic as ``_absence_values`` (100 × absent / offered, in doubles)."""
    sums = {}
    for weeks, _total, _invalid in _ABSENCE_WINDOWS:
        within = Q(end_date__gte=as_of - dt.timedelta(days=7 * weeks - 1))
        sums[f"offered_{weeks}"] = Sum("offered_minutes", filter=within)
        sums[f"absent_{weeks}"] = Sum(
            DbF("valid_absence_minutes") + DbF("invalid_absence_minutes"), filter=within
        )
        sums[f"invalid_{weeks}"] = Sum("invalid_absence_minutes", filter=within)
    rows = rows_fetched(
        AttendancePeriod.objects.filter(
            any_of("person_id", person_ids),
            end_date__lte=as_of,
            end_date__gte=as_of - dt.timedelta(days=WINDOW_DAYS - 1),
        )
        .order_by()
        .values("person_id")
        .annotate(**sums)
        .values_list("person_id", *sums)
    )
    absence = np.full((len(person_ids), len(_ABSENCE_COLUMNS)), np.nan)
    if not rows:
        return absence
    # None (no period in a window) becomes NaN.
    minutes = np.array(rows, dtype=np.float64)
    at = np.searchsorted(person_ids, minutes[:, 0].astype(np.int64))
    with np.errstate(divide="ignore", invalid="ignore"):
        for index in range(len(_ABSENCE_WINDOWS)):
            offered, absent, invalid = minutes[:, 1 + 3 * index : 4 + 3 * index].T
            counted = ~np.isnan(offered) & (offered != 0)
            absence[at, 2 * index] = np.where(counted, 100.0 * absent / offered, np.nan)
            absence[at, 2 * index + 1] = np.where(counted, 100.0 * invalid / offered, np.nan)
    return absence


def _grade_values_kept(person_ids: list[int], *, as_of: dt.date) -> np.ndarray:
    """Per person in ``person_ids`` (sorted), the values of ``GRADE_FEATURES`` as of
    ``as_of``: kept ones where they still hold, the others worked out from the grades and
    kept for the next run.

    A kept row holds when its grade version is the pupil's current one and ``as_of`` lies
    in its span; the database checks both in the same read (one statement, one snapshot)."""
    current_version = Coalesce(
        Subquery(
            GradeVersion.objects.filter(person_id=OuterRef("person_id")).values("version")[:1]
        ),
        0,
    )
    kept_rows = rows_fetched(
        PupilGradeFeatures.objects.filter(any_of("person_id", person_ids), as_of__lte=as_of)
        .filter(Q(valid_before__isnull=True) | Q(valid_before__gt=as_of))
        .filter(grades_version=current_version)
        .values_list("person_id", *GRADE_FEATURES)
    )
    values = np.full((len(person_ids), len(GRADE_FEATURES)), np.nan)
    kept_ids: set[int] = set()
    if kept_rows:
        # NULL (NaN kept) becomes NaN.
        numbers = np.array(kept_rows, dtype=np.float64)
        values[np.searchsorted(person_ids, numbers[:, 0].astype(np.int64))] = numbers[:, 1:]
        kept_ids = {row[0] for row in kept_rows}
    stale = [person_id for person_id in person_ids if person_id not in kept_ids]
    if not stale:
        return values
    # The versions before the grades: a change committed between the two reads leaves a
    # kept row with an older version than the grades it was made from, so the next run
    # reads that pupil again (stale at worst, never wrong).
    versions = dict(
        rows_fetched(
            GradeVersion.objects.filter(any_of("person_id", stale)).values_list(
                "person_id", "version"
            )
        )
    )
    collected = _grades_collect(grade_rows(stale, latest=as_of), as_of=as_of)
    # The first registration after ``as_of`` ends the row's validity: from that day, a
    # grade the row did not see counts.
    upcoming = {
        person_id: fetched_date(day)
        for person_id, day in rows_fetched(
            Grade.objects.filter(any_of("person_id", stale), registered_on__gt=as_of)
            .order_by()
            .values("person_id")
            .annotate(day=Min(fetched_date_column("registered_on")))
            .values_list("person_id", "day")
        )
    }
    kept: list[PupilGradeFeatures] = []
    for person_id, at in zip(stale, np.searchsorted(person_ids, stale).tolist(), strict=True):
        computed = _grade_values(collected.get(person_id, _NOTHING), as_of=as_of)
        values[at] = [computed[name] for name in GRADE_FEATURES]
        kept.append(
            PupilGradeFeatures(
                person_id=person_id,
                grades_version=versions.get(person_id, 0),
                as_of=as_of,
                valid_before=upcoming.get(person_id),
                **{
                    name: None if math.isnan(computed[name]) else computed[name]
                    for name in GRADE_FEATURES
                },
            )
        )
    PupilGradeFeatures.objects.bulk_create(
        kept,
        update_conflicts=True,
        unique_fields=["person"],
        update_fields=["grades_version", "as_of", "valid_before", *GRADE_FEATURES],
    )
    return values


@functools.lru_cache(maxsize=4096)
def _clean_grade(text: str) -> str | None:
    """A grade text cleaned as the rules clean it (``rules._clean_value``), or None."""
    try:
        return parse_grade(text=text)
    except MeritError:
        return None


@functools.lru_cache(maxsize=4096)
def _clean_subject(text: str) -> str:
    return text.strip().upper()


def _term_key(semester: str, year: int | None, registered_on: dt.date) -> tuple[int, int]:
    """``rules.term_key`` on the parts of a grade."""
    if year and semester in (rules.SPRING, rules.AUTUMN):
        return year, 0 if semester == rules.SPRING else 1
    if registered_on.month == 1:
        return registered_on.year - 1, 1
    return registered_on.year, 0 if registered_on.month <= 7 else 1


def _finals_on(
    finals: Sequence[tuple[dt.date, str, str]], day: dt.date
) -> tuple[dict[str, str], dt.date | None]:
    """``rules.final_grades`` of the final grades registered by ``day``: the latest per
    subject (a later row wins a tie), and the latest registration among them."""
    chosen: dict[str, tuple[dt.date, str]] = {}
    for registered_on, subject, value in finals:
        if registered_on <= day and (subject not in chosen or chosen[subject][0] <= registered_on):
            chosen[subject] = (registered_on, value)
    if not chosen:
        return {}, None
    return {s: v for s, (_, v) in chosen.items()}, max(d for d, _ in chosen.values())


@dataclass
class _Collected:
    """One pupil's grades as of a date, as ``_grades_collect`` gathers them: the latest
    grade per subject of each term, the final grades, the latest grade per course."""

    terms: dict[tuple[int, int], dict[str, tuple[dt.date, str]]] = field(default_factory=dict)
    finals: list[tuple[dt.date, str, str]] = field(default_factory=list)
    courses: dict[str, tuple[dt.date, int, bool]] = field(default_factory=dict)


_NOTHING = _Collected()


def _grades_collect(rows: Iterable[tuple], *, as_of: dt.date) -> dict[int, _Collected]:
    """Per person, what the grade rows (as ``_rows`` reads them, person first) known on
    ``as_of`` say: each row is looked at once, and only the grades the rules read are
    kept (a text that is no grade, a course grade without points, a subject outside the
    merit value's are left out, as the rules leave them out)."""
    collected: dict[int, _Collected] = {}
    for person_id, subject_code, course_code, points, text, kind, semester, year, day in rows:
        registered_on = fetched_date(day)
        if registered_on > as_of:
            continue
        value = _clean_grade(text)
        if value is None:
            continue
        pupil = collected.get(person_id)
        if pupil is None:
            pupil = collected[person_id] = _Collected()
        if points is not None:
            key = _clean_subject(course_code or subject_code)
            courses = pupil.courses
            if key not in courses or courses[key][0] <= registered_on:
                courses[key] = (registered_on, points, value in PASSING_GRADES)
            continue
        if course_code:
            continue
        subject = _clean_subject(subject_code)
        if subject not in SUBJECT_NAMES:
            continue
        if kind == rules.TERM:
            subjects = pupil.terms.setdefault(_term_key(semester, year, registered_on), {})
            if subject not in subjects or subjects[subject][0] <= registered_on:
                subjects[subject] = (registered_on, value)
        elif kind == rules.FINAL:
            pupil.finals.append((registered_on, subject, value))
    return collected


def _row_from_collected(
    *,
    grades: _Collected,
    attendance: Sequence[tuple],
    as_of: dt.date,
    school_year: int,
) -> list[float]:
    """``feature_row`` on what ``_rows`` reads, without building facts: the same numbers
    (``tests/earlywarning/test_features*.py`` hold them to it), many times faster, because
    scoring a municipality reads a hundred grades per pupil."""
    values: dict[str, float] = {name: math.nan for name in FEATURE_NAMES}
    values[SCHOOL_YEAR] = float(school_year)
    values.update(_grade_values(grades, as_of=as_of))
    _absence_values(values, attendance, as_of=as_of)
    return [values[name] for name in FEATURE_NAMES]


def _grade_values(grades: _Collected, *, as_of: dt.date) -> dict[str, float]:
    """The features of ``GRADE_FEATURES`` from one pupil's collected grades."""
    values: dict[str, float] = {name: math.nan for name in GRADE_FEATURES}
    terms, finals, courses = grades.terms, grades.finals, grades.courses

    # Newest term first, each completed with the final grades set by its last registration
    # (``rules.projection_for_term``); then the final grades first when they are complete.
    grade_sets: list[dict[str, str]] = []
    latest_term_day: dt.date | None = None
    for key in sorted(terms, reverse=True):
        term = terms[key]
        day = max(d for d, _ in term.values())
        latest_term_day = latest_term_day or day
        projection = {s: v for s, (_, v) in term.items()}
        for subject, value in _finals_on(finals, day)[0].items():
            projection.setdefault(subject, value)
        grade_sets.append(projection)
    final_set, final_day = _finals_on(finals, as_of)
    if final_set and (
        not grade_sets or (final_day >= latest_term_day and len(final_set) >= len(grade_sets[0]))
    ):
        grade_sets.insert(0, final_set)
    grade_sets = [g for g in grade_sets if g]

    _grade_features(values, grade_sets)
    values[COURSE_POINTS_FAILED] = float(
        sum(points for _d, points, passed in courses.values() if not passed)
    )
    values[COURSE_POINTS_PASSED] = float(
        sum(points for _d, points, passed in courses.values() if passed)
    )
    return values


def _absence_values(
    values: dict[str, float], attendance: Sequence[tuple], *, as_of: dt.date
) -> None:
    """The absence features from one pupil's attendance periods, set in ``values``."""
    for weeks, total_name, invalid_name in (
        (SHORT_WEEKS, ABSENCE_SHORT, INVALID_ABSENCE_SHORT),
        (LONG_WEEKS, ABSENCE_LONG, INVALID_ABSENCE_LONG),
    ):
        # ``rules.absence_window``: periods that ended within the window, taken whole.
        first_end = as_of - dt.timedelta(days=7 * weeks - 1)
        offered = total = invalid = 0
        for end_date, period_offered, valid_minutes, invalid_minutes in attendance:
            if first_end <= end_date <= as_of:
                offered += period_offered
                total += valid_minutes + invalid_minutes
                invalid += invalid_minutes
        if offered > 0:
            values[total_name] = 100.0 * total / offered
            values[invalid_name] = 100.0 * invalid / offered


def feature_row(*, facts: rules.PupilFacts, as_of: dt.date, school_year: int) -> list[float]:
    """One pupil's features as of ``as_of``, in the order of ``FEATURES`` (NaN = unknown).

    Pure: the facts may hold anything; only what was known on ``as_of`` is used.
    """
    known = facts.as_of(as_of)
    values: dict[str, float] = {name: math.nan for name in FEATURE_NAMES}
    values[SCHOOL_YEAR] = float(school_year)

    grade_sets = _grade_sets(known)
    _grade_features(values, grade_sets, merit=merit_value)

    for weeks, total_name, invalid_name in (
        (SHORT_WEEKS, ABSENCE_SHORT, INVALID_ABSENCE_SHORT),
        (LONG_WEEKS, ABSENCE_LONG, INVALID_ABSENCE_LONG),
    ):
        window = rules.absence_window(known, as_of, weeks)
        if window is not None and window.offered > 0:
            values[total_name] = 100.0 * window.total / window.offered
            values[invalid_name] = 100.0 * window.invalid / window.offered

    courses = rules.course_grades(known)
    values[COURSE_POINTS_FAILED] = float(sum(c.points for c in courses if not c.passed))
    values[COURSE_POINTS_PASSED] = float(sum(c.points for c in courses if c.passed))
    return [values[name] for name in FEATURE_NAMES]


def _grade_sets(facts: rules.PupilFacts) -> list[dict[str, str]]:
    """Compulsory-school grade sets, newest first: the final grades when year 9 is done,
    then each term's grades completed with the final grades of subjects finished by then,
    as the projection rule reads them."""
    terms = rules.term_grade_sets(facts)
    sets = [rules.projection_for_term(facts, term) for term in terms]
    finals = rules.final_grades(facts)
    # Final grades come after the latest term's when year 9 is done. Final grades in a few
    # subjects finished early do not make a complete set: they only count as the latest
    # when they cover at least as much as the latest term does.
    if finals is not None and (
        not terms
        or (finals.registered_on >= terms[0].registered_on and len(finals.grades) >= len(sets[0]))
    ):
        sets.insert(0, dict(finals.grades))
    return [grades for grades in sets if grades]


def _grade_features(
    values: dict[str, float],
    grade_sets: Sequence[dict[str, str]],
    *,
    merit: Callable[..., float] = merit_value_of_clean,
) -> None:
    """The grade features of the newest grade set and the change since the one before, set
    in ``values``; nothing when there are no grades. The one reading of grade sets for
    ``feature_row`` and ``_row_from_collected``."""
    if not grade_sets:
        return
    latest = grade_sets[0]
    values[MERIT_VALUE] = merit(grades=latest)
    values[FAILED_SUBJECTS] = float(
        sum(
            1
            for subject, value in latest.items()
            if subject != LANGUAGE_CHOICE and value not in PASSING_GRADES
        )
    )
    values[CORE_SUBJECTS_FAILED] = float(_core_failed(latest))
    if len(grade_sets) > 1:
        values[MERIT_CHANGE] = values[MERIT_VALUE] - merit(grades=grade_sets[1])


def _core_failed(grades: dict[str, str]) -> int:
    """Swedish (SV or SVA: a pass in either meets it), English and maths without a pass,
    among those graded: the same reading as the core-subjects rule."""
    failed = 0
    swedish = [grades[code] for code in ("SV", "SVA") if code in grades]
    if swedish and not any(value in PASSING_GRADES for value in swedish):
        failed += 1
    for code in ("EN", "MA"):
        if code in grades and grades[code] not in PASSING_GRADES:
            failed += 1
    return failed


# --- Plain-language reasons -------------------------------------------------------------


def _percent(value: float) -> str:
    return rules.number(math.floor(value * 10) / 10) + " %"


def _count(value: float, one: str, many: str) -> str:
    n = int(value)
    return f"{n} {one if n == 1 else many}"


def reason_text(name: str, value: float | None) -> str:
    """What a feature's value says, in plain Swedish, for the explanation a mentor reads."""
    spec = FEATURES_BY_NAME[name]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"{spec.label}: uppgift saknas"
    if name == SCHOOL_YEAR:
        if value > UPPER_SECONDARY_OFFSET:
            return f"Går år {int(value) - UPPER_SECONDARY_OFFSET} i gymnasieskolan"
        return f"Går i årskurs {int(value)}"
    if name == MERIT_VALUE:
        return f"Meritvärde {rules.number(value)} i de senaste betygen"
    if name == FAILED_SUBJECTS:
        return _count(value, "ämne", "ämnen") + " utan godkänt betyg i de senaste betygen"
    if name == CORE_SUBJECTS_FAILED:
        return f"Inte godkänt i {int(value)} av svenska, engelska och matematik"
    if name == MERIT_CHANGE:
        if value < 0:
            return f"Meritvärdet har sjunkit {rules.number(-value)} poäng sedan terminen före"
        if value > 0:
            return f"Meritvärdet har stigit {rules.number(value)} poäng sedan terminen före"
        return "Meritvärdet är detsamma som terminen före"
    if name in (ABSENCE_SHORT, ABSENCE_LONG):
        weeks = "fyra" if name == ABSENCE_SHORT else "tolv"
        return f"Frånvaro {_percent(value)} de senaste {weeks} veckorna"
    if name in (INVALID_ABSENCE_SHORT, INVALID_ABSENCE_LONG):
        weeks = "fyra" if name == INVALID_ABSENCE_SHORT else "tolv"
        return f"Ogiltig frånvaro {_percent(value)} de senaste {weeks} veckorna"
    if name == COURSE_POINTS_FAILED:
        return f"{int(value)} gymnasiepoäng utan godkänt betyg"
    if name == COURSE_POINTS_PASSED:
        return f"{int(value)} godkända gymnasiepoäng"
    raise KeyError(name)
