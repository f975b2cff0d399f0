"""Support's nightly job: reminders of plan follow-ups falling due and of consents about to
expire on the organisation's cases."""

from __future__ import annotations

import datetime as dt

from lotsen.jobs.runs import RunContext, job


@job("support.reminders")
def reminders_job(run: RunContext, today: str | None = None) -> dict[str, int]:
    """Idempotent: each follow-up and each consent is announced once, however often it
    runs (``notified_object_ids``)."""
    from django.db import transaction

    from lotsen.support.notifications import consents_expiring_notify, follow_ups_due_notify

    on = dt.date.fromisoformat(today) if today else None
    with transaction.atomic():
        follow_ups = follow_ups_due_notify(today=on)
        consents = consents_expiring_notify(today=on)
    return {"follow_up_notifications": follow_ups, "consent_notifications": consents}
