from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lotsen.accounts"
    label = "accounts"
    verbose_name = "Konton och organisationer"

    def ready(self) -> None:
        import time

        from django.contrib.auth.signals import user_logged_in

        from lotsen.accounts.middleware import SESSION_LOGIN_AT

        def remember_login_time(sender, request, user, **kwargs):
            request.session[SESSION_LOGIN_AT] = time.time()

        user_logged_in.connect(remember_login_time, dispatch_uid="lotsen_login_time")
