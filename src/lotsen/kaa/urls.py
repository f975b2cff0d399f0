from django.urls import include, path
from rest_framework.routers import SimpleRouter

from lotsen.kaa import api, views

app_name = "kaa"

router = SimpleRouter()
router.register("notices", api.NoticeViewSet, basename="notice")

urlpatterns = [
    path("", views.overview, name="overview"),
    path("statistik.csv", views.statistics_csv, name="statistics_csv"),
    path("unga/", views.cohort, name="cohort"),
    path("arbetslista/", views.caseload, name="caseload"),
    path("unga/<int:person_id>/", views.person, name="person"),
    path("unga/<int:person_id>/kontakt/", views.contact_create, name="contact_create"),
    path("unga/<int:person_id>/atgard/ny/", views.measure_create, name="measure_create"),
    path(
        "unga/<int:person_id>/atgard/<int:measure_id>/paborja/",
        views.measure_start_view,
        name="measure_start",
    ),
    path(
        "unga/<int:person_id>/atgard/<int:measure_id>/avsluta/",
        views.measure_end_view,
        name="measure_end",
    ),
    path(
        "unga/<int:person_id>/atgard/<int:measure_id>/nekad/",
        views.measure_decline_view,
        name="measure_decline",
    ),
    path(
        "unga/<int:person_id>/atgard/<int:measure_id>/uppfoljning/",
        views.follow_up_add_view,
        name="follow_up_add",
    ),
    path(
        "unga/<int:person_id>/uppfoljning/<int:follow_up_id>/klar/",
        views.follow_up_done_view,
        name="follow_up_done",
    ),
    path("unga/<int:person_id>/planering/", views.plan_edit, name="plan_edit"),
    path(
        "unga/<int:person_id>/motsvarande-utbildning/",
        views.equivalent_create,
        name="equivalent_create",
    ),
    path("anmalningar/", views.inbox, name="inbox"),
    path("anmalningar/<int:notice_id>/hanterad/", views.notice_handled, name="notice_handled"),
    path("rapport/", views.export, name="export"),
    path("anmalan/", views.notice_create, name="notice_create"),
    path("anmalan/kvitto/<str:receipt>/", views.notice_receipt, name="notice_receipt"),
    path("api/", include(router.urls)),
]
