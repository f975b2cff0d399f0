""" "What works" as CSV and XLSX. Exports may leave the project team, so the selector gives
them with small cells hidden whoever downloads them (``what_works(export=True)``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lotsen.insights.selectors import WhatWorks
from lotsen.insights.whatworks import Interval, ShownShare
from lotsen.stats.suppression import PRIMARY, THRESHOLD
from lotsen.stats.tabular import Cell, Sheet, csv_text, xlsx_bytes


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


def _decimal_comma(value: float) -> str:
    return str(value).replace(".", ",")


def whatworks_csv(data: WhatWorks) -> str:
    return csv_text(rows=[columns(), *rows(data)], delimiter=";", float_text=_decimal_comma)


def whatworks_xlsx(data: WhatWorks) -> bytes:
    about = [
        [Cell(_("Vad fungerar? Utfall per metod"), bold=True)],
        [_("Program"), data.programme.name if data.programme else _("Alla program")],
        [_("Deltagare som ingår"), _number(_participants_text(data))],
        [_("Beskrivande, inte orsakande"), descriptive_note()],
        [_("Små antal"), suppression_note()],
    ]
    about = [[row[0], *(Cell(v, wrap=True) for v in row[1:])] for row in about]
    header = [Cell(column, bold=True, wrap=True) for column in columns()]
    methods = [header, *([_number(v) for v in row] for row in rows(data))]
    return xlsx_bytes(
        sheets=[
            Sheet(title=_("Om filen"), rows=about, widths={1: 28, 2: 100}),
            Sheet(title=_("Metoder"), rows=methods, widths={1: 36}),
        ]
    )


def _participants_text(data: WhatWorks) -> str:
    n = data.participants
    return PRIMARY if data.suppressed and 0 < n < THRESHOLD else str(n)
