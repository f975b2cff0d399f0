from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "lotsen.insights"
    label = "insights"
    verbose_name = "Uppföljning och lärande"
