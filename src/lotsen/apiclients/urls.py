from django.urls import path

from lotsen.apiclients import views

app_name = "apiclients"

urlpatterns = [
    path("", views.ApiRootView.as_view(), name="root"),
    path("oauth/token/", views.token, name="token"),
    path("docs/", views.docs, name="docs"),
    path("docs/swagger/", views.SwaggerView.as_view(), name="swagger"),
]
