"""Transparent risk rules: when a pupil's school data should prompt a person to look closer.

A pure domain module: no Django, no database. The input is a plain record of one pupil's
facts (``PupilFacts``: school type and year, grades, aggregated attendance); the output is
a list of ``RuleHit``s, each with the rule's id, a Swedish reason with the numbers filled
in and the exact numbers used (``evidence``), so that the person who receives the signal
can check it against the school's own records. A hit is a prompt for a human, never a
decision about a young person.

Point in time (DESIGN.md §4): ``evaluate`` first drops every fact that was not known on
the scoring date – a grade registered later, an attendance period that had not ended –
so the same facts scored on the same date always give the same answer, whenever it runs.

Thresholds are set per organisation (``RuleConfig``); ``RULES`` holds the defaults. The
sources for the defaults are in ``domain/swedish-rules-and-sources.md``: absence of 15 %
is the level Skolverket's national mapping used and research calls alarming, 10 % the
level called problematic (§4, "Absence thresholds"); failed course points are the
"points at risk" for the upper-secondary diploma (§3); merit value and eligibility come
from ``lotsen.school.merit`` (§2).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from lotsen.school.merit import (
    NO_GRADE,
    PASSING_GRADES,
    SUBJECT_NAMES,
    MeritError,
    assess,
    parse_grade,
)

# School types as SS 12000 names them (and ``lotsen.school.models.SchoolType`` stores them).
COMPULSORY = frozenset({"GR"})
COMPULSORY_ALL = frozenset({"GR", "GRS"})
UPPER_SECONDARY = frozenset({"GY", "GYS"})

TERM = "term"
FINAL = "final"
SPRING, AUTUMN = "VT", "HT"

# --- Messages ---------------------------------------------------------------------------

UNKNOWN_RULE = "okänd regel {rule_id}"
UNKNOWN_THRESHOLD = "regeln {rule_id} har ingen gräns som heter {name}"
THRESHOLD_NOT_A_NUMBER = "gränsen {name} för regeln {rule_id} ska vara ett tal"
THRESHOLD_NOT_WHOLE = "gränsen {name} för regeln {rule_id} ska vara ett heltal"
THRESHOLD_OUT_OF_RANGE = "gränsen {name} för regeln {rule_id} ska vara mellan {low} och {high}"
THRESHOLDS_NOT_A_MAPPING = "gränserna för regeln {rule_id} ska anges som namn och värde"


class RuleConfigError(ValueError):
    """A threshold setting that cannot be used; the message is Swedish and names the rule."""


# --- Facts ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GradeFact:
    """One grade as the school registered it. ``points`` is set for upper-secondary grades
    (course points, or the points of a subject level after the 2025 reform) and is None in
    compulsory school."""

    subject_code: str
    value: str
    kind: str  # TERM or FINAL
    registered_on: dt.date
    semester: str = ""  # SPRING or AUTUMN
    year: int | None = None
    course_code: str = ""
    points: int | None = None


@dataclass(frozen=True, kw_only=True)
class AttendanceFact:
    """Aggregated attendance for one period, in minutes (SS 12000 AggregatedAttendance)."""

    start_date: dt.date
    end_date: dt.date
    offered_minutes: int
    attended_minutes: int
    valid_absence_minutes: int = 0
    invalid_absence_minutes: int = 0


@dataclass(frozen=True, kw_only=True)
class PupilFacts:
    """What the school knows about one pupil. May hold facts from after the scoring date:
    ``as_of`` drops them, and ``evaluate`` always calls it first."""

    school_type: str
    school_year: int | None = None
    grades: tuple[GradeFact, ...] = ()
    attendance: tuple[AttendanceFact, ...] = ()

    def as_of(self, on: dt.date) -> PupilFacts:
        """Only what was known on ``on``: grades registered on or before it and attendance
        periods that had ended by then (an aggregate is only complete when its period is)."""
        return PupilFacts(
            school_type=self.school_type,
            school_year=self.school_year,
            grades=tuple(g for g in self.grades if g.registered_on <= on),
            attendance=tuple(a for a in self.attendance if a.end_date <= on),
        )


@dataclass(frozen=True, kw_only=True)
class RuleHit:
    rule_id: str
    reason: str
    evidence: dict[str, Any]


# --- Grade sets -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GradeSet:
    """Subject → grade for one term (or the final grades), with the term's name."""

    label: str
    grades: dict[str, str]
    registered_on: dt.date | None = None


