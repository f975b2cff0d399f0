"""Training hours: an event's length for every professional who attended, summed per
organisation and per professional role. Pure module: no Django.

Only attendance counts. A registration without marked attendance (None) or marked as
absent gives no hours: the figure is reported to funders as competence development done,
not planned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

UNKNOWN = "Ej angiven"


@dataclass(frozen=True)
class Attendance:
    organisation: str
    role: str
    hours: float


@dataclass(frozen=True)
class HoursRow:
    label: str
    people: int
    hours: float


def normalise_label(text: str) -> str:
    """One spelling per group: "  kurator " and "Kurator" are the same role."""
    words = " ".join(text.split())
    return words[:1].upper() + words[1:] if words else UNKNOWN


def hours_by(attendances: Iterable[Attendance], key: Callable[[Attendance], str]) -> list[HoursRow]:
    """Rows sorted by hours (most first), then label. Labels are grouped case-blind and
    shown in the spelling met first."""
    shown: dict[str, str] = {}
    people: dict[str, int] = {}
    hours: dict[str, float] = {}
    for item in attendances:
        label = normalise_label(key(item))
        folded = label.casefold()
        shown.setdefault(folded, label)
        people[folded] = people.get(folded, 0) + 1
        hours[folded] = hours.get(folded, 0.0) + item.hours
    rows = [HoursRow(shown[k], people[k], round(hours[k], 2)) for k in shown]
    return sorted(rows, key=lambda r: (-r.hours, r.label.casefold()))


def total(rows: Iterable[HoursRow], *, label: str) -> HoursRow:
    rows = list(rows)
    return HoursRow(label, sum(r.people for r in rows), round(sum(r.hours for r in rows), 2))
