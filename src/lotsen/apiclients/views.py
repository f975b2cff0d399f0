"""The API's front door: its root (the areas), the token endpoint and the documentation.

The documentation page is Lotsen's own (its layout, Swedish and English, accessible); the
interactive Swagger UI beside it is served from Lotsen's own static files
(drf-spectacular-sidecar) with its start script as a separate file, so both run under a
Content-Security-Policy without inline script.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularSwaggerSplitView
from oauth2_provider.views import TokenView
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from lotsen.apiclients.areas import AREAS, SCOPES
from lotsen.pages.methods import read_only


def _areas(request=None) -> list[dict]:
    rows = []
    for area in AREAS:
        url = reverse(area.url_name)
        rows.append(
            {
                "name": area.name,
                # The titles are in django.po: Swedish here, English in English.
                "title": gettext(area.title),
                "url": request.build_absolute_uri(url) if request is not None else url,
                "scopes": [s for s in SCOPES if s.startswith(f"{area.name}:")],
            }
        )
    return rows


AREA_SERIALIZER = inline_serializer(
    "ApiArea",
    {
        "name": serializers.CharField(),
        "title": serializers.CharField(),
        "url": serializers.URLField(),
        "scopes": serializers.ListField(child=serializers.CharField()),
    },
)


class ApiRootView(APIView):
    """What the API holds, and where a client gets its token and the documentation."""

    # Open to every client, whatever its scopes: it names no one.
    api_client_open = True

    @extend_schema(
        summary="API:ts delar",
        responses=inline_serializer(
            "ApiRoot",
            {
                "areas": AREA_SERIALIZER.__class__(many=True),
                "token_url": serializers.URLField(),
                "schema_url": serializers.URLField(),
                "docs_url": serializers.URLField(),
            },
        ),
    )
    def get(self, request):
        return Response(
            {
                "areas": _areas(request),
                "token_url": request.build_absolute_uri(reverse("apiclients:token")),
                "schema_url": request.build_absolute_uri(reverse("api-schema")),
                "docs_url": request.build_absolute_uri(reverse("apiclients:docs")),
            }
        )


@read_only
@login_required
def docs(request):
    return render(
        request,
        "apiclients/docs.html",
        {
            "areas": _areas(),
            "token_url": request.build_absolute_uri(reverse("apiclients:token")),
            "token_minutes": settings.OAUTH2_PROVIDER["ACCESS_TOKEN_EXPIRE_SECONDS"] // 60,
            "api_root": request.build_absolute_uri(reverse("apiclients:root")),
        },
    )


@method_decorator(login_required, name="dispatch")
class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI for people signed in: their session calls the API as they would on the
    pages. Machine clients do not need a browser page."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    template_name = "apiclients/swagger_ui.html"
    url_name = "api-schema"
    title = "Lotsen API"


# The token endpoint: client credentials only (each application allows no other grant).
token = TokenView.as_view()
