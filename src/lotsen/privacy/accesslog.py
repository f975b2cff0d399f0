"""The access log: what is written, when, and the hash chain that makes tampering visible.

One entry per person, per request and purpose. Inside a web request (see
``lotsen.privacy.middleware``) every read of a person for a purpose joins one entry, which
lists in ``shown`` what was shown (the person page, the school overview, the case list...),
and the request's entries are written in one insert before the response leaves. A write
(create, update) is logged at once, in the same transaction as the change, so that a
change rolled back leaves no entry claiming it happened. Outside a request (commands,
jobs) every call writes at once.

The chain: each entry stores the hash of the entry before it (``prev_hash``) and its own
hash (``entry_hash``, SHA-256 over a canonical serialisation of its fields and
``prev_hash``); the first entry links to ``GENESIS_HASH``. Inserts take a lock first (a
transaction-level advisory lock on PostgreSQL; SQLite has one writer at a time anyway),
so two requests can never link to the same predecessor and fork the chain.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connections, router, transaction

from lotsen.accounts.actor import Actor
from lotsen.privacy.models import AccessLogEntry, Action

GENESIS_HASH = "0" * 64
# An arbitrary, fixed key for pg_advisory_xact_lock: "lotsen access log chain".
CHAIN_LOCK_KEY = 0x4C6F74_41434C
# At most this many objects are listed in one entry's ``shown``; the rest are counted.
SHOWN_LIMIT = 50
CHAIN_VERSION = 1

# Writes are logged at once, in the writer's transaction; every other action is a read.
WRITE_ACTIONS = frozenset({Action.CREATE, Action.UPDATE})
# When one request reads a person in several ways, the entry keeps the weightiest.
READ_RANK = {Action.VIEW: 0, Action.SEARCH: 1, Action.EXPORT: 2, Action.EMERGENCY: 3}


# --- The chain ---------------------------------------------------------------------------


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_canonical(entry: AccessLogEntry) -> bytes:
    """The bytes an entry's hash is taken over: every field but the id, and prev_hash.

    The id is left out because it is given by the database after the hash is computed;
    order is kept by the chain itself, so a removed or reordered row breaks a link. The
    level of assurance joins the form only when there is one, so that entries written
    before it was kept (empty) hash as they did and still verify.
    """
    fields: list = [
        CHAIN_VERSION,
        _timestamp(entry.at),
        entry.actor_user_id,
        entry.organisation_id,
        entry.person_id,
        entry.action,
        entry.purpose,
        entry.object_type,
        str(entry.object_id),
        list(entry.shown or []),
        entry.prev_hash,
    ]
    # getattr: migration 0005 chains entries through a historical model without the field.
    assurance_level = getattr(entry, "assurance_level", "")
    if assurance_level:
        fields.append(["assurance_level", assurance_level])
    # Likewise the machine client, only when there is one.
    api_client_id = getattr(entry, "api_client_id", None)
    if api_client_id is not None:
        fields.append(["api_client", api_client_id])
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


def entry_digest(entry: AccessLogEntry) -> str:
    return hashlib.sha256(entry_canonical(entry)).hexdigest()


def _chain_lock(using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    # SQLite has one writer at a time, and transaction_mode IMMEDIATE (settings) takes the
    # write lock when the transaction begins, before the head is read. Even without it a
    # transaction whose snapshot is older than the last commit cannot write: it fails
    # ("database is locked") rather than fork the chain.


def chain_link(entries: list[AccessLogEntry], *, using: str) -> None:
    """Give ``entries`` their place at the head of the chain. Call inside the transaction
    that inserts them: the lock taken here is held until that transaction ends."""
    _chain_lock(using)
    head = (
        AccessLogEntry.objects.using(using)
        .order_by("-id")
        .values_list("entry_hash", flat=True)
        .first()
    )
    previous = head if head is not None else GENESIS_HASH
    for entry in entries:
        if entry.at is None:
            raise ValueError("An access-log entry needs its time before it is chained.")
        if not entry.shown:
            entry.shown = [_shown_item(entry.action, entry.object_type, entry.object_id)]
        entry.prev_hash = previous
        entry.entry_hash = entry_digest(entry)
        previous = entry.entry_hash


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    count: int
    head: str
    first_break: ChainBreak | None
    # The hash the walk started from: GENESIS_HASH, or after a retention step the hash of
    # the last entry removed (see ``access_log_detach_before``).
    start: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.first_break is None


ERROR_PREV_HASH = (
    "prev_hash {found} skulle vara {expected}: en post före den har tagits bort, lagts till "
    "eller ändrats"
)
ERROR_ENTRY_HASH = (
    "entry_hash {found} stämmer inte med postens fält ({expected}): posten har ändrats"
)


def access_log_verify(
    *, using: str | None = None, chunk_size: int = 2000, from_hash: str | None = None
) -> ChainReport:
    """Walk the whole chain in id order, in bounded memory, and stop at the first break.

    The chain starts at GENESIS_HASH, or, once the database owner's retention step has
    removed the oldest months, at the hash of the last entry removed: the step records it
    with the id of the oldest entry kept (``access_log_retention_mark``), and the owner
    keeps it outside the database too (``from_hash``, which then must match). Anything
    else at the start is a break, as before.
    """
    using = using or router.db_for_read(AccessLogEntry)
    previous = start = GENESIS_HASH
    count = 0
    mark = access_log_retention_mark(using=using)
    entries = AccessLogEntry.objects.using(using).order_by("id")
    for entry in entries.iterator(chunk_size=chunk_size):
        if count == 0 and entry.prev_hash != GENESIS_HASH:
            if from_hash is not None:
                accepted = entry.prev_hash == from_hash
            else:
                accepted = mark is not None and mark == (entry.pk, entry.prev_hash)
            if accepted:
                previous = start = entry.prev_hash
        if entry.prev_hash != previous:
            found = entry.prev_hash or "(tom)"
            problem = ERROR_PREV_HASH.format(found=found, expected=previous)
            return ChainReport(count, previous, ChainBreak(entry.pk, problem), start)
        expected = entry_digest(entry)
        if entry.entry_hash != expected:
            found = entry.entry_hash or "(tom)"
            problem = ERROR_ENTRY_HASH.format(found=found, expected=expected)
            return ChainReport(count, previous, ChainBreak(entry.pk, problem), start)
        previous = entry.entry_hash
        count += 1
    return ChainReport(count=count, head=previous, first_break=None, start=start)


# --- One entry per person, per request and purpose ------------------------------------------


def _shown_item(action: str, object_type: str, object_id: object) -> str:
    item = f"{object_type}:{object_id}" if object_id not in (None, "") else object_type
    return item if action == Action.VIEW else f"{action}:{item}"


@dataclass
class _Pending:
    entry: AccessLogEntry
    shown: dict[str, None] = field(default_factory=dict)
    more: int = 0

    def show(self, item: str) -> None:
        if item in self.shown:
            return
        if len(self.shown) < SHOWN_LIMIT:
            self.shown[item] = None
        else:
            self.more += 1


class AccessLogCollector:
    """The reads of one request, merged into one entry per (actor, organisation, person,
    purpose). Flushed once, by the middleware, before the response leaves."""

    def __init__(self) -> None:
        self._pending: dict[tuple, _Pending] = {}
        # Keys already written by an earlier flush of the same request (a streamed
        # response flushes before each chunk): the person is logged for this request.
        self._written: set[tuple] = set()

    def __len__(self) -> int:
        return len(self._pending)

    def add(
        self,
        *,
        actor_user_id: int,
        organisation_id: int | None,
        person_id: int | None,
        action: str,
        purpose: str,
        object_type: str,
        object_id: str,
        assurance_level: str = "",
        api_client_id: int | None = None,
    ) -> None:
        key = (actor_user_id, organisation_id, person_id, purpose)
        if key in self._written:
            return
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(
                AccessLogEntry(
                    actor_user_id=actor_user_id,
                    organisation_id=organisation_id,
                    person_id=person_id,
                    action=action,
                    purpose=purpose,
                    object_type=object_type,
                    object_id=object_id,
                    assurance_level=assurance_level,
                    api_client_id=api_client_id,
                )
            )
        elif READ_RANK.get(action, 0) > READ_RANK.get(pending.entry.action, 0):
            # The weightiest read names the entry (an export outweighs a view), so the
            # young person's "who read my data" says what happened.
            pending.entry.action = action
            pending.entry.object_type = object_type
            pending.entry.object_id = object_id
        pending.show(_shown_item(action, object_type, object_id))

    def entries(self) -> list[AccessLogEntry]:
        result = []
        for pending in self._pending.values():
            shown = list(pending.shown)
            if pending.more:
                shown.append(f"+{pending.more}")
            pending.entry.shown = shown
            result.append(pending.entry)
        return result

    def flush(self) -> int:
        """Write the pending entries in one insert on the chain. Raises if it cannot: the
        caller must then not show what was read."""
        entries = self.entries()
        self._written.update(self._pending)
        self._pending = {}
        if entries:
            AccessLogEntry.objects.bulk_create(entries)
        return len(entries)


_collector: contextvars.ContextVar[AccessLogCollector | None] = contextvars.ContextVar(
    "lotsen_access_log_collector", default=None
)


@contextlib.contextmanager
def access_log_collect(
    collector: AccessLogCollector | None = None,
) -> Iterator[AccessLogCollector]:
    """Collect reads into ``collector`` (a new one by default) while the block runs. The
    caller flushes it: the middleware does so even after an error, since the data may
    have been read before it failed."""
    collector = collector if collector is not None else AccessLogCollector()
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)


def access_log_record(
    *,
    actor: Actor,
    action: str,
    purpose: str,
    person_ids: Iterable[int],
    object_type: str = "person",
    object_id: str = "",
) -> None:
    """Log that ``actor`` did ``action`` with these persons' data for ``purpose``. Ids only.

    Inside a request, reads join the request's one entry per person and purpose; writes,
    and everything outside a request, are written at once in the caller's transaction.
    Each entry carries the level of assurance of the actor's login, and the machine
    client when the actor is one.
    """
    org_id = actor.organisation.pk if actor.organisation else None
    collector = _collector.get()
    if collector is not None and action not in WRITE_ACTIONS:
        for person_id in person_ids:
            collector.add(
                actor_user_id=actor.user.pk,
                organisation_id=org_id,
                person_id=person_id,
                action=action,
                purpose=purpose,
                object_type=object_type,
                object_id=str(object_id or person_id),
                assurance_level=actor.assurance_level,
                api_client_id=getattr(actor, "api_client_id", None),
            )
        return
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                actor_user_id=actor.user.pk,
                organisation_id=org_id,
                person_id=person_id,
                action=action,
                purpose=purpose,
                object_type=object_type,
                object_id=str(object_id or person_id),
                assurance_level=actor.assurance_level,
                api_client_id=getattr(actor, "api_client_id", None),
            )
            for person_id in person_ids
        ]
    )


# --- Monthly partitions on PostgreSQL (migration 0009) -------------------------------------
#
# One partition per calendar month in UTC, ``<table>_pYYYYMM``, between two catch-alls:
# ``<table>_before`` (MINVALUE up to the oldest month) and ``<table>_after`` (from the
# month after the newest up to MAXVALUE), so an insert always has a partition. The nightly
# ``lotsen accesslog partitions --ensure-months N`` splits months off ``_after`` ahead of
# time; ``--detach-before YYYY-MM`` is the database owner's retention step. Both are DDL,
# which the append-only row triggers do not stop, and need the table owner's rights.

TABLE = AccessLogEntry._meta.db_table
RETENTION_MARK = "lotsen-accesslog-retention"
ERROR_NOT_PARTITIONED = (
    "Åtkomstloggen är inte uppdelad per månad (bara på PostgreSQL, migrering 0009)."
)
ERROR_RETENTION_FUTURE = "Gallringen kan bara ta bort hela månader som har passerat, inte {month}."
ERROR_RETENTION_OVERLAP = (
    "Loggpost {kept} (kvar) är äldre i kedjan än loggpost {removed} (tas bort): två poster "
    "skrevs över månadsskiftet i omvänd ordning. Gallra en månad senare."
)


@dataclass(frozen=True)
class Partition:
    name: str
    start: dt.date | None  # None: from MINVALUE
    end: dt.date | None  # None: to MAXVALUE


def month_start(day: dt.date, add: int = 0) -> dt.date:
    months = day.year * 12 + day.month - 1 + add
    return dt.date(months // 12, months % 12 + 1, 1)


def _bound_sql(day: dt.date | None, infinite: str) -> str:
    return infinite if day is None else f"'{day.isoformat()} 00:00:00+00'"


def _bound_date(text: str) -> dt.date | None:
    text = text.strip()
    if text in ("MINVALUE", "MAXVALUE"):
        return None
    return dt.datetime.fromisoformat(text.strip("'")).astimezone(dt.UTC).date()


def access_log_partitions(*, using: str = "default") -> list[Partition]:
    """The partitions of the access log, oldest first; empty when it is not partitioned."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        rows = cur.fetchall()
    partitions = []
    for name, bound in rows:
        low, high = bound.removeprefix("FOR VALUES FROM (").removesuffix(")").split(") TO (")
        partitions.append(Partition(name, _bound_date(low), _bound_date(high)))
    return sorted(partitions, key=lambda p: p.start or dt.date.min)


