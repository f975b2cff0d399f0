"""A second factor for local accounts (issue 11): the password alone does not log in an
account that has one; a code from the app or a recovery code (once) does; enrolling an app
shows a QR code and the secret, is confirmed with a code and shows ten recovery codes once;
wrong codes are throttled; every attempt is recorded; and with LOTSEN_REQUIRE_SECOND_FACTOR
a password login to a role that reaches personal data sets one up before anything else."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessLog
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lotsen.accounts import assurance
from lotsen.accounts.mfa import services
from lotsen.accounts.mfa.models import SecondFactorAttempt
from lotsen.accounts.models import OrganisationKind, Role
from tests.accounts.mfa_helpers import app_for, fresh_code, recovery_codes_for, totp_code
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
LEVEL = "lotsen_assurance_level"


def _password(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data, REMOTE_ADDR="10.1.2.3")


def _code(client, code):
    return client.post(reverse("accounts:mfa:login_verify"), {"code": code}, REMOTE_ADDR="10.1.2.3")


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def _attempts(user):
    return list(
        SecondFactorAttempt.objects.filter(user=user)
        .order_by("id")
        .values_list("method", "purpose", "outcome")
    )


@pytest.fixture
def coach(db):
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    return MembershipFactory(organisation=social, role=Role.CASE_WORKER).user


def test_without_a_second_factor_the_password_logs_in_at_the_local_password_level(client, coach):
    response = _password(client, coach)
    assert response.status_code == 302
    assert _logged_in(client)
    assert client.session[LEVEL] == assurance.LOCAL_PASSWORD


def test_with_an_app_the_password_alone_does_not_log_in_and_the_code_does(client, coach):
    device = app_for(coach)
    response = _password(client, coach, next_url="/arenden/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa:login_verify")
    assert not _logged_in(client)
    # Nothing behind the login is reachable while the second factor is missing.
    assert client.get("/arenden/").status_code == 302
    assert not _logged_in(client)

    page = client.get(reverse("accounts:mfa:login_verify"))
    assert "Bekräfta att det är du" in page.content.decode()

    wrong = _code(client, "000000" if totp_code(device) != "000000" else "111111")
    assert wrong.status_code == 200
    assert services.ERROR_WRONG_CODE in wrong.content.decode()
    assert not _logged_in(client)

    response = _code(client, fresh_code(device))
    assert response.status_code == 302
    assert response.url == "/arenden/"
    assert _logged_in(client)
    assert client.session[LEVEL] == assurance.LOCAL_SECOND_FACTOR
    assert client.session["otp_device_id"] == device.persistent_id
    assert _attempts(coach) == [("totp", "login", "failure"), ("totp", "login", "success")]
    # The successful login is in django-axes' record of logins, as a password login is.
    assert AccessLog.objects.filter(username=coach.username).count() == 1


def test_a_recovery_code_logs_in_once(client, coach):
    app_for(coach)
    recovery_codes_for(coach, ["abcd2345", "efgh6789"])
    _password(client, coach)
    response = _code(client, "ABCD-2345")  # as printed, in capitals with a hyphen: fine
    assert response.status_code == 302
    assert _logged_in(client)
    assert client.session[LEVEL] == assurance.LOCAL_SECOND_FACTOR
    assert list(StaticToken.objects.values_list("token", flat=True)) == ["efgh6789"]

    client.logout()
    _password(client, coach)
    again = _code(client, "abcd2345")
    assert again.status_code == 200
    assert not _logged_in(client)
    assert _attempts(coach) == [
        ("recovery", "login", "success"),
        ("recovery", "login", "failure"),
    ]


def test_wrong_codes_are_throttled_and_the_throttle_is_recorded(client, coach, settings):
    # A long wait after a wrong code, so that the right one right after is refused.
    settings.OTP_TOTP_THROTTLE_FACTOR = 600
    device = app_for(coach)
    _password(client, coach)
    _code(client, "000000" if totp_code(device) != "000000" else "111111")
    refused = _code(client, totp_code(device))
    assert refused.status_code == 200
    assert services.ERROR_THROTTLED in refused.content.decode()
    assert not _logged_in(client)
    assert _attempts(coach) == [("totp", "login", "failure"), ("totp", "login", "throttled")]
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_the_second_step_without_a_password_first_goes_back_to_the_login(client, coach):
    app_for(coach)
    response = _code(client, "123456")
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert SecondFactorAttempt.objects.count() == 0


def test_enrol_an_app_confirm_with_a_code_and_see_ten_recovery_codes_once(client, coach):
    _password(client, coach)
    page = client.get(reverse("accounts:mfa:totp_enrol"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "QR-kod för autentiseringsappen" in html
    device = TOTPDevice.objects.get(user=coach, confirmed=False)
    assert services.totp_secret_text(device) in html  # the secret as text too
    # The same secret on a reload: the one already scanned stays.
    client.get(reverse("accounts:mfa:totp_enrol"))
    assert TOTPDevice.objects.filter(user=coach).count() == 1

    wrong = client.post(reverse("accounts:mfa:totp_enrol"), {"code": "12"})
    assert wrong.status_code == 200 and services.ERROR_WRONG_CODE in wrong.content.decode()
    response = client.post(
        reverse("accounts:mfa:totp_enrol"), {"code": fresh_code(device), "next": "/arenden/"}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa:recovery_codes") + "?next=%2Farenden%2F"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[LEVEL] == assurance.LOCAL_SECOND_FACTOR

    shown = client.get(response.url).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)
    assert len(codes) == 10 == len(set(codes))
    assert sorted(codes) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert 'href="/arenden/"' in shown
    again = client.get(response.url).content.decode()
    assert re.findall(r"<li><code>([a-z2-7]{8})</code></li>", again) == []

    # From now on the login asks for it; a printed recovery code works.
    client.logout()
    _password(client, coach)
    assert not _logged_in(client)
    assert _code(client, codes[3]).status_code == 302
    assert _logged_in(client)
    assert _attempts(coach) == [
        ("totp", "enrol", "failure"),
        ("totp", "enrol", "success"),
        ("recovery", "login", "success"),
    ]


def test_an_account_with_a_second_factor_adds_another_only_after_giving_it(client, coach):
    device = app_for(coach)
    _password(client, coach)
    _code(client, fresh_code(device))
    # Logged in with the second factor: may replace the app.
    assert client.get(reverse("accounts:mfa:totp_enrol")).status_code == 200

    # A session that has not given it (the level is lowered as if from the password only,
    # and django-otp has no device for it) is sent to give it first.
    session = client.session
    session[LEVEL] = assurance.LOCAL_PASSWORD
    del session["otp_device_id"]
    session.save()
    for name in ("accounts:mfa:totp_enrol", "accounts:mfa:passkey_register"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:mfa:step_up"))


def test_the_security_page_lists_what_the_user_has(client, coach):
    app_for(coach)
    recovery_codes_for(coach, ["aaaa2222", "bbbb3333"])
    client.force_login(coach)
    html = client.get(reverse("accounts:mfa:security")).content.decode()
    assert "Påslagen" in html
    assert "2 koder kvar" in html


def test_required_second_factor_sends_a_password_login_to_set_one_up(client, coach, settings):
    settings.LOTSEN_REQUIRE_SECOND_FACTOR = True
    _password(client, coach)
    response = client.get("/arenden/")
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa:security") + "?next=%2Farenden%2F"
    security = client.get(response.url)
    assert security.status_code == 200
    assert "behöver ditt konto en andra faktor" in security.content.decode()
    assert client.get(reverse("accounts:mfa:totp_enrol")).status_code == 200

    device = TOTPDevice.objects.get(user=coach)
    client.post(reverse("accounts:mfa:totp_enrol"), {"code": fresh_code(device)})
    assert client.get("/arenden/").status_code == 200


def test_required_second_factor_leaves_roles_without_personal_data_alone(client, settings):
    settings.LOTSEN_REQUIRE_SECOND_FACTOR = True
    admin = MembershipFactory(role=Role.ORGANISATION_ADMIN).user
    _password(client, admin)
    assert client.get(reverse("web:start")).status_code == 200


def test_required_second_factor_is_on_in_production_settings_and_off_by_default(
    settings, monkeypatch
):
    import importlib

    assert settings.LOTSEN_REQUIRE_SECOND_FACTOR is False
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.delenv("LOTSEN_REQUIRE_SECOND_FACTOR", raising=False)
    production = importlib.import_module("lotsen.settings_production")
    assert production.LOTSEN_REQUIRE_SECOND_FACTOR is True


def test_a_session_without_a_level_counts_as_the_lowest(client, coach):
    client.force_login(coach)
    client.get(reverse("web:start"))
    assert client.session[LEVEL] == assurance.UNSPECIFIED
