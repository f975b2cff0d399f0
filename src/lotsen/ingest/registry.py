"""The importers ``lotsen import <kind> …`` can run, registered by the apps that own them.

Ingest knows no domain app: each app's ``imports`` module registers its importers with
``importer_register`` when it is imported, and ``importers()`` imports every installed
app's ``imports`` module once (Django's ``autodiscover_modules``, as the admin finds
``admin`` modules). One name for import modules across apps is therefore also how the
command finds them.

An app whose data depends on another app's import (the KAA cohort depends on school
enrolments) registers a follow-up with ``after_import_register``; the importing app runs
``after_import_run(topic)`` inside the transaction that wrote its rows, without knowing
who listens.

An importer that can also take a file uploaded in the browser says so with ``upload`` (the
same import code the command runs, given the file's bytes) and names the ``roles`` that own
its data and may upload it (``lotsen.web.uploads`` runs it as a background job).
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

from lotsen.accounts.actor import Actor
from lotsen.ingest.progress import Progress

IMPORT_MODULE = "imports"


@dataclass(frozen=True)
class Upload:
    """A file uploaded in the browser, as its importer's ``upload`` gets it."""

    data: bytes
    filename: str
    # Who uploaded it, acting in which organisation and role: an importer whose data
    # belongs to an organisation keeps the file to that organisation's data.
    actor: Actor
    progress: Progress | None = None


@dataclass
class UploadOutcome:
    """What an upload's import did. ``rejects`` name line, column and reason (every error
    on a line, never a value); ``ok`` False with rejects means the file was refused and
    nothing was written."""

    ok: bool
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class Importer:
    """One ``lotsen import <kind>``.

    ``arguments`` adds the kind's own arguments to its parser; ``run(stdout=, stderr=,
    **options)`` imports and reports, and raises ``CommandError`` when the data is
    refused. ``dry_run`` says the importer writes all or nothing in the caller's
    transaction, so ``--dry-run`` can check a file by rolling everything back.
    """

    kind: str
    help: str
    arguments: Callable[[ArgumentParser], None]
    run: Callable[..., None]
    dry_run: bool = False
    description: str = ""
    epilog: str = ""
    # Browser uploads: the import itself, the roles that own the data (who may upload),
    # a title for the page, and the file types the file field offers.
    upload: Callable[[Upload], UploadOutcome] | None = None
    roles: frozenset[str] = frozenset()
    title: str = ""
    accept: str = ".csv,text/csv"


class ImporterTaken(ValueError):
    """Two apps registered the same kind: the command could run only one of them."""


_importers: dict[str, Importer] = {}
_after_import: dict[str, list[Callable[[], object]]] = {}
_discovered = False


def importer_register(importer: Importer) -> Importer:
    """Make ``importer`` available as ``lotsen import <importer.kind>``; registering the
    same importer again (a module imported twice) is harmless."""
    taken = _importers.get(importer.kind)
    # The same function again (a module imported twice) is the same importer.
    same = taken is not None and (taken.run.__module__, taken.run.__qualname__) == (
        importer.run.__module__,
        importer.run.__qualname__,
    )
    if taken is not None and not same:
        raise ImporterTaken(importer.kind)
    _importers[importer.kind] = importer
    return importer


def importers() -> dict[str, Importer]:
    """Every registered importer by kind, after importing every app's imports module."""
    global _discovered
    if not _discovered:
        autodiscover_modules(IMPORT_MODULE)
        _discovered = True
    return dict(sorted(_importers.items()))


def importers_for_role(role: str) -> list[Importer]:
    """The importers a user acting in ``role`` may run from the browser."""
    return [i for i in importers().values() if i.upload is not None and role in i.roles]


def after_import_register(topic: str, followup: Callable[[], object]) -> None:
    """Run ``followup`` after every import of ``topic`` (e.g. "school"), in its transaction."""
    callbacks = _after_import.setdefault(topic, [])
    if followup not in callbacks:
        callbacks.append(followup)


def after_import_run(topic: str, **_context: Any) -> None:
    """Run the follow-ups of ``topic``; an exception rolls the import back with them."""
    importers()  # the follow-ups are registered by the apps' imports modules
    for followup in _after_import.get(topic, []):
        followup()
