"""Geometry for the WHO-5 line chart: plain numbers for an inline SVG. Pure module.

The template draws; this module places the points, the line, the grid and the labels on
a fixed 0–100 scale, so that two charts of the same young person always compare. A
table with the same numbers stands beside every chart: it is the accessible alternative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 40, 16, 48
SCALE_MAX = 100
GRID_STEP = 20
MAX_LABELS = 8
# WHO-5 at or below 50 suggests low wellbeing (Topp et al. 2015): drawn as a dashed line,
# a reference for the reader, never a verdict about the young person.
REFERENCE_SCORE = 50


@dataclass(frozen=True, kw_only=True)
class Point:
    x: float
    y: float
    score: int
    label: str
    show_label: bool


@dataclass(frozen=True, kw_only=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True, kw_only=True)
class LineChart:
    width: int
    height: int
    left: int
    plot_right: int
    top: int
    baseline: float
    points: list[Point]
    polyline: str
    grid: list[GridLine]
    reference_y: float
    x_axis_label_y: float
    y_axis_label_x: float
    y_axis_label_y: float


def _y(score: float, plot_height: float) -> float:
    return round(TOP + plot_height - score / SCALE_MAX * plot_height, 1)


def line_chart(points: Sequence[tuple[dt.date, int]]) -> LineChart | None:
    """One point per check-in, oldest first, evenly spaced; None when there is none.

    Even spacing rather than a time axis: check-ins come when the young person chooses,
    and a time axis would squeeze a busy month into a corner.
    """
    if not points:
        return None
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    count = len(points)
    step = plot_width / (count - 1) if count > 1 else 0.0
    every = max(1, -(-count // MAX_LABELS))
    placed = []
    for index, (day, value) in enumerate(points):
        x = round(LEFT + (index * step if count > 1 else plot_width / 2), 1)
        placed.append(
            Point(
                x=x,
                y=_y(value, plot_height),
                score=value,
                label=day.isoformat(),
                # The newest point always keeps its date: it is the one just added.
                show_label=(index % every == 0 and (count - 1 - index) >= every)
                or index == count - 1,
            )
        )
    grid = [
        GridLine(y=_y(value, plot_height), label=str(value))
        for value in range(0, SCALE_MAX + 1, GRID_STEP)
    ]
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_right=WIDTH - RIGHT,
        top=TOP,
        baseline=TOP + plot_height,
        points=placed,
        polyline=" ".join(f"{p.x:g},{p.y:g}" for p in placed),
        grid=grid,
        reference_y=_y(REFERENCE_SCORE, plot_height),
        x_axis_label_y=HEIGHT - 6,
        y_axis_label_x=14,
        y_axis_label_y=TOP + plot_height / 2,
    )
