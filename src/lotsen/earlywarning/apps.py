from django.apps import AppConfig


class EarlyWarningConfig(AppConfig):
    """Early warning: risk signals by transparent rules and the learned model's scores.

    The package was ``lotsen.signals`` (easily read as Django's signals); the app label
    stays ``signals`` so that its tables, migrations, templates and URL names are kept."""

    name = "lotsen.earlywarning"
    label = "signals"
