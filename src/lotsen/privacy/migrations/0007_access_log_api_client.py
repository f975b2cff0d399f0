"""The machine client behind an access-log entry (issue 11, lotsen.apiclients).

Empty for people and for every entry before it; the hash's canonical form takes it in
only when set, so every old entry still verifies. Should SQLite rebuild the table to add
the column, that drops its append-only triggers: they are created again here (as in
0006), both ways.
"""

import django.db.models.deletion
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
    dependencies = [
        ("apiclients", "0001_initial"),
        ("privacy", "0006_access_log_assurance_level"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _sqlite_triggers_back),
        migrations.AddField(
            model_name="accesslogentry",
            name="api_client",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="apiclients.apiclient",
            ),
        ),
        migrations.RunPython(_sqlite_triggers_back, migrations.RunPython.noop),
    ]
