"""Survey results as CSV: always the version that may leave the project team, with small
cells hidden and no free text, whoever downloads it."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from lotsen.surveys.selectors import SurveyResults


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}"


def results_csv(data: SurveyResults) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Fråga"), _("Svar"), _("Antal"), _("Andel (%)")])
    if data.too_few:
        writer.writerow([_("För få svar för att visa resultat"), "", "", ""])
        return out.getvalue()
    for row in data.questions:
        text = row.question.text
        if row.distribution is None:
            writer.writerow([text, _("Fritextsvar"), row.free_text_count, ""])
            continue
        writer.writerow([text, _("Har svarat"), row.distribution.answered_text, ""])
        for label, cell in zip(row.labels, row.distribution.cells, strict=True):
            writer.writerow([text, label, cell.text, _percent(cell.share)])
    return out.getvalue()
