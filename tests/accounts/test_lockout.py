"""Login lockout (issue 11): too many wrong passwords for one account, or from one address,
lock it; the lock is told in plain Swedish without saying whether the account exists; the
right password does not get in until the cool-off has passed; every failed and successful
login is recorded (django-axes, against the real login URL)."""

import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
LOCKED = "För många misslyckade inloggningar. Försök igen om"


@pytest.fixture(autouse=True)
def _lockout_settings(settings):
    settings.AXES_FAILURE_LIMIT = 10
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]


def _post_login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_for_one_account_are_refused_and_lock_it(client):
    user = UserFactory()
    statuses = []
    for attempt in range(30):
        # A new address for every guess: it is the account that locks.
        response = _post_login(client, user.username, "wrong-password", f"10.0.1.{attempt}")
        statuses.append(response.status_code)
    assert statuses[:9] == [200] * 9  # the form again, "wrong username or password"
    assert statuses[9:] == [429] * 21
    assert not _logged_in(client)
    page = response.content.decode()
    assert f"{LOCKED} 15 minuter." in page
    assert 'name="password"' in page  # the login form, to try again later

    # Right password, fresh address: still locked.
    response = _post_login(client, user.username, PASSWORD, "10.0.2.1")
    assert response.status_code == 429
    assert not _logged_in(client)

    # Every failure is kept, with its address.
    failures = AccessFailureLog.objects.filter(username=user.username)
    assert failures.count() == 31
    assert failures.filter(locked_out=True).count() == 22
    assert not AccessLog.objects.filter(username=user.username).exists()


def test_the_lock_reads_the_same_for_an_account_that_does_not_exist(client):
    user = UserFactory()
    pages = []
    for network, username in enumerate((user.username, "finns-inte")):
        for attempt in range(10):
            response = _post_login(client, username, "wrong-password", f"10.{network}.0.{attempt}")
        assert response.status_code == 429
        page = response.content.decode()
        assert f"{LOCKED} 15 minuter." in page
        assert "Fel användarnamn eller lösenord" not in page
        pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page))
    assert pages[0] == pages[1]


def test_thirty_wrong_passwords_from_one_address_across_usernames_lock_the_address(client):
    victim = UserFactory()
    statuses = [
        _post_login(client, f"gissning{attempt}", "wrong-password", "192.0.2.7").status_code
        for attempt in range(30)
    ]
    assert statuses[:9] == [200] * 9
    assert statuses[9:] == [429] * 21
    assert AccessFailureLog.objects.filter(ip_address="192.0.2.7").count() == 30

    # An account nobody has guessed at: refused from that address, even with its password,
    response = _post_login(client, victim.username, PASSWORD, "192.0.2.7")
    assert response.status_code == 429
    assert f"{LOCKED} 15 minuter." in response.content.decode()
    assert not _logged_in(client)
    # and logs in from another one.
    response = _post_login(client, victim.username, PASSWORD, "198.51.100.3")
    assert response.status_code == 302
    assert _logged_in(client)


def test_the_right_password_logs_in_only_once_the_cool_off_has_passed(client, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)
    user = UserFactory()
    for _ in range(10):
        _post_login(client, user.username, "wrong-password")
    response = _post_login(client, user.username, PASSWORD)
    assert response.status_code == 429
    # Under a minute left is told as one minute, never as none.
    assert f"{LOCKED} 1 minut." in response.content.decode()
    assert not _logged_in(client)

    # The refused right password was a failure too and started the cool-off again.
    time.sleep(2.2)
    response = _post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)
    # The successful login is recorded next to the failures.
    success = AccessLog.objects.get(username=user.username)
    assert success.ip_address == "10.0.0.1"
    assert AccessFailureLog.objects.filter(username=user.username).count() == 11


def test_a_few_failures_then_the_right_password_log_in_and_are_all_recorded(client):
    user = UserFactory()
    for _ in range(3):
        assert _post_login(client, user.username, "wrong-password").status_code == 200
    response = _post_login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)
    assert AccessFailureLog.objects.filter(username=user.username, locked_out=False).count() == 3
    assert AccessLog.objects.filter(username=user.username).count() == 1
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 3


def test_the_lockout_page_is_in_english_for_an_english_session(client):
    user = UserFactory()
    client.cookies["django_language"] = "en"
    for _ in range(10):
        response = _post_login(client, user.username, "wrong-password")
    assert response.status_code == 429
    assert "Too many failed logins. Try again in 15 minutes." in response.content.decode()


def test_attempts_and_logins_are_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert response.status_code == 200
    assert admin_client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:axes_accesslog_changelist")).status_code == 200
