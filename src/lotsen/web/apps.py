from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lotsen.web"
    label = "web"
