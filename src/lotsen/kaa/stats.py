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

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    F,
    Func,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual
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


GENDER_KEYS = tuple(key for key, _label in GENDER_GROUPS)
AGE_KEYS = tuple(key for key, _label in AGE_GROUPS)


class DayBefore(Func):
    """The day before a date column, as a date on both databases."""

    output_field = DateField()

    def as_sql(self, compiler, connection, **extra_context):
        return self.as_postgresql(compiler, connection, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - 1)", params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '-1 day')", params


def _month_day(date_expression) -> CombinedExpression:
    return ExtractMonth(date_expression) * 100 + ExtractDay(date_expression)


def _age_group_expression(day, birth_date: str, birth_year: str | None) -> Case:
    """``_age_group(_age(birth_date, birth_year, day))`` in SQL, for a ``day`` that is an
    expression (a date column, or the day before one)."""
    year = ExtractYear(day)
    by_date = (
        year
        - ExtractYear(birth_date)
        - Case(When(GreaterThan(_month_day(birth_date), _month_day(day)), then=1), default=0)
    )
    age = by_date
    if birth_year is not None:
        by_year = (
            year
            - Coalesce(F(birth_year), year)
            - Case(When(LessThan(ExtractMonth(day), 7), then=1), default=0)
        )
        age = Case(When(**{f"{birth_date}__isnull": False}, then=by_date), default=by_year)
    return Case(
        When(LessThanOrEqual(age, 16), then=16),
        When(GreaterThanOrEqual(age, 19), then=19),
        default=age,
        output_field=IntegerField(),
    )


