from django.apps import AppConfig


class KaaConfig(AppConfig):
    name = "lotsen.kaa"
    label = "kaa"
    verbose_name = "Kommunala aktivitetsansvaret"

    def ready(self) -> None:
        # The privacy door knows no room behind it: kaa hands it the legal basis it grants
        # (registered in the home municipality) once the models are loaded.
        from lotsen.kaa.policy import HOME_MUNICIPALITY
        from lotsen.privacy.policy import register_basis

        register_basis(HOME_MUNICIPALITY)
