"""The finance pages through the test client: who reaches what, the forms with the error
summary and the message at the field, the upload, the downloads, and query counts that
do not grow with the number of sub-projects."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from lotsen.accounts.models import Role
from lotsen.finance import imports
from lotsen.finance.models import ActualCost, BudgetLine, FundingSource
from lotsen.programmes.models import SubProject
from tests.factories import MembershipFactory
from tests.finance.factories import SubProjectFactory

pytestmark = pytest.mark.django_db


def login(client, organisation, role=Role.PROJECT_LEADER):
    client.force_login(MembershipFactory(organisation=organisation, role=role).user)
    return client


@pytest.fixture
def filled(world):
    BudgetLine.objects.create(subproject=world.sp_a, category="staff", amount=D("400000"))
    BudgetLine.objects.create(subproject=world.sp_b, category="travel", amount=D("100000"))
    FundingSource.objects.create(subproject=world.sp_a, kind="fund", amount=D("280000"))
    FundingSource.objects.create(
        subproject=world.sp_a,
        kind="cofinancing_cash",
        amount=D("120000"),
        organisation=world.town_a,
    )
    ActualCost.objects.create(
        subproject=world.sp_a, date=dt.date(2022, 3, 1), category="staff", amount=D("100000")
    )
    return world


def test_the_programme_page_for_the_programme_lead(client, filled):
    login(client, filled.region)
    page = client.get(reverse("finance:programme", args=[filled.programme.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Vägen vidare" in text
    assert reverse("finance:subproject", args=[filled.sp_a.pk]) in text
    assert reverse("finance:subproject", args=[filled.sp_b.pk]) in text
    # Totals: budget 500 000, actual 100 000 → 20 %; co-financing 120 000 of 400 000 → 30 %.
    assert 'id="programbudget-budget">500\u00a0000 kr' in text
    assert 'id="programbudget-burn">20 %' in text
    assert 'id="programbudget-cofinancing-share">30 %' in text
    assert "<svg" in text and '<title id="programbudget-chart-title">' in text
    assert 'id="programbudget-monthly"' in text
    assert reverse("finance:programme_export", args=[filled.programme.pk, "xlsx"]) in text


def test_the_list_leads_straight_to_the_only_programme(client, filled):
    login(client, filled.town_a)
    page = client.get(reverse("finance:programme_list"))
    assert page.status_code == 302
    assert page.url == reverse("finance:programme", args=[filled.programme.pk])


def test_a_subproject_lead_sees_only_its_subproject_on_the_programme_page(client, filled):
    login(client, filled.town_a)
    page = client.get(reverse("finance:programme", args=[filled.programme.pk]))
    assert page.status_code == 200
    assert "Aby unga" in page.text and "Bby studier" not in page.text
    assert "inte hela programmet" in page.text


@pytest.mark.parametrize(
    "name",
    [
        "finance:programme",
        "finance:subproject",
        "finance:budget_line_create",
        "finance:costs_upload",
    ],
)
def test_an_unrelated_project_leader_gets_404(client, filled, name):
    login(client, filled.stranger)
    target = filled.programme.pk if name == "finance:programme" else filled.sp_a.pk
    assert client.get(reverse(name, args=[target])).status_code == 404


def test_an_unrelated_project_leader_cannot_download_or_change_rows(client, filled):
    login(client, filled.stranger)
    assert (
        client.get(
            reverse("finance:programme_export", args=[filled.programme.pk, "xlsx"])
        ).status_code
        == 404
    )
    line = BudgetLine.objects.first()
    assert client.post(reverse("finance:budget_line_delete", args=[line.pk])).status_code == 404
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_a_subproject_lead_cannot_open_another_subproject(client, filled):
    login(client, filled.town_a)
    assert client.get(reverse("finance:subproject", args=[filled.sp_b.pk])).status_code == 404


def test_evaluators_read_only(client, filled):
    login(client, filled.region, role=Role.EVALUATOR)
    page = client.get(reverse("finance:subproject", args=[filled.sp_a.pk]))
    assert page.status_code == 200
    assert "Du kan läsa men inte ändra" in page.text
    assert reverse("finance:budget_line_create", args=[filled.sp_a.pk]) not in page.text
    url = reverse("finance:budget_line_create", args=[filled.sp_a.pk])
    assert client.post(url, {"category": "staff", "amount": "5"}).status_code == 403
    assert BudgetLine.objects.count() == 2


def test_the_subproject_page(client, filled):
    login(client, filled.town_a)
    page = client.get(reverse("finance:subproject", args=[filled.sp_a.pk]))
    assert page.status_code == 200
    text = page.text
    assert 'id="delprojektbudget-budget">400\u00a0000 kr' in text
    assert 'id="delprojektbudget-burn">25 %' in text
    assert 'id="budgetrader"' in text and 'id="finansieringskallor"' in text
    assert 'id="kostnader"' in text
    assert reverse("finance:costs_upload", args=[filled.sp_a.pk]) in text


def test_adding_a_budget_line_with_errors_then_right(client, filled):
    login(client, filled.town_a)
    url = reverse("finance:budget_line_create", args=[filled.sp_a.pk])
    bad = client.post(url, {"category": "staff", "amount": "-5", "year": "2030"})
    assert bad.status_code == 200
    assert "govuk-error-summary" in bad.text
    assert 'href="#id_amount">Belopp: Beloppet kan inte vara negativt.' in bad.text
    assert 'id="id_amount-error"' in bad.text
    assert BudgetLine.objects.count() == 2
    bad_year = client.post(url, {"category": "staff", "amount": "5", "year": "2030"})
    assert "Året ska ligga inom delprojektets period (2022–2024)." in bad_year.text
    good = client.post(url, {"category": "travel", "amount": "12 500,50", "year": "2023"})
    assert good.status_code == 302
    assert good.url == reverse("finance:subproject", args=[filled.sp_a.pk]) + "#budget"
    line = BudgetLine.objects.get(category="travel", subproject=filled.sp_a)
    assert line.amount == D("12500.50") and line.year == 2023


def test_editing_and_removing_a_budget_line(client, filled):
    login(client, filled.town_a)
    line = BudgetLine.objects.get(subproject=filled.sp_a)
    form = client.get(reverse("finance:budget_line_edit", args=[line.pk]))
    assert 'value="400000,00"' in form.text
    client.post(
        reverse("finance:budget_line_edit", args=[line.pk]), {"category": "staff", "amount": "1"}
    )
    line.refresh_from_db()
    assert line.amount == D("1")
    client.post(reverse("finance:budget_line_delete", args=[line.pk]))
    assert not BudgetLine.objects.filter(pk=line.pk).exists()


def test_adding_staff_time_through_the_form(client, filled):
    login(client, filled.partner)
    url = reverse("finance:funding_source_create", args=[filled.sp_b.pk])
    page = client.get(url)
    assert "Folkhögskolan" in page.text and "Bby kommun" in page.text
    bad = client.post(url, {"kind": "cofinancing_staff_time", "hours": "100"})
    assert "Ange timkostnaden för personalinsatsen." in bad.text
    assert "Ange vilken organisation som medfinansierar." in bad.text
    good = client.post(
        url,
        {
            "kind": "cofinancing_staff_time",
            "hours": "100,5",
            "hourly_rate": "400",
            "organisation": filled.partner.pk,
        },
    )
    assert good.status_code == 302
    source = FundingSource.objects.get(subproject=filled.sp_b)
    assert source.amount == D("40200.00") and source.organisation == filled.partner


def test_recording_a_cost_through_the_form(client, filled):
    login(client, filled.town_a)
    url = reverse("finance:actual_cost_create", args=[filled.sp_a.pk])
    bad = client.post(url, {"date": "2021-05-01", "category": "travel", "amount": "100"})
    assert "Datumet ska ligga inom delprojektets period (2022-01-01–2024-06-30)." in bad.text
    good = client.post(url, {"date": "2023-05-01", "category": "travel", "amount": "100"})
    assert good.status_code == 302
    assert ActualCost.objects.filter(subproject=filled.sp_a, category="travel").exists()


def test_uploading_costs(client, filled):
    login(client, filled.town_a)
    url = reverse("finance:costs_upload", args=[filled.sp_a.pk])
    bad_file = "subproject,date,category,amount,description,reference\n,2022-02-01,fika,1,,A\n"
    bad = client.post(url, {"file": SimpleUploadedFile("k.csv", bad_file.encode())})
    assert bad.status_code == 200
    assert 'id="importfel"' in bad.text and "Okänt kostnadsslag" in bad.text
    assert "Inget är importerat." in bad.text
    assert ActualCost.objects.count() == 1
    good_file = (
        "subproject,date,category,amount,description,reference\n"
        ",2022-02-01,travel,1000,,A\nAby unga,2022-02-02,staff,2000,,B\n"
    )
    for _ in range(2):
        good = client.post(url, {"file": SimpleUploadedFile("k.csv", good_file.encode())})
        assert good.status_code == 302
    assert ActualCost.objects.filter(source="imported").count() == 2
    wrong = client.post(
        url,
        {
            "file": SimpleUploadedFile(
                "k.csv",
                b"subproject,date,category,amount,description,reference\n"
                b"Bby studier,2022-08-01,travel,1,,C\n",
            )
        },
    )
    assert (
        imports.ERROR_SUBPROJECT_NOT_YOURS.format(name="Bby studier").replace("'", "&#x27;")
        in wrong.text
    )


def test_downloads(client, filled):
    login(client, filled.region)
    xlsx = client.get(reverse("finance:programme_export", args=[filled.programme.pk, "xlsx"]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith('attachment; filename="budget-vagen-vidare-')
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["Delprojekt"]["A4"].value == "Aby unga"
    assert book["Delprojekt"]["C6"].value == 500_000
    csv_file = client.get(reverse("finance:programme_export", args=[filled.programme.pk, "csv"]))
    assert csv_file.content.decode().splitlines()[1].startswith("Aby unga,Aby kommun,400000")
    sub = client.get(reverse("finance:subproject_export", args=[filled.sp_a.pk, "xlsx"]))
    assert load_workbook(io.BytesIO(sub.content)).active["B4"].value == 400_000
    assert (
        client.get(reverse("finance:programme_export", args=[filled.programme.pk, "pdf"]))
    ).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_programme_page_does_not_grow_with_subprojects(client, filled):
    login(client, filled.region)
    url = reverse("finance:programme", args=[filled.programme.pk])
    # The first request after the login renews the session (at most once a minute), so
    # it makes the session's queries on top of the page's; count from the second.
    _queries(client, url)
    few = _queries(client, url)
    for _ in range(8):
        sub = SubProjectFactory(programme=filled.programme, lead_organisation=filled.town_b)
        BudgetLine.objects.create(subproject=sub, category="staff", amount=D("1"))
    assert _queries(client, url) == few


def test_a_subproject_named_like_a_formula_stays_text(client, filled):
    """Issue 10: a sub-project named "=1+1" became a formula cell and a sheet title."""
    SubProject.objects.filter(pk=filled.sp_a.pk).update(name="=1+1")
    # Overspent: the remaining amount is negative, and stays a number.
    ActualCost.objects.create(
        subproject=filled.sp_b, date=dt.date(2022, 3, 1), category="travel", amount=D("150000")
    )
    login(client, filled.region)
    xlsx = client.get(reverse("finance:programme_export", args=[filled.programme.pk, "xlsx"]))
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Delprojekt", "Kostnadsslag", "1+1", "Bby studier"]
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    overview = book["Delprojekt"]
    assert overview["A4"].value == "'=1+1" and overview["A4"].data_type == "s"
    assert overview["C4"].value == 400_000 and overview["C4"].data_type == "n"
    assert overview["E5"].value == -50_000 and overview["E5"].data_type == "n"
    assert book["1+1"]["A1"].value == "'=1+1: budget och utfall per kostnadsslag"

    text = client.get(
        reverse("finance:programme_export", args=[filled.programme.pk, "csv"])
    ).content.decode()
    assert text.splitlines()[1].startswith("'=1+1,Aby kommun,400000")
    assert text.splitlines()[2].startswith("Bby studier,Bby kommun,100000,150000,-50000,")
    # Exports carry personal data elsewhere; no cache keeps any of them.
    assert "no-store" in xlsx["Cache-Control"]
