"""Pinning the number of queries a list page makes, at two sizes.

A list page must cost the same number of queries whether it lists a few rows or many: a
count that grows with the rows is an N+1 that a municipality with ten thousand young
people would feel on every page load. Each test builds rows at size N, measures, builds
more rows of the same kinds up to 3N, measures again, and pins both counts to one number,
so that a later change that adds a query per row, or any query at all, fails here and
has to say so.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from lotsen.accounts.middleware import SESSION_RENEWED_AT

N = 3


def _renewed_now(client) -> None:
    """Mark the session's idle time as just renewed, outside the measurement: a request
    writes its session only when that is due (once a minute), and a slow machine must not
    make one of the two measured requests write it and the other not."""
    if settings.SESSION_COOKIE_NAME not in client.cookies:
        return  # anonymous: asking the client for its session would give it one
    session = client.session
    if session.get("_auth_user_id"):
        session[SESSION_RENEWED_AT] = time.time()
        session.save()


def queries_for_page(client, url: str) -> tuple[int, list[str], HttpResponse]:
    """The queries one GET of ``url`` makes, after asserting that the page answered."""
    _renewed_now(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured), [query["sql"] for query in captured.captured_queries], response


def _shape(sql: str) -> str:
    """The query without its values, so that the same query with other ids counts once."""
    sql = re.sub(r'"s\d+_x\d+"', "sp", sql)
    sql = re.sub(r"'[^']*'|\b\d+\b", "?", sql)
    sql = re.sub(r"\((?:\?, )*\?\)", "(...)", sql)
    return re.sub(r"\(\.\.\.\)(?:, \(\.\.\.\))+", "(...)", sql)[:300]


def pinned_for_vendor(pinned: int, *, names_persons: bool) -> int:
    """``pinned`` is the count on SQLite. A page that names persons writes their access-log
    entries before the response leaves, and on PostgreSQL that insert first takes the
    chain's advisory lock (``privacy.accesslog._chain_lock``): one query more."""
    return pinned + 1 if names_persons and connection.vendor == "postgresql" else pinned


def assert_flat_and_pinned(
    client,
    url: str,
    *,
    grow: Callable[[int], object],
    pinned: int,
    names_persons: bool,
) -> HttpResponse:
    """``grow(n)`` adds n more of everything the page lists, in the actor's scope. The
    page is asked once before measuring, so that caches filled on a first visit (the
    content types, the session) do not count against the first size. Returns the page at
    3N, for the test to check that it shows the rows it was meant to."""
    grow(N)
    client.get(url)
    at_n, sql_at_n, _ = queries_for_page(client, url)
    grow(2 * N)
    at_3n, sql_at_3n, response = queries_for_page(client, url)
    expected = pinned_for_vendor(pinned, names_persons=names_persons)
    before, after = Counter(map(_shape, sql_at_n)), Counter(map(_shape, sql_at_3n))
    grown = "\n".join(f"{after[s] - before[s]:+d} {s}" for s in after if after[s] != before[s])
    assert (at_n, at_3n) == (expected, expected), (
        f"{url}: {at_n} queries at {N} rows, {at_3n} at {3 * N}; pinned {expected}.\n"
        f"Queries that grew with the rows:\n{grown or '(none)'}"
    )
    return response
