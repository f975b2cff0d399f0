"""Which HTTP methods a function view takes, declared on the view.

Django's function views treat any method they do not test for as a GET, so a POST to a
read-only page rendered it and logged the read. Every function view in Lotsen says what
it takes with one of these decorators: ``read_only`` (GET, HEAD), ``form_view`` (GET, HEAD,
POST: a page with its form) or ``post_only`` (POST: a button). Each both wraps the view in
Django's ``require_http_methods`` (so the view is safe wherever it is mounted) and records
the methods on the view as ``http_methods``, which ``HttpMethodsMiddleware`` reads to
answer 405 before the CSRF check, the view or the access log run. ``functools.wraps`` copies
the attribute through the decorators stacked above (``actor_required``, ``login_required``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.views.decorators.http import require_http_methods

# The attribute HttpMethodsMiddleware reads.
HTTP_METHODS_ATTRIBUTE = "http_methods"


def allow_methods(*methods: str) -> Callable:
    """A decorator that lets only ``methods`` reach the view and declares them on it."""
    allowed = tuple(method.upper() for method in methods)

    def decorator(view: Callable) -> Callable:
        wrapped = require_http_methods(list(allowed))(view)
        setattr(wrapped, HTTP_METHODS_ATTRIBUTE, allowed)
        return wrapped

    return decorator


# A page or download that only reads: it never takes a POST.
read_only = allow_methods("GET", "HEAD")
# A page with a form: shown by GET, submitted by POST to the same URL.
form_view = allow_methods("GET", "HEAD", "POST")
# A button's target: it changes something and has no page of its own.
post_only = allow_methods("POST")


def declared_methods(view: Callable) -> tuple[str, ...] | None:
    """The methods ``view`` declares with the decorators above, or None."""
    return getattr(view, HTTP_METHODS_ATTRIBUTE, None)
