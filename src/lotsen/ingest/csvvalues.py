"""One wording for each fault in a value of an imported row, whichever import reads it.

``csvfile`` names what is wrong with a file (encoding, header, quoting); this module names
what is wrong with one value (missing, not a date, too long …), so that the school, KAA,
participant and cost imports say the same thing for the same fault. Messages never repeat
the value: it may be a personnummer.
"""

from __future__ import annotations

import datetime as dt

# Dates outside these years are typing errors or placeholders (0001-01-01, 9999-12-31):
# date arithmetic on them overflows.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

ERROR_REQUIRED = "Värde saknas."
ERROR_DATE = "Datumet ska skrivas ÅÅÅÅ-MM-DD."
ERROR_DATE_RANGE = "Datumet ska ligga mellan 1900-01-01 och 2100-12-31."
ERROR_DATE_FUTURE = "Datumet ligger i framtiden."
ERROR_END_BEFORE_START = "Slutdatumet kan inte vara före startdatumet."
ERROR_TOO_LONG = "Värdet får vara högst {limit} tecken."
ERROR_INTEGER = "Ska vara ett heltal."
ERROR_RANGE = "Ska vara mellan {low} och {high}."
ERROR_BOOLEAN = "Ska vara 0 eller 1."
ERROR_MUNICIPALITY_CODE = "Kommunkoden ska vara fyra siffror."
ERROR_SCHOOL_UNIT_CODE = "Skolenhetskoden ska vara åtta siffror."
ERROR_DUPLICATE_ROW = "Samma {what} finns redan på rad {line}."


class CsvValueError(ValueError):
    """A value that cannot be read; ``str()`` is one of the messages above."""


def csv_date(value: str) -> dt.date:
    """A date written ÅÅÅÅ-MM-DD between ``EARLIEST_DATE`` and ``LATEST_DATE``."""
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CsvValueError(ERROR_DATE) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise CsvValueError(ERROR_DATE_RANGE)
    return day


def csv_integer(value: str, *, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``."""
    try:
        number = int(value)
    except ValueError:
        raise CsvValueError(ERROR_INTEGER) from None
    if not low <= number <= high:
        raise CsvValueError(ERROR_RANGE.format(low=low, high=high))
    return number
