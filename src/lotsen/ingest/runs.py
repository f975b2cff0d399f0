"""The one import-run bookkeeping every Lotsen import uses (SS 12000, the school and KAA
CSV files, and later sources).

- ``ImportRecorder`` keeps the ``ImportRun`` of a run that writes batch by batch: it is
  created when the run starts, saved with the counts after every batch in that batch's
  own transaction, and closed as "done" or "failed" (with where it stopped). A batch
  either commits whole or not at all.
- ``import_run_record`` writes the finished ``ImportRun`` of an all-or-nothing file import
  in one go, inside the transaction that writes the rows, so a killed process leaves no
  run "running" and no rows without their run.
- ``PageWork`` collects what one batch did: counts per entity, rejected records with their
  reasons, and the persons whose data it changed.
- The access log gets one entry per affected person per run, written through the door
  (``persons_written``; many at once by COPY, ``ingest.accesslog``) in the transaction of
  the batch that first touched them, by the system user ``import`` (see ``import_user``).

Upsert is in ``ingest.upsert``, persons by personnummer in ``ingest.persons``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import DatabaseError, transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, User
from lotsen.ingest.accesslog import import_persons_written
from lotsen.ingest.models import ImportRun
from lotsen.privacy.models import Action, Purpose

IMPORT_USERNAME = "import"
STATUS_QUEUED = "queued"
STATUS_RUNNING = "running"
STATUS_DONE = "done"
STATUS_FAILED = "failed"
# An ImportRun keeps the first rejects with their reasons; the counts cover all of them.
MAX_STORED_REJECTS = 1000

ERROR_DATABASE = "Databasfel ({kind}); sidan skrevs inte."
ERROR_STALE = "Avbruten: processen som körde importen finns inte längre."
# A run still "running" after this long, by a process this host cannot see, is taken as
# dead (the longest national SS 12000 run takes a few hours).
STALE_AFTER = dt.timedelta(hours=24)
_LONG_NUMBER = re.compile(r"\d[\d\s-]{8,}\d")


class _Writer(Protocol):
    def write(self, text: str) -> object: ...


class ImportFailed(Exception):
    """The run cannot go on; ``str()`` says why, in Swedish, without personal data."""


def redact(text: str) -> str:
    """Hide anything that could be a personnummer (ten or more digits) in a message that
    came from elsewhere: a server's error text, a database error."""
    return _LONG_NUMBER.sub("[nummer dolt]", text)


# The run a browser upload created before its job started (lotsen.web.uploads): the import
# code records its counts and rejects on that run instead of creating one of its own, so
# that one upload is one run, whichever importer it used.
_bound_run: ContextVar[ImportRun | None] = ContextVar("lotsen_import_run", default=None)


@contextmanager
def import_run_bind(run: ImportRun) -> Iterator[ImportRun]:
    """Inside this block, ``ImportRecorder`` and ``import_run_record`` write to ``run``."""
    token = _bound_run.set(run)
    try:
        yield run
    finally:
        _bound_run.reset(token)


