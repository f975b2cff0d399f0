"""The run record's rules, in-process: claiming, failing, recovering, what an error keeps.

Messages go to a real broker, kombu's file-system transport in a folder of the test's
own, and are read back from it: the run id a worker would get is what is asserted.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from lotsen.jobs.engine import app
from lotsen.jobs.models import JobRun, JobStatus, JobTrigger
from lotsen.jobs.runs import (
    WORKER_LOST,
    _error_text,
    backoff_seconds,
    job,
    job_start,
    jobs_recover,
    run_claim,
)

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@job("tests.echo")
def echo_job(run, value: str = "", fail: str = "") -> dict[str, int]:
    CALLS.append({"run": run.run.pk, "value": value, "attempt": run.run.attempts})
    if fail == "always" or (fail == "once" and run.run.attempts == 1):
        raise ValidationError("Rad 3: kolumnen amount är inte ett belopp.")
    return {"echoed": len(value)}


@pytest.fixture(autouse=True)
def broker(tmp_path, settings):
    """A file-system broker of the test's own; the messages sent are read back."""
    folder = tmp_path / "queue"
    folder.mkdir()
    saved = dict(app.conf.broker_transport_options)
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
    }
    _fresh_connections()
    settings.LOTSEN_JOB_STALE_SECONDS = 60
    settings.LOTSEN_JOB_MAX_ATTEMPTS = 3
    CALLS.clear()
    yield folder
    app.conf.broker_transport_options = saved
    _fresh_connections()


def _fresh_connections() -> None:
    # The app keeps its broker connections and producers in pools made for the old
    # options; drop them so the next message goes where the options now say.

    app._pool = None
    app.amqp._producer_pool = None


def sent(folder) -> list[tuple[str, int]]:
    """(task name, run id) of every message in the broker's folder, oldest first."""
    messages = []
    for path in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns):
        message = json.loads(path.read_bytes())
        body = json.loads(__import__("base64").b64decode(message["body"]))
        messages.append((message["headers"]["task"], body[1]["run_id"]))
    return messages


def test_a_started_job_is_recorded_and_sent_only_when_the_transaction_commits(
    broker, django_capture_on_commit_callbacks, django_user_model
):
    user = django_user_model.objects.create_user("starter", password="x" * 16)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = job_start("tests.echo", params={"value": "abc"}, started_by=user)
    assert sent(broker) == []
    for callback in callbacks:
        callback()

    run.refresh_from_db()
    assert (run.status, run.trigger, run.started_by, run.attempts) == (
        JobStatus.QUEUED, JobTrigger.USER, user, 0,
    )  # fmt: skip
    assert sent(broker) == [("tests.echo", run.pk)]


def test_a_run_is_claimed_by_one_worker_only():
    run = JobRun.objects.create(name="tests.echo", due_at=timezone.now())
    first = run_claim(run.pk)
    second = run_claim(run.pk)
    assert first is not None and first.status == JobStatus.RUNNING and first.attempts == 1
    assert second is None


def test_a_running_run_whose_worker_went_silent_is_taken_over_and_says_so():
    run = JobRun.objects.create(name="tests.echo", due_at=timezone.now())
    run_claim(run.pk)
    later = timezone.now() + dt.timedelta(seconds=61)
    taken = run_claim(run.pk, now=later)
    assert taken is not None and taken.attempts == 2
    assert [entry["text"] for entry in taken.history] == [WORKER_LOST]


def test_a_job_runs_records_its_counts_and_is_not_run_twice():
    run = JobRun.objects.create(name="tests.echo", params={"value": "hej"})
    echo_job.apply(kwargs={"run_id": run.pk})
    echo_job.apply(kwargs={"run_id": run.pk})  # a second delivery of the same message

    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED and run.counts == {"echoed": 3}
    assert len(CALLS) == 1


def test_a_failure_is_recorded_and_sent_again_after_its_backoff(broker):
    run = JobRun.objects.create(name="tests.echo", params={"fail": "once"})
    before = timezone.now()
    echo_job.apply(kwargs={"run_id": run.pk})

    run.refresh_from_db()
    assert run.status == JobStatus.QUEUED and run.attempts == 1
    assert run.error == "Rad 3: kolumnen amount är inte ett belopp."
    assert run.due_at >= before + dt.timedelta(seconds=backoff_seconds(1))
    assert sent(broker) == [("tests.echo", run.pk)]

    echo_job.apply(kwargs={"run_id": run.pk})  # the retried message
    run.refresh_from_db()
    assert run.status == JobStatus.SUCCEEDED and run.attempts == 2 and run.error == ""


