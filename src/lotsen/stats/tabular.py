"""The one writer for every CSV and XLSX file Lotsen produces.

Text in an export often comes from people outside the organisation (a public event
registration, a name typed into a form). A spreadsheet program reads a cell that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one of them) as a
formula, and a formula can fetch a web address with the sheet's contents or start a
program. So every text cell that starts with one of those characters gets a single quote
in front (OWASP, "CSV injection"), and in XLSX every text cell is stored as a string, so
that no formula is ever written. Numbers and dates are not text: they keep their type, so
a spreadsheet can still sum them, and a negative number stays a number. A caller that
wants a number to stay a number passes it as ``int``, ``float`` or ``Decimal``, never as
already formatted text.

Sheet titles made from user data are made valid too: Excel refuses ``[]:*?/\\``, more
than 31 characters, a leading or trailing apostrophe and two sheets whose titles differ
only in case.

Pure: no Django. The download responses live in ``lotsen.stats.downloads``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

# OWASP's list: the four characters that start a formula, and tab and carriage return,
# which some programs skip before reading the rest as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"

SHEET_TITLE_MAX = 31
SHEET_TITLE_FORBIDDEN = "[]:*?/\\"
SHEET_TITLE_FALLBACK = "Blad"
# Excel keeps this title for its own change history sheet.
SHEET_TITLES_RESERVED = frozenset({"history"})

ERROR_NO_SHEETS = "En arbetsbok behöver minst ett blad."
ERROR_AWARE_DATETIME = (
    "Ett kalkylblad kan inte lagra en tidpunkt med tidszon; ge lokal tid utan tidszon."
)

# The characters XML 1.0 cannot hold (openpyxl refuses them); tab, line feed and
# carriage return are allowed.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_REPLACEMENT = "\ufffd"

Number = int | float | Decimal


@dataclass(frozen=True)
class Cell:
    """A value with the look it should have in a workbook. CSV uses the value only."""

    value: object
    bold: bool = False
    size: float | None = None
    number_format: str | None = None
    wrap: bool = False


@dataclass(frozen=True)
class Sheet:
    """One sheet: rows from the top (an empty row is a blank line), column widths by
    column number (1 = A) and the cell above and left of which the view is frozen."""

    title: str
    rows: Sequence[Sequence[object]]
    widths: Mapping[int, float] = field(default_factory=dict)
    freeze: str | None = None


def cell_text_neutralise(text: str) -> str:
    """Text that a spreadsheet would read as a formula, with a single quote in front."""
    return NEUTRALISING_PREFIX + text if text.startswith(FORMULA_PREFIXES) else text


def bold(values: Iterable[object]) -> list[Cell]:
    """A heading row."""
    return [Cell(value, bold=True) for value in values]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal)


def _text(value: object) -> str:
    # Anything that is neither a number nor a date is text: str() also turns a lazy
    # translation into the words it stands for.
    return cell_text_neutralise(value if isinstance(value, str) else str(value))


# --- CSV --------------------------------------------------------------------------------------


def csv_text(
    *,
    rows: Iterable[Sequence[object]],
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    float_text: Callable[[float | Decimal], str] = str,
) -> str:
    """Rows as CSV text. ``None`` is an empty cell, a date is written YYYY-MM-DD, an
    integer as digits and a float or Decimal through ``float_text`` (for a decimal comma,
    say); only text is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    for row in rows:
        writer.writerow([_csv_cell(value, float_text) for value in row])
    return out.getvalue()


def _csv_cell(value: object, float_text: Callable[[float | Decimal], str]) -> str:
    if isinstance(value, Cell):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float | Decimal):
        return float_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


# A number as csv_text writes a float or Decimal by default: digits, one decimal point.
_POINT_DECIMAL = re.compile(r"-?\d+\.\d+")


def csv_delimiter(text: str) -> str:
    """The delimiter a CSV text of ours uses: ``;`` or ``,``, whichever splits the
    header row more (as the importers decide, ``lotsen.ingest.csvfile``)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def csv_for_excel(text: str) -> str:
    """A CSV text made the way Swedish Excel opens it on a double-click: semicolons
    between cells and a decimal comma. (The byte-order mark that makes it read the file
    as UTF-8 is the download's: ``lotsen.stats.downloads``.)

    Every export is written once, by csv_text, and turned into this form here, so that
    every CSV download has it. A cell that is only a number with a decimal point
    (``12.5``, as csv_text writes a float) gets a decimal comma: Swedish Excel would
    read ``12.5`` as a date or as text. Everything else is kept as it is, so text
    neutralised against formulas stays neutralised."""
    delimiter = csv_delimiter(text)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [cell.replace(".", ",") if _POINT_DECIMAL.fullmatch(cell) else cell for cell in row]
        )
    return out.getvalue()


# --- XLSX -------------------------------------------------------------------------------------


def sheet_title(name: str, *, used: set[str]) -> str:
    """A valid sheet title made from ``name``, not yet in ``used`` (compared without
    case, as Excel does), which it is added to."""
    cleaned = "".join(" " if ch in SHEET_TITLE_FORBIDDEN else ch for ch in name)
    cleaned = _title_trim(cleaned) or SHEET_TITLE_FALLBACK
    base = _title_trim(cleaned[:SHEET_TITLE_MAX]) or SHEET_TITLE_FALLBACK
    candidate, n = base, 2
    while candidate.casefold() in used or candidate.casefold() in SHEET_TITLES_RESERVED:
        suffix = f" ({n})"
        candidate = _title_trim(base[: SHEET_TITLE_MAX - len(suffix)]) + suffix
        n += 1
    used.add(candidate.casefold())
    return candidate


def _title_trim(title: str) -> str:
    # A title must not start like a formula, nor start or end with an apostrophe.
    title = title.strip().strip("'").strip()
    while title.startswith(FORMULA_PREFIXES):
        title = title[1:].strip().strip("'").strip()
    return title


def xlsx_bytes(*, sheets: Sequence[Sheet]) -> bytes:
    """A workbook with ``sheets`` in order, the first one open."""
    from openpyxl import Workbook

    if not sheets:
        raise ValueError(ERROR_NO_SHEETS)
    book = Workbook()
    used: set[str] = set()
    for index, spec in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = sheet_title(spec.title, used=used)
        _fill(sheet, spec)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(sheet, spec: Sheet) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for r, row in enumerate(spec.rows, start=1):
        for c, item in enumerate(row, start=1):
            styled = item if isinstance(item, Cell) else None
            value = styled.value if styled else item
            cell = sheet.cell(row=r, column=c)
            _xlsx_value(cell, value)
            if styled is None:
                continue
            if styled.bold or styled.size:
                cell.font = Font(bold=styled.bold, size=styled.size)
            if styled.number_format:
                cell.number_format = styled.number_format
            if styled.wrap:
                cell.alignment = Alignment(wrap_text=True)
    for column, width in spec.widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    if spec.freeze:
        sheet.freeze_panes = spec.freeze


def _xlsx_value(cell, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or _is_number(value):
        cell.value = value
        return
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        raise ValueError(ERROR_AWARE_DATETIME)
    if isinstance(value, dt.date | dt.time):
        cell.value = value
        return
    cell.value = _XML_ILLEGAL.sub(_REPLACEMENT, _text(value))
    # Stored as a string whatever it looks like: never a formula.
    cell.data_type = "s"
