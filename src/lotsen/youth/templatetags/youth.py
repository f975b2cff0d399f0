"""Template helpers for the young person's pages and the staff case page's WHO-5 panel."""

from __future__ import annotations

from django import template
from django.utils import timezone

from lotsen.youth import phrases
from lotsen.youth.charts import LineChart, line_chart

register = template.Library()


@register.simple_tag
def wellbeing_chart(checkins) -> LineChart | None:
    """The line chart of a list of check-ins (oldest first), for ``{% wellbeing_chart
    checkins as chart %}``: the partial then needs nothing but the check-ins."""
    return line_chart([(timezone.localdate(c.answered_at), c.score) for c in checkins or []])


@register.filter
def category_phrase(category: str) -> str:
    return phrases.category_phrase(category)


@register.filter
def giver_phrase(given_by: str) -> str:
    return phrases.giver_phrase(given_by)
