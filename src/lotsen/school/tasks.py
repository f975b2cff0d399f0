"""School's background jobs: the SS 12000 import of each configured source.

``school.ss12000_sync`` is scheduled (nightly by default, editable in the admin) and starts
one ``school.ss12000_import`` per enabled source; "Synka nu" in the admin starts one for a
single source. After a successful import the signals are computed (and then scored) as a
job of their own: school data has changed, so the signals should follow. School imports
no early-warning code: the next job is started by name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from lotsen.jobs.models import JobRun, JobStatus, JobTrigger
from lotsen.jobs.runs import RunContext, job, job_start

IMPORT_JOB = "school.ss12000_import"
ERROR_NO_SOURCE = "SS 12000-källan {source_id} finns inte."
ERROR_IMPORT_FAILED = "SS 12000-importen misslyckades (importkörning {run_id})."


def ss12000_import_start(*, source_id: int, trigger: str, started_by=None) -> JobRun | None:
    """Start the import of one source, unless one is already queued or running for it
    (a second sync would only wait for the first): what keeps the schedule idempotent."""
    waiting = JobRun.objects.filter(
        name=IMPORT_JOB,
        status__in=(JobStatus.QUEUED, JobStatus.RUNNING),
        params__source_id=source_id,
    )
    if waiting.exists():
        return None
    return job_start(
        IMPORT_JOB, params={"source_id": source_id}, trigger=trigger, started_by=started_by
    )


@job("school.ss12000_sync")
def ss12000_sync_job(run: RunContext) -> dict[str, int]:
    """One import job per enabled source."""
    from lotsen.school.sources import SchoolDataSource

    started = skipped = 0
    for source_id in SchoolDataSource.objects.filter(enabled=True).values_list("pk", flat=True):
        if ss12000_import_start(source_id=source_id, trigger=JobTrigger.SCHEDULE):
            started += 1
        else:
            skipped += 1
    return {"started": started, "already_running": skipped}


@job(IMPORT_JOB)
def ss12000_import_job(run: RunContext, source_id: int, full: bool = False) -> dict[str, int]:
    """The incremental import of one source (everything changed since its last successful
    run; ``full`` reads everything). Idempotent: the import writes what differs only."""
    from lotsen.school.sources import SchoolDataSource
    from lotsen.school.ss12000.client import SS12000Client
    from lotsen.school.ss12000.importer import ss12000_import

    source = SchoolDataSource.objects.select_related("organisation").filter(pk=source_id).first()
    if source is None:
        raise ValidationError(ERROR_NO_SOURCE.format(source_id=source_id))
    with SS12000Client(
        base_url=source.base_url,
        token_url=source.token_url or None,
        client_id=source.client_id,
        client_secret=source.client_secret(),
    ) as client:
        imported = ss12000_import(client=client, organiser=source.organisation, full=full)
    if imported.status != "done":
        # The import run keeps what went wrong; the job is retried with backoff.
        raise ValidationError(ERROR_IMPORT_FAILED.format(run_id=imported.pk))
    job_start("signals.compute", trigger=JobTrigger.SYSTEM)
    counts = {"import_run": imported.pk}
    # The import run's counts, flattened one level (per entity), numbers only.
    for key, value in imported.counts.items():
        if isinstance(value, int) and not isinstance(value, bool):
            counts[key] = value
        elif isinstance(value, dict):
            for inner, number in value.items():
                if isinstance(number, int) and not isinstance(number, bool):
                    counts[f"{key}_{inner}"] = number
    return counts
