from django.urls import path  # noqa: F401

app_name = "kaa"
urlpatterns: list = []
