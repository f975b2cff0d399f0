"""``lotsen finance``: import-costs and export (budgets from ``lotsen demo-seed finance``)."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from lotsen.finance.models import ActualCost, BudgetLine

pytestmark = pytest.mark.django_db

GOOD = (
    "subproject,date,category,amount,description,reference\n"
    "Aby unga,2022-02-28,staff,1000,,V1\n"
    "Bby studier,2022-08-01,travel,250.25,,V2\n"
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("finance", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_costs_twice(world, tmp_path):
    path = tmp_path / "kostnader.csv"
    path.write_text(GOOD, encoding="utf-8")
    out, _err = run("import-costs", "--programme", "Vägen vidare", str(path))
    assert out.strip() == "2 nya, 0 ändrade, 0 oförändrade kostnader i 2 delprojekt."
    out, _err = run("import-costs", "--programme", "Vägen vidare", str(path))
    assert out.strip() == "0 nya, 0 ändrade, 2 oförändrade kostnader i 2 delprojekt."
    assert ActualCost.objects.count() == 2


def test_import_costs_reports_every_line_and_writes_nothing(world, tmp_path):
    path = tmp_path / "fel.csv"
    path.write_text(GOOD + "Aby unga,2022-02-30,staff,1,,V3\nAby unga,2022-03-01,staff,x,,V4\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 fel i filen; ingenting är importerat."):
        call_command(
            "finance", "import-costs", "--programme", "Vägen vidare", str(path), stderr=err
        )
    lines = err.getvalue().splitlines()
    assert lines[0] == "fel.csv: rad 4, kolumn date: Datumet ska skrivas ÅÅÅÅ-MM-DD."
    assert lines[1].startswith("fel.csv: rad 5, kolumn amount: Ogiltigt belopp 'x'")
    assert not ActualCost.objects.exists()


def test_unknown_programme_and_missing_file(world, tmp_path):
    with pytest.raises(CommandError, match="det finns inget program som heter 'Okänt'"):
        run("import-costs", "--programme", "Okänt", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="kan inte läsa filen"):
        run("import-costs", "--programme", "Vägen vidare", str(tmp_path / "saknas.csv"))


def test_export_and_demo_seed(world, tmp_path):
    out = io.StringIO()
    call_command("demo-seed", "finance", "--programme", "Vägen vidare", stdout=out)
    out = out.getvalue()
    assert "10 budgetrader" in out  # 2 sub-projects × 5 cost categories
    assert sum(BudgetLine.objects.values_list("amount", flat=True)) == D("90000000")
    target = tmp_path / "budget.xlsx"
    run("export", "--programme", "Vägen vidare", "--output", str(target))
    sheet = load_workbook(target)["Delprojekt"]
    assert sheet["A6"].value == "Totalt" and sheet["C6"].value == 90_000_000
    csv_target = tmp_path / "budget.csv"
    run("export", "--programme", "Vägen vidare", "--format", "csv", "--output", str(csv_target))
    assert csv_target.read_text(encoding="utf-8").splitlines()[-1].startswith("Totalt,,90000000")
