from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "lotsen.finance"
    label = "finance"
    verbose_name = "Budget och medfinansiering"
