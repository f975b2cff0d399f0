"""CSV in the form Swedish Excel opens directly (issue 13): semicolons, a decimal comma
and UTF-8 with a byte-order mark, made from the same text every CSV download writes, with
the neutralisation of formulas kept."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import RequestFactory

from lotsen.stats import downloads
from lotsen.stats.tabular import csv_delimiter, csv_for_excel, csv_text

ROWS = [
    ["Metod", "Andel", "Antal", "Datum", "Kommentar"],
    ["Motiverande samtal", 12.5, 8, dt.date(2026, 3, 1), '=HYPERLINK("http://x")'],
    ["Arbetsträning, grupp", Decimal("-0.25"), -3, None, 'Säger "hej"; sen 1.5 timmar'],
    ["1.5", 3.0, 0, None, "+46 70 123 45 67"],
]


def _cells(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_excel_form_has_semicolons_and_decimal_commas(delimiter):
    plain = csv_text(rows=ROWS, delimiter=delimiter)
    excel = csv_for_excel(plain)
    assert csv_delimiter(plain) == delimiter and csv_delimiter(excel) == ";"
    rows = _cells(excel, ";")
    assert rows[0] == ["Metod", "Andel", "Antal", "Datum", "Kommentar"]
    assert rows[1][1:4] == ["12,5", "8", "2026-03-01"]
    assert rows[2][1:3] == ["-0,25", "-3"]
    # A cell with a delimiter or a quote in it survives the change of delimiter whole.
    assert rows[2][0] == "Arbetsträning, grupp"
    assert rows[2][4] == 'Säger "hej"; sen 1.5 timmar'
    # Text that would be a formula stays neutralised (the quote csv_text put in front).
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
    assert rows[3][4] == "'+46 70 123 45 67"
    # Same rows and cells as the plain file, only the decimal point changed.
    plain_rows = _cells(plain, delimiter)
    assert len(rows) == len(plain_rows)
    for excel_row, plain_row in zip(rows, plain_rows, strict=True):
        assert [c.replace(",", ".") for c in excel_row] == [c.replace(",", ".") for c in plain_row]
    assert excel.endswith("\r\n") and "\r\n\r\n" not in excel


def test_a_download_asked_for_excel_gets_the_excel_form_with_a_byte_order_mark():
    text = csv_text(rows=ROWS)
    factory = RequestFactory()
    plain = downloads.csv_response(text, filename="metoder.csv", request=factory.get("/x.csv"))
    assert plain.content == text.encode("utf-8")
    assert plain["Content-Disposition"] == 'attachment; filename="metoder.csv"'

    asked = factory.get("/x.csv", {downloads.EXCEL_PARAMETER: "1"})
    excel = downloads.csv_response(text, filename="metoder.csv", request=asked)
    assert excel.content.startswith(b"\xef\xbb\xbf")
    assert excel.content.decode("utf-8-sig") == csv_for_excel(text)
    assert excel["Content-Type"] == "text/csv; charset=utf-8"
    assert excel["Content-Disposition"] == 'attachment; filename="metoder-excel.csv"'
    assert excel["Cache-Control"] == "no-store"


@pytest.mark.parametrize("value", ["0", "ja", "", "1 "])
def test_only_excel_1_asks_for_the_excel_form(value):
    request = RequestFactory().get("/x.csv", {downloads.EXCEL_PARAMETER: value})
    response = downloads.csv_response("a,b\r\n1.5,2\r\n", filename="f.csv", request=request)
    assert response.content == b"a,b\r\n1.5,2\r\n"
