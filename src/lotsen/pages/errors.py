"""Lotsen's error pages (handler400/403/404/500 in lotsen.urls), in Lotsen's layout with a
way back to the start page, in the user's language.

They name no reason: a 404 reads the same whether the page, person or case does not exist
or only is not available to this user (Lotsen answers 404 on purpose when access ends), and
the exception's own message is never shown."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

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


def server_error(request):
    """Rendered without the request: no context processors, so no session, user or
    database, any of which may be what failed."""
    try:
        return HttpResponseServerError(loader.get_template("500.html").render())
    except Exception:
        logger.exception("The 500 page could not be rendered")
        return HttpResponseServerError(_LAST_RESORT_500)
