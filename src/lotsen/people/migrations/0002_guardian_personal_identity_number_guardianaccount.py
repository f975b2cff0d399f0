"""A guardian's personnummer, which a guardian's e-ID login is matched against, and the
guardian's own account (issue 11)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="guardian",
            name="personal_identity_number",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="Lagras med tolv siffror utan skiljetecken.",
                max_length=12,
                verbose_name="vårdnadshavarens personnummer",
            ),
        ),
        migrations.CreateModel(
            name="GuardianAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("personal_identity_number", models.CharField(max_length=12, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="guardian_account",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "vårdnadshavares konto",
                "verbose_name_plural": "vårdnadshavares konton",
            },
        ),
    ]
