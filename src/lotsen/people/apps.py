from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "lotsen.people"
    label = "people"
