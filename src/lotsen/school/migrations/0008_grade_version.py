"""A version per pupil's grades, moved on by the database (issue 16).

Triggers on ``school_grade`` bump ``school_gradeversion.version`` for every person whose
grades a statement inserted, changed or deleted, whichever code (or none: a cascade, the
database shell) wrote them. On PostgreSQL one statement-level trigger per operation reads
the statement's transition tables, so an import of 100,000 grades bumps each of its pupils
once, in one statement; on SQLite, which has no statement-level triggers, a row-level one.
Updates that change nothing (an import's unchanged rows are not updated) bump nothing.
"""

from django.db import migrations, models

GRADE = "school_grade"
VERSION = "school_gradeversion"

SQLITE_UP = [
    f"""CREATE TRIGGER {GRADE}_version_insert AFTER INSERT ON {GRADE} BEGIN
        INSERT INTO {VERSION} (person_id, version) VALUES (NEW.person_id, 1)
        ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
    END;""",
    f"""CREATE TRIGGER {GRADE}_version_update AFTER UPDATE ON {GRADE} BEGIN
        INSERT INTO {VERSION} (person_id, version) VALUES (NEW.person_id, 1)
        ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
        INSERT INTO {VERSION} (person_id, version)
        SELECT OLD.person_id, 1 WHERE OLD.person_id <> NEW.person_id
        ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
    END;""",
    f"""CREATE TRIGGER {GRADE}_version_delete AFTER DELETE ON {GRADE} BEGIN
        INSERT INTO {VERSION} (person_id, version) VALUES (OLD.person_id, 1)
        ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
    END;""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {GRADE}_version_{operation};"
    for operation in ("insert", "update", "delete")
]


def _postgres_function(name: str, persons: str) -> str:
    # In person order, so that two imports bumping the same pupils lock their rows in the
    # same order and cannot deadlock on them.
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        INSERT INTO {VERSION} (person_id, version)
        SELECT person_id, 1 FROM ({persons}) AS changed GROUP BY person_id ORDER BY person_id
        ON CONFLICT (person_id) DO UPDATE SET version = {VERSION}.version + 1;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;"""


POSTGRES_UP = [
    _postgres_function(f"{GRADE}_version_inserted", "SELECT person_id FROM new_rows"),
    _postgres_function(
        f"{GRADE}_version_updated",
        "SELECT person_id FROM new_rows UNION ALL SELECT person_id FROM old_rows",
    ),
    _postgres_function(f"{GRADE}_version_deleted", "SELECT person_id FROM old_rows"),
    f"CREATE TRIGGER {GRADE}_version_insert AFTER INSERT ON {GRADE} "
    f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {GRADE}_version_inserted();",
    f"CREATE TRIGGER {GRADE}_version_update AFTER UPDATE ON {GRADE} "
    f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {GRADE}_version_updated();",
    f"CREATE TRIGGER {GRADE}_version_delete AFTER DELETE ON {GRADE} "
    f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {GRADE}_version_deleted();",
]
POSTGRES_DOWN = [
    *(
        f"DROP TRIGGER IF EXISTS {GRADE}_version_{operation} ON {GRADE};"
        for operation in ("insert", "update", "delete")
    ),
    *(
        f"DROP FUNCTION IF EXISTS {GRADE}_version_{done}();"
        for done in ("inserted", "updated", "deleted")
    ),
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"No grade version triggers for {schema_editor.connection.vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("school", "0007_grade_and_enrolment_indexes")]

    operations = [
        migrations.CreateModel(
            name="GradeVersion",
            fields=[
                ("person_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
            ],
            options={
                "verbose_name": "betygsversion",
                "verbose_name_plural": "betygsversioner",
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
