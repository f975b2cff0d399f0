"""The Content-Security-Policy header (django-csp, CONTENT_SECURITY_POLICY in settings) with
one addition per session: the origin of the OpenID Connect provider the user signed in
through joins form-action.

The footer's "Logga ut" form posts to Lotsen, which then redirects the browser to the
provider's end_session_endpoint (single logout). Chromium checks form-action on every
redirect that follows a form, so with form-action 'self' alone the logout would stop at
the provider's door. Only that one provider is added, and only for its own sessions.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts

from lotsen.accounts import oidc
from lotsen.accounts.middleware import SESSION_IDENTITY_PROVIDER
from lotsen.accounts.models import IdentityProvider


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def provider_form_action_origins(provider_id: int) -> list[str]:
    """The origins the logout may be redirected to for a session with this provider: its
    issuer's, and its end_session_endpoint's when the provider's metadata has already been
    read (by the login). No network request is made here."""
    provider = (
        IdentityProvider.objects.filter(pk=provider_id).only("issuer", "slug", "updated_at").first()
    )
    if provider is None:
        return []
    origins = {_origin(provider.issuer)}
    # The client the login built for this provider as it is now, holding the metadata it
    # read (oidc.provider_client keys it by id and last change). A client built for an
    # earlier configuration, or for another provider that once had this id, is not it.
    key = (provider.pk, provider.updated_at.isoformat() if provider.updated_at else "")
    client = oidc._clients.get(key)
    if client is not None:
        metadata = getattr(client, "server_metadata", None) or {}
        origins.add(_origin(metadata.get("end_session_endpoint") or ""))
    return sorted(origin for origin in origins if origin)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        session = getattr(request, "session", None)
        provider_id = session.get(SESSION_IDENTITY_PROVIDER) if session is not None else None
        if not report_only and provider_id:
            origins = provider_form_action_origins(provider_id)
            if origins:
                update = dict(parts.update or {})
                update["form-action"] = [*update.get("form-action", []), *origins]
                parts.update = update
        return parts
