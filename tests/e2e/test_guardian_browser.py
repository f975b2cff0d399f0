"""A guardian answers a consent request in a real browser (issue 11): a KAA coordinator,
logged in through the municipality's identity provider, asks a 15-year-old's guardian for
consent; the guardian logs in through the e-ID broker as guardian (the real oidc-provider,
tests/oidc/provider.mjs), reads what the request is for and answers yes with the keyboard
alone; the coordinator then sees the consent as given by the guardian. axe-core finds no
WCAG 2.1 A/AA violation on any of the pages.

Own server, as in test_oidc_browser: the provider must know Lotsen's address, and Lotsen
the provider's issuer, before either serves."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lotsen.people.identity import make_identity_number
from tests.e2e.conftest import (
    LOTSEN,
    _free_port,
    assert_accessible,
    live_server,
    var_dir_ready,
)
from tests.oidc.server import GUARDIAN_NUMBER, provider_config, running_provider

SEED = """
import datetime as dt, json, os
from lotsen.accounts.models import IdentityProvider, Membership, Organisation, User
from lotsen.people.models import Guardian, Person

issuer = os.environ["LOTSEN_TEST_ISSUER"]
municipality = Organisation.objects.create(
    name="Exempelkommun", kind="municipality", municipality_code="0180")
coordinator = User.objects.create(
    username="maria", email="mentor@kommun.example", first_name="Maria", last_name="Mentorsson")
coordinator.set_unusable_password(); coordinator.save()
Membership.objects.create(user=coordinator, organisation=municipality, role="kaa_coordinator")
child = Person.objects.create(
    personal_identity_number=os.environ["LOTSEN_TEST_CHILD_NUMBER"],
    date_of_birth=dt.date.fromisoformat(os.environ["LOTSEN_TEST_CHILD_BORN"]),
    given_name="Nora", family_name="Lind", home_municipality_code="0180")
Guardian.objects.create(person=child, name="Sara Lind",
    personal_identity_number=os.environ["LOTSEN_TEST_GUARDIAN_NUMBER"])
common = dict(issuer=issuer, client_id="lotsen", client_secret=os.environ["LOTSEN_TEST_SECRET"])
IdentityProvider.objects.create(name="Kommunens inloggning", slug="kommun", kind="staff",
    organisation=municipality, user_claim="email", user_field="email", **common)
IdentityProvider.objects.create(name="BankID eller Freja", slug="eid", kind="e_id",
    scopes="openid https://id.oidc.se/scope/naturalPersonNumber",
    acr_values="http://id.elegnamnden.se/loa/1.0/loa3", **common)
print(json.dumps({"child": child.pk}))
"""

GUARDIAN_LOG = """
import json
from lotsen.people.models import GuardianAccount
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.models import AccessLogEntry
user = GuardianAccount.objects.get().user_id
rows = [[e.person_id, e.action, e.purpose, e.assurance_level, e.object_type]
        for e in AccessLogEntry.objects.filter(actor_user_id=user).order_by("id")]
