"""Consent requests to guardians (issue 11)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0005_identity_provider"),
        ("people", "0002_guardian_personal_identity_number_guardianaccount"),
        ("privacy", "0008_accesslogentry_purpose_guardian"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ConsentRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("categories", models.JSONField(default=list, verbose_name="uppgifter")),
                (
                    "purpose_text",
                    models.TextField(
                        max_length=1000, verbose_name="vad samtycket ska användas till"
                    ),
                ),
                ("guardian_until", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Väntar på svar"),
                            ("given", "Vårdnadshavaren sa ja"),
                            ("refused", "Vårdnadshavaren sa nej"),
                            ("cancelled", "Återkallad"),
                        ],
                        default="open",
                        max_length=16,
                    ),
                ),
                ("answered_at", models.DateTimeField(blank=True, null=True)),
                ("answered_assurance_level", models.CharField(blank=True, max_length=32)),
                ("answered_evidence", models.JSONField(blank=True, default=dict)),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "consent",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="privacy.consent",
                    ),
                ),
                (
                    "organisations",
                    models.ManyToManyField(
                        related_name="+", to="accounts.organisation", verbose_name="organisationer"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="consent_requests",
                        to="people.person",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_in",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name": "fråga om samtycke till vårdnadshavare",
                "verbose_name_plural": "frågor om samtycke till vårdnadshavare",
                "ordering": ["-requested_at", "-id"],
                "indexes": [
                    models.Index(fields=["person", "status"], name="youth_conse_person__1a97e0_idx")
                ],
            },
        ),
    ]
