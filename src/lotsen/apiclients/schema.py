"""The OAuth2 client-credentials scheme in the OpenAPI document (drf-spectacular).

Registered when the app is ready. Each operation names the one scope it needs
(``lotsen.apiclients.areas``), so the documentation says what a client must be given.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from lotsen.apiclients.areas import SCOPES, scope_required


class ApiClientScheme(OpenApiAuthenticationExtension):
    target_class = "lotsen.apiclients.auth.ApiClientAuthentication"
    name = "oauth2"
    priority = 1

    def get_security_requirement(self, auto_schema):
        view = auto_schema.view
        scope = scope_required(
            basename=getattr(view, "basename", None),
            action=getattr(view, "action", None),
            method=auto_schema.method,
        )
        # A view of no area is closed to clients: only the session scheme is listed.
        return {self.name: [scope]} if scope else []

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": (
                "För andra system: en klient med klient-id och hemlighet hämtar en "
                "åtkomsttoken (client credentials) och skickar den i huvudet "
                "Authorization: Bearer <token>. Klienten agerar i sin organisation och "
                "roll, med de behörigheter den har fått."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": reverse("apiclients:token"),
                    "scopes": dict(SCOPES),
                }
            },
        }