def _create_partition_sql(name: str, start: dt.date | None, end: dt.date | None) -> list[str]:
    return [
        f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM "
        f"({_bound_sql(start, 'MINVALUE')}) TO ({_bound_sql(end, 'MAXVALUE')})",
        f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
    ]


def _require_partitioned(using: str) -> list[Partition]:
    partitions = access_log_partitions(using=using)
    if not partitions:
        raise ValueError(ERROR_NOT_PARTITIONED)
    return partitions


def access_log_ensure_months(
    *, months_ahead: int, using: str = "default", today: dt.date | None = None
) -> list[str]:
    """Give every month up to ``months_ahead`` after this one (UTC) its own partition, split
    off the ``_after`` catch-all. Should ``_after`` already hold entries of those months
    (the nightly run missed a while), they are moved into the new partitions, unchanged:
    the old catch-all is detached, its rows inserted through the parent, and it is
    dropped. Returns the partitions created."""
    connection = connections[using]
    today = today or dt.datetime.now(dt.UTC).date()
    last = month_start(today, months_ahead)
    _require_partitioned(using)
    with transaction.atomic(using=using):
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        after = _require_partitioned(using)[-1]
        if after.end is not None or after.start is None or after.start > last:
            return []
        old = f"{after.name}_split"
        statements = [
            f"ALTER TABLE {TABLE} DETACH PARTITION {after.name}",
            f"ALTER TABLE {after.name} RENAME TO {old}",
        ]
        created, month = [], after.start
        while month <= last:
            name = f"{TABLE}_p{month:%Y%m}"
            statements += _create_partition_sql(name, month, month_start(month, 1))
            created.append(name)
            month = month_start(month, 1)
        statements += _create_partition_sql(after.name, month, None)
        statements += [
            f"INSERT INTO {TABLE} SELECT * FROM {old}",  # noqa: S608
            f"DROP TABLE {old}",
        ]
        with connection.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    return created


