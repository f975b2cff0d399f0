"""Password reset by e-mail: Django's PasswordResetView family with Lotsen's rules.

- The page answers the same whether or not an account has the address: the same page
  after the form, whatever happened behind it.
- Requests are bounded per address of the requester and per e-mail address typed, both
  counted whether or not an account exists, so the bounds tell nobody anything either.
  Over the first bound the page says so (it is about the requester's own traffic); over
  the second nothing more is sent, so nobody can fill a mailbox.
- The e-mail says "Återställ ditt lösenord i Lotsen" and carries the link, nothing else:
  no username, no name, nothing about any young person. The link is built on
  LOTSEN_BASE_URL, never on the Host header of the request.
- Accounts with no password of their own in Lotsen (those that log in through an identity
  provider) and accounts of young people (who log in with e-ID, the level their own data
  needs) get no link: their mail tells them to use the login they have.
- The link lasts PASSWORD_RESET_TIMEOUT seconds and works once (Django's token is bound
  to the password hash and the last login). A reset ends the user's other sessions (their
  session hash no longer matches) and lifts a login lockout of the account.
"""

from __future__ import annotations

import hashlib

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lotsen.accounts.models import User

RESET_SUBJECT = "Återställ ditt lösenord i Lotsen"
RESET_BODY = (
    "Hej!\n\n"
    "Återställ ditt lösenord i Lotsen här:\n{link}\n\n"
    "Länken gäller i {minutes} minuter och kan användas en gång. "
    "Om du inte har bett om ett nytt lösenord kan du strunta i meddelandet. "
    "Då ändras ingenting.\n\n"
    "Svara inte på meddelandet.\n"
)
NO_LOCAL_LOGIN_BODY = (
    "Hej!\n\n"
    "Någon bad om att få återställa lösenordet till ditt konto i Lotsen. "
    "Ditt konto har inget eget lösenord i Lotsen. Logga in på inloggningssidan med den "
    "inloggning du brukar använda: din organisations inloggning eller e-legitimation.\n"
    "{link}\n\n"
    "Om du inte har bett om det kan du strunta i meddelandet.\n\n"
    "Svara inte på meddelandet.\n"
)


def link_invalid(request):
    """One answer for every link from an e-mail that does not work (a reset or an
    invitation): unknown, used, withdrawn or expired, with the 404 status."""
    return render(request, "accounts/link_invalid.html", status=404)


def _absolute(path: str) -> str:
    return settings.LOTSEN_BASE_URL.rstrip("/") + path


def may_reset_password(user: User) -> bool:
    """Only a staff account with a password of its own in Lotsen is reset by e-mail."""
    return user.is_active and user.has_usable_password() and not user.person_id


def reset_message(*, user: User, token: str) -> EmailMessage:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": token},
    )
    body = RESET_BODY.format(link=_absolute(path), minutes=settings.PASSWORD_RESET_TIMEOUT // 60)
    return EmailMessage(subject=RESET_SUBJECT, body=body, to=[user.email])


def no_password_message(*, user: User) -> EmailMessage:
    body = NO_LOCAL_LOGIN_BODY.format(link=_absolute(reverse("accounts:login")))
    return EmailMessage(subject=RESET_SUBJECT, body=body, to=[user.email])


# The token's hex digits as letters (one to one, so nothing is lost): a run of ten or more
# digits in a link looks like a personnummer to the mail filters that municipalities run
# (and to our own scan of every mail), and a reset mail must never be stopped as one.
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's token (bound to the password hash and last login, with its expiry), its
    hash written without digits."""

    def _make_token_with_timestamp(self, user, timestamp, secret):
        token = super()._make_token_with_timestamp(user, timestamp, secret)
        timestamp_b36, hash_string = token.split("-")
        return f"{timestamp_b36}-{hash_string.translate(_DIGITS_AS_LETTERS)}"


reset_token_generator = ResetTokenGenerator()


def _within_bound(kind: str, key: str, limit: int) -> bool:
    """Count one more request under ``key`` and say whether it is within ``limit`` for the
    window (a fixed window in the cache: bounded, not exact across a window's edge)."""
    cache_key = f"lotsen:password-reset:{kind}:{hashlib.sha256(key.encode()).hexdigest()}"
    window = settings.LOTSEN_PASSWORD_RESET_WINDOW_SECONDS
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count <= limit


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=gettext_lazy("E-postadress"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def users_for(self, email: str) -> list[User]:
        return list(User.objects.filter(email__iexact=email, is_active=True))

    def save(self, *, token_generator, **_ignored) -> int:
        """Send what each account with the address should get; returns how many mails."""
        email = self.cleaned_data["email"]
        if not _within_bound(
            "account", email.strip().lower(), settings.LOTSEN_PASSWORD_RESET_PER_ACCOUNT
        ):
            return 0
        sent = 0
        for user in self.users_for(email):
            if may_reset_password(user):
                message = reset_message(user=user, token=token_generator.make_token(user))
            else:
                message = no_password_message(user=user)
            message.send()
            sent += 1
        return sent


class ResetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Nytt lösenord")
        self.fields["new_password2"].label = _("Nytt lösenord igen")
        self.fields["new_password2"].help_text = _("Skriv samma lösenord en gång till.")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    token_generator = reset_token_generator
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        address = get_client_ip_address(request) or "unknown"
        if not _within_bound("address", address, settings.LOTSEN_PASSWORD_RESET_PER_ADDRESS):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("För många försök. Vänta en stund och försök igen."))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    token_generator = reset_token_generator
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # No link is ever made for these; a forged one finds nothing either.
        if user is not None and not may_reset_password(user):
            return None
        return user

    def render_to_response(self, context, **response_kwargs):
        if not self.validlink:
            # Unknown account, wrong, used or expired token: one answer for all.
            return link_invalid(self.request)
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        # The new password ends every other session (Django checks each session's hash of
        # the password on its next request) and lifts a lockout of the account.
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
