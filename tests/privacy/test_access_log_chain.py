"""The access log's hash chain: every entry links to the one before it, and
``lotsen accesslog verify`` finds the first entry that was changed, removed or inserted."""

import importlib
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from lotsen.privacy.accesslog import (
    GENESIS_HASH,
    access_log_collect,
    access_log_record,
    access_log_verify,
    entry_digest,
)
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from tests.factories import MunicipalityFactory

TABLE = AccessLogEntry._meta.db_table


def _lift_append_only_triggers() -> None:
    """Inside the test's transaction only (rolled back afterwards): what an attacker with
    the owner's rights, or with the SQLite file, can do."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(f"DROP TRIGGER {TABLE}_no_update")
            cur.execute(f"DROP TRIGGER {TABLE}_no_delete")
        else:
            cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")


@pytest.fixture
def chain(make_actor):
    actor = make_actor(organisation=MunicipalityFactory(), role="kaa_coordinator")
    for person_id in (11, 12, 13, 14, 15):
        access_log_record(
            actor=actor, action=Action.VIEW, purpose=Purpose.KAA, person_ids=[person_id]
        )
    return list(AccessLogEntry.objects.order_by("id"))


@pytest.mark.django_db
def test_entries_are_chained_from_the_genesis_hash(chain):
    assert chain[0].prev_hash == GENESIS_HASH
    for before, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == before.entry_hash
    for entry in chain:
        assert entry.entry_hash == entry_digest(entry)
    assert len({entry.entry_hash for entry in chain}) == len(chain)


@pytest.mark.django_db
def test_verify_reports_ok_with_the_count(chain, capsys):
    call_command("accesslog", "verify")
    out = capsys.readouterr().out
    assert "OK: 5 loggposter" in out
    assert chain[-1].entry_hash in out


@pytest.mark.django_db
def test_entries_flushed_from_a_request_collector_continue_the_chain(chain, make_actor):
    actor = make_actor(organisation=MunicipalityFactory(), role="kaa_coordinator")
    with access_log_collect() as collector:
        access_log_record(actor=actor, action=Action.VIEW, purpose=Purpose.KAA, person_ids=[21, 22])
        access_log_record(
            actor=actor,
            action=Action.VIEW,
            purpose=Purpose.KAA,
            person_ids=[21],
            object_type="kaa_register",
        )
    assert collector.flush() == 2
    report = access_log_verify()
    assert report.ok and report.count == 7
    entry = AccessLogEntry.objects.get(person_id=21)
    assert entry.shown == ["person:21", "kaa_register:21"]


@pytest.mark.django_db
def test_a_changed_entry_is_reported_at_its_id(chain):
    _lift_append_only_triggers()
    victim = chain[2]
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {TABLE} SET person_id = 99 WHERE id = %s", [victim.pk])
    report = access_log_verify()
    assert not report.ok
    assert report.first_break.entry_id == victim.pk
    assert "stämmer inte med postens fält" in report.first_break.problem
    assert report.count == 2
    with pytest.raises(CommandError, match=f"loggpost {victim.pk} ") as excinfo:
        call_command("accesslog", "verify")
    assert excinfo.value.returncode == 1


@pytest.mark.django_db
def test_a_changed_entry_with_its_hash_recomputed_breaks_the_next_link(chain):
    _lift_append_only_triggers()
    victim = chain[1]
    victim.person_id = 99
    forged = entry_digest(victim)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {TABLE} SET person_id = 99, entry_hash = %s WHERE id = %s",
            [forged, victim.pk],
        )
    report = access_log_verify()
    assert report.first_break.entry_id == chain[2].pk
    assert "prev_hash" in report.first_break.problem


@pytest.mark.django_db
def test_a_deleted_entry_is_reported_at_the_entry_after_it(chain):
    _lift_append_only_triggers()
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {TABLE} WHERE id = %s", [chain[3].pk])
    report = access_log_verify()
    assert report.first_break.entry_id == chain[4].pk
    assert "har tagits bort, lagts till eller ändrats" in report.first_break.problem


@pytest.mark.django_db
def test_an_entry_inserted_without_the_chain_is_reported(chain):
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {TABLE} (at, actor_user_id, person_id, action, purpose, "
            "object_type, object_id, shown, prev_hash, entry_hash) VALUES "
            "(%s, 1, 12, 'view', 'kaa', 'person', '12', '[]', '', '')",
            [chain[-1].at],
        )
    report = access_log_verify()
    assert report.count == 5
    assert report.first_break.entry_id > chain[-1].pk


@pytest.mark.django_db
def test_verify_walks_in_chunks(chain):
    report = access_log_verify(chunk_size=2)
    assert report.ok and report.count == 5


# --- Concurrency: the chain never forks ---------------------------------------------------


def in_own_connection(work) -> None:
    """Run ``work`` in a thread, on its own connection (committed for real)."""
    errors = []

    def run() -> None:
        try:
            work()
        except Exception as error:  # noqa: BLE001 (re-raised below)
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def log_erase_committed() -> None:
    """Remove committed rows after a test, in one transaction that lifts the triggers only
    inside itself (the owner can; this is what the test database needs, not the app)."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
        cur.execute(f"DELETE FROM {TABLE}")
        cur.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")


