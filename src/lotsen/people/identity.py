"""Swedish personal identity numbers (personnummer) and coordination numbers
(samordningsnummer): parsing, checksum, century and date of birth.

Pure module: no Django. Rules (Skatteverket, SKV 704):
- ten digits YYMMDD-NNNC; the separator is ``-`` until the year the person turns 100,
  then ``+``; the twelve-digit form YYYYMMDDNNNC states the century outright;
- C is a Luhn check digit over the ten digits YYMMDDNNN;
- a coordination number adds 60 to the day of birth;
- the number says nothing we may use about gender: we never derive it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

ERROR_FORMAT = "Ange personnumret som ÅÅÅÅMMDD-NNNN eller ÅÅMMDD-NNNN."
ERROR_CHECKSUM = "Kontrollsiffran stämmer inte. Kontrollera personnumret."
ERROR_DATE = "Födelsedatumet i personnumret finns inte."
ERROR_FUTURE = "Födelsedatumet i personnumret ligger i framtiden."

_PATTERN = re.compile(
    r"^(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{3})(?P<check>\d)$"
)


class InvalidIdentityNumber(ValueError):
    """The number is not a valid personnummer or samordningsnummer; ``str()`` says why."""


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years on ``day``; the birthday itself counts as reached (a 29 February child
    turns a year older on 1 March in other years)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for ``digits`` (weights 2,1,2,1,... from the left)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def luhn_valid(digits: str) -> bool:
    return (
        digits.isdigit() and len(digits) >= 2 and luhn_check_digit(digits[:-1]) == int(digits[-1])
    )


@dataclass(frozen=True)
class IdentityNumber:
    """A validated number. ``normalized`` is the twelve-digit form we store."""

    normalized: str
    date_of_birth: dt.date
    is_coordination_number: bool

    @property
    def display(self) -> str:
        return f"{self.normalized[:8]}-{self.normalized[8:]}"


def parse_identity_number(raw: str, *, today: dt.date | None = None) -> IdentityNumber:
    """Parse and validate; raise InvalidIdentityNumber with a message for the person typing."""
    today = today or dt.date.today()
    cleaned = (raw or "").strip().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if not match:
        raise InvalidIdentityNumber(ERROR_FORMAT)
    yymmdd, serial, check = match["yymmdd"], match["serial"], match["check"]
    if not luhn_valid(yymmdd + serial + check):
        raise InvalidIdentityNumber(ERROR_CHECKSUM)

    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    is_coordination = dd > 60
    day = dd - 60 if is_coordination else dd

    if match["century"]:
        year = int(match["century"]) * 100 + yy
    else:
        # The ten-digit form: the latest year not after today, and 100 years earlier
        # when the separator is "+".
        year = (today.year // 100) * 100 + yy
        if _safe_date(year, mm, day) is None or _safe_date(year, mm, day) > today:
            year -= 100
        if match["sep"] == "+":
            year -= 100

    born = _safe_date(year, mm, day)
    if born is None:
        raise InvalidIdentityNumber(ERROR_DATE)
    if born > today:
        raise InvalidIdentityNumber(ERROR_FUTURE)
    return IdentityNumber(
        normalized=f"{year:04d}{mm:02d}{dd:02d}{serial}{check}",
        date_of_birth=born,
        is_coordination_number=is_coordination,
    )


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        # Leap days make a ten-digit number's century matter: 000229 exists in 2000, not 1900.
        return None


def make_identity_number(born: dt.date, serial: int, *, coordination: bool = False) -> str:
    """A valid twelve-digit number for ``born`` and a three-digit serial (for synthetic data)."""
    day = born.day + (60 if coordination else 0)
    body = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born.year:04d}{born.month:02d}{day:02d}{serial:03d}{luhn_check_digit(body)}"
