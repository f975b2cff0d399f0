"""The window a user-entered date must fall in, for forms and API serializers alike.

A contact dated 0001-01-01 or a follow-up in 9999 is a typing error, and it breaks what
reads the date later (an age, an overdue list, a half-year report, date arithmetic that
overflows). Two kinds of date:

- what happened (a contact, a measure begun, a case closed, a consent given): from
  ``EARLIEST_DATE`` up to tomorrow — one day of slack for a caller in another time zone;
  the services keep their own rule that most of these are not in the future at all;
- what is planned (a follow-up, a goal, an event, a programme period): from
  ``EARLIEST_DATE`` up to ``YEARS_AHEAD`` years from today.

The messages name the field, so that they read the same in an error summary, next to the
field and in an API answer.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

EARLIEST_DATE = dt.date(1900, 1, 1)
YEARS_AHEAD = 10
# Slack for what happened: "today" in a caller's time zone may be tomorrow here.
HAPPENED_SLACK = dt.timedelta(days=1)

ERROR_DATE_TOO_EARLY = "”{field}” kan inte vara före {earliest}."
ERROR_DATE_TOO_LATE = "”{field}” kan inte vara senare än {latest}."
ERROR_DATE_IN_FUTURE = "”{field}” kan inte ligga i framtiden."

HAPPENED = "happened"
PLANNED = "planned"


def latest_date(kind: str, *, today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    if kind == HAPPENED:
        return today + HAPPENED_SLACK
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def date_window_error(value: dt.date, *, field: str, kind: str) -> str | None:
    """The message for a date outside its window, or None."""
    if value < EARLIEST_DATE:
        return _(ERROR_DATE_TOO_EARLY).format(field=field, earliest=EARLIEST_DATE.isoformat())
    latest = latest_date(kind)
    if value > latest:
        if kind == HAPPENED:
            return _(ERROR_DATE_IN_FUTURE).format(field=field)
        return _(ERROR_DATE_TOO_LATE).format(field=field, latest=latest.isoformat())
    return None


@deconstructible
class DateWindow:
    """A validator for a form or serializer DateField: ``DateWindow(_("Datum"), HAPPENED)``.
    ``field`` is the label the user sees (a lazy translation is fine)."""

    def __init__(self, field, kind: str = PLANNED):
        if kind not in (HAPPENED, PLANNED):
            raise ValueError(kind)
        self.field = field
        self.kind = kind

    def __call__(self, value: dt.date) -> None:
        if value is None:
            return
        message = date_window_error(value, field=str(self.field), kind=self.kind)
        if message:
            raise ValidationError(message, code="date_window")

    def __eq__(self, other) -> bool:
        return (
            isinstance(other, DateWindow)
            and str(self.field) == str(other.field)
            and self.kind == other.kind
        )

    def __hash__(self) -> int:
        return hash((str(self.field), self.kind))


def happened(field) -> DateWindow:
    return DateWindow(field, HAPPENED)


def planned(field) -> DateWindow:
    return DateWindow(field, PLANNED)
