"""Survey results as CSV: always the version that may leave the project team, with small
cells hidden and no free text, whoever downloads it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lotsen.stats.tabular import csv_text
from lotsen.surveys.selectors import SurveyResults


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}"


def results_csv(data: SurveyResults) -> str:
    rows: list[list] = [[_("Fråga"), _("Svar"), _("Antal"), _("Andel (%)")]]
    if data.too_few:
        rows.append([_("För få svar för att visa resultat"), "", "", ""])
        return csv_text(rows=rows, delimiter=";")
    for row in data.questions:
        text = row.question.text
        if row.distribution is None:
            rows.append([text, _("Fritextsvar"), row.free_text_count, ""])
            continue
        rows.append([text, _("Har svarat"), row.distribution.answered_text, ""])
        for label, cell in zip(row.labels, row.distribution.cells, strict=True):
            rows.append([text, label, cell.text, _percent(cell.share)])
    return csv_text(rows=rows, delimiter=";")
