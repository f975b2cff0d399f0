"""Geometry for the burn chart: cumulative actual costs month by month against the budget.
Pure module: the template draws, this places (with the shared geometry of
``lotsen.stats.charts``). The chart always stands beside a table with the same numbers
(the accessible alternative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lotsen.stats.charts import (
    Frame,
    GridLine,
    Plot,
    Tick,
    decimal_text,
    grid,
    label_every,
    nice_max,
    parts_of,
    polyline,
    spread,
)

FRAME = Frame(width=640, height=260, left=64, right=16, top=16, bottom=40)
MAX_X_LABELS = 12


@dataclass(frozen=True, kw_only=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True, kw_only=True)
class BurnChart(Plot):
    points: list[Point]
    polyline: str
    budget_y: float | None
    budget_label: str
    grid: list[GridLine]
    x_ticks: list[Tick]


def scale_text(value: float) -> str:
    """Short axis labels in Swedish: 2 500 000 → "2,5 mnkr", 40 000 → "40 tkr"."""
    if value >= 1_000_000:
        return f"{decimal_text(value / 1_000_000)} mnkr"
    if value >= 1_000:
        return f"{value / 1_000:.0f} tkr"
    return f"{value:.0f} kr"


def burn_chart(
    points: Sequence[tuple[str, Decimal]], *, budget: Decimal, value_text=str
) -> BurnChart | None:
    """A line of cumulative actual costs with the budget as a horizontal line.

    ``points`` are (month label, cumulative amount); ``value_text`` formats an amount for
    the hover titles.
    """
    if not points:
        return None
    scale_max = nice_max(max(float(budget), *(float(v) for _, v in points)))
    placed = [
        Point(x=x, y=FRAME.y_of(float(value), scale_max), title=f"{label}: {value_text(value)}")
        for x, (label, value) in zip(spread(FRAME, len(points)), points, strict=True)
    ]
    every = label_every(len(points), MAX_X_LABELS)
    x_ticks = [Tick(position=placed[i].x, label=points[i][0]) for i in range(0, len(points), every)]
    return BurnChart(
        frame=FRAME,
        points=placed,
        polyline=polyline([(p.x, p.y) for p in placed]),
        budget_y=FRAME.y_of(float(budget), scale_max) if budget else None,
        budget_label=value_text(budget),
        grid=grid(FRAME, scale_max, parts_of(scale_max), label=scale_text),
        x_ticks=x_ticks,
    )
