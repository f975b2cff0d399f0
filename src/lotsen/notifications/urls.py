from django.urls import path

from lotsen.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("<int:notification_id>/last/", views.mark_read, name="mark_read"),
    path("alla-lasta/", views.mark_all_read, name="mark_all_read"),
    path("installningar/", views.preferences, name="preferences"),
]
