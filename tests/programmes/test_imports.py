"""`lotsen import programme FILE.json` and `lotsen import participants FILE.csv`: the
whole file or nothing, errors naming the JSON path or the CSV line and column, never a
personnummer in an error, and the same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from lotsen.accounts.models import Organisation
from lotsen.ingest import jsonfile
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry
from lotsen.programmes.imports import (
    ERROR_CSV_COLUMN,
    ERROR_CSV_SUBPROJECT_AMBIGUOUS,
    ERROR_DATE,
    ERROR_FRAMEWORK,
    ERROR_MUNICIPALITY_CODE,
    ERROR_REQUIRED,
    ERROR_TARGET,
    ImportFailed,
    participants_import,
    programme_import,
)
from lotsen.programmes.models import Participation, Programme, SubProject, SubProjectGoal

PROGRAMME = {
    "name": "Unga framåt",
    "framework": "esfplus",
    "start": "2024-01-01",
    "end": "2026-12-31",
    "lead_organisation": {"name": "Region Väst", "kind": "region"},
    "subprojects": [
        {
            "name": "Studiestart Åby",
            "lead_organisation": {
                "name": "Åby kommun",
                "kind": "municipality",
                "municipality_code": "9901",
                "parent": {"name": "Region Väst", "kind": "region"},
            },
            "start": "2024-02-01",
            "end": "2026-06-30",
            "organisations": [{"name": "Ungdomsmottagningen Väst", "kind": "health_care"}],
            "goals": [
                {"description": "Deltagare", "indicator": "total_participants", "target_value": 40}
            ],
        },
        {
            "name": "Regional samordning",
            "lead_organisation": {"name": "Region Väst", "kind": "region"},
            "start": "2024-01-01",
            "end": "2026-12-31",
        },
    ],
}


def _write(tmp_path, name, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return str(path)


def _state():
    return (
        list(Programme.objects.values_list("name", "framework", "start", "end")),
        list(SubProject.objects.values_list("name", "lead_organisation__name", "start", "end")),
        list(Organisation.objects.order_by("name").values_list("name", "kind", "parent__name")),
        list(SubProjectGoal.objects.values_list("description", "target_value")),
        list(Participation.objects.order_by("pk").values()),
        Person.objects.count(),
    )


@pytest.mark.django_db
def test_programme_import_creates_organisations_and_is_idempotent(tmp_path, capsys):
    path = _write(tmp_path, "p.json", PROGRAMME)
    call_command("import", "programme", path)
    programme = Programme.objects.get(name="Unga framåt")
    assert programme.lead_organisation.kind == "region"
    assert programme.subprojects.count() == 2
    aby = SubProject.objects.get(name="Studiestart Åby")
    assert aby.lead_organisation.municipality_code == "9901"
    assert aby.lead_organisation.parent == programme.lead_organisation
    assert [o.name for o in aby.organisations.all()] == ["Ungdomsmottagningen Väst"]
    assert aby.goals.get().target_value == 40
    assert Organisation.objects.filter(name="Region Väst").count() == 1
    before = _state()
    call_command("import", "programme", path)
    assert _state() == before
    out = capsys.readouterr().out
    assert "Ändrade: inga" in out.splitlines()[-1]


@pytest.mark.django_db
def test_programme_import_updates_what_changed(tmp_path):
    programme_import(data=json.dumps(PROGRAMME))
    changed = json.loads(json.dumps(PROGRAMME))
    changed["subprojects"][1]["end"] = "2026-06-30"
    changed["subprojects"][0]["goals"][0]["target_value"] = 55
    result = programme_import(data=json.dumps(changed))
    assert result.updated == {"delprojekt": 1, "mål": 1}
    assert SubProject.objects.get(name="Regional samordning").end == dt.date(2026, 6, 30)


@pytest.mark.django_db
def test_programme_import_errors_name_json_paths_and_write_nothing(tmp_path):
    bad = json.loads(json.dumps(PROGRAMME))
    bad["framework"] = "esf2030"
    bad["subprojects"][0]["start"] = "1 feb 2024"
    bad["subprojects"][1]["lead_organisation"] = {"name": "Nya kommunen", "kind": "municipality"}
    del bad["subprojects"][1]["name"]
    with pytest.raises(ImportFailed) as failed:
        programme_import(data=json.dumps(bad))
    assert failed.value.errors == [
        f"$.framework: {ERROR_FRAMEWORK}",
        f"$.subprojects[0].start: {ERROR_DATE}",
        f"$.subprojects[1].name: {ERROR_REQUIRED}",
        f"$.subprojects[1].lead_organisation.municipality_code: {ERROR_MUNICIPALITY_CODE}",
    ]
    assert not Programme.objects.exists() and not Organisation.objects.exists()
    path = _write(tmp_path, "bad.json", bad)
    with pytest.raises(CommandError) as error:
        call_command("import", "programme", path)
    assert "$.subprojects[0].start" in str(error.value)


@pytest.mark.django_db
def test_programme_import_rejects_broken_json_and_wrong_shapes():
    with pytest.raises(ImportFailed) as failed:
        programme_import(data='{"name": ')
    assert "rad 1" in failed.value.errors[0]
    with pytest.raises(ImportFailed) as failed:
        programme_import(data=json.dumps({**PROGRAMME, "subprojects": {"name": "x"}}))
    assert failed.value.errors == ["$.subprojects: Ska vara en lista."]
    with pytest.raises(ImportFailed) as failed:
        programme_import(data=json.dumps({**PROGRAMME, "lead_organisation": "Region Väst"}))
    assert failed.value.errors == ["$.lead_organisation: Ska vara ett objekt."]


# --- Participants CSV ------------------------------------------------------------------

HEADER = (
    "subproject,personnummer,given_name,family_name,gender,entry_date,entry_status,education_level,disability,"
    "foreign_background,exit_date,exit_status,followup_6m_status"
)
N1 = make_identity_number(dt.date(2005, 4, 1), 123)
N2 = make_identity_number(dt.date(2008, 9, 30), 456)


@pytest.fixture
def imported_programme(db):
    programme_import(data=json.dumps(PROGRAMME))
    return Programme.objects.get()


def _csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


GOOD = _csv(
    f"Studiestart Åby,{N1},Ada,Ek,woman,2025-01-15,unemployed,isced_0_2,yes,,2025-06-30,"
    "in_education,",
    f"Studiestart Åby,{N1[:8]}-{N1[8:]},Ada,Ek,woman,2025-09-01,inactive,,,,,,",
    f"Regional samordning,{N2},Bo,Berg,nonbinary,2025-03-01,inactive_not_in_education,"
    ",prefer_not_to_say,no,,,",
)


def test_participants_import_creates_persons_and_participations(imported_programme, tmp_path):
    path = _write(tmp_path, "d.csv", GOOD)
    call_command("import", "participants", path)
    assert Participation.objects.count() == 3
    first = Participation.objects.get(entry_date=dt.date(2025, 1, 15))
    assert (first.gender, first.entry_status, first.disability, first.foreign_background) == (
        "woman",
        "unemployed",
        "yes",
        "",
    )
    assert (first.exit_date, first.exit_status) == (dt.date(2025, 6, 30), "in_education")
    person = Person.objects.get(personal_identity_number=N1)
    assert person.date_of_birth == dt.date(2005, 4, 1)
    assert person.home_municipality_code == "9901"  # the lead municipality's code
    nb = Person.objects.get(personal_identity_number=N2)
    assert nb.gender == "other"
    # The region has no code: the person gets the code that names no municipality.
    assert nb.home_municipality_code == "0000"
    assert AccessLogEntry.objects.filter(object_type="participants_import").count() == 2
    before = _state()
    call_command("import", "participants", path)
    assert _state() == before


def test_participants_import_updates_exit_data(imported_programme):
    participants_import(data=GOOD)
    later = GOOD.replace(
        "2025-09-01,inactive,,,,,,", "2025-09-01,inactive,isced_3_4,,,2025-12-01,employed,"
    )
    result = participants_import(data=later)
    assert result.updated == {"deltaganden": 1}
    row = Participation.objects.get(entry_date=dt.date(2025, 9, 1))
    assert (row.education_level, row.exit_status) == ("isced_3_4", "employed")
    # The names are the participation's own: a corrected name updates it, not the person.
    renamed = later.replace("Ada,Ek,woman,2025-09-01", "Adah,Ek,woman,2025-09-01")
    assert participants_import(data=renamed).updated == {"deltaganden": 1}
    row.refresh_from_db()
    assert (row.given_name, row.person.given_name) == ("Adah", "Ada")


def test_participants_import_errors_name_line_and_column_and_never_the_number(
    imported_programme,
):
    bad_checksum = N1[:-1] + str((int(N1[-1]) + 1) % 10)
    data = _csv(
        f"Studiestart Åby,{bad_checksum},Ada,Ek,woman,2025-01-15,unemployed,,,,,,",
        f"Okänt delprojekt,{N2},Bo,Berg,female,15/1/2025,working,,maybe,,,,",
        f"Studiestart Åby,{N2},Bo,Berg,man,2025-05-01,employed,,,,2025-04-01,employed,",
        f"Studiestart Åby,{N2},Bo,Berg,man,2025-05-01,employed,,,,,employed,improved",
        f"Studiestart Åby,{N2},Bo,Berg,man,2023-05-01,employed,,,,,,",
    )
    with pytest.raises(ImportFailed) as failed:
        participants_import(data=data)
    errors = failed.value.errors
    assert errors[0].startswith("rad 2, kolumn personnummer: Ogiltigt personnummer")
    assert [e.split(":")[0] for e in errors[1:]] == [
        "rad 3, kolumn gender",
        "rad 3, kolumn entry_status",
        "rad 3, kolumn disability",
        "rad 3, kolumn entry_date",
        "rad 3, kolumn subproject",
        "rad 4, kolumn exit_date",
        "rad 5, kolumn exit_status",
        "rad 5, kolumn followup_6m_status",
        "rad 6, kolumn entry_date",
    ]
    text = "\n".join(errors)
    for number in (N1, N2, bad_checksum):
        assert number not in text and number[2:8] not in text
    assert not Participation.objects.exists() and not Person.objects.exists()


def test_participants_import_is_all_or_nothing(imported_programme):
    data = GOOD + f"Studiestart Åby,{N2},Bo,Berg,man,2025-05-01,employed,isced_9,,,,,\n"
    with pytest.raises(ImportFailed) as failed:
        participants_import(data=data)
    assert failed.value.errors == [
        "rad 5, kolumn education_level: Okänt värde. Använd en av: isced_0_2, isced_3_4, isced_5_8."
    ]
    assert Participation.objects.count() == 0 and Person.objects.count() == 0


def test_participants_import_needs_the_columns(imported_programme):
    with pytest.raises(ImportFailed) as failed:
        participants_import(data="subproject,personnummer\nx,y\n")
    assert failed.value.errors[0] == f"rad 1, kolumn given_name: {ERROR_CSV_COLUMN}"
    assert len(failed.value.errors) == 11


def test_participants_import_disambiguates_by_programme(imported_programme, tmp_path):
    other = json.loads(json.dumps(PROGRAMME))
    other["name"] = "Andra programmet"
    programme_import(data=json.dumps(other))
    with pytest.raises(ImportFailed) as failed:
        participants_import(data=GOOD)
    assert failed.value.errors[0] == f"rad 2, kolumn subproject: {ERROR_CSV_SUBPROJECT_AMBIGUOUS}"
    path = _write(tmp_path, "d.csv", GOOD)
    call_command("import", "participants", path, "--programme", "Andra programmet")
    assert set(Participation.objects.values_list("subproject__programme__name", flat=True)) == {
        "Andra programmet"
    }
    with pytest.raises(CommandError):
        call_command("import", "participants", path, "--programme", "Finns inte")


def test_participants_import_uses_existing_persons_and_semicolons(imported_programme):
    person = Person.objects.create(
        personal_identity_number=N1,
        date_of_birth=dt.date(2005, 4, 1),
        given_name="Lina",
        family_name="Ek",
        home_municipality_code="1999",
    )
    data = GOOD.replace(",", ";").splitlines()
    participants_import(data="\n".join(data[:2]) + "\n")
    assert Person.objects.count() == 1
    participation = Participation.objects.get()
    assert participation.person == person
    # The file's name is the participation's; the person keeps the name Lotsen holds.
    assert (participation.given_name, participation.family_name) == ("Ada", "Ek")
    person.refresh_from_db()
    assert person.given_name == "Lina"


def test_participants_import_answers_the_same_for_known_and_unknown_numbers(
    imported_programme,
):
    """Issue 10: the summary counted the persons it created, which told how many of the
    file's personnummer Lotsen already knew; the names were optional for a known person,
    so a file without names was accepted or refused depending on it."""
    Person.objects.create(
        personal_identity_number=N1,
        date_of_birth=dt.date(2005, 4, 1),
        given_name="Lina",
        family_name="Lagrad",
        home_municipality_code="1999",
    )
    known = _csv(f"Studiestart Åby,{N1},Ada,Ek,woman,2025-01-15,unemployed,,,,,,")
    unknown = _csv(f"Studiestart Åby,{N2},Ada,Ek,woman,2025-01-15,unemployed,,,,,,")
    answers = []
    for data in (known, unknown):
        with pytest.raises(ImportFailed) as failed:
            participants_import(data=data.replace("Ada,Ek", ","))
        answers.append(failed.value.errors)
    assert (
        answers[0]
        == answers[1]
        == [
            f"rad 2, kolumn given_name: {ERROR_REQUIRED}",
            f"rad 2, kolumn family_name: {ERROR_REQUIRED}",
        ]
    )
    assert participants_import(data=known).summary() == participants_import(data=unknown).summary()
    assert sorted(Participation.objects.values_list("given_name", "family_name")) == [
        ("Ada", "Ek"),
        ("Ada", "Ek"),
    ]


@pytest.mark.django_db
def test_programme_import_bounds_depth_and_numbers_by_json_path():
    # Deep nesting used to raise RecursionError, 10**30 OverflowError (SQLite) or
    # DataError (PostgreSQL) when the goal was saved.
    with pytest.raises(ImportFailed) as failed:
        programme_import(data='{"name": ' + "[" * 50_000 + "]" * 50_000 + "}")
    assert failed.value.errors[0].startswith(
        "$: JSON-dokumentet är nästlat djupare än 32 nivåer: vid $.name[0][0]"
    )
    for target in (10**30, 2**31, -1, 1.5, "10"):
        bad = json.loads(json.dumps(PROGRAMME))
        bad["subprojects"][0]["goals"][0]["target_value"] = target
        with pytest.raises(ImportFailed) as failed:
            programme_import(data=json.dumps(bad))
        assert failed.value.errors == [f"$.subprojects[0].goals[0].target_value: {ERROR_TARGET}"], (
            target
        )
    bad = json.loads(json.dumps(PROGRAMME))
    bad["name"] = "Pro\x00gram"
    bad["start"] = "0001-01-01"
    with pytest.raises(ImportFailed) as failed:
        programme_import(data=json.dumps(bad))
    assert [error.split(":")[0] for error in failed.value.errors] == ["$.name", "$.start"]
    assert not Programme.objects.exists()


@pytest.mark.django_db
def test_programme_import_refuses_a_lone_surrogate_naming_its_path():
    # The shared JSON reader refuses what no database can store (PostgreSQL cannot encode
    # \ud800), naming the JSON path; a 5,000-digit target still names its field.
    bad = json.loads(json.dumps(PROGRAMME))
    bad["name"] = "Unga SURROGATE"
    bad["subprojects"][0]["goals"][0]["target_value"] = 123454321
    text = json.dumps(bad).replace("SURROGATE", "\\ud800")
    with pytest.raises(ImportFailed) as failed:
        programme_import(data=text)
    assert failed.value.errors == [
        "$: " + jsonfile.ERROR_SURROGATE.format(path="$.name", code=0xD800)
    ]
    digits = json.dumps(bad | {"name": "Unga"}).replace("123454321", "9" * 5000)
    with pytest.raises(ImportFailed) as failed:
        programme_import(data=digits)
    assert failed.value.errors == [f"$.subprojects[0].goals[0].target_value: {ERROR_TARGET}"]
    assert not Programme.objects.exists()


def test_participants_import_refuses_extra_values_nul_and_long_values(imported_programme):
    good = GOOD.splitlines()[1]
    for row, where in (
        (good + ",extra", "rad 2: "),  # used to be dropped silently
        (good.replace(",woman,", ",wo\x00man,"), "rad 2, kolumn gender: "),
        (good.replace(",woman,", f",{'x' * 1_000_000},"), "rad 2, kolumn gender: "),
    ):
        with pytest.raises(ImportFailed) as failed:
            participants_import(data=_csv(row).encode())
        assert failed.value.errors[0].startswith(where)
        assert N1 not in str(failed.value)
    assert not Participation.objects.exists()
