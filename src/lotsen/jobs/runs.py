"""Declaring, starting and recording jobs.

A job is a function ``fn(run: RunContext, **params) -> counts`` declared with ``@job``.
It must be idempotent: it may run again after a worker was killed, and must then leave
the same result (the imports and computations it wraps are, each in one transaction).

The lifecycle of a run, all in conditional UPDATEs so that two workers can never both
run it, on SQLite as on PostgreSQL:
- ``job_start`` records a queued run and sends its message when the transaction commits;
  a run the scheduler starts is recorded by the worker that gets it.
- ``run_claim``: a worker takes a queued run, or a running one whose worker has not been
  heard from for ``LOTSEN_JOB_STALE_SECONDS`` (killed with it); anyone else skips it.
- a failure is recorded and retried with exponential backoff up to
  ``LOTSEN_JOB_MAX_ATTEMPTS``; the last one marks the run failed.
- ``jobs_recover`` (scheduled every minute) sends again what a broker lost: a queued run
  long past due, and a running run whose worker went silent.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from celery import current_app, shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from lotsen.jobs.models import JobRun, JobStatus, JobTrigger

ERROR_LIMIT = 4000
HISTORY_LIMIT = 50
# Ten or more digits in a row could be a personal identity number in a database error
# ("Key (personal_identity_number)=(...)"): a run's error never keeps one.
_LONG_NUMBER = re.compile(r"\d[\d-]{8,}\d")

WORKER_LOST = "Arbetaren slutade svara; jobbet skickades igen."
TOO_MANY_ATTEMPTS = "Avbrutet efter {attempts} försök."


@dataclass
class RunContext:
    """What a job function gets: its run, to report progress on."""

    run: JobRun

    def progress(self, **counts: int) -> None:
        """Record counts so far and that the worker is alive. Call it between batches,
        outside the job's own transaction (inside it the update would wait for it)."""
        self.run.counts = {**self.run.counts, **counts}
        JobRun.objects.filter(pk=self.run.pk, status=JobStatus.RUNNING).update(
            counts=self.run.counts, heartbeat_at=timezone.now()
        )


JobFunction = Callable[..., Mapping[str, int] | None]


def job(name: str) -> Callable[[JobFunction], Any]:
    """Declare ``fn`` as the job ``name`` (a Celery task of that name)."""

    def decorate(fn: JobFunction):
        @shared_task(
            name=name,
            bind=True,
            ignore_result=True,
            # The message is acknowledged after the run: a worker killed mid-run leaves
            # it to the broker to deliver again (Redis after its visibility timeout).
            acks_late=True,
            reject_on_worker_lost=True,
        )
        def task(self, run_id: int | None = None, **params: Any) -> None:
            run_execute(self, fn, name=name, run_id=run_id, params=params)

        task.job_function = fn
        return task

    return decorate


def _now() -> dt.datetime:
    return timezone.now()


def _stale_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.LOTSEN_JOB_STALE_SECONDS)


def _note(run: JobRun, text: str, at: dt.datetime) -> list[dict[str, str]]:
    return [*run.history, {"at": at.isoformat(), "text": text}][-HISTORY_LIMIT:]


def _send(run_id: int, name: str, *, countdown: float | None = None) -> None:
    from lotsen.jobs.engine import broker_folders_ensure

    broker_folders_ensure()
    # By name: the ground floor knows no domain app's task objects.
    current_app.send_task(name, kwargs={"run_id": run_id}, countdown=countdown)


def job_start(
    name: str,
    *,
    params: Mapping[str, Any] | None = None,
    trigger: str = JobTrigger.USER,
    started_by=None,
) -> JobRun:
    """Record a queued run of ``name`` and send it once the caller's transaction commits
    (a worker must never look for a run that was rolled back)."""
    now = _now()
    run = JobRun.objects.create(
        name=name,
        params=dict(params or {}),
        trigger=trigger,
        started_by=started_by,
        due_at=now,
    )
    transaction.on_commit(lambda: _send(run.pk, name))
    return run


def run_claim(run_id: int, *, now: dt.datetime | None = None) -> JobRun | None:
    """Take the run for this worker, or ``None`` when it is done, failed, or running on a
    worker that is still alive. One conditional UPDATE decides between rival workers."""
    now = now or _now()
    run = JobRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    lost = run.status == JobStatus.RUNNING
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=_stale_before(now)
    )
    history = _note(run, WORKER_LOST, now) if lost else run.history
    taken = (
        JobRun.objects.filter(claimable, pk=run_id, attempts=run.attempts)
        .filter(attempts__lt=settings.LOTSEN_JOB_MAX_ATTEMPTS)
        .update(
            status=JobStatus.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            history=history,
        )
    )
    if not taken:
        return None
    run.refresh_from_db()
    return run


