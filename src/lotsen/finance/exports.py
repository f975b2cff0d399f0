"""Budget against actual as XLSX and CSV: per sub-project and rolled up for a programme.

The files hold money only, no counts of people, so no small-cell suppression applies.
Amounts are written as numbers (not text) so that the spreadsheet can sum them; the
totals rows are values, so the file reads the same in any program.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lotsen.finance.selectors import BudgetSummary, SubProjectBudgetRow
from lotsen.stats.tabular import Cell, Sheet, bold, csv_text, xlsx_bytes

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


def _formatted(values: list, formats: dict[int, str], *, total: bool = False) -> list[Cell]:
    return [
        Cell(v, bold=total, number_format=formats.get(i)) for i, v in enumerate(values, start=1)
    ]


def _table(title: str, headers: Sequence[str], rows: list[list], formats: dict[int, str]) -> list:
    """A title, a blank line, the header and the rows (a totals row last, in bold), with
    each column's number format."""
    last = len(rows) - 1
    return [
        [Cell(title, bold=True, size=13)],
        [],
        bold(headers),
        *(
            _formatted(row, formats, total=i == last and bool(row) and row[0] == TOTAL)
            for i, row in enumerate(rows)
        ),
    ]


def _widths(headers: Sequence[str]) -> dict[int, float]:
    widths = {i: max(14, len(h) + 2) for i, h in enumerate(headers, start=1)}
    widths[1] = 36
    return widths


def _category_sheet(name: str, title: str, summary: BudgetSummary) -> Sheet:
    formats = {2: SEK_FORMAT, 3: SEK_FORMAT, 4: SEK_FORMAT, 5: PERCENT_FORMAT}
    rows = _table(title, CATEGORY_HEADERS, _category_rows(summary), formats)
    rows += [[], [Cell("Finansiering", bold=True, size=11)], bold(FUNDING_HEADERS)]
    funding_formats = {2: SEK_FORMAT, 3: HOURS_FORMAT, 4: PERCENT_FORMAT}
    rows += [_formatted(values, funding_formats) for values in _funding_rows(summary)]
    return Sheet(title=name, rows=rows, widths=_widths(CATEGORY_HEADERS), freeze="A4")


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
    table = [
        _subproject_values(r, r.subproject.name, r.subproject.lead_organisation.name) for r in rows
    ]
    table.append(_subproject_values(summary, TOTAL, ""))
    formats = {
        i: _SUBPROJECT_FORMATS[h]
        for i, h in enumerate(SUBPROJECT_HEADERS, start=1)
        if h in _SUBPROJECT_FORMATS
    }
    sheets = [
        Sheet(
            title="Delprojekt",
            rows=_table(
                f"{title}: budget och utfall per delprojekt", SUBPROJECT_HEADERS, table, formats
            ),
            widths=_widths(SUBPROJECT_HEADERS),
            freeze="A4",
        ),
        _category_sheet("Kostnadsslag", f"{title}: budget och utfall per kostnadsslag", summary),
    ]
    for row in rows:
        if summaries and row.subproject.pk in summaries:
            sheets.append(
                _category_sheet(
                    row.subproject.name,
                    f"{row.subproject.name}: budget och utfall per kostnadsslag",
                    summaries[row.subproject.pk],
                )
            )
    return xlsx_bytes(sheets=sheets)


def subproject_xlsx(*, name: str, summary: BudgetSummary) -> bytes:
    return xlsx_bytes(
        sheets=[
            _category_sheet("Kostnadsslag", f"{name}: budget och utfall per kostnadsslag", summary)
        ]
    )


def _csv_number(value: float | Decimal) -> str:
    value = float(value)
    return f"{value:.4f}".rstrip("0").rstrip(".") if value % 1 else f"{value:.0f}"


def programme_csv(*, summary: BudgetSummary, rows: list[SubProjectBudgetRow]) -> str:
    """The roll-up as CSV (comma separated, decimal point, shares as fractions)."""
    table: list[list] = [SUBPROJECT_HEADERS]
    table += [
        _subproject_values(r, r.subproject.name, r.subproject.lead_organisation.name) for r in rows
    ]
    table.append(_subproject_values(summary, TOTAL, ""))
    return csv_text(rows=table, lineterminator="\r\n", float_text=_csv_number)


def subproject_csv(*, summary: BudgetSummary) -> str:
    return csv_text(
        rows=[CATEGORY_HEADERS, *_category_rows(summary)],
        lineterminator="\r\n",
        float_text=_csv_number,
    )
