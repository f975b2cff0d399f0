"""The WHO-5 line chart's geometry."""

import datetime as dt

import pytest

from lotsen.youth import charts


def _days(n):
    start = dt.date(2026, 1, 1)
    return [start + dt.timedelta(days=7 * i) for i in range(n)]


def test_no_checkins_no_chart():
    assert charts.line_chart([]) is None


def test_scores_map_to_a_fixed_0_to_100_scale():
    chart = charts.line_chart(list(zip(_days(3), [0, 50, 100], strict=True)))
    bottom, middle, top = chart.points
    assert bottom.y == chart.baseline
    assert top.y == charts.FRAME.top
    assert middle.y == pytest.approx((chart.baseline + charts.FRAME.top) / 2, abs=0.1)
    assert chart.reference_y == middle.y
    assert [line.label for line in chart.grid] == ["0", "20", "40", "60", "80", "100"]
    # Oldest first, left to right, evenly spaced from the left edge to the right edge.
    assert bottom.x == chart.left and top.x == chart.plot_right
    assert middle.x == pytest.approx((bottom.x + top.x) / 2, abs=0.1)
    assert chart.polyline.split(" ")[0] == f"{bottom.x:g},{bottom.y:g}"


def test_a_single_checkin_sits_in_the_middle():
    (point,) = charts.line_chart([(dt.date(2026, 3, 1), 64)]).points
    assert point.x == pytest.approx(
        (charts.FRAME.left + charts.FRAME.width - charts.FRAME.right) / 2, abs=0.1
    )
    assert point.label == "2026-03-01" and point.show_label


@pytest.mark.parametrize("count", [1, 2, 7, 8, 9, 15, 16, 17, 40, 100])
def test_date_labels_are_thinned_but_the_newest_always_shows(count):
    chart = charts.line_chart([(d, 40) for d in _days(count)])
    shown = [p for p in chart.points if p.show_label]
    assert chart.points[-1].show_label
    assert len(shown) <= charts.MAX_LABELS + 1
    assert len(chart.points) == count
    # No two shown labels are closer than one label slot apart.
    xs = [p.x for p in shown]
    if len(xs) > 1:
        gap = (chart.plot_right - chart.left) / max(1, count - 1)
        assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= gap - 0.2
