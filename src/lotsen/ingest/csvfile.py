"""The one CSV reader every Lotsen import uses.

Files come from spreadsheets, accounting systems and register extracts, so the reader
accepts what they write and refuses, with the line and column, what would crash or
silently corrupt an import:

- UTF-8 with or without a byte-order mark; bad bytes are reported with their line.
- Line endings ``\\n``, ``\\r\\n`` and a lone ``\\r`` (old Mac spreadsheets) are all read as
  line breaks; a quoted field may span lines, and a row is named by the line it starts on.
- The delimiter is ``,`` or ``;``, whichever splits the header row more (a spreadsheet with
  a Swedish locale saves with ``;``), unless the caller names one.
- The header row names the columns (any order, case and surrounding spaces ignored):
  missing, unknown and repeated columns are errors on line 1.
- A value longer than ``max_field`` characters, a value with a control character (NUL and
  the like: they break PostgreSQL and hide text on screen) and a row with more values than
  the header are errors naming the line (and column). A row with fewer values is read with
  the missing values empty, so the importer names the column it needed.
- The file size and the number of rows are bounded.

``csv_file_read`` either returns every data row as ``(line, {column: value})`` or raises
``CsvFileError`` listing every problem found (at most ``MAX_PROBLEMS``); nothing else
escapes, whatever the bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_FIELD_CHARS = 10_000
MAX_PROBLEMS = 1000
DELIMITERS = (",", ";")

ERROR_NOT_UTF8 = "Filen är inte UTF-8. Spara den som CSV UTF-8 och försök igen."
ERROR_TOO_LARGE = "Filen är större än {limit} MB."
ERROR_EMPTY = "Filen är tom: första raden ska vara rubrikraden."
ERROR_NO_ROWS = "Filen har inga rader efter rubrikraden."
ERROR_TOO_MANY_ROWS = "Filen har fler än {limit} rader. Dela upp den."
ERROR_MISSING_COLUMN = "Kolumnen saknas i rubrikraden."
ERROR_UNKNOWN_COLUMN = "Okänd kolumn (stavfel?). Kända kolumner: {known}."
ERROR_DUPLICATE_COLUMN = "Kolumnen förekommer mer än en gång i rubrikraden."
ERROR_EMPTY_COLUMN_NAME = "Kolumn nr {position} i rubrikraden saknar namn."
ERROR_TOO_MANY_VALUES = "Raden har {found} värden men rubrikraden har {expected}."
ERROR_FIELD_TOO_LONG = "Värdet är längre än {limit} tecken."
ERROR_CONTROL_CHARACTER = "Värdet innehåller ett otillåtet tecken (kontrolltecken {code})."
ERROR_LINE_BREAK = "Värdet innehåller en radbrytning."
ERROR_BAD_QUOTING = 'Felaktig CSV: ett citattecken (") står fel eller stängs aldrig.'
ERROR_MORE_PROBLEMS = "… och fler fel; de första {limit} visas."

# C0 controls but tab, line feed and carriage return; DEL; the C1 block. NUL cannot be
# stored by PostgreSQL at all, and the others are invisible on screen and in exports.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n]")

# The csv module's own field limit (128 KiB by default) would end the read with an error
# that names no column. It is process-wide, so it is raised once to the largest file this
# reader accepts, and the reader checks every value against ``max_field`` itself.
if csv.field_size_limit() < MAX_FILE_BYTES:
    csv.field_size_limit(MAX_FILE_BYTES)


@dataclass(frozen=True)
class CsvProblem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"rad {self.line}" + (f", kolumn {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class CsvFileError(ValueError):
    """The file cannot be imported; ``problems`` say where and why (never the values)."""

    def __init__(self, problems: list[CsvProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class CsvFile:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    delimiter: str
    # Problems with single rows, when the caller asked to collect them (those rows are
    # not in ``rows``); otherwise they are raised.
    problems: list[CsvProblem] = field(default_factory=list)


Source = bytes | str | Path | IO[bytes] | IO[str]


def csv_file_read(
    source: Source,
    *,
    required: Collection[str] = (),
    optional: Collection[str] | None = (),
    multiline: Collection[str] | bool = (),
    delimiter: str | None = None,
    rows_required: bool = True,
    collect_row_problems: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_ROWS,
    max_field: int = MAX_FIELD_CHARS,
) -> CsvFile:
    """Read a CSV file with a header row into ``(line, {column: value})`` rows.

    ``required`` columns must be in the header; ``optional`` ones may be; any other column
    is an error, unless ``optional`` is None (then every column is read). Values are
    stripped of surrounding spaces; blank rows are skipped. ``multiline`` names the
    columns whose quoted values may hold line breaks (True: all). Raises ``CsvFileError``; with
    ``collect_row_problems`` a problem confined to one row (too many values, a value too
    long or with a control character) is returned in ``problems`` instead, so the caller
    can report it with its own checks of the other rows.
    """
    text = _text(source, max_bytes=max_bytes)
    if not text.strip():
        raise CsvFileError([CsvProblem(1, "", ERROR_EMPTY)])
    header_line = next(iter(text.splitlines()), "")
    if delimiter is None:
        delimiter = max(DELIMITERS, key=lambda d: (header_line.count(d), d == ","))
    # newline="" hands the csv module every line break untranslated: it then reads \r, \n
    # and \r\n alike, also inside quoted values.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems = _Problems()
    records = _records(reader, problems)
    header_record = next(records, None)
    if header_record is None:
        problems.raise_if_any()
        raise CsvFileError([CsvProblem(1, "", ERROR_EMPTY)])
    header_line_no, raw_header = header_record
    header = [name.strip().lower() for name in raw_header]
    _header_check(header, header_line_no, required, optional, problems)
    problems.raise_if_any()

    rows: list[tuple[int, dict[str, str]]] = []
    # Checking every value costs a third of the read; most files need none of it: a
    # control character must be somewhere in the text, and a line break inside a value
    # needs a quote. Only the length is checked row by row.
    check_values = bool(_CONTROL.search(text)) or '"' in text
    width = len(header)
    for line, values in records:
        if not "".join(values).strip():
            continue
        if len(rows) >= max_rows:
            problems.add(line, "", ERROR_TOO_MANY_ROWS.format(limit=max_rows))
            problems.file_level = True
            break
        if len(values) > len(header):
            problems.add(
                line, "", ERROR_TOO_MANY_VALUES.format(found=len(values), expected=len(header))
            )
            continue
        if not check_values and max(map(len, values)) <= max_field:
            row = dict(zip(header, map(str.strip, values), strict=False))
            if len(values) < width:
                row.update(dict.fromkeys(header[len(values) :], ""))
            rows.append((line, row))
            continue
        row = {}
        ok = True
        for column, value in zip(header, values, strict=False):
            message = csv_value_problem(
                value,
                max_field=max_field,
                multiline=multiline if isinstance(multiline, bool) else column in multiline,
            )
            if message:
                problems.add(line, column, message)
                ok = False
            row[column] = value.strip()
        if ok:
            for column in header[len(values) :]:
                row[column] = ""
            rows.append((line, row))
        if problems.full:
            break
    if not collect_row_problems or problems.file_level:
        problems.raise_if_any()
    if rows_required and not rows and not problems.items:
        raise CsvFileError([CsvProblem(header_line_no + 1, "", ERROR_NO_ROWS)])
    return CsvFile(header=header, rows=rows, delimiter=delimiter, problems=problems.items)


def _text(source: Source, *, max_bytes: int) -> str:
    if isinstance(source, Path):
        with source.open("rb") as handle:
            data: bytes | str = handle.read(max_bytes + 1)
    elif isinstance(source, bytes | str):
        data = source
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        line = _line_at(data, max_bytes)
        raise CsvFileError(
            [CsvProblem(line, "", ERROR_TOO_LARGE.format(limit=max(1, max_bytes // 2**20)))]
        )
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvFileError([CsvProblem(_line_at(data, error.start), "", ERROR_NOT_UTF8)]) from None


def _line_at(data: bytes | str, offset: int) -> int:
    """The line (1-based) that holds ``offset``, counting \\n, \\r\\n and \\r as breaks."""
    before = data[:offset]
    if isinstance(before, str):
        before = before.encode("utf-8", "surrogatepass")
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _records(reader: Any, problems: _Problems) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on; a quoting error ends the file there."""
    previous_end = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            problems.add(previous_end + 1, "", ERROR_BAD_QUOTING)
            problems.file_level = True
            return
        line, previous_end = previous_end + 1, reader.line_num
        yield line, values


