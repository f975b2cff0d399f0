from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "lotsen.privacy"
    label = "privacy"

    def ready(self) -> None:
        from lotsen.privacy import checks  # noqa: F401 (registers the system checks)