@dataclass(frozen=True)
class Retention:
    removed: list[str]  # the partitions detached (and dropped, if asked)
    first_kept_id: int | None
    start_hash: str  # the hash the chain now starts from: keep it with the head hashes


def access_log_retention_mark(*, using: str = "default") -> tuple[int, str] | None:
    """(id of the oldest entry kept, hash the chain starts from) after a retention step,
    as the step recorded it in the table's comment; None before any."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT obj_description(%s::regclass, 'pg_class')", [TABLE])
        (comment,) = cur.fetchone()
    parts = (comment or "").split()
    if len(parts) != 3 or parts[0] != RETENTION_MARK:
        return None
    return int(parts[1]), parts[2]


def access_log_detach_before(
    *, month: dt.date, drop: bool = False, using: str = "default", today: dt.date | None = None
) -> Retention:
    """The database owner's retention step: detach every partition wholly before
    ``month`` (UTC), and drop them if ``drop``; detached ones stay as plain tables to be
    archived (pg_dump -t) and dropped by hand. Whole months only, never the present one.

    The chain: the entries removed must be a prefix of it (every id kept is higher than
    every id removed), else the step refuses. The hash of the last entry removed and the id
    of the oldest kept are recorded in the table's comment, and ``verify`` starts there.
    """
    connection = connections[using]
    today = today or dt.datetime.now(dt.UTC).date()
    month = month_start(month)
    if month > month_start(today):
        raise ValueError(ERROR_RETENTION_FUTURE.format(month=f"{month:%Y-%m}"))
    _require_partitioned(using)
    with transaction.atomic(using=using):
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        partitions = _require_partitioned(using)
        old = [p for p in partitions if p.end is not None and p.end <= month]
        if not old:
            return Retention([], None, GENESIS_HASH)
        names = [p.name for p in old]
        removed = AccessLogEntry.objects.using(using).extra(  # noqa: S610
            where=["tableoid::regclass::text = ANY(%s)"], params=[names]
        )
        kept = AccessLogEntry.objects.using(using).filter(at__gte=_month_datetime(month))
        last_removed = removed.order_by("-id").values_list("id", "entry_hash").first()
        first_kept = kept.order_by("id").values_list("id", "prev_hash").first()
        if last_removed and first_kept and first_kept[0] < last_removed[0]:
            raise ValueError(
                ERROR_RETENTION_OVERLAP.format(kept=first_kept[0], removed=last_removed[0])
            )
        mark = access_log_retention_mark(using=using)
        start_hash = last_removed[1] if last_removed else (mark[1] if mark else GENESIS_HASH)
        statements = []
        for name in names:
            statements.append(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
            if drop:
                statements.append(f"DROP TABLE {name}")
        # An empty catch-all again below the oldest month kept, so no insert ever fails.
        statements += _create_partition_sql(f"{TABLE}_before", None, month)
        if first_kept:
            comment = f"{RETENTION_MARK} {first_kept[0]} {start_hash}"
            statements.append(f"COMMENT ON TABLE {TABLE} IS '{comment}'")
        with connection.cursor() as cur:
            if not drop and f"{TABLE}_before" in names:
                # The detached catch-all keeps its rows under a name of its own.
                statements.insert(
                    names.index(f"{TABLE}_before") + 1,
                    f"ALTER TABLE {TABLE}_before RENAME TO {TABLE}_before_{month:%Y%m}",
                )
            for statement in statements:
                cur.execute(statement)
    return Retention(names, first_kept[0] if first_kept else None, start_hash)


def _month_datetime(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=dt.UTC)
