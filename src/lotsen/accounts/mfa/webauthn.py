"""Passkeys (WebAuthn) through django-otp-webauthn, as a second factor only.

The library's ceremonies are used as they are; what is Lotsen's: whose passkey is asked
for (the user whose password was just accepted, or the logged-in user stepping up), what
happens after it (``pending_login_finish`` or the step-up), the audit of every attempt,
and the relying party (``LOTSEN_WEBAUTHN_RP_ID`` and ``LOTSEN_WEBAUTHN_ORIGINS``; by default
the host and origin the request came to, which ``ALLOWED_HOSTS`` has already vetted).
Passwordless login is off (``OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN``): a passkey follows
the password.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp_webauthn import exceptions
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from lotsen.accounts.mfa import services
from lotsen.accounts.mfa.models import Method, Outcome, Purpose

# Where the step-up returns to after a passkey (the page that asked for it).
SESSION_STEP_UP_NEXT = "lotsen_mfa_step_up_next"


def rp_id(request) -> str:
    return settings.LOTSEN_WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0]


def rp_name(request) -> str:
    return "Lotsen"


class LotsenWebAuthnHelper(WebAuthnHelper):
    def get_allowed_origins(self) -> list[str]:
        if settings.LOTSEN_WEBAUTHN_ORIGINS:
            return list(settings.LOTSEN_WEBAUTHN_ORIGINS)
        scheme = "https" if self.request.is_secure() else "http"
        return [f"{scheme}://{self.request.get_host()}"]


class _SecondFactorUser:
    """The user a passkey is asked of: logged in (step-up), or pending after the password."""

    def get_user(self):
        if self.request.user.is_authenticated:
            return self.request.user
        return services.pending_login_user(self.request)

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None or not user.is_active:
            raise exceptions.NotAuthenticated()


class PasskeyLoginBegin(_SecondFactorUser, BeginCredentialAuthenticationView):
    pass


class PasskeyLoginComplete(_SecondFactorUser, CompleteCredentialAuthenticationView):
    def handle_exception(self, exc):
        user = getattr(self, "_attempt_user", None)
        if user is not None and isinstance(exc, exceptions.OTPWebAuthnApiError):
            services.attempt_record(
                request=self.request,
                user=user,
                method=Method.PASSKEY,
                purpose=self._purpose(),
                outcome=Outcome.FAILURE,
            )
        return super().handle_exception(exc)

    def _purpose(self) -> str:
        return Purpose.STEP_UP if self.request.user.is_authenticated else Purpose.LOGIN

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._attempt_user = self.get_user()

    def complete_auth(self, device):
        purpose = self._purpose()
        if purpose == Purpose.LOGIN:
            self._next = services.pending_login_finish(
                self.request, user=device.user, device=device
            )
        else:
            services.session_level_raise(self.request, device=device)
            self._next = self.request.session.pop(SESSION_STEP_UP_NEXT, "")
        services.attempt_record(
            request=self.request,
            user=device.user,
            method=Method.PASSKEY,
            purpose=purpose,
            outcome=Outcome.SUCCESS,
        )

    def get_success_url(self):
        return getattr(self, "_next", "") or reverse(settings.LOGIN_REDIRECT_URL)


class PasskeyRegisterBegin(BeginCredentialRegistrationView):
    """Only a logged-in user; one who already has a second factor must have given it in
    this session (the library checks ``is_verified``), so a password alone cannot add a
    passkey to an account that has one."""


class PasskeyRegisterComplete(CompleteCredentialRegistrationView):
    """The passkey is saved and the session counts as having given its second factor (the
    library marks it verified). A first second factor comes with recovery codes, shown on
    the next page."""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code != 200:
            return response
        user = self.request.user
        device = user.otp_device
        if device is not None:
            services.session_level_raise(self.request, device=device)
        services.attempt_record(
            request=self.request,
            user=user,
            method=Method.PASSKEY,
            purpose=Purpose.ENROL,
            outcome=Outcome.SUCCESS,
        )
        data = json.loads(response.content)
        if not services.user_second_factors(user)["recovery_left"]:
            services.recovery_codes_replace(request=self.request, user=user)
            url = reverse("accounts:mfa:recovery_codes")
            next_url = self.request.GET.get("next", "")
            if next_url and url_has_allowed_host_and_scheme(
                next_url,
                allowed_hosts={self.request.get_host()},
                require_https=self.request.is_secure(),
            ):
                url += "?" + urlencode({"next": next_url})
            data["redirect_url"] = url
        return JsonResponse(data)

    def handle_exception(self, exc):
        if self.request.user.is_authenticated and isinstance(exc, exceptions.OTPWebAuthnApiError):
            services.attempt_record(
                request=self.request,
                user=self.request.user,
                method=Method.PASSKEY,
                purpose=Purpose.ENROL,
                outcome=Outcome.FAILURE,
            )
        return super().handle_exception(exc)
