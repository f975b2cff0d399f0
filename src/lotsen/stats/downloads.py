"""Download responses for exported files.

Every export can carry personal data or figures about small groups, so no browser or proxy
may keep a copy (``Cache-Control: no-store``), and the file name goes into
``Content-Disposition`` through Django's encoder, which quotes or percent-encodes it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from lotsen.stats.tabular import csv_for_excel

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download_response(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    patch_cache_control(response, no_store=True)
    return response


# The query that asks a CSV download for the form Swedish Excel opens directly: every
# page that offers a CSV file offers it also as "CSV för Excel" (``href="…?excel=1"``).
EXCEL_PARAMETER = "excel"


def csv_response(
    text: str, *, filename: str, bom: bool = False, request: HttpRequest | None = None
) -> HttpResponse:
    """CSV as UTF-8; with ``bom`` a byte-order mark first, which Excel needs to read the
    file as UTF-8 when it is opened by double-click. Given the ``request``, a download
    asked for with ``?excel=1`` comes in the form Swedish Excel opens directly:
    semicolons, decimal commas and the byte-order mark (``tabular.csv_for_excel``)."""
    if request is not None and wants_excel(request):
        text, bom = csv_for_excel(text), True
        filename = excel_filename(filename)
    content = text.encode("utf-8-sig" if bom else "utf-8")
    return download_response(content, filename=filename, content_type=CSV_CONTENT_TYPE)


def wants_excel(request: HttpRequest) -> bool:
    return request.GET.get(EXCEL_PARAMETER) == "1"


def excel_filename(filename: str) -> str:
    """``statistik.csv`` → ``statistik-excel.csv``: both forms can lie side by side."""
    stem, dot, extension = filename.rpartition(".")
    return f"{stem}-excel.{extension}" if dot else f"{filename}-excel"


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    return download_response(content, filename=filename, content_type=XLSX_CONTENT_TYPE)
