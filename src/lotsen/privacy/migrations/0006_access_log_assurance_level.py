"""The level of assurance of the login behind each access-log entry (issue 11).

Existing entries, and rows inserted by code that does not know the column (the database
default), get an empty level, which the hash's canonical form leaves out, so every
old entry still verifies. SQLite rebuilds the table to add a column with a default, which
drops its append-only triggers: they are created again here (as in 0005), both ways.
"""

from django.db import migrations, models

TABLE = "privacy_accesslogentry"
MESSAGE = "privacy_accesslogentry is append-only"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_replace BEFORE INSERT ON {TABLE} "  # noqa: S608
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]


def _sqlite_triggers_back(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_access_log_chain")]

    operations = [
        # Going back, removing the column rebuilds the table again.
        migrations.RunPython(migrations.RunPython.noop, _sqlite_triggers_back),
        migrations.AddField(
            model_name="accesslogentry",
            name="assurance_level",
            field=models.CharField(blank=True, db_default="", default="", max_length=32),
        ),
        migrations.RunPython(_sqlite_triggers_back, migrations.RunPython.noop),
    ]