def _error_text(exc: BaseException) -> str:
    # Other exceptions may quote data (a database error quotes the row): keep the kind
    # only; the worker's log has the traceback for the operator.
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else type(exc).__name__
    return _LONG_NUMBER.sub("…", text)[:ERROR_LIMIT]


def backoff_seconds(attempt: int) -> int:
    """30 s, 60 s, 120 s … up to ``LOTSEN_JOB_BACKOFF_MAX_SECONDS``."""
    base = settings.LOTSEN_JOB_BACKOFF_SECONDS
    return int(min(settings.LOTSEN_JOB_BACKOFF_MAX_SECONDS, base * 2 ** max(attempt - 1, 0)))


def run_execute(task, fn: JobFunction, *, name: str, run_id: int | None, params) -> None:
    if run_id is None:
        # Sent by the scheduler: the run is recorded by the worker that gets it.
        now = _now()
        run_id = JobRun.objects.create(
            name=name, params=dict(params), trigger=JobTrigger.SCHEDULE, due_at=now
        ).pk
    run = run_claim(run_id)
    if run is None:
        _fail_if_exhausted(run_id)
        return
    heartbeat = _Heartbeat(run.pk)
    heartbeat.start()
    try:
        counts = fn(RunContext(run), **run.params)
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, then retried
        now = _now()
        error = _error_text(exc)
        final = run.attempts >= settings.LOTSEN_JOB_MAX_ATTEMPTS
        delay = 0 if final else backoff_seconds(run.attempts)
        JobRun.objects.filter(pk=run.pk).update(
            status=JobStatus.FAILED if final else JobStatus.QUEUED,
            error=error,
            finished_at=now if final else None,
            due_at=now + dt.timedelta(seconds=delay),
            history=_note(run, f"Försök {run.attempts}: {error}", now),
        )
        if not final:
            _send(run.pk, name, countdown=delay)
        return
    finally:
        heartbeat.stop()
    now = _now()
    JobRun.objects.filter(pk=run.pk).update(
        status=JobStatus.SUCCEEDED,
        counts={**run.counts, **dict(counts or {})},
        error="",
        finished_at=now,
        heartbeat_at=now,
    )


class _Heartbeat(threading.Thread):
    """Says the worker is alive while a job runs, so that a long job is not taken for a
    lost one and run twice. On SQLite the update waits while the job holds the write
    lock and is then skipped: the job's own transaction is the long part, and
    ``LOTSEN_JOB_STALE_SECONDS`` must be longer than the longest single transaction."""

    def __init__(self, run_id: int) -> None:
        super().__init__(name=f"lotsen-job-heartbeat-{run_id}", daemon=True)
        self.run_id = run_id
        self.interval = max(settings.LOTSEN_JOB_STALE_SECONDS / 4, 0.5)
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.interval):
                try:
                    JobRun.objects.filter(pk=self.run_id, status=JobStatus.RUNNING).update(
                        heartbeat_at=_now()
                    )
                except DatabaseError:
                    continue
        finally:
            connections.close_all()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=5)


def _fail_if_exhausted(run_id: int) -> None:
    """A run killed with its worker once too often is failed, not sent for ever."""
    now = _now()
    run = JobRun.objects.filter(pk=run_id).first()
    if (
        run is not None
        and run.status == JobStatus.RUNNING
        and run.attempts >= settings.LOTSEN_JOB_MAX_ATTEMPTS
        and run.heartbeat_at is not None
        and run.heartbeat_at < _stale_before(now)
    ):
        text = TOO_MANY_ATTEMPTS.format(attempts=run.attempts)
        JobRun.objects.filter(pk=run_id, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error=text,
            finished_at=now,
            history=_note(run, text, now),
        )


def jobs_recover(*, now: dt.datetime | None = None) -> int:
    """Send again every run a broker lost; returns how many were sent."""
    now = now or _now()
    stale = _stale_before(now)
    lost = JobRun.objects.filter(
        Q(status=JobStatus.QUEUED, due_at__lt=stale)
        | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
    ).values_list("pk", "name", "status", "attempts")
    sent = 0
    for run_id, name, status, attempts in list(lost):
        try:
            if status == JobStatus.RUNNING and attempts >= settings.LOTSEN_JOB_MAX_ATTEMPTS:
                _fail_if_exhausted(run_id)
                continue
            # Due again now, so that the next recovery does not send it a second time
            # before a worker had a chance.
            JobRun.objects.filter(pk=run_id, status=JobStatus.QUEUED).update(due_at=now)
        except OperationalError:
            # On SQLite a job's long transaction holds the one write lock: some worker is
            # busy, and the next recovery, a minute later, tries again.
            continue
        _send(run_id, name)
        sent += 1
    return sent
