"""Password reset by e-mail (issue 11): the mail reaches a real SMTP server (aiosmtpd), the
link from it is followed with the test client, the page never tells whether an account
has the address, requests are bounded, the link works once and not after it expires, a
reset ends other sessions and lifts the lockout, and no mail carries anything about a
young person."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.urls import reverse

from lotsen.accounts.recovery import RESET_SUBJECT, reset_token_generator
from tests.factories import MembershipFactory, MunicipalityFactory, PersonFactory, UserFactory
from tests.notifications import conftest as smtp
from tests.notifications.conftest import subject_of, text_of

pytestmark = pytest.mark.django_db

# The real SMTP server of the notification tests, and the mails it received.
smtp_server = smtp.smtp_server
mailbox = smtp.mailbox

RESET = reverse("accounts:password_reset")
NEW_PASSWORD = "Ett-nytt-langt-losenord-42"
LINK = re.compile(r"https://lotsen\.example\.se(/konto/\S+)")


@pytest.fixture(autouse=True)
def _fresh_bounds():
    # The bounds count in the cache, which outlives a test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff():
    membership = MembershipFactory(
        user=UserFactory(username="mentor1", email="mentor1@kommun.example.se"),
        organisation=MunicipalityFactory(municipality_code="1999", name="Exempelkommun"),
        role="mentor",
    )
    return membership.user


def _request(client, email, address="10.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def _page_text(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def _link(message) -> str:
    return LINK.search(message.get_content()).group(1)


def test_the_reset_mail_is_received_and_its_link_sets_a_new_password(client, staff, mailbox):
    page = client.get(RESET)
    assert page.status_code == 200 and "Glömt lösenordet" in page.text

    response = _request(client, "Mentor1@Kommun.Example.se")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    [message] = mailbox.to("mentor1@kommun.example.se")
    assert subject_of(message) == RESET_SUBJECT
    body = message.get_content()
    assert "Återställ ditt lösenord i Lotsen" in body
    # No username and no name: the link is all.
    assert "mentor1" not in body.replace("mentor1@kommun.example.se", "")
    assert staff.last_name not in text_of(message)

    link = _link(message)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Välj ett nytt lösenord" in form.text
    # The token has left the address (it is kept in the session instead).
    set_password_url = form.redirect_chain[-1][0]
    assert "set-password" in set_password_url

    # Password validators apply.
    weak = client.post(set_password_url, {"new_password1": "1234", "new_password2": "1234"})
    assert weak.status_code == 200
    assert "govuk-error-summary" in weak.text and 'value="1234"' not in weak.text

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)

    # The link works once.
    again = client.get(link, follow=True)
    assert again.status_code == 404 and "Länken fungerar inte" in again.text


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, staff, mailbox):
    known = client.post(RESET, {"email": staff.email}, follow=True)
    unknown = client.post(RESET, {"email": "finns-inte@example.se"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert _page_text(known) == _page_text(unknown)
    assert "Om det finns ett konto med e-postadressen" in unknown.text
    assert mailbox.to("finns-inte@example.se") == []
    assert len(mailbox.messages) == 1


def test_an_expired_or_forged_link_gets_the_same_answer_as_a_missing_one(
    client, staff, mailbox, settings
):
    _request(client, staff.email)
    link = _link(mailbox.to(staff.email)[0])
    uid = link.split("/")[-3]
    answers = []
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token is now past its time
    answers.append(client.get(link, follow=True))
    settings.PASSWORD_RESET_TIMEOUT = 3600
    answers.append(client.get(f"/konto/losenord/nytt/{uid}/abc-123/", follow=True))
    answers.append(client.get("/konto/losenord/nytt/OTk5OTk/abc-123/", follow=True))
    assert {a.status_code for a in answers} == {404}
    assert len({_page_text(a) for a in answers}) == 1
    staff.refresh_from_db()
    assert staff.check_password("secret-pass-123")


def test_a_reset_ends_other_sessions_and_lifts_the_lockout(client, staff, mailbox, settings):
    settings.AXES_FAILURE_LIMIT = 3
    other_device = type(client)()
    other_device.force_login(staff)
    assert other_device.get(reverse("web:start")).status_code == 200

    for _ in range(3):
        client.post(
            reverse("accounts:login"),
            {"username": staff.username, "password": "wrong-password"},
            REMOTE_ADDR="10.0.9.9",
        )
    assert AccessAttempt.objects.filter(username=staff.username).exists()
    locked = client.post(
        reverse("accounts:login"),
        {"username": staff.username, "password": "secret-pass-123"},
        REMOTE_ADDR="10.0.9.8",
    )
    assert locked.status_code == 429

    _request(client, staff.email)
    form = client.get(_link(mailbox.to(staff.email)[0]), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    # The other device is signed out at its next request,
    response = other_device.get(reverse("web:start"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    # and the lock is lifted: the new password logs in at once.
    assert not AccessAttempt.objects.filter(username=staff.username).exists()
    login = client.post(
        reverse("accounts:login"),
        {"username": staff.username, "password": NEW_PASSWORD},
        REMOTE_ADDR="10.0.9.8",
    )
    assert login.status_code == 302
    assert "_auth_user_id" in client.session


def test_accounts_without_a_password_of_their_own_get_no_link(client, mailbox):
    oidc_only = UserFactory(username="idp-user", email="idp@kommun.example.se")
    oidc_only.set_unusable_password()
    oidc_only.save()
    young = UserFactory(username="ung1", email="ung@example.se", person=PersonFactory())
    for user in (oidc_only, young):
        _request(client, user.email)
        [message] = mailbox.to(user.email)
        body = message.get_content()
        assert "/konto/losenord/nytt/" not in body
        assert "inget eget lösenord i Lotsen" in body
        assert "/konto/logga-in/" in body
    # Nothing in the young person's mail says who they are.
    person = young.person
    message_text = text_of(mailbox.to(young.email)[0])
    for detail in (person.given_name, person.family_name, person.personal_identity_number):
        assert detail not in message_text
    assert young.username not in message_text


def test_requests_are_bounded_per_account_whether_or_not_it_exists(
    client, staff, mailbox, settings
):
    settings.LOTSEN_PASSWORD_RESET_PER_ACCOUNT = 2
    pages = [_request(client, staff.email, f"10.0.3.{n}") for n in range(5)]
    unknown = [_request(client, "finns-inte@example.se", f"10.0.4.{n}") for n in range(5)]
    # The same answer every time, and only two mails for the account.
    assert {p.status_code for p in pages + unknown} == {302}
    assert len(mailbox.to(staff.email)) == 2


def test_requests_are_bounded_per_client_address(client, staff, mailbox, settings):
    settings.LOTSEN_PASSWORD_RESET_PER_ADDRESS = 3
    statuses = [
        _request(client, f"gissning{n}@example.se", "192.0.2.50").status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    refused = _request(client, staff.email, "192.0.2.50")
    assert refused.status_code == 429
    assert "För många försök" in refused.text
    assert mailbox.to(staff.email) == []
    # Another address is not held back.
    assert _request(client, staff.email, "192.0.2.51").status_code == 302
    assert len(mailbox.to(staff.email)) == 1


def test_the_reset_link_is_built_on_the_configured_address_not_the_host_header(
    client, staff, mailbox
):
    client.post(RESET, {"email": staff.email}, HTTP_HOST="localhost")
    body = mailbox.to(staff.email)[0].get_content()
    assert "localhost" not in body
    assert "https://lotsen.example.se/konto/losenord/nytt/" in body


def test_the_link_has_no_run_of_digits_that_reads_as_a_personnummer(staff):
    # Municipal mail filters stop mails with personnummer; Django's hex token often holds
    # ten digits in a row.
    tokens = [reset_token_generator.make_token(staff) for _ in range(3)]
    for token in tokens:
        timestamp_b36, hash_string = token.split("-")
        assert not re.search(r"\d", hash_string) and len(hash_string) >= 20
        assert reset_token_generator.check_token(staff, token)
    changed = tokens[0][:-1] + ("y" if tokens[0].endswith("x") else "x")
    assert not reset_token_generator.check_token(staff, changed)
