"""The shared chart geometry: nice scales, grid lines, slots, points along a line, and the
generic column and bar charts of the statistics pages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotsen.stats import charts
from lotsen.stats.charts import Frame

FRAME = Frame(width=640, height=240, left=44, right=12, top=12, bottom=40)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 1.0),
        (1, 1.0),
        (3, 5),
        (6, 10),
        (10, 10),
        (11, 20),
        (21, 25),
        (26, 50),
        (51, 100),
        (1234, 2000),
        (2600, 5000),
        (98765, 100000),
    ],
)
def test_nice_max_is_one_two_two_and_a_half_or_five_times_a_power_of_ten(value, expected):
    assert charts.nice_max(value) == expected


@given(st.floats(min_value=1e-3, max_value=1e12, allow_nan=False))
def test_nice_max_covers_the_value_and_is_at_most_two_and_a_half_times_it(value):
    top = charts.nice_max(value, smallest=0.001)
    assert value <= top <= 2.5 * value + 1e-9


def test_nice_max_never_goes_below_the_smallest_scale():
    assert charts.nice_max(0, smallest=5) == 5
    assert charts.nice_max(4, smallest=5) == 5
    assert charts.nice_max(7, smallest=5) == 10


def test_frame_places_values_between_the_baseline_and_the_top():
    assert FRAME.baseline == 200 and FRAME.plot_right == 628
    assert FRAME.y_of(0, 50) == FRAME.baseline
    assert FRAME.y_of(50, 50) == FRAME.top
    assert FRAME.y_of(25, 50) == 106.0
    assert FRAME.height_of(25, 50) == 94.0


def test_grid_divides_the_scale_into_equal_parts_with_labels():
    lines = charts.grid(FRAME, 50, charts.parts_of(50), label=lambda v: f"{v:g}")
    assert [line.label for line in lines] == ["0", "10", "20", "30", "40", "50"]
    assert lines[0].y == FRAME.baseline and lines[-1].y == FRAME.top
    assert charts.parts_of(1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]


@pytest.mark.parametrize("count", [1, 2, 5, 13, 40])
def test_slots_keep_columns_apart_inside_the_plot_area(count):
    placed = charts.slots(FRAME, count, widest=40.0)
    assert len(placed) == count
    assert placed[0].x >= FRAME.left and placed[-1].x + placed[-1].width <= FRAME.plot_right
    assert all(p.width <= 40.0 for p in placed)
    assert all(b.x - (a.x + a.width) > 0 for a, b in zip(placed, placed[1:], strict=False))
    assert all(p.centre == round(p.x + p.width / 2, 1) for p in placed)


def test_spread_runs_from_edge_to_edge_and_a_single_point_stands_in_the_middle():
    assert charts.spread(FRAME, 3) == [44, 336.0, 628]
    assert charts.spread(FRAME, 1) == [336.0]


def test_label_every_keeps_at_most_about_the_number_of_labels():
    assert charts.label_every(8, 8) == 1
    assert charts.label_every(9, 8) == 2
    assert charts.label_every(100, 12) == 9


def test_polyline_and_decimal_text():
    assert charts.polyline([(64.0, 220.0), (344.5, 169.0)]) == "64,220 344.5,169"
    assert charts.decimal_text(12.5) == "12,5"
    assert charts.decimal_text(15.0) == "15"
    assert charts.decimal_text(2.04) == "2"


def test_svg_open_is_an_image_labelled_by_its_title_and_description():
    text = charts.svg_open(key="k", width=10, height=20, title="A & B", desc="<x>")
    assert 'role="img" aria-labelledby="k-title k-desc"' in text
    assert '<title id="k-title">A &amp; B</title>' in text
    assert '<desc id="k-desc">&lt;x&gt;</desc>' in text


def test_column_chart_places_one_bar_per_count_on_a_nice_scale():
    chart = charts.column_chart([("jan", 0), ("feb", 12), ("mar", 20)])
    assert [line.label for line in chart.grid] == ["0", "4", "8", "12", "16", "20"]
    empty, middle, tallest = chart.bars
    assert empty.height == 0 and empty.y == chart.baseline
    assert tallest.y == charts.FRAME.top and tallest.height == chart.baseline - charts.FRAME.top
    assert middle.height == round(12 / 20 * (chart.baseline - charts.FRAME.top), 1)
    assert middle.title == "feb: 12"
    assert charts.column_chart([]) is None


def test_small_counts_get_the_scale_up_to_five():
    chart = charts.column_chart([("a", 1)])
    assert chart.grid[-1].label == "5"


def test_bar_chart_writes_the_value_after_each_bar():
    chart = charts.bar_chart([("Nådda", 50), ("Okänd", 12.5)], unit=" %", maximum=100)
    reached, unknown = chart.rows
    assert reached.value_text == "50 %" and unknown.value_text == "12,5 %"
    # Against the given maximum (100 %), not the largest value: 50 % is half the plot.
    assert reached.width == (charts.FRAME.width - charts.LABEL_WIDTH - charts.VALUE_WIDTH) / 2
    assert unknown.width == reached.width / 4
    assert unknown.value_x == round(charts.LABEL_WIDTH + unknown.width + 6, 1)
    assert charts.bar_chart([]) is None
