"""Geometry for the WHO-5 line chart: plain numbers for an inline SVG. Pure module.

The template draws; this module places the points, the line, the grid and the labels on
a fixed 0–100 scale, so that two charts of the same young person always compare (the
shared geometry is ``lotsen.stats.charts``). A table with the same numbers stands beside
every chart: it is the accessible alternative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from lotsen.stats.charts import Frame, GridLine, Plot, grid, label_every, polyline, spread

FRAME = Frame(width=640, height=260, left=56, right=40, top=16, bottom=48)
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
class LineChart(Plot):
    points: list[Point]
    polyline: str
    grid: list[GridLine]
    reference_y: float
    x_axis_label_y: float
    y_axis_label_x: float
    y_axis_label_y: float


def line_chart(points: Sequence[tuple[dt.date, int]]) -> LineChart | None:
    """One point per check-in, oldest first, evenly spaced; None when there is none.

    Even spacing rather than a time axis: check-ins come when the young person chooses,
    and a time axis would squeeze a busy month into a corner.
    """
    if not points:
        return None
    count = len(points)
    every = label_every(count, MAX_LABELS)
    placed = [
        Point(
            x=x,
            y=FRAME.y_of(value, SCALE_MAX),
            score=value,
            label=day.isoformat(),
            # The newest point always keeps its date: it is the one just added.
            show_label=(index % every == 0 and (count - 1 - index) >= every) or index == count - 1,
        )
        for index, (x, (day, value)) in enumerate(zip(spread(FRAME, count), points, strict=True))
    ]
    return LineChart(
        frame=FRAME,
        points=placed,
        polyline=polyline([(p.x, p.y) for p in placed]),
        grid=grid(FRAME, SCALE_MAX, range(0, SCALE_MAX + 1, GRID_STEP)),
        reference_y=FRAME.y_of(REFERENCE_SCORE, SCALE_MAX),
        x_axis_label_y=FRAME.height - 6,
        y_axis_label_x=14,
        y_axis_label_y=FRAME.top + FRAME.plot_height / 2,
    )
