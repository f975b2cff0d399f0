"""The participation keeps the name the project typed (issue 10). Existing participations
get the name their person has now, so nothing changes on any page for existing data."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_person_names(apps, schema_editor):
    Participation = apps.get_model("programmes", "Participation")
    Person = apps.get_model("people", "Person")
    person = Person.objects.filter(pk=OuterRef("person_id"))
    Participation.objects.update(
        given_name=Subquery(person.values("given_name")[:1]),
        family_name=Subquery(person.values("family_name")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("programmes", "0002_participation"),
    ]

    operations = [
        migrations.AddField(
            model_name="participation",
            name="given_name",
            field=models.CharField(default="", max_length=100, verbose_name="förnamn"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="participation",
            name="family_name",
            field=models.CharField(default="", max_length=100, verbose_name="efternamn"),
            preserve_default=False,
        ),
        migrations.RunPython(copy_person_names, migrations.RunPython.noop, elidable=True),
    ]
