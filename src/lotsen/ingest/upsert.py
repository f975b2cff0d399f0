"""The one upsert every import uses: rows keyed by a source's stable id (``external_id``).

Equal data writes nothing, so importing the same data twice leaves every row as it was,
and a corrected file updates exactly the rows it corrects.

The work is done by the database, one statement per batch, not row by row in Python:

- PostgreSQL: the rows are COPYed into a temporary staging table and merged with one
  ``INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE (…) IS DISTINCT FROM (…)
  RETURNING``; what comes back says which rows were created (``xmax = 0``) and which
  updated, and a row not returned was equal and is not written at all.
- SQLite: the existing keys are looked up with one query per batch, then a multi-row
  ``INSERT … ON CONFLICT (key) DO UPDATE … WHERE … IS NOT … RETURNING`` writes the batch.

Both compare in the database (NULL-safe), so the two agree on what "equal" means. The key
must have a unique constraint of its own (``external_id`` has on every imported model).

A large file's rows go through ``values_merge`` as plain tuples, without a model instance
each; with ``report`` the statement also says which values of one column (the person)
the created and updated rows carry, grouped in the database, so that the import's
access log needs no second look at the rows. ``ids_by_values`` resolves a file's
identifiers (personnummer) to ids with one query on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models import CharField, Expression, Lookup, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from lotsen.ingest.runs import EntityCounts

WRITE_BATCH_SIZE = 1000
# SQLite's default bound on parameters per statement (SQLITE_MAX_VARIABLE_NUMBER) since
# 3.32; the real bound is asked for when the driver can tell.
_SQLITE_DEFAULT_VARIABLES = 32766


@dataclass
class UpsertResult:
    created: list[models.Model] = field(default_factory=list)
    updated: list[models.Model] = field(default_factory=list)
    unchanged: list[models.Model] = field(default_factory=list)


@dataclass
class MergeResult:
    """What ``values_merge`` did: the keys it created and updated (with ``report``: the
    values of that column in the created and the updated rows) and how many rows each;
    every other row it was given was equal to what the database held, and was not
    written."""

    created: set[Any] = field(default_factory=set)
    updated: set[Any] = field(default_factory=set)
    unchanged: int = 0
    created_rows: int = 0
    updated_rows: int = 0


def rows_upsert(
    *,
    model: type[models.Model],
    rows: Sequence[models.Model],
    fields: Sequence[str],
    key: str = "external_id",
    existing: dict[Any, models.Model] | None = None,
) -> UpsertResult:
    """Create the rows whose ``key`` is new, update those whose ``fields`` differ, leave the
    rest alone: equal data writes nothing. Rows must have distinct keys.

    The lists in the result are the given rows; a created row's primary key is not set.
    ``existing`` (key → row already in the database, e.g. a row stored under no key that
    this key takes over) makes those rows be compared and updated by primary key instead;
    the rest go through the database merge."""
    fields = [name for name in fields if name != key]  # the key is always written
    if existing:
        return _rows_upsert_existing(
            model=model, rows=rows, fields=fields, key=key, existing=existing
        )
    key_attname = model._meta.get_field(key).attname
    extra = _insert_only_fields(model, key, fields)
    stamped = [
        f for f in extra if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    attnames = [
        key_attname,
        *(model._meta.get_field(name).attname for name in fields),
        *(f.attname for f in extra),
    ]
    values = []
    for row in rows:
        for f in stamped:
            f.pre_save(row, add=True)
        values.append(tuple(getattr(row, a) for a in attnames))
    merged = _merge(model=model, key=key, fields=fields, extra=extra, rows=values)
    result = UpsertResult()
    for row in rows:
        value = getattr(row, key_attname)
        if value in merged.created:
            result.created.append(row)
        elif value in merged.updated:
            result.updated.append(row)
        else:
            result.unchanged.append(row)
    return result


def _rows_upsert_existing(
    *,
    model: type[models.Model],
    rows: Sequence[models.Model],
    fields: Sequence[str],
    key: str,
    existing: dict[Any, models.Model],
) -> UpsertResult:
    """The rows found in ``existing`` compared in Python and updated by primary key (their
    stored key may differ from the new one, which the update then sets); the rest merged."""
    key_attname = model._meta.get_field(key).attname
    attnames = [model._meta.get_field(name).attname for name in fields]
    result = UpsertResult()
    rest = []
    for row in rows:
        old = existing.get(getattr(row, key_attname))
        if old is None:
            rest.append(row)
            continue
        changed = getattr(old, key_attname) != getattr(row, key_attname)
        setattr(old, key_attname, getattr(row, key_attname))
        for attname in attnames:
            value = getattr(row, attname)
            if getattr(old, attname) != value:
                setattr(old, attname, value)
                changed = True
        (result.updated if changed else result.unchanged).append(old)
    rows_update(model=model, rows=result.updated, fields=[key, *fields])  # key not in fields
    merged = rows_upsert(model=model, rows=rest, fields=fields, key=key)
    result.created = merged.created
    result.updated += merged.updated
    result.unchanged += merged.unchanged
    return result


def values_merge(
    *,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    key: str = "external_id",
    report: str | None = None,
) -> MergeResult:
    """Upsert plain values: each row is ``(key, *fields)`` as Python values (a foreign key
    by its id, ``person_id``). The lean path for a large file: no model instance is built.
    A column not among ``fields`` gets its model default when the row is created (an
    ``auto_now``/``auto_now_add`` field: now) and is never updated. Keys must be distinct.
    ``report`` (one of ``fields``, e.g. ``"person"``) makes the result's ``created`` and
    ``updated`` the values of that column instead of the keys: a value is in ``updated``
    when one of its rows was updated, whatever its other rows did.
    Runs in one transaction (a savepoint inside the caller's)."""
    extra = _insert_only_fields(model, key, fields)
    makers = [_default_maker(f) for f in extra]
    if makers:
        rows = [(*row, *(make() for make in makers)) for row in rows]
    return _merge(model=model, key=key, fields=fields, extra=extra, rows=rows, report=report)


def ids_by_values(
    *, model: type[models.Model], field_name: str, values: Iterable[Any]
) -> dict[Any, int]:
    """The primary keys of the rows whose ``field_name`` (a column with a unique
    constraint, e.g. the personnummer) is among ``values``, by value; a value no row has
    is absent. One query on PostgreSQL (the values as one array), one per batch of
    SQLite's bound on parameters there; no model instance is built."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    database = router.db_for_read(model)
    connection = connections[database]
    meta = model._meta
    column = meta.get_field(field_name)
    if not (column.unique or _single_unique_constraint(model, column.name)):
        raise ValueError(f"{meta.label}.{field_name} has no unique constraint of its own")
    quote = connection.ops.quote_name
    name, pk, table = quote(column.column), quote(meta.pk.column), quote(meta.db_table)
    select = f"SELECT {name}, {pk} FROM {table}"  # noqa: S608 (quoted names)
    found: dict[Any, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"{select} WHERE {name} = ANY(%s)", [wanted])
            found.update(cursor.fetchall())
        else:
            for batch in _chunks(wanted, _sqlite_variables(connection)):
                placeholders = ", ".join(["%s"] * len(batch))
                cursor.execute(f"{select} WHERE {name} IN ({placeholders})", batch)
                found.update(cursor.fetchall())
    return found


class _AnyOf(Lookup):
    """``column IN (values)`` for a long list of plain values (ids, say), as one array on
    PostgreSQL (``= ANY(%s)``): Django's ``__in`` prepares and binds each value on its own,
    which for a batch of 2,000 ids cost scoring more than the query did (issue 16)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            # Cast to the column's own type: the driver types a list of small numbers as
            # smallint[], and bigint = ANY(smallint[]) is checked row by row (a batch of
            # risk scores read 15 times slower).
            array = f"{self.lhs.output_field.db_type(connection)}[]"
            return f"{lhs} = ANY(%s::{array})", [*lhs_params, array_param(values)]
        if not values:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def array_param(values: list[Any]) -> list[Any] | str:
    """What to bind for a PostgreSQL array (``%s::bigint[]``) of ``values``: whole numbers
    as one array literal (``{1,2,3}``), which the driver binds as one string; other values
    as the list. Django's cursor binds on the client, and quoting a list of 2,000 ids
    element by element took scoring a quarter of a second a night (issue 16). ``str`` of
    an int is only digits and a sign, so nothing else can get into the literal."""
    # The types checked in C: a generator over every id cost scoring 20 ms a night.
    if set(map(type, values)) <= {int}:
        return "{" + ",".join(map(str, values)) + "}"
    return values


def rows_fetched(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` query as the database driver gives them: the ORM's
    SQL, without its per-row iterator and per-value converters (a night's tens of
    thousands of rows, or a million grades' dates parsed one by one, cost more than reading
    them). Dates come back as dates or, from SQLite, as ISO text."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetched_date_column(name: str) -> Expression:
    """A date column to read with ``rows_fetched``: on SQLite as its text, which the
    driver would otherwise parse value by value (``fetched_date`` parses each distinct
    day once); on PostgreSQL the driver gives dates."""
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return Cast(name, output_field=CharField())
    return models.F(name)


@functools.lru_cache(maxsize=65536)
def fetched_date(value: dt.date | str) -> dt.date:
    """A date column's value from ``rows_fetched`` as a date (SQLite gives ISO text); a
    handful of distinct days among a million rows, so each is parsed once."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def writers_serialized(name: str, key: int, *, using: str = "default") -> None:
    """Wait until no other open transaction has called this with the same ``name`` and
    ``key``, and hold that turn until this transaction ends: one lock for a whole batch of
    rows rather than a row lock on each. PostgreSQL: ``pg_advisory_xact_lock``. SQLite
    needs nothing: ``transaction_mode`` IMMEDIATE (settings) gives every writing
    transaction the database's one write lock from its first statement."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("writers_serialized needs a transaction")
    if connection.vendor == "postgresql":
        # Two int4 keys: the name's CRC-32 as a signed int4, and the caller's key.
        name_key = zlib.crc32(name.encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [name_key, key])


def any_of(field_name: str, values: Iterable[Any]) -> _AnyOf:
    """A filter: ``field_name`` is one of ``values`` (plain values of the column's type,
    already clean: they are bound as they are). ``queryset.filter(any_of("person_id",
    ids))`` means ``filter(person_id__in=ids)``, without a bound parameter per id on
    PostgreSQL."""
    return _AnyOf(models.F(field_name), list(values))


def _insert_only_fields(
    model: type[models.Model], key: str, fields: Sequence[str]
) -> list[models.Field]:
    named = {model._meta.get_field(name).name for name in (key, *fields)}
    return [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in named]


def _default_maker(db_field: models.Field) -> Callable[[], Any]:
    if getattr(db_field, "auto_now", False) or getattr(db_field, "auto_now_add", False):
        now = timezone.now()
        value = now if isinstance(db_field, models.DateTimeField) else timezone.localdate(now)
        return lambda: value
    if db_field.has_default() and callable(db_field.default):
        return db_field.get_default
    value = db_field.get_default()
    return lambda: value


def _merge(
    *,
    model: type[models.Model],
    key: str,
    fields: Sequence[str],
    extra: Sequence[models.Field],
    rows: Sequence[Sequence[Any]],
    report: str | None = None,
) -> MergeResult:
    """Rows are ``(key, *fields, *extra)``: all are inserted, only ``fields`` compared and
    updated."""
    result = MergeResult()
    if not rows:
        return result
    if key in fields:
        raise ValueError("the key is written anyway: leave it out of fields")
    database = router.db_for_write(model)
    connection = connections[database]
    meta = model._meta
    key_field = meta.get_field(key)
    if not (key_field.unique or _single_unique_constraint(model, key_field.name)):
        raise ValueError(f"{meta.label}.{key} has no unique constraint of its own")
    all_fields = [key_field, *(meta.get_field(name) for name in fields), *extra]
    prepared = _prepared(rows, [_preparer(f, connection) for f in all_fields], connection)
    quote = connection.ops.quote_name
    columns = [quote(f.column) for f in all_fields]
    compared = columns[1 : 1 + len(fields)]
    reported = 0
    if report is not None:
        reported = [f.name for f in all_fields].index(meta.get_field(report).name)
    with transaction.atomic(using=database, savepoint=True):
        if connection.vendor == "postgresql":
            _merge_postgresql(
                connection, meta.db_table, columns, compared, prepared, result, reported
            )
        else:
            _merge_sqlite(connection, meta.db_table, columns, compared, prepared, result, reported)
    if not reported:
        result.created_rows, result.updated_rows = len(result.created), len(result.updated)
    result.unchanged = len(rows) - result.created_rows - result.updated_rows
    return result


def _prepared(
    rows: Iterable[Sequence[Any]],
    prepare: Sequence[Callable[[Any], Any] | None],
    connection: Any,
) -> Iterable[Sequence[Any]]:
    """The rows with each value made a database value; the rows as they are when every
    column's value already is one (strings, numbers, ids, and dates on PostgreSQL, whose
    driver takes a date as it is): copying them would cost as much as the COPY."""
    todo = [
        (index, p)
        for index, p in enumerate(prepare)
        if p is not None and not _identity_on(p, connection)
    ]
    if not todo:
        return rows
    prepared = []
    for row in rows:
        values = list(row)
        for index, p in todo:
            values[index] = p(values[index])
        prepared.append(tuple(values))
    return prepared


def _identity_on(prepare: Callable[[Any], Any], connection: Any) -> bool:
    # Django's PostgreSQL backend hands dates to the driver unchanged.
    return connection.vendor == "postgresql" and prepare == connection.ops.adapt_datefield_value


def _single_unique_constraint(model: type[models.Model], name: str) -> bool:
    return any(
        isinstance(c, models.UniqueConstraint)
        and list(c.fields) == [name]
        and c.condition is None
        and not c.expressions
        for c in model._meta.constraints
    )


# Field types whose Python value the driver takes as it is: no per-value conversion.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
    models.AutoField,
    models.BigAutoField,
)


def _preparer(db_field: models.Field, connection: Any) -> Callable[[Any], Any] | None:
    """How a Python value becomes a database value: Django's own preparation, skipped for
    the plain types where it is the identity (strings, integers, booleans, ids)."""
    if isinstance(db_field, _PLAIN) and not _custom_prep(db_field):
        return None
    if type(db_field) is models.DateField:
        return connection.ops.adapt_datefield_value
    return lambda value: db_field.get_db_prep_save(value, connection)


def _custom_prep(db_field: models.Field) -> bool:
    """A subclass that prepares values its own way (e.g. encrypts them) keeps doing so."""
    base = next(cls for cls in type(db_field).__mro__ if cls.__module__.startswith("django."))
    return any(
        getattr(type(db_field), name) is not getattr(base, name)
        for name in ("get_db_prep_save", "get_db_prep_value", "get_prep_value")
    )


def _merge_postgresql(
    connection: Any,
    table: str,
    columns: list[str],
    values: list[str],
    rows: Sequence[Sequence[Any]],
    result: MergeResult,
    reported: int = 0,
) -> None:
    """``reported`` is the index of the column whose values the result names (0: the
    key). For another column the database groups the merged rows by it, so what comes
    back is one row per value and outcome, not one per row."""
    quote = connection.ops.quote_name
    stage = quote(f"lotsen_stage_{table}"[:63])
    target = quote(table)
    names = ", ".join(columns)
    key = columns[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608 (quoted names)
            f"SELECT {names} FROM {target} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if values:
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in values)
            old = ", ".join(f"t.{c}" for c in values)
            new = ", ".join(f"EXCLUDED.{c}" for c in values)
            # ROW(...) so that a single field compares as a row too.
            conflict = f"DO UPDATE SET {updates} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
        else:
            conflict = "DO NOTHING"
        # xmax is 0 on a row version this statement inserted; an updated row carries the
        # id of the transaction that replaced the old version (this one), never 0.
        merge = (
            f"INSERT INTO {target} AS t ({names}) SELECT {names} FROM {stage} "  # noqa: S608
            f"ON CONFLICT ({key}) {conflict} RETURNING t.{columns[reported]} AS value, "
            "t.xmax = 0 AS inserted"
        )
        if reported:
            cursor.execute(
                f"WITH merged AS ({merge}) "  # noqa: S608
                "SELECT value, inserted, count(*) FROM merged GROUP BY value, inserted"
            )
            for value, inserted, count in cursor.fetchall():
                if inserted:
                    result.created.add(value)
                    result.created_rows += count
                else:
                    result.updated.add(value)
                    result.updated_rows += count
        else:
            cursor.execute(merge)
            for value, inserted in cursor.fetchall():
                (result.created if inserted else result.updated).add(value)
        cursor.execute(f"DROP TABLE {stage}")


def _merge_sqlite(
    connection: Any,
    table: str,
    columns: list[str],
    values: list[str],
    rows: Sequence[Sequence[Any]],
    result: MergeResult,
    reported: int = 0,
) -> None:
    target = connection.ops.quote_name(table)
    key = columns[0]
    updates = ", ".join(f"{c} = excluded.{c}" for c in values)
    differs = " OR ".join(f"{target}.{c} IS NOT excluded.{c}" for c in values)
    conflict = f"DO UPDATE SET {updates} WHERE {differs}" if values else "DO NOTHING"
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, _sqlite_variables(connection) // len(columns))
    with connection.cursor() as cursor:
        for batch in _chunks(rows, per_statement):
            keys = [row[0] for row in batch]
            placeholders = ", ".join(["%s"] * len(keys))
            lookup = f"SELECT {key} FROM {target} WHERE {key} IN ({placeholders})"  # noqa: S608
            cursor.execute(lookup, keys)
            before = {value for (value,) in cursor.fetchall()}
            cursor.execute(
                f"INSERT INTO {target} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(batch))} "
                f"ON CONFLICT ({key}) {conflict} "
                f"RETURNING {key}, {columns[reported]}",
                [value for row in batch for value in row],
            )
            for value, named in cursor.fetchall():
                if value in before:
                    result.updated.add(named)
                    result.updated_rows += 1
                else:
                    result.created.add(named)
                    result.created_rows += 1


def _sqlite_variables(connection: Any) -> int:
    connection.ensure_connection()
    getlimit = getattr(connection.connection, "getlimit", None)
    if getlimit is None:
        return 999
    return min(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), _SQLITE_DEFAULT_VARIABLES)


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def rows_insert(
    *, model: type[models.Model], rows: Sequence[models.Model], key: str | None = None
) -> None:
    """Insert new rows as ``bulk_create`` would (every concrete field, ``auto_now_add`` and
    ``auto_now`` filled in), at the database's speed: PostgreSQL COPYs them, SQLite takes
    them by one multi-row statement per batch. With ``key`` (a field with a unique
    constraint of its own) the new primary keys are set on the rows; without it they are
    not. A row whose key exists already makes the insert fail: use ``rows_upsert`` when
    that can happen."""
    if not rows:
        return
    database = router.db_for_write(model)
    connection = connections[database]
    meta = model._meta
    targets = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    prepare = [_preparer(f, connection) for f in targets]
    stamped = [
        f
        for f in targets
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)  # type: ignore[attr-defined]
    ]
    attnames = [f.attname for f in targets]
    for row in rows:
        for f in stamped:
            f.pre_save(row, add=True)
    if key is None:
        values_insert(
            model=model,
            fields=[f.name for f in targets],
            rows=[tuple(getattr(row, a) for a in attnames) for row in rows],
        )
        return
    values = []
    for row in rows:
        values.append(
            tuple(
                value if p is None else p(value)
                for p, value in zip(prepare, (getattr(row, a) for a in attnames), strict=True)
            )
        )
    names = ", ".join(quote(f.column) for f in targets)
    table = quote(meta.db_table)
    pk = quote(meta.pk.column)
    key_column = quote(meta.get_field(key).column)
    key_index = attnames.index(meta.get_field(key).attname)
    ids: dict[Any, Any] = {}
    with transaction.atomic(using=database, savepoint=True), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            stage = quote(f"lotsen_stage_{meta.db_table}"[:63])
            cursor.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} "  # noqa: S608
                f"RETURNING {key_column}, {pk}"
            )
            ids.update(cursor.fetchall())
            cursor.execute(f"DROP TABLE {stage}")
        else:
            one = "(" + ", ".join(["%s"] * len(targets)) + ")"
            for batch in _chunks(values, max(1, _sqlite_variables(connection) // len(targets))):
                cursor.execute(
                    f"INSERT INTO {table} ({names}) "  # noqa: S608
                    f"VALUES {', '.join([one] * len(batch))} RETURNING {key_column}, {pk}",
                    [value for row in batch for value in row],
                )
                ids.update(cursor.fetchall())
    for row, value in zip(rows, values, strict=True):
        row.pk = ids[value[key_index]]
        row._state.adding = False
        row._state.db = database


def values_insert(
    *, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert new rows given as plain tuples, one value per name in ``fields`` (the model's
    field names), at the database's speed: PostgreSQL COPYs them, SQLite takes one
    multi-row statement per batch. Each value is made a database value by its own field,
    as the ORM does (a JSON field's value, a date on SQLite); nothing else is checked or
    filled in, so the caller gives every value the row needs. For large writes of rows
    the caller made itself (the demo's grades, a scoring batch), where a model instance
    per row would cost more than the write. Returns the number of rows written."""
    database = router.db_for_write(model)
    connection = connections[database]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    prepare = [_preparer(f, connection) for f in targets]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in targets)
    table = quote(meta.db_table)
    written = 0
    with transaction.atomic(using=database, savepoint=True), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in _prepared(rows, prepare, connection):
                    copy.write_row(row)
                    written += 1
            return written
        one = "(" + ", ".join(["%s"] * len(targets)) + ")"
        size = max(1, _sqlite_variables(connection) // len(targets))
        for batch in _chunks(list(_prepared(rows, prepare, connection)), size):
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(batch))}",  # noqa: S608
                [value for row in batch for value in row],
            )
            written += len(batch)
    return written


def rows_update(
    *, model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]
) -> int:
    """Write ``fields`` of rows already in the database, one prepared ``UPDATE … WHERE pk``
    sent for all of them (``executemany``: PostgreSQL pipelines it, SQLite reuses the
    statement). Like ``bulk_update`` it writes exactly ``fields`` (an ``auto_now`` field
    only when named), without the CASE expression that makes ``bulk_update`` slow."""
    if not rows:
        return 0
    database = router.db_for_write(model)
    connection = connections[database]
    meta = model._meta
    targets = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 (quoted names, values as parameters)
        + ", ".join(f"{quote(f.column)} = %s" for f in targets)
        + f" WHERE {quote(meta.pk.column)} = %s"
    )
    params = [
        [
            *(f.get_db_prep_save(getattr(row, f.attname), connection) for f in targets),
            meta.pk.get_db_prep_save(row.pk, connection),
        ]
        for row in rows
    ]
    with transaction.atomic(using=database, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(rows)


def tables_analyze(*models_: type[models.Model]) -> None:
    """Bring PostgreSQL's planner statistics up to date for tables an import has just
    filled, inside its transaction (ANALYZE counts the transaction's own new rows). The
    queries that follow in the same transaction (the KAA cohort refresh joins persons,
    residences and memberships) are otherwise planned for the tables as they were: nested
    loops over what is now hundreds of thousands of rows, minutes instead of a second.
    Autovacuum would catch up, but only after the commit. Nothing to do on SQLite, whose
    planner does not depend on gathered statistics unless ANALYZE was run by hand."""
    by_database: dict[str, list[str]] = {}
    for model in models_:
        by_database.setdefault(router.db_for_write(model), []).append(model._meta.db_table)
    for database, tables in by_database.items():
        connection = connections[database]
        if connection.vendor != "postgresql":
            continue
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(quote(table) for table in tables))


def counts_add(counts: EntityCounts, result: UpsertResult | MergeResult) -> None:
    if isinstance(result, MergeResult):
        counts.created += result.created_rows
        counts.updated += result.updated_rows
        counts.unchanged += result.unchanged
        return
    counts.created += len(result.created)
    counts.updated += len(result.updated)
    counts.unchanged += len(result.unchanged)
