from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "lotsen.programmes"
    label = "programmes"
    verbose_name = "Program och delprojekt"
