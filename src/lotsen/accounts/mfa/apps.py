from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "lotsen.accounts.mfa"
    label = "mfa"
    verbose_name = "Tvåstegsverifiering"
    default_auto_field = "django.db.models.BigAutoField"
