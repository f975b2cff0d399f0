"""The evaluation report: one self-contained HTML page with inline SVG charts, and metrics.json.

No Django and no JavaScript: the page is opened from disk or attached to a model card.
Every chart has a <title> and <desc>, and a table with the same figures beside it, so
nothing depends on seeing the chart; the series differ in line style, pattern and text
label as well as colour. Swedish first, numbers with decimal comma.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from lotsen.earlywarning.fairness import (
    BOOTSTRAP_RESAMPLES,
    MIN_GROUP_SIZE,
    gap_sentence,
)
from lotsen.earlywarning.learning import (
    Evaluation,
    calibration_bins,
    pr_points,
    roc_points,
)
from lotsen.stats.charts import Frame, parts_of, svg_open

REPORT_FILE = "index.html"
METRICS_FILE = "metrics.json"
# Groups smaller than this are listed in the tables but left out of the bar charts: a rate
# over a handful of pupils is mostly noise, and drawing it invites reading too much into it.
CHART_MIN_GROUP = 30
TOO_SMALL_TEXT = "för få"
INTERVAL_MEASURES = ("recall", "precision", "fpr", "fnr")

# What was looked at while the method (``lotsen.earlywarning.learning``) was chosen: the
# report says so, so that nobody reads a figure on one of these as a held-out result.
# Keep in step with the README's "risk model" section; add a line when a file or seed is
# used to choose anything.
METHOD_CHOSEN_ON = (
    {
        "file": "the synthetic demo history (lotsen demo, tests/earlywarning build_history)",
        "rows": None,
        "sha256": None,
        "seeds": [0],
    },
    {
        "file": "uci_dropout.csv (UCI 'Predict Students' Dropout and Academic Success')",
        "rows": 4424,
        "sha256": "3ef126de5cefff26eb11fbb4237f1a1401cb64b488e2f1d598c23cedeb4c45ae",
        "seeds": [0],
    },
)
METHOD_NOT_LOOKED_AT = "OULAD (Open University Learning Analytics Dataset)"

BLUE = "#1d70b8"
GREEN = "#00703c"
RED = "#d4351c"
GREY = "#505a5f"
INK = "#0b0c0c"

# The three per-group measures: key, label, short label on the bar, colour, fill pattern.
GROUP_MEASURES = (
    ("recall", "Täckning (recall)", "T", BLUE, "solid"),
    ("precision", "Precision", "P", GREEN, "hatch"),
    ("fpr", "Andel falsklarm (FPR)", "F", RED, "dots"),
)

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #0b0c0c;
  margin: 0; line-height: 1.45; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 2rem; margin: 1rem 0 .5rem; }
h2 { font-size: 1.5rem; margin: 2.5rem 0 .5rem; border-top: 1px solid #b1b4b6; padding-top: 1rem; }
h3 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
.pair { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.pair figure { margin: 0; flex: 0 1 auto; }
.pair figcaption { font-size: .9rem; color: #505a5f; max-width: 26rem; }
table { border-collapse: collapse; font-size: .95rem; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: .3rem .6rem; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.5rem; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
.note { color: #505a5f; font-size: .9rem; }
code { font-size: .9rem; word-break: break-word; }
"""


def provenance(evaluation: Evaluation, *, data_file: Path | None = None) -> dict[str, Any]:
    """What this run looked at (the file's name, rows and sha256, the seed and folds), and
    what was looked at while the method was chosen (``METHOD_CHOSEN_ON``)."""
    this_run: dict[str, Any] = {
        "file": data_file.name if data_file is not None else None,
        "rows": int(len(evaluation.dataset.y)),
        "sha256": hashlib.sha256(data_file.read_bytes()).hexdigest() if data_file else None,
        "seeds": [evaluation.seed],
        "folds": evaluation.folds,
    }
    chosen_on = [dict(entry) for entry in METHOD_CHOSEN_ON]
    return {
        "this_run": this_run,
        "method_chosen_on": chosen_on,
        "method_not_looked_at": METHOD_NOT_LOOKED_AT,
        # A figure on a file the method was chosen on is not a held-out result.
        "held_out": this_run["sha256"] is not None
        and all(entry["sha256"] != this_run["sha256"] for entry in chosen_on),
    }


