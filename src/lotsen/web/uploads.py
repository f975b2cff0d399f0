"""Imports from the browser: a file uploaded on "Importera" is run as a background job by
the same import code as ``lotsen import <kind>``.

- ``import_upload_start`` checks that the actor's role owns the kind (the registry entry's
  ``roles``) and that their organisation has an area in it (its ``scope``: a municipality
  for the KAA register extracts, own school units for school data), and the file's size
  (``LOTSEN_IMPORT_MAX_MB``), then, in one transaction,
  creates the ``ImportRun`` (queued, with organisation, user, kind and file name), keeps
  the file in the database for the run (``ImportUpload``, so a worker on another machine
  reads it) and starts the job ``ingest.upload`` (``lotsen.jobs.job_start``: sent once
  the transaction commits).
- The job binds the run (``ingest.runs.import_run_bind``) so the importer records its
  counts and rejects on it, hands the importer a ``ProgressReporter``, and when the import
  is over writes the outcome on the run, deletes the file and, if the file was refused or
  the run failed, notifies the user who started it (``ingest.import_failed``). A failure
  that is not the file's (the database went away) is retried by the job engine with the
  file kept; after the last attempt the run is marked failed and the file deleted.

Nothing here reads personal data: the run page shows counts and line, column and reason
of each rejected row, never a value.
"""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership
from lotsen.ingest.models import ImportRun, ImportUpload
from lotsen.ingest.progress import ProgressReporter, progress_clear, progress_read
from lotsen.ingest.registry import (
    Importer,
    Upload,
    UploadOutcome,
    importers,
    importers_for_actor,
)
from lotsen.ingest.runs import (
    MAX_STORED_REJECTS,
    STATUS_DONE,
    STATUS_FAILED,
    STATUS_QUEUED,
    STATUS_RUNNING,
    error_message,
    import_run_bind,
)
from lotsen.jobs.models import JobTrigger
from lotsen.jobs.runs import RunContext, job, job_start
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notify

UPLOAD_JOB = "ingest.upload"
NOTIFY_KIND = "ingest.import_failed"
DEFAULT_MAX_MB = 50
MAX_FILENAME = 200
ERROR_TOO_LARGE = "Filen är större än {limit} MB. Dela upp den i flera filer."
ERROR_EMPTY = "Filen är tom."
ERROR_MEMBERSHIP = "Den som startade importen har inte längre den rollen i organisationen."
ERROR_NO_SCOPE = "Den som startade importen har inte längre något område för den här importen."


def upload_max_bytes() -> int:
    """``LOTSEN_IMPORT_MAX_MB`` (a setting or the environment), 50 MB by default."""
    megabytes = getattr(settings, "LOTSEN_IMPORT_MAX_MB", None) or os.environ.get(
        "LOTSEN_IMPORT_MAX_MB", DEFAULT_MAX_MB
    )
    return int(megabytes) * 1024 * 1024


# --- Who may upload what --------------------------------------------------------------------


def upload_kinds_for(actor: Actor) -> list[Importer]:
    """The kinds the actor's role owns and their organisation has an area in, to upload
    in their organisation."""
    if actor.membership is None:
        return []
    return importers_for_actor(actor)


def upload_kind_get(*, actor: Actor, kind: str) -> Importer:
    """The importer of ``kind`` if the actor may upload it; 404 otherwise (the same answer
    for a kind that exists and one that does not)."""
    for importer in upload_kinds_for(actor):
        if importer.kind == kind:
            return importer
    raise Http404


def import_runs_for(actor: Actor) -> QuerySet[ImportRun]:
    """The organisation's runs started from the browser, newest first."""
    if actor.membership is None or not upload_kinds_for(actor):
        return ImportRun.objects.none()
    return (
        ImportRun.objects.filter(organisation=actor.organisation)
        .exclude(kind="")
        .select_related("started_by")
        .order_by("-started_at", "-pk")
    )


def import_run_get_for(*, actor: Actor, run_id: int) -> ImportRun:
    run = import_runs_for(actor).filter(pk=run_id).first()
    if run is None:
        raise Http404
    return run


# --- Starting a run -----------------------------------------------------------------------


def _safe_filename(name: str) -> str:
    # Only the last part of what the browser sent, printable, bounded: it is shown on the
    # run page and in the list.
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable())
    return cleaned[:MAX_FILENAME]


