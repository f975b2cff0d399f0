from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "lotsen.jobs"
    label = "jobs"
    verbose_name = "Bakgrundsjobb"
