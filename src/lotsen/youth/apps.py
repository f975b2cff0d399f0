from django.apps import AppConfig


class YouthConfig(AppConfig):
    name = "lotsen.youth"
    label = "youth"
    verbose_name = "Den ungas sidor"

    def ready(self) -> None:
        # The guardian's legal basis (youth.guardians): the privacy door knows no room
        # behind it, so this app hands it over once the models are loaded.
        from lotsen.privacy.policy import register_basis
        from lotsen.youth.guardians import GUARDIAN_BASIS, GUARDIAN_RISK_BASIS

        register_basis(GUARDIAN_BASIS)
        register_basis(GUARDIAN_RISK_BASIS)
