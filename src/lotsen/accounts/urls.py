from django.urls import include, path

from lotsen.accounts import session, views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.LogoutView.as_view(), name="logout"),
    path("session/fortsatt/", session.session_keepalive, name="session_keepalive"),
    path("session/slut/", session.session_ended, name="session_ended"),
    path("logga-in/oidc/<slug:slug>/", views.oidc_login, name="oidc_login"),
    path("logga-in/oidc/<slug:slug>/retur/", views.oidc_callback, name="oidc_callback"),
    path("valj-roll/", views.choose_membership, name="choose_membership"),
    path("inbjudningar/<int:grant_id>/", views.invitation_answer, name="invitation_answer"),
    # The second factor: the login's second step, "Mitt konto: säkerhet", the step-up.
    path("", include("lotsen.accounts.mfa.urls")),
    # Password reset and invitations by e-mail.
    path("", include("lotsen.accounts.email_urls")),
]