def import_user() -> User:
    """The system user that imports act as, created on first use.

    It cannot log in (inactive, no usable password) and has no membership: it exists so
    that the access log, which names a user for every entry, can say "the import did this".
    """
    user, created = User.objects.get_or_create(
        username=IMPORT_USERNAME,
        defaults={"first_name": "Import", "last_name": "(system)", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def import_actor(*, organisation: Organisation | None = None) -> Actor:
    """The actor for an import run. The membership is never saved: it only carries the
    organisation whose data is imported into the access log entries."""
    user = import_user()
    membership = Membership(user=user, organisation=organisation, role="") if organisation else None
    return Actor(user=user, membership=membership)


@dataclass
class EntityCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0
    skipped_reasons: Counter = field(default_factory=Counter)

    def add(self, other: EntityCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        self.skipped += other.skipped
        self.skipped_reasons.update(other.skipped_reasons)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.rejected + self.skipped

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.skipped:
            data["skipped"] = self.skipped
            data["skipped_reasons"] = dict(sorted(self.skipped_reasons.items()))
        return data

    def summary(self) -> str:
        text = (
            f"{self.created} nya, {self.updated} ändrade, {self.unchanged} oförändrade, "
            f"{self.rejected} avvisade"
        )
        if self.skipped:
            text += f", {self.skipped} hoppades över"
        return text


class PageWork:
    """What one batch did. Nothing here reaches the run unless the batch commits."""

    def __init__(self) -> None:
        self.counts: dict[str, EntityCounts] = defaultdict(EntityCounts)
        self.rejects: list[dict[str, Any]] = []
        self.created_persons: set[int] = set()
        self.updated_persons: set[int] = set()

    def reject(self, entity: str, *, field: str, reason: str, **where: Any) -> None:
        """``where`` names the record: ``record=<source id>`` or ``line=<n>`` and ``column``."""
        self.counts[entity].rejected += 1
        self.rejects.append({"entity": entity, **where, "field": field, "reason": reason})

    def skip(self, entity: str, *, reason: str) -> None:
        self.counts[entity].skipped += 1
        self.counts[entity].skipped_reasons[reason] += 1

    def person_changed(self, person_id: int, *, created: bool = False) -> None:
        (self.created_persons if created else self.updated_persons).add(person_id)


class ImportRecorder:
    """The ImportRun of one run, and the one place its counts and rejects change."""

    def __init__(
        self,
        *,
        source: str,
        actor: Actor,
        purpose: str = Purpose.SCHOOL,
        stdout: _Writer | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.actor = actor
        # Why the import touches the persons it logs (school data, the KAA register).
        self.purpose = purpose
        self.stdout = stdout
        self.info = dict(info or {})
        self.totals: dict[str, EntityCounts] = defaultdict(EntityCounts)
        self.rejects: list[dict[str, Any]] = []
        self.rejected_total = 0
        self.logged_persons: set[int] = set()
        self.batches = 0
        # Where the run is (the page being fetched or written) and the last batch that
        # committed: a failed run records both.
        self.position: dict[str, Any] = {}
        self.completed: dict[str, Any] = {}
        self._started = time.monotonic()
        import_runs_fail_stale()
        # Which process runs it, so that a later run can tell a killed one from a live one.
        self.info.setdefault("process", _process_id())
        bound = _bound_run.get()
        if bound is not None:
            bound.source = source
            bound.status = STATUS_RUNNING
            bound.counts = self._counts_dict(self.totals)
            bound.save(update_fields=["source", "status", "counts"])
            self.run = bound
        else:
            self.run = ImportRun.objects.create(
                source=source,
                started_at=timezone.now(),
                status=STATUS_RUNNING,
                counts=self._counts_dict(self.totals),
            )

    def write(self, text: str) -> None:
        if self.stdout is not None:
            self.stdout.write(text + "\n")

    def _counts_dict(self, totals: dict[str, EntityCounts], **extra: Any) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.info)
        data.update({entity: counts.as_dict() for entity, counts in sorted(totals.items())})
        data.update(extra)
        return data

    @contextmanager
    def batch(self, position: dict[str, Any], *, label: str = "") -> Iterator[PageWork]:
        """One batch in one transaction: the rows, the access log entries for the persons
        it touched first in this run, and the run's counts so far."""
        self.position = position
        work = PageWork()
        with transaction.atomic():
            yield work
            merged = defaultdict(EntityCounts)
            for source in (self.totals, work.counts):
                for entity, counts in source.items():
                    merged[entity].add(counts)
            new_created = work.created_persons - self.logged_persons
            new_updated = (work.updated_persons - work.created_persons) - self.logged_persons
            for action, ids in ((Action.CREATE, new_created), (Action.UPDATE, new_updated)):
                if ids:
                    import_persons_written(
                        actor=self.actor,
                        action=action,
                        purpose=self.purpose,
                        person_ids=sorted(ids),
                        object_type="import",
                        object_id=str(self.run.pk),
                    )
            room = MAX_STORED_REJECTS - len(self.rejects)
            stored_rejects = self.rejects + work.rejects[: max(0, room)]
            self.run.counts = self._counts_dict(merged, last_completed=position)
            self.run.rejects = stored_rejects
            self.run.save(update_fields=["counts", "rejects"])
        # Committed: only now does the batch count.
        self.totals = merged
        self.rejects = stored_rejects
        self.rejected_total += len(work.rejects)
        self.logged_persons |= new_created | new_updated
        self.batches += 1
        self.completed = dict(position)
        if label:
            page_total = sum(counts.total for counts in work.counts.values())
            summary = "; ".join(
                f"{entity}: {counts.summary()}" for entity, counts in sorted(work.counts.items())
            )
            self.write(f"{label}: {page_total} poster ({summary})" if summary else label)

    def finish(self, *, cursor: str = "", **extra: Any) -> ImportRun:
        run = self.run
        run.status = STATUS_DONE
        run.finished_at = timezone.now()
        run.cursor = cursor
        run.counts = self._counts_dict(
            self.totals,
            duration_seconds=round(time.monotonic() - self._started, 3),
            rejects_total=self.rejected_total,
            **extra,
        )
        run.rejects = self.rejects
        run.save()
        return run

    def fail(self, error: BaseException) -> ImportRun:
        """Record where the run stopped. The failing batch was rolled back; every batch
        before it stays."""
        run = self.run
        run.status = STATUS_FAILED
        run.finished_at = timezone.now()
        run.counts = self._counts_dict(
            self.totals,
            duration_seconds=round(time.monotonic() - self._started, 3),
            rejects_total=self.rejected_total,
            stopped_at=self.position,
            last_completed=self.completed,
            error=error_message(error),
        )
        run.rejects = self.rejects
        run.save()
        return run


def _process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_alive(process: str) -> bool | None:
    """True or False for a process on this host; None when it runs elsewhere (unknown)."""
    host, _, pid = process.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def import_runs_fail_stale(*, now: dt.datetime | None = None) -> int:
    """Mark as failed every run left "running" by a process that is gone (killed, or the
    machine restarted), or that has run longer than ``STALE_AFTER``: a run that can no
    longer finish must never look as if it still might. Returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    for run in ImportRun.objects.filter(status=STATUS_RUNNING):
        process = str(run.counts.get("process", ""))
        alive = _process_alive(process) if process else None
        if alive is False or (alive is None and run.started_at < now - STALE_AFTER):
            run.status = STATUS_FAILED
            run.finished_at = now
            run.counts = {**run.counts, "error": ERROR_STALE}
            run.save(update_fields=["status", "finished_at", "counts"])
            marked += 1
    return marked


def error_message(error: BaseException) -> str:
    # A database error's text can quote the row that failed, personnummer included, so
    # only its kind is kept.
    if isinstance(error, DatabaseError):
        return ERROR_DATABASE.format(kind=type(error).__name__)
    if isinstance(error, KeyboardInterrupt):
        return "Avbruten."
    return redact(str(error)) or type(error).__name__


def import_run_record(
    *,
    source: str,
    started_at: dt.datetime,
    ok: bool,
    counts: dict[str, Any],
    rejects: list[dict[str, Any]],
) -> ImportRun:
    """The finished run of an all-or-nothing import, written at once: call it inside the
    transaction that writes the rows (or, for a refused file, on its own). ``rejects`` name
    the line and column, never the values; the first ``MAX_STORED_REJECTS`` are kept.
    Inside ``import_run_bind`` the bound run is filled in instead."""
    bound = _bound_run.get()
    if bound is not None:
        bound.source = source
        bound.finished_at = timezone.now()
        bound.status = STATUS_DONE if ok else STATUS_FAILED
        bound.counts = counts
        bound.rejects = rejects[:MAX_STORED_REJECTS]
        bound.save(update_fields=["source", "finished_at", "status", "counts", "rejects"])
        return bound
    return ImportRun.objects.create(
        source=source,
        started_at=started_at,
        finished_at=timezone.now(),
        status=STATUS_DONE if ok else STATUS_FAILED,
        counts=counts,
        rejects=rejects[:MAX_STORED_REJECTS],
    )
