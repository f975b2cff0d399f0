"""ingest.upsert's lean paths: plain tuples merged by the database, ids by a unique value."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from lotsen.ingest.upsert import any_of, ids_by_values, values_merge, writers_serialized
from lotsen.people.models import Person
from lotsen.school.models import Grade
from tests.factories import PersonFactory, fresh_identity_number

pytestmark = pytest.mark.django_db

FIELDS = ("person", "subject_code", "value", "kind", "registered_on")


def _grades(anna: Person, bo: Person, *, bo_en: str = "C") -> list[tuple]:
    day = dt.date(2026, 6, 10)
    return [
        ("k:anna:MA", anna.pk, "MA", "A", "final", day),
        ("k:anna:EN", anna.pk, "EN", "B", "final", day),
        ("k:bo:MA", bo.pk, "MA", "E", "final", day),
        ("k:bo:EN", bo.pk, "EN", bo_en, "final", day),
    ]


def test_a_merge_reports_the_persons_it_wrote_and_equal_rows_write_nothing():
    anna, bo = PersonFactory(), PersonFactory()
    first = values_merge(model=Grade, fields=FIELDS, rows=_grades(anna, bo), report="person")
    assert (first.created_rows, first.updated_rows, first.unchanged) == (4, 0, 0)
    assert (first.created, first.updated) == ({anna.pk, bo.pk}, set())
    assert Grade.objects.get(external_id="k:bo:EN").value == "C"

    ids = dict(Grade.objects.values_list("external_id", "pk"))
    again = values_merge(model=Grade, fields=FIELDS, rows=_grades(anna, bo), report="person")
    assert (again.created_rows, again.updated_rows, again.unchanged) == (0, 0, 4)
    assert (again.created, again.updated) == (set(), set())

    corrected = values_merge(
        model=Grade, fields=FIELDS, rows=_grades(anna, bo, bo_en="D"), report="person"
    )
    assert (corrected.created_rows, corrected.updated_rows, corrected.unchanged) == (0, 1, 3)
    assert (corrected.created, corrected.updated) == (set(), {bo.pk})
    assert Grade.objects.get(external_id="k:bo:EN").value == "D"
    assert dict(Grade.objects.values_list("external_id", "pk")) == ids


def test_without_report_a_merge_names_the_keys():
    anna, bo = PersonFactory(), PersonFactory()
    values_merge(model=Grade, fields=FIELDS, rows=_grades(anna, bo)[:2])
    result = values_merge(model=Grade, fields=FIELDS, rows=_grades(anna, bo, bo_en="F"))
    assert result.created == {"k:bo:MA", "k:bo:EN"}
    assert (result.created_rows, result.updated_rows, result.unchanged) == (2, 0, 2)


def test_ids_by_values_finds_known_values_in_one_query(django_assert_num_queries):
    anna, bo = PersonFactory(), PersonFactory()
    unknown = fresh_identity_number()
    numbers = [anna.personal_identity_number, bo.personal_identity_number, unknown]
    # One query on PostgreSQL (an array); SQLite's bound on parameters is far above three.
    with django_assert_num_queries(1):
        found = ids_by_values(model=Person, field_name="personal_identity_number", values=numbers)
    assert found == {anna.personal_identity_number: anna.pk, bo.personal_identity_number: bo.pk}
    with django_assert_num_queries(0):
        assert ids_by_values(model=Person, field_name="personal_identity_number", values=[]) == {}


def test_ids_by_values_refuses_a_column_that_is_not_unique():
    with pytest.raises(ValueError, match="no unique constraint"):
        ids_by_values(model=Person, field_name="given_name", values=["Anna"])


def test_the_merge_leaves_no_staging_table_behind():
    anna, bo = PersonFactory(), PersonFactory()
    values_merge(model=Grade, fields=FIELDS, rows=_grades(anna, bo), report="person")
    tables = connection.introspection.table_names()
    assert not [name for name in tables if name.startswith("lotsen_stage_")]


def test_any_of_finds_what_in_finds_with_one_parameter_on_postgresql():
    persons = [PersonFactory() for _ in range(5)]
    for person in persons:
        Grade.objects.create(
            person=person,
            subject_code="MA",
            value="C",
            kind="term",
            registered_on=dt.date(2026, 1, 9),
        )
    wanted = [persons[0].pk, persons[3].pk, 10**12]  # one id no row has

    def found(queryset) -> list[int]:
        return sorted(queryset.values_list("person_id", flat=True))

    assert (
        found(Grade.objects.filter(any_of("person_id", wanted)))
        == found(Grade.objects.filter(person_id__in=wanted))
        == sorted([persons[0].pk, persons[3].pk])
    )
    assert not Grade.objects.filter(any_of("person_id", [])).exists()
    assert sorted(
        Person.objects.filter(any_of("pk", wanted)).values_list("pk", flat=True)
    ) == sorted([persons[0].pk, persons[3].pk])
    sql, params = Grade.objects.filter(any_of("person_id", wanted)).query.sql_with_params()
    if connection.vendor == "postgresql":
        # One array typed as the column: bigint = ANY(smallint[]) would be checked row by row.
        # Ids go as one array literal, bound as one string, not quoted one by one.
        assert "= ANY(%s::bigint[])" in sql
        assert params[-1] == "{" + ",".join(str(pk) for pk in wanted) + "}"
    else:
        assert list(params[-3:]) == wanted


def _in_thread(work, errors: list) -> threading.Thread:
    """``work`` in a thread of its own, so on a connection of its own."""

    def run() -> None:
        try:
            work()
        except Exception as error:  # noqa: BLE001 (reported by the test's assertion)
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _advisory_lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="an advisory lock: PostgreSQL")
def test_a_second_writer_with_the_same_name_and_key_waits_until_the_first_commits():
    held, release = threading.Event(), threading.Event()
    events: list[str] = []
    errors: list[Exception] = []

    def first() -> None:
        with transaction.atomic():
            writers_serialized("test writers", 7)
            events.append("first holds")
            held.set()
            release.wait(timeout=60)
            events.append("first ends")

    def second() -> None:
        held.wait(timeout=60)
        with transaction.atomic():
            writers_serialized("test writers", 7)
            events.append("second holds")

    def other_key() -> None:
        held.wait(timeout=60)
        with transaction.atomic():
            writers_serialized("test writers", 8)
            events.append("other key holds")

    threads = [_in_thread(first, errors)]
    held.wait(timeout=60)
    threads.append(_in_thread(other_key, errors))
    threads[-1].join(timeout=60)
    threads.append(_in_thread(second, errors))
    # Wait (boundedly) until the second writer is seen waiting for the lock.
    for _ in range(600):
        if _advisory_lock_waiters():
            break
        time.sleep(0.1)
    assert _advisory_lock_waiters() == 1
    assert events == ["first holds", "other key holds"]
    release.set()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert events == ["first holds", "other key holds", "first ends", "second holds"]


def test_writers_serialized_needs_a_transaction():
    # A thread's connection of its own is in autocommit: outside any transaction, a lock
    # held "until the transaction ends" would end at once.
    errors: list[Exception] = []
    _in_thread(lambda: writers_serialized("test writers", 7), errors).join(timeout=60)
    assert [type(error) for error in errors] == [transaction.TransactionManagementError]
