"""Dashboards for a programme (or a region of it) and a sub-project: participants over
time, outcomes upon leaving by gender, progress against the goals' targets, the regional
roll-up. Counts only.

For the project team the numbers are exact. For anyone else (evaluators, project leaders
of other programmes) every table is suppressed as in ``lotsen.stats.suppression``: counts
from 1 to 4 become "färre än 5", and a second cell ".." where the first could be worked
out from a sum. A chart is drawn only when none of its numbers is hidden (bars would give
the hidden values away); the table is always there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.programmes import indicators
from lotsen.programmes.models import SubProject
from lotsen.programmes.selectors import participation_records, region_of_subproject
from lotsen.stats import charts, suppression

SUPPRESSED_TEXT = gettext_lazy(suppression.PRIMARY_WORDS)
GENDER_LABELS = (
    ("woman", gettext_lazy("Kvinnor")),
    ("man", gettext_lazy("Män")),
    ("nonbinary", gettext_lazy("Icke-binära")),
)
EXIT_LABELS = (
    ("job_searching", gettext_lazy("Söker arbete")),
    ("in_education", gettext_lazy("Studerar")),
    ("qualification", gettext_lazy("Har fått en kvalifikation")),
    ("employed", gettext_lazy("Har arbete")),
    ("other", gettext_lazy("Annat")),
    ("", gettext_lazy("Uppgift saknas")),
)


@dataclass
class Table:
    """Rows of (label, cells): cells are numbers (team) or texts (suppressed)."""

    key: str
    title: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list]]
    hidden_any: bool = False


def _shown(text: str) -> str:
    return SUPPRESSED_TEXT if text == suppression.PRIMARY else text


def _suppress_table(table: Table, sums: Sequence[suppression.Sum]) -> Table:
    values = [list(cells) for _label, cells in table.rows]
    text = suppression.suppress(values, sums)
    hidden = any(
        cell in (suppression.PRIMARY, suppression.SECONDARY) for row in text for cell in row
    )
    return Table(
        key=table.key,
        title=table.title,
        row_header=table.row_header,
        columns=table.columns,
        rows=[
            (label, [_shown(c) for c in cells])
            for (label, _c), cells in zip(table.rows, text, strict=True)
        ],
        hidden_any=hidden,
    )


def _quarter(day: dt.date) -> str:
    return f"{day.year} K{(day.month - 1) // 3 + 1}"


@dataclass
class Dashboard:
    team: bool
    participants: int
    left: int
    over_time: Table
    over_time_chart: object | None
    outcomes: Table
    outcomes_chart: object | None
    goals: Table | None
    goals_chart: object | None
    regions: Table | None


def dashboard_for(
    *,
    subprojects: Sequence[SubProject],
    team: bool,
    framework: str,
    today: dt.date,
    with_regions: bool = False,
) -> Dashboard:
    records = participation_records(subprojects=subprojects)
    people = indicators.participants(records)
    gender_columns = [str(label) for _key, label in GENDER_LABELS]

    # Participants over time: first entries per quarter and the running total.
    by_quarter = Counter(_quarter(p.entry_date) for p in people)
    quarters = sorted(by_quarter)
    running, over_rows = 0, []
    for q in quarters:
        running += by_quarter[q]
        over_rows.append((q, [by_quarter[q], running]))
    over_time = Table(
        key="over_time",
        title=_("Nya deltagare per kvartal och totalt hittills"),
        row_header=_("Kvartal"),
        columns=[_("Nya deltagare"), _("Totalt hittills")],
        rows=over_rows,
    )

    # Outcomes upon leaving, by gender: each participant's final exit.
    left = [p for p in people if p.exit_date]
    counts: dict[str, Counter] = defaultdict(Counter)
    for p in left:
        counts[p.exit_status][p.gender] += 1
    outcome_rows = []
    for status, label in EXIT_LABELS:
        c = counts[status]
        parts = [c[g] for g, _l in GENDER_LABELS]
        outcome_rows.append((str(label), [*parts, sum(parts)]))
    totals = [sum(row[1][i] for row in outcome_rows) for i in range(4)]
    outcome_rows.append((str(_("Alla som har avslutat")), totals))
    outcomes = Table(
        key="outcomes",
        title=_("Situation vid avslut, efter kön"),
        row_header=_("Situation"),
        columns=[*gender_columns, _("Totalt")],
        rows=outcome_rows,
    )

    goals = _goals_table(subprojects, records, framework=framework, today=today)
    regions = _regions_table(subprojects, people) if with_regions else None

    if not team:
        # Each running total is the previous one plus the quarter's new participants.
        over_sums = [
            suppression.Sum((r, 1), ((r - 1, 1), (r, 0)) if r else ((r, 0),))
            for r in range(len(over_rows))
        ]
        over_time = _suppress_table(over_time, over_sums)
        n = len(outcome_rows)
        outcomes = _suppress_table(
            outcomes,
            suppression.breakdown_sums(
                rows=n, total_column=3, column_groups=[[0, 1, 2]], total_row=n - 1
            ),
        )
        if goals is not None:
            # Targets are plans, not people: only the achieved counts are suppressed.
            goals = _suppress_goals(goals)
        if regions is not None:
            regions = _suppress_people_columns(regions)
    over_time_chart = (
        charts.column_chart([(q, by_quarter[q]) for q in quarters])
        if quarters and not over_time.hidden_any
        else None
    )
    outcomes_chart = (
        charts.bar_chart([(label, cells[3]) for label, cells in outcome_rows[:-1]])
        if left and not outcomes.hidden_any
        else None
    )
    goals_chart = None
    if goals is not None and goals.rows and not goals.hidden_any:
        goals_chart = charts.bar_chart(
            [(label, min(cells[2], 999)) for label, cells in goals.rows],
            unit=" %",
            maximum=max(100, *(cells[2] for _l, cells in goals.rows)),
        )
    return Dashboard(
        team=team,
        participants=len(people),
        left=len(left),
        over_time=over_time,
        over_time_chart=over_time_chart,
        outcomes=outcomes,
        outcomes_chart=outcomes_chart,
        goals=goals,
        goals_chart=goals_chart,
        regions=regions,
    )


def _goals_table(
    subprojects: Sequence[SubProject], records, *, framework: str, today: dt.date
) -> Table | None:
    """Goals that name an indicator: the indicator over each sub-project's whole period up
    to today against the target, summed per indicator across the sub-projects."""
    targets: Counter = Counter()
    achieved: Counter = Counter()
    keys = indicators.INDICATOR_KEYS[framework]
    for sub in subprojects:
        sub_goals = [g for g in sub.goals.all() if g.indicator in keys]
        if not sub_goals:
            continue
        report = indicators.indicator_report(
            [r for r in records if r.subproject_id == sub.pk],
            framework=framework,
            start=sub.start,
            end=max(sub.start, min(sub.end, today)),
        )
        for goal in sub_goals:
            targets[goal.indicator] += goal.target_value
            achieved[goal.indicator] += report.values[goal.indicator].total
    if not targets:
        return None
    rows = []
    for key in keys:
        if key in targets:
            share = round(100 * achieved[key] / targets[key]) if targets[key] else 0
            rows.append((indicators.label(key, framework), [achieved[key], targets[key], share]))
    return Table(
        key="goals",
        title=_("Resultat hittills mot målvärden"),
        row_header=_("Indikator"),
        columns=[_("Hittills"), _("Målvärde"), _("Andel av målet (%)")],
        rows=rows,
    )


def _suppress_goals(table: Table) -> Table:
    rows, hidden = [], False
    for label, (value, target, share) in table.rows:
        if 0 < value < suppression.THRESHOLD:
            rows.append((label, [SUPPRESSED_TEXT, target, ".."]))
            hidden = True
        else:
            rows.append((label, [value, target, share]))
    return Table(table.key, table.title, table.row_header, table.columns, rows, hidden)


def _suppress_people_columns(table: Table) -> Table:
    """Suppress every column but the first (a number of sub-projects, not of people)."""
    people = Table(
        table.key,
        table.title,
        table.row_header,
        table.columns[1:],
        [(label, cells[1:]) for label, cells in table.rows],
    )
    done = _suppress_table(people, [])
    rows = [
        (label, [cells[0], *shown])
        for (label, cells), (_l, shown) in zip(table.rows, done.rows, strict=True)
    ]
    return Table(table.key, table.title, table.row_header, table.columns, rows, done.hidden_any)


def _regions_table(subprojects: Sequence[SubProject], people) -> Table:
    region_of = {}
    names = {}
    for sub in subprojects:
        region = region_of_subproject(sub)
        region_of[sub.pk] = region.pk if region else None
        names[region.pk if region else None] = region.name if region else _("Utan region")
    subs = Counter(region_of.values())
    joined, left, working = Counter(), Counter(), Counter()
    for p in people:
        r = region_of[p.subproject_id]
        joined[r] += 1
        if p.exit_date:
            left[r] += 1
            if p.exit_status in ("in_education", "employed", "qualification"):
                working[r] += 1
    rows = [
        (str(names[r]), [subs[r], joined[r], left[r], working[r]])
        for r in sorted(names, key=lambda k: str(names[k]))
    ]
    return Table(
        key="regions",
        title=_("Per region"),
        row_header=_("Region"),
        columns=[
            _("Delprojekt"),
            _("Deltagare"),
            _("Har avslutat"),
            _("I studier, med kvalifikation eller arbete vid avslut"),
        ],
        rows=rows,
    )
