"""The start page's "to do" list for project leaders: participants' six-month follow-ups.

Everyone who works with young people by name has an inbox instead (``lotsen.inbox``): one
row per young person with all that waits for them (signals, case follow-ups, referrals,
consents about to expire, handovers, KAA notices …). Project leaders see participants'
project records only, never persons, so their follow-ups stay a list of records here.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.programmes.indicators import FOLLOWUP_MONTHS, add_months
from lotsen.programmes.selectors import followups_due_for
from lotsen.support.selectors import Task


def tasks_for(*, actor: Actor, today: dt.date | None = None) -> list[Task]:
    """The project leader's participants whose six-month follow-up (ESF longer-term
    results) falls due, earliest first; nothing for other roles."""
    today = today or timezone.localdate()
    if actor.organisation is None or actor.role != Role.PROJECT_LEADER:
        return []
    tasks = [
        Task(
            kind="participant_follow_up",
            title=_("Sexmånadersuppföljning av deltagare"),
            detail=f"{record.name}, {record.subproject_name}",
            due=add_months(record.exit_date, FOLLOWUP_MONTHS),
            url=reverse("programmes:participation_followup", args=[record.participation_id]),
        )
        for record in followups_due_for(actor=actor, today=today)
    ]
    return sorted(tasks, key=lambda task: (task.due or today, task.kind))
