"""A professional registers for an event on its public page, without logging in and with
the keyboard alone: a mistake first (the error summary's link takes focus to the field),
then the confirmation. axe-core finds no WCAG 2.1 A/AA violation on any page visited.

The event is the demo's on-site network meeting (``events_demo_seed``). Until the demo
wires the seed in, ``event_slug`` runs it against the test server's database itself; once
wired, running it again changes nothing.
"""

from __future__ import annotations

import os
import subprocess

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, LOTSEN, assert_accessible

SEED = """
import datetime as dt
from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.demo.events import NETWORK_MEETING, events_demo_seed
from lotsen.events.models import Event
from lotsen.programmes.models import Programme
programme = Programme.objects.order_by("pk").first()
if programme is None:
    region, _ = Organisation.objects.get_or_create(
        name="Region Exempel", kind=OrganisationKind.REGION
    )
    year = dt.timedelta(days=365)
    programme = Programme.objects.create(
        name="Unga i skola och arbete", framework="esfplus", lead_organisation=region,
        start=dt.date.today() - year, end=dt.date.today() + year,
    )
events_demo_seed(programme)
print(Event.objects.get(programme=programme, title=NETWORK_MEETING).slug)
"""


@pytest.fixture(scope="module")
def event_slug(server, tmp_path_factory):
    # The server fixture keeps its database in a "lotsen-var" directory of this session.
    var_dirs = sorted(tmp_path_factory.getbasetemp().glob("lotsen-var*"))
    assert var_dirs, "The e2e server's data directory was not found."
    env = {**os.environ, "LOTSEN_VAR_DIR": str(var_dirs[0]), "LOTSEN_DEMO_PASSWORD": DEMO_PASSWORD}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(LOTSEN), "shell", "-c", SEED], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1]


def _tab_to(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable with Tab.")


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_a_professional_registers_with_the_keyboard(page, event_slug):
    page.goto(f"/evenemang/{event_slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nätverksträff: samverkan kring unga som avbryter gymnasiet"
    )
    expect(page.get_by_role("heading", name="Anmäl dig")).to_be_visible()
    # Registrations are staff data: the public page names no one.
    expect(page.locator("body")).not_to_contain_text("@exempel.se")
    assert_accessible(page)

    # Fill in the form with the keyboard, with a mistake in the e-mail address.
    page.locator("body").focus()
    _tab_to(page, "id_name")
    page.keyboard.type("Karin Ek")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_email"
    page.keyboard.type("karin.ek-kommun.se")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_organisation_name"
    page.keyboard.type("Exempelkommun")
    page.keyboard.press("Tab")
    assert _focused_id(page) == "id_role"
    page.keyboard.type("Kurator")
    page.keyboard.press("Enter")

    # The error summary takes focus; its link moves focus to the field.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title(
        "Fel: Nätverksträff: samverkan kring unga som avbryter gymnasiet – Lotsen"
    )
    expect(page.locator("#id_email-error")).to_contain_text("Skriv e-postadressen i rätt format")
    assert_accessible(page)
    page.keyboard.press("Tab")
    link = page.evaluate("document.activeElement.textContent.trim()")
    assert link.startswith("E-postadress:")
    page.keyboard.press("Enter")
    expect(page.locator("#id_email")).to_be_focused()

    # Correct the address and send.
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("karin.ek@exempelkommun.se")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är anmäld")
    expect(page.locator("main")).to_contain_text("karin.ek@exempelkommun.se")
    assert page.url.endswith(f"/evenemang/{event_slug}/anmald/")
    assert_accessible(page)

    # The same address cannot register twice.
    page.goto(f"/evenemang/{event_slug}/")
    page.locator("#id_name").fill("Karin Ek")
    page.locator("#id_email").fill("karin.ek@exempelkommun.se")
    page.locator("#id_organisation_name").fill("Exempelkommun")
    page.locator("#id_role").fill("Kurator")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.locator("#id_email-error")).to_contain_text("redan anmäld")
    assert_accessible(page)
