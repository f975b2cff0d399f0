"""The project leader follows up the demo programme's money in a real browser: the
programme's finance page (budget panel, burn chart, table of sub-projects), the XLSX
download, one sub-project, adding a budget line (first empty, with errors), and a cost
upload with a bad file. The evaluator reads the same sub-project without forms. axe-core
finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

PROGRAMME = "Vägar vidare – unga i studier och arbete"


def _open_programme(page) -> None:
    page.goto("/ekonomi/")
    if "/ekonomi/program/" not in page.url:
        assert_accessible(page)
        page.get_by_role("link", name=PROGRAMME).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget, utfall och medfinansiering")
    expect(page.locator(".govuk-caption-l")).to_have_text(PROGRAMME)


def test_project_leader_follows_budget_and_costs(page, tmp_path):
    login(page, "projektledare")
    _open_programme(page)
    expect(page.locator("#programbudget-budget")).to_have_text("90\u00a0000\u00a0000 kr")
    expect(page.locator("#programbudget-cofinancing-share")).to_have_text("30 %")
    expect(page.locator("svg[role='img']").first).to_be_visible()
    assert page.locator("#delprojekt-tabell tbody tr").count() == 31  # 30 and the totals
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Budget och utfall som Excel-fil (XLSX)").click()
    path = tmp_path / "budget.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(io.BytesIO(path.read_bytes()))["Delprojekt"]
    assert sheet["A3"].value == "Delprojekt" and sheet["C3"].value == "Budget (kr)"
    assert sheet["A34"].value == "Totalt" and sheet["C34"].value == 90_000_000

    page.locator("#delprojekt-tabell tbody tr").first.get_by_role("link").click()
    expect(page.locator("#budgetrader")).to_be_visible()
    page.get_by_text("Visa förbrukningen månad för månad som tabell").click()
    expect(page.locator("#delprojektbudget-monthly")).to_be_visible()
    assert_accessible(page)
    subproject_url = page.url

    page.get_by_role("link", name="Lägg till budgetrad").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lägg till budgetrad")
    assert_accessible(page)
    page.get_by_role("button", name="Spara budgetraden").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj kostnadsslag.")
    assert_accessible(page)
    page.get_by_label("Resor").check()
    page.get_by_label("Belopp").fill("12 000")
    page.get_by_role("button", name="Spara budgetraden").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Budgetraden är sparad."
    )
    expect(page.locator("#budgetrader")).to_contain_text("12\u00a0000")

    page.goto(subproject_url)
    page.get_by_role("link", name="Importera kostnader från CSV-fil").click()
    assert_accessible(page)
    bad = tmp_path / "kostnader.csv"
    bad.write_text("subproject,date,category,amount,description,reference\n,2023-02-01,fika,1,,X\n")
    page.get_by_label("CSV-fil med kostnader").set_input_files(str(bad))
    page.get_by_role("button", name="Importera").click()
    expect(page.locator("#importfel")).to_contain_text("Okänt kostnadsslag")
    assert_accessible(page)


def test_the_evaluator_reads_without_forms(page):
    login(page, "utvarderare")
    _open_programme(page)
    page.locator("#delprojekt-tabell tbody tr").first.get_by_role("link").click()
    expect(page.locator(".govuk-inset-text").first).to_contain_text("Du kan läsa men inte ändra")
    expect(page.get_by_role("link", name="Lägg till budgetrad")).to_have_count(0)
    assert_accessible(page)
