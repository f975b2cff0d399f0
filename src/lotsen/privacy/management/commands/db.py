"""``lotsen db``: database administration that Django's own commands do not cover.

  lotsen db grant-app-role --role lotsen_app [--execute]

On PostgreSQL the role that owns a table can disable its triggers, so an application
connected as the owner could switch the access log's append-only triggers off. Run Lotsen
with two roles instead: the owner runs ``lotsen migrate`` (``DATABASE_URL`` with the
owner's credentials), the application connects as a role that may read and write the
ordinary tables but only INSERT and SELECT the access log. This command prints the SQL
that gives the application role exactly that; with ``--execute`` it runs it, connected as
the owner. Run it again after every ``lotsen migrate``: it is idempotent, and default
privileges cover tables that later migrations create.
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, transaction

from lotsen.privacy.models import AccessLogEntry

ERROR_VENDOR = "grant-app-role gäller PostgreSQL; databasen är {vendor}."
ERROR_ROLE = "ogiltigt rollnamn {role} (bokstäver, siffror och _, högst 63 tecken)"
ERROR_SAME_ROLE = (
    "{role} är rollen som kommandot körs som. Kör kommandot som tabellernas ägare och ge "
    "rättigheterna till applikationens roll."
)
ERROR_NOT_MIGRATED = "Åtkomstloggens tabell finns inte: kör lotsen migrate som ägaren först."
ROLE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role_sql(*, role: str, owner: str, schema: str, database: str, quote) -> list[str]:
    """The statements, in order. Names are quoted with the connection's own quoting."""
    r, o, s, d = quote(role), quote(owner), quote(schema), quote(database)
    log = f"{s}.{quote(AccessLogEntry._meta.db_table)}"
    return [
        f"GRANT CONNECT ON DATABASE {d} TO {r};",
        f"GRANT USAGE ON SCHEMA {s} TO {r};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r};",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {r};",
        # The access log: read and append, nothing else.
        f"REVOKE ALL ON {log} FROM {r};",
        f"GRANT SELECT, INSERT ON {log} TO {r};",
        # Tables and sequences that later migrations create (as the owner).
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r};",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {s} "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {r};",
    ]


class Command(BaseCommand):
    help = "Databasadministration: rättigheter för applikationens databasroll."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        p = sub.add_parser(
            "grant-app-role",
            help="skriv ut (eller kör) SQL som ger applikationens roll rätt att läsa och "
            "skriva, men bara läsa och lägga till i åtkomstloggen",
        )
        p.add_argument("--role", required=True, help="applikationens databasroll")
        p.add_argument(
            "--execute", action="store_true", help="kör SQL:en i stället för att skriva ut den"
        )
        p.add_argument("--database", default="default")

    def handle(self, *args, subcommand: str, **options) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            raise CommandError(ERROR_VENDOR.format(vendor=connection.vendor))
        role = options["role"]
        if not ROLE_PATTERN.match(role):
            raise CommandError(ERROR_ROLE.format(role=role))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, current_schema(), current_database(), "
                "(SELECT tableowner FROM pg_tables "
                "WHERE schemaname = current_schema() AND tablename = %s)",
                [AccessLogEntry._meta.db_table],
            )
            user, schema, database, owner = cursor.fetchone()
        if owner is None:
            raise CommandError(ERROR_NOT_MIGRATED)
        if role in (user, owner):
            raise CommandError(ERROR_SAME_ROLE.format(role=role))
        statements = grant_app_role_sql(
            role=role,
            owner=owner,
            schema=schema,
            database=database,
            quote=connection.ops.quote_name,
        )
        if not options["execute"]:
            self.stdout.write(f"-- Kör som {owner}, ägaren av Lotsens tabeller.")
            for statement in statements:
                self.stdout.write(statement)
            return
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"{role} har nu rättigheterna ({len(statements)} satser).")
