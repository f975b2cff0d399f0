from django.urls import path

from lotsen.insights import views

app_name = "insights"

urlpatterns = [
    path("metoder/", views.methods, name="methods"),
    path("metoder.csv", views.methods_csv, name="methods_csv"),
    path("metoder.xlsx", views.methods_xlsx, name="methods_xlsx"),
    path("metoder/<int:method_id>/", views.method_detail, name="method_detail"),
]
