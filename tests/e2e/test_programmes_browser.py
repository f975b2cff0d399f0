"""The project leader follows up the demo programme in a real browser: the programme list,
the programme with its dashboard, one region chosen with the keyboard, a sub-project in
that region, its participants and a participant's exit form (first empty, with errors),
then the indicator report and its XLSX export, which openpyxl opens with the expected
header cells. The evaluator sees the same programme with small numbers hidden and no
participants. Neither has a person page, a person search or the persons API. axe-core
finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

PROGRAMME = "Vägar vidare – unga i studier och arbete"
REGION = "Region Norrmark"


def _tab_to(page, text: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"'{text}' is not reachable with Tab.")


def test_project_leader_filters_a_region_opens_a_subproject_and_exports(page):
    login(page, "projektledare")
    page.goto("/program/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Program")
    assert_accessible(page)

    # Open the programme with the keyboard.
    page.locator("body").focus()
    _tab_to(page, PROGRAMME)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAMME)
    all_rows = page.locator("#delprojekt tbody tr").count()
    assert all_rows == 30
    expect(page.locator("svg[role='img']").first).to_be_visible()
    expect(page.locator("#regioner")).to_contain_text(REGION)
    expect(page.locator("#budget-heading")).to_be_visible()
    assert_accessible(page)

    # Filter to one region: the select and the button, keyboard only.
    page.get_by_label("Visa en region").focus()
    page.get_by_label("Visa en region").select_option(label=REGION)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=*")
    expect(page.locator(".govuk-caption-l")).to_have_text(REGION)
    region_rows = page.locator("#delprojekt tbody tr")
    assert 0 < region_rows.count() < all_rows
    assert_accessible(page)

    # A sub-project in the region.
    link = region_rows.first.get_by_role("link")
    name = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    subproject_url = page.url
    expect(page.locator("#avslut-efter-kon")).to_be_visible()
    assert_accessible(page)

    # Its participants, and an exit form sent empty: the error summary and field errors.
    page.get_by_role("link", name="Deltagare och uppgifter som saknas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deltagare")
    assert page.locator("#deltagare tbody tr").count() > 0
    # The participant record: name, gender and age band at entry, never a person page.
    expect(page.locator("#deltagare thead")).to_contain_text("Ålder vid start")
    assert page.locator("a[href*='/personer/']").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Registrera en ny deltagare").click()
    page.get_by_role("button", name="Spara deltagaren").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto(subproject_url)

    # The sub-project's indicator report and its XLSX export.
    page.get_by_role("link", name="ESF-indikatorer för delprojektet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ESF-indikatorer")
    expect(page.locator("#indikator-total_participants")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.locator("#ladda-ned-xlsx").click()
    path = download_info.value.path()
    book = load_workbook(io.BytesIO(path.read_bytes()))
    sheet = book["Indikatorer"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Indikator", "Beskrivning", "Kvinnor", "Män", "Icke-binära", "Totalt"]
    assert sheet["A2"].value == "total_participants"
    shown_total = page.locator("#indikator-total_participants td").nth(3).inner_text()
    assert str(sheet["F2"].value) == shown_total
    assert book["Om rapporten"]["B2"].value == name


def test_evaluator_sees_suppressed_numbers_and_no_participants(page):
    login(page, "utvarderare")
    page.goto("/program/")
    page.get_by_role("link", name=PROGRAMME).click()
    expect(page.locator("#undertryckta")).to_be_visible()
    expect(page.get_by_role("link", name="Deltagare och uppgifter som saknas")).to_have_count(0)
    assert_accessible(page)
    page.locator("#delprojekt tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("link", name="Deltagare och uppgifter som saknas")).to_have_count(0)
    assert "färre än 5" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name="ESF-indikatorer för delprojektet").click()
    expect(page.locator("#undertryckta")).to_be_visible()
    assert_accessible(page)


def test_project_leader_and_evaluator_have_no_person_door(page):
    for username in ("projektledare", "utvarderare"):
        login(page, username)
        expect(page.locator("#navigation")).not_to_contain_text("Sök person")
        for url in ("/personer/", "/personer/1/", "/personer/1/samtycken/nytt/"):
            assert page.goto(url).status == 404, (username, url)
        assert page.goto("/api/v1/persons/").status == 403
        assert page.goto("/api/v1/persons/1/").status == 404
        page.context.clear_cookies()
