"""CSV imports: population register, enrolments, qualifications. All or nothing per file,
idempotent, errors by line and column that never repeat a personnummer, and the cohort
recomputed afterwards."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from lotsen.accounts.models import Organisation
from lotsen.ingest.models import ImportRun
from lotsen.kaa import cohort, imports
from lotsen.kaa.models import (
    CohortMembership,
    EquivalentEducation,
    Notice,
    Qualification,
    ResidencePeriod,
)
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry
from lotsen.school.models import Enrolment
from tests.factories import fresh_identity_number
from tests.kaa.conftest import OTHER, M, today, years_ago

pytestmark = pytest.mark.django_db

POP_HEADER = ",".join(imports.POPULATION_COLUMNS)
ENR_HEADER = ",".join(imports.ENROLMENT_COLUMNS)


def csv_file(*lines: str) -> io.BytesIO:
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def number(age: int = 17) -> str:
    return fresh_identity_number(years_ago(age, days=50))


def d(days_ago: int) -> str:
    return (today() - dt.timedelta(days=days_ago)).isoformat()


# --- Population register ---------------------------------------------------------------------


def test_population_import_creates_persons_periods_and_the_current_registration(municipality):
    moved_here, moved_away = number(), number(18)
    result = imports.population_import(
        file=csv_file(
            POP_HEADER,
            f"{moved_here},Elin,Ek,{OTHER},,{d(100)},0,0",
            f"{moved_here},Elin,Ek,{M},{d(100)},,0,0",
            f"{moved_away},Omar,Ali,{M},,{d(20)},0,0",
        ),
        today=today(),
    )
    assert result.ok, result.errors
    assert result.counts["persons_created"] == 2
    elin = Person.objects.get(personal_identity_number=moved_here)
    omar = Person.objects.get(personal_identity_number=moved_away)
    assert (elin.given_name, elin.home_municipality_code) == ("Elin", M)
    # No period covers today for Omar: no municipality holds him as a resident now.
    assert omar.home_municipality_code == ""
    assert ResidencePeriod.objects.filter(person=elin).count() == 2
    run = ImportRun.objects.get(pk=result.run_id)
    assert (run.source, run.status) == ("csv:population", "done")
    # The cohort was recomputed: both have no school records and are over 16.
    [m] = CohortMembership.objects.filter(person=elin, municipality_code=M)
    assert (m.entered_on, m.reason) == (today() - dt.timedelta(days=100), cohort.REASON_MOVED_IN)
    [gone] = CohortMembership.objects.filter(person=omar, municipality_code=M)
    assert gone.left_reason == cohort.LEFT_MOVED_AWAY
    assert AccessLogEntry.objects.filter(object_type="kaa_population_import").count() == 2


def test_population_import_twice_changes_nothing(municipality):
    lines = (POP_HEADER, f"{number()},Elin,Ek,{M},,,0,0")
    imports.population_import(file=csv_file(*lines), today=today())
    second = imports.population_import(file=csv_file(*lines), today=today())
    assert second.counts == {
        "persons_created": 0,
        "persons_updated": 0,
        "residence_periods_written": 0,
        "notices_linked": 0,
    }
    assert all((r.created, r.updated, r.deleted) == (0, 0, 0) for r in second.refreshed)


def test_a_later_extract_corrects_names_periods_and_protection(municipality):
    n = number()
    imports.population_import(file=csv_file(POP_HEADER, f"{n},Elin,Ek,{M},,,0,0"), today=today())
    Person.objects.filter(personal_identity_number=n).update(street_address="Gatan 1", city="Ort")
    result = imports.population_import(
        file=csv_file(POP_HEADER, f"{n},Elin,Ekström,{M},{d(300)},,1,0"), today=today()
    )
    person = Person.objects.get(personal_identity_number=n)
    assert (person.family_name, person.protected_identity) == ("Ekström", True)
    assert (person.street_address, person.city) == ("", "")  # never kept when protected
    assert result.counts["persons_updated"] == 1
    assert ResidencePeriod.objects.get(person=person).moved_in == today() - dt.timedelta(days=300)


def test_errors_name_line_and_column_and_nothing_is_written(municipality):
    good, bad = number(), number()
    bad_checksum = bad[:-1] + str((int(bad[-1]) + 1) % 10)
    result = imports.population_import(
        file=csv_file(
            POP_HEADER,
            f"{good},Elin,Ek,{M},,,0,0",
            f"{bad_checksum},Omar,,12,2026-13-01,,2,0",
        ),
        today=today(),
    )
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "personnummer"),
        (3, "family_name"),
        (3, "municipality_code"),
        (3, "moved_in"),
        (3, "protected_identity"),
    ]
    assert str(result.errors[0]) == "rad 3, kolumn personnummer: " + (
        "Kontrollsiffran stämmer inte. Kontrollera personnumret."
    )
    text = " ".join(str(e) for e in result.errors)
    assert bad_checksum[2:] not in text and good[2:] not in text
    assert not Person.objects.exists()
    assert ImportRun.objects.get(pk=result.run_id).status == "failed"
    assert all(bad_checksum[2:] not in str(r) for r in ImportRun.objects.get().rejects)


def test_overlapping_periods_for_one_person_are_an_error(municipality):
    n = number()
    result = imports.population_import(
        file=csv_file(
            POP_HEADER, f"{n},Elin,Ek,{OTHER},,{d(10)},0,0", f"{n},Elin,Ek,{M},{d(30)},,0,0"
        ),
        today=today(),
    )
    assert [(e.line, e.column) for e in result.errors] == [(3, "moved_in")]
    assert "rad 2" in result.errors[0].message


def test_header_problems_semicolons_and_a_byte_order_mark(municipality):
    missing = imports.population_import(file=csv_file("personnummer,given_name"), today=today())
    assert [e.column for e in missing.errors] == list(imports.POPULATION_COLUMNS[2:])
    semicolons = io.BytesIO(
        (
            "\ufeff" + POP_HEADER.replace(",", ";") + "\n" + f"{number()};Elin;Ek;{M};;;0;0\n"
        ).encode()
    )
    assert imports.population_import(file=semicolons, today=today()).ok
    latin1 = io.BytesIO((POP_HEADER + "\n" + f"{number()},Åsa,Ek,{M},,,0,0\n").encode("latin-1"))
    assert [str(e) for e in imports.population_import(file=latin1, today=today()).errors] == [
        f"rad 2: {imports.ERROR_FILE_ENCODING}"  # the Å on line 2
    ]


def test_population_import_links_notices_sent_before_the_person_was_known(municipality, counsellor):
    from lotsen.kaa.services import notice_send

    n = number()
    notice_send(
        actor=counsellor,
        kind="dropout",
        personal_identity_number=n,
        home_municipality_code=M,
        event_date=today(),
    )
    result = imports.population_import(
        file=csv_file(POP_HEADER, f"{n},Elin,Ek,{M},,,0,0"), today=today()
    )
    assert result.counts["notices_linked"] == 1
    assert Notice.objects.get().person.personal_identity_number == n


# --- Enrolments -----------------------------------------------------------------------------


@pytest.fixture
def resident(municipality):
    n = number()
    imports.population_import(file=csv_file(POP_HEADER, f"{n},Elin,Ek,{M},,,0,0"), today=today())
    return Person.objects.get(personal_identity_number=n)


def test_enrolments_import_records_and_recomputes(resident, school):
    n = resident.personal_identity_number
    assert CohortMembership.objects.filter(person=resident, left_on__isnull=True).exists()
    result = imports.enrolments_import(
        file=csv_file(
            ENR_HEADER,
            f"{n},{school.school_unit_code},GR,,{d(1200)},{d(200)},Avslutat årskurs 9",
            f"{n},99990001,GY,IMV,{d(150)},,",
        ),
        today=today(),
    )
    assert result.ok, result.errors
    assert result.counts["enrolments_created"] == 2
    assert result.counts["external_school_units_created"] == 1
    external = Organisation.objects.get(school_unit_code="99990001")
    assert external.name == "Extern skolenhet 99990001"
    assert Enrolment.objects.get(person=resident, school_type="GY").programme == "IMV"
    # In an introduction programme: out of the cohort since the enrolment began.
    assert not CohortMembership.objects.filter(person=resident, left_on__isnull=True).exists()
    again = imports.enrolments_import(
        file=csv_file(
            ENR_HEADER,
            f"{n},{school.school_unit_code},GR,,{d(1200)},{d(200)},Avslutat årskurs 9",
            f"{n},99990001,GY,IMV,{d(150)},,",
        ),
        today=today(),
    )
    assert again.counts == {"enrolments_unchanged": 2}
    ended = imports.enrolments_import(
        file=csv_file(ENR_HEADER, f"{n},99990001,GY,IMV,{d(150)},{d(30)},Avbrott"), today=today()
    )
    assert ended.counts == {"enrolments_updated": 1}
    [m] = CohortMembership.objects.filter(person=resident, left_on__isnull=True)
    assert (m.entered_on, m.reason) == (
        today() - dt.timedelta(days=29),
        cohort.REASON_LEFT_INTRODUCTION,
    )


def test_enrolments_adult_education_other_types_and_unknown_persons(resident, school):
    n = resident.personal_identity_number
    stranger = number()
    result = imports.enrolments_import(
        file=csv_file(
            ENR_HEADER,
            f"{n},{school.school_unit_code},VUXGY,,{d(20)},,",
            f"{n},{school.school_unit_code},SFI,,{d(20)},,",
            f"{stranger},{school.school_unit_code},GY,EK,{d(20)},,",
        ),
        today=today(),
    )
    assert result.ok
    assert EquivalentEducation.objects.get(person=resident).kind == "VUXGY"
    assert [(w.line, w.column) for w in result.warnings] == [
        (3, "school_type"),
        (4, "personnummer"),
    ]
    assert stranger[2:] not in " ".join(str(w) for w in result.warnings)
    [m] = CohortMembership.objects.filter(person=resident)
    assert m.left_reason == cohort.LEFT_STARTED_STUDIES


def test_enrolment_errors(resident):
    n = resident.personal_identity_number
    result = imports.enrolments_import(
        file=csv_file(ENR_HEADER, f"{n},123,XX,,{d(10)},{d(20)},"), today=today()
    )
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "school_unit_code"),
        (2, "school_type"),
        (2, "end"),
    ]
    assert not Enrolment.objects.exists()


# --- Qualifications -------------------------------------------------------------------------


def test_an_examen_ends_the_responsibility_a_studiebevis_does_not(resident):
    n = resident.personal_identity_number
    studiebevis = imports.qualifications_import(
        file=csv_file("personnummer,date,kind", f"{n},{d(40)},studiebevis"), today=today()
    )
    assert studiebevis.ok
    assert CohortMembership.objects.filter(person=resident, left_on__isnull=True).exists()
    examen = imports.qualifications_import(
        file=csv_file("personnummer,date,kind", f"{n},{d(10)},gymnasieexamen"), today=today()
    )
    assert examen.counts == {"qualifications_created": 1}
    [m] = CohortMembership.objects.filter(person=resident)
    assert (m.left_on, m.left_reason) == (
        today() - dt.timedelta(days=10),
        cohort.LEFT_QUALIFICATION,
    )
    assert Qualification.objects.filter(person=resident).count() == 2
    again = imports.qualifications_import(
        file=csv_file("personnummer,date,kind", f"{n},{d(10)},gymnasieexamen"), today=today()
    )
    assert again.counts == {"qualifications_unchanged": 1}


def test_qualification_errors(resident):
    n = resident.personal_identity_number
    result = imports.qualifications_import(
        file=csv_file("personnummer,date,kind", f"{n},{d(-5)},diplom"), today=today()
    )
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (2, "date", imports.ERROR_DATE_FUTURE),
        (2, "kind", imports.ERROR_KIND),
    ]


@pytest.mark.parametrize(
    ("row", "where"),
    [
        # A value too many used to be dropped silently.
        ("{n},Elin,Ek,{m},,,0,0,extra", "rad 2"),
        # NUL was stored on SQLite and crashed the import on PostgreSQL.
        ("{n},El\x00in,Ek,{m},,,0,0", "rad 2, kolumn given_name"),
        # A 1 MB value and CR-only line endings raised _csv.Error.
        ("{n},{long},Ek,{m},,,0,0", "rad 2, kolumn given_name"),
        ("{n},Elin,Ek,{m},0001-01-01,,0,0", "rad 2, kolumn moved_in"),
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r"])
def test_bad_values_are_refused_with_their_place_and_nothing_is_written(
    municipality, row, where, newline
):
    n = number()
    text = POP_HEADER + newline + row.format(n=n, m=M, long="x" * 1_000_000) + newline
    result = imports.population_import(file=io.BytesIO(text.encode()), today=today())
    assert not result.ok
    assert str(result.errors[0]).startswith(where + ":")
    assert n not in imports.import_summary(result)
    assert not Person.objects.exists() and not CohortMembership.objects.exists()


# --- One enrolment, one row, whichever file brings it ----------------------------------------


def test_the_kaa_and_the_school_enrolment_imports_key_an_enrolment_alike(resident, school):
    from lotsen.school.imports import school_csv_import

    n = resident.personal_identity_number
    start = d(1200)
    school_file = (
        "personnummer,school_unit_code,school_type,start_date\n"
        f"{n},{school.school_unit_code},GR,{start}\n"
    )
    assert school_csv_import(kind="enrolments", data=school_file.encode()).status == "done"
    result = imports.enrolments_import(
        file=csv_file(ENR_HEADER, f"{n},{school.school_unit_code},GR,,{start},{d(200)},Flyttat"),
        today=today(),
    )
    assert result.ok, result.errors
    assert result.counts == {"enrolments_updated": 1}
    enrolment = Enrolment.objects.get(person=resident)
    assert (enrolment.end_date.isoformat(), enrolment.end_reason) == (d(200), "Flyttat")


def test_an_enrolment_under_the_old_kaa_key_is_taken_over_not_doubled(resident, school):
    n = resident.personal_identity_number
    start = dt.date.fromisoformat(d(1200))
    legacy = imports._legacy_external_id(
        number=n, school_unit_code=school.school_unit_code, school_type="GR", start=start
    )
    Enrolment.objects.create(
        person=resident, school_unit=school, school_type="GR", start_date=start, external_id=legacy
    )
    result = imports.enrolments_import(
        file=csv_file(ENR_HEADER, f"{n},{school.school_unit_code},GR,,{start},,"), today=today()
    )
    assert result.ok, result.errors
    assert result.counts == {"enrolments_unchanged": 1}
    assert Enrolment.objects.get(person=resident).external_id.startswith(f"csv:{resident.pk}:")
