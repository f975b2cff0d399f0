"""The one upsert every import uses: rows keyed by a source's stable id (``external_id``).

Equal data writes nothing, so importing the same data twice leaves every row as it was,
and a corrected file updates exactly the rows it corrects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from lotsen.ingest.runs import EntityCounts

WRITE_BATCH_SIZE = 1000


@dataclass
class UpsertResult:
    created: list[models.Model] = field(default_factory=list)
    updated: list[models.Model] = field(default_factory=list)
    unchanged: list[models.Model] = field(default_factory=list)


def rows_upsert(
    *,
    model: type[models.Model],
    rows: Sequence[models.Model],
    fields: Sequence[str],
    key: str = "external_id",
    existing: dict[Any, models.Model] | None = None,
) -> UpsertResult:
    """Create the rows whose ``key`` is new, update those whose ``fields`` differ, leave the
    rest alone: equal data writes nothing. ``existing`` may hold rows already looked up
    (key → row); the rest are fetched in one query. Rows must have distinct keys."""
    keys = [getattr(row, key) for row in rows]
    found = dict(existing or {})
    missing = [value for value in keys if value not in found]
    if missing:
        found.update(model.objects.in_bulk(missing, field_name=key))
    attnames = [model._meta.get_field(name).attname for name in fields]
    result = UpsertResult()
    for row in rows:
        old = found.get(getattr(row, key))
        if old is None:
            result.created.append(row)
            continue
        changed = False
        for attname in attnames:
            value = getattr(row, attname)
            if getattr(old, attname) != value:
                setattr(old, attname, value)
                changed = True
        (result.updated if changed else result.unchanged).append(old)
    model.objects.bulk_create(result.created, batch_size=WRITE_BATCH_SIZE)
    if result.updated:
        model.objects.bulk_update(result.updated, list(fields), batch_size=WRITE_BATCH_SIZE)
    return result


def counts_add(counts: EntityCounts, result: UpsertResult) -> None:
    counts.created += len(result.created)
    counts.updated += len(result.updated)
    counts.unchanged += len(result.unchanged)
