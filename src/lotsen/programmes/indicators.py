"""ESF 2014–2020 and ESF+ 2021–2027 common participant indicators. Pure module: no Django.

Sources and rules: ``domain/esf-indicators.md`` (Reg. 1304/2013 Annex I; Reg. 2021/1057
Annex I; the Scottish Government's ESF participant guidance for the counting rules).

Counting rules, as applied here:

1. A participant is counted once per sub-project (the "operation"). All rows for the same
   person and sub-project are one participant: the first entry (earliest entry date) gives
   the start date and every entry characteristic (gender, labour-market status, education,
   sensitive characteristics, age); the last entry row gives the exit (date, situation upon
   leaving, six-month follow-up). When the last row has no exit date the person is still
   taking part and has no results yet. A person in two sub-projects is two participants
   in a programme's totals, as the regulation counts per operation.
2. Which participants a period holds depends on the kind of indicator:
   - output indicators (at entry): participants whose first entry date is in the period;
   - immediate results (upon leaving): participants whose final exit date is in the
     period. The situation upon leaving is the one within four weeks after the exit; until
     four weeks have passed (counted to ``as_of``) a blank situation is pending, not
     missing;
   - longer-term results: participants whose six-month point (final exit + 6 months) is in
     the period and not after ``as_of``.
3. Age bands are computed from the date of birth at the first entry date: a person whose
   birthday is on the entry date has reached that age (someone born on 29 February turns
   a year older on 1 March in a common year).
4. Total participants = unemployed (incl. long-term) + inactive (incl. not in education)
   + employed: exactly one status applies at entry.
5. Nothing unknown is counted: a participant whose data an indicator needs is blank is
   listed under that indicator in ``missing`` for the project to complete. "Prefer not to
   say" is an answer, so it is neither counted nor missing.
6. Gender: ESF+ reports women, men and non-binary persons; total = the sum of the three.
   ESF 2014–2020 reports women and men only. Non-binary participants are participants all
   the same: they are in ``total`` but in neither gender column, so for ESF 2014–2020
   women + men ≤ total, and the output for that framework has no ``nonbinary`` key. Small-
   cell suppression still treats the non-binary count as a (hidden) part of every total,
   so it cannot be derived as total − women − men.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lotsen.people.identity import age_on
from lotsen.stats import suppression

ESF_PLUS = "esfplus"
ESF_2014 = "esf2014"
FRAMEWORKS = (ESF_PLUS, ESF_2014)

WOMAN, MAN, NONBINARY = "woman", "man", "nonbinary"
GENDERS = (WOMAN, MAN, NONBINARY)

# Labour-market status at entry: exactly one.
UNEMPLOYED = "unemployed"
LONG_TERM_UNEMPLOYED = "long_term_unemployed"
INACTIVE = "inactive"
INACTIVE_NOT_IN_EDUCATION = "inactive_not_in_education"
EMPLOYED = "employed"
ENTRY_STATUSES = (
    UNEMPLOYED,
    LONG_TERM_UNEMPLOYED,
    INACTIVE,
    INACTIVE_NOT_IN_EDUCATION,
    EMPLOYED,
)
EDUCATION_LEVELS = ("isced_0_2", "isced_3_4", "isced_5_8")
YES, NO, PREFER_NOT_TO_SAY = "yes", "no", "prefer_not_to_say"
EXIT_STATUSES = ("job_searching", "in_education", "qualification", "employed", "other")
FOLLOWUP_STATUSES = ("employed", "improved", "not_improved")

IMMEDIATE_RESULT_DAYS = 28
FOLLOWUP_MONTHS = 6

# Indicator keys, in report order.
TOTAL = "total_participants"
ENTRY_KEYS_ESF_PLUS = (
    TOTAL,
    "unemployed",
    "long_term_unemployed",
    "inactive",
    "employed",
    "below_18",
    "age_18_29",
    "isced_0_2",
    "isced_3_4",
    "isced_5_8",
    "with_disabilities",
    "foreign_background",
)
ENTRY_KEYS_ESF_2014 = (
    TOTAL,
    "unemployed",
    "long_term_unemployed",
    "inactive",
    "employed",
    "below_25",
    "isced_0_2",
    "isced_3_4",
    "isced_5_8",
    "with_disabilities",
    "foreign_background",
)
LEAVING_KEYS = (
    "job_searching_upon_leaving",
    "in_education_upon_leaving",
    "qualification_upon_leaving",
    "employed_upon_leaving",
)
SIX_MONTH_KEYS = ("employed_6_months", "improved_situation_6_months")
INDICATOR_KEYS: dict[str, tuple[str, ...]] = {
    ESF_PLUS: ENTRY_KEYS_ESF_PLUS + LEAVING_KEYS + SIX_MONTH_KEYS,
    ESF_2014: ENTRY_KEYS_ESF_2014 + LEAVING_KEYS + SIX_MONTH_KEYS,
}
# The gender columns each framework reports.
GENDER_COLUMNS: dict[str, tuple[str, ...]] = {
    ESF_PLUS: ("women", "men", "nonbinary"),
    ESF_2014: ("women", "men"),
}
_COLUMN_OF = {WOMAN: "women", MAN: "men", NONBINARY: "nonbinary"}

# Swedish labels for screens and files.
LABELS: dict[str, str] = {
    TOTAL: "Deltagare totalt",
    "unemployed": "Arbetslösa, även långtidsarbetslösa",
    "long_term_unemployed": "Långtidsarbetslösa",
    "inactive": "Utanför arbetskraften",
    "employed": "Anställda, även egenföretagare",
    "below_18": "Under 18 år",
    "age_18_29": "18–29 år",
    "below_25": "Under 25 år",
    "isced_0_2": "Högst grundskola (ISCED 0–2)",
    "isced_3_4": "Gymnasium eller eftergymnasial utbildning (ISCED 3–4)",
    "isced_5_8": "Högskola eller universitet (ISCED 5–8)",
    "with_disabilities": "Deltagare med funktionsnedsättning",
    "foreign_background": "Deltagare med utländsk bakgrund",
    "job_searching_upon_leaving": "Söker arbete vid avslut",
    "in_education_upon_leaving": "I utbildning vid avslut",
    "qualification_upon_leaving": "Har fått en kvalifikation vid avslut",
    "employed_upon_leaving": "Har arbete vid avslut, även egenföretagare",
    "employed_6_months": "Har arbete sex månader efter avslut",
    "improved_situation_6_months": "Förbättrad situation sex månader efter avslut",
}
LABELS_ESF_2014 = {
    **LABELS,
    "job_searching_upon_leaving": "Utanför arbetskraften vid start som söker arbete vid avslut",
}


def label(key: str, framework: str) -> str:
    return (LABELS_ESF_2014 if framework == ESF_2014 else LABELS)[key]


# Age bands at entry (rule 3). The older bands are no indicator of their own, but a
# participant record shows them all.
AGE_BAND_LABELS = {
    "below_18": LABELS["below_18"],
    "age_18_29": LABELS["age_18_29"],
    "age_30_and_above": "30 år eller äldre",
    "below_25": LABELS["below_25"],
    "age_25_and_above": "25 år eller äldre",
}
OLDER_AGE_BANDS = frozenset({"age_30_and_above", "age_25_and_above"})


def age_band(age: int, framework: str) -> str:
    """The framework's age band for an age at entry: ESF+ splits at 18 and 30, ESF
    2014–2020 at 25."""
    if framework == ESF_PLUS:
        if age < 18:
            return "below_18"
        return "age_18_29" if age <= 29 else "age_30_and_above"
    return "below_25" if age < 25 else "age_25_and_above"


@dataclass(frozen=True, kw_only=True)
class ParticipationRecord:
    """One participation row as the indicator rules need it: no names, no numbers."""

    participation_id: int
    person_id: int
    subproject_id: int
    date_of_birth: dt.date
    gender: str
    entry_date: dt.date
    entry_status: str
    education_level: str = ""
    disability: str = ""
    foreign_background: str = ""
    exit_date: dt.date | None = None
    exit_status: str = ""
    followup_6m_status: str = ""


@dataclass(frozen=True, kw_only=True)
class Participant:
    """One person in one sub-project after the counting rules: first entry, last exit."""

    person_id: int
    subproject_id: int
    first_participation_id: int
    last_participation_id: int
    gender: str
    date_of_birth: dt.date
    entry_date: dt.date
    entry_status: str
    education_level: str
    disability: str
    foreign_background: str
    exit_date: dt.date | None
    exit_status: str
    followup_6m_status: str

    @property
    def age_at_entry(self) -> int:
        return age_on(self.date_of_birth, self.entry_date)

    @property
    def six_month_date(self) -> dt.date | None:
        return add_months(self.exit_date, FOLLOWUP_MONTHS) if self.exit_date else None


@dataclass(frozen=True)
class Counts:
    women: int = 0
    men: int = 0
    nonbinary: int = 0

    @property
    def total(self) -> int:
        return self.women + self.men + self.nonbinary

    def as_dict(self, framework: str) -> dict[str, int]:
        """The framework's gender columns and the total (which counts everyone)."""
        values = {"women": self.women, "men": self.men, "nonbinary": self.nonbinary}
        return {**{c: values[c] for c in GENDER_COLUMNS[framework]}, "total": self.total}


