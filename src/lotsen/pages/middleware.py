"""HTTP hygiene for every page and API endpoint.

- ``HttpMethodsMiddleware``: a request with a method its view does not handle is answered
  405 before the view runs. Django's function views treat any method they do not test for
  as a GET, so a PUT, DELETE, TRACE or POST on a read-only page rendered it, read personal
  data and logged the read. HEAD runs the view as a GET (the headers must match) but leaves
  without the body: waitress sends whatever body the application returns.
- ``NoStoreMiddleware``: no browser or proxy keeps a copy of a page, download or API answer
  (``Cache-Control: no-store, private``). Static files never reach it: WhiteNoise answers
  them before the rest of the stack and keeps their long caching.
"""

from __future__ import annotations

from django.http import HttpResponseNotAllowed
from django.utils.cache import patch_cache_control
from rest_framework.views import APIView

from lotsen.pages.methods import declared_methods

# Pages are read (GET, HEAD) and their forms posted (POST); nothing else.
PAGE_METHODS = ("GET", "HEAD", "POST")
# A function view of ours that declares nothing only reads: deny by default.
UNDECLARED_METHODS = ("GET", "HEAD")
ALLOW_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def view_methods(view) -> tuple[str, ...]:
    """The methods ``view`` (a URL pattern's callback) handles.

    An API endpoint declares its methods (a view set's actions for the route, an API
    view's handler methods) and DRF answers OPTIONS itself. A class-based page handles
    the page methods it has handlers for. A function view declares its methods with
    ``lotsen.pages.methods`` (``read_only``, ``form_view``, ``post_only``); one that
    declares nothing gets GET and HEAD, so a forgotten declaration refuses a form rather
    than accepting a POST on a page that reads. Views that are not Lotsen's (Django's
    admin and ``set_language``, the admin pages of django-celery-beat and django-axes)
    cannot be declared; they test the method themselves and keep the page methods.
    """
    cls = getattr(view, "cls", None)
    if cls is not None and issubclass(cls, APIView):
        actions = getattr(view, "actions", None)
        if actions is None:
            methods = {name for name in cls.http_method_names if hasattr(cls, name)}
        else:
            methods = set(actions) | {"options"}
        if "get" in methods:
            methods.add("head")
        return tuple(method for method in ALLOW_ORDER if method.lower() in methods)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        handled = {name for name in ("get", "post") if hasattr(view_class, name)}
        if "get" in handled:
            handled.add("head")
        return tuple(method for method in PAGE_METHODS if method.lower() in handled)
    declared = declared_methods(view)
    if declared is not None:
        return tuple(method for method in ALLOW_ORDER if method in declared)
    if getattr(view, "__module__", "").split(".")[0] != "lotsen":
        return PAGE_METHODS
    return UNDECLARED_METHODS


class HttpMethodsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD":
            _drop_body(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        allowed = view_methods(view_func)
        if request.method not in allowed:
            return HttpResponseNotAllowed(allowed)
        return None


def _drop_body(response) -> None:
    """The headers of the GET, without its body; Content-Length stays that of the GET."""
    if response.streaming:
        # A file being streamed is still closed when the server closes the response.
        response.streaming_content = []
        return
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response.content = b""


class NoStoreMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
