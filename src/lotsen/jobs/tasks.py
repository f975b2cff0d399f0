"""The job engine's own work."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lotsen.jobs.models import JobRun, JobStatus
from lotsen.jobs.runs import RunContext, job, jobs_recover


@shared_task(name="jobs.recover", ignore_result=True)
def recover() -> int:
    """Scheduled every minute: send again what a broker lost with a killed worker. Not a
    recorded run itself (it would add a row a minute and record nothing of use)."""
    return jobs_recover()


@job("jobs.retention")
def retention_job(run: RunContext) -> dict[str, int]:
    """Finished runs older than ``LOTSEN_JOB_RUN_DAYS`` are deleted (nightly)."""
    before = timezone.now() - dt.timedelta(days=settings.LOTSEN_JOB_RUN_DAYS)
    deleted, _ = JobRun.objects.filter(
        status__in=(JobStatus.SUCCEEDED, JobStatus.FAILED), finished_at__lt=before
    ).delete()
    return {"deleted": deleted}
