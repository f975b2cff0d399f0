from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from lotsen.pages.errors import favicon
from lotsen.people.api import PersonViewSet

# The API root is lotsen.apiclients' (every area, the token and the documentation).
router = SimpleRouter()
router.register("persons", PersonViewSet, basename="person")

urlpatterns = [
    # Browsers ask for /favicon.ico where a page names no icon (a JSON or CSV answer):
    # without this every such request rendered the 404 page, which for a visitor without
    # cookies sets a new CSRF cookie and breaks the login form loaded beside it.
    path("favicon.ico", favicon),
    path("", include("lotsen.web.urls")),
    path("konto/", include("lotsen.accounts.urls")),
    path("signaler/", include("lotsen.earlywarning.urls")),
    path("inkorg/", include("lotsen.inbox.urls")),
    path("aktivitetsansvar/", include("lotsen.kaa.urls")),
    path("arenden/", include("lotsen.support.urls")),
    path("mina-sidor/", include("lotsen.youth.urls")),
    path("vardnadshavare/", include("lotsen.youth.guardian_urls")),
    path("program/", include("lotsen.programmes.urls")),
    path("ekonomi/", include("lotsen.finance.urls")),
    path("evenemang/", include("lotsen.events.urls")),
    path("enkater/", include("lotsen.surveys.urls")),
    path("uppfoljning/", include("lotsen.insights.urls")),
    path("notiser/", include("lotsen.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("lotsen.apiclients.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/", include("lotsen.support.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

# Lotsen's own error pages, in its layout and the user's language (lotsen.pages.errors).
handler400 = "lotsen.pages.errors.bad_request"
handler403 = "lotsen.pages.errors.permission_denied"
handler404 = "lotsen.pages.errors.page_not_found"
handler500 = "lotsen.pages.errors.server_error"
