"""The access log's hash chain, ``shown``, and REPLACE blocked on SQLite.

- ``prev_hash``/``entry_hash`` chain every entry to the one before it; existing entries
  are chained here in id order (the append-only triggers are lifted for that one UPDATE,
  inside this migration's transaction, and put back).
- SQLite: ``REPLACE INTO`` / ``INSERT OR REPLACE`` delete the conflicting row without
  firing DELETE triggers (recursive_triggers is off), so a BEFORE INSERT trigger now
  refuses any insert whose id already exists. (``INSERT ... ON CONFLICT DO UPDATE`` fires
  the UPDATE trigger and failed already.)
- SQLite rebuilds the table to add columns with a default, which drops its triggers: they
  are created again here.
"""

from django.db import migrations, models

TABLE = "privacy_accesslogentry"
MESSAGE = "privacy_accesslogentry is append-only"
GENESIS_HASH = "0" * 64
CHUNK = 1000

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_replace BEFORE INSERT ON {TABLE} "  # noqa: S608
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE id = NEW.id) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
]
SQLITE_0002_TRIGGERS = SQLITE_TRIGGERS[:2]


def _chain_existing(apps, schema_editor):
    from lotsen.privacy.accesslog import entry_digest

    AccessLogEntry = apps.get_model("privacy", "AccessLogEntry")
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update;")
    elif connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_no_update_delete;")

    # Keyset pages in id order: bounded memory, and no cursor open over rows being updated.
    previous, last_id = GENESIS_HASH, 0
    while True:
        page = list(AccessLogEntry.objects.filter(pk__gt=last_id).order_by("pk")[:CHUNK])
        if not page:
            break
        for entry in page:
            entry.prev_hash = previous
            entry.entry_hash = entry_digest(entry)
            previous = entry.entry_hash
        AccessLogEntry.objects.bulk_update(page, ["prev_hash", "entry_hash"])
        last_id = page[-1].pk

    if connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    elif connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_no_update_delete;")


def _unchain(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_replace;")


def _sqlite_0002_triggers_back(apps, schema_editor):
    # Going back, removing the columns rebuilds the table again: restore 0002's triggers.
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_0002_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_alter_accesslogentry_purpose_and_more")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _sqlite_0002_triggers_back),
        migrations.AddField(
            model_name="accesslogentry",
            name="entry_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="shown",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(_chain_existing, _unchain),
    ]
