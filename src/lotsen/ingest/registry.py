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
its data and may upload it (``lotsen.web.uploads`` runs it as a background job). An upload
reaches only the uploader's own area: an importer whose rows name a municipality or a school
unit declares ``scope``, the codes an actor's rows may name (the coordinator's municipality,
the administrator's own school units); an actor with none does not see the kind, and the
importer refuses the whole file, naming line and column, when a row falls outside them.
The command line (``lotsen import``, run by operators) has no scope: its reach is national.
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
    # The codes the rows may name (``Importer.scope`` of the actor): a row naming another
    # is refused with the file. None only for an importer that declares no scope.
    scope: frozenset[str] | None = None


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
    # The codes (municipality or school unit) an actor's uploaded rows may name; an actor
    # with none may not upload the kind. None: the importer keeps the upload to the
    # uploader's organisation itself (``Upload.actor``).
    scope: Callable[[Actor], frozenset[str]] | None = None
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
    """The importers a user acting in ``role`` may run from the browser (before scope)."""
    return [i for i in importers().values() if i.upload is not None and role in i.roles]


def importers_for_actor(actor: Actor) -> list[Importer]:
    """The importers the actor may run from the browser: their role owns the data and, for
    an importer with a scope, their organisation has an area in it."""
    return [
        importer
        for importer in importers_for_role(actor.role)
        if importer.scope is None or importer.scope(actor)
    ]


# The reason a row outside the uploader's area is refused with; the column names the code.
ERROR_OUT_OF_SCOPE = "Utanför ditt område: {what}."


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
