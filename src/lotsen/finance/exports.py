"""Budget against actual as XLSX and CSV: per sub-project and rolled up for a programme.

The files hold money only, no counts of people, so no small-cell suppression applies.
Amounts are written as numbers (not text) so that the spreadsheet can sum them; the
totals rows are values, so the file reads the same in any program.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from lotsen.finance.selectors import BudgetSummary, SubProjectBudgetRow

SEK_FORMAT = '#,##0" kr"'
PERCENT_FORMAT = "0.0%"
HOURS_FORMAT = "#,##0.0"

SUBPROJECT_HEADERS = [
    "Delprojekt",
    "Ansvarig organisation",
    "Budget (kr)",
    "Utfall (kr)",
    "Kvar (kr)",
    "Förbrukat",
    "Stöd från fonden (kr)",
    "Medfinansiering i pengar (kr)",
    "Medfinansiering personalinsats (kr)",
    "Personalinsats (timmar)",
    "Finansiering totalt (kr)",
    "Medfinansieringsandel",
]
CATEGORY_HEADERS = ["Kostnadsslag", "Budget (kr)", "Utfall (kr)", "Kvar (kr)", "Förbrukat"]
FUNDING_HEADERS = ["Finansiering", "Belopp (kr)", "Timmar", "Andel av finansieringen"]
TOTAL = "Totalt"

# Column formats of the sub-project sheet, by header.
_SUBPROJECT_FORMATS = {
    **{h: SEK_FORMAT for h in SUBPROJECT_HEADERS if h.endswith("(kr)")},
    "Förbrukat": PERCENT_FORMAT,
    "Medfinansieringsandel": PERCENT_FORMAT,
    "Personalinsats (timmar)": HOURS_FORMAT,
}


def _number(value: Decimal | None) -> float | None:
    # openpyxl writes Decimal as a number too, but float keeps every reader happy.
    return None if value is None else float(value)


def _subproject_values(row: SubProjectBudgetRow | BudgetSummary, name: str, lead: str) -> list:
    return [
        name,
        lead,
        _number(row.budget_total),
        _number(row.actual_total),
        _number(row.remaining),
        _number(row.burn),
        _number(row.fund),
        _number(row.cofinancing_cash),
        _number(row.cofinancing_staff_time),
        _number(row.cofinancing_staff_hours),
        _number(row.funding_total),
        _number(row.cofinancing_share),
    ]


def _category_rows(summary: BudgetSummary) -> list[list]:
    rows = [
        [c.label, _number(c.budget), _number(c.actual), _number(c.remaining), _number(c.burn)]
        for c in summary.by_category
    ]
    rows.append(
        [
            TOTAL,
            _number(summary.budget_total),
            _number(summary.actual_total),
            _number(summary.remaining),
            _number(summary.burn),
        ]
    )
    return rows


def _funding_rows(summary: BudgetSummary) -> list[list]:
    total = summary.funding_total

    def part(value: Decimal) -> float | None:
        return _number(value / total) if total else None

    return [
        ["Stöd från fonden", _number(summary.fund), None, part(summary.fund)],
        [
            "Offentlig medfinansiering i pengar",
            _number(summary.cofinancing_cash),
            None,
            part(summary.cofinancing_cash),
        ],
        [
            "Medfinansiering i form av personalinsats",
            _number(summary.cofinancing_staff_time),
            _number(summary.cofinancing_staff_hours),
            part(summary.cofinancing_staff_time),
        ],
        [TOTAL, _number(total), _number(summary.cofinancing_staff_hours), 1.0 if total else None],
    ]


def _sheet_name(name: str, used: set[str]) -> str:
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip() or "Blad"
    base = cleaned[:31]
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(candidate.casefold())
    return candidate


def _write(sheet, title: str, headers: Sequence[str], rows: list[list], formats: dict[int, str]):
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(list(headers))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    last = sheet.max_row
    for index, number_format in formats.items():
        for r in range(4, last + 1):
            sheet.cell(row=r, column=index).number_format = number_format
    if rows and rows[-1] and rows[-1][0] == TOTAL:
        for cell in sheet[last]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = "A4"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 2)
    sheet.column_dimensions["A"].width = 36


def _category_sheet(workbook, name: str, title: str, summary: BudgetSummary, used: set[str]):
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(_sheet_name(name, used))
    formats = {2: SEK_FORMAT, 3: SEK_FORMAT, 4: SEK_FORMAT, 5: PERCENT_FORMAT}
    _write(sheet, title, CATEGORY_HEADERS, _category_rows(summary), formats)
    start = sheet.max_row + 2
    sheet.cell(row=start, column=1, value="Finansiering").font = Font(bold=True, size=11)
    for offset, header in enumerate(FUNDING_HEADERS, start=1):
        sheet.cell(row=start + 1, column=offset, value=header).font = Font(bold=True)
    for i, values in enumerate(_funding_rows(summary), start=start + 2):
        for j, value in enumerate(values, start=1):
            cell = sheet.cell(row=i, column=j, value=value)
            cell.number_format = {2: SEK_FORMAT, 3: HOURS_FORMAT, 4: PERCENT_FORMAT}.get(
                j, "General"
            )
    return sheet


def programme_xlsx(
    *,
    title: str,
    summary: BudgetSummary,
    rows: list[SubProjectBudgetRow],
    summaries: dict[int, BudgetSummary] | None = None,
) -> bytes:
    """A workbook with the roll-up (one row per sub-project and a totals row), the
    programme's budget by cost category and funding, and — when ``summaries`` are given —
    one sheet per sub-project."""
    from openpyxl import Workbook

    workbook = Workbook()
    used: set[str] = set()
    overview = workbook.active
    overview.title = _sheet_name("Delprojekt", used)
    table = [
        _subproject_values(r, r.subproject.name, r.subproject.lead_organisation.name) for r in rows
    ]
    table.append(_subproject_values(summary, TOTAL, ""))
    formats = {
        i: _SUBPROJECT_FORMATS[h]
        for i, h in enumerate(SUBPROJECT_HEADERS, start=1)
        if h in _SUBPROJECT_FORMATS
    }
    _write(
        overview, f"{title}: budget och utfall per delprojekt", SUBPROJECT_HEADERS, table, formats
    )
    _category_sheet(
        workbook, "Kostnadsslag", f"{title}: budget och utfall per kostnadsslag", summary, used
    )
    for row in rows:
        if summaries and row.subproject.pk in summaries:
            _category_sheet(
                workbook,
                row.subproject.name,
                f"{row.subproject.name}: budget och utfall per kostnadsslag",
                summaries[row.subproject.pk],
                used,
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def subproject_xlsx(*, name: str, summary: BudgetSummary) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    _category_sheet(
        workbook, "Kostnadsslag", f"{name}: budget och utfall per kostnadsslag", summary, set()
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"
    return str(value)


def programme_csv(*, summary: BudgetSummary, rows: list[SubProjectBudgetRow]) -> str:
    """The roll-up as CSV (comma separated, decimal point, shares as fractions)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(SUBPROJECT_HEADERS)
    for r in rows:
        values = _subproject_values(r, r.subproject.name, r.subproject.lead_organisation.name)
        writer.writerow([_csv_text(v) for v in values])
    writer.writerow([_csv_text(v) for v in _subproject_values(summary, TOTAL, "")])
    return buffer.getvalue()


def subproject_csv(*, summary: BudgetSummary) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CATEGORY_HEADERS)
    for row in _category_rows(summary):
        writer.writerow([_csv_text(v) for v in row])
    return buffer.getvalue()
