"""The KAA coordinator works through the demo cohort in a real browser: the overview with
the status-unknown share, the list of those with status unknown, a person's register
page, a contact (first with the errors of an empty form) and a measure, then the
overview again with a smaller unknown share. Then the half-year report is checked and
downloaded, and a school's counsellor sends a notice that lands in the coordinator's
inbox. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

import datetime as dt
import re

from playwright.sync_api import expect

from lotsen.people.identity import make_identity_number
from tests.e2e.conftest import assert_accessible, login


def _unknown_share(page) -> float:
    text = page.locator("#okand-andel").inner_text()
    return float(text.replace("%", "").replace(",", ".").strip())


def _unknown_count(page) -> int:
    """The number of young people with status unknown, from "N av M unga ...": exact where
    the rounded share is not (other browser tests import thousands into the same demo)."""
    text = page.locator(".lotsen-panel__text").inner_text()
    return int(re.sub(r"\D", "", text.split(" av ")[0]))


def _tab_to(page, text: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"'{text}' is not reachable with Tab.")


def test_coordinator_reaches_a_young_person_and_the_unknown_share_falls(page):
    login(page, "kaa")
    page.goto("/aktivitetsansvar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommunala aktivitetsansvaret")
    before = _unknown_share(page)
    assert 0 < before <= 100
    unknown_before = _unknown_count(page)
    expect(page.locator("svg[role='img']").first).to_be_visible()
    expect(page.locator("caption", has_text="Vad kommunen vet")).to_be_visible()
    assert_accessible(page)

    # The list of those with status unknown, reached with the keyboard.
    page.locator("body").focus()
    _tab_to(page, "Visa de unga med okänd status")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Unga i aktivitetsansvaret")
    rows = page.locator("#kohort tbody tr")
    expect(rows.first).to_contain_text("Okänd status")
    assert_accessible(page)

    # A person's register page.
    link = rows.first.get_by_role("link")
    family, given = link.inner_text().split(", ")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    expect(page.locator("#status")).to_contain_text("Okänd status")
    assert_accessible(page)

    # A contact: the empty form first, with the error summary and messages at the fields.
    page.get_by_role("link", name="Registrera kontakt").click()
    assert_accessible(page)
    page.get_by_role("button", name="Spara kontakten").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Välj om du fick kontakt eller inte.")
    expect(page.locator("#id_kind-error")).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_kind_0"
    page.get_by_label("Kontakt med personen").check()
    page.get_by_label("Telefon").check()
    page.get_by_label("Ingen sysselsättning").check()
    page.get_by_role("button", name="Spara kontakten").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Kontakten är registrerad.")
    expect(page.locator("#status")).to_contain_text("Nådda")
    assert_accessible(page)

    # A measure with its documentation.
    page.get_by_role("link", name="Registrera åtgärd").click()
    page.get_by_label("Studie- och yrkesvägledning").check()
    page.get_by_label("Påbörjad", exact=True).check()
    # The server's today, as the form offers it: the measure starts the day it is offered.
    offered_on = page.get_by_label("Datum då åtgärden erbjöds").input_value()
    page.get_by_label("Startdatum").fill(offered_on)
    page.get_by_label("Mål med åtgärden").fill("Välja en utbildning till hösten.")
    page.get_by_label("Vad ansvarar kommunen för?").fill("Boka tid hos studie- och yrkesvägledare.")
    assert_accessible(page)
    page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Åtgärden är registrerad.")
    expect(page.locator("#status")).to_contain_text("I en åtgärd")
    expect(page.get_by_text("Välja en utbildning till hösten.")).to_be_visible()
    assert_accessible(page)

    page.goto("/aktivitetsansvar/")
    assert _unknown_count(page) == unknown_before - 1
    assert _unknown_share(page) <= before


def test_coordinator_checks_and_downloads_the_half_year_report(page):
    login(page, "kaa")
    page.goto("/aktivitetsansvar/rapport/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Halvårsrapport till SCB")
    assert_accessible(page)
    page.get_by_role("button", name="Kontrollera uppgifterna").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj vilket halvår")
    assert_accessible(page)
    page.locator("input[name='period']").first.check()
    page.get_by_role("button", name="Kontrollera uppgifterna").click()
    expect(page.locator("#kontroll-ok")).to_have_text("Inga fel. Filen kan tas fram.")
    assert_accessible(page)
    page.locator("input[name='period']").first.check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ned CSV").click()
    assert re.fullmatch(r"kaa-1999-\d{4}H[12]\.csv", download.value.suggested_filename)

    # The overview in English passes too.
    page.goto("/aktivitetsansvar/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Municipal activity responsibility (KAA)"
    )
    expect(page.locator("caption", has_text="What the municipality knows")).to_be_visible()
    assert_accessible(page)


def test_a_school_sends_a_notice_that_lands_in_the_inbox(page, browser, server):
    login(page, "syv")
    page.goto("/aktivitetsansvar/anmalan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmälan till elevens hemkommun")
    assert_accessible(page)
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj vad anmälan gäller.")
    assert_accessible(page)
    page.get_by_label("Betydande ogiltig frånvaro").check()
    page.get_by_label("Elevens personnummer").fill(make_identity_number(dt.date(2009, 4, 2), 123))
    page.get_by_label("Elevens hemkommun (kommunkod)").fill("1999")
    page.get_by_label("Program", exact=True).fill("EK")
    page.get_by_role("button", name="Skicka anmälan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmälan är skickad")
    receipt = page.locator("#kvittens").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{10}", receipt)
    assert_accessible(page)

    coordinator = browser.new_context(base_url=server, locale="sv-SE").new_page()
    login(coordinator, "kaa")
    coordinator.goto("/aktivitetsansvar/anmalningar/")
    expect(coordinator.locator("#anmalningar")).to_contain_text("Betydande ogiltig frånvaro")
    expect(coordinator.locator("#anmalningar")).to_contain_text("Exempelgymnasiet")
    assert_accessible(coordinator)
    coordinator.context.close()
