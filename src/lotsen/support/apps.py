from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "lotsen.support"
    label = "support"
    verbose_name = "Samordnat stöd"

    def ready(self) -> None:
        # The activity responsibility opens a case when a coordinator marks that more
        # actors are needed; kaa knows nothing of support beyond this hook.
        from lotsen.kaa import services as kaa_services
        from lotsen.support.services import case_open_from_kaa

        kaa_services.SUPPORT_CASE_HOOK = case_open_from_kaa
