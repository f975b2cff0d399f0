"""The school calendar that aggregated attendance is counted in. Pure module: no Django.

Attendance is aggregated over four-week periods from the first Monday on or after
15 August, the usual first school day in Sweden. A period counts once it has ended (its
last day is before today): the absence rate over the last four weeks is what the early
warning rules look at, and a half-finished period would understate it. The demo, the
SS 12000 test server and the import all take their periods from here, so that they agree.
"""

from __future__ import annotations

import datetime as dt

PERIOD_DAYS = 28
# School holidays (ISO weeks): autumn (44), Christmas (52, 53, 1), sports (8), Easter
# (15, roughly). A period's offered time shrinks by one week for each holiday week in it.
HOLIDAY_WEEKS = frozenset({44, 52, 53, 1, 8, 15})


def academic_year(today: dt.date) -> int:
    """The calendar year the current school year started in (it starts in August)."""
    return today.year if today.month >= 8 else today.year - 1


def school_year_start(year: int) -> dt.date:
    first = dt.date(year, 8, 15)
    return first + dt.timedelta(days=(7 - first.weekday()) % 7)


def school_year_end(year: int) -> dt.date:
    """The last day of the spring term: the Friday before 16 June."""
    last = dt.date(year + 1, 6, 15)
    return last - dt.timedelta(days=(last.weekday() - 4) % 7)


def attendance_periods(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The ended four-week periods of the current school year, oldest first."""
    year = academic_year(today)
    start, end_of_year = school_year_start(year), school_year_end(year)
    periods = []
    while start <= end_of_year:
        end = min(start + dt.timedelta(days=PERIOD_DAYS - 1), end_of_year)
        if end >= today:
            break
        periods.append((start, end))
        start += dt.timedelta(days=PERIOD_DAYS)
    return periods


def school_weeks(start: dt.date, end: dt.date) -> int:
    """Whole weeks with teaching in a period (holiday weeks left out)."""
    weeks = 0
    monday = start - dt.timedelta(days=start.weekday())
    while monday <= end:
        if monday.isocalendar().week not in HOLIDAY_WEEKS:
            weeks += 1
        monday += dt.timedelta(days=7)
    return weeks
