"""The warning before the idle timeout (WCAG 2.2.1 Timing Adjustable).

A signed-in session ends after SESSION_COOKIE_AGE seconds without a request (the session's
expiry, which requests renew at most once a minute; lotsen.accounts.session_store keeps the
session that minute longer, so it never ends before this warning says) and
LOTSEN_SESSION_ABSOLUTE_SECONDS after the login (SessionTimeoutMiddleware). Every page tells
its script (lotsen/session-timeout.js) how long is left of each;
LOTSEN_SESSION_WARNING_SECONDS before the end a dialog offers to stay signed in
(``session_keepalive``, which renews the idle time) or to log out. When nobody answers,
the script posts to ``session_ended``, which logs out and says why on the login page.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from lotsen.accounts.middleware import SESSION_LOGIN_AT
from lotsen.pages.methods import post_only


def session_timeout(request):
    """The seconds left of this session, for the page's script; nothing when signed out."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    idle = settings.SESSION_COOKIE_AGE
    # The absolute end as a point in time (the login's, in epoch seconds, plus the limit)
    # rather than the seconds left: the page then reads the same however often it is asked
    # for (the 404 for a foreign person and for a missing one compare byte for byte). The
    # script compares it with the browser's clock; a clock that is off moves only this
    # warning, never the end itself, which the server enforces.
    login_at = request.session.get(SESSION_LOGIN_AT) or time.time()
    absolute_end = int(login_at + settings.LOTSEN_SESSION_ABSOLUTE_SECONDS)
    # Never more than half the idle time, so that a short idle limit still warns in time.
    warning = min(settings.LOTSEN_SESSION_WARNING_SECONDS, idle // 2)
    return {
        "session_timeout": {
            "idle_seconds": idle,
            "absolute_end": absolute_end,
            "warning_seconds": warning,
            "warning_minutes": max(1, math.ceil(warning / 60)),
        }
    }


@post_only
def session_keepalive(request):
    """ "Fortsätt vara inloggad": renews the session (it is marked changed, so it is
    saved whenever it was last renewed). 204 while signed in, 401 when the session has
    ended, so the script knows to go to the login page. Reads nothing and logs nothing."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    request.session.modified = True
    return HttpResponse(status=204)


@post_only
def session_ended(request):
    """The idle time ran out with the warning unanswered: log out (the session may already
    have ended on its own) and say why on the login page."""
    logout(request)
    messages.info(
        request,
        _("Du har loggats ut eftersom du inte har gjort något på en stund. Logga in igen."),
    )
    return redirect(settings.LOGIN_URL)
