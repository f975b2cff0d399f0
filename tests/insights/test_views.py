"""The methods pages and their downloads: the descriptive statement, the catalogue, and
suppression on every export whoever downloads it."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lotsen.demo.insights import METHODS, methods_demo_seed
from lotsen.support.models import Method
from tests.factories import PersonFactory, UserFactory
from tests.insights.conftest import participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(programme, methods):
    sub = programme.subprojects.get()
    mi = methods["Motiverande samtal"]
    for _n in range(8):
        participant(sub, methods=[mi], exit_status="employed")
    for _n in range(2):
        participant(sub, methods=[mi], exit_status="job_searching")
    participant(sub, methods=[methods["Arbetsträning"]], exit_status="employed")
    return methods


def test_the_page_lists_the_catalogue_with_figures_and_the_statement(client, leader, data):
    client.force_login(leader.user)
    page = client.get(reverse("insights:methods"))
    assert page.status_code == 200
    assert "Beskrivande, inte orsakande." in page.text
    assert "Motiverande samtal" in page.text and "Navigator-coachning" in page.text
    assert "80 %" in page.text and "8 av 10" in page.text and "49–94 %" in page.text
    url = reverse("insights:method_detail", args=[data["Motiverande samtal"].pk])
    detail = client.get(url)
    assert "Om Motiverande samtal" in detail.text and "8 av 10" in detail.text


def test_an_evaluator_sees_small_cells_hidden(client, evaluator, data):
    client.force_login(evaluator.user)
    page = client.get(reverse("insights:methods"))
    assert ".. av 10" in page.text and "80 %" not in page.text
    assert "&lt;5" in page.text


@pytest.mark.parametrize("who", ["leader", "evaluator"])
def test_every_export_is_suppressed(client, who, request, data):
    client.force_login(request.getfixturevalue(who).user)
    response = client.get(reverse("insights:methods_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    body = {r[0]: r for r in rows[1:]}
    assert body["Motiverande samtal"][1:5] == ["10", "10", "..", ""]
    assert body["Arbetsträning"][1:5] == ["<5", "<5", "<5", ""]
    for row in rows[1:]:
        for count in (row[1], row[2], row[3], row[7], row[8], row[12]):
            assert count in {"0", "<5", ".."} or int(count) >= 5
    book = load_workbook(io.BytesIO(client.get(reverse("insights:methods_xlsx")).content))
    assert book.sheetnames == ["Om filen", "Metoder"]
    assert "inte vad metoden orsakade" in book["Om filen"]["B4"].value
    sheet = {r[0]: r for r in book["Metoder"].iter_rows(min_row=2, values_only=True)}
    assert sheet["Motiverande samtal"][1:5] == (10, 10, "..", None)
    assert sheet["Arbetsträning"][1:4] == ("<5", "<5", "<5")


@pytest.mark.parametrize(
    "role", ["mentor", "student_health", "counsellor", "case_worker", "kaa_coordinator"]
)
def test_every_staff_role_reads_the_catalogue_without_figures(
    client, make_actor, region, data, role
):
    """Issue 13: a mentor got 404 on the methods catalogue. Staff outside the programmes
    read the catalogue (what interventions are chosen from), never the outcome figures."""
    client.force_login(make_actor(organisation=region, role=role).user)
    page = client.get(reverse("insights:methods"))
    assert page.status_code == 200
    assert "Motiverande samtal" in page.text and "Arbetsträning" in page.text
    assert "8 av 10" not in page.text and "deltagare" not in page.text
    method = data["Motiverande samtal"]
    detail = client.get(reverse("insights:method_detail", args=[method.pk]))
    assert detail.status_code == 200
    assert method.evidence_note.split("\n")[0] in detail.text
    assert "Hur det gick för deltagarna" not in detail.text
    # The figures, also in the downloads, stay with the programmes.
    for name in ("insights:methods_csv", "insights:methods_xlsx"):
        assert client.get(reverse(name)).status_code == 404


def test_a_young_person_gets_404(client, data):
    client.force_login(UserFactory(person=PersonFactory()))
    method = data["Motiverande samtal"]
    for url in (reverse("insights:methods"), reverse("insights:method_detail", args=[method.pk])):
        assert client.get(url).status_code == 404


def test_methods_demo_seed_is_idempotent():
    assert methods_demo_seed() == len(METHODS)
    assert methods_demo_seed() == 0
    assert Method.objects.count() == len(METHODS)
    assert all(m.evidence_note and m.sources for m in Method.objects.all())


def test_a_method_named_like_a_formula_stays_text(client, leader, data):
    """Issue 10: every CSV and XLSX neutralises text that a spreadsheet reads as a formula."""
    Method.objects.filter(pk=data["Motiverande samtal"].pk).update(name="@SUM(1+9)")
    Method.objects.filter(pk=data["Arbetsträning"].pk).update(name="-2+3")
    client.force_login(leader.user)
    response = client.get(reverse("insights:methods_csv"))
    names = [r[0] for r in csv.reader(io.StringIO(response.content.decode()), delimiter=";")]
    assert "'@SUM(1+9)" in names and "'-2+3" in names
    workbook = client.get(reverse("insights:methods_xlsx"))
    sheet = load_workbook(io.BytesIO(workbook.content))["Metoder"]
    first = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert first["'@SUM(1+9)"][0].data_type == "s" and first["'-2+3"][0].data_type == "s"
    assert first["'@SUM(1+9)"][1].value == 10 and first["'@SUM(1+9)"][1].data_type == "n"
    assert "no-store" in response["Cache-Control"] and "no-store" in workbook["Cache-Control"]


def test_the_csv_for_excel_is_the_same_file_in_swedish_excels_form(client, leader, data):
    """Issue 13: every CSV download is offered also as "CSV för Excel"."""
    client.force_login(leader.user)
    page = client.get(reverse("insights:methods"))
    assert f'href="{reverse("insights:methods_csv")}?excel=1" download>CSV för Excel' in page.text
    plain = client.get(reverse("insights:methods_csv"))
    excel = client.get(reverse("insights:methods_csv"), {"excel": "1"})
    assert excel.content.startswith(b"\xef\xbb\xbf") and not plain.content.startswith(b"\xef")
    assert excel["Content-Disposition"].endswith('-excel.csv"')
    rows = list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
    plain_rows = list(csv.reader(io.StringIO(plain.content.decode()), delimiter=";"))
    assert rows == plain_rows  # this export already had semicolons and decimal commas