def report_write(
    evaluation: Evaluation,
    *,
    out: Path,
    source: str = "",
    command: str = "",
    data_file: Path | None = None,
) -> list[Path]:
    """Write index.html and metrics.json into ``out`` (created if missing), and the model
    card and impact-assessment draft for the method as evaluated on this file. With
    ``data_file`` both name the file by name, rows and sha256."""
    from lotsen.earlywarning.governance import facts_from_evaluation
    from lotsen.earlywarning.modelcard import documents_write

    out.mkdir(parents=True, exist_ok=True)
    page = out / REPORT_FILE
    metrics = out / METRICS_FILE
    looked_at = provenance(evaluation, data_file=data_file)
    page.write_text(
        report_html(evaluation, source=source, command=command, looked_at=looked_at),
        encoding="utf-8",
    )
    metrics.write_text(
        json.dumps({**evaluation.as_json(), "provenance": looked_at}, ensure_ascii=False, indent=2)
        + "\n",
        encoding="utf-8",
    )
    documents = documents_write(
        facts_from_evaluation(evaluation, source=source or "(okänd fil)"), out=out
    )
    return [page, metrics, *documents]


def report_html(
    evaluation: Evaluation,
    *,
    source: str = "",
    command: str = "",
    looked_at: dict[str, Any] | None = None,
) -> str:
    data = evaluation.as_json()
    looked_at = looked_at or provenance(evaluation)
    y = evaluation.dataset.y
    p = evaluation.overall.p
    point = data["operating_point"]
    sections = [
        _summary(evaluation, data, source=source, command=command),
        _roc_section(y=y, p=p, auc=data["roc_auc"], point=point),
        _pr_section(y=y, p=p, auc=data["pr_auc"], base_rate=data["base_rate"], point=point),
        _calibration_section(y=y, p=p, brier=data["brier"]),
    ]
    if evaluation.stages:
        sections.append(_stages_section(data["stages"]))
    sections.append(_groups_section(data["groups"], point=point, gaps=data.get("gaps", {})))
    sections.append(_importance_section(data["importance"]))
    sections.append(_provenance_section(looked_at))
    sections.append(_terms_section())
    title = f"Utvärdering av riskmodell: {data['target']} = {data['positive']}"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n" + "\n".join(sections) + "\n</main>\n</body>\n</html>\n"
    )


# --- Sections --------------------------------------------------------------------------------


def _summary(evaluation: Evaluation, data: dict[str, Any], *, source: str, command: str) -> str:
    point = data["operating_point"]
    items = [
        ("Rader", _count(data["n"])),
        (
            "Utfall",
            f"{_count(data['positives'])} med {escape(data['target'])} = "
            f"{escape(data['positive'])} ({_percent(data['base_rate'])})",
        ),
        ("Modell", f"{escape(data['model']['name'])}, version {escape(data['model']['version'])}"),
        (
            "Utvärdering",
            f"{data['folds']}-faldig stratifierad korsvalidering, frö {data['seed']}; varje rad "
            "bedöms av en modell som inte har sett den",
        ),
        ("ROC-AUC", _decimal(data["roc_auc"], 3)),
        ("PR-AUC", _decimal(data["pr_auc"], 3)),
        ("Brier-poäng", _decimal(data["brier"], 4)),
        ("Träffsäkerhet vid risk 0,5", _percent(data["accuracy"])),
        (
            "Arbetspunkt",
            f"de {_percent(point['caseload_target'], 0)} med högst risk följs upp "
            f"(risk ≥ {_decimal(point['threshold'], 3)}, {_count(point['flagged'])} rader): "
            f"precision {_percent(point['precision'])}, täckning {_percent(point['recall'])}, "
            f"andel falsklarm {_percent(point['fpr'])}",
        ),
        ("Prediktorer", f"{len(data['features'])} kolumner"),
        (
            "Endast i rättvisegranskningen",
            escape(", ".join(data["audit"])) or "inga",
        ),
    ]
    if data["excluded"]:
        items.append(("Uteslutna", escape(", ".join(data["excluded"]))))
    if data["ignored"]:
        items.append(
            (
                "Ej använda",
                escape("; ".join(f"{name}: {why}" for name, why in data["ignored"].items())),
            )
        )
    if source:
        items.append(("Datakälla", escape(source)))
    rows = "\n".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in items)
    parts = [
        "<h2>Sammanfattning</h2>",
        '<dl class="summary">',
        rows,
        "</dl>",
    ]
    if data.get("derived"):
        parts.append(
            _table(
                caption="Härledda prediktorer",
                headers=["Namn", "Uttryck"],
                rows=[
                    [name, f"<code>{escape(expr)}</code>"] for name, expr in data["derived"].items()
                ],
                numeric=(),
                escape_cells=False,
            )
        )
    if command:
        parts.append(f'<p class="note">Körning: <code>{escape(command)}</code></p>')
    return "\n".join(parts)