def term_key(grade: GradeFact) -> tuple[int, int]:
    """(year, 0 for spring / 1 for autumn). Without a stated term, the registration date
    decides: autumn grades are set in December or January, spring grades in June."""
    if grade.year and grade.semester in (SPRING, AUTUMN):
        return grade.year, 0 if grade.semester == SPRING else 1
    day = grade.registered_on
    if day.month == 1:
        return day.year - 1, 1
    return day.year, 0 if day.month <= 7 else 1


def term_label(key: tuple[int, int]) -> str:
    year, half = key
    return f"{AUTUMN if half else SPRING} {year}"


@functools.lru_cache(maxsize=4096)
def _clean_value(value: str) -> str | None:
    # Pure, on a handful of distinct texts (A–F, a dash, a typo or two) among the hundred
    # grades of every pupil that each rule reads again.
    try:
        return parse_grade(text=value)
    except MeritError:
        return None


def _compulsory_grades(facts: PupilFacts) -> list[tuple[GradeFact, str, str]]:
    """Compulsory-school subject grades (no points) in subjects the merit rules know, with
    subject code and grade cleaned. Anything else (block grades, typos) is left out rather
    than guessed at."""
    result = []
    for grade in facts.grades:
        if grade.points is not None or grade.course_code:
            continue
        subject = grade.subject_code.strip().upper()
        value = _clean_value(grade.value)
        if subject in SUBJECT_NAMES and value is not None:
            result.append((grade, subject, value))
    return result


def term_grade_sets(facts: PupilFacts) -> list[GradeSet]:
    """Term grades per term, newest first. Within a term the latest registration of a
    subject wins (a corrected grade replaces the first one)."""
    terms: dict[tuple[int, int], dict[str, tuple[dt.date, str]]] = {}
    for grade, subject, value in _compulsory_grades(facts):
        if grade.kind != TERM:
            continue
        subjects = terms.setdefault(term_key(grade), {})
        if subject not in subjects or subjects[subject][0] <= grade.registered_on:
            subjects[subject] = (grade.registered_on, value)
    return [
        GradeSet(
            label=term_label(key),
            grades={s: v for s, (_, v) in sorted(terms[key].items())},
            registered_on=max(day for day, _ in terms[key].values()),
        )
        for key in sorted(terms, reverse=True)
    ]


def final_grades(facts: PupilFacts) -> GradeSet | None:
    """Final grades (slutbetyg) by subject, the latest registration of each."""
    subjects: dict[str, tuple[dt.date, str]] = {}
    for grade, subject, value in _compulsory_grades(facts):
        if grade.kind == FINAL and (
            subject not in subjects or subjects[subject][0] <= grade.registered_on
        ):
            subjects[subject] = (grade.registered_on, value)
    if not subjects:
        return None
    return GradeSet(
        label="slutbetyg",
        grades={s: v for s, (_, v) in sorted(subjects.items())},
        registered_on=max(day for day, _ in subjects.values()),
    )


def projection_grades(term: GradeSet, finals: GradeSet | None) -> dict[str, str]:
    """The grades a projection rests on: the term's grades, completed with the final
    grades of subjects the pupil had already finished by then (a subject that ends in
    year 8 gets its final grade then and no term grades after it)."""
    grades = dict(term.grades)
    if finals is not None:
        for subject, value in finals.grades.items():
            grades.setdefault(subject, value)
    return grades


