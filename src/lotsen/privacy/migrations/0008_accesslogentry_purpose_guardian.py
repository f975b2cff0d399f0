"""Purpose "guardian": a guardian's reads and answers (issue 11). Choices only: no SQL,
so the access log's append-only triggers stay as they are."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0007_access_log_api_client"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslogentry",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("kaa", "Kommunala aktivitetsansvaret"),
                    ("school", "Skolans arbete med sina elever"),
                    ("support", "Samordnat stöd"),
                    ("programme", "Uppföljning av projektdeltagande"),
                    ("self", "Egna uppgifter"),
                    ("guardian", "Vårdnadshavarens samtycke"),
                    ("emergency", "Nödåtkomst"),
                ],
                max_length=16,
            ),
        ),
    ]
