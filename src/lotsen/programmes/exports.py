"""The indicator report as JSON, CSV and XLSX, for the project team (exact counts) or for
anyone outside it (``public=True``: counts from 1 to 4 as "<5", and a second cell as ".."
where a hidden count could be worked out from a sum; see ``programmes.indicators``).

Every file holds counts only: no names, no numbers, no ids.
"""

from __future__ import annotations

import json

from lotsen.programmes import indicators
from lotsen.stats.tabular import Sheet, bold, csv_text, xlsx_bytes

FRAMEWORK_NAMES = {
    indicators.ESF_PLUS: "ESF+ 2021–2027",
    indicators.ESF_2014: "ESF 2014–2020",
}
COLUMN_LABELS = {"women": "Kvinnor", "men": "Män", "nonbinary": "Icke-binära", "total": "Totalt"}
SUPPRESSION_NOTE = (
    "Antal från 1 till 4 visas som <5. Om ett dolt antal annars skulle gå att räkna fram "
    "ur en summa döljs också ett annat antal, som visas som två punkter (..)."
)
ESF_2014_NOTE = (
    "ESF 2014–2020 redovisar kvinnor och män. Icke-binära deltagare räknas i Totalt men i "
    "ingen av kolumnerna Kvinnor och Män."
)


def columns(framework: str) -> tuple[str, ...]:
    return (*indicators.GENDER_COLUMNS[framework], "total")


def report_values(report: indicators.IndicatorReport, *, public: bool) -> dict[str, dict]:
    """Indicator key → {women, men[, nonbinary], total}: ints, or "<5"/".." where hidden."""
    if public:
        # Shown counts stay numbers (a spreadsheet can sum them); hidden ones are text.
        return {
            key: {c: int(t) if t.isdigit() else t for c, t in cells.items()}
            for key, cells in indicators.suppressed(report).items()
        }
    return report.as_dict()


def report_json(report: indicators.IndicatorReport, *, public: bool) -> str:
    return json.dumps(report_values(report, public=public), ensure_ascii=False, indent=2)


def report_csv(report: indicators.IndicatorReport, *, public: bool) -> str:
    values = report_values(report, public=public)
    cols = columns(report.framework)
    rows: list[list] = [["indicator", "label", *cols]]
    for key in report.keys:
        label = indicators.label(key, report.framework)
        rows.append([key, label, *(values[key][c] for c in cols)])
    return csv_text(rows=rows, lineterminator="\n")


def report_xlsx(
    report: indicators.IndicatorReport, *, public: bool, scope: str, programme: str
) -> bytes:
    """Sheet "Indikatorer": header in row 1 (Indikator, Beskrivning, Kvinnor, Män,
    [Icke-binära,] Totalt), one row per indicator. Sheet "Om rapporten": what, when, how."""
    values = report_values(report, public=public)
    cols = columns(report.framework)
    table: list[list] = [bold(["Indikator", "Beskrivning", *(COLUMN_LABELS[c] for c in cols)])]
    for key in report.keys:
        table.append(
            [key, indicators.label(key, report.framework), *(values[key][c] for c in cols)]
        )
    rows = [
        ("Program", programme),
        ("Omfattning", scope),
        ("Ramverk", FRAMEWORK_NAMES[report.framework]),
        ("Period", f"{report.start.isoformat()} – {report.end.isoformat()}"),
        ("Resultat räknade till och med", report.as_of.isoformat()),
        (
            "Räkneregler",
            "En deltagare räknas en gång per delprojekt: första start och uppgifterna då, "
            "sista avslut. Ålder vid start. Resultat vid avslut avser läget inom fyra veckor, "
            "långsiktiga resultat läget sex månader efter avslut.",
        ),
        ("Deltagare med uppgifter som saknas", report.missing_count()),
    ]
    if report.framework == indicators.ESF_2014:
        rows.append(("Kön", ESF_2014_NOTE))
    rows.append(("Små antal", SUPPRESSION_NOTE if public else "Exakta antal: bara för projektet."))
    return xlsx_bytes(
        sheets=[
            Sheet(title="Indikatorer", rows=table, widths={1: 30, 2: 60}),
            Sheet(title="Om rapporten", rows=rows, widths={1: 32, 2: 90}),
        ]
    )
