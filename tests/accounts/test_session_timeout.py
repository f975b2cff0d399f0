"""The warning before the idle timeout, server side (lotsen.accounts.session): every page of
a signed-in user carries the dialog and the seconds its script counts down from; "stay"
renews the session with a POST that needs the CSRF token; when the warning goes
unanswered, the page posts to session_ended, which logs out and says why on the login page.
The dialog itself in a browser: tests/e2e/test_session_timeout_browser.py."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from lotsen.accounts.middleware import SESSION_LOGIN_AT
from lotsen.accounts.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

KEEPALIVE = reverse("accounts:session_keepalive")
ENDED = reverse("accounts:session_ended")


@pytest.fixture
def mentor():
    return MembershipFactory(role=Role.MENTOR).user


def dialog_data(html: str) -> dict[str, str]:
    match = re.search(r'<dialog class="lotsen-timeout"[^>]*>', html)
    assert match, "no timeout dialog on the page"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', match.group(0)))


def test_a_signed_in_page_carries_the_dialog_with_the_configured_times(client, mentor, settings):
    settings.SESSION_COOKIE_AGE = 1800
    settings.LOTSEN_SESSION_WARNING_SECONDS = 120
    settings.LOTSEN_SESSION_ABSOLUTE_SECONDS = 12 * 3600
    client.force_login(mentor)
    session = client.session
    login_at = time.time() - 3600
    session[SESSION_LOGIN_AT] = login_at
    session.save()
    html = client.get(reverse("web:start")).content.decode()
    data = dialog_data(html)
    assert data["idle-seconds"] == "1800"
    assert data["warning-seconds"] == "120"
    # Twelve hours after the login, as a point in time: the same on every page.
    assert data["absolute-end"] == str(int(login_at + 12 * 3600))
    assert dialog_data(client.get(reverse("web:start")).content.decode()) == data
    assert data["keepalive-url"] == KEEPALIVE
    assert 'role="alertdialog"' in html and "Du loggas snart ut" in html
    assert "Fortsätt vara inloggad" in html
    assert "loggas du ut om 2 minuter" in html
    assert "lotsen/session-timeout.js" in html


def test_a_short_idle_limit_still_warns_in_time(client, mentor, settings):
    settings.SESSION_COOKIE_AGE = 20
    settings.LOTSEN_SESSION_WARNING_SECONDS = 120
    client.force_login(mentor)
    data = dialog_data(client.get(reverse("web:start")).content.decode())
    assert data["warning-seconds"] == "10"


def test_a_signed_out_page_has_no_dialog(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "lotsen-timeout" not in html
    assert "session-timeout.js" not in html


def test_stay_renews_the_session_with_the_csrf_token(mentor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    page = client.get(reverse("web:start"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    # Without the token: refused.
    assert client.post(KEEPALIVE).status_code == 403
    session_key = client.session.session_key
    expiry_before = client.session.get_expiry_date()
    response = client.post(KEEPALIVE, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 204
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]
    # The same session, its expiry moved on and its cookie sent again.
    assert client.session.session_key == session_key
    assert client.session.get_expiry_date() >= expiry_before
    assert response.cookies["sessionid"].value == session_key


def test_stay_after_the_session_ended_answers_401(client):
    assert client.post(KEEPALIVE).status_code == 401


def test_stay_takes_only_post(client, mentor):
    client.force_login(mentor)
    assert client.get(KEEPALIVE).status_code == 405
    assert client.get(ENDED).status_code == 405


def test_an_unanswered_warning_logs_out_and_the_login_page_says_why(client, mentor):
    client.force_login(mentor)
    response = client.post(ENDED, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    html = response.content.decode()
    assert "Du har loggats ut eftersom du inte har gjort något på en stund." in html
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:start")).status_code == 302


def test_a_session_that_already_ended_gets_the_same_message(client):
    response = client.post(ENDED, follow=True)
    assert "Du har loggats ut eftersom du inte har gjort något på en stund." in (
        response.content.decode()
    )
