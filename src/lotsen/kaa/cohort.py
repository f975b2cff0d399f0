"""Who the municipal activity responsibility (KAA) covers, on which days, and why.

Pure module: no Django. The database layer (``kaa.services``) loads one ``PersonFacts`` per
young person and asks this module for their membership intervals.

A person belongs to municipality M's cohort on day D when all of these hold
(skollagen 29 kap. 9 § as amended 1 July 2018; 29 kap. 6 § for hemkommun; Skolverket,
"Kommunernas aktivitetsansvar för ungdomar"; see domain/swedish-rules-and-sources.md §1.1):

1. they are registered (folkbokförd) in M on D, and not as an asylum seeker
   (asylum seekers are not covered: Skolverket, utbildningsguiden);
2. they have not turned 20 on D;
3. they have completed compulsory school: no active GR/GRS enrolment on D, and either a
   GR/GRS enrolment that ended before D (in the final year, when the year is known) or they
   are 16 or older on D ("folkbokförda at an age when they no longer have skolplikt");
4. they are not in upper-secondary school on D: no active GY or GYS enrolment (introduction
   programmes included since 1 July 2018) and no education registered as equivalent;
5. they hold no gymnasieexamen or gymnasiesärskolebevis (nor completed equivalent
   education with a pass) dated on or before D. A studiebevis does not count (SKR: "För
   fullföljd utbildning måste examensbevis finnas. Studiebevis är inte tillräckligt").

Dates: an enrolment is active from its start date to its end date, both included.
``moved_out`` is the first day the person is registered elsewhere, so consecutive
residence periods hand over without a gap or an overlap. A person born on 29 February
turns a year older on 1 March in a year without that day.

One rule is ours, not the law's: the **summer bridge**. The holiday between two school
years is not time "outside upper-secondary school" when the next enrolment is already
recorded (a pupil admitted to year 1, or changing school over the summer). A gap of at
most ``Rules.bridge_days`` between the end of any enrolment and the start of an
upper-secondary or equivalent one counts as enrolled. Without it every year group would
pass through the cohort each summer. ``Rules(bridge_days=0)`` turns it off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)

COMPULSORY_SCHOOL_TYPES = frozenset({"GR", "GRS"})
UPPER_SECONDARY_SCHOOL_TYPES = frozenset({"GY", "GYS"})
# Education that counts as "equivalent" without anybody's judgement: municipal adult
# education at upper-secondary level takes a young person out of the KAA (Skaraborg KAA
# handbook, see the rules document §1.4). Other education (folkhögskola, IB or studies
# abroad) is registered by the coordinator, who judges it equivalent; it arrives here with
# school type EQUIVALENT.
EQUIVALENT = "EQ"
EQUIVALENT_SCHOOL_TYPES = frozenset({"VUXGY", "SARVUXGY", EQUIVALENT})
# Introduction programmes (IMV, IMY, IMA, IMS, IMPRE, and "IM" where a source does not say
# which) all start with IM; national programme codes never do.
INTRODUCTION_PROGRAMME_PREFIX = "IM"
COMPULSORY_FINAL_YEAR = 9

# Completed qualifications. Only the first two end the activity responsibility, together
# with completed equivalent education.
QUALIFICATION_EXAMEN = "gymnasieexamen"
QUALIFICATION_GYS_CERTIFICATE = "gymnasiesarskolebevis"
QUALIFICATION_STUDIEBEVIS = "studiebevis"
QUALIFICATION_EQUIVALENT = "equivalent_completed"
QUALIFICATION_KINDS = (
    QUALIFICATION_EXAMEN,
    QUALIFICATION_GYS_CERTIFICATE,
    QUALIFICATION_STUDIEBEVIS,
    QUALIFICATION_EQUIVALENT,
)
ENDING_QUALIFICATIONS = frozenset(
    {QUALIFICATION_EXAMEN, QUALIFICATION_GYS_CERTIFICATE, QUALIFICATION_EQUIVALENT}
)

# How an enrolment ended, read from the source's free-text end reason.
OUTCOME_EXAMEN = "examen"
OUTCOME_GYS_CERTIFICATE = "gymnasiesarskolebevis"
OUTCOME_STUDIEBEVIS = "studiebevis"
OUTCOME_NONE = ""

# Why a person entered the cohort. ``school_reason`` is always one of the first four: the
# national collection asks for the latest school-related occupation at registration, also
# for those whose entry was a move.
REASON_DROPPED_OUT = "dropped_out"
REASON_STUDIEBEVIS = "studiebevis"
REASON_NEVER_STARTED = "never_started"
REASON_LEFT_INTRODUCTION = "left_introduction"
REASON_MOVED_IN = "moved_in"
SCHOOL_REASONS = (
    REASON_DROPPED_OUT,
    REASON_STUDIEBEVIS,
    REASON_NEVER_STARTED,
    REASON_LEFT_INTRODUCTION,
)
REASONS = (*SCHOOL_REASONS, REASON_MOVED_IN)

# Why a membership ended.
LEFT_TURNED_20 = "turned_20"
LEFT_STARTED_STUDIES = "started_studies"
LEFT_MOVED_AWAY = "moved_away"
LEFT_QUALIFICATION = "qualification"
LEFT_OTHER = "other"
LEFT_REASONS = (
    LEFT_TURNED_20,
    LEFT_STARTED_STUDIES,
    LEFT_MOVED_AWAY,
    LEFT_QUALIFICATION,
    LEFT_OTHER,
)

# Why a person is not in the cohort on a day (several can hold at once).
NOT_REGISTERED = "not_registered"
ASYLUM_SEEKER = "asylum_seeker"
TURNED_20 = "turned_20"
COMPULSORY_NOT_COMPLETED = "compulsory_not_completed"
IN_UPPER_SECONDARY = "in_upper_secondary"
QUALIFIED = "qualified"


@dataclass(frozen=True)
class Rules:
    # Mid-June to mid-August is about 66 days; 75 covers it and the Christmas break, but
    # not a spring dropout who is admitted again in the autumn.
    bridge_days: int = 75


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Residence:
    """A period of registration (folkbokföring) in one municipality."""

    municipality_code: str
    moved_in: dt.date | None = None  # None: registered there since before anything we know
    moved_out: dt.date | None = None  # first day registered elsewhere; None: still there
    asylum_seeker: bool = False

    def covers(self, day: dt.date) -> bool:
        return (self.moved_in is None or self.moved_in <= day) and (
            self.moved_out is None or day < self.moved_out
        )


@dataclass(frozen=True)
class Schooling:
    """An enrolment, or education registered as equivalent (school type ``EQ``)."""

    school_type: str
    start: dt.date
    end: dt.date | None = None  # last day enrolled; None: still enrolled
    programme: str = ""
    school_year: int | None = None
    outcome: str = OUTCOME_NONE

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def is_compulsory(self) -> bool:
        return self.school_type in COMPULSORY_SCHOOL_TYPES

    @property
    def is_upper_secondary(self) -> bool:
        return (
            self.school_type in UPPER_SECONDARY_SCHOOL_TYPES
            or self.school_type in EQUIVALENT_SCHOOL_TYPES
        )

    @property
    def is_introduction(self) -> bool:
        return (
            self.school_type in UPPER_SECONDARY_SCHOOL_TYPES
            and self.programme.upper().startswith(INTRODUCTION_PROGRAMME_PREFIX)
        )


@dataclass(frozen=True)
class Qualification:
    kind: str
    awarded_on: dt.date


@dataclass(frozen=True)
class PersonFacts:
    birth_date: dt.date
    residences: tuple[Residence, ...] = ()
    schooling: tuple[Schooling, ...] = ()
    qualifications: tuple[Qualification, ...] = ()


@dataclass(frozen=True)
class Interval:
    """One continuous membership: from ``entered`` (first day in) to ``left`` (first day
    out; None while still in on the day asked about)."""

    entered: dt.date
    reason: str
    school_reason: str
    left: dt.date | None = None
    left_reason: str = ""

    def covers(self, day: dt.date) -> bool:
        return self.entered <= day and (self.left is None or day < self.left)


def turns(birth_date: dt.date, years: int) -> dt.date:
    """The day a person born on ``birth_date`` turns ``years`` (29 February → 1 March)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return dt.date(birth_date.year + years, 3, 1)


