"""ImportRun now belongs to ingest (ingest's 0001 takes it over with the same table):
school forgets the model without dropping ``school_importrun``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("school", "0003_source_person_id"),
        ("ingest", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportRun")],
            database_operations=[],
        ),
    ]
