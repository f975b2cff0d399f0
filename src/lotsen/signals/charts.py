"""Geometry for the attendance chart on a person's page: plain numbers for an inline SVG.

The chart is drawn by the template; this module only places bars and grid lines. It
carries no meaning the table beside it lacks: the table is the accessible alternative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 44
# The line drawn across the chart: the absence share research and Skolverket's national
# mapping treat as alarming (domain/swedish-rules-and-sources.md §4).
REFERENCE_PERCENT = 15
MAX_LABELS = 8


class Period(Protocol):
    end_date: object
    valid_percent: float
    invalid_percent: float
    absence_percent: float


@dataclass(frozen=True, kw_only=True)
class Bar:
    x: float
    width: float
    invalid_y: float
    invalid_height: float
    valid_y: float
    valid_height: float
    label: str
    label_x: float
    show_label: bool
    title: str


@dataclass(frozen=True, kw_only=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True, kw_only=True)
class Chart:
    width: int
    height: int
    left: int
    plot_right: int
    baseline: float
    bars: list[Bar]
    grid: list[GridLine]
    reference_y: float
    reference_label: str


def _percent_text(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def attendance_chart(periods: Sequence[Period]) -> Chart | None:
    """Stacked bars per period, oldest first: invalid absence at the bottom, valid on top."""
    if not periods:
        return None
    top_value = max([REFERENCE_PERCENT, *(p.absence_percent for p in periods)])
    scale_max = max(20, math.ceil(top_value / 5) * 5)
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT
    baseline = TOP + plot_height

    def y(value: float) -> float:
        return round(baseline - value / scale_max * plot_height, 1)

    slot = plot_width / len(periods)
    bar_width = round(min(48.0, slot * 0.7), 1)
    step = max(1, math.ceil(len(periods) / MAX_LABELS))
    bars = []
    for index, period in enumerate(periods):
        x = round(LEFT + index * slot + (slot - bar_width) / 2, 1)
        invalid_top = y(period.invalid_percent)
        total_top = y(period.invalid_percent + period.valid_percent)
        label = period.end_date.isoformat()  # type: ignore[attr-defined]
        bars.append(
            Bar(
                x=x,
                width=bar_width,
                invalid_y=invalid_top,
                invalid_height=round(baseline - invalid_top, 1),
                valid_y=total_top,
                valid_height=round(invalid_top - total_top, 1),
                label=label[5:],
                label_x=round(x + bar_width / 2, 1),
                # The newest period is always labelled; earlier ones at even steps from it.
                show_label=(len(periods) - 1 - index) % step == 0,
                title=(
                    f"{label}: {_percent_text(period.absence_percent)} % "
                    f"({_percent_text(period.invalid_percent)} % "
                    f"/ {_percent_text(period.valid_percent)} %)"
                ),
            )
        )
    grid = [GridLine(y=y(value), label=f"{value} %") for value in range(0, scale_max + 1, 5)]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        plot_right=WIDTH - RIGHT,
        baseline=baseline,
        bars=bars,
        grid=grid,
        reference_y=y(REFERENCE_PERCENT),
        reference_label=f"{REFERENCE_PERCENT} %",
    )
