"""The pure money module: parsing, rounding, shares, the monthly series, allocation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from lotsen.finance import charts, money


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", D("1234.50")),
        ("1234,5", D("1234.50")),
        ("1 234 567,25", D("1234567.25")),
        ("1\u00a0234", D("1234.00")),
        ("1\u202f234", D("1234.00")),
        ("0", D("0.00")),
        (" 42 ", D("42.00")),
    ],
)
def test_parse_amount_accepts_how_people_write_kronor(text, expected):
    assert money.parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", money.ERROR_AMOUNT_NEGATIVE),
        ("−5", money.ERROR_AMOUNT_NEGATIVE),
        ("1,234.5", money.ERROR_AMOUNT_FORMAT.format(value="1,234.5")),
        ("12 kr", money.ERROR_AMOUNT_FORMAT.format(value="12 kr")),
        ("", money.ERROR_AMOUNT_FORMAT.format(value="")),
        ("1e5", money.ERROR_AMOUNT_FORMAT.format(value="1e5")),
        ("10,005", money.ERROR_AMOUNT_DECIMALS),
    ],
)
def test_parse_amount_refuses_with_a_clear_message(text, message):
    with pytest.raises(ValueError) as caught:
        money.parse_amount(text)
    assert str(caught.value) == message


def test_staff_time_amount_is_hours_times_rate_rounded_half_up_to_ore():
    assert money.staff_time_amount(D("120"), D("450")) == D("54000.00")
    assert money.staff_time_amount(D("1.5"), D("333.33")) == D("500.00")  # 499.995
    assert money.staff_time_amount(D("0.01"), D("0.5")) == D("0.01")  # 0.005 rounds up


def test_share_is_none_when_the_whole_is_zero():
    assert money.share(D("27"), D("90")) == D("0.3")
    assert money.share(D("0"), D("90")) == 0
    assert money.share(D("5"), D("0")) is None


@pytest.mark.parametrize(
    ("fraction", "text"),
    [(D("0.3"), "30"), (D("0.3055"), "30,6"), (D("1"), "100"), (D("0.0004"), "0"), (None, "–")],
)
def test_percent_text(fraction, text):
    assert money.percent_text(fraction) == text


def test_sek_text_groups_thousands_with_no_break_spaces():
    assert money.sek_text(D("90000000.00")) == "90\u00a0000\u00a0000"
    assert money.sek_text(D("999.50")) == "1\u00a0000"
    assert money.sek_text(D("-1500")) == "−1\u00a0500"
    assert money.sek_text(None) == "–"


def test_months_between_spans_years_and_includes_both_ends():
    months = money.months_between(dt.date(2023, 11, 20), dt.date(2024, 2, 3))
    assert months == [
        dt.date(2023, 11, 1),
        dt.date(2023, 12, 1),
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 1),
    ]
    assert money.months_between(dt.date(2024, 3, 5), dt.date(2024, 2, 1)) == []


def test_cumulative_by_month_fills_gaps_and_sums_days_of_a_month():
    amounts = {dt.date(2024, 1, 5): D("100"), dt.date(2024, 3, 1): D("50.5")}
    rows = money.cumulative_by_month(amounts, first=dt.date(2023, 12, 15), last=dt.date(2024, 4, 2))
    assert rows == [
        (dt.date(2023, 12, 1), D("0"), D("0")),
        (dt.date(2024, 1, 1), D("100"), D("100")),
        (dt.date(2024, 2, 1), D("0"), D("100")),
        (dt.date(2024, 3, 1), D("50.5"), D("150.5")),
        (dt.date(2024, 4, 1), D("0"), D("150.5")),
    ]


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (90_000_000, [3, 3, 3]),
        (10, [1, 1, 1]),
        (63_000_000, [97, 60, 140, 101, 77]),
        (0, [1, 2]),
        (7, [0, 1]),
    ],
)
def test_allocate_gives_whole_parts_that_add_up_exactly(total, weights):
    parts = money.allocate(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / whole) < 1


def test_allocate_gives_the_leftover_to_the_largest_remainders_first():
    assert money.allocate(10, [1, 1, 1]) == [4, 3, 3]
    assert money.allocate(5, [1, 2]) == [2, 3]


@pytest.mark.parametrize("weights", [[], [0, 0], [-1, 2]])
def test_allocate_refuses_weights_that_cannot_split(weights):
    with pytest.raises(ValueError):
        money.allocate(10, weights)


def test_burn_chart_places_the_line_and_the_budget():
    chart = charts.burn_chart(
        [("2024-01", D("0")), ("2024-02", D("50000")), ("2024-03", D("100000"))],
        budget=D("200000"),
    )
    assert chart is not None
    assert [p.x for p in chart.points] == [
        charts.FRAME.left,
        344.0,
        charts.FRAME.width - charts.FRAME.right,
    ]
    # The scale tops out at 200 000 (the budget): the budget line is at the top of the plot
    # and the last point halfway down.
    assert chart.budget_y == charts.FRAME.top
    assert chart.points[-1].y == round(chart.baseline - (chart.baseline - charts.FRAME.top) / 2, 1)
    assert chart.points[0].y == chart.baseline
    assert chart.grid[-1].label == "200 tkr"
    assert chart.polyline == "64,220 344,169 624,118"


def test_burn_chart_thins_month_labels_and_handles_no_budget():
    points = [(f"m{i}", D(i)) for i in range(30)]
    chart = charts.burn_chart(points, budget=D("0"))
    assert chart.budget_y is None
    assert len(chart.x_ticks) <= charts.MAX_X_LABELS
    assert charts.burn_chart([], budget=D("1")) is None
    assert charts.scale_text(2_500_000) == "2,5 mnkr"
    assert charts.scale_text(3_000_000) == "3 mnkr"
    assert charts.scale_text(400) == "400 kr"