def outcome_from_end_reason(text: str) -> str:
    """Read a source's free-text end reason ("Gymnasieexamen", "Studiebevis", "Avbrott")."""
    lowered = (text or "").strip().lower()
    if not lowered:
        return OUTCOME_NONE
    if "studiebevis" in lowered:
        return OUTCOME_STUDIEBEVIS
    if "särskolebevis" in lowered or "sarskolebevis" in lowered or "gymnasieskolebevis" in lowered:
        return OUTCOME_GYS_CERTIFICATE
    if "examen" in lowered:
        return OUTCOME_EXAMEN
    return OUTCOME_NONE


@dataclass
class _Prepared:
    """One person's facts arranged for many questions about different days."""

    facts: PersonFacts
    municipality_code: str
    rules: Rules
    turns_16: dt.date = field(init=False)
    turns_20: dt.date = field(init=False)
    here: list[Residence] = field(init=False)
    compulsory: list[Schooling] = field(init=False)
    upper_secondary: list[Schooling] = field(init=False)
    covers: list[tuple[dt.date, dt.date | None]] = field(init=False)
    ending_qualification_dates: list[dt.date] = field(init=False)
    studiebevis_dates: list[dt.date] = field(init=False)

    def __post_init__(self) -> None:
        facts = self.facts
        self.turns_16 = turns(facts.birth_date, 16)
        self.turns_20 = turns(facts.birth_date, 20)
        self.here = [r for r in facts.residences if r.municipality_code == self.municipality_code]
        self.compulsory = [s for s in facts.schooling if s.is_compulsory]
        self.upper_secondary = sorted(
            (s for s in facts.schooling if s.is_upper_secondary), key=lambda s: s.start
        )
        self.covers = self._upper_secondary_covers()
        qualifications = list(facts.qualifications) + [
            Qualification(kind, s.end)
            for s in facts.schooling
            if s.end is not None
            for kind in (_QUALIFICATION_FOR_OUTCOME.get(s.outcome),)
            if kind is not None
        ]
        self.ending_qualification_dates = sorted(
            q.awarded_on for q in qualifications if q.kind in ENDING_QUALIFICATIONS
        )
        self.studiebevis_dates = sorted(
            q.awarded_on for q in qualifications if q.kind == QUALIFICATION_STUDIEBEVIS
        )

    def _upper_secondary_covers(self) -> list[tuple[dt.date, dt.date | None]]:
        """Days counted as in upper-secondary school: each upper-secondary or equivalent
        enrolment, reaching back to the day after the earliest enrolment that ended at
        most ``bridge_days`` before it began (the summer bridge)."""
        ends = sorted(s.end for s in self.facts.schooling if s.end is not None)
        bridge = dt.timedelta(days=self.rules.bridge_days)
        covers = []
        for s in self.upper_secondary:
            start = s.start
            if self.rules.bridge_days > 0:
                earlier = [
                    end for end in ends if end < s.start and s.start - end - ONE_DAY <= bridge
                ]
                if earlier:
                    start = min(start, min(earlier) + ONE_DAY)
            covers.append((start, s.end))
        return covers

    def registered_here(self, day: dt.date) -> Residence | None:
        for residence in self.here:
            if residence.covers(day):
                return residence
        return None

    def exclusions(self, day: dt.date) -> frozenset[str]:
        found = set()
        residence = self.registered_here(day)
        if residence is None:
            found.add(NOT_REGISTERED)
        elif residence.asylum_seeker:
            found.add(ASYLUM_SEEKER)
        if day >= self.turns_20:
            found.add(TURNED_20)
        if not self._completed_compulsory(day):
            found.add(COMPULSORY_NOT_COMPLETED)
        if any(start <= day and (end is None or day <= end) for start, end in self.covers):
            found.add(IN_UPPER_SECONDARY)
        if self.ending_qualification_dates and self.ending_qualification_dates[0] <= day:
            found.add(QUALIFIED)
        return frozenset(found)

    def _completed_compulsory(self, day: dt.date) -> bool:
        if any(s.active_on(day) for s in self.compulsory):
            return False
        if day >= self.turns_16:
            return True
        return any(
            s.end is not None
            and s.end < day
            and (s.school_year is None or s.school_year >= COMPULSORY_FINAL_YEAR)
            for s in self.compulsory
        )

    def change_points(self) -> list[dt.date]:
        """Every day on which membership can change; it is constant between two of them."""
        points = {self.facts.birth_date, self.turns_16, self.turns_20}
        for residence in self.here:
            points.update(d for d in (residence.moved_in, residence.moved_out) if d is not None)
        for s in self.facts.schooling:
            points.add(s.start)
            if s.end is not None:
                points.add(s.end + ONE_DAY)
        for start, end in self.covers:
            points.add(start)
            if end is not None:
                points.add(end + ONE_DAY)
        points.update(self.ending_qualification_dates)
        return sorted(points)

    def entry_reasons(self, entered: dt.date) -> tuple[str, str]:
        school_reason = self._school_reason(entered)
        before = entered - ONE_DAY
        moved_in = (
            self.registered_here(entered) is not None and self.registered_here(before) is None
        )
        return (REASON_MOVED_IN if moved_in else school_reason), school_reason

    def _school_reason(self, entered: dt.date) -> str:
        started = [s for s in self.upper_secondary if s.start < entered]
        if not started:
            return REASON_NEVER_STARTED
        latest = max(started, key=lambda s: (s.start, s.end or dt.date.max))
        if latest.is_introduction:
            return REASON_LEFT_INTRODUCTION
        if latest.outcome == OUTCOME_STUDIEBEVIS or any(
            d <= entered for d in self.studiebevis_dates
        ):
            return REASON_STUDIEBEVIS
        return REASON_DROPPED_OUT

    def left_reason(self, left: dt.date) -> str:
        why = self.exclusions(left)
        if TURNED_20 in why:
            return LEFT_TURNED_20
        if QUALIFIED in why:
            return LEFT_QUALIFICATION
        if NOT_REGISTERED in why or ASYLUM_SEEKER in why:
            return LEFT_MOVED_AWAY
        if IN_UPPER_SECONDARY in why or COMPULSORY_NOT_COMPLETED in why:
            return LEFT_STARTED_STUDIES
        return LEFT_OTHER


