"""Import speed: rows per second through Lotsen's imports, against PostgreSQL's COPY of the
same rows into a plain table (the fastest a database takes rows in; no checks, no keys).

1. CSV: a generated grades file of BENCH_IMPORT_ROWS rows (default 200,000) through
   ``school_csv_import`` (parse, validate every line, look up pupils, upsert by key, access
   log), first into an empty table, then the same file again (nothing changes).
2. SS 12000: the demo municipality without school data (BENCH_IMPORT_SS12000_SIZE persons,
   default 500) importing its grades and attendance from the SS 12000 test server
   in-process (HTTP, JSON, paging and mapping included).
3. COPY of the CSV file into a plain table, for the ratio.

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


def _bench_csv(rows: int) -> float:
    from lotsen.people.models import Person
    from lotsen.school.imports import school_csv_import

    persons = -(-rows // len(SUBJECTS))
    data, people = _grades_file(persons, rows)
    Person.objects.bulk_create(people, batch_size=2000)

    start = time.perf_counter()
    run = school_csv_import(kind="grades", data=data)
    first = time.perf_counter() - start
    assert run.status == "done", run.counts
    start = time.perf_counter()
    again = school_csv_import(kind="grades", data=data)
    second = time.perf_counter() - start
    assert again.counts["grades"]["unchanged"] == rows
    print(f"CSV import, {rows} new grades:        {rows / first:10,.0f} rows/s ({first:.1f} s)")
    print(f"CSV import, the same file again:     {rows / second:10,.0f} rows/s ({second:.1f} s)")
    return rows / first


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
        csv_rate = _bench_csv(rows)
        _bench_ss12000(size)
        if database_url:
            copy_rate = _bench_copy(rows)
            print(f"COPY is {copy_rate / csv_rate:.0f}x the CSV import's rate")
    finally:
        if database_url:
            _postgres_drop(server_url, database_url)


if __name__ == "__main__":
    main()