def _provenance_section(looked_at: dict[str, Any]) -> str:
    def row(entry: dict[str, Any]) -> list[str]:
        return [
            escape(entry["file"] or "(okänd fil)"),
            _count(entry["rows"]) if entry["rows"] is not None else "–",
            f"<code>{escape(entry['sha256'])}</code>" if entry["sha256"] else "–",
            ", ".join(str(seed) for seed in entry["seeds"]),
        ]

    this_run = looked_at["this_run"]
    if this_run["sha256"] is None:
        verdict = "Filens kontrollsumma är okänd: det går inte att säga om den är osedd."
    elif looked_at["held_out"]:
        verdict = "Filen användes inte när metoden valdes: resultatet är på osedda data."
    else:
        verdict = (
            "Filen användes när metoden valdes: resultatet är inte på osedda data och ska "
            "inte läsas som ett sådant."
        )
    headers = ["Fil", "Rader", "SHA-256", "Frön"]
    return "\n".join(
        [
            "<h2>Vad som har tittats på</h2>",
            _table(
                caption=f"Den här körningen ({this_run['folds']}-faldig korsvalidering)",
                headers=headers,
                rows=[row(this_run)],
                numeric=(1,),
                escape_cells=False,
            ),
            f"<p>{escape(verdict)}</p>",
            _table(
                caption="Filer och frön som användes när metoden valdes",
                headers=headers,
                rows=[row(entry) for entry in looked_at["method_chosen_on"]],
                numeric=(1,),
                escape_cells=False,
            ),
            f'<p class="note">Inte tittat på: {escape(looked_at["method_not_looked_at"])}.</p>',
        ]
    )


def _roc_section(*, y: np.ndarray, p: np.ndarray, auc: float, point: dict[str, Any]) -> str:
    fpr, tpr, thresholds = roc_points(y=y, p=p)
    chart = _line_chart(
        key="roc",
        title="ROC-kurva",
        desc=(
            f"Andel fångade mot andel falsklarm när tröskeln sänks. Arean under kurvan är "
            f"{_decimal(auc, 3)}; den streckade diagonalen är slumpen (0,5). Punkten markerar "
            f"arbetspunkten: täckning {_percent(point['recall'])} vid "
            f"{_percent(point['fpr'])} falsklarm."
        ),
        x_label="Andel falsklarm (FPR)",
        y_label="Andel fångade (täckning)",
        curve=(fpr, tpr),
        reference=((0.0, 0.0), (1.0, 1.0), "slumpen"),
        marker=(point["fpr"], point["recall"], "arbetspunkt"),
    )
    rows = []
    for target in (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5):
        index = int(np.flatnonzero(fpr <= target + 1e-12)[-1])
        rows.append(
            [_percent(fpr[index]), _percent(tpr[index]), _decimal(min(thresholds[index], 1.0), 3)]
        )
    table = _table(
        caption="Täckning vid givna andelar falsklarm",
        headers=["Andel falsklarm högst", "Täckning", "Tröskel"],
        rows=rows,
        numeric=(0, 1, 2),
        row_headers=True,
    )
    return _pair(
        "ROC-kurva",
        chart,
        f"ROC-AUC {_decimal(auc, 3)}: sannolikheten att en slumpvis vald rad med utfallet får "
        "högre risk än en slumpvis vald rad utan.",
        table,
    )


