"""Chart geometry for every chart Lotsen draws: plain numbers for inline SVG. Pure module.

The templates (and the early-warning report, which writes its SVG itself) draw; these
functions place: the plot area inside its margins, a "nice" axis maximum, ticks and grid
lines, columns in their slots, points spread along a line. The generic column and bar
charts of the statistics pages (KAA, programmes) live here whole; a chart with meaning of
its own (the budget's burn line, WHO-5 on its fixed scale, attendance's stacked bars)
keeps that meaning in its app and takes its geometry from here.

Every chart follows one accessible pattern: an ``<svg role="img">`` labelled by its
``<title>`` and ``<desc>`` (``svg_open`` writes that opening), the desc saying that the
same numbers stand in the table beside it, and that table. Colour is never the only
carrier of meaning: lines differ in dash, bars in pattern, and values are written out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# The steps of a "nice" axis: every maximum is one of these times a power of ten.
NICE_STEPS = (1, 2, 2.5, 5, 10)
# Gridlines of a scale with a nice maximum: the maximum in this many equal parts.
GRID_PARTS = 5


@dataclass(frozen=True, kw_only=True)
class Frame:
    """A chart's canvas and the margins around its plot area (for axis labels)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def baseline(self) -> int:
        """The y of the value axis's zero: the bottom of the plot area."""
        return self.top + self.plot_height

    def y_of(self, value: float, scale_max: float) -> float:
        """Where a value sits on a vertical scale from 0 (the baseline) to ``scale_max``."""
        return round(self.baseline - value / scale_max * self.plot_height, 1)

    def height_of(self, value: float, scale_max: float) -> float:
        """How tall a column of ``value`` is on that scale."""
        return round(value / scale_max * self.plot_height, 1)


@dataclass(frozen=True, kw_only=True)
class Plot:
    """A chart placed on its frame: what every chart template reads to draw the axes and
    the grid (``chart.width``, ``height``, ``left``, ``plot_right``, ``top``,
    ``baseline``). The charts of the apps add their own marks to it."""

    frame: Frame

    @property
    def width(self) -> int:
        return self.frame.width

    @property
    def height(self) -> int:
        return self.frame.height

    @property
    def left(self) -> int:
        return self.frame.left

    @property
    def plot_right(self) -> int:
        return self.frame.plot_right

    @property
    def top(self) -> int:
        return self.frame.top

    @property
    def baseline(self) -> int:
        return self.frame.baseline


@dataclass(frozen=True, kw_only=True)
class GridLine:
    """A horizontal line across the plot area with its value written at the left."""

    y: float
    label: str


@dataclass(frozen=True, kw_only=True)
class Tick:
    """A label along the horizontal axis."""

    position: float
    label: str


@dataclass(frozen=True, kw_only=True)
class Slot:
    """A column's place: its left edge, its width and its centre (for the label below)."""

    x: float
    width: float
    centre: float


def nice_max(value: float, *, smallest: float = 1.0) -> float:
    """The top of an axis that shows ``value``: the least of 1, 2, 2.5, 5 or 10 times a
    power of ten that is at least ``value``, and never below ``smallest`` (a chart of
    nothing but zeros still needs a scale)."""
    if value <= smallest:
        return smallest
    magnitude = 10 ** math.floor(math.log10(value))
    for step in NICE_STEPS:
        if step * magnitude >= value:
            return step * magnitude
    return value  # pragma: no cover - the step 10 always reaches the value


def parts_of(scale_max: float, parts: int = GRID_PARTS) -> list[float]:
    """The values of the grid lines that divide a scale into equal parts, zero included."""
    return [scale_max * i / parts for i in range(parts + 1)]


def grid(
    frame: Frame,
    scale_max: float,
    values: Sequence[float],
    *,
    label: Callable[[float], str] = str,
) -> list[GridLine]:
    """Grid lines at ``values`` on a scale from 0 to ``scale_max``, each with its label."""
    return [GridLine(y=frame.y_of(value, scale_max), label=label(value)) for value in values]


