"""Geometry for the KAA dashboard's charts: plain numbers for inline SVG. Pure module.

The templates draw; this module places bars, grid lines and labels. Every chart stands
beside a table with the same numbers, which is the accessible alternative (and the chart
is hidden from screen readers).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 40
ROW_HEIGHT = 28
LABEL_WIDTH = 250


@dataclass(frozen=True, kw_only=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    label_x: float
    value: int
    title: str


@dataclass(frozen=True, kw_only=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True, kw_only=True)
class ColumnChart:
    width: int
    height: int
    left: int
    plot_right: int
    baseline: float
    bars: list[Bar]
    grid: list[GridLine]


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = step * magnitude
        if top >= value:
            return int(math.ceil(top))
    return value


def column_chart(points: Sequence[tuple[str, int]]) -> ColumnChart | None:
    """Vertical bars, one per point (e.g. the cohort's size at the start of each month)."""
    if not points:
        return None
    scale_max = _nice_max(max(v for _, v in points))
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    baseline = TOP + plot_height
    slot = plot_width / len(points)
    bar_width = round(min(40.0, slot * 0.7), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        height = round(value / scale_max * plot_height, 1)
        x = round(LEFT + index * slot + (slot - bar_width) / 2, 1)
        bars.append(
            Bar(
                x=x,
                y=round(baseline - height, 1),
                width=bar_width,
                height=height,
                label=label,
                label_x=round(x + bar_width / 2, 1),
                value=value,
                title=f"{label}: {value}",
            )
        )
    step = scale_max / 5
    grid = [
        GridLine(
            y=round(baseline - i * step / scale_max * plot_height, 1), label=f"{round(i * step)}"
        )
        for i in range(6)
    ]
    return ColumnChart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_right=WIDTH - RIGHT,
        baseline=baseline,
        bars=bars,
        grid=grid,
    )


@dataclass(frozen=True, kw_only=True)
class BarRow:
    y: float
    width: float
    label: str
    value_text: str
    value_x: float
    text_y: float


@dataclass(frozen=True, kw_only=True)
class BarChart:
    width: int
    height: int
    left: int
    rows: list[BarRow]


def bar_chart(
    items: Sequence[tuple[str, float]], *, unit: str = "", maximum: float | None = None
) -> BarChart | None:
    """Horizontal bars with the label on the left and the value after the bar."""
    if not items:
        return None
    top = maximum if maximum is not None else max((v for _, v in items), default=0)
    top = top or 1
    plot_width = WIDTH - LABEL_WIDTH - 70
    rows = []
    for index, (label, value) in enumerate(items):
        y = TOP + index * ROW_HEIGHT
        width = round(value / top * plot_width, 1)
        text = f"{value:g}{unit}".replace(".", ",")
        rows.append(
            BarRow(
                y=y,
                width=width,
                label=label,
                value_text=text,
                value_x=round(LABEL_WIDTH + width + 6, 1),
                text_y=y + ROW_HEIGHT / 2 + 4,
            )
        )
    return BarChart(
        width=WIDTH, height=TOP * 2 + len(items) * ROW_HEIGHT, left=LABEL_WIDTH, rows=rows
    )
