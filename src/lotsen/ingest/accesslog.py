"""The access-log entries of an import, at the database's speed.

An import logs one entry per person it created or changed (``persons_written``): 200,000
entries for a national population extract. Made one model instance at a time by
``bulk_create`` they took about half of the import's database time. Here the same entries
(the same fields, the same actor, action, purpose and object) are put on the same hash
chain by the chain's own code (``privacy.accesslog.chain_link``: its lock, the head read
in the import's transaction, each entry's hash over the one before) and then written by
``ingest.upsert.rows_insert``: COPY on PostgreSQL, multi-row statements on SQLite. Both
keep the rows in the order they were chained, so the ids follow the chain and ``lotsen
accesslog verify`` walks it unbroken. Few persons go the ordinary way, through the door.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any

from django.db import connections, router, transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.privacy.accesslog import WRITE_ACTIONS, chain_link
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import AccessLogEntry

# Below this many persons the ordinary path is as fast, and it is the door's own.
BULK_FROM = 500
# Rows per multi-row INSERT on SQLite at most (and within its limit of variables).
SQLITE_BATCH = 2000
ERROR_NOT_A_WRITE = "Bara skrivningar loggas här, inte {action}."


@dataclasses.dataclass(slots=True)
class _Entry:
    """An entry as the chain reads and fills it (``chain_link``, ``entry_canonical``):
    the model's fields by name, without a model instance's cost (a third of the time)."""

    at: dt.datetime
    actor_user_id: int
    organisation_id: int | None
    person_id: int
    action: str
    purpose: str
    object_type: str
    object_id: str
    assurance_level: str
    api_client_id: int | None
    shown: list[str] = dataclasses.field(default_factory=list)
    prev_hash: str = ""
    entry_hash: str = ""


def import_persons_written(
    *,
    actor: Actor,
    action: str,
    purpose: str,
    person_ids: Iterable[int],
    object_type: str,
    object_id: str = "",
) -> int:
    """``persons_written`` for the many persons of an import, in the caller's transaction
    (rolled back with it); returns how many entries were written."""
    if action not in WRITE_ACTIONS:
        raise ValueError(ERROR_NOT_A_WRITE.format(action=str(action)))
    ids = list(person_ids)
    if len(ids) < BULK_FROM:
        persons_written(
            actor=actor,
            action=action,
            purpose=purpose,
            person_ids=ids,
            object_type=object_type,
            object_id=object_id,
        )
        return len(ids)
    organisation_id = actor.organisation.pk if actor.organisation else None
    api_client_id = getattr(actor, "api_client_id", None)
    at = timezone.now()
    entries = [
        _Entry(
            at=at,
            actor_user_id=actor.user.pk,
            organisation_id=organisation_id,
            person_id=person_id,
            action=action,
            purpose=purpose,
            object_type=object_type,
            object_id=str(object_id or person_id),
            assurance_level=actor.assurance_level,
            api_client_id=api_client_id,
        )
        for person_id in ids
    ]
    using = router.db_for_write(AccessLogEntry)
    with transaction.atomic(using=using, savepoint=False):
        chain_link(entries, using=using)  # type: ignore[arg-type]
        _entries_insert(entries, using=using)
    return len(entries)


def _entries_insert(entries: list[_Entry], *, using: str) -> None:
    """Insert the chained entries in their order (so the ids follow the chain). Values
    are prepared by the model's own fields; those the entries share, once."""
    connection = connections[using]
    meta = AccessLogEntry._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    varying = {"person_id", "object_id", "shown", "prev_hash", "entry_hash"}
    first = entries[0]
    shared = {
        f.attname: f.get_db_prep_save(getattr(first, f.attname), connection)
        for f in fields
        if f.attname not in varying
    }
    shown_field = meta.get_field("shown")
    rows: list[tuple[Any, ...]] = []
    for entry in entries:
        values = {
            **shared,
            "person_id": entry.person_id,
            "object_id": entry.object_id,
            "shown": shown_field.get_db_prep_save(entry.shown, connection),
            "prev_hash": entry.prev_hash,
            "entry_hash": entry.entry_hash,
        }
        rows.append(tuple(values[f.attname] for f in fields))
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)
        limit = getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit else 999
        size = max(1, min(SQLITE_BATCH, limit // len(fields)))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(batch))}",  # noqa: S608
                [value for row in batch for value in row],
            )
