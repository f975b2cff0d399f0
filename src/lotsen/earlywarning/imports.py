"""Early warning listens to school imports: after every import of school data (a CSV file
of attendance or grades, from the command line or uploaded in the browser, or an SS 12000
run) the rules, the absence watch among them, are evaluated again as a background job, so
that a pupil whose absence crossed a threshold is seen the day the school's data says so,
not only at the nightly run (``CELERY_BEAT_SCHEDULE["signals.compute"]``).

Early warning registers no importer of its own; ``lotsen.ingest.registry`` imports this
module with every app's ``imports`` module, which is what registers the follow-up.
"""

from __future__ import annotations

from lotsen.ingest.registry import after_import_register
from lotsen.jobs.models import JobRun, JobStatus, JobTrigger
from lotsen.jobs.runs import job_start

# The topic the school app runs its follow-ups under (``lotsen.school.imports``); named
# here rather than imported, as early warning only listens.
SCHOOL_TOPIC = "school"
COMPUTE_JOB = "signals.compute"


def signals_compute_after_import() -> None:
    """Start ``signals.compute`` once the import commits, unless a run for all school
    units is already waiting in the queue (it will read the new data when it starts)."""
    queued = JobRun.objects.filter(name=COMPUTE_JOB, status=JobStatus.QUEUED)
    waiting = any(not params for params in queued.values_list("params", flat=True)[:50])
    if not waiting:
        job_start(COMPUTE_JOB, trigger=JobTrigger.SYSTEM)


after_import_register(SCHOOL_TOPIC, signals_compute_after_import)
