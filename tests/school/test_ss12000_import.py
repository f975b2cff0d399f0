"""The SS 12000 import against the SS 12000 test server (in-process, over WSGI)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from io import StringIO

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.demo.generator import (
    DEMO_ORGANISER_NAME,
    demo_build,
    demo_organisations_unsaved,
)
from lotsen.demo.ss12000server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    make_app,
)
from lotsen.ingest import runs as importing
from lotsen.ingest.models import ImportRun
from lotsen.people.identity import parse_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.school.models import (
    AttendancePeriod,
    Enrolment,
    Grade,
    Group,
    GroupMembership,
    SourcePersonId,
)
from lotsen.school.ss12000 import importer
from lotsen.school.ss12000.client import SS12000Client
from lotsen.school.ss12000.periods import academic_year, school_year_start
from tests.factories import OrganisationFactory

TODAY = dt.date(2026, 11, 23)
SEED = 31
SIZE = 60
# The import reads the current school year's attendance; the demo also holds past years'
# (the history the risk model learns from), which the test server does not serve.
CURRENT_YEAR_START = school_year_start(academic_year(TODAY))
PAGE = 200
MODELS = (
    Organisation,
    Person,
    Enrolment,
    Grade,
    AttendancePeriod,
    SourcePersonId,
    Group,
    GroupMembership,
)


@pytest.fixture(scope="module")
def app():
    return make_app(seed=SEED, size=SIZE, today=TODAY)


@pytest.fixture(autouse=True)
def _no_overrides(app):
    yield
    app.data.overrides.clear()
    app.requests.clear()


def _client(app, *, transport=None, attempts: int = 2) -> SS12000Client:
    return SS12000Client(
        base_url="http://ss.test",
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        transport=transport or httpx.WSGITransport(app=app),
        page_size=PAGE,
        attempts=attempts,
        retry_wait_max=0,
    )


def _import(app, **kwargs) -> ImportRun:
    transport = kwargs.pop("transport", None)
    with _client(app, transport=transport) as client:
        return importer.ss12000_import(client=client, today=TODAY, **kwargs)


def _snapshot() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def _organiser() -> Organisation:
    """An empty database but for the school organiser whose server we import from."""
    return OrganisationFactory(
        name=DEMO_ORGANISER_NAME,
        kind=OrganisationKind.SCHOOL_ORGANISER,
        organisation_number=demo_organisations_unsaved().organiser.organisation_number,
    )


def _served_pupils(app) -> list[dict]:
    return [pupil.record for pupil in app.data.pupils]


def test_importing_from_the_test_server_into_the_demo_changes_nothing(db, app):
    demo_build(size=SIZE, seed=SEED, today=TODAY)
    before = _snapshot()
    assert before["Grade"] and before["AttendancePeriod"]
    assert before["Group"] and before["GroupMembership"]

    for mode in ("full", "incremental"):
        run = _import(app)
        assert run.status == "done", run.counts
        assert run.counts["mode"] == mode
        assert run.rejects == []
        for entity in ("organisations", "persons", "enrolments", "grades", "attendance"):
            assert run.counts[entity]["created"] == 0, entity
            assert run.counts[entity]["updated"] == 0, entity
            assert run.counts[entity]["rejected"] == 0, entity
        for entity in ("groups", "group_memberships"):
            counts = run.counts.get(entity, {})
            assert (counts.get("created", 0), counts.get("updated", 0)) == (0, 0), entity
        assert _snapshot() == before

    first = ImportRun.objects.order_by("started_at").first()
    assert first.counts["grades"]["unchanged"] == len(before["Grade"])
    assert first.counts["attendance"]["unchanged"] == len(
        [row for row in before["AttendancePeriod"] if row["start_date"] >= CURRENT_YEAR_START]
    )
    # Nothing changed, so nobody's data was written and nothing is in the access log.
    assert not AccessLogEntry.objects.filter(object_type="import").exists()


def _school_rows() -> tuple[set, set]:
    grades = set(
        Grade.objects.values_list(
            "person__personal_identity_number",
            "school_unit__school_unit_code",
            "subject_code",
            "course_code",
            "points",
            "value",
            "kind",
            "semester",
            "year",
            "registered_on",
            "external_id",
        )
    )
    attendance = set(
        AttendancePeriod.objects.filter(start_date__gte=CURRENT_YEAR_START).values_list(
            "person__personal_identity_number",
            "school_unit__school_unit_code",
            "start_date",
            "end_date",
            "offered_minutes",
            "attended_minutes",
            "valid_absence_minutes",
            "invalid_absence_minutes",
            "external_id",
        )
    )
    return grades, attendance


def test_a_demo_without_school_data_gets_the_demos_grades_and_attendance(db, app):
    with transaction.atomic():
        demo_build(size=SIZE, seed=SEED, today=TODAY)
        expected_grades, expected_attendance = _school_rows()
        expected_enrolments = set(
            Enrolment.objects.values_list(
                "person__personal_identity_number", "school_unit__school_unit_code",
                "school_type", "school_year", "programme", "start_date", "end_date",
                "end_reason", "external_id",
            )
        )  # fmt: skip
        transaction.set_rollback(True)
    assert expected_grades and expected_attendance

    demo_build(size=SIZE, seed=SEED, today=TODAY, school_data=False)
    assert not Grade.objects.exists()
    assert not Enrolment.objects.exclude(external_id=None).exists()
    persons_before = list(Person.objects.order_by("pk").values())

    run = _import(app)
    assert run.status == "done"
    grades, attendance = _school_rows()
    assert grades == expected_grades
    assert attendance == expected_attendance
    # The enrolments already there are adopted (they get their SS 12000 key), not doubled;
    # the reasons recorded in Lotsen (examen, studiebevis) stay.
    assert run.counts["enrolments"]["created"] == 0
    assert (
        set(
            Enrolment.objects.values_list(
                "person__personal_identity_number", "school_unit__school_unit_code",
                "school_type", "school_year", "programme", "start_date", "end_date",
                "end_reason", "external_id",
            )
        )
        == expected_enrolments
    )  # fmt: skip
    assert list(Person.objects.order_by("pk").values()) == persons_before
    assert run.counts["grades"]["created"] == len(expected_grades)
    assert run.counts["persons"] == {"created": 0, "updated": 0, "unchanged": SIZE, "rejected": 0}

    # One access log entry per affected person, in this run, by the import user.
    entries = AccessLogEntry.objects.filter(object_type="import", object_id=str(run.pk))
    assert entries.count() == entries.values("person_id").distinct().count()
    assert set(entries.values_list("action", flat=True)) == {Action.UPDATE}
    assert set(entries.values_list("purpose", flat=True)) == {Purpose.SCHOOL}
    touched = set(Grade.objects.values_list("person_id", flat=True)) | set(
        AttendancePeriod.objects.values_list("person_id", flat=True)
    )
    assert set(entries.values_list("person_id", flat=True)) == touched


def test_into_an_empty_database_pupils_are_created_and_logged_once(db, app):
    organiser = _organiser()
    run = _import(app)
    assert run.status == "done", run.counts
    assert run.counts["persons"]["created"] == SIZE
    assert run.counts["organisations"]["created"] == 5
    assert set(
        Organisation.objects.filter(kind=OrganisationKind.SCHOOL_UNIT).values_list(
            "parent", flat=True
        )
    ) == {organiser.pk}

    served = {p["civicNo"]["value"]: p for p in _served_pupils(app)}
    for person in Person.objects.all():
        record = served[person.personal_identity_number]
        assert parse_identity_number(person.personal_identity_number).date_of_birth == (
            person.date_of_birth
        )
        assert person.given_name == record["givenName"]
        assert person.protected_identity == (record["securityMarking"] == "Skyddad folkbokföring")
        if person.is_protected:
            assert (person.street_address, person.postal_code, person.city) == ("", "", "")
        else:
            assert person.street_address == record["addresses"][0]["streetAddress"]

    user = get_user_model().objects.get(username=importing.IMPORT_USERNAME)
    assert not user.is_active and not user.has_usable_password()
    entries = AccessLogEntry.objects.filter(object_type="import", object_id=str(run.pk))
    assert entries.count() == SIZE
    assert set(entries.values_list("action", "actor_user", "organisation")) == {
        (Action.CREATE, user.pk, organiser.pk)
    }
    # Running again changes nothing and logs nothing.
    again = _import(app, full=True)
    assert again.counts["persons"]["unchanged"] == SIZE
    assert not AccessLogEntry.objects.filter(object_id=str(again.pk)).exists()


def _bad_checksum(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def test_invalid_records_are_rejected_with_reasons_and_the_rest_is_imported(db, app):
    _organiser()
    pupils = _served_pupils(app)
    checksum, bad_sex, skipped_type = pupils[5], pupils[6], pupils[7]
    moment = timezone.now()
    app.data.override(
        "persons",
        checksum["id"],
        {"civicNo": {"value": _bad_checksum(checksum["civicNo"]["value"])}},
        modified=moment,
    )
    app.data.override("persons", bad_sex["id"], {"sex": "Okänd"}, modified=moment)
    preschool = {"enroledAt": {"id": skipped_type["enrolments"][0]["enroledAt"]["id"]},
                 "schoolType": "FS", "startDate": "2013-08-01"}  # fmt: skip
    unknown_type = {**preschool, "schoolType": "XX"}
    app.data.override(
        "persons",
        skipped_type["id"],
        {"enrolments": [*skipped_type["enrolments"], preschool, unknown_type]},
        modified=moment,
    )
    graded = next(p for p in app.data.pupils[10:] if app.data.grades_of(p))
    bad_grade = app.data.grades_of(graded)[0]
    app.data.override("grades", bad_grade["id"], {"gradeValue": "VG"}, modified=moment)

    run = _import(app)
    assert run.status == "done"
    rejects = run.rejects
    by_record = {(r["entity"], r["record"]): r for r in rejects}
    assert by_record[("persons", checksum["id"])]["field"] == "civicNo.value"
    assert "Kontrollsiffran" in by_record[("persons", checksum["id"])]["reason"]
    assert by_record[("persons", bad_sex["id"])]["field"] == "sex"
    assert by_record[("grades", bad_grade["id"])]["field"] == "gradeValue"
    enrolment_reject = next(r for r in rejects if r["entity"] == "enrolments")
    assert enrolment_reject["record"].startswith(skipped_type["id"])
    assert enrolment_reject["field"].endswith(".schoolType")
    assert run.counts["enrolments"]["skipped_reasons"] == {"skolformen FS tas inte in i Lotsen": 1}
    # The rejected persons' grades cannot be placed either, and say why.
    assert {
        r["reason"] for r in rejects if r["entity"] == "grades" and r["field"] == "student.id"
    } == {importer.REASON_UNKNOWN_STUDENT}

    assert run.counts["persons"]["created"] == SIZE - 2
    assert run.counts["persons"]["rejected"] == 2
    assert run.counts["grades"]["rejected"] == len(rejects_of(rejects, "grades"))
    assert Person.objects.count() == SIZE - 2
    expected_grades = sum(
        len(app.data.grades_of(p))
        for p in app.data.pupils
        if p.record["id"] not in {checksum["id"], bad_sex["id"]}
    )
    assert Grade.objects.count() == expected_grades - 1
    assert not Grade.objects.exclude(value__in=list("ABCDEF-")).exists()
    # No personnummer anywhere in what the run recorded.
    recorded = json.dumps([run.counts, run.rejects], ensure_ascii=False)
    for pupil in pupils:
        assert pupil["civicNo"]["value"] not in recorded


def rejects_of(rejects: list[dict], entity: str) -> list[dict]:
    return [r for r in rejects if r["entity"] == entity]


def test_a_protection_marking_removes_a_stored_address(db, app):
    demo_build(size=SIZE, seed=SEED, today=TODAY)
    pupil = next(
        p
        for p in app.data.pupils
        if p.record["securityMarking"] == "Ingen" and p.record.get("addresses")
    )
    person = Person.objects.get(personal_identity_number=pupil.record["civicNo"]["value"])
    assert person.street_address
    # A source that marks the person but still sends the address.
    app.data.override(
        "persons",
        pupil.record["id"],
        {"securityMarking": "Skyddad folkbokföring"},
        modified=timezone.now(),
    )
    run = _import(app)
    person.refresh_from_db()
    assert person.protected_identity
    assert not person.confidentiality_marking
    assert (person.street_address, person.postal_code, person.city) == ("", "", "")
    assert (
        person.home_municipality_code == f"{pupil.record['addresses'][0]['municipalityCode']:04d}"
    )
    assert run.counts["persons"]["updated"] == 1
    entry = AccessLogEntry.objects.get(object_type="import", object_id=str(run.pk))
    assert (entry.person_id, entry.action) == (person.pk, Action.UPDATE)


def test_a_page_that_fails_in_the_database_leaves_no_half_batch(db, app, monkeypatch):
    _organiser()
    real = importer.rows_upsert
    grade_calls = []

    def failing(**kwargs):
        if kwargs["model"] is Grade:
            grade_calls.append(1)
            if len(grade_calls) == 3:
                real(**kwargs)  # the rows are written, then the page fails
                raise DatabaseError("duplicate key (personal_identity_number)=(200903150123)")
        return real(**kwargs)

    monkeypatch.setattr(importer, "rows_upsert", failing)
    run = _import(app)
    assert run.status == "failed"
    assert run.counts["stopped_at"] == {"entity": "grades", "page": 3}
    assert run.counts["last_completed"] == {"entity": "grades", "page": 2}
    assert "200903150123" not in run.counts["error"]
    assert Grade.objects.count() == 2 * PAGE
    assert run.counts["grades"]["created"] == 2 * PAGE
    assert Person.objects.count() == SIZE  # the pages before stay

    monkeypatch.setattr(importer, "rows_upsert", real)
    rerun = _import(app)
    assert rerun.status == "done"
    # The failed run set no cursor: the rerun repeats everything, and equal data is unchanged.
    assert rerun.counts["mode"] == "full"
    assert rerun.counts["grades"]["unchanged"] == 2 * PAGE
    assert Grade.objects.count() == sum(len(app.data.grades_of(p)) for p in app.data.pupils)


class _DroppingTransport(httpx.BaseTransport):
    """Drops the connection on every request for the second page of /grades."""

    def __init__(self, app) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.grade_pages = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/grades" and b"pageToken" in request.url.query:
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")
        return self.inner.handle_request(request)


def test_a_dropped_connection_stops_the_run_where_it_was(db, app):
    _organiser()
    run = _import(app, transport=_DroppingTransport(app))
    assert run.status == "failed"
    assert run.counts["stopped_at"] == {"entity": "grades", "page": 2}
    assert run.counts["last_completed"] == {"entity": "grades", "page": 1}
    assert "/grades" in run.counts["error"]
    assert Grade.objects.count() == PAGE
    assert run.cursor == ""
    assert _import(app).status == "done"


def test_an_incremental_run_fetches_only_what_changed(db, app):
    demo_build(size=SIZE, seed=SEED, today=TODAY)
    first = _import(app)
    assert first.cursor
    pupil = app.data.pupils[4]
    grade = next(g for p in app.data.pupils for g in app.data.grades_of(p))
    new_value = "A" if grade["gradeValue"] != "A" else "B"
    later = timezone.now() + dt.timedelta(minutes=1)
    app.data.override("grades", grade["id"], {"gradeValue": new_value}, modified=later)
    app.data.override("persons", pupil.record["id"], {"givenName": "Nyamn"}, modified=later)
    app.requests.clear()

    run = _import(app)
    assert run.counts["mode"] == "incremental"
    assert run.counts["since"] == first.cursor
    assert run.counts["persons"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert run.counts["grades"] == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    assert Grade.objects.get(external_id=grade["id"]).value == new_value
    assert Person.objects.filter(given_name="Nyamn").count() == 1
    asked = [q for path, q in app.requests if path in ("/persons", "/grades")]
    assert asked and all(q.get("meta.modified.after") == [first.cursor] for q in asked)

    full = _import(app, full=True)
    assert full.counts["mode"] == "full"
    assert full.counts["persons"]["unchanged"] == SIZE


def test_a_school_unit_of_another_organiser_is_not_taken_over(db, app):
    _organiser()
    other = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    taken = OrganisationFactory(
        name="Friskolan",
        kind=OrganisationKind.SCHOOL_UNIT,
        parent=other,
        school_unit_code="19990001",
    )
    run = _import(app)
    assert run.status == "done"
    (reject,) = rejects_of(run.rejects, "organisations")
    assert reject["field"] == "schoolUnitCode"
    assert reject["reason"] == importer.REASON_OTHER_ORGANISER
    taken.refresh_from_db()
    assert (taken.name, taken.parent_id) == ("Friskolan", other.pk)
    assert not Enrolment.objects.filter(school_unit=taken).exists()
    assert rejects_of(run.rejects, "enrolments")


def test_without_a_matching_organiser_the_run_fails_and_says_so(db, app):
    run = _import(app)
    assert run.status == "failed"
    assert run.counts["error"] == importer.ERROR_NO_ORGANISER
    assert not Person.objects.exists()


@pytest.fixture
def live_server_url(app):
    from waitress import create_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()
    thread.join(timeout=5)


def test_the_command_imports_over_http_with_secrets_from_the_environment(
    db, live_server_url, monkeypatch
):
    demo_build(size=SIZE, seed=SEED, today=TODAY)
    monkeypatch.setenv("LOTSEN_SS12000_CLIENT_ID", DEFAULT_CLIENT_ID)
    monkeypatch.setenv("LOTSEN_SS12000_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    out = StringIO()
    call_command("import", "ss12000", "--url", live_server_url, stdout=out)
    text = out.getvalue()
    assert "Elever, sida 1" in text
    assert "Klart" in text
    run = ImportRun.objects.get()
    assert run.status == "done"
    assert run.counts["grades"]["unchanged"] == Grade.objects.count()
    assert DEFAULT_CLIENT_SECRET not in json.dumps(run.counts)

    with pytest.raises(CommandError, match="misslyckades"):
        call_command(
            "import",
            "ss12000",
            "--url",
            live_server_url,
            "--client-secret",
            "wrong",
            stdout=StringIO(),
        )
