"""The KAA dashboard: the cohort's size over time, what the municipality knows about the
people in it, and who entered and left and why; every number by gender and age.

Aggregates only: nothing here returns a person, so nothing here writes to the access log
(like ``person_count``). Exports of these tables go through ``suppression``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.kaa import cohort
from lotsen.kaa.models import CohortMembership, CohortReason, LeftReason
from lotsen.kaa.selectors import (
    STATUS_IN_MEASURE,
    STATUS_REACHED,
    STATUS_UNKNOWN,
    KaaScope,
    current_memberships,
    status_of,
    with_status,
)
from lotsen.people.identity import age_on
from lotsen.stats import suppression
from lotsen.stats.tabular import csv_text

GENDER_GROUPS = (
    ("woman", gettext_lazy("Kvinnor")),
    ("man", gettext_lazy("Män")),
    ("other", gettext_lazy("Annat kön eller ej angivet")),
)
AGE_GROUPS = (
    (16, gettext_lazy("16 år eller yngre")),
    (17, gettext_lazy("17 år")),
    (18, gettext_lazy("18 år")),
    (19, gettext_lazy("19 år eller äldre")),
)
STATUS_LABELS = {
    STATUS_UNKNOWN: gettext_lazy("Okänd status"),
    STATUS_REACHED: gettext_lazy("Nådda, ingen pågående åtgärd"),
    STATUS_IN_MEASURE: gettext_lazy("I en åtgärd"),
}
MONTHS = 12


def _gender_group(gender: str) -> str:
    return gender if gender in ("woman", "man") else "other"


def _age_group(age: int) -> int:
    return min(max(age, 16), 19)


def _age(birth_date: dt.date | None, birth_year: int | None, day: dt.date) -> int:
    if birth_date is not None:
        return age_on(birth_date, day)
    # Anonymised rows keep only the birth year; mid-year is the best guess.
    return day.year - (birth_year or day.year) - (1 if day.month < 7 else 0)


@dataclass
class Table:
    """A breakdown: one row per category; columns total, gender groups, age groups."""

    key: str
    title: str
    row_header: str
    rows: list[tuple[str, list[int]]]
    total_label: str | None = None  # a last row summing the others, when they partition

    @property
    def columns(self) -> list[str]:
        return [
            str(_("Totalt")),
            *(str(label) for _k, label in GENDER_GROUPS),
            *(str(label) for _k, label in AGE_GROUPS),
        ]

    def all_rows(self) -> list[tuple[str, list[int]]]:
        if self.total_label is None:
            return self.rows
        width = 1 + len(GENDER_GROUPS) + len(AGE_GROUPS)
        total = [sum(row[i] for _label, row in self.rows) for i in range(width)]
        return [*self.rows, (self.total_label, total)]

    def suppressed(self) -> list[tuple[str, list[str]]]:
        rows = self.all_rows()
        genders = list(range(1, 1 + len(GENDER_GROUPS)))
        ages = list(range(1 + len(GENDER_GROUPS), 1 + len(GENDER_GROUPS) + len(AGE_GROUPS)))
        sums = suppression.breakdown_sums(
            rows=len(rows),
            total_column=0,
            column_groups=[genders, ages],
            total_row=len(rows) - 1 if self.total_label is not None else None,
        )
        text = suppression.suppress([values for _label, values in rows], sums)
        return [(label, cells) for (label, _v), cells in zip(rows, text, strict=True)]


def _row(items: list[tuple[str, int]]) -> list[int]:
    """Counts for (gender, age) pairs as [total, genders..., ages...]."""
    genders = Counter(_gender_group(g) for g, _a in items)
    ages = Counter(_age_group(a) for _g, a in items)
    return [
        len(items),
        *(genders.get(key, 0) for key, _label in GENDER_GROUPS),
        *(ages.get(key, 0) for key, _label in AGE_GROUPS),
    ]


@dataclass
class Dashboard:
    municipality_code: str
    today: dt.date
    total: int = 0
    unknown: int = 0
    reached: int = 0  # contact with known occupation, or in a measure
    in_measure: int = 0
    over_time: list[tuple[dt.date, int]] = field(default_factory=list)
    entries: Counter = field(default_factory=Counter)
    exits: Counter = field(default_factory=Counter)
    tables: list[Table] = field(default_factory=list)
    window_start: dt.date | None = None

    def share(self, count: int) -> float:
        return round(100 * count / self.total, 1) if self.total else 0.0

    @property
    def unknown_share(self) -> float:
        return self.share(self.unknown)

    @property
    def reached_share(self) -> float:
        return self.share(self.reached)

    @property
    def in_measure_share(self) -> float:
        return self.share(self.in_measure)


def month_starts(today: dt.date, months: int = MONTHS) -> list[dt.date]:
    """The first day of each of the last ``months`` months (this one included), oldest
    first, and today when it is not the first."""
    firsts = []
    year, month = today.year, today.month
    for _month in range(months):
        firsts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    days = sorted(firsts)
    if days[-1] != today:
        days.append(today)
    return days


def kaa_dashboard(*, scope: KaaScope, today: dt.date | None = None) -> Dashboard:
    """All the dashboard's numbers for the scope's municipality, in three queries."""
    today = today or timezone.localdate()
    code = scope.municipality_code
    board = Dashboard(municipality_code=code, today=today)

    # What is known about each person in the cohort today.
    current = with_status(
        current_memberships(municipality_code=code, today=today),
        municipality_code=code,
        today=today,
    ).select_related("person")
    by_status: dict[str, list[tuple[str, int]]] = {s: [] for s in STATUS_LABELS}
    for membership in current:
        status = status_of(membership)
        by_status[status].append(
            (membership.gender, _age(membership.person.date_of_birth, None, today))
        )
    board.unknown = len(by_status[STATUS_UNKNOWN])
    board.in_measure = len(by_status[STATUS_IN_MEASURE])
    board.reached = len(by_status[STATUS_REACHED]) + board.in_measure
    board.total = board.unknown + board.reached

    # Size over time, entries and exits: every membership touching the last twelve months,
    # anonymised ones included (they keep gender and birth year for exactly this).
    days = month_starts(today)
    board.window_start = days[0]
    rows = list(
        CohortMembership.objects.filter(municipality_code=code, entered_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=days[0]))
        .values_list(
            "entered_on", "left_on", "reason", "left_reason", "gender", "birth_year",
            "person__date_of_birth",
        )
    )  # fmt: skip
    over_time: dict[dt.date, list[tuple[str, int]]] = {d: [] for d in days}
    entries: dict[str, list[tuple[str, int]]] = {r: [] for r in CohortReason.values}
    exits: dict[str, list[tuple[str, int]]] = {r: [] for r in LeftReason.values}
    for entered, left, reason, left_reason, gender, birth_year, birth_date in rows:
        for day in days:
            if entered <= day and (left is None or left > day):
                over_time[day].append((gender, _age(birth_date, birth_year, day)))
        if days[0] <= entered <= today:
            entries[reason].append((gender, _age(birth_date, birth_year, entered)))
        if left is not None and days[0] <= left <= today:
            exits[left_reason or cohort.LEFT_OTHER].append(
                (gender, _age(birth_date, birth_year, left - cohort.ONE_DAY))
            )
    board.over_time = [(day, len(items)) for day, items in over_time.items()]
    board.entries = Counter({r: len(items) for r, items in entries.items()})
    board.exits = Counter({r: len(items) for r, items in exits.items()})

    labels_reason = dict(CohortReason.choices)
    labels_left = dict(LeftReason.choices)
    board.tables = [
        Table(
            key="status",
            title=str(_("Vad kommunen vet om de unga i aktivitetsansvaret i dag")),
            row_header=str(_("Status")),
            rows=[(str(label), _row(by_status[s])) for s, label in STATUS_LABELS.items()],
            total_label=str(_("Alla i aktivitetsansvaret")),
        ),
        Table(
            key="over_time",
            title=str(_("Antal unga i aktivitetsansvaret den första i varje månad")),
            row_header=str(_("Datum")),
            rows=[(day.isoformat(), _row(items)) for day, items in over_time.items()],
        ),
        Table(
            key="entries",
            title=str(_("Nya i aktivitetsansvaret de senaste tolv månaderna, efter orsak")),
            row_header=str(_("Orsak")),
            rows=[(str(labels_reason[r]), _row(items)) for r, items in entries.items()],
            total_label=str(_("Alla nya")),
        ),
        Table(
            key="exits",
            title=str(_("Avregistrerade de senaste tolv månaderna, efter orsak")),
            row_header=str(_("Orsak")),
            rows=[(str(labels_left[r]), _row(items)) for r, items in exits.items()],
            total_label=str(_("Alla avregistrerade")),
        ),
    ]
    return board


def dashboard_csv(board: Dashboard, *, note: Callable[[], str] | None = None) -> str:
    """The dashboard's tables with small cells suppressed, as one CSV file (semicolons,
    as Swedish spreadsheet programs expect)."""
    rows: list[list] = [
        [_("Kommun"), board.municipality_code, _("Datum"), board.today.isoformat()],
        [
            _(
                "Antal 1–4 visas som <5. När en summa annars skulle avslöja ett dolt antal "
                "döljs ytterligare ett antal, som visas som .."
            )
        ],
    ]
    for table in board.tables:
        rows += [[], [table.title], [table.row_header, *table.columns]]
        rows += [[label, *cells] for label, cells in table.suppressed()]
    return csv_text(rows=rows, delimiter=";")


def percent_text(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def table_cells(values: Sequence[int]) -> list[str]:
    return [str(v) for v in values]
