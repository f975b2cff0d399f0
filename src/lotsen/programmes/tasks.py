"""Programmes' nightly job: participants' six-month follow-ups falling due."""

from __future__ import annotations

import datetime as dt

from lotsen.jobs.runs import RunContext, job


@job("programmes.follow_up_reminders")
def follow_up_reminders_job(run: RunContext, today: str | None = None) -> dict[str, int]:
    """Idempotent: each follow-up is announced once, however often it runs."""
    from django.db import transaction

    from lotsen.programmes.notifications import participant_follow_ups_notify

    on = dt.date.fromisoformat(today) if today else None
    with transaction.atomic():
        return {"notifications": participant_follow_ups_notify(today=on)}