@pytest.fixture
def committed_log(db):
    """Threads write through their own connections, so their rows are committed and
    outlive the test's transaction: erase them afterwards."""
    yield
    in_own_connection(log_erase_committed)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
def test_concurrent_inserts_from_threads_give_one_unbroken_chain(committed_log):
    threads_n, rounds, per_round = 8, 12, 3
    start = threading.Barrier(threads_n)
    errors = []

    def write(worker: int) -> None:
        try:
            start.wait()
            for n in range(rounds):
                with transaction.atomic():
                    AccessLogEntry.objects.bulk_create(
                        AccessLogEntry(
                            actor_user_id=worker + 1,
                            person_id=1000 * worker + n,
                            action=Action.VIEW,
                            purpose=Purpose.KAA,
                            object_type="person",
                            object_id=str(k),
                        )
                        for k in range(per_round)
                    )
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = access_log_verify()
    assert report.first_break is None, report.first_break
    assert report.count == threads_n * rounds * per_round
    hashes = list(AccessLogEntry.objects.values_list("prev_hash", flat=True))
    assert len(set(hashes)) == len(hashes)  # no two entries link to the same predecessor


# --- Existing entries are chained by the migration ------------------------------------------


@pytest.mark.django_db
def test_the_migration_chains_existing_entries_in_id_order_and_keeps_the_triggers():
    migration = importlib.import_module("lotsen.privacy.migrations.0005_access_log_chain")
    with connection.cursor() as cur:
        for person_id in (31, 32, 33):
            # Rows as they were before the chain: no hashes.
            cur.execute(
                f"INSERT INTO {TABLE} (at, actor_user_id, person_id, action, purpose, "
                "object_type, object_id, shown, prev_hash, entry_hash) VALUES "
                "(%s, 1, %s, 'view', 'kaa', 'person', %s, '[]', '', '')",
                [timezone.now(), person_id, str(person_id)],
            )
    first = AccessLogEntry.objects.order_by("id").first()
    assert access_log_verify().first_break.entry_id == first.pk

    # The migration's own function, with the two things it uses of a schema editor.
    editor = SimpleNamespace(
        connection=connection, execute=lambda sql: connection.cursor().execute(sql)
    )
    migration._chain_existing(django_apps, editor)

    report = access_log_verify()
    assert report.ok and report.count == 3
    assert AccessLogEntry.objects.order_by("id").first().prev_hash == GENESIS_HASH
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AccessLogEntry.objects.filter(pk=first.pk).update(purpose=Purpose.SELF)
