"""The access log by month on PostgreSQL (issue 16), and its two lookup indexes.

Both databases: the index for "who read this person" becomes (person, at desc, id desc),
the order the pages show, and "what did this actor read" gets (actor_user, at desc, id
desc). On SQLite that is all: the table and its triggers stay as they are.

PostgreSQL: the table becomes a table partitioned by range on ``at``, one partition per
calendar month in UTC (``privacy_accesslogentry_pYYYYMM``), from the month of the oldest
entry to three months ahead, plus two catch-alls, ``..._before`` (everything older) and
``..._after`` (everything later), so that no insert can ever fail for want of a
partition. ``lotsen accesslog partitions --ensure-months`` (nightly) splits months off
``_after`` ahead of time; ``--detach-before`` is the database owner's retention step.
Range catch-alls rather than a DEFAULT partition keep the partitions ordered, so the
newest entries of a person are read from the newest partition first and the planner can
stop there.

- The primary key becomes (id, at): PostgreSQL wants the partition key in every unique
  constraint. ids still come from one sequence (carried over from the old identity
  column), in chain order, and a BEFORE INSERT trigger refuses an id already in the log
  (like SQLite's ``no_replace``), so they stay unique. ``INSERT ... ON CONFLICT`` now
  needs (id, at) as its target, and then meets the UPDATE trigger.
- Rows are copied as they are: the hash chain is untouched.
- The append-only triggers are created on the partitioned table (row triggers reach
  every partition, present and future) and the TRUNCATE trigger on it and each partition.
- Not reversible on PostgreSQL: going back would mean copying the log into a plain table
  again, which is better done deliberately than by a migrate to an older name.
"""

import datetime as dt

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

TABLE = "privacy_accesslogentry"
OLD = f"{TABLE}_unpartitioned"
MESSAGE = "privacy_accesslogentry is append-only"
SEQUENCE = f"{TABLE}_id_seq"
MONTHS_AHEAD = 3
OLD_PERSON_INDEX = "privacy_acc_person__80b81c_idx"
PERSON_INDEX = "privacy_log_person_at_idx"
ACTOR_INDEX = "privacy_log_actor_at_idx"
# Single-column indexes the two composite ones lead with: not carried over.
REDUNDANT = (f"{TABLE}_person_id_", f"{TABLE}_actor_user_id_")


def _month(day: dt.date, add: int = 0) -> dt.date:
    months = day.year * 12 + day.month - 1 + add
    return dt.date(months // 12, months % 12 + 1, 1)


def _bound(day: dt.date) -> str:
    return f"'{day.isoformat()} 00:00:00+00'"


def _partition_sql(start: dt.date) -> list[str]:
    name = f"{TABLE}_p{start:%Y%m}"
    return [
        f"CREATE TABLE {name} PARTITION OF {TABLE} "
        f"FOR VALUES FROM ({_bound(start)}) TO ({_bound(_month(start, 1))})",
        f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
    ]


def _catch_all_sql(name: str, low: str, high: str) -> list[str]:
    return [
        f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ({low}) TO ({high})",
        f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
    ]


def _partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_PERSON_INDEX}")
        schema_editor.execute(
            f'CREATE INDEX {PERSON_INDEX} ON {TABLE} (person_id, "at" DESC, id DESC)'
        )
        schema_editor.execute(
            f'CREATE INDEX {ACTOR_INDEX} ON {TABLE} (actor_user_id, "at" DESC, id DESC)'
        )
        return
    if connection.vendor != "postgresql":
        raise RuntimeError(f"No access-log partitioning for {connection.vendor}.")

    with connection.cursor() as cur:
        cur.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s",
            [TABLE],
        )
        old_indexes = cur.fetchall()
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        (old_sequence,) = cur.fetchone()
        cur.execute(f"SELECT last_value, is_called FROM {old_sequence}")  # noqa: S608
        last_value, is_called = cur.fetchone()
        cur.execute(f"SELECT min(at), max(id) FROM {TABLE}")  # noqa: S608
        oldest, max_id = cur.fetchone()

    today = dt.datetime.now(dt.UTC).date()
    first = _month(oldest.astimezone(dt.UTC).date() if oldest else today)
    first = min(first, _month(today))
    last = _month(today, MONTHS_AHEAD)  # the last month with its own partition

    statements = [
        f"ALTER TABLE {TABLE} RENAME TO {OLD}",
        f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey",
    ]
    # The old indexes and triggers keep their names until the old table is dropped.
    for name, _definition in old_indexes:
        if name != f"{TABLE}_pkey":
            statements.append(f"ALTER INDEX {name} RENAME TO {name}_old")
    statements += [
        f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS) PARTITION BY RANGE (at)",
        f"CREATE SEQUENCE {SEQUENCE}_new AS bigint OWNED BY {TABLE}.id",
        f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}_new')",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)",
    ]
    statements += _catch_all_sql(f"{TABLE}_before", "MINVALUE", _bound(first))
    month = first
    while month <= last:
        statements += _partition_sql(month)
        month = _month(month, 1)
    statements += _catch_all_sql(f"{TABLE}_after", _bound(month), "MAXVALUE")
    statements += [
        f'CREATE INDEX {PERSON_INDEX} ON {TABLE} (person_id, "at" DESC, id DESC)',
        f'CREATE INDEX {ACTOR_INDEX} ON {TABLE} (actor_user_id, "at" DESC, id DESC)',
    ]
    for name, definition in old_indexes:
        if name in (f"{TABLE}_pkey", OLD_PERSON_INDEX) or name.startswith(REDUNDANT):
            continue
        statements.append(definition.replace(f" ON public.{TABLE} ", f" ON {TABLE} "))
    columns = (
        "id, at, action, purpose, object_type, object_id, actor_user_id, organisation_id, "
        "person_id, entry_hash, prev_hash, shown, assurance_level, api_client_id"
    )
    statements += [
        f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {OLD}",  # noqa: S608
        f"SELECT setval('{SEQUENCE}_new', {max(last_value, max_id or 0)}, "
        f"{'true' if is_called or max_id else 'false'})",
        f"DROP TABLE {OLD}",
        f"ALTER SEQUENCE {SEQUENCE}_new RENAME TO {SEQUENCE}",
        f"CREATE TRIGGER {TABLE}_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()",
        f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()",
        # The primary key is (id, at): an id already in the log is refused here instead, as
        # the SQLite trigger does, so ids stay unique and no row can be slipped in beside one.
        f"""CREATE OR REPLACE FUNCTION {TABLE}_unique_id() RETURNS trigger AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END;
        $$ LANGUAGE plpgsql""",
        f"CREATE TRIGGER {TABLE}_unique_id BEFORE INSERT ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_unique_id()",
    ]
    for statement in statements:
        schema_editor.execute(statement)


def _unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {PERSON_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {ACTOR_INDEX}")
        schema_editor.execute(f'CREATE INDEX {OLD_PERSON_INDEX} ON {TABLE} (person_id, "at" DESC)')
        return
    raise IrreversibleError(
        "The partitioned access log is not turned back into one table by a migration."
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0008_accesslogentry_purpose_guardian")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="accesslogentry", name=OLD_PERSON_INDEX),
                migrations.AddIndex(
                    model_name="accesslogentry",
                    index=models.Index(fields=["person", "-at", "-id"], name=PERSON_INDEX),
                ),
                migrations.AddIndex(
                    model_name="accesslogentry",
                    index=models.Index(fields=["actor_user", "-at", "-id"], name=ACTOR_INDEX),
                ),
            ],
            database_operations=[migrations.RunPython(_partition, _unpartition)],
        )
    ]
