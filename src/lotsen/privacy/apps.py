from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "lotsen.privacy"
    label = "privacy"
