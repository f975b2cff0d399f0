from django.apps import AppConfig


class YouthConfig(AppConfig):
    name = "lotsen.youth"
    label = "youth"
    verbose_name = "Den ungas sidor"