def _finals_by(facts: PupilFacts, day: dt.date | None) -> GradeSet | None:
    """Final grades set by ``day``: a final grade only completes a term it preceded."""
    if day is None:
        return None
    return final_grades(PupilFacts(school_type=facts.school_type, grades=facts.as_of(day).grades))


@dataclass(frozen=True, kw_only=True)
class CourseGrade:
    key: str
    subject_code: str
    course_code: str
    points: int
    value: str
    registered_on: dt.date

    @property
    def passed(self) -> bool:
        return self.value in PASSING_GRADES


def course_grades(facts: PupilFacts) -> list[CourseGrade]:
    """Upper-secondary grades with points, the latest per course (or per subject level
    after the 2025 reform): a passed re-take (prövning) replaces an earlier F."""
    latest: dict[str, CourseGrade] = {}
    for grade in facts.grades:
        if grade.points is None:
            continue
        value = _clean_value(grade.value)
        if value is None:
            continue
        key = (grade.course_code or grade.subject_code).strip().upper()
        candidate = CourseGrade(
            key=key,
            subject_code=grade.subject_code.strip().upper(),
            course_code=grade.course_code.strip().upper(),
            points=grade.points,
            value=value,
            registered_on=grade.registered_on,
        )
        if key not in latest or latest[key].registered_on <= grade.registered_on:
            latest[key] = candidate
    return sorted(latest.values(), key=lambda c: (c.registered_on, c.key))


# --- Thresholds -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Threshold:
    default: float
    low: float
    high: float
    whole: bool = False
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class RuleConfig:
    """One organisation's setting for one rule: on or off, and overridden thresholds."""

    enabled: bool = True
    thresholds: Mapping[str, float] = field(default_factory=dict)


Check = Callable[[PupilFacts, dt.date, Mapping[str, float]], RuleHit | None]


@dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    title: str
    description: str
    school_types: frozenset[str]
    thresholds: Mapping[str, Threshold]
    check: Check

    def defaults(self) -> dict[str, float]:
        return {name: spec.default for name, spec in self.thresholds.items()}


def thresholds_clean(*, rule_id: str, thresholds: Any) -> dict[str, float]:
    """Validate overridden thresholds for a rule; raise ``RuleConfigError`` naming the
    rule and the threshold. Returns the overrides only (not merged with the defaults)."""
    rule = RULES_BY_ID.get(rule_id)
    if rule is None:
        raise RuleConfigError(UNKNOWN_RULE.format(rule_id=rule_id))
    if not isinstance(thresholds, Mapping):
        raise RuleConfigError(THRESHOLDS_NOT_A_MAPPING.format(rule_id=rule_id))
    cleaned: dict[str, float] = {}
    for name, value in thresholds.items():
        spec = rule.thresholds.get(name)
        if spec is None:
            raise RuleConfigError(UNKNOWN_THRESHOLD.format(rule_id=rule_id, name=name))
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise RuleConfigError(THRESHOLD_NOT_A_NUMBER.format(rule_id=rule_id, name=name))
        if spec.whole and value != int(value):
            raise RuleConfigError(THRESHOLD_NOT_WHOLE.format(rule_id=rule_id, name=name))
        if not spec.low <= value <= spec.high:
            raise RuleConfigError(
                THRESHOLD_OUT_OF_RANGE.format(
                    rule_id=rule_id, name=name, low=number(spec.low), high=number(spec.high)
                )
            )
        cleaned[name] = int(value) if spec.whole else value
    return cleaned


def thresholds_for(*, rule: Rule, config: RuleConfig | None) -> dict[str, float]:
    values = rule.defaults()
    if config is not None:
        values.update(thresholds_clean(rule_id=rule.id, thresholds=config.thresholds))
    return values


# --- Formatting -------------------------------------------------------------------------

_WEEK_WORDS = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta"}


def number(value: float | Fraction) -> str:
    """Swedish style: a whole number without decimals, otherwise one decimal with a comma."""
    if value == int(value):
        return str(int(value))
    return f"{float(value):.1f}".replace(".", ",")