def _pr_section(
    *, y: np.ndarray, p: np.ndarray, auc: float, base_rate: float, point: dict[str, Any]
) -> str:
    recall, precision, thresholds = pr_points(y=y, p=p)
    chart = _line_chart(
        key="pr",
        title="Precision och täckning",
        desc=(
            f"Precision mot täckning när tröskeln sänks. PR-AUC (genomsnittlig precision) är "
            f"{_decimal(auc, 3)}; den streckade linjen är andelen med utfallet, "
            f"{_percent(base_rate)}, alltså precisionen vid slumpvis urval. Punkten markerar "
            f"arbetspunkten: precision {_percent(point['precision'])} vid täckning "
            f"{_percent(point['recall'])}."
        ),
        x_label="Täckning (recall)",
        y_label="Precision",
        curve=(recall, precision),
        reference=((0.0, base_rate), (1.0, base_rate), "slumpen"),
        marker=(point["recall"], point["precision"], "arbetspunkt"),
    )
    rows = []
    for target in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        reachable = recall >= target - 1e-12
        index = int(np.flatnonzero(reachable)[np.argmax(precision[reachable])])
        rows.append(
            [_percent(target, 0), _percent(precision[index]), _decimal(thresholds[index], 3)]
        )
    table = _table(
        caption="Bästa precision vid given täckning",
        headers=["Täckning minst", "Precision", "Tröskel"],
        rows=rows,
        numeric=(0, 1, 2),
        row_headers=True,
    )
    return _pair(
        "Precision och täckning (PR-kurva)",
        chart,
        "Precision: hur många av de flaggade som faktiskt fick utfallet. Täckning: hur många "
        "av alla med utfallet som flaggades.",
        table,
    )


def _calibration_section(*, y: np.ndarray, p: np.ndarray, brier: float) -> str:
    bins = calibration_bins(y=y, p=p)
    xs = np.array([b[1] for b in bins])
    ys = np.array([b[2] for b in bins])
    chart = _line_chart(
        key="calibration",
        title="Kalibrering",
        desc=(
            "Observerad andel med utfallet mot modellens medelrisk, i tio riskintervall. "
            "Punkter nära den streckade diagonalen betyder att en risk på 30 % också "
            f"inträffar för ungefär 30 %. Brier-poäng {_decimal(brier, 4)}."
        ),
        x_label="Modellens risk (medel i intervallet)",
        y_label="Observerad andel",
        curve=(xs, ys),
        reference=((0.0, 0.0), (1.0, 1.0), "perfekt kalibrering"),
        points=True,
    )
    rows = [
        [
            f"{_decimal(low, 1)}–{_decimal(low + 0.1, 1)}",
            _count(count),
            _percent(mean),
            _percent(observed),
        ]
        for low, mean, observed, count in bins
    ]
    table = _table(
        caption="Risk och utfall per riskintervall",
        headers=["Riskintervall", "Rader", "Medelrisk", "Observerad andel"],
        rows=rows,
        numeric=(1, 2, 3),
        row_headers=True,
    )
    return _pair(
        "Kalibrering",
        chart,
        "Sannolikheterna är kalibrerade (Platt-skalning inom varje träningsdel).",
        table,
    )


def _stages_section(stages: dict[str, dict[str, Any]]) -> str:
    rows = [
        [
            name,
            str(stage["features"]),
            _decimal(stage["roc_auc"], 3),
            _decimal(stage["pr_auc"], 3),
            _decimal(stage["brier"], 4),
            _percent(stage["operating_point"]["precision"]),
            _percent(stage["operating_point"]["recall"]),
        ]
        for name, stage in stages.items()
    ]
    table = _table(
        caption="Resultat per steg, samma folds",
        headers=[
            "Steg",
            "Prediktorer",
            "ROC-AUC",
            "PR-AUC",
            "Brier",
            "Precision vid arbetspunkten",
            "Täckning vid arbetspunkten",
        ],
        rows=rows,
        numeric=(1, 2, 3, 4, 5, 6),
        row_headers=True,
    )
    return (
        "<h2>Per steg: vad som är känt när</h2>\n"
        "<p>Varje steg använder bara det som var känt vid den tidpunkten (plus allt från "
        "tidigare steg). Ju senare steg, desto säkrare varning, men desto mindre tid att "
        "hjälpa.</p>\n" + table
    )


