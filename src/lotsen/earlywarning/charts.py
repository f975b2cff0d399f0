"""Geometry for the attendance chart on a person's page: plain numbers for an inline SVG.

The chart is drawn by the template; this module only places bars and grid lines (with
the shared geometry of ``lotsen.stats.charts``). It carries no meaning the table beside it
lacks: the table is the accessible alternative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from lotsen.stats.charts import Frame, GridLine, Plot, decimal_text, grid, label_every, slots

FRAME = Frame(width=640, height=260, left=44, right=12, top=12, bottom=44)
# The line drawn across the chart: the absence share research and Skolverket's national
# mapping treat as alarming (domain/swedish-rules-and-sources.md §4).
REFERENCE_PERCENT = 15
MAX_LABELS = 8
# The percent scale: at least 0–20 %, and otherwise up to the next multiple of 5, with a
# grid line every 5 % (a "nice" maximum would leave most of the chart empty above 25 %).
SMALLEST_SCALE = 20
GRID_STEP = 5
WIDEST_BAR = 48.0


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
class Chart(Plot):
    bars: list[Bar]
    grid: list[GridLine]
    reference_y: float
    reference_label: str


def attendance_chart(periods: Sequence[Period]) -> Chart | None:
    """Stacked bars per period, oldest first: invalid absence at the bottom, valid on top."""
    if not periods:
        return None
    top_value = max([REFERENCE_PERCENT, *(p.absence_percent for p in periods)])
    scale_max = max(SMALLEST_SCALE, math.ceil(top_value / GRID_STEP) * GRID_STEP)
    baseline = FRAME.baseline
    step = label_every(len(periods), MAX_LABELS)
    bars = []
    for index, (place, period) in enumerate(
        zip(slots(FRAME, len(periods), widest=WIDEST_BAR), periods, strict=True)
    ):
        invalid_top = FRAME.y_of(period.invalid_percent, scale_max)
        total_top = FRAME.y_of(period.invalid_percent + period.valid_percent, scale_max)
        label = period.end_date.isoformat()  # type: ignore[attr-defined]
        bars.append(
            Bar(
                x=place.x,
                width=place.width,
                invalid_y=invalid_top,
                invalid_height=round(baseline - invalid_top, 1),
                valid_y=total_top,
                valid_height=round(invalid_top - total_top, 1),
                label=label[5:],
                label_x=place.centre,
                # The newest period is always labelled; earlier ones at even steps from it.
                show_label=(len(periods) - 1 - index) % step == 0,
                title=(
                    f"{label}: {decimal_text(period.absence_percent)} % "
                    f"({decimal_text(period.invalid_percent)} % "
                    f"/ {decimal_text(period.valid_percent)} %)"
                ),
            )
        )
    return Chart(
        frame=FRAME,
        bars=bars,
        grid=grid(
            FRAME,
            scale_max,
            range(0, scale_max + 1, GRID_STEP),
            label=lambda value: f"{value} %",
        ),
        reference_y=FRAME.y_of(REFERENCE_PERCENT, scale_max),
        reference_label=f"{REFERENCE_PERCENT} %",
    )