@dataclass(frozen=True)
class Missing:
    """A participant an indicator cannot count until the project completes the data;
    ``participation_id`` is the row to complete."""

    person_id: int
    subproject_id: int
    participation_id: int
    field: str


@dataclass(frozen=True, kw_only=True)
class IndicatorReport:
    framework: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    values: dict[str, Counts]
    missing: dict[str, list[Missing]]
    # Complements never shown but used so that suppression cannot be undone by subtraction.
    hidden: dict[str, Counts] = field(default_factory=dict)

    @property
    def keys(self) -> tuple[str, ...]:
        return INDICATOR_KEYS[self.framework]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {key: self.values[key].as_dict(self.framework) for key in self.keys}

    def missing_count(self) -> int:
        return len({(m.person_id, m.subproject_id) for ms in self.missing.values() for m in ms})


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def participants(records: Iterable[ParticipationRecord]) -> list[Participant]:
    """Apply the counting rules: one participant per person and sub-project."""
    groups: dict[tuple[int, int], list[ParticipationRecord]] = defaultdict(list)
    for record in records:
        groups[(record.person_id, record.subproject_id)].append(record)
    result = []
    for (person_id, subproject_id), rows in groups.items():
        rows.sort(key=lambda r: (r.entry_date, r.participation_id))
        first, last = rows[0], rows[-1]
        result.append(
            Participant(
                person_id=person_id,
                subproject_id=subproject_id,
                first_participation_id=first.participation_id,
                last_participation_id=last.participation_id,
                gender=first.gender,
                date_of_birth=first.date_of_birth,
                entry_date=first.entry_date,
                entry_status=first.entry_status,
                education_level=first.education_level,
                disability=first.disability,
                foreign_background=first.foreign_background,
                exit_date=last.exit_date,
                exit_status=last.exit_status if last.exit_date else "",
                followup_6m_status=last.followup_6m_status if last.exit_date else "",
            )
        )
    result.sort(key=lambda p: (p.entry_date, p.subproject_id, p.person_id))
    return result


