"""Trigram indexes for the person search's name words (issue 16).

The search matches each word anywhere in the given or family name, case-insensitively
(``icontains``, which PostgreSQL runs as ``UPPER(name) LIKE UPPER('%word%')``): no b-tree
index serves that, so every search read the whole person table. On PostgreSQL a GIN
trigram index (``pg_trgm``) on ``UPPER(name)`` serves exactly that expression. SQLite has
no such index, and this migration does nothing there. The personnummer is matched exactly
and has its unique index already.
"""

from django.db import migrations

INDEXES = (
    ("people_person_given_name_trgm", "given_name"),
    ("people_person_family_name_trgm", "family_name"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may
    # create it without being a superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON people_person "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_guardian_personal_identity_number_guardianaccount"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