print(json.dumps({"rows": rows, "verified": access_log_verify().ok}))
"""


def _lotsen(env, *args) -> str:
    done = subprocess.run([str(LOTSEN), *args], env=env, check=True, capture_output=True)
    return done.stdout.decode()


@pytest.fixture(scope="module")
def guardian_site(tmp_path_factory, chromium_path, collected_static):
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    today = dt.date.today()
    born = dt.date(today.year - 15, 1, 10)  # 15 this year, whatever the day
    with running_provider(provider_config([base_url], ["kommun", "eid"])) as provider:
        env = {
            **os.environ,
            "LOTSEN_VAR_DIR": str(tmp_path_factory.mktemp("lotsen-guardian-var")),
            "LOTSEN_TEST_ISSUER": provider.issuer,
            "LOTSEN_TEST_SECRET": provider.client_secret,
            "LOTSEN_TEST_CHILD_NUMBER": make_identity_number(born, 246),
            "LOTSEN_TEST_CHILD_BORN": born.isoformat(),
            "LOTSEN_TEST_GUARDIAN_NUMBER": GUARDIAN_NUMBER,
        }
        env.pop("DATABASE_URL", None)
        var_dir_ready(env, collected_static)
        ids = json.loads(_lotsen(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with live_server(env, port):
            yield {"base_url": base_url, "env": env, "ids": ids}


def _new_page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _login_at_provider(page, base_url: str, link: str, login: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("link", name=link).click()
    page.get_by_label("Användarnamn").fill(login)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: url.startswith(base_url) and "logga-in" not in url)


def test_guardian_answers_a_consent_request_and_the_coordinator_sees_it(browser, guardian_site):
    base_url, child = guardian_site["base_url"], guardian_site["ids"]["child"]

    # (a) The coordinator asks the guardian.
    staff_context, staff = _new_page(browser, base_url)
    try:
        _login_at_provider(staff, base_url, "Logga in med Kommunens inloggning", "mentor")
        staff.goto(reverse("web:person_detail", args=[child]))
        staff.get_by_role("link", name="Be vårdnadshavare om samtycke").click()
        expect(staff.get_by_role("heading", level=1)).to_have_text("Be vårdnadshavare om samtycke")
        assert_accessible(staff)
        staff.get_by_role("button", name="Skicka frågan").click()
        # Nothing chosen: each field says what is missing, and nothing is sent.
        expect(staff.get_by_text("Välj minst en organisation som ska få dela uppgifter.").first)
        assert_accessible(staff)
        staff.get_by_label("Exempelkommun").check()
        staff.get_by_label("Stöd och insatser").check()
        staff.get_by_label("Vad ska samtycket användas till?").fill(
            "Vi vill planera stödet i skolan tillsammans med dig."
        )
        staff.get_by_role("button", name="Skicka frågan").click()
        expect(staff.get_by_text("Frågan är skickad.")).to_be_visible()
        expect(staff.get_by_role("cell", name="Väntar på svar")).to_be_visible()

        # (b) The guardian logs in as guardian and answers with the keyboard alone.
        guardian_context, guardian = _new_page(browser, base_url)
        try:
            _login_at_provider(
                guardian,
                base_url,
                "Logga in som vårdnadshavare med BankID eller Freja",
                "vardnadshavare",
            )
            assert guardian.url.endswith(reverse("guardians:start"))
            expect(guardian.get_by_role("heading", level=1)).to_have_text("Vårdnadshavare")
            expect(guardian.get_by_role("heading", level=2)).to_have_text("Nora Lind")
            expect(guardian.get_by_text("Väntar på ditt svar")).to_be_visible()
            assert_accessible(guardian)
            answer_link = guardian.get_by_role("link", name="Läs mer och svara")
            _tab_to(guardian, answer_link)
            guardian.keyboard.press("Enter")
            expect(guardian.get_by_role("heading", level=1)).to_have_text(
                "Svara på frågan om samtycke"
            )
            expect(guardian.get_by_text("Stöd och hjälp som ditt barn får")).to_be_visible()
            expect(guardian.get_by_text("Vi vill planera stödet i skolan")).to_be_visible()
            assert_accessible(guardian)
            _tab_to(guardian, guardian.get_by_label("Ja, jag samtycker"))
            guardian.keyboard.press("Space")
            guardian.keyboard.press("Tab")
            expect(guardian.get_by_role("button", name="Skicka svaret")).to_be_focused()
            guardian.keyboard.press("Enter")
            expect(guardian.get_by_text("Tack! Du har sagt ja.")).to_be_visible()
            expect(guardian.get_by_text("Du sa ja")).to_be_visible()
            assert_accessible(guardian)
            # A guardian reaches nothing else: not even the child's person page.
            missing = guardian.goto(reverse("web:person_detail", args=[child]))
            assert missing.status == 404
        finally:
            guardian_context.close()

        # (c) The coordinator sees the consent, given by the guardian.
        staff.goto(reverse("web:person_detail", args=[child]))
        expect(staff.get_by_text("Lämnat av: Vårdnadshavare (Sara Lind)")).to_be_visible()
        assert_accessible(staff)
    finally:
        staff_context.close()

    log = json.loads(
        _lotsen(guardian_site["env"], "shell", "-c", GUARDIAN_LOG).strip().splitlines()[-1]
    )
    assert log["verified"]
    assert log["rows"], "the guardian's reads were not logged"
    assert {(row[0], row[2], row[3]) for row in log["rows"]} == {(child, "guardian", "loa3")}
    assert [child, "create", "guardian", "loa3", "consent"] in log["rows"]


def _tab_to(page, locator, limit: int = 60) -> None:
    """Press Tab until ``locator`` has the focus: reached by the keyboard, not clicked."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("The keyboard never reached the element.")
