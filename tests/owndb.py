"""A database of its own for tests that start Lotsen in a subprocess (a real `lotsen serve`,
an import killed with -9): such a process cannot see the test run's transaction."""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

LOTSEN = Path(sys.executable).with_name("lotsen")
SQLITE = "sqlite:///"


def _server() -> dict:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"] or "postgres",
        "password": db["PASSWORD"] or None,
    }


def _admin():
    import psycopg

    return psycopg.connect(dbname="postgres", autocommit=True, **_server())


def _postgres_url(name: str) -> str:
    server = _server()
    credentials = quote(server["user"], safe="")
    if server["password"]:
        credentials += ":" + quote(server["password"], safe="")
    return f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"


@contextmanager
def own_database_url(tmp_path, suffix: str) -> Iterator[str]:
    """A fresh, empty database of the same kind as the test run's, dropped afterwards."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        yield f"{SQLITE}{tmp_path / f'{suffix}.sqlite3'}"
        return
    name = f"{db['NAME']}_{suffix}"[:63]
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _postgres_url(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _lotsen_migrate(url: str, var_dir: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "LOTSEN_VAR_DIR": var_dir}
    done = subprocess.run(
        [str(LOTSEN), "migrate", "--no-input", "-v0"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@functools.cache
def _sqlite_template() -> Path:
    """A SQLite database migrated once per test run, removed when the run ends."""
    directory = tempfile.mkdtemp(prefix="lotsen-migrated-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    path = Path(directory) / "migrated.sqlite3"
    _lotsen_migrate(f"{SQLITE}{path}", directory)
    return path


@functools.cache
def _postgres_template() -> str:
    """A PostgreSQL database migrated once per test run, dropped when the run ends."""
    from django.conf import settings

    name = f"{settings.DATABASES['default']['NAME']}_migrated"[:63]
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    directory = tempfile.mkdtemp(prefix="lotsen-migrated-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    _lotsen_migrate(_postgres_url(name), directory)

    def drop() -> None:
        with contextlib.suppress(Exception), _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    return name


def migrated(url: str) -> None:
    """Give the empty database at ``url`` Lotsen's schema, as `lotsen migrate` would: a copy
    of a database migrated once per test run. Two dozen tests start Lotsen on a database of
    their own, and migrating each took 10–20 s (minutes of every CI run, per database); a
    copy takes well under a second (SQLite's backup, PostgreSQL's CREATE DATABASE …
    TEMPLATE). Migrations themselves still run once per run, and in the suite's own set-up."""
    if url.startswith(SQLITE):
        target = url.removeprefix(SQLITE)
        with (
            contextlib.closing(sqlite3.connect(_sqlite_template())) as source,
            contextlib.closing(sqlite3.connect(target)) as copy,
        ):
            source.backup(copy)
        return
    template = _postgres_template()
    name = urlsplit(url).path.lstrip("/")
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
