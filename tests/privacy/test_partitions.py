"""The access log by month on PostgreSQL (migration 0009): partitions, append-only triggers
on every partition, the nightly months ahead, and the owner's retention step with the
hash chain verified from the oldest entry kept."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from lotsen.privacy.accesslog import (
    GENESIS_HASH,
    access_log_detach_before,
    access_log_ensure_months,
    access_log_partitions,
    access_log_retention_mark,
    access_log_verify,
    month_start,
)
from lotsen.privacy.models import AccessLogEntry, Action, Purpose

TABLE = AccessLogEntry._meta.db_table
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="declarative partitioning: PostgreSQL"
)


def _this_month() -> dt.date:
    return month_start(dt.datetime.now(dt.UTC).date())


def _at(month: dt.date, day: int = 3) -> dt.datetime:
    return dt.datetime(month.year, month.month, day, 12, tzinfo=dt.UTC)


def _log(at: dt.datetime, person_id: int = 7) -> AccessLogEntry:
    (entry,) = AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                at=at,
                actor_user_id=1,
                person_id=person_id,
                action=Action.VIEW,
                purpose=Purpose.KAA,
                object_type="person",
                object_id=str(person_id),
            )
        ]
    )
    return entry


def _partition_of(entry: AccessLogEntry) -> str:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s",  # noqa: S608
            [entry.pk],
        )
        return cur.fetchone()[0]


@postgresql_only
@pytest.mark.django_db
def test_the_log_is_partitioned_by_month_between_two_catch_alls():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE]
        )
        assert cur.fetchone() == ("r",)
    partitions = access_log_partitions()
    assert partitions[0].name == f"{TABLE}_before" and partitions[0].start is None
    assert partitions[-1].name == f"{TABLE}_after" and partitions[-1].end is None
    months = partitions[1:-1]
    assert f"{TABLE}_p{_this_month():%Y%m}" in [p.name for p in months]
    for before, after in zip(partitions, partitions[1:], strict=False):
        assert before.end == after.start  # contiguous, no gaps
    for month in months:
        assert month.end == month_start(month.start, 1)


@postgresql_only
@pytest.mark.django_db
def test_entries_land_in_their_month_and_beyond_the_last_month_in_the_catch_all():
    this_month = _this_month()
    assert _partition_of(_log(_at(this_month))) == f"{TABLE}_p{this_month:%Y%m}"
    assert _partition_of(_log(_at(month_start(this_month, 40)))) == f"{TABLE}_after"
    assert _partition_of(_log(_at(month_start(this_month, -40)))) == f"{TABLE}_before"
    assert access_log_verify().ok


@postgresql_only
@pytest.mark.django_db
def test_ensure_months_creates_the_months_ahead_and_moves_entries_out_of_the_catch_all():
    far = month_start(_this_month(), 8)
    early = _log(_at(far))
    assert _partition_of(early) == f"{TABLE}_after"

    created = access_log_ensure_months(months_ahead=9)

    assert f"{TABLE}_p{far:%Y%m}" in created
    assert _partition_of(early) == f"{TABLE}_p{far:%Y%m}"
    assert access_log_partitions()[-1].start == month_start(_this_month(), 10)
    # An entry in a month made here lands there; a second run has nothing to do.
    assert _partition_of(_log(_at(far, day=20))) == f"{TABLE}_p{far:%Y%m}"
    assert access_log_ensure_months(months_ahead=9) == []
    assert access_log_verify().ok


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("where", ["this", "new"])
def test_update_delete_and_truncate_still_fail_on_every_partition(where):
    if where == "new":
        access_log_ensure_months(months_ahead=6)
        month = month_start(_this_month(), 6)
    else:
        month = _this_month()
    entry = _log(_at(month))
    partition = _partition_of(entry)
    for statement in (
        f"UPDATE {TABLE} SET object_id = 'x' WHERE id = {entry.pk}",  # noqa: S608
        f"DELETE FROM {TABLE} WHERE id = {entry.pk}",  # noqa: S608
        f"UPDATE {partition} SET object_id = 'x' WHERE id = {entry.pk}",  # noqa: S608
        f"DELETE FROM {partition} WHERE id = {entry.pk}",  # noqa: S608
        f"TRUNCATE {TABLE}",
        f"TRUNCATE {partition}",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement)
    assert AccessLogEntry.objects.filter(pk=entry.pk, object_id=str(7)).exists()


@postgresql_only
@pytest.mark.django_db
def test_an_id_already_in_the_log_is_refused_in_any_month():
    entry = _log(_at(_this_month()))
    later = month_start(_this_month(), 1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute(
            f"INSERT INTO {TABLE} (id, at, actor_user_id, action, purpose, object_type, "  # noqa: S608
            "object_id, shown, prev_hash, entry_hash) VALUES "
            "(%s, %s, 1, 'view', 'kaa', 'person', '1', '[]', '', '')",
            [entry.pk, _at(later)],
        )
    assert AccessLogEntry.objects.filter(pk=entry.pk).count() == 1


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize("drop", [False, True])
def test_retention_detaches_whole_months_and_verify_starts_at_the_oldest_kept(drop, capsys):
    m0 = _this_month()
    m1, m2 = month_start(m0, 1), month_start(m0, 2)
    removed = [_log(_at(m0)), _log(_at(m0, 9)), _log(_at(m1))]
    kept = [_log(_at(m2)), _log(_at(m2, 9))]

    retention = access_log_detach_before(month=m2, drop=drop, today=m2)

    assert f"{TABLE}_p{m0:%Y%m}" in retention.removed
    assert f"{TABLE}_p{m1:%Y%m}" in retention.removed
    assert retention.first_kept_id == kept[0].pk
    assert retention.start_hash == removed[-1].entry_hash == kept[0].prev_hash
    assert list(AccessLogEntry.objects.order_by("id")) == kept
    names = [p.name for p in access_log_partitions()]
    assert names[0] == f"{TABLE}_before" and names[1] == f"{TABLE}_p{m2:%Y%m}"
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [f"{TABLE}_p{m0:%Y%m}"])
        still_there = cur.fetchone()[0] is not None
    assert still_there is not drop  # detached for the archive, or gone

    report = access_log_verify()
    assert report.ok and report.count == 2 and report.start == retention.start_hash
    call_command("accesslog", "verify", "--from-hash", retention.start_hash)
    assert "OK: 2 loggposter" in capsys.readouterr().out
    with pytest.raises(CommandError, match=f"loggpost {kept[0].pk}"):
        call_command("accesslog", "verify", "--from-hash", GENESIS_HASH[:-1] + "1")
    # The chain goes on from the kept entries, and an old timestamp still has a partition.
    _log(_at(month_start(m0, -3)))
    assert access_log_verify().ok


@postgresql_only
@pytest.mark.django_db
def test_oldest_entries_removed_without_the_retention_step_are_a_break():
    m0 = _this_month()
    _log(_at(m0))
    kept = _log(_at(month_start(m0, 1)))
    with connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {TABLE}_p{m0:%Y%m}")
    assert access_log_retention_mark() is None
    report = access_log_verify()
    assert report.first_break is not None and report.first_break.entry_id == kept.pk


@postgresql_only
@pytest.mark.django_db
def test_retention_refuses_when_a_kept_entry_is_older_in_the_chain_than_a_removed_one():
    m0 = _this_month()
    m1 = month_start(m0, 1)
    _log(_at(m1, 1))  # chained first, but in the later month
    _log(_at(m0, 28))
    with pytest.raises(ValueError, match="omvänd ordning"):
        access_log_detach_before(month=m1, today=m1)
    assert AccessLogEntry.objects.count() == 2


@postgresql_only
@pytest.mark.django_db
def test_retention_never_cuts_into_the_present_month():
    with pytest.raises(CommandError, match="hela månader"):
        call_command(
            "accesslog", "partitions", "--detach-before", f"{month_start(_this_month(), 1):%Y-%m}"
        )


@postgresql_only
@pytest.mark.django_db
def test_the_command_lists_and_ensures_partitions(capsys):
    call_command("accesslog", "partitions", "--ensure-months", "5")
    out = capsys.readouterr().out
    assert f"{TABLE}_p{month_start(_this_month(), 5):%Y%m}" in out
    assert f"{TABLE}_after\t{month_start(_this_month(), 6).isoformat()}\tMAXVALUE" in out


@pytest.mark.django_db
def test_on_sqlite_the_partition_commands_say_the_log_is_not_partitioned():
    if connection.vendor == "postgresql":
        assert access_log_partitions()
        return
    assert access_log_partitions() == []
    with pytest.raises(CommandError, match="inte uppdelad per månad"):
        call_command("accesslog", "partitions", "--ensure-months", "3")
