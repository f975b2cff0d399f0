"""PostgreSQL: run the application as a role that does not own the access log.

The owner (here the test's superuser) runs the migrations and ``lotsen db grant-app-role``;
the application role may then read and append to the log and nothing else: it cannot
change or erase entries, and cannot switch the append-only triggers off. ``lotsen check``
warns while the application connects as the owner.
"""

import os

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from lotsen.privacy.accesslog import CHAIN_LOCK_KEY
from lotsen.privacy.checks import W001, access_log_owner_role, check_access_log_owner
from lotsen.privacy.models import AccessLogEntry
from tests.privacy.test_access_log_chain import in_own_connection, log_erase_committed

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles: PostgreSQL"),
]

TABLE = AccessLogEntry._meta.db_table
ROLE = f"lotsen_app_test_{os.getpid()}"
INSERT = (
    f"INSERT INTO {TABLE} (at, actor_user_id, person_id, action, purpose, object_type, "
    "object_id, shown, prev_hash, entry_hash) "
    "VALUES (now(), 1, 2, 'view', 'kaa', 'person', '2', '[]', '', '')"
)


def _as_owner(*statements: str) -> None:
    def run() -> None:
        with connection.cursor() as cur:
            for statement in statements:
                cur.execute(statement)

    in_own_connection(run)


@pytest.fixture
def app_role(db):
    """A login role without ownership, given its rights by the command under test."""
    _as_owner(f"DROP ROLE IF EXISTS {ROLE}", f"CREATE ROLE {ROLE} LOGIN")
    in_own_connection(lambda: call_command("db", "grant-app-role", "--role", ROLE, "--execute"))
    yield ROLE
    in_own_connection(log_erase_committed)
    _as_owner(f"DROP OWNED BY {ROLE}", f"DROP ROLE {ROLE}")


@pytest.fixture
def app_cursor(app_role):
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=app_role,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as conn:
        yield conn.cursor()


def test_the_app_role_can_insert_and_select(app_cursor):
    app_cursor.execute(INSERT)
    app_cursor.execute(f"SELECT count(*) FROM {TABLE}")
    assert app_cursor.fetchone()[0] == 1


@pytest.mark.parametrize(
    "statement",
    [
        f"ALTER TABLE {TABLE} DISABLE TRIGGER USER",
        f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_no_update_delete",
        f"UPDATE {TABLE} SET purpose = 'self'",
        f"DELETE FROM {TABLE}",
        f"TRUNCATE {TABLE}",
        f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE}",
        INSERT.replace("VALUES", "OVERRIDING SYSTEM VALUE VALUES")
        .replace("(at,", "(id, at,")
        .replace("(now(),", "(1, now(),")
        # (id, at): the primary key of the log partitioned by month (privacy 0009).
        + " ON CONFLICT (id, at) DO UPDATE SET purpose = 'self'",
    ],
    ids=["disable_all", "disable_one", "update", "delete", "truncate", "drop_trigger", "upsert"],
)
def test_the_app_role_cannot_rewrite_the_log(app_cursor, statement):
    app_cursor.execute(INSERT)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_cursor.execute(statement)
    app_cursor.execute(f"SELECT purpose, count(*) FROM {TABLE} GROUP BY purpose")
    assert app_cursor.fetchall() == [("kaa", 1)]


def test_the_app_role_can_take_the_chain_lock_and_read_the_head(app_cursor):
    # What lotsen.privacy.accesslog.chain_link does, with the app role's rights only.
    app_cursor.execute(INSERT)
    with app_cursor.connection.transaction():
        app_cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        app_cursor.execute(f"SELECT entry_hash FROM {TABLE} ORDER BY id DESC LIMIT 1")
        assert app_cursor.fetchone() == ("",)
        app_cursor.execute(INSERT)


def test_check_warns_when_connected_as_the_owner(settings):
    settings.DEBUG = False
    assert access_log_owner_role(connection=connection) == connection.settings_dict["USER"]
    warnings = check_access_log_owner()
    assert [w.id for w in warnings] == [W001]
    assert TABLE in warnings[0].msg and "grant-app-role" in warnings[0].hint


def test_check_is_quiet_when_connected_as_the_app_role(app_role):
    as_app = DatabaseWrapper({**connection.settings_dict, "USER": app_role, "PASSWORD": ""})
    try:
        assert access_log_owner_role(connection=as_app) is None
    finally:
        as_app.close()


def test_check_is_quiet_in_development(settings):
    settings.DEBUG = True
    assert check_access_log_owner() == []


def test_grant_app_role_prints_the_sql_without_running_it(capsys):
    call_command("db", "grant-app-role", "--role", "lotsen_app")
    out = capsys.readouterr().out
    assert f'GRANT SELECT, INSERT ON "public"."{TABLE}" TO "lotsen_app";' in out
    assert f'REVOKE ALL ON "public"."{TABLE}" FROM "lotsen_app";' in out


def test_grant_app_role_refuses_the_owner_itself():
    with pytest.raises(CommandError, match="tabellernas ägare"):
        call_command("db", "grant-app-role", "--role", connection.settings_dict["USER"])


def test_grant_app_role_refuses_a_bad_role_name():
    with pytest.raises(CommandError, match="ogiltigt rollnamn"):
        call_command("db", "grant-app-role", "--role", 'x"; DROP TABLE y; --')