def percent_floor(part: int, whole: int) -> Fraction:
    """``part`` of ``whole`` in per cent, cut (not rounded) to one decimal, so that a shown
    value never reaches a threshold that the exact value does not reach."""
    return Fraction(math.floor(Fraction(part * 1000, whole)), 10)


def _weeks_phrase(weeks: int) -> str:
    if weeks == 1:
        return "den senaste veckan"
    return f"de senaste {_WEEK_WORDS.get(weeks, str(weeks))} veckorna"


def _reaches(part: int, whole: int, threshold_percent: float) -> bool:
    # Exact arithmetic: 5 % of 1 000 minutes is exactly 50 minutes, and 50 reaches it.
    return Fraction(part * 100, whole) >= Fraction(str(threshold_percent))


def _join(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " och " + items[-1]


# --- Attendance rules -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AbsenceWindow:
    start: dt.date
    end: dt.date
    periods: int
    offered: int
    valid: int
    invalid: int

    @property
    def total(self) -> int:
        return self.valid + self.invalid


def absence_window(facts: PupilFacts, on: dt.date, weeks: int) -> AbsenceWindow | None:
    """Attendance periods that ended within the ``weeks`` weeks up to and including ``on``,
    summed. Periods are the school's aggregates (a week, a month): a period is taken whole,
    and the evidence names the dates it covers."""
    first_end = on - dt.timedelta(days=7 * weeks - 1)
    periods = [a for a in facts.attendance if first_end <= a.end_date <= on]
    if not periods:
        return None
    return AbsenceWindow(
        start=min(a.start_date for a in periods),
        end=max(a.end_date for a in periods),
        periods=len(periods),
        offered=sum(a.offered_minutes for a in periods),
        valid=sum(a.valid_absence_minutes for a in periods),
        invalid=sum(a.invalid_absence_minutes for a in periods),
    )


def _absence_evidence(window: AbsenceWindow, thresholds: Mapping[str, float]) -> dict[str, Any]:
    return {
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        "periods": window.periods,
        "offered_minutes": window.offered,
        "valid_absence_minutes": window.valid,
        "invalid_absence_minutes": window.invalid,
        "invalid_percent": float(percent_floor(window.invalid, window.offered)),
        "total_percent": float(percent_floor(window.total, window.offered)),
        "threshold_percent": thresholds["percent"],
        "weeks": int(thresholds["weeks"]),
    }


def _window_for(
    facts: PupilFacts, on: dt.date, thresholds: Mapping[str, float]
) -> AbsenceWindow | None:
    window = absence_window(facts, on, int(thresholds["weeks"]))
    # Too little scheduled time makes a percentage say more than it knows.
    if window is None or window.offered == 0 or window.offered < thresholds["min_offered_minutes"]:
        return None
    return window


def _invalid_absence_hit(
    rule_id: str, facts: PupilFacts, on: dt.date, thresholds: Mapping[str, float], tail: str = ""
) -> RuleHit | None:
    window = _window_for(facts, on, thresholds)
    if window is None or not _reaches(window.invalid, window.offered, thresholds["percent"]):
        return None
    reason = (
        f"Ogiltig frånvaro {number(percent_floor(window.invalid, window.offered))} % "
        f"{_weeks_phrase(int(thresholds['weeks']))} (gräns {number(thresholds['percent'])} %)"
    )
    return RuleHit(
        rule_id=rule_id, reason=reason + tail, evidence=_absence_evidence(window, thresholds)
    )


def _check_invalid_absence(facts, on, thresholds):
    return _invalid_absence_hit(ABSENCE_INVALID, facts, on, thresholds)


def _check_total_absence(facts, on, thresholds):
    window = _window_for(facts, on, thresholds)
    if window is None or not _reaches(window.total, window.offered, thresholds["percent"]):
        return None
    reason = (
        f"Frånvaro {number(percent_floor(window.total, window.offered))} % "
        f"{_weeks_phrase(int(thresholds['weeks']))}, varav ogiltig "
        f"{number(percent_floor(window.invalid, window.offered))} % "
        f"(gräns {number(thresholds['percent'])} %)"
    )
    return RuleHit(
        rule_id=ABSENCE_TOTAL, reason=reason, evidence=_absence_evidence(window, thresholds)
    )


def _check_upper_secondary_absence(facts, on, thresholds):
    # Skollagen 15 kap. 15 §: the organiser reports a pupil under 20 who is absent without
    # a valid reason "to a significant extent" to the home municipality. The law sets no
    # percentage, so the rule only prompts the question; a person decides.
    return _invalid_absence_hit(
        UPPER_SECONDARY_ABSENCE,
        facts,
        on,
        thresholds,
        tail=". Bedöm om frånvaron ska anmälas till elevens hemkommun (skollagen 15 kap. 15 §).",
    )


def _check_absence_watch(facts, on, thresholds):
    # The watch schools already keep: any absence, valid or not, above a share of the
    # scheduled time over a window (10 % over four weeks by default, the level research
    # calls problematic). Lower than "Hög frånvaro" on purpose: it is the early look.
    window = _window_for(facts, on, thresholds)
    if window is None or not _reaches(window.total, window.offered, thresholds["percent"]):
        return None
    reason = (
        f"Frånvaro {number(percent_floor(window.total, window.offered))} % "
        f"{_weeks_phrase(int(thresholds['weeks']))} (bevakning från "
        f"{number(thresholds['percent'])} %)"
    )
    return RuleHit(
        rule_id=ABSENCE_WATCH, reason=reason, evidence=_absence_evidence(window, thresholds)
    )


def absent_days_in_a_row(
    facts: PupilFacts, on: dt.date, weeks: int
) -> tuple[int, dt.date, dt.date] | None:
    """The longest run of whole school days absent among the day-long attendance periods
    that ended in the ``weeks`` weeks up to ``on``: (days, first day, last day), or None.

    Only schools that send attendance per day (periods of one day) can tell days in a row;
    a week's or month's aggregate says nothing about it, and is left out. A day with any
    attendance ends a run; days without a period (weekends, holidays) do not.
    """
    first_end = on - dt.timedelta(days=7 * weeks - 1)
    days = sorted(
        (
            a
            for a in facts.attendance
            if a.start_date == a.end_date
            and first_end <= a.end_date <= on
            and a.offered_minutes > 0
        ),
        key=lambda a: a.end_date,
    )
    best: tuple[int, dt.date, dt.date] | None = None
    run_start: dt.date | None = None
    run = 0
    for day in days:
        if day.attended_minutes == 0:
            run_start = run_start if run else day.end_date
            run += 1
            if best is None or run > best[0]:
                best = (run, run_start, day.end_date)
        else:
            run, run_start = 0, None
    return best


def _check_absence_streak(facts, on, thresholds):
    found = absent_days_in_a_row(facts, on, int(thresholds["weeks"]))
    if found is None or found[0] < thresholds["days"]:
        return None
    days, first, last = found
    reason = (
        f"Frånvarande {days} skoldagar i rad, {first.isoformat()}–{last.isoformat()} "
        f"(gräns {number(thresholds['days'])} dagar)"
    )
    return RuleHit(
        rule_id=ABSENCE_STREAK,
        reason=reason,
        evidence={
            "days": days,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "threshold_days": thresholds["days"],
            "weeks": int(thresholds["weeks"]),
        },
    )


# --- Grade rules ------------------------------------------------------------------------

CORE_RULE_SUBJECTS = ("SV", "SVA", "EN", "MA")


def _grade_words(value: str) -> str:
    return "streck, inget betyg" if value == NO_GRADE else value


def _check_core_subjects(facts, on, thresholds):
    terms = term_grade_sets(facts)
    if not terms:
        return None
    latest = terms[0]
    grades = latest.grades
    failed: dict[str, str] = {}
    # Svenska and svenska som andraspråk are one requirement: a pass in either meets it,
    # so a streck in the one the pupil does not read is no cause for concern.
    swedish = {code: grades[code] for code in ("SV", "SVA") if code in grades}
    if swedish and not any(value in PASSING_GRADES for value in swedish.values()):
        failed.update(swedish)
    for code in ("EN", "MA"):
        if code in grades and grades[code] not in PASSING_GRADES:
            failed[code] = grades[code]
    if not failed:
        return None
    items = [f"{SUBJECT_NAMES[code]} ({_grade_words(value)})" for code, value in failed.items()]
    reason = f"Inte godkänt i {_join(items)} – terminsbetyg {latest.label}"
    return RuleHit(
        rule_id=CORE_SUBJECTS_NOT_PASSED,
        reason=reason,
        evidence={"term": latest.label, "grades": failed},
    )


def projection_for_term(facts: PupilFacts, term: GradeSet) -> dict[str, str]:
    """The grades a projection for ``term`` rests on (see ``projection_grades``)."""
    return projection_grades(term, _finals_by(facts, term.registered_on))


def latest_projection(facts: PupilFacts) -> tuple[GradeSet, dict[str, str]] | None:
    """The latest term and the grades its projection rests on; None without term grades."""
    terms = term_grade_sets(facts)
    if not terms:
        return None
    return terms[0], projection_for_term(facts, terms[0])


def _check_projected_eligibility(facts, on, thresholds):
    if facts.school_year is None or facts.school_year < thresholds["from_school_year"]:
        return None
    projection = latest_projection(facts)
    if projection is None:
        return None
    latest, grades = projection
    assessment = assess(grades=grades, basis="projected")
    vocational = assessment.eligibility["yrkesprogram"]
    if vocational.eligible:
        return None
    reason = (
        f"Prognos utifrån terminsbetyg {latest.label}: inte behörig till yrkesprogram – "
        f"{vocational.reason}"
    )
    return RuleHit(
        rule_id=PROJECTED_NOT_ELIGIBLE,
        reason=reason,
        evidence={
            "term": latest.label,
            "basis": "projected",
            "programme": "yrkesprogram",
            "merit_value": assessment.merit_value,
            "missing": vocational.missing.items(),
            "grades": grades,
        },
    )


def _check_merit_drop(facts, on, thresholds):
    terms = term_grade_sets(facts)
    if len(terms) < 2:
        return None
    latest, previous = terms[0], terms[1]
    now = assess(grades=projection_for_term(facts, latest), basis="projected").merit_value
    before = assess(grades=projection_for_term(facts, previous), basis="projected").merit_value
    drop = before - now
    if drop < thresholds["points"]:
        return None
    reason = (
        f"Meritvärdet har sjunkit {number(drop)} poäng, från {number(before)} till "
        f"{number(now)}, mellan {previous.label} och {latest.label} "
        f"(gräns {number(thresholds['points'])} poäng)"
    )
    return RuleHit(
        rule_id=MERIT_DROP,
        reason=reason,
        evidence={
            "previous_term": previous.label,
            "latest_term": latest.label,
            "previous_merit_value": before,
            "latest_merit_value": now,
            "drop": drop,
            "threshold_points": thresholds["points"],
        },
    )


def _check_failed_course_points(facts, on, thresholds):
    courses = course_grades(facts)
    failed = [c for c in courses if not c.passed]
    failed_points = sum(c.points for c in failed)
    if not failed or failed_points < thresholds["points"]:
        return None
    count = len(failed)
    reason = (
        f"{count} {'kurs' if count == 1 else 'kurser'} utan godkänt betyg, "
        f"sammanlagt {failed_points} poäng (gräns {number(thresholds['points'])} poäng)"
    )
    return RuleHit(
        rule_id=COURSE_POINTS_FAILED,
        reason=reason,
        evidence={
            "failed_points": failed_points,
            "passed_points": sum(c.points for c in courses if c.passed),
            "threshold_points": thresholds["points"],
            "courses": [
                {
                    "course": c.course_code or c.subject_code,
                    "points": c.points,
                    "grade": c.value,
                    "registered_on": c.registered_on.isoformat(),
                }
                for c in failed
            ],
        },
    )


# --- The rules --------------------------------------------------------------------------

ABSENCE_INVALID = "absence_invalid"
ABSENCE_TOTAL = "absence_total"
CORE_SUBJECTS_NOT_PASSED = "core_subjects_not_passed"
PROJECTED_NOT_ELIGIBLE = "projected_not_eligible"
MERIT_DROP = "merit_drop"
COURSE_POINTS_FAILED = "course_points_failed"
UPPER_SECONDARY_ABSENCE = "upper_secondary_absence"
ABSENCE_WATCH = "absence_watch"
ABSENCE_STREAK = "absence_streak"
# Rules whose thresholds may also be set per school role (``role_hits``).
ROLE_RULES = frozenset({ABSENCE_WATCH, ABSENCE_STREAK})


def _absence_thresholds(percent: float) -> dict[str, Threshold]:
    return {
        "percent": Threshold(default=percent, low=0.1, high=100, label="procent av schemalagd tid"),
        "weeks": Threshold(default=4, low=1, high=8, whole=True, label="antal veckor bakåt"),
        "min_offered_minutes": Threshold(
            default=600, low=0, high=100_000, whole=True, label="minst så här många minuter schema"
        ),
    }


RULES: tuple[Rule, ...] = (
    Rule(
        id=ABSENCE_INVALID,
        title="Ogiltig frånvaro",
        description="Ogiltig frånvaro de senaste veckorna, som andel av schemalagd tid.",
        school_types=COMPULSORY_ALL,
        thresholds=_absence_thresholds(5),
        check=_check_invalid_absence,
    ),
    Rule(
        id=ABSENCE_TOTAL,
        title="Hög frånvaro",
        description="All frånvaro, giltig och ogiltig, de senaste veckorna.",
        school_types=COMPULSORY_ALL | UPPER_SECONDARY,
        thresholds=_absence_thresholds(15),
        check=_check_total_absence,
    ),
    Rule(
        id=CORE_SUBJECTS_NOT_PASSED,
        title="Inte godkänt i svenska, engelska eller matematik",
        description="F eller streck i svenska/svenska som andraspråk, engelska eller matematik "
        "i de senaste terminsbetygen.",
        school_types=COMPULSORY,
        thresholds={},
        check=_check_core_subjects,
    ),
    Rule(
        id=PROJECTED_NOT_ELIGIBLE,
        title="Prognos: inte behörig till yrkesprogram",
        description="De senaste terminsbetygen räcker inte för behörighet till ett yrkesprogram.",
        school_types=COMPULSORY,
        thresholds={
            "from_school_year": Threshold(
                default=8, low=6, high=9, whole=True, label="från årskurs"
            ),
        },
        check=_check_projected_eligibility,
    ),
    Rule(
        id=MERIT_DROP,
        title="Sjunkande meritvärde",
        description="Meritvärdet (prognos) har sjunkit mellan de två senaste terminerna.",
        school_types=COMPULSORY,
        thresholds={"points": Threshold(default=20, low=2.5, high=340, label="meritpoäng")},
        check=_check_merit_drop,
    ),
    Rule(
        id=COURSE_POINTS_FAILED,
        title="Kurser utan godkänt betyg",
        description="Gymnasiepoäng med betyget F eller streck växer.",
        school_types=UPPER_SECONDARY,
        thresholds={
            "points": Threshold(default=150, low=1, high=2500, whole=True, label="gymnasiepoäng")
        },
        check=_check_failed_course_points,
    ),
    Rule(
        id=UPPER_SECONDARY_ABSENCE,
        title="Betydande ogiltig frånvaro",
        description="Ogiltig frånvaro i gymnasieskolan som kan behöva anmälas till hemkommunen.",
        school_types=UPPER_SECONDARY,
        thresholds=_absence_thresholds(10),
        check=_check_upper_secondary_absence,
    ),
    Rule(
        id=ABSENCE_WATCH,
        title="Frånvarobevakning",
        description="All frånvaro över en andel av schemalagd tid under en period, "
        "som skolornas egen frånvarobevakning (10 % under fyra veckor om inget annat anges).",
        school_types=COMPULSORY_ALL | UPPER_SECONDARY,
        thresholds=_absence_thresholds(10),
        check=_check_absence_watch,
    ),
    Rule(
        id=ABSENCE_STREAK,
        title="Frånvarande flera dagar i rad",
        description="Hela skoldagar utan närvaro i följd, när skolan lämnar närvaro per dag.",
        school_types=COMPULSORY_ALL | UPPER_SECONDARY,
        thresholds={
            "days": Threshold(default=3, low=2, high=30, whole=True, label="dagar i rad"),
            "weeks": Threshold(default=4, low=1, high=8, whole=True, label="antal veckor bakåt"),
        },
        check=_check_absence_streak,
    ),
)
RULES_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}
RULE_IDS: tuple[str, ...] = tuple(RULES_BY_ID)
# The longest attendance window any setting may ask for: what a caller must load.
MAX_WINDOW_DAYS = 7 * int(max(r.thresholds["weeks"].high for r in RULES if "weeks" in r.thresholds))


