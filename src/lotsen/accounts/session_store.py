"""The session store: Django's database sessions, kept a little past the idle limit.

A signed-in request renews the session's idle time at most once every
``session_renew_seconds()`` (``SessionTimeoutMiddleware``), not on every request. The
session would then end up to that long before the idle limit counted from the user's last
request, which is what the page's warning counts from (lotsen.accounts.session). The store
keeps every session that much longer, so that the warning's "stay signed in" always finds
the session alive; the page itself logs out when its idle time is up.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from lotsen.accounts.middleware import session_renew_seconds


class SessionStore(DatabaseSessionStore):
    def get_session_cookie_age(self) -> int:
        return super().get_session_cookie_age() + session_renew_seconds()
