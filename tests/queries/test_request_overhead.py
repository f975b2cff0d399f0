"""What every signed-in request costs before its page (issue 16): the user is fetched once
(the actor's membership carries the same user object), and the session row is written only
when the session changed or its idle time is due for renewal (at most once a minute), not
on every request. The idle limit itself: tests/accounts/test_session_timeout.py."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lotsen.accounts.middleware import SESSION_RENEWED_AT, session_renew_seconds
from lotsen.accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("web:person_search")


def _page_sql(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PAGE).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _session_writes(sql: list[str]) -> list[str]:
    return [s for s in sql if "django_session" in s and not s.lstrip().upper().startswith("SELECT")]


def _user_reads(sql: list[str]) -> list[str]:
    return [
        s for s in sql if s.lstrip().upper().startswith("SELECT") and 'FROM "accounts_user"' in s
    ]


@pytest.fixture
def mentor_client(client):
    client.force_login(MembershipFactory(role=Role.MENTOR).user)
    return client


def test_a_second_request_writes_no_session_and_reads_the_user_once(mentor_client):
    first = _page_sql(mentor_client)
    # The first request after the login renews the idle time: one write.
    assert len(_session_writes(first)) == 1
    second = _page_sql(mentor_client)
    assert _session_writes(second) == []
    assert len(_user_reads(second)) == 1, _user_reads(second)


def test_the_idle_time_is_renewed_once_it_is_due(mentor_client):
    _page_sql(mentor_client)
    key = mentor_client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    session = mentor_client.session
    session[SESSION_RENEWED_AT] = time.time() - session_renew_seconds()
    session.save()
    expiry_when_due = Session.objects.get(session_key=key).expire_date
    assert len(_session_writes(_page_sql(mentor_client))) == 1
    assert Session.objects.get(session_key=key).expire_date >= max(expiry, expiry_when_due)
    assert _session_writes(_page_sql(mentor_client)) == []


def test_the_store_keeps_a_session_the_renewal_interval_past_the_idle_limit(
    mentor_client, settings
):
    _page_sql(mentor_client)
    store = mentor_client.session
    assert store.get_expiry_age() == settings.SESSION_COOKIE_AGE + session_renew_seconds()
    # The cookie itself still ends with the browser.
    assert store.get_expire_at_browser_close()
