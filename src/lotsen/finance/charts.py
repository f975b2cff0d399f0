"""Geometry for the burn chart: cumulative actual costs month by month against the budget.
Pure module: the template draws, this places. The chart always stands beside a table with
the same numbers (the accessible alternative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
MAX_X_LABELS = 12


@dataclass(frozen=True, kw_only=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True, kw_only=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, kw_only=True)
class BurnChart:
    width: int
    height: int
    left: int
    plot_right: int
    top: int
    baseline: float
    points: list[Point]
    polyline: str
    budget_y: float | None
    budget_label: str
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return value  # pragma: no cover - the loop always returns


def scale_text(value: float) -> str:
    """Short axis labels in Swedish: 2 500 000 → "2,5 mnkr", 40 000 → "40 tkr"."""
    if value >= 1_000_000:
        text = f"{value / 1_000_000:.1f}".replace(".", ",").removesuffix(",0")
        return f"{text} mnkr"
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
    top_value = max(float(budget), *(float(v) for _, v in points))
    scale_max = _nice_max(top_value)
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    baseline = TOP + plot_height

    def y_of(value: float) -> float:
        return round(baseline - value / scale_max * plot_height, 1)

    step = plot_width / max(len(points) - 1, 1)
    placed = []
    for index, (label, value) in enumerate(points):
        x = round(LEFT + index * step, 1) if len(points) > 1 else LEFT + plot_width / 2
        placed.append(Point(x=x, y=y_of(float(value)), title=f"{label}: {value_text(value)}"))
    every = max(1, math.ceil(len(points) / MAX_X_LABELS))
    x_ticks = [Tick(position=placed[i].x, label=points[i][0]) for i in range(0, len(points), every)]
    y_ticks = [
        Tick(position=y_of(scale_max * i / 5), label=scale_text(scale_max * i / 5))
        for i in range(6)
    ]
    return BurnChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_right=WIDTH - RIGHT,
        top=TOP,
        baseline=baseline,
        points=placed,
        polyline=" ".join(f"{p.x},{p.y}" for p in placed),
        budget_y=y_of(float(budget)) if budget else None,
        budget_label=value_text(budget),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
