"""A pupil's grade version goes with the pupil (issue 16).

Deleting a person deletes their grades on the way, and the grade table's triggers (0008)
then bump the person's ``school_gradeversion`` row: it outlived the person, an id and a
counter about somebody erased. A trigger on the person table now deletes it after the
person, whichever code deleted them, and the rows left behind by earlier erasures go.
"""

from django.db import migrations

PERSON = "people_person"
VERSION = "school_gradeversion"

ORPHANS_DELETE = f"DELETE FROM {VERSION} WHERE person_id NOT IN (SELECT id FROM {PERSON});"

SQLITE_UP = [
    f"""CREATE TRIGGER {PERSON}_grade_version_delete AFTER DELETE ON {PERSON} BEGIN
        DELETE FROM {VERSION} WHERE person_id = OLD.id;
    END;""",
    ORPHANS_DELETE,
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {PERSON}_grade_version_delete;"]

POSTGRES_UP = [
    f"""CREATE OR REPLACE FUNCTION {PERSON}_grade_version_deleted() RETURNS trigger AS $$
    BEGIN
        DELETE FROM {VERSION} AS version USING old_rows
        WHERE version.person_id = old_rows.id;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;""",
    f"CREATE TRIGGER {PERSON}_grade_version_delete AFTER DELETE ON {PERSON} "
    f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {PERSON}_grade_version_deleted();",
    ORPHANS_DELETE,
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS {PERSON}_grade_version_delete ON {PERSON};",
    f"DROP FUNCTION IF EXISTS {PERSON}_grade_version_deleted();",
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
    dependencies = [
        ("school", "0008_grade_version"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
