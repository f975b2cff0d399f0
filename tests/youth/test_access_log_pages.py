"""'Who has read about me' in pages, grouped by month (issue 13): paged at the database,
own reads left out in the query, months in local time, newest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.youth import selectors
from lotsen.youth.selectors import ACCESS_LOG_PAGE_SIZE

pytestmark = pytest.mark.django_db


def _entries(actor, person, times, object_type="case"):
    """Log entries at the given local times (the log is append-only: made with their time)."""
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            at=timezone.make_aware(at),
            actor_user=actor.user,
            organisation=actor.organisation,
            person=person,
            action=Action.VIEW,
            purpose=Purpose.SUPPORT,
            object_type=object_type,
        )
        for at in times
    )


def _hours_back(start: dt.datetime, count: int) -> list[dt.datetime]:
    return [start - dt.timedelta(hours=12 * n) for n in range(count)]


def test_pages_hold_the_page_size_and_months_are_grouped_newest_first(world):
    # 130 reads by the coach, every twelve hours back from 10 March: March, February and
    # the end of January; the young person's own reads are left out, even when newer.
    times = _hours_back(dt.datetime(2026, 3, 10, 9, 0), 130)
    _entries(world.coach, world.person, times)
    _entries(world.young, world.person, [dt.datetime(2026, 3, 11, 9, 0)] * 10)

    first = selectors.youth_access_log_page(actor=world.young, page_number=1)
    assert first.page.paginator.count == 130
    assert first.page.paginator.num_pages == 3
    rows = [row for month in first.months for row in month.rows]
    assert len(rows) == ACCESS_LOG_PAGE_SIZE
    assert all(row.staff_name == "Emma Falk" for row in rows)
    # Months in order, newest first, each holding only its own month's rows.
    assert [m.month for m in first.months] == [dt.date(2026, 3, 1), dt.date(2026, 2, 1)]
    for month in first.months:
        assert {timezone.localtime(r.at).date().replace(day=1) for r in month.rows} == {month.month}
    ats = [r.at for r in rows]
    assert ats == sorted(ats, reverse=True)
    # March holds the 1st 09:00 up to the 10th: 19 readings twelve hours apart.
    assert len(first.months[0].rows) == 19

    last = selectors.youth_access_log_page(actor=world.young, page_number=3)
    assert sum(len(m.rows) for m in last.months) == 130 - 2 * ACCESS_LOG_PAGE_SIZE
    assert last.months[-1].month == dt.date(2026, 1, 1)


@pytest.mark.parametrize("asked", ["0", "-1", "x", "999", None, "1" * 40])
def test_a_page_number_that_is_no_page_gives_the_nearest_page(world, asked):
    _entries(world.coach, world.person, _hours_back(dt.datetime(2026, 3, 10, 9), 60))
    log = selectors.youth_access_log_page(actor=world.young, page_number=asked)
    assert log.page.number in {1, 2}
    assert sum(len(m.rows) for m in log.months) in {ACCESS_LOG_PAGE_SIZE, 10}


def test_a_month_is_the_local_month(world):
    # 23:30 on 31 January in Stockholm is 22:30 UTC: the entry belongs to January, and
    # 00:30 on 1 February (23:30 UTC the day before) to February.
    _entries(world.coach, world.person, [dt.datetime(2026, 1, 31, 23, 30)])
    _entries(world.coach, world.person, [dt.datetime(2026, 2, 1, 0, 30)])
    log = selectors.youth_access_log_page(actor=world.young)
    assert [(m.month, len(m.rows)) for m in log.months] == [
        (dt.date(2026, 2, 1), 1),
        (dt.date(2026, 1, 1), 1),
    ]


def test_the_query_count_does_not_grow_with_the_log(world):
    _entries(world.coach, world.person, _hours_back(dt.datetime(2026, 3, 10, 9), 5))
    with CaptureQueriesContext(connection) as small:
        selectors.youth_access_log_page(actor=world.young)
    _entries(world.coach, world.person, _hours_back(dt.datetime(2025, 3, 10, 9), 400))
    with CaptureQueriesContext(connection) as large:
        log = selectors.youth_access_log_page(actor=world.young, page_number=4)
    assert len(large) == len(small)
    assert sum(len(m.rows) for m in log.months) == ACCESS_LOG_PAGE_SIZE


def test_the_page_shows_months_as_headings_and_links_to_older_entries(client, world):
    _entries(world.coach, world.person, _hours_back(dt.datetime(2026, 3, 10, 9), 60))
    client.force_login(world.young_user)
    page = client.get(reverse("youth:access_log"), {"sida": "1"})
    assert page.status_code == 200
    assert ">Mars 2026</h2>" in page.text and ">Februari 2026</h2>" in page.text
    assert "Sida 1 av 2." in page.text
    assert '?sida=2" rel="next"' in page.text and 'rel="prev"' not in page.text
    older = client.get(reverse("youth:access_log"), {"sida": "2"})
    assert "Sida 2 av 2." in older.text and '?sida=1" rel="prev"' in older.text
    assert ">Februari 2026</h2>" in older.text and "Mars 2026" not in older.text


def test_staff_get_404(world):
    with pytest.raises(Http404):
        selectors.youth_access_log_page(actor=world.coach)
