"""The KAA overview's numbers counted by the database (issue 16) are the numbers the
Python summing gave: every table, every cell, on a register built to hit the edges of the
age rules (29 February births, exits on 1 March and on a birthday, anonymised rows with and
without a birth year, a blank exit reason), for several days of the year.

The reference below is the summing that ``kaa_dashboard`` did before, row by row, with the
module's own rules (``_age``, ``_gender_group``, ``_age_group``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lotsen.kaa import cohort, stats
from lotsen.kaa.models import CohortMembership, CohortReason, Contact, LeftReason
from lotsen.kaa.selectors import current_memberships, kaa_scope, status_of, with_status
from tests.factories import PersonFactory, fresh_identity_number
from tests.kaa.conftest import M

pytestmark = pytest.mark.django_db

GENDERS = ("woman", "man", "nonbinary", "")


def _reference(code: str, today: dt.date) -> dict[str, list[tuple[str, list[int]]]]:
    def row(items):
        genders = Counter(stats._gender_group(g) for g, _a in items)
        ages = Counter(stats._age_group(a) for _g, a in items)
        return [
            len(items),
            *(genders.get(key, 0) for key, _label in stats.GENDER_GROUPS),
            *(ages.get(key, 0) for key, _label in stats.AGE_GROUPS),
        ]

    by_status = {s: [] for s in stats.STATUS_LABELS}
    current = with_status(
        current_memberships(municipality_code=code, today=today),
        municipality_code=code,
        today=today,
    ).select_related("person")
    for membership in current:
        by_status[status_of(membership)].append(
            (membership.gender, stats._age(membership.person.date_of_birth, None, today))
        )
    days = stats.month_starts(today)
    over_time = {d: [] for d in days}
    entries = {r: [] for r in CohortReason.values}
    exits = {r: [] for r in LeftReason.values}
    for m in CohortMembership.objects.filter(municipality_code=code, entered_on__lte=today):
        if m.left_on is not None and m.left_on <= days[0]:
            continue
        born = m.person.date_of_birth if m.person else None
        for day in days:
            if m.entered_on <= day and (m.left_on is None or m.left_on > day):
                over_time[day].append((m.gender, stats._age(born, m.birth_year, day)))
        if days[0] <= m.entered_on <= today:
            entries[m.reason].append((m.gender, stats._age(born, m.birth_year, m.entered_on)))
        if m.left_on is not None and days[0] <= m.left_on <= today:
            exits[m.left_reason or cohort.LEFT_OTHER].append(
                (m.gender, stats._age(born, m.birth_year, m.left_on - cohort.ONE_DAY))
            )
    return {
        "status": [row(items) for items in by_status.values()],
        "over_time": [row(items) for items in over_time.values()],
        "entries": [row(items) for items in entries.values()],
        "exits": [row(items) for items in exits.values()],
    }


def _register(rng: random.Random, today: dt.date, coordinator_user) -> None:
    """About 120 memberships around ``today``, a third of them on the age rules' edges."""
    births = [dt.date(2008, 2, 29), dt.date(2004, 2, 29), dt.date(2009, 3, 1)]
    for age in (15, 16, 17, 18, 19, 20):
        births.append(today.replace(year=today.year - age, day=min(today.day, 28)))
    for _ in range(40):
        births.append(dt.date(rng.randint(2003, 2011), rng.randint(1, 12), rng.randint(1, 28)))
    edge_days = [dt.date(today.year, 3, 1), dt.date(today.year, 1, 1), dt.date(today.year, 7, 1)]
    reasons, left_reasons = CohortReason.values, [*LeftReason.values, ""]
    for index, born in enumerate(births):
        person = PersonFactory(
            personal_identity_number=fresh_identity_number(born), date_of_birth=born
        )
        for period in range(2):
            entered = today - dt.timedelta(days=rng.randint(0, 500))
            left = None
            if rng.random() < 0.6:
                left = entered + dt.timedelta(days=rng.randint(1, 400))
                if rng.random() < 0.3:
                    left = rng.choice([*edge_days, born.replace(year=today.year, day=28)])
                if left <= entered or left > today:
                    left = None
            membership = CohortMembership.objects.create(
                person=person if index % 7 else None,
                municipality_code=M,
                entered_on=entered - dt.timedelta(days=period * 600),
                reason=rng.choice(reasons),
                school_reason=rng.choice(reasons),
                left_on=left,
                left_reason=rng.choice(left_reasons) if left else "",
                gender=rng.choice(GENDERS),
                birth_year=None if index % 11 == 0 else born.year,
            )
            if membership.person and rng.random() < 0.4:
                Contact.objects.create(
                    person=person,
                    municipality_code=M,
                    kind="contact",
                    method="phone",
                    contact_date=today - dt.timedelta(days=1),
                    occupation=rng.choice(["work", "none", "unknown"]),
                    recorded_by=coordinator_user,
                )


@pytest.mark.parametrize(
    "today", [dt.date(2026, 12, 3), dt.date(2026, 3, 1), dt.date(2024, 2, 29), dt.date(2025, 7, 1)]
)
def test_the_overview_counted_in_sql_equals_the_python_sum(coordinator, today):
    _register(random.Random(today.toordinal()), today, coordinator.user)
    expected = _reference(M, today)
    assert sum(expected["exits"][i][0] for i in range(len(LeftReason.values))) > 0
    board = stats.kaa_dashboard(scope=kaa_scope(coordinator), today=today)
    got = {table.key: [values for _label, values in table.rows] for table in board.tables}
    assert got == expected
    assert (
        board.total
        == expected["status"][0][0] + expected["status"][1][0] + (expected["status"][2][0])
    )


def test_the_overview_reads_the_same_number_of_queries_for_more_rows(coordinator):
    today = dt.date(2026, 12, 3)
    rng = random.Random(1)

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            stats.kaa_dashboard(scope=kaa_scope(coordinator), today=today)
        return len(captured)

    _register(rng, today, coordinator.user)
    few = counted()
    _register(rng, today, coordinator.user)
    _register(rng, today, coordinator.user)
    # Four: today's cohort by status, gender and age; the months' first days in one pass;
    # the entries and the exits of the twelve months, grouped.
    assert (few, counted()) == (4, 4)
