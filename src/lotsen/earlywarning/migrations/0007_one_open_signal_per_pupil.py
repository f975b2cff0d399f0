from django.db import migrations, models


class Migration(migrations.Migration):
    """One open signal per pupil and school, once 0006 has merged them. A migration of its
    own: PostgreSQL builds the index only after the merge's transaction has committed."""

    dependencies = [
        ("signals", "0006_signal_reasons_capacity_unscored"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="signal",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "closed"), _negated=True),
                fields=("person", "school_unit"),
                name="unique_not_closed_signal_per_pupil",
            ),
        ),
    ]
