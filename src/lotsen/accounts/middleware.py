"""Session lifetime and the current actor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from lotsen.accounts.actor import Actor

SESSION_LOGIN_AT = "lotsen_login_at"
SESSION_MEMBERSHIP = "lotsen_membership_id"
# The level of assurance of this session's login (lotsen.accounts.assurance), set by the
# view that logged the user in; the identity provider that did it, for single logout.
SESSION_ASSURANCE_LEVEL = "lotsen_assurance_level"
SESSION_IDENTITY_PROVIDER = "lotsen_identity_provider_id"
# When the session's idle time was last renewed in the session store (epoch seconds).
SESSION_RENEWED_AT = "lotsen_renewed_at"
# A signed-in request renews the idle time in the store at most this often, so that a page
# does not write its session row on every request (issue 16: under load, every request
# waited for that write). The store keeps a session this much longer than the idle limit
# (lotsen.accounts.session_store), so that it never ends before the page's warning says.
SESSION_RENEW_SECONDS = 60


def session_renew_seconds() -> int:
    """How often the idle time is renewed: once a minute, and more often for a short idle
    limit (a tenth of it), so that the slack stays small beside the limit."""
    return max(1, min(SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 10))


class SessionTimeoutMiddleware:
    """Absolute session lifetime (12 h) and the idle limit (30 min). The idle limit is the
    session's expiry in the store, which a save moves on; a signed-in request saves the
    session when its idle time was last renewed ``session_renew_seconds()`` ago or more,
    and otherwise leaves the row alone (a request that changes the session saves it as
    always)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            login_at = session.get(SESSION_LOGIN_AT)
            now = time.time()
            if login_at is None:
                session[SESSION_LOGIN_AT] = now
            elif now - login_at > settings.LOTSEN_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
            renewed_at = session.get(SESSION_RENEWED_AT)
            if renewed_at is None or now - renewed_at >= session_renew_seconds():
                session[SESSION_RENEWED_AT] = now
        return self.get_response(request)


class ActorMiddleware:
    """Sets ``request.actor``: the user in the membership chosen for this session, or the
    young person acting for themselves. None when there is no such actor yet. Sets
    ``request.assurance_level`` too: the level of this session's login ("" when unknown,
    for example a session from before levels were kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.assurance_level = assurance_level_for_request(request)
        request.actor = actor_for_request(request)
        return self.get_response(request)


def assurance_level_for_request(request) -> str:
    if not request.user.is_authenticated:
        return ""
    return request.session.get(SESSION_ASSURANCE_LEVEL, "")


def actor_for_request(request) -> Actor | None:
    user = request.user
    if not user.is_authenticated:
        return None
    level = assurance_level_for_request(request)
    # A young person's own account acts as the young person only: even a staff membership
    # that slipped in some other way (an old row, a shell) gives it no staff role.
    if user.person_id:
        return Actor.for_young_person(user, assurance_level=level)
    # Through the user's related manager, so that each membership's user is this same
    # object and not fetched a second time (issue 16: every request fetched the user twice).
    memberships = list(user.memberships.select_related("organisation"))
    chosen = request.session.get(SESSION_MEMBERSHIP)
    for membership in memberships:
        if membership.pk == chosen:
            return Actor.for_membership(membership, assurance_level=level)
    if len(memberships) == 1:
        return Actor.for_membership(memberships[0], assurance_level=level)
    return None
