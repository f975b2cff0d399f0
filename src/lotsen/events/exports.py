"""Training hours as CSV and XLSX: the table on the page, per organisation and per role.

The figures name organisations and professional roles, never people, and describe staff
competence development rather than young people: no small-cell suppression is needed.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from lotsen.events.selectors import TrainingHours


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
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Gruppering"), _("Namn"), _("Deltagare"), _("Utbildningstimmar")])
    for heading, rows in _sections(data):
        for row in [*rows, data.total]:
            writer.writerow([heading, row.label, row.people, _hours_text(row.hours)])
    return out.getvalue()


def training_hours_xlsx(data: TrainingHours) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    about = book.active
    about.title = _("Om filen")
    about.append([_("Utbildningstimmar")])
    about["A1"].font = Font(bold=True)
    for row in _about(data):
        about.append(row)
    for heading, rows in _sections(data):
        sheet = book.create_sheet(str(heading))
        sheet.append([heading, _("Deltagare"), _("Utbildningstimmar")])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in [*rows, data.total]:
            sheet.append([row.label, row.people, row.hours])
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["C"].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