def test_the_last_attempt_fails_the_run_and_sends_nothing_more(broker):
    run = JobRun.objects.create(name="tests.echo", params={"fail": "always"})
    for _ in range(3):
        echo_job.apply(kwargs={"run_id": run.pk})
    run.refresh_from_db()
    assert run.status == JobStatus.FAILED and run.attempts == 3
    assert len(run.history) == 3 and run.finished_at is not None
    assert len(sent(broker)) == 2  # after the first and the second attempt only
    echo_job.apply(kwargs={"run_id": run.pk})
    assert len(CALLS) == 3


def test_a_run_from_the_scheduler_is_recorded_by_the_worker():
    echo_job.apply(kwargs={"value": "nattligt"})
    run = JobRun.objects.get(name="tests.echo")
    assert run.trigger == JobTrigger.SCHEDULE and run.status == JobStatus.SUCCEEDED
    assert run.counts == {"echoed": 8}


def test_recovery_sends_again_what_a_broker_lost_and_nothing_else(broker, settings):
    now = timezone.now()
    old = now - dt.timedelta(seconds=settings.LOTSEN_JOB_STALE_SECONDS + 1)
    lost_queued = JobRun.objects.create(name="tests.echo", due_at=old)
    lost_running = JobRun.objects.create(
        name="tests.echo", status=JobStatus.RUNNING, attempts=1, heartbeat_at=old
    )
    JobRun.objects.create(name="tests.echo", due_at=now)  # just sent
    JobRun.objects.create(name="tests.echo", status=JobStatus.RUNNING, heartbeat_at=now)
    JobRun.objects.create(name="tests.echo", status=JobStatus.SUCCEEDED, due_at=old)
    exhausted = JobRun.objects.create(
        name="tests.echo", status=JobStatus.RUNNING, attempts=3, heartbeat_at=old
    )

    assert jobs_recover(now=now) == 2
    assert sorted(sent(broker)) == [("tests.echo", lost_queued.pk), ("tests.echo", lost_running.pk)]
    # Sent once: the next recovery, a moment later, does not send the queued one again.
    assert jobs_recover(now=now + dt.timedelta(seconds=1)) == 1
    exhausted.refresh_from_db()
    assert exhausted.status == JobStatus.FAILED and exhausted.error == "Avbrutet efter 3 försök."


def test_an_error_never_keeps_what_a_database_quoted():
    quoted = IntegrityError(
        "duplicate key value violates unique constraint; "
        "Key (personal_identity_number)=(200601012384) already exists."
    )
    assert _error_text(quoted) == "IntegrityError"
    assert _error_text(ValidationError("Rad 4: 20060101-2384 finns två gånger.")) == (
        "Rad 4: … finns två gånger."
    )


def test_backoff_doubles_up_to_its_ceiling(settings):
    settings.LOTSEN_JOB_BACKOFF_SECONDS = 30
    settings.LOTSEN_JOB_BACKOFF_MAX_SECONDS = 100
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_retention_deletes_old_finished_runs_and_old_notifications(settings, django_user_model):
    from lotsen.jobs.tasks import retention_job as runs_retention
    from lotsen.notifications.models import Notification
    from lotsen.notifications.tasks import retention_job as notifications_retention

    settings.LOTSEN_JOB_RUN_DAYS = 90
    settings.LOTSEN_NOTIFICATION_DAYS = 180
    now = timezone.now()
    old, recent = now - dt.timedelta(days=91), now - dt.timedelta(days=89)
    gone = JobRun.objects.create(name="x", status=JobStatus.SUCCEEDED, finished_at=old)
    kept = [
        JobRun.objects.create(name="x", status=JobStatus.FAILED, finished_at=recent),
        JobRun.objects.create(name="x", status=JobStatus.QUEUED, due_at=old),
    ]
    runs_retention.apply()
    remaining = set(JobRun.objects.filter(name="x").values_list("pk", flat=True))
    assert gone.pk not in remaining and {run.pk for run in kept} <= remaining

    user = django_user_model.objects.create_user("notified", password="x" * 16)

    def note(created_days: int, read_days: int | None) -> Notification:
        return Notification.objects.create(
            user=user, kind="k", object_id=1, url="/",
            created_at=now - dt.timedelta(days=created_days),
            read_at=None if read_days is None else now - dt.timedelta(days=read_days),
        )  # fmt: skip

    read_long_ago, unread_very_old = note(200, 181), note(361, None)
    read_recently, unread_old = note(200, 179), note(359, None)
    notifications_retention.apply()
    left = set(Notification.objects.values_list("pk", flat=True))
    assert {read_recently.pk, unread_old.pk} == left
    assert not {read_long_ago.pk, unread_very_old.pk} & left
