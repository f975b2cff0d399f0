"""Download responses: an attachment with a safe file name that no cache keeps, since
every export can carry personal data."""

from __future__ import annotations

from lotsen.stats import downloads


def test_csv_download_without_and_with_byte_order_mark():
    plain = downloads.csv_response("Namn;Ort\r\nÅsa;Umeå\r\n", filename="fil.csv")
    assert plain.content == "Namn;Ort\r\nÅsa;Umeå\r\n".encode()
    assert plain["Content-Type"] == "text/csv; charset=utf-8"
    assert plain["Content-Disposition"] == 'attachment; filename="fil.csv"'
    assert plain["Cache-Control"] == "no-store"
    marked = downloads.csv_response("Namn\r\n", filename="fil.csv", bom=True)
    assert marked.content == b"\xef\xbb\xbfNamn\r\n"


def test_xlsx_and_other_downloads():
    xlsx = downloads.xlsx_response(b"PK", filename="fil.xlsx")
    assert xlsx["Content-Type"] == downloads.XLSX_CONTENT_TYPE
    assert xlsx["Cache-Control"] == "no-store"
    other = downloads.download_response(
        b"{}", filename="fil.json", content_type="application/json; charset=utf-8"
    )
    assert other.content == b"{}" and other["Cache-Control"] == "no-store"


def test_file_names_are_quoted_safely():
    odd = downloads.xlsx_response(b"PK", filename='Vägen "vidare".xlsx')
    header = odd["Content-Disposition"]
    assert header.startswith("attachment; filename*=utf-8''")
    assert '"' not in header.removeprefix("attachment; ")
