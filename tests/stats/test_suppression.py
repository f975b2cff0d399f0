"""Small-cell suppression: counts 1–4 hidden, and no hidden count derivable from a sum."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from lotsen.stats.suppression import PRIMARY, SECONDARY, Sum, breakdown_sums, suppress


def test_small_counts_are_hidden_and_zero_is_shown():
    table = [[10, 0, 3, 7]]
    sums = [Sum((0, 0), ((0, 1), (0, 2), (0, 3)))]
    assert suppress(table, sums) == [["10", "0", PRIMARY, SECONDARY]]


def test_a_single_hidden_cell_takes_the_smallest_other_nonzero_cell_with_it():
    table = [[30, 2, 12, 16]]
    assert suppress(table, [Sum((0, 0), ((0, 1), (0, 2), (0, 3)))]) == [
        ["30", PRIMARY, SECONDARY, "16"]
    ]


def test_two_hidden_cells_need_nothing_more():
    table = [[20, 2, 3, 15]]
    assert suppress(table, [Sum((0, 0), ((0, 1), (0, 2), (0, 3)))]) == [
        ["20", PRIMARY, PRIMARY, "15"]
    ]


def test_a_small_total_hides_a_part_too():
    table = [[4, 0, 4]]
    assert suppress(table, [Sum((0, 0), ((0, 1), (0, 2)))]) == [[PRIMARY, "0", PRIMARY]]


def test_hiding_spreads_through_rows_and_columns():
    # rows: two categories and their total; columns: total, women, men.
    table = [[12, 9, 3], [20, 10, 10], [32, 19, 13]]
    sums = breakdown_sums(rows=3, total_column=0, column_groups=[[1, 2]], total_row=2)
    result = suppress(table, sums)
    assert result[0][2] == PRIMARY
    for s in sums:
        cells = [s.total, *s.parts]
        hidden = sum(1 for r, c in cells if result[r][c] in (PRIMARY, SECONDARY))
        assert hidden != 1


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 4))
    parts = [[draw(st.integers(0, 12)) for _ in range(3)] for _ in range(rows)]
    body = [[sum(p), *p] for p in parts]
    total = [sum(row[c] for row in body) for c in range(4)]
    return [*body, total]


@settings(max_examples=300, deadline=None)
@given(table=tables())
def test_no_sum_ever_has_exactly_one_hidden_cell(table):
    sums = breakdown_sums(
        rows=len(table), total_column=0, column_groups=[[1, 2, 3]], total_row=len(table) - 1
    )
    result = suppress(table, sums)
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if 0 < value < 5:
                assert result[r][c] == PRIMARY
            elif result[r][c] not in (PRIMARY, SECONDARY):
                assert result[r][c] == str(value)
    for s in sums:
        hidden = sum(1 for r, c in (s.total, *s.parts) if result[r][c] in (PRIMARY, SECONDARY))
        assert hidden != 1


def test_the_wording_of_a_hidden_count_is_one_constant_translated_where_shown():
    from django.utils import translation

    from lotsen.programmes import dashboard, indicators
    from lotsen.stats.suppression import PRIMARY_WORDS, THRESHOLD

    assert PRIMARY_WORDS == "färre än 5" and THRESHOLD == 5
    assert indicators.SUPPRESSED_TEXT == PRIMARY_WORDS
    with translation.override("en"):
        assert str(dashboard.SUPPRESSED_TEXT) == "fewer than 5"
    with translation.override("sv"):
        assert str(dashboard.SUPPRESSED_TEXT) == PRIMARY_WORDS
