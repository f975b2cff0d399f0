"""The role-administration audit trail as a table (CSV download)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.models import GrantEvent
from lotsen.stats.tabular import csv_text


def grant_events_csv(events: Iterable[GrantEvent]) -> str:
    """Usernames and organisation names are typed by people: the one writer neutralises
    any cell that a spreadsheet would read as a formula."""
    header = [_("Tid"), _("Utfört av"), _("Användare"), _("Roll"), _("Organisation"), _("Händelse")]
    rows = (
        [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_username,
            event.username,
            event.get_role_display(),
            event.organisation_name,
            event.get_event_display(),
        ]
        for event in events
    )
    return csv_text(rows=[header, *rows])