def slots(frame: Frame, count: int, *, widest: float) -> list[Slot]:
    """``count`` columns side by side across the plot area, each centred in an equal slot
    and 70 % of it wide (at most ``widest``), so that neighbours never touch."""
    slot = frame.plot_width / count
    width = round(min(widest, slot * 0.7), 1)
    placed = []
    for index in range(count):
        x = round(frame.left + index * slot + (slot - width) / 2, 1)
        placed.append(Slot(x=x, width=width, centre=round(x + width / 2, 1)))
    return placed


def spread(frame: Frame, count: int) -> list[float]:
    """The x of ``count`` evenly spaced points from the left edge of the plot area to its
    right edge; a single point stands in the middle."""
    if count == 1:
        return [round(frame.left + frame.plot_width / 2, 1)]
    step = frame.plot_width / (count - 1)
    return [round(frame.left + index * step, 1) for index in range(count)]


def label_every(count: int, most: int) -> int:
    """Label every n-th of ``count`` points or columns so that at most ``most`` (about)
    labels stand along the axis and none overlap."""
    return max(1, math.ceil(count / most))


def polyline(points: Sequence[tuple[float, float]]) -> str:
    """The ``points`` attribute of an SVG polyline."""
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def decimal_text(value: float, *, digits: int = 1) -> str:
    """A number with a Swedish decimal comma and no trailing zeros: 12.5 → "12,5",
    15.0 → "15"."""
    text = f"{value:.{digits}f}".replace(".", ",")
    return text.rstrip("0").rstrip(",") if "," in text else text


def svg_open(*, key: str, width: float, height: float, title: str, desc: str) -> str:
    """The opening of a stand-alone chart (no template): an image labelled by its title
    and description, which say in words what the chart shows."""
    return "\n".join(
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" '
            f'aria-labelledby="{key}-title {key}-desc">',
            f'<title id="{key}-title">{escape(title)}</title>',
            f'<desc id="{key}-desc">{escape(desc)}</desc>',
        )
    )


# --- The statistics pages' generic charts ----------------------------------------------------
# Drawn by templates/stats/_column_chart.html and _bar_chart.html, with the table beside.

FRAME = Frame(width=640, height=240, left=44, right=12, top=12, bottom=40)
# A count of at most five gets the scale 0–5, so that one person is not a full-height bar.
SMALLEST_COUNT_SCALE = 5
WIDEST_COLUMN = 40.0
ROW_HEIGHT = 28
LABEL_WIDTH = 250
VALUE_WIDTH = 70


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
class ColumnChart(Plot):
    bars: list[Bar]
    grid: list[GridLine]


def column_chart(points: Sequence[tuple[str, int]]) -> ColumnChart | None:
    """Vertical bars, one per count (e.g. the cohort's size at the start of each month)."""
    if not points:
        return None
    scale_max = int(nice_max(max(v for _, v in points), smallest=SMALLEST_COUNT_SCALE))
    bars = []
    for place, (label, value) in zip(
        slots(FRAME, len(points), widest=WIDEST_COLUMN), points, strict=True
    ):
        height = FRAME.height_of(value, scale_max)
        bars.append(
            Bar(
                x=place.x,
                y=round(FRAME.baseline - height, 1),
                width=place.width,
                height=height,
                label=label,
                label_x=place.centre,
                value=value,
                title=f"{label}: {value}",
            )
        )
    return ColumnChart(
        frame=FRAME,
        bars=bars,
        grid=grid(FRAME, scale_max, parts_of(scale_max), label=lambda v: f"{round(v)}"),
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
    """Horizontal bars with the label on the left and the value written after the bar."""
    if not items:
        return None
    top = maximum if maximum is not None else max((v for _, v in items), default=0)
    top = top or 1
    plot_width = FRAME.width - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for index, (label, value) in enumerate(items):
        y = FRAME.top + index * ROW_HEIGHT
        width = round(value / top * plot_width, 1)
        rows.append(
            BarRow(
                y=y,
                width=width,
                label=label,
                value_text=f"{value:g}{unit}".replace(".", ","),
                value_x=round(LABEL_WIDTH + width + 6, 1),
                text_y=y + ROW_HEIGHT / 2 + 4,
            )
        )
    return BarChart(
        width=FRAME.width,
        height=FRAME.top * 2 + len(items) * ROW_HEIGHT,
        left=LABEL_WIDTH,
        rows=rows,
    )
