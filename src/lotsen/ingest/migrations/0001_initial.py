"""ImportRun moves from school to ingest: only the state moves; the table
``school_importrun`` stays as it is (school's 0004 removes the model from school's state)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("school", "0002_school_data"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportRun",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("source", models.CharField(max_length=40)),
                        ("started_at", models.DateTimeField()),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("status", models.CharField(default="running", max_length=16)),
                        ("counts", models.JSONField(default=dict)),
                        ("rejects", models.JSONField(default=list)),
                        ("cursor", models.CharField(blank=True, max_length=100)),
                    ],
                    options={"ordering": ["-started_at"], "db_table": "school_importrun"},
                ),
            ],
            database_operations=[],
        ),
    ]
