from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "lotsen.events"
    label = "events"
    verbose_name = "Evenemang och kompetensutveckling"
