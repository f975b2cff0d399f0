from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "lotsen.surveys"
    label = "surveys"
    verbose_name = "Ungas röster"
