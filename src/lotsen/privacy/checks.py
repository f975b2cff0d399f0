"""System checks for the door: the access log must be out of the application's reach.

On PostgreSQL the owner of a table (and a superuser) can ``ALTER TABLE ... DISABLE
TRIGGER`` and then rewrite the access log. In production the application should connect
as a role that may only INSERT and SELECT the log (``lotsen db grant-app-role``); this
check warns, on ``lotsen check`` and whenever a command starts, when it does not.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from lotsen.privacy.models import AccessLogEntry

W001 = "lotsen.privacy.W001"
MESSAGE_OWNER = (
    "Databasrollen {role} äger åtkomstloggens tabell {table} (eller är superanvändare) och "
    "kan stänga av triggrarna som gör loggen oföränderlig."
)
HINT_OWNER = (
    "Låt ägarrollen köra lotsen migrate och anslut applikationen som en egen roll: "
    "lotsen db grant-app-role --role lotsen_app skriver ut SQL:en."
)

OWNER_SQL = """
SELECT current_user,
       r.rolsuper OR pg_has_role(current_user, c.relowner, 'USAGE')
FROM pg_class c, pg_roles r
WHERE c.oid = to_regclass(%s) AND r.rolname = current_user
"""


def access_log_owner_role(*, connection: BaseDatabaseWrapper) -> str | None:
    """The connected role's name when it owns the access log (or is a superuser), else None."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(OWNER_SQL, [AccessLogEntry._meta.db_table])
        row = cursor.fetchone()
    if row is None:  # not migrated yet
        return None
    role, owns = row
    return role if owns else None


@register("lotsen")
def check_access_log_owner(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    # Development and tests run as the owner on purpose; production must not.
    if settings.DEBUG:
        return []
    warnings = []
    table = AccessLogEntry._meta.db_table
    for using in databases or ["default"]:
        try:
            role = access_log_owner_role(connection=connections[using])
        except DatabaseError:
            # No database to ask (yet): the commands that need one will say so themselves.
            continue
        if role is not None:
            message = MESSAGE_OWNER.format(role=role, table=table)
            warnings.append(Warning(message, hint=HINT_OWNER, id=W001))
    return warnings
