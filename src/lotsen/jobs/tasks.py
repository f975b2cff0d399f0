"""The job engine's own work."""

from celery import shared_task

from lotsen.jobs.runs import jobs_recover


@shared_task(name="jobs.recover", ignore_result=True)
def recover() -> int:
    """Scheduled every minute: send again what a broker lost with a killed worker. Not a
    recorded run itself (it would add a row a minute and record nothing of use)."""
    return jobs_recover()
