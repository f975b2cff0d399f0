"""Training hours as CSV and XLSX: the table on the page, per organisation and per role.

The figures name organisations and professional roles, never people, and describe staff
competence development rather than young people: no small-cell suppression is needed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from lotsen.events.selectors import TrainingHours
from lotsen.stats.tabular import Cell, Sheet, bold, csv_text, xlsx_bytes


def _hours_text(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _about(data: TrainingHours) -> list[list[str]]:
    return [
        [_("Program"), data.programme.name if data.programme else _("Alla program")],
        [_("Från och med"), data.date_from.isoformat() if data.date_from else ""],
        [_("Till och med"), data.date_to.isoformat() if data.date_to else ""],
        [_("Evenemang"), str(data.events)],
    ]


def _sections(data: TrainingHours):
    yield _("Organisation"), data.by_organisation
    yield _("Yrkesroll"), data.by_role


def training_hours_csv(data: TrainingHours) -> str:
    rows: list[list] = [[_("Gruppering"), _("Namn"), _("Deltagare"), _("Utbildningstimmar")]]
    for heading, section in _sections(data):
        for row in [*section, data.total]:
            rows.append([heading, row.label, row.people, row.hours])
    return csv_text(rows=rows, delimiter=";", float_text=_hours_text)


def training_hours_xlsx(data: TrainingHours) -> bytes:
    sheets = [
        Sheet(title=_("Om filen"), rows=[[Cell(_("Utbildningstimmar"), bold=True)], *_about(data)])
    ]
    for heading, section in _sections(data):
        rows = [bold([heading, _("Deltagare"), _("Utbildningstimmar")])]
        rows += [[row.label, row.people, row.hours] for row in [*section, data.total]]
        sheets.append(Sheet(title=heading, rows=rows, widths={1: 40, 3: 18}))
    return xlsx_bytes(sheets=sheets)
