from django.apps import AppConfig


class ApiClientsConfig(AppConfig):
    name = "lotsen.apiclients"
    label = "apiclients"
    verbose_name = "API-klienter"

    def ready(self) -> None:
        # Registers the OAuth2 scheme with drf-spectacular.
        from lotsen.apiclients import schema  # noqa: F401
