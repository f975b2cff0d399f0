from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class NotificationsConfig(AppConfig):
    name = "lotsen.notifications"
    label = "notifications"
    verbose_name = "Notiser"

    def ready(self) -> None:
        # Every app that sends notifications registers its kinds in its own
        # ``notifications`` module; this app knows none of them by name, so it imports no
        # domain app (the same way the admin finds ``admin`` modules).
        autodiscover_modules("notifications")
