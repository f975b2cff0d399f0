"""A machine client's bearer token as the API's caller (settings.REST_FRAMEWORK).

``ApiClientAuthentication`` takes an OAuth2 bearer token from the Authorization header
(never from the query string: a token in a URL ends up in logs), checks it with
django-oauth-toolkit, and makes the client's actor the request's actor, as
``ActorMiddleware`` does for a session. No session is opened: the next request needs
the token again. An expired, unknown or revoked token is a 401.

``ClientHasScope`` lets a client through only with the scope of the view's area and
method (``lotsen.apiclients.areas``): 403 without it. People signed in with a session are
not concerned by scopes. ``ApiClientScopes`` gives django-oauth-toolkit each client's own
scopes: a client asks for a token without naming scopes and gets all of its own, or names
some of them.
"""

from __future__ import annotations

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.models import AccessToken
from oauth2_provider.scopes import BaseScopes
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

from lotsen.apiclients.areas import SCOPES, scope_required
from lotsen.apiclients.models import ApiClient
from lotsen.apiclients.services import api_client_actor

ERROR_TOKEN = "Åtkomsttoken är ogiltig, har gått ut eller har återkallats."  # noqa: S105 (a message, not a token)
ERROR_SCOPE = "Klienten saknar behörigheten {scope}."
ERROR_NO_AREA = "Klienter når inte den här delen av API:t."


def _active_client(application_id) -> ApiClient | None:
    if application_id is None:
        return None
    return (
        ApiClient.objects.select_related("organisation", "user")
        .filter(application_id=application_id, revoked_at__isnull=True)
        .first()
    )


class ApiClientAuthentication(OAuth2Authentication):
    www_authenticate_realm = "lotsen"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header[:7].lower() != "bearer ":
            return None
        result = super().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed(ERROR_TOKEN)
        _user, token = result
        client = _active_client(token.application_id)
        if client is None:
            # A token of an application that is no Lotsen client (made by hand in the
            # admin), or of one revoked since.
            raise exceptions.AuthenticationFailed(ERROR_TOKEN)
        # The actor is read from the Django request by views, selectors and templates
        # alike (DRF's request hands unknown attributes on to it).
        django_request = getattr(request, "_request", request)
        django_request.actor = api_client_actor(client)
        django_request.api_client = client
        return client.user, token


class ClientHasScope(BasePermission):
    def has_permission(self, request, view) -> bool:
        token = request.auth
        if not isinstance(token, AccessToken):
            return True
        client = getattr(request, "api_client", None)
        if client is None:
            return False
        if getattr(view, "api_client_open", False):
            return True
        scope = scope_required(
            basename=getattr(view, "basename", None),
            action=getattr(view, "action", None),
            method=request.method,
        )
        if scope is None:
            self.message = ERROR_NO_AREA
            return False
        # The client's scopes as they are now: a scope taken away since the token was
        # given is gone at once, not when the token runs out.
        if scope in token.scope.split() and scope in client.scopes:
            return True
        self.message = ERROR_SCOPE.format(scope=scope)
        return False


class ApiClientScopes(BaseScopes):
    def get_all_scopes(self):
        return dict(SCOPES)

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        client = _active_client(getattr(application, "pk", None))
        return list(client.scopes) if client is not None else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)
