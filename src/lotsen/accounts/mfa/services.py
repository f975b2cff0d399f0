"""The second factor: enrolling an app (TOTP) with recovery codes, checking a code, and the
session's level after it.

A login with a password on an account that has a second factor is not a login yet: the
user is remembered as *pending* in the session, and Django's login happens only when the
second factor is right (``pending_login_finish``). A session that is already logged in
with the password alone is lifted to ``LOCAL_SECOND_FACTOR`` by the same check
(``session_level_raise``): that is the step-up.

Codes are checked against one kind of device at a time (six digits: the app; anything
else: a recovery code), each with django-otp's throttling: after a wrong code the device
waits 1, 2, 4, 8 ... seconds before it checks another. Every attempt, right, wrong or
refused by the throttle, is recorded (``SecondFactorAttempt``); the code itself never is.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lotsen.accounts import assurance
from lotsen.accounts.mfa.models import Method, Outcome, Purpose, SecondFactorAttempt
from lotsen.accounts.middleware import SESSION_ASSURANCE_LEVEL, SESSION_IDENTITY_PROVIDER
from lotsen.accounts.models import User

RECOVERY_CODE_COUNT = 10
# The device names users see on the security page.
TOTP_DEVICE_NAME = "Autentiseringsapp"
RECOVERY_DEVICE_NAME = "Reservkoder"
# A password accepted, the second factor not yet given: how long the session remembers it.
PENDING_SECONDS = 5 * 60
SESSION_PENDING = "lotsen_mfa_pending"
# Recovery codes just made, shown once on the next page and then gone from the session.
SESSION_NEW_RECOVERY_CODES = "lotsen_mfa_new_recovery_codes"

ERROR_WRONG_CODE = "Koden stämmer inte. Kontrollera den och försök igen."
ERROR_THROTTLED = "Du har angett fel kod flera gånger. Vänta en liten stund innan du försöker igen."
ERROR_NO_CODE = "Skriv koden från appen eller en av dina reservkoder."

_TOTP_FORMAT = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: the device that accepted it, or the message to show."""

    device: object | None
    error: str = ""


# --- The second factor the user has ------------------------------------------------------


def user_has_second_factor(user: User) -> bool:
    """A confirmed app, passkey or recovery code: the login then asks for it."""
    return any(True for _device in devices_for_user(user, confirmed=True))


def user_second_factors(user: User) -> dict:
    """What the security page lists."""
    from django_otp_webauthn.models import WebAuthnCredential

    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "recovery_left": static.token_set.count() if static else 0,
        "passkeys": list(
            WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")
        ),
    }


def session_is_local(request) -> bool:
    """A session logged in with a local password (not through an identity provider)."""
    return request.session.get(SESSION_IDENTITY_PROVIDER) is None


# --- Codes ---------------------------------------------------------------------------------


def _normalise(token: str) -> str:
    return _SEPARATORS.sub("", token or "").lower()[:32]


def attempt_record(*, request, user: User, method: str, purpose: str, outcome: str) -> None:
    SecondFactorAttempt.objects.create(
        user=user,
        method=method,
        purpose=purpose,
        outcome=outcome,
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:255],
    )


def code_check(*, request, user: User, token: str, purpose: str) -> CodeCheck:
    """Check a code from the app or a recovery code against the user's own devices. A
    recovery code is spent when it is used (django-otp deletes it)."""
    token = _normalise(token)
    if not token:
        return CodeCheck(device=None, error=ERROR_NO_CODE)
    is_totp = bool(_TOTP_FORMAT.match(token))
    model = TOTPDevice if is_totp else StaticDevice
    method = Method.TOTP if is_totp else Method.RECOVERY
    accepted = None
    throttled = False
    with transaction.atomic():
        # Locked for the check: two requests with the same code cannot both pass, and the
        # throttle's counter is not lost between them.
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                accepted = device
                break
        outcome = (
            Outcome.SUCCESS if accepted else (Outcome.THROTTLED if throttled else Outcome.FAILURE)
        )
        attempt_record(request=request, user=user, method=method, purpose=purpose, outcome=outcome)
    if accepted is not None:
        return CodeCheck(device=accepted)
    return CodeCheck(device=None, error=ERROR_THROTTLED if throttled else ERROR_WRONG_CODE)