def _groups_section(
    groups: dict[str, dict[str, dict[str, Any]]],
    *,
    point: dict[str, Any],
    gaps: dict[str, list[dict[str, Any]]],
) -> str:
    parts = [
        "<h2>Rättvisegranskning per grupp</h2>",
        "<p>Vid arbetspunkten (risk ≥ "
        f"{_decimal(point['threshold'], 3)}): täckning, precision, andel falsklarm och andel "
        "missade per grupp, var och en med ett 95 %-intervall (bootstrap, "
        f"{BOOTSTRAP_RESAMPLES} omdragningar med fröet ovan) inom parentes. Kolumnerna används "
        "aldrig som prediktorer, bara här. Stora skillnader mellan grupper ska förklaras innan "
        "modellen används. Medelrisk bredvid observerad andel visar kalibreringen inom gruppen. "
        f"En grupp med färre än {MIN_GROUP_SIZE} rader är för liten för att mäta och får inga "
        "siffror.</p>",
    ]
    if not groups:
        parts.append("<p>Inga granskningskolumner angavs (<code>--audit</code>).</p>")
    for index, (column, by_value) in enumerate(groups.items()):
        parts.append(f"<h3>{escape(column)}</h3>")
        sentences = [gap_sentence(gap, column=column) for gap in gaps.get(column, [])[:3]]
        if sentences:
            parts.append(
                '<ul class="gaps">'
                + "".join(f"<li>{escape(sentence)}</li>" for sentence in sentences)
                + "</ul>"
            )
        chart = _group_chart(key=f"group-{index}", column=column, by_value=by_value)
        rows = [_group_row(value, g) for value, g in by_value.items()]
        table = _table(
            caption=f"{column}: mått per grupp med 95 %-intervall",
            headers=[
                "Grupp",
                "Rader",
                "Med utfallet",
                "Flaggade",
                "Täckning",
                "Precision",
                "Andel falsklarm",
                "Andel missade",
                "Medelrisk",
                "Observerad andel",
            ],
            rows=rows,
            numeric=(1, 2, 3, 4, 5, 6, 7, 8, 9),
            row_headers=True,
        )
        parts.append(f'<div class="pair">\n{chart}\n{table}\n</div>')
    parts.append(
        f'<p class="note">Grupper med färre än {CHART_MIN_GROUP} rader står bara i tabellen. '
        "– betyder att måttet inte går att räkna (ingen i gruppen har utfallet, eller ingen "
        "flaggades).</p>"
    )
    return "\n".join(parts)


def _group_row(value: str, g: dict[str, Any]) -> list[str]:
    if g.get("too_small"):
        return [value, _count(g["n"])] + [TOO_SMALL_TEXT] * 8
    intervals = g["intervals"]
    return [
        value,
        _count(g["n"]),
        _count(g["positives"]),
        _count(g["flagged"]),
        *(
            _with_interval(g[key], intervals.get(key))
            for key in ("recall", "precision", "fpr", "fnr")
        ),
        _percent(g["mean_risk"]),
        _percent(g["observed_rate"]),
    ]


def _with_interval(value: float | None, interval: Sequence[float] | None) -> str:
    if value is None:
        return "–"
    if interval is None:
        return _percent(value)
    return f"{_percent(value)} ({_percent(interval[0], 0)}–{_percent(interval[1], 0)})"


def _importance_section(importance: list[dict[str, Any]]) -> str:
    rows = [[item["feature"], _decimal(item["mean_abs_contribution"], 3)] for item in importance]
    table = _table(
        caption="De tio prediktorer som flyttar risken mest",
        headers=["Prediktor", "Medelbidrag (log-odds, absolutbelopp)"],
        rows=rows,
        numeric=(1,),
        row_headers=True,
    )
    return (
        "<h2>Vad som driver risken</h2>\n"
        "<p>För varje rad delas risken upp i bidrag per prediktor (SHAP-värden från "
        "trädmodellen, koefficient × avvikelse från medel i den logistiska regressionen). "
        "Samma uppdelning visar varför en enskild elev flaggas.</p>\n" + table
    )


def _terms_section() -> str:
    terms = [
        ("ROC-AUC", "0,5 är slumpen, 1 är perfekt rangordning."),
        (
            "PR-AUC",
            "genomsnittlig precision över alla trösklar; jämför med andelen med utfallet.",
        ),
        ("Brier-poäng", "medelkvadratfelet för sannolikheterna; lägre är bättre."),
        (
            "Arbetspunkt",
            "tröskeln som flaggar så många som personalen hinner följa upp, och aldrig fler.",
        ),
        ("Täckning (recall)", "andelen av alla med utfallet som flaggades."),
        ("Precision", "andelen av de flaggade som fick utfallet."),
        ("Andel falsklarm (FPR)", "andelen av dem utan utfallet som ändå flaggades."),
    ]
    rows = "\n".join(f"<dt>{escape(t)}</dt><dd>{escape(d)}</dd>" for t, d in terms)
    return f'<h2>Om måtten</h2>\n<dl class="summary">\n{rows}\n</dl>'


