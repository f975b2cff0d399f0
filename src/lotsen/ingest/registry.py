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
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

IMPORT_MODULE = "imports"


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