def import_upload_start(*, actor: Actor, kind: str, file: Any) -> ImportRun:
    """Record the run and its file and start its job; raises ``ValidationError`` for a file
    that is too large or empty, 404 for a kind the actor may not upload."""
    importer = upload_kind_get(actor=actor, kind=kind)
    limit = upload_max_bytes()
    if file.size > limit:
        raise ValidationError(ERROR_TOO_LARGE.format(limit=limit // 2**20), code="too_large")
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(ERROR_TOO_LARGE.format(limit=limit // 2**20), code="too_large")
    if not data:
        raise ValidationError(ERROR_EMPTY, code="empty")
    with transaction.atomic():
        run = ImportRun.objects.create(
            source=f"upload:{importer.kind}",
            kind=importer.kind,
            filename=_safe_filename(getattr(file, "name", "") or ""),
            started_at=timezone.now(),
            status=STATUS_QUEUED,
            organisation=actor.organisation,
            started_by=actor.user,
        )
        ImportUpload.objects.create(
            run=run, content=data, options={"membership": actor.membership.pk}
        )
        run.job = job_start(
            UPLOAD_JOB,
            params={"run_id": run.pk},
            trigger=JobTrigger.USER,
            started_by=actor.user,
        )
        run.save(update_fields=["job"])
    return run


# --- The job ------------------------------------------------------------------------------


@job(UPLOAD_JOB)
def import_upload_job(context: RunContext, run_id: int) -> dict[str, int]:
    final = context.run.attempts >= settings.LOTSEN_JOB_MAX_ATTEMPTS
    return import_upload_execute(run_id=run_id, final_attempt=final)


def import_upload_execute(*, run_id: int, final_attempt: bool = True) -> dict[str, int]:
    """Run the import of an uploaded file and record how it went. Raises what the import
    raised unless this is the final attempt (the job engine retries with the file kept)."""
    run = ImportRun.objects.filter(pk=run_id).select_related("started_by").first()
    upload = ImportUpload.objects.filter(run_id=run_id).first()
    if run is None or upload is None:
        return {"already_ended": 1}  # a message delivered twice: the first one finished
    ImportRun.objects.filter(pk=run.pk).update(status=STATUS_RUNNING)
    run.status = STATUS_RUNNING
    reporter = ProgressReporter(run.pk)
    try:
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(pk=upload.options.get("membership"), user_id=run.started_by_id)
            .first()
        )
        if membership is None or membership.organisation_id != run.organisation_id:
            outcome = UploadOutcome(ok=False, error=ERROR_MEMBERSHIP)
        else:
            importer = importers()[run.kind]
            actor = Actor.for_membership(membership)
            # The area as it is now: a coordinator moved to another municipality since the
            # upload imports nothing into the old one.
            scope = importer.scope(actor) if importer.scope is not None else None
            if scope is not None and not scope:
                outcome = UploadOutcome(ok=False, error=ERROR_NO_SCOPE)
            else:
                with import_run_bind(run):
                    outcome = importer.upload(
                        Upload(
                            data=bytes(upload.content),
                            filename=run.filename,
                            actor=actor,
                            progress=reporter,
                            scope=scope,
                        )
                    )
    except Exception as error:
        if not final_attempt:
            raise
        outcome = UploadOutcome(ok=False, error=error_message(error))
    finally:
        reporter.close()
    import_upload_finish(run_id=run.pk, outcome=outcome)
    return {"rows": outcome.rows, "rejected": len(outcome.rejects), "ok": int(outcome.ok)}


def import_upload_finish(*, run_id: int, outcome: UploadOutcome) -> ImportRun:
    """The outcome on the run, the file deleted, and the user told when it went wrong."""
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        counts = {key: value for key, value in run.counts.items() if key != "process"}
        counts.update(
            rows=outcome.rows,
            result={k: v for k, v in outcome.counts.items() if isinstance(v, int)},
            rejects_total=len(outcome.rejects),
            rejected_lines=len({r.get("line") for r in outcome.rejects}),
        )
        if outcome.error:
            counts["error"] = outcome.error
        run.counts = counts
        run.rejects = outcome.rejects[:MAX_STORED_REJECTS]
        run.status = STATUS_DONE if outcome.ok else STATUS_FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["counts", "rejects", "status", "finished_at"])
        ImportUpload.objects.filter(run_id=run_id).delete()
        if not outcome.ok or outcome.rejects:
            notify(
                users=[run.started_by],
                kind=NOTIFY_KIND,
                url=reverse("web:import_run", args=[run.pk]),
                object_id=run.pk,
            )
    progress_clear(run_id)
    return run


# --- What the run page shows ----------------------------------------------------------------


def import_run_progress(run: ImportRun) -> dict[str, Any]:
    """How far a queued or running run has come: numbers and a percentage for the bar
    (reading and checking is the first half, writing the second), or None where the
    importer does not say (the bar is then indeterminate)."""
    numbers = progress_read(run.pk) if run.status in (STATUS_QUEUED, STATUS_RUNNING) else {}
    total = numbers.get("total")
    read, written = numbers.get("read"), numbers.get("written")
    percent = None
    if total:
        percent = min(100, round(50 * ((read or 0) + (written or 0)) / total))
    return {
        "read": read,
        "written": written,
        "total": total,
        "percent": percent,
        "writing": written is not None,
    }


def import_run_outcome(run: ImportRun) -> str:
    """done, rejected (the file was refused: nothing written), failed, running or queued."""
    if run.status == STATUS_FAILED:
        return "rejected" if run.rejects else "failed"
    return run.status


# --- The notification -----------------------------------------------------------------------


def _own_runs(actor: Actor) -> QuerySet:
    return ImportRun.objects.filter(started_by=actor.user).values("pk")


IMPORT_FAILED = register_kind(
    NotificationKind(
        name=NOTIFY_KIND,
        # The e-mail's subject: no file name, no counts, nothing about anyone.
        title="En import du startade i Lotsen gick inte igenom eller hade fel",
        visible_ids=_own_runs,
    )
)


def outcome_label(outcome: str) -> str:
    return {
        "done": _("Klar"),
        "rejected": _("Avvisad, inget sparades"),
        "failed": _("Misslyckades"),
        "running": _("Pågår"),
        "queued": _("I kö"),
    }.get(outcome, outcome)
