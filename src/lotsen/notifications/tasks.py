"""Notifications' scheduled jobs: the daily digest and retention."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from lotsen.jobs.runs import RunContext, job
from lotsen.notifications.models import Notification
from lotsen.notifications.services import send_digests


@job("notifications.digest")
def digest_job(run: RunContext) -> dict[str, int]:
    """The daily digest (idempotent: once per user and day however often it runs)."""
    return {"digests": send_digests()}


@job("notifications.retention")
def retention_job(run: RunContext) -> dict[str, int]:
    """Notifications read more than ``LOTSEN_NOTIFICATION_DAYS`` ago, and unread ones
    twice as old, are deleted: they point at things, they are no record of them."""
    now = timezone.now()
    days = dt.timedelta(days=settings.LOTSEN_NOTIFICATION_DAYS)
    read, _ = Notification.objects.filter(read_at__lt=now - days).delete()
    unread, _ = Notification.objects.filter(
        read_at__isnull=True, created_at__lt=now - 2 * days
    ).delete()
    return {"deleted": read + unread}
