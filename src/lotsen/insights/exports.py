""" "What works" as CSV and XLSX. Exports may leave the project team, so the selector gives
them with small cells hidden whoever downloads them (``what_works(export=True)``)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from lotsen.insights.selectors import WhatWorks
from lotsen.insights.whatworks import Interval, ShownShare
from lotsen.kaa.suppression import PRIMARY, THRESHOLD


def descriptive_note() -> str:
    return _(
        "Siffrorna beskriver hur det gick för de deltagare som fick metoden. De visar inte "
        "vad metoden orsakade: de som fick en metod skiljer sig från dem som fick en annan, "
        "så metoderna kan inte jämföras som om skillnaderna berodde på dem."
    )


def suppression_note() -> str:
    return _(
        "Antal från 1 till 4 visas som <5. Ett antal som annars skulle gå att räkna ut visas "
        "som '..'. Andelar och medelvärden visas bara när antalen de bygger på visas."
    )


def columns() -> list[str]:
    return [
        _("Metod"),
        _("Deltagare som fått metoden"),
        _("Har avslutat"),
        _("I utbildning eller arbete vid avslut"),
        _("Andel vid avslut (%)"),
        _("95 % KI, nedre (%)"),
        _("95 % KI, övre (%)"),
        _("Följts upp efter sex månader"),
        _("I arbete eller förbättrad situation efter sex månader"),
        _("Andel efter sex månader (%)"),
        _("95 % KI, nedre (%)"),
        _("95 % KI, övre (%)"),
        _("Med minst två WHO-5"),
        _("Förändring i WHO-5 (medel, 0–100)"),
        _("95 % KI, nedre"),
        _("95 % KI, övre"),
    ]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _interval(interval: Interval | None, scale: float) -> list[float | None]:
    if interval is None:
        return [None, None]
    return [round(interval.low * scale, 1), round(interval.high * scale, 1)]


def _share(share: ShownShare) -> list:
    return [share.n, share.successes, _pct(share.share), *_interval(share.interval, 100)]


def rows(data: WhatWorks) -> list[list]:
    """Counts stay text ("<5", "..") where hidden; computed figures are None there."""
    out = []
    for row in data.rows:
        s = row.shown
        mean = None if s.wellbeing_mean is None else round(s.wellbeing_mean, 1)
        out.append(
            [
                row.method.name,
                s.participants,
                *_share(s.on_exit),
                *_share(s.at_6_months),
                s.wellbeing_n,
                mean,
                *_interval(s.wellbeing_interval, 1),
            ]
        )
    return out


def _number(value) -> object:
    """Counts as numbers in the spreadsheet, hidden ones as their marks."""
    return int(value) if isinstance(value, str) and value.isdigit() else value


def whatworks_csv(data: WhatWorks) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns())
    for row in rows(data):
        writer.writerow(
            [
                "" if v is None else str(v).replace(".", ",") if isinstance(v, float) else v
                for v in row
            ]
        )
    return out.getvalue()


def whatworks_xlsx(data: WhatWorks) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    about = book.active
    about.title = _("Om filen")
    about.append([_("Vad fungerar? Utfall per metod")])
    about["A1"].font = Font(bold=True)
    about.append([_("Program"), data.programme.name if data.programme else _("Alla program")])
    about.append([_("Deltagare som ingår"), _number(_participants_text(data))])
    about.append([_("Beskrivande, inte orsakande"), descriptive_note()])
    about.append([_("Små antal"), suppression_note()])
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100
    for cell in about["B"]:
        cell.alignment = Alignment(wrap_text=True)
    sheet = book.create_sheet(_("Metoder"))
    sheet.append(columns())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for row in rows(data):
        sheet.append([_number(v) for v in row])
    sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _participants_text(data: WhatWorks) -> str:
    n = data.participants
    return PRIMARY if data.suppressed and 0 < n < THRESHOLD else str(n)
