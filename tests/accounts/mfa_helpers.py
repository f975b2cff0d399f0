"""Codes for the second-factor tests: computed as an authenticator app does (RFC 6238), with
django-otp's own TOTP, from the device's secret."""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device accepts now: earlier codes used and wrong guesses made in the same
    test are forgotten (an app would simply wait for the next 30 seconds)."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return totp_code(device)


def app_for(user, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=confirmed)


def recovery_codes_for(user, codes: list[str]) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="Reservkoder", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device
