"""Logging in through OpenID Connect in a real browser (issue 11): a mentor through the
municipality's identity provider, a young person through an e-ID broker. Both are the real
oidc-provider (tests/oidc/provider.mjs) on 127.0.0.1, in front of a real Lotsen server on
its own SQLite database; the access log then holds each login's level of assurance.

Own server, not the shared demo one: the provider must know Lotsen's address for its
redirect URIs, and Lotsen must know the provider's issuer, before either serves."""

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
from tests.oidc.server import YOUNG_PERSON_NUMBER, provider_config, running_provider

SEED = """
import datetime as dt, json, os
from django.utils import timezone
from lotsen.accounts.models import IdentityProvider, Membership, Organisation, User
from lotsen.people.models import Person
from lotsen.school.models import Enrolment

issuer = os.environ["LOTSEN_TEST_ISSUER"]
school = Organisation.objects.create(
    name="Ekskolan", kind="school_unit", school_unit_code="87654321")
mentor = User.objects.create(username="maria", email="mentor@kommun.example")
mentor.set_unusable_password(); mentor.save()
Membership.objects.create(user=mentor, organisation=school, role="mentor")
pupil = Person.objects.create(
    personal_identity_number=os.environ["LOTSEN_TEST_PUPIL_NUMBER"],
    date_of_birth=dt.date(2008, 1, 14),
    given_name="Sara", family_name="Ek", home_municipality_code="0180")
Enrolment.objects.create(person=pupil, school_unit=school, school_type="GR", school_year=9,
    start_date=timezone.localdate() - dt.timedelta(days=300))
young = Person.objects.create(
    personal_identity_number=os.environ["LOTSEN_TEST_NUMBER"],
    date_of_birth=dt.date(2007, 3, 14),
    given_name="Alva", family_name="Lind", home_municipality_code="0180")
common = dict(issuer=issuer, client_id="lotsen", client_secret=os.environ["LOTSEN_TEST_SECRET"])
IdentityProvider.objects.create(name="Kommunens inloggning", slug="kommun", kind="staff",
    organisation=school, user_claim="email", user_field="email", **common)
IdentityProvider.objects.create(name="BankID eller Freja", slug="eid", kind="e_id",
    scopes="openid https://id.oidc.se/scope/naturalPersonNumber",
    acr_values="http://id.elegnamnden.se/loa/1.0/loa3", **common)
print(json.dumps({"pupil": pupil.pk, "young": young.pk, "mentor": mentor.pk}))
"""

LEVELS = """
import json
from lotsen.accounts.models import User
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.models import AccessLogEntry
rows = {}
for entry in AccessLogEntry.objects.order_by("id"):
    user = User.objects.get(pk=entry.actor_user_id)
    key = "young" if user.person_id else user.username
    rows.setdefault(key, []).append([entry.person_id, entry.action, entry.assurance_level])
print(json.dumps({"rows": rows, "verified": access_log_verify().ok}))
"""


def _lotsen(env, *args) -> str:
    done = subprocess.run([str(LOTSEN), *args], env=env, check=True, capture_output=True)
    return done.stdout.decode()


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory, chromium_path, collected_static):
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    with running_provider(provider_config([base_url], ["kommun", "eid"])) as provider:
        env = {
            **os.environ,
            "LOTSEN_VAR_DIR": str(tmp_path_factory.mktemp("lotsen-oidc-var")),
            "LOTSEN_TEST_ISSUER": provider.issuer,
            "LOTSEN_TEST_SECRET": provider.client_secret,
            "LOTSEN_TEST_NUMBER": YOUNG_PERSON_NUMBER,
            "LOTSEN_TEST_PUPIL_NUMBER": make_identity_number(dt.date(2008, 1, 14), 123),
        }
        env.pop("DATABASE_URL", None)
        var_dir_ready(env, collected_static)
        ids = json.loads(_lotsen(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with live_server(env, port):
            yield {"base_url": base_url, "env": env, "ids": ids}


def _login_at_provider(page, base_url: str, button: str, login: str) -> None:
    page.goto("/konto/logga-in/")
    assert_accessible(page)
    page.get_by_role("link", name=button).click()
    # Now at the provider's own login page, on another origin.
    page.get_by_label("Användarnamn").fill(login)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: url.startswith(base_url) and "logga-in" not in url)


@pytest.fixture
def site_page(browser, oidc_site):
    context = browser.new_context(base_url=oidc_site["base_url"], locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_mentor_and_young_person_log_in_and_the_access_log_keeps_their_level(
    browser, oidc_site, site_page
):
    ids = oidc_site["ids"]

    # (a) The mentor, through the municipality's identity provider.
    _login_at_provider(
        site_page, oidc_site["base_url"], "Logga in med Kommunens inloggning", "mentor"
    )
    site_page.goto(reverse("web:person_detail", args=[ids["pupil"]]))
    expect(site_page.get_by_role("heading", level=1)).to_contain_text("Sara Ek")
    assert_accessible(site_page)

    # (b) The young person, through the e-ID broker, in a browser of their own.
    young_context = browser.new_context(base_url=oidc_site["base_url"], locale="sv-SE")
    young_page = young_context.new_page()
    young_page.set_default_timeout(10_000)
    try:
        _login_at_provider(
            young_page, oidc_site["base_url"], "Logga in med BankID eller Freja", "ung"
        )
        assert young_page.url.endswith(reverse("youth:start"))
        expect(young_page.get_by_role("heading", level=1)).to_have_text("Mina sidor")
        assert_accessible(young_page)
    finally:
        young_context.close()

    log = json.loads(_lotsen(oidc_site["env"], "shell", "-c", LEVELS).strip().splitlines()[-1])
    assert log["verified"]
    assert [ids["pupil"], "view", "loa3"] in log["rows"]["maria"]
    assert all(level == "loa3" for _, _, level in log["rows"]["maria"])
    young_rows = log["rows"]["young"]
    assert [ids["young"], "create", "loa3"] in young_rows  # the account linked
    assert [ids["young"], "view", "loa3"] in young_rows  # "Mina sidor" read
