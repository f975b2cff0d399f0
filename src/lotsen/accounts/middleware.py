"""Session lifetime and the current actor."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership

SESSION_LOGIN_AT = "lotsen_login_at"
SESSION_MEMBERSHIP = "lotsen_membership_id"
# The level of assurance of this session's login (lotsen.accounts.assurance), set by the
# view that logged the user in; the identity provider that did it, for single logout.
SESSION_ASSURANCE_LEVEL = "lotsen_assurance_level"
SESSION_IDENTITY_PROVIDER = "lotsen_identity_provider_id"


class SessionTimeoutMiddleware:
    """Absolute session lifetime (12 h). The idle limit (30 min) is the cookie age, which
    SESSION_SAVE_EVERY_REQUEST renews on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            login_at = request.session.get(SESSION_LOGIN_AT)
            now = time.time()
            if login_at is None:
                request.session[SESSION_LOGIN_AT] = now
            elif now - login_at > settings.LOTSEN_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
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
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    chosen = request.session.get(SESSION_MEMBERSHIP)
    for membership in memberships:
        if membership.pk == chosen:
            return Actor.for_membership(membership, assurance_level=level)
    if len(memberships) == 1:
        return Actor.for_membership(memberships[0], assurance_level=level)
    return None