def rule_title(rule_id: str) -> str:
    rule = RULES_BY_ID.get(rule_id)
    return rule.title if rule else rule_id


def evaluate(
    *, facts: PupilFacts, on: dt.date, configs: Mapping[str, RuleConfig] | None = None
) -> list[RuleHit]:
    """Every rule that applies to the pupil's school type, on the facts known on ``on``, in
    the order of ``RULES``. ``configs`` maps rule id → the organisation's setting."""
    configs = configs or {}
    known = facts.as_of(on)
    hits: list[RuleHit] = []
    for rule in RULES:
        config = configs.get(rule.id)
        if facts.school_type not in rule.school_types or (config and not config.enabled):
            continue
        hit = rule.check(known, on, thresholds_for(rule=rule, config=config))
        if hit is not None:
            hits.append(hit)
    return hits


def evaluate_with_roles(
    *,
    facts: PupilFacts,
    on: dt.date,
    configs: Mapping[str, RuleConfig] | None = None,
    role_configs: Mapping[str, Mapping[str, RuleConfig]] | None = None,
) -> list[RuleHit]:
    """``evaluate``, and for the absence watch (``ROLE_RULES``) also each role's own
    thresholds (role → rule id → setting). A watch rule's hit names in ``evidence["roles"]``
    the roles whose thresholds the pupil reached, so that they are told; a role with a
    lower threshold than the school's raises the reason on its own (with its threshold)."""
    configs = configs or {}
    role_configs = role_configs or {}
    hits = {hit.rule_id: hit for hit in evaluate(facts=facts, on=on, configs=configs)}
    known = facts.as_of(on)
    for rule in RULES:
        if rule.id not in ROLE_RULES or facts.school_type not in rule.school_types:
            continue
        base = configs.get(rule.id)
        if base is not None and not base.enabled:
            continue
        roles: list[str] = []
        first_role_hit: RuleHit | None = None
        for role in sorted(role_configs):
            config = role_configs[role].get(rule.id)
            if config is None or not config.enabled:
                continue
            merged = RuleConfig(
                thresholds={**(base.thresholds if base else {}), **config.thresholds}
            )
            hit = rule.check(known, on, thresholds_for(rule=rule, config=merged))
            if hit is not None:
                roles.append(role)
                first_role_hit = first_role_hit or hit
        if not roles:
            continue
        hit = hits.get(rule.id) or first_role_hit
        hits[rule.id] = RuleHit(
            rule_id=hit.rule_id, reason=hit.reason, evidence={**hit.evidence, "roles": roles}
        )
    return [hits[rule.id] for rule in RULES if rule.id in hits]
