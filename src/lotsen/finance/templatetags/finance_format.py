"""Template filters for money: ``{{ amount|sek }}`` → "1 234 567", ``{{ share|percent }}``
→ "30,5" (None → "–")."""

from __future__ import annotations

from django import template

from lotsen.finance import money

register = template.Library()


@register.filter
def sek(value) -> str:
    return money.sek_text(value)


@register.filter
def percent(value) -> str:
    return money.percent_text(value)


@register.filter
def hours(value) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}".replace(",", "\u00a0").replace(".", ",").removesuffix(",0")
