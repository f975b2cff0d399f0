"""One wording for each fault in a value (ingest.csvvalues)."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.ingest import csvvalues
from lotsen.ingest.csvvalues import CsvValueError, csv_date, csv_integer


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-02-30", csvvalues.ERROR_DATE),
        ("2026-2-3", csvvalues.ERROR_DATE),
        ("20260203", csvvalues.ERROR_DATE),
        ("18/12/2025", csvvalues.ERROR_DATE),
        ("0001-01-01", csvvalues.ERROR_DATE_RANGE),
        ("9999-12-31", csvvalues.ERROR_DATE_RANGE),
    ],
)
def test_a_bad_date_is_named_with_one_wording(text, message):
    with pytest.raises(CsvValueError) as refused:
        csv_date(text)
    assert str(refused.value) == message
    assert text not in str(refused.value)


def test_dates_at_the_bounds_are_read():
    assert csv_date("1900-01-01") == dt.date(1900, 1, 1)
    assert csv_date("2100-12-31") == dt.date(2100, 12, 31)


def test_integers_are_whole_and_in_range():
    assert csv_integer("7", low=0, high=10) == 7
    with pytest.raises(CsvValueError, match="heltal"):
        csv_integer("7.5", low=0, high=10)
    with pytest.raises(CsvValueError) as refused:
        csv_integer("11", low=0, high=10)
    assert str(refused.value) == csvvalues.ERROR_RANGE.format(low=0, high=10)
