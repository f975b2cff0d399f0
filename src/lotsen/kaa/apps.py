from django.apps import AppConfig


class KaaConfig(AppConfig):
    name = "lotsen.kaa"
    label = "kaa"
    verbose_name = "Kommunala aktivitetsansvaret"

    def ready(self) -> None:
        # The privacy door knows no room behind it: kaa hands it the legal bases it grants
        # (registered in the home municipality, in the municipality's KAA register) once
        # the models are loaded.
        from lotsen.kaa.policy import BASES
        from lotsen.privacy.policy import register_basis

        for basis in BASES:
            register_basis(basis)
