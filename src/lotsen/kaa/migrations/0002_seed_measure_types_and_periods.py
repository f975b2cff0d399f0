"""The default measure types and the reporting periods with their code lists.

The codes are placeholders: SCB's "Instruktioner och kodförteckningar" could not be read
when this was written (domain/swedish-rules-and-sources.md §1.4 and §8), so every period
is marked unverified. A coordinator or administrator corrects them in the admin or with
`lotsen kaa codes-load`; a new period is added with `lotsen kaa period-add`.
"""

import datetime as dt

from django.db import migrations

MEASURE_TYPES = [
    ("guidance", "Studie- och yrkesvägledning", "Study and career guidance"),
    ("coaching", "Motiverande samtal eller coachning", "Motivational coaching"),
    ("work_experience", "Praktik", "Work experience"),
    (
        "studies",
        "Studier på introduktionsprogram eller i kommunal vuxenutbildning",
        "Studies at an introduction programme or municipal adult education",
    ),
    ("employment_service", "Program via Arbetsförmedlingen", "Employment-service programme"),
    ("other", "Annan åtgärd", "Other measure"),
]

CODES = {
    "registration_reason": [
        ("never_started", "1", "Har aldrig studerat i gymnasieskolan"),
        ("dropped_out", "2", "Avbrott från nationellt program"),
        ("studiebevis", "3", "Slutfört gymnasieskolan med studiebevis"),
        ("left_introduction", "4", "Avbrott från introduktionsprogram"),
    ],
    "occupation": [
        ("work", "1", "Arbete"),
        ("studies", "2", "Studier"),
        ("none", "3", "Ingen sysselsättning"),
        ("unknown", "9", "Okänd"),
    ],
    "measure_type": [
        (code, str(index), name) for index, (code, name, _en) in enumerate(MEASURE_TYPES, 1)
    ],
    "measure_offer": [
        ("started", "1", "Åtgärden påbörjades"),
        ("declined", "2", "Tackade nej till åtgärden"),
    ],
    "measure_end_reason": [
        ("completed", "1", "Genomförd enligt planen"),
        ("started_studies", "2", "Började studera"),
        ("started_work", "3", "Började arbeta"),
        ("interrupted", "4", "Avbruten av den unga"),
        ("moved", "5", "Flyttade från kommunen"),
        ("turned_20", "6", "Fyllde 20 år"),
        ("other", "9", "Annan orsak"),
    ],
    "left_reason": [
        ("turned_20", "1", "Fyllt 20 år"),
        ("started_studies", "2", "Påbörjat utbildning"),
        ("moved_away", "3", "Flyttat från kommunen"),
        ("qualification", "4", "Fullföljt utbildning med examen eller motsvarande"),
        ("other", "9", "Annan orsak"),
    ],
}

PERIODS = ["2025H1", "2025H2", "2026H1", "2026H2", "2027H1"]
SOURCE_NOTE = (
    "Platshållare: koderna är inte kontrollerade mot SCB:s kodförteckning för perioden. "
    "Kontrollera dem mot Instruktioner och kodförteckningar på scb.se innan filen lämnas."
)


def bounds(code):
    year, half = int(code[:4]), code[4:]
    if half == "H1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def seed(apps, schema_editor):
    MeasureType = apps.get_model("kaa", "MeasureType")
    ReportPeriod = apps.get_model("kaa", "ReportPeriod")
    ReportCode = apps.get_model("kaa", "ReportCode")
    for order, (code, name, name_en) in enumerate(MEASURE_TYPES, 1):
        MeasureType.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )
    for period_code in PERIODS:
        starts_on, ends_on = bounds(period_code)
        period, created = ReportPeriod.objects.get_or_create(
            code=period_code,
            defaults={"starts_on": starts_on, "ends_on": ends_on, "source_note": SOURCE_NOTE},
        )
        if created:
            ReportCode.objects.bulk_create(
                ReportCode(period=period, code_list=code_list, value=value, code=code, label=label)
                for code_list, rows in CODES.items()
                for value, code, label in rows
            )


class Migration(migrations.Migration):
    dependencies = [("kaa", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
