from django.urls import path

from lotsen.accounts.mfa import views, webauthn

app_name = "mfa"
urlpatterns = [
    path("logga-in/andra-steget/", views.login_verify, name="login_verify"),
    path("sakerhet/", views.security, name="security"),
    path("sakerhet/app/", views.totp_enrol, name="totp_enrol"),
    path("sakerhet/reservkoder/", views.recovery_codes, name="recovery_codes"),
    path("sakerhet/nyckel/", views.passkey_register, name="passkey_register"),
    path("sakerhet/styrk/", views.step_up, name="step_up"),
    path(
        "sakerhet/nyckel/registrera/start/",
        webauthn.PasskeyRegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "sakerhet/nyckel/registrera/klar/",
        webauthn.PasskeyRegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    path(
        "sakerhet/nyckel/logga-in/start/",
        webauthn.PasskeyLoginBegin.as_view(),
        name="passkey_login_begin",
    ),
    path(
        "sakerhet/nyckel/logga-in/klar/",
        webauthn.PasskeyLoginComplete.as_view(),
        name="passkey_login_complete",
    ),
]
