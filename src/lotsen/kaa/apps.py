from django.apps import AppConfig


class KaaConfig(AppConfig):
    name = "lotsen.kaa"
    label = "kaa"
    verbose_name = "Kommunala aktivitetsansvaret"
