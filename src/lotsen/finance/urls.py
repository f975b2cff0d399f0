from django.urls import path

from lotsen.finance import views

app_name = "finance"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("program/<int:programme_id>/", views.programme, name="programme"),
    path(
        "program/<int:programme_id>/export.<str:file_format>",
        views.programme_export,
        name="programme_export",
    ),
    path("delprojekt/<int:subproject_id>/", views.subproject, name="subproject"),
    path(
        "delprojekt/<int:subproject_id>/export.<str:file_format>",
        views.subproject_export,
        name="subproject_export",
    ),
    path(
        "delprojekt/<int:subproject_id>/budget/ny/",
        views.budget_line_create,
        name="budget_line_create",
    ),
    path("budget/<int:line_id>/andra/", views.budget_line_edit, name="budget_line_edit"),
    path("budget/<int:line_id>/ta-bort/", views.budget_line_delete, name="budget_line_delete"),
    path(
        "delprojekt/<int:subproject_id>/finansiering/ny/",
        views.funding_source_create,
        name="funding_source_create",
    ),
    path(
        "finansiering/<int:source_id>/andra/",
        views.funding_source_edit,
        name="funding_source_edit",
    ),
    path(
        "finansiering/<int:source_id>/ta-bort/",
        views.funding_source_delete,
        name="funding_source_delete",
    ),
    path(
        "delprojekt/<int:subproject_id>/utfall/ny/",
        views.actual_cost_create,
        name="actual_cost_create",
    ),
    path("utfall/<int:cost_id>/andra/", views.actual_cost_edit, name="actual_cost_edit"),
    path("utfall/<int:cost_id>/ta-bort/", views.actual_cost_delete, name="actual_cost_delete"),
    path(
        "delprojekt/<int:subproject_id>/utfall/importera/",
        views.costs_upload,
        name="costs_upload",
    ),
]
