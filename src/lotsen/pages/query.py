"""Query parameters are checked once, for every page and API endpoint, before any view.

A NUL byte in a search term reaches PostgreSQL and fails there (a 500: "A string literal
cannot contain NUL characters"); a parameter that is not UTF-8 is silently turned into
replacement characters by Django; a value of megabytes is searched for. None of these is
ever meant: the request is answered 400, naming the parameter, before any view reads it —
so nothing is searched, read or logged. Views and serializers keep their own, tighter
rules (a name search takes at most 100 characters).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# Longer than any value a page or the API offers (a name search takes 100 characters,
# a return address a few dozen): what is longer is not a query but a payload.
MAX_QUERY_VALUE_LENGTH = 500
MAX_QUERY_NAME_LENGTH = 100
# How much of a bad parameter's name an error repeats.
MAX_NAME_SHOWN = 50

ERROR_QUERY_NUL = "Parametern innehåller ett NUL-tecken, som inte är tillåtet."
ERROR_QUERY_TOO_LONG = "Parametern är för lång: högst {limit} tecken."
ERROR_QUERY_NAME_TOO_LONG = "Parameterns namn är för långt: högst {limit} tecken."
ERROR_QUERY_ENCODING = "Parametern är inte giltig UTF-8."


def _bytes(part: str) -> bytes:
    # The WSGI server hands the query string over as latin-1 text; the test client and
    # some servers pass non-ASCII characters as they are.
    try:
        raw = part.encode("latin-1")
    except UnicodeEncodeError:
        raw = part.encode("utf-8", "surrogatepass")
    return unquote_to_bytes(raw.replace(b"+", b" "))


def query_problems(query_string: str) -> dict[str, tuple[str, dict]]:
    """Each bad parameter by name, with the message (a constant above) and its values;
    empty when all are fine."""
    problems: dict[str, tuple[str, dict]] = {}
    for part in query_string.split("&"):
        if not part:
            continue
        raw_name, _sep, raw_value = part.partition("=")
        name_bytes, value_bytes = _bytes(raw_name), _bytes(raw_value)
        name = name_bytes.decode("utf-8", "replace")
        shown = name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "…"
        try:
            name_bytes.decode("utf-8")
            value = value_bytes.decode("utf-8")
        except UnicodeDecodeError:
            problems[shown] = (ERROR_QUERY_ENCODING, {})
            continue
        if "\x00" in name or "\x00" in value:
            problems[shown] = (ERROR_QUERY_NUL, {})
        elif len(name) > MAX_QUERY_NAME_LENGTH:
            problems[shown] = (ERROR_QUERY_NAME_TOO_LONG, {"limit": MAX_QUERY_NAME_LENGTH})
        elif len(value) > MAX_QUERY_VALUE_LENGTH:
            problems[shown] = (ERROR_QUERY_TOO_LONG, {"limit": MAX_QUERY_VALUE_LENGTH})
    return problems


def query_errors(query_string: str) -> dict[str, list[str]]:
    """The problems as the API's 400 body: parameter name to messages."""
    return {
        name: [message.format(**values)]
        for name, (message, values) in query_problems(query_string).items()
    }


def _is_api(request) -> bool:
    return "/api/" in request.path_info or request.headers.get("Accept", "").startswith(
        "application/json"
    )


class QueryParameterMiddleware:
    """Answers 400 to a request whose query string holds a parameter no page or endpoint
    accepts: JSON naming the parameters for the API, an error page for the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query_string = request.META.get("QUERY_STRING", "")
        if not query_string:
            return self.get_response(request)
        problems = query_problems(query_string)
        if not problems:
            return self.get_response(request)
        if _is_api(request):
            return JsonResponse(
                query_errors(query_string), status=400, json_dumps_params={"ensure_ascii": False}
            )
        errors = [
            (name.replace("\x00", "\\0"), _(message).format(**values))
            for name, (message, values) in problems.items()
        ]
        return render(request, "pages/bad_query.html", {"errors": errors}, status=400)
