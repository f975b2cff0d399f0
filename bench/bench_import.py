"""Import speed: rows per second through Lotsen's imports, against PostgreSQL's COPY of the
same rows.

1. CSV: a generated grades file of BENCH_IMPORT_ROWS rows (default 200,000) through
   ``school_csv_import`` (parse, validate every line, look up pupils, upsert by key, access
   log), first into an empty table, then the same file again (nothing changes).
2. COPY of the same resolved rows (the grade table's rows as the first import wrote them:
   person ids, keys, values) into a fresh, empty copy of the real grade table with its
   primary key, unique key and indexes (``LIKE school_grade INCLUDING ALL``), then again
   with its foreign keys too, from Python tuples and including the commit, as the
   import's own time includes them. The import's rate against these is the figure of
   issue 16 (must be at least 0.25; the copy without foreign keys is the stricter).
3. SS 12000: the demo municipality without school data (BENCH_IMPORT_SS12000_SIZE persons,
   default 500) importing its grades and attendance from the SS 12000 test server
   in-process (HTTP, JSON, paging and mapping included).
4. COPY of the CSV file into a plain table (text columns, no keys, no indexes): the
   fastest a database takes rows in, for scale.

Runs in a temporary PostgreSQL database (``lotsen_bench_<pid>``) on the server named by
BENCH_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test, dropped afterwards. When
PostgreSQL cannot be reached it says so, runs the imports on SQLite and skips the COPY
comparison.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/test"
SUBJECTS = ("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI", "RE", "SH", "TK", "BL", "HKK", "IDH",
            "MU", "SL", "M2")  # fmt: skip
GRADES = "ABCDEF"


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _postgres_create(server_url: str) -> str | None:
    """Create the temporary database; its URL, or None when PostgreSQL cannot be reached."""
    import psycopg

    name = f"lotsen_bench_{os.getpid()}"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL is not reachable at {server_url} ({error.__class__.__name__}).")
        print("Running the imports on SQLite; the comparison with COPY is skipped.")
        return None
    return _with_database(server_url, name)


def _postgres_drop(server_url: str, database_url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _grades_file(persons: int, rows: int) -> tuple[bytes, list]:
    from lotsen.people.identity import make_identity_number
    from lotsen.people.models import Person

    people = []
    first = dt.date(2008, 1, 1)
    for index in range(persons):
        born = first + dt.timedelta(days=index // 900)
        people.append(
            Person(
                personal_identity_number=make_identity_number(born, index % 900 + 10),
                date_of_birth=born,
                given_name="Elev",
                family_name=f"Bänk{index}",
                home_municipality_code="1999",
            )
        )
    out = io.StringIO()
    out.write("personnummer,subject,grade,kind,semester,year,registered_on\n")
    written = 0
    for index, person in enumerate(people):
        for number, subject in enumerate(SUBJECTS):
            if written == rows:
                break
            grade = GRADES[(index * 7 + number * 3) % len(GRADES)]
            out.write(
                f"{person.personal_identity_number},{subject},{grade},final,VT,2026,2026-06-10\n"
            )
            written += 1
    return out.getvalue().encode(), people


def _bench_csv(rows: int) -> tuple[float, list[tuple]]:
    """The import's rate on new rows, and the rows it wrote (without their ids)."""
    from lotsen.people.models import Person
    from lotsen.school.imports import school_csv_import
    from lotsen.school.models import Grade

    persons = -(-rows // len(SUBJECTS))
    data, people = _grades_file(persons, rows)
    Person.objects.bulk_create(people, batch_size=2000)

    start = time.perf_counter()
    run = school_csv_import(kind="grades", data=data)
    first = time.perf_counter() - start
    assert run.status == "done", run.counts
    assert run.counts["grades"]["created"] == rows, run.counts
    start = time.perf_counter()
    again = school_csv_import(kind="grades", data=data)
    second = time.perf_counter() - start
    assert again.counts["grades"]["unchanged"] == rows
    print(f"CSV import, {rows} new grades:        {rows / first:10,.0f} rows/s ({first:.1f} s)")
    print(f"CSV import, the same file again:     {rows / second:10,.0f} rows/s ({second:.1f} s)")
    columns = [f.attname for f in Grade._meta.concrete_fields if not f.primary_key]
    resolved = list(Grade.objects.order_by("pk").values_list(*columns))
    return rows / first, resolved


def _bench_copy_real_table(resolved: list[tuple], *, foreign_keys: bool) -> float:
    """COPY of the import's resolved rows into an empty table built like the grade table:
    the same columns, defaults, primary key, unique key and indexes (LIKE … INCLUDING
    ALL); with ``foreign_keys`` also its foreign keys (LIKE leaves those out), checked at
    commit as Django declares them (DEFERRABLE INITIALLY DEFERRED), as the import's are."""
    from django.db import connection, transaction

    from lotsen.school.models import Grade

    table = Grade._meta.db_table
    columns = [f.column for f in Grade._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_grade_copy (LIKE {table} INCLUDING ALL)")
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        keys = cursor.fetchall() if foreign_keys else []
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE bench_grade_copy ADD CONSTRAINT "b_{name}" {definition}')
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'bench_grade_copy' ORDER BY 1"
        )
        indexes = [row[0].split(" USING ")[1] for row in cursor.fetchall()]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        names = ", ".join(columns)
        with cursor.cursor.copy(f"COPY bench_grade_copy ({names}) FROM STDIN") as copy:
            for row in resolved:
                copy.write_row(row)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_grade_copy")
        assert cursor.fetchone()[0] == len(resolved)
        cursor.execute("DROP TABLE bench_grade_copy")
    rows = len(resolved)
    what = f"{len(indexes)} indexes" + (f", {len(keys)} foreign keys" if foreign_keys else "")
    print(
        f"COPY into the real grade table ({what}): {rows / seconds:10,.0f} rows/s ({seconds:.2f} s)"
    )
    if not foreign_keys:
        print(f"  indexes: {'; '.join(indexes)}")
    return rows / seconds


def _bench_ss12000(size: int) -> None:
    import httpx

    from lotsen.demo.generator import demo_build
    from lotsen.demo.ss12000server import (
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        make_app,
    )
    from lotsen.people.models import Person
    from lotsen.school.models import AttendancePeriod, Grade
    from lotsen.school.ss12000.client import SS12000Client
    from lotsen.school.ss12000.importer import ss12000_import

    today = dt.date(2026, 11, 23)
    Person.objects.all().delete()  # the CSV benchmark's pupils
    demo_build(size=size, seed=3, today=today, school_data=False)
    app = make_app(seed=3, size=size, today=today)
    with SS12000Client(
        base_url="http://ss12000.bench",
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        transport=httpx.WSGITransport(app=app),
        page_size=1000,
    ) as client:
        start = time.perf_counter()
        run = ss12000_import(client=client, today=today)
        seconds = time.perf_counter() - start
    assert run.status == "done", run.counts
    rows = Grade.objects.count() + AttendancePeriod.objects.count()
    print(
        f"SS 12000 import, {size} pupils:       {rows / seconds:10,.0f} rows/s "
        f"({rows} grades and attendance rows in {seconds:.1f} s, test server included)"
    )


def _bench_copy(rows: int) -> float:
    from django.db import connection

    data, _people = _grades_file(-(-rows // len(SUBJECTS)), rows)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_grades_copy (personnummer text, subject text, grade text, "
            "kind text, semester text, year integer, registered_on date)"
        )
        start = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_grades_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            copy.write(data)
        seconds = time.perf_counter() - start
        cursor.execute("SELECT count(*) FROM bench_grades_copy")
        assert cursor.fetchone()[0] == rows
    print(f"PostgreSQL COPY, {rows} rows:       {rows / seconds:10,.0f} rows/s ({seconds:.2f} s)")
    return rows / seconds


def main() -> None:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", "200000"))
    size = int(os.environ.get("BENCH_IMPORT_SS12000_SIZE", "500"))
    server_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_SERVER
    database_url = _postgres_create(server_url)
    if database_url:
        os.environ["BENCH_DATABASE_URL"] = database_url
    else:
        os.environ.pop("BENCH_DATABASE_URL", None)
    try:
        django_setup()
        where = "PostgreSQL (temporary database)" if database_url else "SQLite"
        print(f"Import benchmark on {where}")
        csv_rate, resolved = _bench_csv(rows)
        if database_url:
            bare_keys = _bench_copy_real_table(resolved, foreign_keys=False)
            all_keys = _bench_copy_real_table(resolved, foreign_keys=True)
            print(
                f"CSV import / COPY into the real table: {csv_rate / bare_keys:.2f} without "
                f"its foreign keys, {csv_rate / all_keys:.2f} with them "
                "(issue 16 asks for at least 0.25)"
            )
        del resolved
        _bench_ss12000(size)
        if database_url:
            copy_rate = _bench_copy(rows)
            print(f"COPY into a bare table is {copy_rate / csv_rate:.0f}x the CSV import's rate")
    finally:
        if database_url:
            _postgres_drop(server_url, database_url)


if __name__ == "__main__":
    main()