def _header_check(
    header: list[str],
    line: int,
    required: Collection[str],
    optional: Collection[str] | None,
    problems: _Problems,
) -> None:
    for column in required:
        if column not in header:
            problems.add(line, column, ERROR_MISSING_COLUMN)
    known = None if optional is None else (*required, *optional)
    for position, column in enumerate(header, start=1):
        message = csv_value_problem(column, max_field=200, multiline=False)
        if message:
            problems.add(line, f"nr {position}", message)
        elif not column:
            problems.add(line, "", ERROR_EMPTY_COLUMN_NAME.format(position=position))
        elif known is not None and column not in known:
            problems.add(line, column, ERROR_UNKNOWN_COLUMN.format(known=", ".join(known)))
        elif column in header[: position - 1]:
            problems.add(line, column, ERROR_DUPLICATE_COLUMN)


def csv_value_problem(
    value: str, *, max_field: int = MAX_FIELD_CHARS, multiline: bool = False
) -> str:
    """What is wrong with one value (too long, a control character, a line break where
    none belongs), or "" when nothing is."""
    if len(value) > max_field:
        return ERROR_FIELD_TOO_LONG.format(limit=f"{max_field:,}".replace(",", " "))
    control = _CONTROL.search(value)
    if control:
        return ERROR_CONTROL_CHARACTER.format(code=f"U+{ord(control.group()):04X}")
    if not multiline and _LINE_BREAK.search(value.strip()):
        return ERROR_LINE_BREAK
    return ""


class _Problems:
    def __init__(self) -> None:
        self.items: list[CsvProblem] = []
        # Set when the rest of the file could not be read: never returned as row problems.
        self.file_level = False

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    def add(self, line: int, column: str, message: str) -> None:
        if not self.full:
            self.items.append(CsvProblem(line, column, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise CsvFileError(list(self.items))
