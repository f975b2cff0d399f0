"""Lotsen's error pages (handler400/403/404/500 in lotsen.urls), in Lotsen's layout with a
way back to the start page, in the user's language.

They name no reason: a 404 reads the same whether the page, person or case does not exist
or only is not available to this user (Lotsen answers 404 on purpose when access ends), and
the exception's own message is never shown."""

import logging

from django.http import HttpResponsePermanentRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token

from lotsen.pages.methods import read_only

logger = logging.getLogger(__name__)

# What the server answers if even the static 500 template cannot be rendered.
_LAST_RESORT_500 = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Lotsen</title></head>'
    '<body><h1>Något gick fel / Something went wrong</h1><p><a href="/">Lotsen</a></p>'
    "</body></html>"
)


@requires_csrf_token
def bad_request(request, exception):
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception):
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request, exception):
    return render(request, "404.html", status=404)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """A form sent with a token that no longer matches (CSRF_FAILURE_VIEW): a page kept open
    across a new sign-in, or a second tab. Said in Lotsen's layout and plainly, with the way
    to go on (load the page again, which gives it a fresh token); the reason is logged, not
    shown."""
    logger.warning("CSRF check failed on %s: %s", request.path, reason)
    return render(request, "403_csrf.html", status=403)


@read_only
def favicon(request):
    """The site's icon at the address browsers ask for by themselves, as a redirect to the
    static file: no template is rendered, so no cookie is set."""
    return HttpResponsePermanentRedirect(static("lotsen/favicon.ico"))


def server_error(request):
    """Rendered without the request: no context processors, so no session, user or
    database, any of which may be what failed."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(_LAST_RESORT_500)