def _gender_group_expression(gender: str = "gender") -> Case:
    """``_gender_group(gender)`` in SQL."""
    return Case(
        When(**{f"{gender}__in": ("woman", "man")}, then=F(gender)),
        default=Value("other"),
        output_field=CharField(),
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one: nobody is born that day
        return day.replace(year=day.year - years, day=28)


def _age_at_least(day: dt.date, age: int) -> Q:
    """Rows whose person is at least ``age`` on the fixed ``day`` (``_age``): born on or
    before the same day ``age`` years earlier, or, for an anonymised row, born in a year
    early enough by the mid-year guess. A row with neither is 0 years old, as ``_age``."""
    last_birth_year = day.year - age - (1 if day.month < 7 else 0)
    return Q(person__date_of_birth__lte=_years_before(day, age)) | Q(
        person__date_of_birth__isnull=True, birth_year__lte=last_birth_year
    )


def _row_from_counts(total: int, genders: dict[str, int], at_least: dict[int, int]) -> list[int]:
    """[total, genders..., ages...] from the total, the count of each named gender (the
    rest are "other") and the count at least each age from 17 up (the rest are 16)."""
    named = {key: genders.get(key, 0) for key in GENDER_KEYS if key != "other"}
    by_gender = {**named, "other": total - sum(named.values())}
    floor = dict(at_least)
    floor[AGE_KEYS[0]] = total
    by_age = {
        key: floor[key] - (floor[AGE_KEYS[i + 1]] if i + 1 < len(AGE_KEYS) else 0)
        for i, key in enumerate(AGE_KEYS)
    }
    return [total, *(by_gender[key] for key in GENDER_KEYS), *(by_age[key] for key in AGE_KEYS)]


def _rows_from_groups(
    groups: list[tuple[str, str, int, int]], keys: Sequence[str]
) -> dict[str, list[int]]:
    """{key: [total, genders..., ages...]} from (key, gender group, age group, count)."""
    rows = {key: [0] * (1 + len(GENDER_KEYS) + len(AGE_KEYS)) for key in keys}
    for key, gender, age, count in groups:
        row = rows[key]
        row[0] += count
        row[1 + GENDER_KEYS.index(gender)] += count
        row[1 + len(GENDER_KEYS) + AGE_KEYS.index(age)] += count
    return rows


def kaa_dashboard(*, scope: KaaScope, today: dt.date | None = None) -> Dashboard:
    """All the dashboard's numbers for the scope's municipality, counted by the database
    (issue 16: summing every membership in Python made the page grow with the cohort): one
    query groups today's cohort by status, gender and age; one counts the cohort on each
    of the last twelve months' first days by gender and age; two group the entries and the
    exits of those months by reason, gender and age. Whatever the cohort's size, the page
    reads a few dozen numbers."""
    today = today or timezone.localdate()
    code = scope.municipality_code
    board = Dashboard(municipality_code=code, today=today)

    # What is known about each person in the cohort today.
    current = with_status(
        current_memberships(municipality_code=code, today=today),
        municipality_code=code,
        today=today,
    )
    status_groups = (
        current.annotate(
            status_key=Case(
                When(in_measure=True, then=Value(STATUS_IN_MEASURE)),
                When(has_known_contact=True, then=Value(STATUS_REACHED)),
                default=Value(STATUS_UNKNOWN),
                output_field=CharField(),
            ),
            gender_group=_gender_group_expression(),
            age_group=_age_group_expression(
                Value(today, output_field=DateField()), "person__date_of_birth", None
            ),
        )
        .values_list("status_key", "gender_group", "age_group")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_status = _rows_from_groups(list(status_groups), list(STATUS_LABELS))
    board.unknown = by_status[STATUS_UNKNOWN][0]
    board.in_measure = by_status[STATUS_IN_MEASURE][0]
    board.reached = by_status[STATUS_REACHED][0] + board.in_measure
    board.total = board.unknown + board.reached

    # Size over time, entries and exits: every membership touching the last twelve months,
    # anonymised ones included (they keep gender and birth year for exactly this).
    days = month_starts(today)
    board.window_start = days[0]
    window = CohortMembership.objects.filter(municipality_code=code, entered_on__lte=today).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=days[0])
    )
    counts: dict[str, Count] = {}
    # Each month's first day is a fixed date: who was in the cohort, of which gender, and
    # at least how old, are plain comparisons, all counted in one pass.
    for i, day in enumerate(days):
        present = Q(entered_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))
        counts[f"d{i}"] = Count("id", filter=present)
        for gender in GENDER_KEYS[:-1]:
            counts[f"d{i}_{gender}"] = Count("id", filter=present & Q(gender=gender))
        for age in AGE_KEYS[1:]:
            counts[f"d{i}_{age}"] = Count("id", filter=present & _age_at_least(day, age))
    totals = window.aggregate(**counts)
    over_time = {
        day: _row_from_counts(
            totals[f"d{i}"],
            {gender: totals[f"d{i}_{gender}"] for gender in GENDER_KEYS[:-1]},
            {age: totals[f"d{i}_{age}"] for age in AGE_KEYS[1:]},
        )
        for i, day in enumerate(days)
    }
    # Entries and exits: each row's age on its own day, grouped by reason, gender and age.
    entry_groups = (
        window.filter(entered_on__gte=days[0])
        .annotate(
            gender_group=_gender_group_expression(),
            age_group=_age_group_expression(F("entered_on"), "person__date_of_birth", "birth_year"),
        )
        .values_list("reason", "gender_group", "age_group")
        .annotate(count=Count("id"))
        .order_by()
    )
    exit_groups = (
        window.filter(left_on__gte=days[0], left_on__lte=today)
        .annotate(
            exit_reason=Case(
                When(
                    Q(left_reason__isnull=True) | Q(left_reason=""), then=Value(cohort.LEFT_OTHER)
                ),
                default=F("left_reason"),
                output_field=CharField(),
            ),
            gender_group=_gender_group_expression(),
            age_group=_age_group_expression(
                DayBefore(F("left_on")), "person__date_of_birth", "birth_year"
            ),
        )
        .values_list("exit_reason", "gender_group", "age_group")
        .annotate(count=Count("id"))
        .order_by()
    )
    entries = _rows_from_groups(list(entry_groups), CohortReason.values)
    exits = _rows_from_groups(list(exit_groups), LeftReason.values)
    board.over_time = [(day, values[0]) for day, values in over_time.items()]
    board.entries = Counter({r: values[0] for r, values in entries.items()})
    board.exits = Counter({r: values[0] for r, values in exits.items()})

    labels_reason = dict(CohortReason.choices)
    labels_left = dict(LeftReason.choices)
    board.tables = [
        Table(
            key="status",
            title=str(_("Vad kommunen vet om de unga i aktivitetsansvaret i dag")),
            row_header=str(_("Status")),
            rows=[(str(label), by_status[s]) for s, label in STATUS_LABELS.items()],
            total_label=str(_("Alla i aktivitetsansvaret")),
        ),
        Table(
            key="over_time",
            title=str(_("Antal unga i aktivitetsansvaret den första i varje månad")),
            row_header=str(_("Datum")),
            rows=[(day.isoformat(), values) for day, values in over_time.items()],
        ),
        Table(
            key="entries",
            title=str(_("Nya i aktivitetsansvaret de senaste tolv månaderna, efter orsak")),
            row_header=str(_("Orsak")),
            rows=[(str(labels_reason[r]), values) for r, values in entries.items()],
            total_label=str(_("Alla nya")),
        ),
        Table(
            key="exits",
            title=str(_("Avregistrerade de senaste tolv månaderna, efter orsak")),
            row_header=str(_("Orsak")),
            rows=[(str(labels_left[r]), values) for r, values in exits.items()],
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
