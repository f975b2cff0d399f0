"""A browser upload reaches only the uploader's own area (issue 12, security): a KAA
coordinator's rows name their own municipality or persons registered there; a school
administrator's rows name their own school units or pupils enrolled there; an organisation
without school units does not see the school kind at all. A row outside is a named error
and the whole file is refused. The command line keeps its national reach.

The job is run in the test's process by the function the worker runs
(``import_upload_execute``), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.ingest.models import ImportRun
from lotsen.kaa.models import ResidencePeriod
from lotsen.people.models import Person
from lotsen.school.models import AttendancePeriod, Enrolment, Grade
from lotsen.web.uploads import import_upload_execute
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    fresh_identity_number,
)
from tests.web.test_uploads import population, upload

pytestmark = pytest.mark.django_db
OWN = "2480"  # the municipality of tests.web.test_uploads.population
OTHER = "0180"


@pytest.fixture(autouse=True)
def _import_dir(settings, tmp_path):
    settings.LOTSEN_IMPORT_DIR = tmp_path / "imports"


def _snapshot() -> dict:
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Person, ResidencePeriod, Enrolment, Grade, AttendancePeriod)
    }


def _upload_and_run(client, kind: str, data: bytes) -> ImportRun:
    answer = upload(client, kind, data, name="fil.csv")
    assert answer.status_code == 302, answer.content.decode()[:500]
    run = ImportRun.objects.latest("pk")
    import_upload_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _rejects(run: ImportRun) -> list[tuple[int, str, bool]]:
    return [(r["line"], r["column"], "Utanför ditt område" in r["reason"]) for r in run.rejects]


# --- KAA coordinator ------------------------------------------------------------------------


@pytest.fixture
def coordinator_client(client):
    MunicipalityFactory(municipality_code=OTHER)
    own = MunicipalityFactory(municipality_code=OWN)
    client.force_login(MembershipFactory(organisation=own, role=Role.KAA_COORDINATOR).user)
    return client


def test_a_coordinator_cannot_upload_population_rows_for_another_municipality(
    coordinator_client,
):
    before = _snapshot()
    data = population(6, bad={2: {"municipality_code": OTHER}, 5: {"municipality_code": OTHER}})

    run = _upload_and_run(coordinator_client, "population", data)

    assert run.status == "failed"
    # Data rows 2 and 5 are file lines 3 and 6: each named, and only they.
    assert _rejects(run) == [(3, "municipality_code", True), (6, "municipality_code", True)]
    assert _snapshot() == before  # nothing written, not even the rows of the own municipality
    page = coordinator_client.get(reverse("web:import_run", args=[run.pk])).content.decode()
    assert "Utanför ditt område" in page and "Avvisad, inget sparades" in page


def test_the_same_rows_from_the_command_line_are_imported_nationally(tmp_path):
    file = tmp_path / "folkbokforing.csv"
    file.write_bytes(population(3, bad={2: {"municipality_code": OTHER}}))

    call_command("import", "population", str(file), stdout=StringIO())

    assert ResidencePeriod.objects.filter(municipality_code=OTHER).count() == 1
    assert ResidencePeriod.objects.filter(municipality_code=OWN).count() == 2


@pytest.mark.parametrize(
    ("kind", "header", "row"),
    [
        (
            "enrolments",
            "personnummer,school_unit_code,school_type,programme,start,end,end_reason",
            "{number},12345678,GY,NA,2024-08-19,,",
        ),
        ("qualifications", "personnummer,date,kind", "{number},2025-06-12,gymnasieexamen"),
    ],
)
def test_a_coordinator_cannot_upload_rows_about_persons_of_another_municipality(
    coordinator_client, kind, header, row
):
    ours = PersonFactory(home_municipality_code=OWN)
    # Moved away: registered in the own municipality before, so still the coordinator's.
    moved = PersonFactory(home_municipality_code=OTHER)
    ResidencePeriod.objects.create(
        person=moved, municipality_code=OWN, moved_in=None, moved_out=dt.date(2024, 1, 1)
    )
    theirs = PersonFactory(home_municipality_code=OTHER)
    lines = [header] + [
        row.format(number=p.personal_identity_number) for p in (ours, moved, theirs)
    ]
    before = _snapshot()

    run = _upload_and_run(coordinator_client, kind, ("\n".join(lines) + "\n").encode())

    assert run.status == "failed"
    assert _rejects(run) == [(4, "personnummer", True)]
    assert _snapshot() == before


def test_a_coordinator_of_a_municipality_without_a_code_has_no_upload_kinds(client):
    nameless = MunicipalityFactory(municipality_code="")
    client.force_login(MembershipFactory(organisation=nameless, role=Role.KAA_COORDINATOR).user)

    assert client.get(reverse("web:import_upload", args=["population"])).status_code == 404
    assert upload(client, "population", population(1)).status_code == 404
    assert not ImportRun.objects.exists()


# --- School administrator -------------------------------------------------------------------


ENROLMENT_HEADER = "personnummer,given_name,family_name,school_unit_code,school_type,start_date"
GRADE_HEADER = "personnummer,subject,grade,kind,registered_on,school_unit_code"


@pytest.fixture
def schools():
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    own = SchoolUnitFactory(parent=organiser)
    other_organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    foreign = SchoolUnitFactory(parent=other_organiser)
    return organiser, own, foreign


@pytest.fixture
def school_admin_client(client, schools):
    organiser, _own, _foreign = schools
    client.force_login(MembershipFactory(organisation=organiser, role=Role.ORGANISATION_ADMIN).user)
    return client


def _enrolment_line(number: str, unit: str) -> str:
    return f"{number},Alva,Ek,{unit},GR,2025-08-18"


def test_a_school_admin_cannot_upload_enrolments_at_another_organisations_unit(
    school_admin_client, schools
):
    _organiser, own, foreign = schools
    lines = [
        ENROLMENT_HEADER,
        _enrolment_line(fresh_identity_number(), own.school_unit_code),
        _enrolment_line(fresh_identity_number(), foreign.school_unit_code),
        _enrolment_line(fresh_identity_number(), own.school_unit_code),
    ]
    before = _snapshot()

    run = _upload_and_run(school_admin_client, "school-csv", ("\n".join(lines) + "\n").encode())

    assert run.status == "failed"
    assert _rejects(run) == [(3, "school_unit_code", True)]
    assert _snapshot() == before


def test_a_school_admin_may_grade_only_pupils_enrolled_at_their_units(school_admin_client, schools):
    _organiser, own, foreign = schools
    ours = EnrolmentFactory(school_unit=own).person
    theirs = EnrolmentFactory(school_unit=foreign).person
    lines = [
        GRADE_HEADER,
        f"{ours.personal_identity_number},MA,C,final,2026-06-10,",
        # No unit named: the pupil decides, and this one is another organisation's.
        f"{theirs.personal_identity_number},MA,C,final,2026-06-10,",
        f"{theirs.personal_identity_number},SV,B,final,2026-06-10,{foreign.school_unit_code}",
    ]
    before = _snapshot()

    run = _upload_and_run(school_admin_client, "school-csv", ("\n".join(lines) + "\n").encode())

    assert run.status == "failed"
    assert _rejects(run) == [(3, "personnummer", True), (4, "school_unit_code", True)]
    assert _snapshot() == before


def test_a_school_admin_uploads_their_own_units_data(school_admin_client, schools):
    _organiser, own, _foreign = schools
    number = fresh_identity_number()
    data = f"{ENROLMENT_HEADER}\n{_enrolment_line(number, own.school_unit_code)}\n".encode()

    run = _upload_and_run(school_admin_client, "school-csv", data)

    assert (run.status, run.rejects) == ("done", [])
    assert Enrolment.objects.get().school_unit == own


def test_an_admin_of_an_organisation_without_schools_neither_sees_nor_posts_the_school_kind(
    client, schools
):
    _organiser, own, _foreign = schools
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    client.force_login(MembershipFactory(organisation=social, role=Role.ORGANISATION_ADMIN).user)
    data = f"{ENROLMENT_HEADER}\n{_enrolment_line(fresh_identity_number(), own.school_unit_code)}\n"

    index = client.get(reverse("web:import_index")).content.decode()
    missing = client.get(reverse("web:import_upload", args=["no-such-kind"]))

    assert reverse("web:import_upload", args=["school-csv"]) not in index
    assert client.get(reverse("web:import_upload", args=["school-csv"])).status_code == 404
    assert upload(client, "school-csv", data.encode()).status_code == 404
    assert missing.status_code == 404
    assert not ImportRun.objects.exists()
    assert not Enrolment.objects.exists()
