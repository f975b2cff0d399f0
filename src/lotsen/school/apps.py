from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "lotsen.school"
    label = "school"