# --- The session's level -------------------------------------------------------------------


def session_level_raise(request, *, device) -> None:
    """The second factor was given: the session is at ``LOCAL_SECOND_FACTOR`` from now on
    (a session already higher keeps its level), and django-otp knows the device. Only a
    local login is lifted: a login through an identity provider gets its level from the
    provider, and steps up there."""
    otp_login(request, device)
    if not session_is_local(request):
        return
    ranks = settings.LOTSEN_ASSURANCE_RANKS
    current = request.session.get(SESSION_ASSURANCE_LEVEL, "")
    if assurance.level_rank(current, ranks=ranks) < assurance.level_rank(
        assurance.LOCAL_SECOND_FACTOR, ranks=ranks
    ):
        request.session[SESSION_ASSURANCE_LEVEL] = assurance.LOCAL_SECOND_FACTOR
    request.assurance_level = request.session[SESSION_ASSURANCE_LEVEL]


# --- A login waiting for its second factor -------------------------------------------------


def pending_login_start(request, *, user: User, next_url: str) -> None:
    request.session[SESSION_PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": next_url,
        "at": time.time(),
    }


def pending_login_user(request) -> User | None:
    """The user whose password was accepted in this session a moment ago, or None."""
    pending = request.session.get(SESSION_PENDING)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(SESSION_PENDING, None)
        return None
    return User.objects.filter(pk=pending.get("user"), is_active=True).first()


def pending_login_next(request) -> str:
    pending = request.session.get(SESSION_PENDING) or {}
    return pending.get("next") or ""


def pending_login_finish(request, *, user: User, device) -> str:
    """Log the user in now that the second factor is right; where to go next."""
    pending = request.session.get(SESSION_PENDING) or {}
    next_url = pending.get("next") or ""
    login(request, user, backend=pending.get("backend") or settings.AUTHENTICATION_BACKENDS[-1])
    request.session.pop(SESSION_PENDING, None)
    request.session[SESSION_ASSURANCE_LEVEL] = assurance.LOCAL_PASSWORD
    session_level_raise(request, device=device)
    return next_url


# --- Enrolling an app ----------------------------------------------------------------------


def totp_device_start(*, user: User) -> TOTPDevice:
    """The app being set up: an unconfirmed device, the same one until it is confirmed, so a
    reload does not change the secret the user has already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret for typing into an app by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice, *, title: str) -> str:
    """The otpauth URL as an inline SVG QR code (no image request, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title=title, svgclass="lotsen-qr", lineclass=None, omitsize=False
    )


def totp_device_confirm(*, request, user: User, device: TOTPDevice, token: str) -> CodeCheck:
    """The first code from the new app proves it is set up. The app replaces any earlier
    one, new recovery codes are made (shown once), and the session counts as having given
    its second factor: the user has just shown they hold the app."""
    token = _normalise(token)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        allowed, _info = device.verify_is_allowed()
        # Something that is not six digits cannot be a guess that works: it is told as
        # wrong without counting against the throttle.
        ok = allowed and bool(_TOTP_FORMAT.match(token)) and device.verify_token(token)
        outcome = Outcome.SUCCESS if ok else (Outcome.FAILURE if allowed else Outcome.THROTTLED)
        attempt_record(
            request=request, user=user, method=Method.TOTP, purpose=Purpose.ENROL, outcome=outcome
        )
        if not ok:
            return CodeCheck(device=None, error=ERROR_WRONG_CODE if allowed else ERROR_THROTTLED)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.name = TOTP_DEVICE_NAME
        device.save(update_fields=["confirmed", "name"])
        recovery_codes_replace(request=request, user=user)
    session_level_raise(request, device=device)
    return CodeCheck(device=device)


def recovery_codes_replace(*, request, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working. Kept in the session only until
    the next page has shown them."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    request.session[SESSION_NEW_RECOVERY_CODES] = codes
    return codes


def recovery_codes_take(request) -> list[str]:
    """The codes just made, once: a reload no longer shows them."""
    return request.session.pop(SESSION_NEW_RECOVERY_CODES, None) or []
