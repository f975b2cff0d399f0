"""A second factor and step-up in a real browser (issue 11):

- a local user sets up an authenticator app under "Mitt konto: säkerhet" (the QR code, the
  secret as text, a code to confirm, ten recovery codes shown once) and then logs in with
  the password and a code;
- the same user adds a passkey, with Chromium's virtual authenticator (CDP
  ``WebAuthn.addVirtualAuthenticator``: CTAP2, internal, resident key, user verification),
  and logs in with the password and the passkey;
- the step-up story: a case worker logged in with the password alone opens a case with a
  health-related note, is asked to strengthen the login in its place, does so with a code
  from the app, and is back on the case reading the note.

Codes are computed as an app computes them (RFC 6238, django-otp's TOTP) from the secret
the enrolment page shows as text. axe-core finds no WCAG 2.1 A/AA violation on any new
page; forms are filled and sent with the keyboard. The second factors set up for "admin"
and "elevhalsa" are removed when the module ends, since a second factor changes the login
of the browser tests that come after (the phone crawl logs in as every demo role).
"""

from __future__ import annotations

import re
import subprocess
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.e2e.conftest import AXE, DEMO_PASSWORD, LOTSEN, WCAG_TAGS

REMOVE_SECOND_FACTORS = """
from django.contrib.auth import get_user_model
from django_otp import devices_for_user
for user in get_user_model().objects.filter(username__in=["admin", "elevhalsa"]):
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
"""


@pytest.fixture(scope="module", autouse=True)
def _second_factors_removed_afterwards(server, server_env):
    yield
    subprocess.run(
        [str(LOTSEN), "shell", "-c", REMOVE_SECOND_FACTORS],
        env=server_env,
        check=True,
        capture_output=True,
        timeout=300,
    )


HEALTH_NOTE = "Berättar om sömnproblem sedan hösten. Kontakt med skolsköterskan bokad."


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: zero WCAG 2.1 A/AA violations. axe is put into
    the page through the DevTools protocol, which the Content-Security-Policy (no inline
    script) does not stop, unlike a script tag; the pages themselves keep their policy."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe-core on {page.url}:\n" + "\n".join(violations)


