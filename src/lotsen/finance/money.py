"""Money arithmetic for budgets and co-financing. Pure module: no Django.

Amounts are Decimal kronor with two decimals (öre). Shares are Decimal fractions
(0.3 = 30 %), None when the whole is zero, because "no budget yet" is not "0 % spent".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ORE = Decimal("0.01")
_MAX_DIGITS = 26
ZERO = Decimal("0.00")

ERROR_AMOUNT_FORMAT = "ogiltigt belopp {value!r} (skriv till exempel 1234,50)"
ERROR_AMOUNT_NEGATIVE = "beloppet kan inte vara negativt"
ERROR_AMOUNT_DECIMALS = "beloppet får ha högst två decimaler"
ERROR_AMOUNT_TOO_LARGE = "beloppet får vara högst {limit} kronor"

# Spaces (also the no-break and thin spaces spreadsheets write) group thousands.
_GROUPING = re.compile(r"[\s\u00a0\u202f]")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def to_ore(value: Decimal) -> Decimal:
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


def staff_time_amount(hours: Decimal, hourly_rate: Decimal) -> Decimal:
    """The value of staff time given as co-financing, rounded half up to whole öre."""
    return to_ore(Decimal(hours) * Decimal(hourly_rate))


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` as an exact Decimal fraction; None when the whole is zero."""
    if not whole:
        return None
    return Decimal(part) / Decimal(whole)


def percent_text(fraction: Decimal | None, *, decimals: int = 1) -> str:
    """A fraction as Swedish percent text without the sign: 0.305 → "30,5", None → "–"."""
    if fraction is None:
        return "–"
    step = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    value = (Decimal(fraction) * 100).quantize(step, rounding=ROUND_HALF_UP)
    text = f"{value:.{decimals}f}".replace(".", ",")
    if decimals and text.endswith("," + "0" * decimals):
        text = text[: -(decimals + 1)]
    return text


def sek_text(amount: Decimal | int | None) -> str:
    """Whole kronor with a no-break space between thousands: 1234567.4 → "1 234 567"."""
    if amount is None:
        return "–"
    whole = Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    sign = "−" if whole < 0 else ""
    return sign + f"{abs(int(whole)):,}".replace(",", "\u00a0")


def parse_amount(text: str, *, max_digits: int | None = None) -> Decimal:
    """An amount as people and spreadsheets write it: "1234.50", "1 234,50", "1234,5".

    Raises ValueError with a Swedish message for anything else, for negative amounts,
    for more than two decimals (öre is the smallest unit) and, given ``max_digits`` (the
    column's, decimals included), for an amount the column cannot hold.
    """
    raw = _GROUPING.sub("", text.strip())
    if raw.startswith("-") or raw.startswith("−"):
        raise ValueError(ERROR_AMOUNT_NEGATIVE)
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    if not _NUMBER.match(raw):
        raise ValueError(ERROR_AMOUNT_FORMAT.format(value=text[:30]))
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules it out
        raise ValueError(ERROR_AMOUNT_FORMAT.format(value=text[:30])) from exc
    # Checked before quantize(), which fails on more digits than the decimal context
    # holds (28): 1e26 kronor with öre is 29 digits.
    digits = max_digits if max_digits is not None else _MAX_DIGITS
    if value >= Decimal(10) ** (digits - 2):
        largest = amount_max(digits)
        limit = f"{int(largest):,}".replace(",", "\u00a0") + f",{largest % 1 * 100:02.0f}"
        raise ValueError(ERROR_AMOUNT_TOO_LARGE.format(limit=limit))
    if value != value.quantize(ORE):
        raise ValueError(ERROR_AMOUNT_DECIMALS)
    return value.quantize(ORE)


def amount_max(max_digits: int) -> Decimal:
    """The largest amount with öre that ``max_digits`` digits hold: 14 → 999 999 999 999,99."""
    return Decimal(10) ** (max_digits - 2) - ORE


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from ``first``'s month to ``last``'s, both included."""
    months: list[dt.date] = []
    month, end = month_start(first), month_start(last)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def cumulative_by_month(
    amounts: Mapping[dt.date, Decimal], *, first: dt.date, last: dt.date
) -> list[tuple[dt.date, Decimal, Decimal]]:
    """(month, that month's amount, running total) for every month in the range, months
    without costs included so that a chart's time axis has no gaps. ``amounts`` is keyed
    by any day in the month; amounts outside the range are left out."""
    per_month: dict[dt.date, Decimal] = {}
    for day, amount in amounts.items():
        key = month_start(day)
        per_month[key] = per_month.get(key, ZERO) + Decimal(amount)
    running = ZERO
    rows = []
    for month in months_between(first, last):
        amount = per_month.get(month, ZERO)
        running += amount
        rows.append((month, amount, running))
    return rows


def allocate(total: int, weights: Sequence[float | int | Decimal]) -> list[int]:
    """Split a whole number ``total`` in proportion to ``weights`` so that the parts are
    whole numbers that add up to exactly ``total`` (largest remainder method; ties go to
    the earlier part)."""
    if total < 0:
        raise ValueError("total must not be negative")
    if not weights:
        raise ValueError("weights must not be empty")
    exact = [Decimal(str(w)) for w in weights]
    if any(w < 0 for w in exact) or not sum(exact):
        raise ValueError("weights must be non-negative and not all zero")
    whole = sum(exact)
    quotas = [Decimal(total) * w / whole for w in exact]
    parts = [int(q) for q in quotas]
    left = total - sum(parts)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum((Decimal(a) for a in amounts), ZERO)
