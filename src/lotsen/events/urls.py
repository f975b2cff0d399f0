from django.urls import path

from lotsen.events import views

app_name = "events"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("hantera/", views.event_list, name="list"),
    path("hantera/nytt/", views.event_create, name="create"),
    path("hantera/<int:event_id>/", views.event_detail, name="detail"),
    path("hantera/<int:event_id>/andra/", views.event_edit, name="edit"),
    path("hantera/<int:event_id>/narvaro/", views.attendance, name="attendance"),
    path("hantera/utbildningstimmar/", views.training_hours_page, name="training_hours"),
    path("hantera/utbildningstimmar.csv", views.training_hours_csv, name="training_hours_csv"),
    path("hantera/utbildningstimmar.xlsx", views.training_hours_xlsx, name="training_hours_xlsx"),
    path("<slug:slug>/", views.public_event, name="public"),
    path("<slug:slug>/anmald/", views.public_registered, name="registered"),
]
