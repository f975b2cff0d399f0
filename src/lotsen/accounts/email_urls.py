"""Pages reached from an e-mail, and the invitations that send one: password reset
(lotsen.accounts.recovery) and invitations by e-mail (lotsen.accounts.invitation_views).
Included in accounts' URLs, so the names are accounts:<name>."""

from django.urls import path

from lotsen.accounts import invitation_views, recovery

urlpatterns = [
    path("losenord/", recovery.PasswordResetView.as_view(), name="password_reset"),
    path(
        "losenord/skickat/",
        recovery.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "losenord/nytt/<uidb64>/<token>/",
        recovery.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "losenord/klart/",
        recovery.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "inbjudningar/ny/",
        invitation_views.user_invitation_create_view,
        name="user_invitation_create",
    ),
    path(
        "inbjudningar/e-post/<int:invitation_id>/aterkalla/",
        invitation_views.user_invitation_withdraw_view,
        name="user_invitation_withdraw",
    ),
    path(
        "inbjudan/svara/",
        invitation_views.user_invitation_accept_view,
        name="user_invitation_accept",
    ),
    path(
        "inbjudan/<str:token>/", invitation_views.user_invitation_open, name="user_invitation_open"
    ),
]
