from django.apps import AppConfig


class SchoolConfig(AppConfig):
    name = "lotsen.school"
    label = "school"

    def ready(self) -> None:
        # The privacy door knows no room behind it: school hands it the legal basis it
        # grants (current pupils of a school unit or organiser) once the models are loaded.
        from lotsen.privacy.policy import register_basis
        from lotsen.school.policy import CURRENT_PUPILS

        register_basis(CURRENT_PUPILS)
