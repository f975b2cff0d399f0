from django.apps import AppConfig


def _open_case_for_kaa_plan(sender, *, actor, person, plan, **kwargs) -> str:
    """Receiver of ``kaa.hooks.plan_needs_more_actors``: the case's reference."""
    from lotsen.support.services import case_open_from_kaa

    return case_open_from_kaa(actor=actor, person=person, plan=plan)


class SupportConfig(AppConfig):
    name = "lotsen.support"
    label = "support"
    verbose_name = "Samordnat stöd"

    def ready(self) -> None:
        # The activity responsibility opens a case when a coordinator marks that more
        # actors are needed; kaa knows nothing of support, it only sends its signal. The
        # dispatch_uid keeps one connection when ready() runs twice.
        from lotsen.kaa.hooks import plan_needs_more_actors

        plan_needs_more_actors.connect(
            _open_case_for_kaa_plan, dispatch_uid="support.case_open_from_kaa"
        )