def _press(page, locator) -> None:
    """Follow a link or send a form with Enter, and wait for the next page."""
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _type(page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def _password(page, username: str) -> None:
    page.goto("/konto/logga-in/")
    _type(page, "Användarnamn", username)
    _type(page, "Lösenord", DEMO_PASSWORD)
    _press(page, page.get_by_role("button", name="Logga in"))


def _logout(page) -> None:
    _press(page, page.get_by_role("button", name="Logga ut"))
    page.wait_for_url(re.compile("logga-in|/$"))


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    """What the app shows (or will show ``steps_ahead`` periods from now: the server takes
    one period either way, and never the same period twice)."""
    raw = secret.replace(" ", "")
    key = b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def _enrol_app(page, *, next_expected: str | None = None) -> str:
    """On the app enrolment page: read the secret, confirm with a code, see the recovery
    codes. Returns the secret."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Lägg till autentiseringsapp")
    expect(page.locator("svg.lotsen-qr")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"([A-Z2-7]{4} ?)+", secret)
    _type(page, "Koden som appen visar nu", "123")
    _press(page, page.get_by_role("button", name="Slå på"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Koden stämmer inte")
    assert_accessible(page)
    page.get_by_label("Koden som appen visar nu", exact=True).fill("")
    _type(page, "Koden som appen visar nu", _code(secret))
    _press(page, page.get_by_role("button", name="Slå på"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina reservkoder")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    if next_expected:
        expect(page.get_by_role("link", name="Jag har sparat koderna, fortsätt")).to_have_attribute(
            "href", next_expected
        )
    return secret


def test_enrol_an_app_then_log_in_with_it_and_add_and_use_a_passkey(browser, server):
    # Passkeys need a secure context with a domain name: localhost, not 127.0.0.1.
    context = browser.new_context(base_url=server.replace("127.0.0.1", "localhost"), locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _password(page, "admin")
        page.goto("/konto/sakerhet/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Säkerhet och inloggning")
        assert_accessible(page)
        _press(page, page.get_by_role("link", name=re.compile("Lägg till app")))
        secret = _enrol_app(page)
        _press(page, page.get_by_role("link", name="Jag har sparat koderna, fortsätt"))
        expect(page.locator(".govuk-summary-list")).to_contain_text("Påslagen")
        expect(page.locator(".govuk-summary-list")).to_contain_text("10 koder kvar")
        _logout(page)

        # The password alone is not enough any more: the second step asks for a code.
        _password(page, "admin")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta att det är du")
        assert_accessible(page)
        page.goto("/konto/sakerhet/")  # nothing behind the login without the second step
        expect(page).to_have_url(re.compile("/konto/logga-in/"))
        _password(page, "admin")
        _type(page, "Kod", _code(secret, steps_ahead=1))
        _press(page, page.get_by_role("button", name="Fortsätt"))
        expect(page.get_by_text("Inloggad som")).to_be_visible()
        assert "logga-in" not in page.url

        # A passkey, on Chromium's virtual authenticator.
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )["authenticatorId"]
        page.goto("/konto/sakerhet/")
        _press(page, page.get_by_role("link", name="Lägg till nyckel"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Lägg till nyckel (passkey)")
        add = page.get_by_role("button", name="Lägg till nyckel")
        expect(add).to_be_visible()
        assert_accessible(page)
        _press(page, add)
        expect(page.get_by_role("heading", level=1)).to_have_text("Säkerhet och inloggning")
        expect(page.locator(".govuk-summary-list")).to_contain_text("1 nyckel")
        credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert len(credentials["credentials"]) == 1
        _logout(page)

        # Password, then the passkey instead of a code.
        _password(page, "admin")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bekräfta att det är du")
        use = page.get_by_role("button", name="Använd din nyckel (passkey)")
        expect(use).to_be_visible()
        assert_accessible(page)
        _press(page, use)
        expect(page.get_by_text("Inloggad som")).to_be_visible()
        assert "logga-in" not in page.url
        used = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert used["credentials"][0]["signCount"] >= 1
    finally:
        context.close()


def test_a_case_worker_steps_up_with_the_app_to_read_a_health_note(browser, server):
    # Two sessions of the same case worker: the first logs in with the password alone;
    # the second, later, sets up the app and writes the health-related note.
    first = browser.new_context(base_url=server, locale="sv-SE")
    second = browser.new_context(base_url=server, locale="sv-SE")
    try:
        page = first.new_page()
        page.set_default_timeout(10_000)
        _password(page, "elevhalsa")
        expect(page.get_by_text("Inloggad som")).to_be_visible()

        other = second.new_page()
        other.set_default_timeout(10_000)
        _password(other, "elevhalsa")
        other.goto("/konto/sakerhet/")
        _press(other, other.get_by_role("link", name=re.compile("Lägg till app")))
        secret = _enrol_app(other)
        other.goto("/arenden/")
        case_url = other.locator("table a[href^='/arenden/']").first.get_attribute("href")
        assert re.fullmatch(r"/arenden/\d+/", case_url)
        other.goto(case_url + "anteckning/")
        other.get_by_label("Hälsorelaterat", exact=True).check()
        _type(other, "Anteckning", HEALTH_NOTE)
        _press(other, other.get_by_role("button", name="Spara anteckningen"))
        expect(other.get_by_text(HEALTH_NOTE)).to_be_visible()

        # The first session, at the password's level, opens the case: everything but the
        # note, and in its place the request to strengthen the login.
        page.goto(case_url)
        expect(page.get_by_role("heading", name="Journalanteckningar")).to_be_visible()
        expect(page.locator("#styrk-inloggning")).to_contain_text(
            "Styrk din inloggning för att se hälsorelaterade anteckningar."
        )
        expect(page.get_by_text(HEALTH_NOTE)).to_have_count(0)
        expect(page.get_by_role("heading", name="Plan", exact=True)).to_be_visible()
        assert_accessible(page)
        _press(page, page.get_by_role("link", name="Styrk din inloggning"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Styrk din inloggning")
        assert_accessible(page)
        # Five digits: not the app's code, and no recovery code either.
        _type(page, "Kod", "12345")
        _press(page, page.get_by_role("button", name="Bekräfta"))
        expect(page.locator(".govuk-error-summary")).to_contain_text("Koden stämmer inte")
        assert_accessible(page)
        page.get_by_label("Kod", exact=True).fill("")
        _type(page, "Kod", _code(secret, steps_ahead=1))
        _press(page, page.get_by_role("button", name="Bekräfta"))

        # Back on the same case, which now shows the note.
        expect(page).to_have_url(re.compile(re.escape(case_url) + "(#anteckningar)?$"))
        expect(page.get_by_text(HEALTH_NOTE)).to_be_visible()
        expect(page.locator("#styrk-inloggning")).to_have_count(0)
        assert_accessible(page)
    finally:
        first.close()
        second.close()