_QUALIFICATION_FOR_OUTCOME = {
    OUTCOME_EXAMEN: QUALIFICATION_EXAMEN,
    OUTCOME_GYS_CERTIFICATE: QUALIFICATION_GYS_CERTIFICATE,
    OUTCOME_STUDIEBEVIS: QUALIFICATION_STUDIEBEVIS,
}


def exclusions_on(
    facts: PersonFacts, municipality_code: str, day: dt.date, *, rules: Rules = DEFAULT_RULES
) -> frozenset[str]:
    """Why the person is not in the cohort on ``day``; empty when they are."""
    return _Prepared(facts, municipality_code, rules).exclusions(day)


def is_member(
    facts: PersonFacts, municipality_code: str, day: dt.date, *, rules: Rules = DEFAULT_RULES
) -> bool:
    return not exclusions_on(facts, municipality_code, day, rules=rules)


def intervals(
    facts: PersonFacts,
    municipality_code: str,
    *,
    until: dt.date,
    since: dt.date | None = None,
    rules: Rules = DEFAULT_RULES,
) -> list[Interval]:
    """Every membership up to and including ``until``, oldest first; with ``since``, only
    those still running on or after that day. An interval still running on ``until`` has
    ``left=None``: what happens after ``until`` is not known yet."""
    prepared = _Prepared(facts, municipality_code, rules)
    points = [p for p in prepared.change_points() if p <= until]
    result: list[Interval] = []
    entered: dt.date | None = None
    for point in points:
        member = not prepared.exclusions(point)
        if member and entered is None:
            entered = point
        elif not member and entered is not None:
            reason, school_reason = prepared.entry_reasons(entered)
            result.append(
                Interval(entered, reason, school_reason, point, prepared.left_reason(point))
            )
            entered = None
    if entered is not None:
        reason, school_reason = prepared.entry_reasons(entered)
        result.append(Interval(entered, reason, school_reason))
    if since is not None:
        result = [i for i in result if i.left is None or i.left > since]
    return result


def membership_on(
    facts: PersonFacts, municipality_code: str, day: dt.date, *, rules: Rules = DEFAULT_RULES
) -> Interval | None:
    """The membership running on ``day``, with the day it began and why; None if not in."""
    found = intervals(facts, municipality_code, until=day, since=day, rules=rules)
    return found[-1] if found and found[-1].covers(day) else None


def cohort_on(
    people: Iterable[tuple[object, PersonFacts]],
    municipality_code: str,
    day: dt.date,
    *,
    rules: Rules = DEFAULT_RULES,
) -> list[tuple[object, Interval]]:
    """The members among ``people`` (key, facts) on ``day``, in the order given."""
    result = []
    for key, facts in people:
        found = membership_on(facts, municipality_code, day, rules=rules)
        if found is not None:
            result.append((key, found))
    return result


def half_year_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The reporting half-year (Jan–Jun or Jul–Dec) that ``day`` falls in."""
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def previous_half_year_start(day: dt.date) -> dt.date:
    start, _ = half_year_bounds(day)
    return half_year_bounds(start - ONE_DAY)[0]


def sorted_unique(days: Sequence[dt.date]) -> list[dt.date]:
    return sorted(set(days))
