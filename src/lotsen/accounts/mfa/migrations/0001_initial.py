import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SecondFactorAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("totp", "Kod från app"),
                            ("recovery", "Reservkod"),
                            ("passkey", "Nyckel (passkey)"),
                        ],
                        max_length=16,
                        verbose_name="sätt",
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("login", "Inloggning"),
                            ("step_up", "Starkare inloggning"),
                            ("enrol", "Ny andra faktor"),
                        ],
                        max_length=16,
                        verbose_name="syfte",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("success", "Godkänd"),
                            ("failure", "Fel kod eller nyckel"),
                            ("throttled", "För många försök, inte prövad"),
                        ],
                        max_length=16,
                        verbose_name="utfall",
                    ),
                ),
                (
                    "ip_address",
                    models.GenericIPAddressField(blank=True, null=True, verbose_name="adress"),
                ),
                (
                    "user_agent",
                    models.CharField(blank=True, max_length=255, verbose_name="webbläsare"),
                ),
                (
                    "at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="tid"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="second_factor_attempts",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "försök med andra faktor",
                "verbose_name_plural": "försök med andra faktor",
                "ordering": ["-at", "-id"],
            },
        ),
    ]
