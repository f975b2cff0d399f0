"""Query counts of every role's inbox page, pinned and flat in the number of young people:
the inbox ranks and pages in the database and reads only the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.inbox.conftest import notice, pupil, unknown_status
from tests.inbox.conftest import world as world  # noqa: F401  (the fixture)
from tests.queries.pinning import assert_flat_and_pinned

pytestmark = pytest.mark.django_db


def grow(world, n: int) -> None:
    for _ in range(n):
        # Enough rows that a page is full at 3N: each call adds 10 pupils and 10 young
        # people of unknown status, half with a notice.
        for index in range(10):
            pupil(world, year=8 + index % 2, days_ago=index)
            young = unknown_status(world)
            if index % 2:
                notice(world, young)


# Pinned on SQLite (PostgreSQL: one more for the access log's lock). Every page: session,
# user, memberships, the header's unread count; then the inbox's aggregate counts (one
# query, plus the years for school roles), the filtered total, the page through the door,
# one query per source for the page's reasons, the colleagues and teams for the forms,
# the assignees' names when any, and the access log's write.
# The school roles' inbox also lists the classes and groups to filter to (one query).
INBOX_QUERIES = {
    "mentor": 22,
    "health": 22,
    "kaa": 18,
}
# The start page shows the first ten rows and the total, without the filters' counts.
START_QUERIES = {
    "mentor": 19,
    "health": 19,
    "kaa": 17,
}


@pytest.mark.parametrize("member", list(INBOX_QUERIES))
def test_inbox_queries_do_not_grow_with_rows(client, world, member):
    client.force_login(world.members[member].user)
    response = assert_flat_and_pinned(
        client,
        reverse("inbox:index"),
        grow=lambda n: grow(world, n),
        pinned=INBOX_QUERIES[member],
        names_persons=True,
    )
    assert len(response.context["page"].rows) == 25


@pytest.mark.parametrize("member", list(START_QUERIES))
def test_start_page_inbox_queries_do_not_grow_with_rows(client, world, member):
    client.force_login(world.members[member].user)
    response = assert_flat_and_pinned(
        client,
        reverse("web:start"),
        grow=lambda n: grow(world, n),
        pinned=START_QUERIES[member],
        names_persons=True,
    )
    assert len(response.context["inbox"].rows) == 10
