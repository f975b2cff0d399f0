"""A young person's and a guardian's session reach their own pages only (issue 11).

Their views already answer 404 to them one by one, but not every staff page asks about
the role before it answers (a list that is merely empty, a form page): this answers every
URL outside their own pages with the same 404 as a page that does not exist, before any
view runs, so a staff URL reads alike to them whatever it is.

The session decides, without a query: a young person's own account is linked to their
Person (``User.person``), and a guardian's login marks its session (``accounts.oidc``); a
guardian account has no password and a staff provider refuses it, so it has no other
kind of session.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from lotsen.accounts.oidc import LOGIN_GUARDIAN, SESSION_LOGIN_KIND

# Open to every session: leaving, keeping the session alive, the language, static files,
# answering a survey by its link.
COMMON_PREFIXES = (
    "/konto/logga-in/",
    "/konto/logga-ut/",
    "/konto/session/",
    "/i18n/",
    "/static/",
    "/enkater/svara/",
)


def _young_person_prefixes() -> tuple[str, ...]:
    # The API answers a young person through the same door as the pages (their own cases,
    # read only), in JSON, and says 403/404 itself.
    return (
        reverse("youth:start"),
        reverse("notifications:centre"),
        "/api/v1/",
        *COMMON_PREFIXES,
    )


def _young_person_pages(user) -> tuple[str, ...]:
    # The start page sends a young person on to "Mina sidor" (web.views.start); the person
    # page of their own record shows them who has read it.
    return (reverse("web:start"), reverse("web:person_detail", args=[user.person_id]))


def _guardian_prefixes() -> tuple[str, ...]:
    return (reverse("guardians:start"), *COMMON_PREFIXES)


class OwnPagesOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.session.get(SESSION_LOGIN_KIND) == LOGIN_GUARDIAN:
            if request.path == reverse("web:start"):
                return redirect("guardians:start")
            if not request.path.startswith(_guardian_prefixes()):
                raise Http404
        elif (
            user.person_id
            and request.path not in _young_person_pages(user)
            and not request.path.startswith(_young_person_prefixes())
        ):
            raise Http404
        return self.get_response(request)
