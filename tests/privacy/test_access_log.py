"""The access log is append-only in the database itself, on SQLite and PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry():
    return AccessLogEntry.objects.create(
        actor_user=UserFactory(),
        person=PersonFactory(),
        action=Action.VIEW,
        purpose=Purpose.KAA,
        object_type="person",
        object_id="1",
    )


def test_update_through_the_orm_fails(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(action=Action.EXPORT)
    entry.refresh_from_db()
    assert entry.action == Action.VIEW


def test_delete_through_the_orm_fails(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_raw_sql_cannot_rewrite_or_erase_history(entry):
    table = AccessLogEntry._meta.db_table
    for sql in (f"UPDATE {table} SET purpose = 'self'", f"DELETE FROM {table}"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql)
    assert AccessLogEntry.objects.get(pk=entry.pk).purpose == Purpose.KAA


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_truncate_fails_on_postgresql(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(f"TRUNCATE {AccessLogEntry._meta.db_table}")
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="REPLACE is SQLite's")
@pytest.mark.parametrize(
    "verb", ["REPLACE INTO", "INSERT OR REPLACE INTO"], ids=["replace", "insert_or_replace"]
)
def test_replace_cannot_rewrite_an_entry_on_sqlite(entry, verb):
    # REPLACE deletes the conflicting row without firing DELETE triggers: before the
    # BEFORE INSERT trigger of migration 0005 this rewrote actor, person and time.
    table = AccessLogEntry._meta.db_table
    sql = (
        f"{verb} {table} (id, at, actor_user_id, person_id, action, purpose, object_type, "
        "object_id, shown, prev_hash, entry_hash) "
        "VALUES (%s, '2020-01-01 00:00:00', 999, 998, 'view', 'self', 'person', '1', '[]', '', '')"
    )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, [entry.pk])
    row = AccessLogEntry.objects.get(pk=entry.pk)
    assert (row.actor_user_id, row.person_id, row.purpose) == (
        entry.actor_user_id,
        entry.person_id,
        Purpose.KAA,
    )


def test_upsert_cannot_rewrite_an_entry(entry):
    # INSERT ... ON CONFLICT (id) DO UPDATE: SQLite and PostgreSQL alike.
    table = AccessLogEntry._meta.db_table
    sql = (
        f"INSERT INTO {table} (id, at, actor_user_id, person_id, action, purpose, object_type, "
        "object_id, shown, prev_hash, entry_hash) "
        "VALUES (%s, '2020-01-01 00:00:00+00', 999, 998, 'view', 'self', 'person', '1', "
        "'[]', '', '') ON CONFLICT {target} DO UPDATE SET actor_user_id = excluded.actor_user_id, "
        "purpose = excluded.purpose"
    )
    # PostgreSQL's primary key is (id, at) since the log is partitioned by month.
    if connection.vendor == "postgresql":
        sql = sql.replace("'2020-01-01 00:00:00+00'", "%s").format(target="(id, at)")
        params = [entry.pk, entry.at]
    else:
        sql, params = sql.format(target="(id)"), [entry.pk]
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(sql, params)
    row = AccessLogEntry.objects.get(pk=entry.pk)
    assert (row.actor_user_id, row.purpose) == (entry.actor_user_id, Purpose.KAA)


def test_saving_a_loaded_entry_again_is_refused(entry):
    entry.purpose = Purpose.SELF
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    assert AccessLogEntry.objects.get(pk=entry.pk).purpose == Purpose.KAA


def test_inserting_still_works(entry):
    AccessLogEntry.objects.create(
        actor_user_id=entry.actor_user_id,
        person_id=entry.person_id,
        action=Action.SEARCH,
        purpose=Purpose.KAA,
        object_type="person_list",
    )
    assert AccessLogEntry.objects.count() == 2


def test_a_log_row_holds_ids_not_personal_data(entry):
    person = entry.person
    row = AccessLogEntry.objects.filter(pk=entry.pk).values().get()
    for value in row.values():
        text = str(value)
        assert person.personal_identity_number not in text
        assert person.given_name not in text and person.family_name not in text
