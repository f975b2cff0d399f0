"""The role-administration audit trail as a table (CSV download)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.models import GrantEvent

# OWASP CSV injection: a cell that starts with one of these is read as a formula by
# spreadsheet programs. Usernames and organisation names are typed by people, so every
# text cell is neutralised with a leading apostrophe.
# TODO(issue 10 item 3): use the shared writer in lotsen.stats once it exists.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def grant_events_csv(events: Iterable[GrantEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Tid"), _("Utfört av"), _("Användare"), _("Roll"), _("Organisation"), _("Händelse")]
    )
    for event in events:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                    event.actor_username,
                    event.username,
                    event.get_role_display(),
                    event.organisation_name,
                    event.get_event_display(),
                )
            ]
        )
    return out.getvalue()
