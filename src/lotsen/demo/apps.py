from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lotsen.demo"
    label = "demo"
