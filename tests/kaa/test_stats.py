"""The dashboard: status shares (the unknown share is the headline), size over time,
entries and exits by reason, by gender and age; the exported CSV suppresses small cells."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.kaa import services, stats
from lotsen.kaa.selectors import kaa_scope
from lotsen.privacy.models import AccessLogEntry
from tests.kaa.conftest import refresh, today, young

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_of_six(municipality, school):
    persons = [young(school, gender="woman" if i % 2 else "man", age=16 + i % 4) for i in range(6)]
    refresh()
    return persons


def test_shares_and_the_headline(coordinator, cohort_of_six):
    board = stats.kaa_dashboard(scope=kaa_scope(coordinator))
    assert (board.total, board.unknown, board.unknown_share) == (6, 6, 100.0)
    services.contact_record(
        actor=coordinator, person=cohort_of_six[0], kind="contact", method="phone",
        contact_date=today(), occupation="none",
    )  # fmt: skip
    board = stats.kaa_dashboard(scope=kaa_scope(coordinator))
    assert (board.unknown, board.reached, board.in_measure) == (5, 1, 0)
    assert board.unknown_share == 83.3
    assert stats.percent_text(board.unknown_share) == "83,3"
    # Aggregates only: the dashboard reads no person into the access log.
    assert not AccessLogEntry.objects.filter(object_type__startswith="kaa_dash").exists()


def test_breakdowns_by_gender_and_age(coordinator, cohort_of_six):
    board = stats.kaa_dashboard(scope=kaa_scope(coordinator))
    status = board.tables[0]
    assert status.columns[:4] == ["Totalt", "Kvinnor", "Män", "Annat kön eller ej angivet"]
    unknown_row = status.rows[0][1]
    assert unknown_row[:4] == [6, 3, 3, 0]
    assert sum(unknown_row[4:]) == 6
    assert status.all_rows()[-1][1][0] == 6


def test_size_over_time_and_entries(coordinator, cohort_of_six):
    board = stats.kaa_dashboard(scope=kaa_scope(coordinator))
    assert board.over_time[-1] == (today(), 6)
    assert len(board.over_time) in (12, 13)
    assert board.over_time[0][0] == stats.month_starts(today())[0]
    # Everyone left year 9 200 days ago and never started upper-secondary school.
    assert board.entries["never_started"] == 6
    entered = today() - dt.timedelta(days=199)
    assert all(count == (6 if day >= entered else 0) for day, count in board.over_time)


def test_the_exported_statistics_hide_small_cells(coordinator, cohort_of_six):
    text = stats.dashboard_csv(stats.kaa_dashboard(scope=kaa_scope(coordinator)))
    assert "<5" in text
    status_lines = [line for line in text.splitlines() if line.startswith("Okänd status;")]
    assert status_lines[0].split(";")[1] == "6"
    assert status_lines[0].split(";")[2] == "<5"  # three women
