from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lotsen.web"
    label = "web"

    def ready(self) -> None:
        # The top floor composes the rooms: the case page (support) shows the young
        # person's own voice (youth), and support does not import youth. Each reader goes
        # through youth's policy checks and logs what it returns.
        from lotsen.support.panels import register_case_panel
        from lotsen.youth.selectors import wellbeing_for_case, youth_messages_for_case

        # Health-related check-ins: None when neither ownership nor a consent allows them.
        register_case_panel("checkins", wellbeing_for_case)
        register_case_panel("youth_messages", youth_messages_for_case)
        # Imports from the browser: the job ``ingest.upload`` and its notification kind,
        # registered in every process (the web process and the workers).
        import lotsen.web.uploads  # noqa: F401
