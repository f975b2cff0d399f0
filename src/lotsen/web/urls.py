from django.urls import path

from lotsen.web import upload_views, views

app_name = "web"
urlpatterns = [
    path("", views.start, name="start"),
    path("importera/", upload_views.import_index, name="import_index"),
    path("importera/korningar/", upload_views.import_runs, name="import_runs"),
    path("importera/korningar/<int:run_id>/", upload_views.import_run, name="import_run"),
    path(
        "importera/korningar/<int:run_id>/status/",
        upload_views.import_run_status,
        name="import_run_status",
    ),
    path("importera/<slug:kind>/", upload_views.import_upload, name="import_upload"),
    path("personer/", views.person_search, name="person_search"),
    path("personer/ny/", views.person_create_view, name="person_create"),
    path("personer/<int:person_id>/", views.person_detail, name="person_detail"),
    path("personer/<int:person_id>/samtycken/nytt/", views.consent_create, name="consent_create"),
    path(
        "personer/<int:person_id>/samtycken/<int:consent_id>/aterkalla/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("nodatkomst/", views.emergency_access, name="emergency_access"),
    path("organisation/medlemmar/", views.organisation_members, name="organisation_members"),
    path(
        "organisation/medlemmar/<int:membership_id>/ta-bort/",
        views.membership_remove_view,
        name="membership_remove",
    ),
    path("organisation/behorigheter/", views.organisation_grants, name="organisation_grants"),
    path(
        "organisation/behorigheter/logg.csv",
        views.organisation_grants_export,
        name="organisation_grants_export",
    ),
    path(
        "organisation/behorigheter/<int:grant_id>/beslut/",
        views.role_grant_decide,
        name="role_grant_decide",
    ),
    path("organisation/nodatkomst/", views.emergency_review_list, name="emergency_review_list"),
    path(
        "organisation/nodatkomst/<int:grant_id>/granska/",
        views.emergency_review_view,
        name="emergency_review",
    ),
]
