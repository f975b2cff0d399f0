from django.urls import path

from lotsen.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("<int:programme_id>/", views.programme_detail, name="programme"),
    path("<int:programme_id>/indikatorer/", views.report, name="report"),
    path("<int:programme_id>/indikatorer/<str:fmt>/", views.report_export, name="report_export"),
    path("delprojekt/<int:subproject_id>/", views.subproject_detail, name="subproject"),
    path("delprojekt/<int:subproject_id>/deltagare/", views.participants, name="participants"),
    path(
        "delprojekt/<int:subproject_id>/deltagare/ny/",
        views.participant_add,
        name="participant_add",
    ),
    path(
        "deltagande/<int:participation_id>/start/",
        views.participation_edit,
        name="participation_edit",
    ),
    path(
        "deltagande/<int:participation_id>/avslut/",
        views.participation_exit_view,
        name="participation_exit",
    ),
    path(
        "deltagande/<int:participation_id>/uppfoljning/",
        views.participation_followup_view,
        name="participation_followup",
    ),
]