# --- Charts ----------------------------------------------------------------------------------

FRAME = Frame(width=380, height=340, left=56, right=16, top=16, bottom=48)


def _line_chart(
    *,
    key: str,
    title: str,
    desc: str,
    x_label: str,
    y_label: str,
    curve: tuple[np.ndarray, np.ndarray],
    reference: tuple[tuple[float, float], tuple[float, float], str],
    marker: tuple[float | None, float | None, str] | None = None,
    points: bool = False,
) -> str:
    """A unit-square chart: one solid curve, a dashed reference line, an optional marker."""
    plot_w, plot_h = FRAME.plot_width, FRAME.plot_height
    left, top = FRAME.left, FRAME.top

    def sx(value: float) -> float:
        return left + float(value) * plot_w

    def sy(value: float) -> float:
        return top + (1 - float(value)) * plot_h

    xs, ys = _thin(*curve)
    parts = [
        svg_open(key=key, width=FRAME.width, height=FRAME.height, title=title, desc=desc),
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="{GREY}" stroke-width="1"/>',
    ]
    for tick in parts_of(1.0):
        label = _decimal(tick, 1)
        parts.append(
            f'<line x1="{sx(tick):.1f}" y1="{top}" x2="{sx(tick):.1f}" y2="{top + plot_h}" '
            'stroke="#dddddd" stroke-width="1"/>'
        )
        parts.append(
            f'<line x1="{left}" y1="{sy(tick):.1f}" x2="{left + plot_w}" y2="{sy(tick):.1f}" '
            'stroke="#dddddd" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{sx(tick):.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="{INK}">{label}</text>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{sy(tick) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="{INK}">{label}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{FRAME.height - 8}" font-size="12" '
        f'text-anchor="middle" fill="{INK}">{escape(x_label)}</text>'
    )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.1f}" font-size="12" text-anchor="middle" '
        f'fill="{INK}" transform="rotate(-90 14 {top + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    (x0, y0), (x1, y1), ref_label = reference
    parts.append(
        f'<line x1="{sx(x0):.1f}" y1="{sy(y0):.1f}" x2="{sx(x1):.1f}" y2="{sy(y1):.1f}" '
        f'stroke="{GREY}" stroke-width="1.5" stroke-dasharray="6 4"/>'
    )
    # The reference line is named in text beside it, not only told apart by its dashes.
    label_x = sx(x0 + 0.55 * (x1 - x0)) + 6
    label_y = sy(y0 + 0.55 * (y1 - y0)) + 16
    parts.append(
        f'<text x="{label_x:.1f}" y="{label_y:.1f}" font-size="11" text-anchor="start" '
        f'fill="{GREY}">{escape(ref_label)}</text>'
    )
    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(xs, ys, strict=True))
    parts.append(f'<polyline points="{path}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    if points:
        for x, y in zip(xs, ys, strict=True):
            parts.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{BLUE}" '
                'stroke="#ffffff" stroke-width="1"/>'
            )
    if marker and marker[0] is not None and marker[1] is not None:
        mx, my, mark_label = sx(marker[0]), sy(marker[1]), marker[2]
        parts.append(
            f'<rect x="{mx - 5:.1f}" y="{my - 5:.1f}" width="10" height="10" fill="{INK}" '
            f'transform="rotate(45 {mx:.1f} {my:.1f})"/>'
        )
        anchor = "start" if mx < left + plot_w * 0.6 else "end"
        offset = 10 if anchor == "start" else -10
        parts.append(
            f'<text x="{mx + offset:.1f}" y="{my + 16:.1f}" font-size="11" '
            f'text-anchor="{anchor}" fill="{INK}">{escape(mark_label)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _thin(xs: np.ndarray, ys: np.ndarray, most: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """At most ``most`` points of a curve, always keeping both ends."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    if len(xs) <= most:
        return xs, ys
    keep = np.unique(np.linspace(0, len(xs) - 1, most).round().astype(int))
    return xs[keep], ys[keep]


def _group_chart(*, key: str, column: str, by_value: dict[str, dict[str, Any]]) -> str:
    """Horizontal bars, three per group; each bar carries its value and measure in text."""
    shown = [
        (value, g)
        for value, g in by_value.items()
        if not g.get("too_small") and g["n"] >= CHART_MIN_GROUP
    ]
    label_w, bar_max, bar_h, gap = 150, 230, 14, 12
    legend_h = 3 * 18 + 10
    height = legend_h + max(1, len(shown)) * (3 * bar_h + gap) + 8
    width = label_w + bar_max + 70
    left_out = len(by_value) - len(shown)
    desc = (
        f"Täckning, precision och andel falsklarm vid arbetspunkten för varje grupp i "
        f"{column} med minst {CHART_MIN_GROUP} rader"
        + (f" ({left_out} mindre grupper står bara i tabellen)" if left_out else "")
        + ". "
        + " ".join(
            f"{value}: "
            + ", ".join(f"{label.lower()} {_percent(g[m])}" for m, label, *_ in GROUP_MEASURES)
            + "."
            for value, g in shown
        )
    )
    parts = [
        svg_open(key=key, width=width, height=height, title=f"{column}: mått per grupp", desc=desc),
        "<defs>",
        f'<pattern id="{key}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="3" height="6" fill="{GREEN}"/></pattern>',
        f'<pattern id="{key}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#ffffff"/>'
        f'<circle cx="2.5" cy="2.5" r="1.6" fill="{RED}"/></pattern>',
        "</defs>",
    ]
    legend_y = 4
    for _measure, label, short, colour, pattern in GROUP_MEASURES:
        fill = colour if pattern == "solid" else f"url(#{key}-{pattern})"
        parts.append(
            f'<rect x="4" y="{legend_y}" width="14" height="14" fill="{fill}" '
            f'stroke="{colour}" stroke-width="1"/>'
        )
        text = f"{short} = {label}"
        parts.append(
            f'<text x="24" y="{legend_y + 11}" font-size="11" fill="{INK}">{escape(text)}</text>'
        )
        legend_y += 18
    y = legend_h
    for value, g in shown:
        group_label = value if len(value) <= 22 else value[:21] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 1.5 * bar_h + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="{INK}">{escape(group_label)}</text>'
        )
        for measure, _label, short, colour, pattern in GROUP_MEASURES:
            rate = g[measure]
            fill = colour if pattern == "solid" else f"url(#{key}-{pattern})"
            length = 0.0 if rate is None else rate * bar_max
            parts.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{length:.1f}" height="{bar_h - 2}" '
                f'fill="{fill}" stroke="{colour}" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{label_w + length + 4:.1f}" y="{y + bar_h - 3}" font-size="11" '
                f'fill="{INK}">{short} {_percent(rate)}</text>'
            )
            y += bar_h
        y += gap
    if not shown:
        parts.append(
            f'<text x="4" y="{legend_h + 14}" font-size="12" fill="{INK}">'
            f"Ingen grupp har minst {CHART_MIN_GROUP} rader.</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


# --- Small helpers ---------------------------------------------------------------------------


def _pair(heading: str, chart: str, caption: str, table: str) -> str:
    return (
        f"<h2>{escape(heading)}</h2>\n"
        '<div class="pair">\n<figure>\n'
        f"{chart}\n<figcaption>{escape(caption)}</figcaption>\n</figure>\n{table}\n</div>"
    )


def _table(
    *,
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[int],
    row_headers: bool = False,
    escape_cells: bool = True,
) -> str:
    numeric_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{numeric_class if i in numeric else ""}>{escape(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = escape(cell) if escape_cells else cell
            css = ' class="num"' if i in numeric else ""
            if i == 0 and row_headers:
                cells.append(f'<th scope="row"{css}>{text}</th>')
            else:
                cells.append(f"<td{css}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table>\n<caption>{escape(caption)}</caption>\n<thead><tr>{head}</tr></thead>\n"
        "<tbody>\n" + "\n".join(body) + "\n</tbody>\n</table>"
    )


def _decimal(value: float | None, digits: int) -> str:
    if value is None:
        return "–"
    return f"{float(value):.{digits}f}".replace(".", ",").replace("-", "−")


def _percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{100 * float(value):.{digits}f} %".replace(".", ",")


def _count(value: int) -> str:
    # Swedish thousands separator: a (non-breaking) space.
    return f"{int(value):,}".replace(",", "\u00a0")
