"""The documents every risk model version carries (EU AI Act, Regulation 2024/1689): a model
card (the technical documentation of Art. 11 and Annex IV, in the shape of Mitchell et al.'s
model cards) and a pre-filled fundamental-rights impact assessment (Art. 27) for the
deploying organisation to complete.

Every section is written from the facts of one version (``CardFacts``): its training data,
its features, its cross-validated performance per information stage, its calibration and its
fairness audit with intervals. Change the data and the text changes; the fixed text is what
the facts mean, never a placeholder for them. The same sections render as plain text (the
command line and ``ModelVersion.model_card``), as an HTML page and as an ODT document.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from lotsen.earlywarning.fairness import MIN_GROUP_SIZE, gap_sentence

MODEL_CARD_TITLE = "Modellkort"
MODEL_CARD_FILE = "modellkort"
IMPACT_FILE = "konsekvensbedomning"
IMPACT_TITLE = "Konsekvensbedömning för grundläggande rättigheter (utkast)"
TO_COMPLETE = "Fylls i av den organisation som använder modellen:"


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str]
    # An optional table: header row first.
    table: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class CardFacts:
    """What one model version is, from the product's training or from a CSV evaluation."""

    name: str
    version: str
    trained: str
    libraries: str
    predicts: str
    n: int
    positives: int
    base_rate: float
    period: str
    features: list[str]
    ignored: dict[str, str]
    excluded: list[str]
    folds: int
    seed: int
    roc_auc: float
    pr_auc: float
    brier: float
    operating_point: dict[str, Any]
    # (stage label, rows, outcomes, ROC-AUC or None)
    stages: list[tuple[str, int, int, float | None]]
    calibration: list[dict[str, Any]]
    groups: dict[str, dict[str, dict[str, Any]]]
    gaps: dict[str, list[dict[str, Any]]]
    users: str
    limitations: list[str]
    # For the impact assessment: where and how often it runs, and whom it concerns.
    deployment: dict[str, Any] = field(default_factory=dict)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


