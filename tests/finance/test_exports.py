"""The XLSX and CSV exports open and hold the expected cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from lotsen.finance import exports
from lotsen.finance.models import ActualCost, BudgetLine, FundingSource
from lotsen.finance.selectors import budget_rows, budget_summaries_by_subproject, budget_summary
from tests.finance.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(world):
    a, b = world.sp_a, world.sp_b
    BudgetLine.objects.create(subproject=a, category="staff", amount=D("600000"))
    BudgetLine.objects.create(subproject=a, category="travel", amount=D("400000"))
    BudgetLine.objects.create(subproject=b, category="premises", amount=D("250000"))
    FundingSource.objects.create(subproject=a, kind="fund", amount=D("700000"))
    FundingSource.objects.create(
        subproject=a,
        kind="cofinancing_staff_time",
        hours=D("600"),
        hourly_rate=D("500"),
        amount=D("300000"),
        organisation=world.town_a,
    )
    FundingSource.objects.create(subproject=b, kind="fund", amount=D("200000"))
    FundingSource.objects.create(
        subproject=b, kind="cofinancing_cash", amount=D("50000"), organisation=world.town_b
    )
    ActualCost.objects.create(
        subproject=a, date=dt.date(2022, 5, 1), category="staff", amount=D("150000")
    )
    ActualCost.objects.create(
        subproject=b, date=dt.date(2022, 9, 1), category="premises", amount=D("125000")
    )
    subprojects = [a, b]
    return {
        "summary": budget_summary(subprojects=subprojects, today=TODAY),
        "rows": budget_rows(subprojects=subprojects),
        "summaries": budget_summaries_by_subproject(subprojects=subprojects),
    }


def test_programme_workbook(filled):
    content = exports.programme_xlsx(title="Vägen vidare", **filled)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Delprojekt", "Kostnadsslag", "Aby unga", "Bby studier"]
    sheet = book["Delprojekt"]
    assert sheet["A1"].value == "Vägen vidare: budget och utfall per delprojekt"
    assert [c.value for c in sheet[3]] == exports.SUBPROJECT_HEADERS
    assert [c.value for c in sheet[4]][:6] == [
        "Aby unga",
        "Aby kommun",
        1_000_000,
        150_000,
        850_000,
        0.15,
    ]
    assert sheet["I4"].value == 300_000 and sheet["J4"].value == 600
    assert sheet["L4"].value == pytest.approx(0.3)
    assert sheet["A5"].value == "Bby studier" and sheet["F5"].value == 0.5
    assert sheet["L5"].value == pytest.approx(0.2)
    # Totals: 1 250 000 budget, 275 000 actual, 300 000 + 50 000 of 1 250 000 co-financing.
    assert [sheet["A6"].value, sheet["C6"].value, sheet["D6"].value] == [
        "Totalt",
        1_250_000,
        275_000,
    ]
    assert sheet["K6"].value == 1_250_000
    assert sheet["L6"].value == pytest.approx(350_000 / 1_250_000)
    assert sheet["C4"].number_format == exports.SEK_FORMAT
    assert sheet["F4"].number_format == exports.PERCENT_FORMAT
    assert sheet["A6"].font.bold

    categories = book["Kostnadsslag"]
    rows = {r[0]: r[1:] for r in categories.iter_rows(min_row=4, max_row=9, values_only=True)}
    assert rows["Personal"][:2] == (600_000, 150_000)
    assert rows["Lokaler"] == (250_000, 125_000, 125_000, 0.5)
    assert rows["Köpta tjänster"][:2] == (0, 0) and rows["Köpta tjänster"][3] is None
    assert rows["Totalt"][:2] == (1_250_000, 275_000)
    funding = {r[0]: r[1:] for r in categories.iter_rows(min_row=13, max_row=16, values_only=True)}
    assert funding["Stöd från fonden"][0] == 900_000
    assert funding["Medfinansiering i form av personalinsats"][:2] == (300_000, 600)
    assert funding["Totalt"][0] == 1_250_000
    assert categories["A11"].value == "Finansiering"
    assert categories["B13"].number_format == exports.SEK_FORMAT

    own = book["Bby studier"]
    assert own["A1"].value == "Bby studier: budget och utfall per kostnadsslag"
    assert own["A9"].value == "Totalt" and own["B9"].value == 250_000


def test_subproject_workbook(filled, world):
    summary = budget_summary(subprojects=[world.sp_a], today=TODAY)
    book = load_workbook(io.BytesIO(exports.subproject_xlsx(name="Aby unga", summary=summary)))
    assert book.sheetnames == ["Kostnadsslag"]
    sheet = book.active
    assert sheet["A4"].value == "Personal" and sheet["B4"].value == 600_000
    assert sheet["E4"].value == 0.25


def test_programme_csv(filled):
    rows = list(
        csv.reader(
            io.StringIO(exports.programme_csv(summary=filled["summary"], rows=filled["rows"]))
        )
    )
    assert rows[0] == exports.SUBPROJECT_HEADERS
    assert rows[1][:6] == ["Aby unga", "Aby kommun", "1000000", "150000", "850000", "0.15"]
    assert rows[-1][0] == "Totalt" and rows[-1][2] == "1250000" and rows[-1][11] == "0.28"
