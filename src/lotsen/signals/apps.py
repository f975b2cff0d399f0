from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "lotsen.signals"
    label = "signals"
