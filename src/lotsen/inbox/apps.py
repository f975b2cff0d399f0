from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "lotsen.inbox"
    label = "inbox"
    verbose_name = "Inkorg"