def _decimal(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


def model_card_sections(f: CardFacts) -> list[Section]:
    op = f.operating_point
    sections = [
        Section(
            "Modell och version",
            [
                f"{f.name}, version {f.version}, tränad {f.trained}.",
                f"Programversioner: {f.libraries}.",
            ],
        ),
        Section(
            "Avsedd användning och användare",
            [
                f"Modellen bedömer {f.predicts}.",
                f"Användare: {f.users}. En bedömning är en uppmaning till ett samtal med "
                "eleven och en översyn av stödet, aldrig ett beslut om eleven.",
            ],
        ),
        Section(
            "Får inte användas till",
            [
                "Beslut om betyg, antagning, placering, disciplinära åtgärder eller "
                "myndighetsutövning mot eleven; rangordning av skolor eller personal; "
                "bedömning av elever i anpassad grundskola eller anpassad gymnasieskola; "
                "någon annan elevgrupp eller period än den modellen tränats på: "
                f"{f.period}",
            ],
        ),
        Section(
            "Träningsdata",
            [
                f"{f.period} {f.n} rader med känt utfall, varav {f.positives} med utfallet "
                f"({_percent(f.base_rate)}).",
            ],
        ),
        Section("Prediktorer", _feature_paragraphs(f)),
        Section(
            "Prestanda",
            [
                f"Korsvalidering i {f.folds} delar (frö {f.seed}): ROC-AUC "
                f"{_decimal(f.roc_auc)}, PR-AUC {_decimal(f.pr_auc)} (mot andelen med "
                f"utfallet {_percent(f.base_rate)}), Brier {_decimal(f.brier, 3)}.",
                f"Arbetspunkt: de {_percent(op.get('caseload_target'))} med högst risk "
                f"följs upp (risk från {_percent(op.get('threshold'))}). Där är precisionen "
                f"{_percent(op.get('precision'))} och täckningen {_percent(op.get('recall'))}: "
                f"{_percent(op.get('recall'))} av dem som fick utfallet hade flaggats, och "
                f"{_percent(op.get('precision'))} av de flaggade fick det.",
            ],
            table=_stage_table(f.stages),
        ),
        Section("Prestanda per informationssteg", _stage_paragraphs(f.stages)),
        Section("Kalibrering", _calibration_paragraphs(f.calibration), _calibration_table(f)),
    ]
    for column, by_value in f.groups.items():
        sections.append(
            Section(
                f"Rättvisegranskning: {column}",
                _group_paragraphs(column, by_value, f.gaps.get(column, [])),
                _group_table(by_value),
            )
        )
    sections.append(Section("Kända begränsningar", list(f.limitations) + _derived_limits(f)))
    return sections


def _feature_paragraphs(f: CardFacts) -> list[str]:
    paragraphs = [f"{len(f.features)} prediktorer: " + "; ".join(f.features) + "."]
    if f.ignored:
        paragraphs.append(
            "Utelämnade av modellen eftersom de saknar information i den här historiken: "
            + "; ".join(f"{name} ({reason})" for name, reason in f.ignored.items())
            + "."
        )
    if f.excluded:
        paragraphs.append(
            "Medvetet uteslutna, används aldrig som prediktorer: " + "; ".join(f.excluded) + "."
        )
    return paragraphs


def _stage_table(stages: Sequence[tuple[str, int, int, float | None]]) -> list[list[str]]:
    if not stages:
        return []
    return [["Steg", "Rader", "Med utfallet", "ROC-AUC"]] + [
        [label, str(n), str(positives), _decimal(auc)] for label, n, positives, auc in stages
    ]


def _stage_paragraphs(stages: Sequence[tuple[str, int, int, float | None]]) -> list[str]:
    measured = [(label, auc) for label, _n, _p, auc in stages if auc is not None]
    if len(measured) < 2:
        return ["Modellen mättes bara som helhet: inga steg med olika kända uppgifter angavs."]
    weakest = min(measured, key=lambda item: item[1])
    strongest = max(measured, key=lambda item: item[1])
    return [
        "Varje steg använder bara det som var känt vid den tidpunkten. Svagast vid "
        f"{weakest[0]} (ROC-AUC {_decimal(weakest[1])}), starkast vid {strongest[0]} "
        f"(ROC-AUC {_decimal(strongest[1])}). En tidig varning är osäkrare men ger mer tid "
        "att hjälpa."
    ]


def _calibration_paragraphs(bins: Sequence[dict[str, Any]]) -> list[str]:
    if not bins:
        return ["Ingen kalibrering mättes."]
    worst = max(bins, key=lambda b: abs(b["predicted"] - b["observed"]))
    return [
        "Kalibreringen jämför modellens risk med den andel som faktiskt fick utfallet. "
        f"Störst avvikelse i intervallet från {_percent(worst['from'])}: modellen sa "
        f"{_percent(worst['predicted'])}, utfallet blev {_percent(worst['observed'])} "
        f"({worst['n']} rader)."
    ]


def _calibration_table(f: CardFacts) -> list[list[str]]:
    if not f.calibration:
        return []
    return [["Risk från", "Modellens risk", "Observerad andel", "Rader"]] + [
        [_percent(b["from"]), _percent(b["predicted"]), _percent(b["observed"]), str(b["n"])]
        for b in f.calibration
    ]


def _group_paragraphs(
    column: str, by_value: dict[str, dict[str, Any]], gaps: list[dict[str, Any]]
) -> list[str]:
    small = [label for label, g in by_value.items() if g.get("too_small") or g.get("suppressed")]
    paragraphs = [
        f"Mått vid arbetspunkten per grupp i {column}, med 95 %-intervall (bootstrap). "
        f"{column.capitalize()} används aldrig som prediktor, bara här."
    ]
    paragraphs += [gap_sentence(gap, column=column) for gap in gaps[:3]]
    if small:
        paragraphs.append(
            f"För få för att mäta (färre än {MIN_GROUP_SIZE} rader): " + ", ".join(small) + "."
        )
    return paragraphs


def _interval_text(g: dict[str, Any], key: str) -> str:
    value = g.get(key)
    interval = (g.get("intervals") or {}).get(key)
    if value is None:
        return "–"
    if not interval:
        return _percent(value)
    return f"{_percent(value)} ({_percent(interval[0])}–{_percent(interval[1])})"


def _group_table(by_value: dict[str, dict[str, Any]]) -> list[list[str]]:
    rows = [["Grupp", "Rader", "Täckning", "Precision", "Andel falsklarm", "Andel missade"]]
    for label, g in by_value.items():
        if g.get("too_small") or g.get("suppressed"):
            n = "färre än 10" if g.get("n") is None else str(g["n"])
            rows.append([label, n, "för få", "för få", "för få", "för få"])
        else:
            rows.append(
                [label, str(g["n"])]
                + [_interval_text(g, key) for key in ("recall", "precision", "fpr", "fnr")]
            )
    return rows


def _derived_limits(f: CardFacts) -> list[str]:
    limits = []
    flagged = [
        gap_sentence(gap, column=column)
        for column, gaps in f.gaps.items()
        for gap in gaps
        if gap["flagged"]
    ]
    if flagged:
        limits.append(
            "Rättvisegranskningen fann skillnader mellan grupper som måste förklaras: "
            + " ".join(flagged)
        )
    if f.positives < 100:
        limits.append(f"Bara {f.positives} rader med utfallet: måtten är osäkra, se intervallen.")
    return limits


def impact_assessment_sections(f: CardFacts) -> list[Section]:
    """Art. 27(1) a–f, pre-filled from the version and its deployment."""
    d = f.deployment
    flagged = [
        gap_sentence(gap, column=column)
        for column, gaps in f.gaps.items()
        for gap in gaps
        if gap["flagged"]
    ]
    op = f.operating_point
    risks = [
        f"Falsklarm: vid arbetspunkten fick {_percent(1 - (op.get('precision') or 0))} av de "
        "flaggade inte utfallet. Risk: en elev bemöts som om hen vore på väg att avbryta "
        "(stigmatisering, lägre förväntningar).",
        f"Missade: {_percent(1 - (op.get('recall') or 0))} av dem som fick utfallet "
        "flaggades inte. Risk: stödet uteblir om personalen litar på modellen i stället för "
        "sin egen bedömning.",
    ]
    risks += flagged or ["Rättvisegranskningen fann ingen skillnad mellan grupper som data bär."]
    return [
        Section(
            "a) Processer där modellen används",
            [
                f"Tidig identifiering: {f.predicts}. Bedömningen visas för {f.users} "
                "bredvid de regelbaserade signalerna och deras skäl.",
                d.get("processes", ""),
                TO_COMPLETE + " vilka beslut och arbetsflöden i er verksamhet som berörs.",
            ],
        ),
        Section(
            "b) Period och frekvens",
            [
                d.get("frequency", "Bedömningarna räknas om när nya skoluppgifter kommer in."),
                f"Versionen {f.version} tränades {f.trained} på: {f.period} "
                + (
                    f"Aktiverad {d['activated']}."
                    if d.get("activated")
                    else "Versionen är inte aktiverad."
                ),
                TO_COMPLETE + " planerad användningsperiod och när modellen ska omprövas.",
            ],
        ),
        Section(
            "c) Personer och grupper som berörs",
            [
                d.get("affected", f"Elever i samma skolformer som träningsdatan: {f.period}"),
                _group_sizes(f),
                "Barn och unga är en särskilt sårbar grupp (artikel 27.1 c); uppgifterna kan "
                "röra hälsa och sociala förhållanden.",
                TO_COMPLETE + " grupper i er verksamhet som kan påverkas särskilt.",
            ],
        ),
        Section("d) Risker för skada", risks + [TO_COMPLETE + " risker ni ser lokalt."]),
        Section(
            "e) Mänsklig tillsyn",
            [
                "En bedömning är en uppmaning till ett samtal, aldrig ett beslut. Personalen "
                "kvitterar, agerar eller avfärdar med ett skäl, och kan ange att de inte håller "
                "med om nivån; hur ofta de inte håller med följs upp per skola.",
                "Varje organisation kan stänga av den inlärda modellen (då gäller bara de "
                "regelbaserade signalerna). En ny version används först när en person har "
                "jämfört den med den som används och aktiverat den.",
                d.get("oversight", "Versionen är inte aktiverad och bedömer ingen."),
                TO_COMPLETE + " vem som ansvarar för tillsynen och hur personalen utbildas.",
            ],
        ),
        Section(
            "f) Åtgärder om riskerna inträffar",
            [
                "Stäng av den inlärda modellen för organisationen; utred med "
                "rättvisegranskningen och jämförelsen; träna om eller återgå till "
                + d.get("previous", "en tidigare version")
                + ". Den unga (och vårdnadshavare för minderåriga) kan på Mina sidor se "
                "vad modellen sa och säga att det inte stämmer; det blir en uppgift för den "
                "ansvariga personalen.",
                TO_COMPLETE + " klagomålsväg, kontakt med dataskyddsombud och anmälan till "
                "marknadskontrollmyndigheten.",
            ],
        ),
    ]


def _group_sizes(f: CardFacts) -> str:
    sizes = [
        f"{label} {g['n'] if g.get('n') is not None else 'färre än 10'}"
        for by_value in f.groups.values()
        for label, g in by_value.items()
    ]
    if not sizes:
        return f"Träningsdatan: {f.n} rader."
    return f"Träningsdatan: {f.n} rader, per grupp {', '.join(sizes)}."


# --- Rendering ------------------------------------------------------------------------------


def sections_text(title: str, sections: Sequence[Section]) -> str:
    lines = [title, "=" * len(title)]
    for section in sections:
        lines += ["", section.title, "-" * len(section.title)]
        lines += [p for p in section.paragraphs if p]
        for row in section.table:
            lines.append("  " + " | ".join(row))
    return "\n".join(lines)


def sections_html_fragment(sections: Sequence[Section], *, level: int = 2) -> str:
    """The sections as HTML for a page of ours (GOV.UK classes)."""
    parts = []
    for section in sections:
        parts.append(
            f'<h{level} class="govuk-heading-m">{escape(section.title)}</h{level}>'
            if level == 2
            else f'<h{level} class="govuk-heading-s">{escape(section.title)}</h{level}>'
        )
        parts += [f'<p class="govuk-body">{escape(p)}</p>' for p in section.paragraphs if p]
        if section.table:
            head, *rows = section.table
            parts.append('<div class="lotsen-table-wrap"><table class="govuk-table">')
            parts.append(
                '<thead class="govuk-table__head"><tr class="govuk-table__row">'
                + "".join(
                    f'<th scope="col" class="govuk-table__header">{escape(h)}</th>' for h in head
                )
                + '</tr></thead><tbody class="govuk-table__body">'
            )
            for row in rows:
                parts.append(
                    '<tr class="govuk-table__row">'
                    f'<th scope="row" class="govuk-table__header">{escape(row[0])}</th>'
                    + "".join(f'<td class="govuk-table__cell">{escape(c)}</td>' for c in row[1:])
                    + "</tr>"
                )
            parts.append("</tbody></table></div>")
    return "\n".join(parts)


def sections_html(title: str, sections: Sequence[Section]) -> str:
    """A standalone HTML document (the export), readable without Lotsen's styles."""
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "</head>\n<body>\n<main>\n"
        f"<h1>{escape(title)}</h1>\n"
        + sections_html_fragment(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def sections_odt(title: str, sections: Sequence[Section]) -> bytes:
    """An OpenDocument text the deploying organisation can complete in any office suite."""
    from odf.opendocument import OpenDocumentText
    from odf.style import Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    bold = Style(name="Rubrikcell", family="paragraph")
    bold.addElement(TextProperties(fontweight="bold"))
    document.automaticstyles.addElement(bold)
    document.text.addElement(H(outlinelevel=1, text=title))
    for number, section in enumerate(sections):
        document.text.addElement(H(outlinelevel=2, text=section.title))
        for paragraph in section.paragraphs:
            if paragraph:
                document.text.addElement(P(text=paragraph))
        if section.table:
            table = Table(name=f"Tabell{number + 1}")
            table.addElement(TableColumn(numbercolumnsrepeated=len(section.table[0])))
            for index, row in enumerate(section.table):
                table_row = TableRow()
                for cell in row:
                    table_cell = TableCell(valuetype="string")
                    if index == 0:
                        table_cell.addElement(P(stylename=bold, text=cell))
                    else:
                        table_cell.addElement(P(text=cell))
                    table_row.addElement(table_cell)
                table.addElement(table_row)
            document.text.addElement(table)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def documents_write(facts: CardFacts, *, out: Path) -> list[Path]:
    """The model card and the impact-assessment draft as HTML and ODT in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, title, sections in (
        (MODEL_CARD_FILE, MODEL_CARD_TITLE, model_card_sections(facts)),
        (IMPACT_FILE, IMPACT_TITLE, impact_assessment_sections(facts)),
    ):
        page = out / f"{stem}.html"
        page.write_text(sections_html(f"{title}: {facts.name}", sections), encoding="utf-8")
        document = out / f"{stem}.odt"
        document.write_bytes(sections_odt(f"{title}: {facts.name}", sections))
        written += [page, document]
    return written
