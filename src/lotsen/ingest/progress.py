"""How far an import has come, visible to the browser while the import's transaction is open.

An import reports through a callback, ``progress(read=, written=, total=)``: rows read and
checked, rows written, rows in the file. The importers call it every ``PROGRESS_EVERY``
rows (``None`` means nobody listens). A run started from the browser hands them a
``ProgressReporter``, which keeps the latest numbers where another process can read them
*now*, not when the import commits:

- On PostgreSQL in the run's ``ImportUpload.progress``, written by a thread of its own
  (hence its own connection, in autocommit): the import's transaction never touches that
  row, so the write neither waits for it nor is hidden by it.
- On SQLite in a small JSON file under ``LOTSEN_IMPORT_DIR``: SQLite has one writer at a
  time, and during the write phase that writer is the import itself, so a second
  connection could not record anything until the import is over. Every process using an
  SQLite database runs on the machine that holds its file, so a file beside it is seen by
  the web process as well as the worker.

The reporter writes at most every ``MIN_INTERVAL`` seconds (the latest numbers win), so a
fast import is not slowed down by its own reports. ``progress_read`` is what the page
asks; ``progress_clear`` removes the file when the run has ended (its counts are then on
the ``ImportRun``).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError, connection, connections

from lotsen.ingest.models import ImportUpload

PROGRESS_EVERY = 1000
MIN_INTERVAL = 0.2


class Progress(Protocol):
    def __call__(
        self, *, read: int | None = None, written: int | None = None, total: int | None = None
    ) -> None: ...


def progress_every(progress: Progress | None, done: int, **numbers: int) -> None:
    """Call ``progress`` when ``done`` is a multiple of ``PROGRESS_EVERY`` (the importers'
    loops call this for every row; it costs a modulo when nobody listens)."""
    if progress is not None and done % PROGRESS_EVERY == 0:
        progress(**numbers)


def _uses_file() -> bool:
    return connection.vendor == "sqlite"


def import_dir() -> Path:
    """``LOTSEN_IMPORT_DIR`` (a setting or the environment), by default ``var/imports``."""
    configured = getattr(settings, "LOTSEN_IMPORT_DIR", None) or os.environ.get("LOTSEN_IMPORT_DIR")
    return Path(configured or Path(settings.VAR_DIR) / "imports")


def _file(run_id: int) -> Path:
    return import_dir() / "progress" / f"{int(run_id)}.json"


def progress_read(run_id: int) -> dict[str, int]:
    """The latest numbers of a running run: ``read``, ``written``, ``total`` (absent when
    not known yet)."""
    if _uses_file():
        try:
            data = json.loads(_file(run_id).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
    found = ImportUpload.objects.filter(run_id=run_id).values_list("progress", flat=True).first()
    return dict(found or {})


def progress_clear(run_id: int) -> None:
    if _uses_file():
        _file(run_id).unlink(missing_ok=True)


def _file_write(run_id: int, data: dict[str, Any]) -> None:
    path = _file(run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".progress-")
    with os.fdopen(handle, "w") as out:
        json.dump(data, out)
    os.replace(temporary, path)


class ProgressReporter:
    """The callback a browser-started run hands its importer; ``close()`` when it ends."""

    def __init__(self, run_id: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.run_id = run_id
        self.numbers: dict[str, int] = {}
        self._clock = clock
        self._last = -MIN_INTERVAL
        self._file = _uses_file()
        self._pending = threading.Event()
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if not self._file:
            self._thread = threading.Thread(
                target=self._write_loop, name=f"lotsen-import-progress-{run_id}", daemon=True
            )
            self._thread.start()

    def __call__(
        self, *, read: int | None = None, written: int | None = None, total: int | None = None
    ) -> None:
        with self._lock:
            for name, value in (("read", read), ("written", written), ("total", total)):
                if value is not None:
                    self.numbers[name] = int(value)
        now = self._clock()
        if now - self._last < MIN_INTERVAL:
            return
        self._last = now
        if self._file:
            _file_write(self.run_id, dict(self.numbers))
        else:
            self._pending.set()

    def flush(self) -> None:
        """Store the latest numbers now, whatever the interval."""
        self._last = -MIN_INTERVAL
        self()

    def _write_loop(self) -> None:
        try:
            while not self._stopped.is_set():
                self._pending.wait(timeout=0.5)
                if not self._pending.is_set():
                    continue
                self._pending.clear()
                with self._lock:
                    numbers = dict(self.numbers)
                try:
                    ImportUpload.objects.filter(run_id=self.run_id).update(progress=numbers)
                except DatabaseError:
                    continue  # the next report tries again; progress is never worth a failure
        finally:
            connections.close_all()

    def close(self) -> None:
        self._stopped.set()
        self._pending.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
