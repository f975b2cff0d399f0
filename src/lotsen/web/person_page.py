"""The person page's school section: a composite of school data and early warning.

School owns the rows (enrolments, grades, attendance) and early warning owns what they
mean (terms, merit value, eligibility, course points, signals, the learned model's score).
Neither may import the other's reader, so the page that shows them together is put
together here, on the top floor, and the read is logged once per person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db import transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.earlywarning import rules
from lotsen.earlywarning.models import Signal
from lotsen.earlywarning.selectors import RiskView, risk_view_for_person, signals_for_person
from lotsen.earlywarning.services import grade_fact
from lotsen.people.models import Person
from lotsen.privacy.door import persons_shown
from lotsen.privacy.models import Action, Purpose
from lotsen.privacy.policy import purpose_for
from lotsen.school.merit import (
    PROGRAMME_NAMES,
    PROGRAMMES,
    SUBJECT_CODES,
    SUBJECT_NAMES,
    Assessment,
    ProgrammeEligibility,
    assess,
)
from lotsen.school.models import AttendancePeriod, Enrolment
from lotsen.school.selectors import school_records_for_person


@dataclass(frozen=True, kw_only=True)
class GradeRow:
    subject_code: str
    subject_name: str
    latest_term: str = ""
    previous_term: str = ""
    final: str = ""


@dataclass(frozen=True, kw_only=True)
class EligibilityRow:
    programme: str
    name: str
    final: ProgrammeEligibility | None
    projected: ProgrammeEligibility | None


@dataclass(frozen=True, kw_only=True)
class AttendanceRow:
    start_date: dt.date
    end_date: dt.date
    offered_minutes: int
    attended_minutes: int
    valid_absence_minutes: int
    invalid_absence_minutes: int

    @property
    def absence_minutes(self) -> int:
        return self.valid_absence_minutes + self.invalid_absence_minutes

    def _percent(self, minutes: int) -> float:
        if not self.offered_minutes:
            return 0.0
        return float(rules.percent_floor(minutes, self.offered_minutes))

    @property
    def valid_percent(self) -> float:
        return self._percent(self.valid_absence_minutes)

    @property
    def invalid_percent(self) -> float:
        return self._percent(self.invalid_absence_minutes)

    @property
    def absence_percent(self) -> float:
        return self._percent(self.absence_minutes)


@dataclass(frozen=True, kw_only=True)
class SchoolOverview:
    """The school section of a person's page."""

    enrolments: list[Enrolment]
    latest_term: str = ""
    previous_term: str = ""
    grade_rows: list[GradeRow] = field(default_factory=list)
    courses: list[rules.CourseGrade] = field(default_factory=list)
    final: Assessment | None = None
    projected: Assessment | None = None
    eligibility: list[EligibilityRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    # The learned model's latest assessment, for the school that acts on it only.
    risk: RiskView | None = None

    @property
    def failed_course_points(self) -> int:
        return sum(c.points for c in self.courses if not c.passed)

    @property
    def passed_course_points(self) -> int:
        return sum(c.points for c in self.courses if c.passed)


@transaction.atomic
def school_overview_for_person(
    *, actor: Actor, person: Person, purpose: str | None = None, today: dt.date | None = None
) -> SchoolOverview | None:
    """Grades, merit value (final and projected), eligibility per programme, attendance and
    the signals the actor works with, for one person; None when the actor's basis does not
    cover school data or there is none. ``purpose`` defaults to the actor's own; the
    person page passes the purpose it reached the person under (emergency access)."""
    purpose = purpose or purpose_for(actor)
    if purpose is None:
        return None
    today = today or timezone.localdate()
    records = school_records_for_person(actor=actor, person=person, purpose=purpose, today=today)
    if records is None:
        return None

    facts = rules.PupilFacts(
        school_type=records.enrolments[0].school_type if records.enrolments else "",
        grades=tuple(grade_fact(grade) for grade in records.grades),
    )
    signals = signals_for_person(actor=actor, person=person, purpose=purpose)
    risk = risk_view_for_person(actor=actor, person=person, purpose=purpose)
    if not (records or signals or risk):
        return None

    overview = replace(_overview(records.enrolments, facts, records.attendance, signals), risk=risk)
    # School's selector passed the policy for this person and purpose above; the signals and
    # the score were read through early warning's own filter. The section is one read.
    persons_shown(
        actor=actor,
        action=Action.EMERGENCY if purpose == Purpose.EMERGENCY else Action.VIEW,
        purpose=purpose,
        person_ids=[person.pk],
        object_type="school_overview",
    )
    return overview


def _overview(
    enrolments: list[Enrolment],
    facts: rules.PupilFacts,
    periods: list[AttendancePeriod],
    signals: list[Signal],
) -> SchoolOverview:
    terms = rules.term_grade_sets(facts)
    finals = rules.final_grades(facts)
    latest = terms[0] if terms else None
    previous = terms[1] if len(terms) > 1 else None

    subjects = set(finals.grades if finals else ())
    for term in (latest, previous):
        if term is not None:
            subjects |= set(term.grades)
    grade_rows = [
        GradeRow(
            subject_code=code,
            subject_name=SUBJECT_NAMES[code],
            latest_term=latest.grades.get(code, "") if latest else "",
            previous_term=previous.grades.get(code, "") if previous else "",
            final=finals.grades.get(code, "") if finals else "",
        )
        for code in SUBJECT_CODES
        if code in subjects
    ]

    final = assess(grades=finals.grades, basis="final") if finals else None
    projected = None
    if latest is not None:
        projected = assess(grades=rules.projection_for_term(facts, latest), basis="projected")
    eligibility = []
    if final or projected:
        eligibility = [
            EligibilityRow(
                programme=programme,
                name=PROGRAMME_NAMES[programme],
                final=final.eligibility[programme] if final else None,
                projected=projected.eligibility[programme] if projected else None,
            )
            for programme in PROGRAMMES
        ]

    attendance = [
        AttendanceRow(
            start_date=p.start_date,
            end_date=p.end_date,
            offered_minutes=p.offered_minutes,
            attended_minutes=p.attended_minutes,
            valid_absence_minutes=p.valid_absence_minutes,
            invalid_absence_minutes=p.invalid_absence_minutes,
        )
        for p in reversed(periods)
    ]
    return SchoolOverview(
        enrolments=enrolments,
        latest_term=latest.label if latest else "",
        previous_term=previous.label if previous else "",
        grade_rows=grade_rows,
        courses=rules.course_grades(facts),
        final=final,
        projected=projected,
        eligibility=eligibility,
        attendance=attendance,
        signals=signals,
    )