class _Tally:
    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GENDERS, 0))

    def add(self, key: str, participant: Participant) -> None:
        self.counts[key][participant.gender] += 1

    def get(self, key: str) -> Counts:
        c = self.counts[key]
        return Counts(women=c[WOMAN], men=c[MAN], nonbinary=c[NONBINARY])


def _in(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


def indicator_report(
    records: Iterable[ParticipationRecord],
    *,
    framework: str,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> IndicatorReport:
    """Every indicator of ``framework`` for the period ``start``–``end`` (both included).
    ``as_of`` (default ``end``) is the day the report is made: results not yet due then
    are neither counted nor missing."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"Okänt indikatorramverk: {framework}")
    if end < start:
        raise ValueError("Periodens slut ligger före dess början.")
    as_of = min(as_of or end, end)
    keys = INDICATOR_KEYS[framework]
    tally, hidden = _Tally(), _Tally()
    missing: dict[str, list[Missing]] = {key: [] for key in keys}

    def lack(keys_: Sequence[str], p: Participant, row: int, field_name: str) -> None:
        for key in keys_:
            if key in missing:
                missing[key].append(Missing(p.person_id, p.subproject_id, row, field_name))

    for p in participants(records):
        if _in(p.entry_date, start, end):
            _count_entry(p, framework, tally, hidden, lack)
        if _in(p.exit_date, start, end):
            _count_leaving(p, framework, tally, lack, as_of)
        if _in(p.six_month_date, start, as_of):
            _count_six_months(p, tally, lack)

    return IndicatorReport(
        framework=framework,
        start=start,
        end=end,
        as_of=as_of,
        values={key: tally.get(key) for key in keys},
        missing=missing,
        hidden={key: hidden.get(key) for key in hidden.counts},
    )


def _count_entry(p: Participant, framework: str, tally, hidden, lack) -> None:
    row = p.first_participation_id
    tally.add(TOTAL, p)
    if p.entry_status in (UNEMPLOYED, LONG_TERM_UNEMPLOYED):
        tally.add("unemployed", p)
    if p.entry_status == LONG_TERM_UNEMPLOYED:
        tally.add("long_term_unemployed", p)
    if p.entry_status in (INACTIVE, INACTIVE_NOT_IN_EDUCATION):
        tally.add("inactive", p)
    if p.entry_status == EMPLOYED:
        tally.add("employed", p)

    band = age_band(p.age_at_entry, framework)
    if band in OLDER_AGE_BANDS:
        hidden.add(band, p)
    else:
        tally.add(band, p)

    if p.education_level in EDUCATION_LEVELS:
        tally.add(p.education_level, p)
    else:
        hidden.add("education_unknown", p)
        lack(EDUCATION_LEVELS, p, row, "education_level")

    for key, value, field_name in (
        ("with_disabilities", p.disability, "disability"),
        ("foreign_background", p.foreign_background, "foreign_background"),
    ):
        if value == YES:
            tally.add(key, p)
        elif not value:
            lack((key,), p, row, field_name)


def _count_leaving(p: Participant, framework: str, tally, lack, as_of: dt.date) -> None:
    if not p.exit_status:
        # The situation upon leaving is the one within four weeks after the exit: only
        # when those weeks are over is a blank a gap to fill.
        if p.exit_date + dt.timedelta(days=IMMEDIATE_RESULT_DAYS) <= as_of:
            lack(LEAVING_KEYS, p, p.last_participation_id, "exit_status")
        return
    if p.exit_status == "job_searching":
        # ESF 2014–2020 counts only participants inactive at entry as "newly" job searching.
        if framework == ESF_PLUS or p.entry_status in (INACTIVE, INACTIVE_NOT_IN_EDUCATION):
            tally.add("job_searching_upon_leaving", p)
    elif p.exit_status == "in_education":
        tally.add("in_education_upon_leaving", p)
    elif p.exit_status == "qualification":
        tally.add("qualification_upon_leaving", p)
    elif p.exit_status == "employed":
        tally.add("employed_upon_leaving", p)


def _count_six_months(p: Participant, tally, lack) -> None:
    if not p.followup_6m_status:
        lack(SIX_MONTH_KEYS, p, p.last_participation_id, "followup_6m_status")
    elif p.followup_6m_status == "employed":
        tally.add("employed_6_months", p)
    elif p.followup_6m_status == "improved":
        tally.add("improved_situation_6_months", p)


# --- Suppression ------------------------------------------------------------------------

SUPPRESSED_TEXT = suppression.PRIMARY_WORDS
_SUMS_OF_ROWS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # Rows that add up to another row: a hidden cell must not be derivable by subtraction.
    ESF_PLUS: (
        (TOTAL, ("unemployed", "inactive", "employed")),
        (TOTAL, ("below_18", "age_18_29", "age_30_and_above")),
        (TOTAL, ("isced_0_2", "isced_3_4", "isced_5_8", "education_unknown")),
    ),
    ESF_2014: (
        (TOTAL, ("unemployed", "inactive", "employed")),
        (TOTAL, ("below_25", "age_25_and_above")),
        (TOTAL, ("isced_0_2", "isced_3_4", "isced_5_8", "education_unknown")),
    ),
}


def suppressed(report: IndicatorReport) -> dict[str, dict[str, str]]:
    """The report for anyone outside the project team: counts from 1 to 4 as "<5", and a
    second cell hidden as ".." wherever a hidden count could be worked out from a sum
    (see ``lotsen.stats.suppression``). Columns: the framework's genders and ``total``."""
    rows = list(report.keys) + [k for k in sorted(report.hidden) if k not in report.keys]
    values = {**report.values, **report.hidden}
    # Column order: total, women, men, nonbinary; nonbinary stays a part of every sum
    # even when the framework does not show it.
    table = [
        [
            values.get(key, Counts()).total,
            values.get(key, Counts()).women,
            values.get(key, Counts()).men,
            values.get(key, Counts()).nonbinary,
        ]
        for key in rows
    ]
    index = {key: i for i, key in enumerate(rows)}
    sums = [suppression.Sum((r, 0), ((r, 1), (r, 2), (r, 3))) for r in range(len(rows))]
    for total_key, parts in _SUMS_OF_ROWS[report.framework]:
        part_rows = [index[p] for p in parts if p in index]
        for column in range(4):
            sums.append(
                suppression.Sum((index[total_key], column), tuple((r, column) for r in part_rows))
            )
    text = suppression.suppress(table, sums)
    columns = GENDER_COLUMNS[report.framework]
    result = {}
    for key in report.keys:
        cells = dict(zip(("total", "women", "men", "nonbinary"), text[index[key]], strict=True))
        result[key] = {**{c: cells[c] for c in columns}, "total": cells["total"]}
    return result
