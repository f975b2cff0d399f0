from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "lotsen.ingest"
    label = "ingest"
