"""The import against a mock generated from the official spec itself (Stoplight Prism,
dynamic mode): whatever the spec allows must not crash the import; what Lotsen cannot take
is rejected per record with a reason; what it can take is kept.

Prism runs as a subprocess on a free port (``npm ci`` installs it from package.json). It
needs no network. Skipped only when node is missing outside CI; in CI (CI=true) a missing
node or Prism fails the test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from lotsen.accounts.models import OrganisationKind
from lotsen.people.identity import make_identity_number, parse_identity_number
from lotsen.people.models import Person
from lotsen.school.models import AttendancePeriod, Enrolment, Grade, Group, GroupMembership
from lotsen.school.ss12000 import mapping, spec
from lotsen.school.ss12000.client import SS12000Client
from lotsen.school.ss12000.importer import ss12000_import
from lotsen.school.ss12000.periods import attendance_periods
from tests.factories import OrganisationFactory
from tests.school.test_ss12000_spec import FORMATS, SPEC_URI, _nullable_to_json_schema

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
STARTUP_SECONDS = 120
TODAY = dt.date(2026, 11, 23)
SEED = "lotsen"

VALID = make_identity_number(dt.date(2010, 3, 15), 123)
COORDINATION = make_identity_number(dt.date(2011, 5, 2), 456, coordination=True)
BAD_CHECKSUM = VALID[:-1] + str((int(VALID[-1]) + 1) % 10)
TEMPORARY = "20130101TF01"
PERSON_IDS = [
    "11111111-1111-4111-8111-111111111111",
    "22222222-2222-4222-8222-222222222222",
    "33333333-3333-4333-8333-333333333333",
]
ORGANISATION_IDS = [
    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
    "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
]
SYLLABUS_IDS = ["cccccccc-cccc-4ccc-8ccc-cccccccccccc", "dddddddd-dddd-4ddd-8ddd-dddddddddddd"]
GROUP_IDS = ["eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", "ffffffff-ffff-4fff-8fff-ffffffffffff"]
SCHEMAS = {
    "/organisations": "Organisations",
    "/persons": "PersonsExpanded",
    "/syllabuses": "Syllabuses",
    "/grades": "Grades",
    "/aggregatedAttendance": "AggregatedAttendances",
    "/groups": "GroupsExpanded",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _official() -> dict[str, Any]:
    return yaml.safe_load(spec.SPEC_PATH.read_text(encoding="utf-8"))


def _narrowed() -> dict[str, Any]:
    """The official spec with some value sets narrowed to a mix of values Lotsen can take
    and values it must reject. Every response of the narrowed spec is a response the
    official spec allows (the test checks that too); narrowing only makes valid records
    likely where random strings would never be a valid personnummer."""
    document = copy.deepcopy(_official())
    schemas = document["components"]["schemas"]

    def enum(values: list, kind: str = "string", **extra: Any) -> dict[str, Any]:
        return {"type": kind, "enum": values, **extra}

    person = schemas["Person"]["properties"]
    person["id"] = enum(PERSON_IDS, format="uuid")
    person["givenName"] = enum(["Elin", "Omar", "Sara"])
    person["familyName"] = enum(["Svensson", "Haddad"])
    person["middleName"] = enum(["Berg"])
    schemas["Person_civicNo"]["properties"]["value"] = enum(
        [VALID, COORDINATION, BAD_CHECKSUM, TEMPORARY]
    )
    schemas["Person_civicNo"]["properties"]["nationality"] = enum(["SE"])
    address = schemas["Person_addresses_inner"]["properties"]
    address["streetAddress"] = enum(["Björkvägen 1"])
    address["locality"] = enum(["Exempelstad"])
    address["postalCode"] = enum(["19545", "195 46", "ABC"])
    address["municipalityCode"] = enum([1999], "integer")
    address["country"] = enum(["Sverige"])
    schemas["Phonenumber"]["properties"]["value"] = enum(["070-174 06 05"])

    organisation = schemas["Organisation"]["properties"]
    organisation["id"] = enum(ORGANISATION_IDS, format="uuid")
    organisation["displayName"] = enum(["Skola A", "Skola B"])
    organisation["organisationType"] = enum(["Skolenhet"])
    organisation["schoolUnitCode"] = enum(["19990001", "19990002", "12AB"])
    organisation["municipalityCode"] = enum(["1999"])
    schemas["ObjectReference"]["properties"]["id"] = enum(
        PERSON_IDS + ORGANISATION_IDS + SYLLABUS_IDS, format="uuid"
    )

    enrolment = schemas["Enrolment"]["properties"]
    enrolment["schoolType"] = enum(["GR", "GY", "FS"])
    enrolment["startDate"] = enum(["2024-08-19"], format="date")
    enrolment["endDate"] = enum(["2027-06-11"], format="date")
    enrolment["enroledAt"] = _reference(ORGANISATION_IDS + PERSON_IDS[:1])
    enrolment["educationCode"] = enum(["NA", "EE"])
    enrolment["schoolYear"] = {"type": "integer", "minimum": 7, "maximum": 9}

    syllabus = schemas["Syllabus"]["properties"]
    syllabus["id"] = enum(SYLLABUS_IDS, format="uuid")
    syllabus["schoolType"] = enum(["GR"])
    syllabus["subjectDesignation"] = enum(["MA", "EN"])

    grade = schemas["Grade"]["properties"]
    grade["gradeValue"] = enum(["A", "C", "F", "-", "VG"])
    grade["year"] = {"type": "integer", "minimum": 2020, "maximum": 2026}
    # 2.1.0 requires "schoolUnit" on Grade but never defines it, so Prism leaves it out and
    # its grades fail the official schema; defining it makes the mock send it.
    grade["schoolUnit"] = {"$ref": "#/components/schemas/Grade_organisation"}
    grade["student"] = _reference(PERSON_IDS)
    grade["syllabus"] = _reference(SYLLABUS_IDS)

    start, end = attendance_periods(TODAY)[0]
    attendance = schemas["AggregatedAttendance"]["properties"]
    attendance["startDate"] = enum([start.isoformat()], format="date")
    attendance["endDate"] = enum([end.isoformat()], format="date")
    for name in ("attendanceSum", "validAbsenceSum", "invalidAbsenceSum"):
        attendance[name] = {"type": "integer", "minimum": 0, "maximum": 1000}
    attendance["offeredSum"] = {"type": "integer", "minimum": 3000, "maximum": 4000}
    attendance["student"] = _reference(PERSON_IDS)

    group = schemas["GroupFragment"]["properties"]
    group["id"] = enum(GROUP_IDS, format="uuid")
    group["displayName"] = enum(["9A", "Mentorsgrupp 9"])
    group["groupType"] = enum(["Klass", "Mentor"])
    group["startDate"] = enum(["2024-08-19"], format="date")
    group["endDate"] = enum(["2027-06-11"], format="date")
    group["organisation"] = _reference(ORGANISATION_IDS)
    schemas["GroupMembership"]["properties"]["person"] = _reference(PERSON_IDS)

    # Enough records per page that every kind of record turns up.
    for name in ("PersonsExpanded", "Grades", "AggregatedAttendances", "GroupsExpanded"):
        schemas[name]["properties"]["data"]["minItems"] = 12

    # One page each: a random pageToken would page forever.
    for name in ("Organisations", "PersonsExpanded", "Syllabuses", "Grades", "GroupsExpanded"):
        del schemas[name]["properties"]["pageToken"]
    del schemas["AggregatedAttendances"]["properties"]["pageToken"]
    return document


def _reference(ids: list[str]) -> dict[str, Any]:
    """An ObjectReference whose id is one of ``ids``."""
    return {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string", "format": "uuid", "enum": ids}},
    }


def _prism(spec_file: Path):
    if shutil.which("node") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing: CI must run the Prism tests")
        pytest.skip("node is not installed")
    if not PRISM.exists():
        pytest.fail("Prism is not installed: run `npm ci` in the repository root")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            str(PRISM),
            "mock",
            "-d",
            "--seed",
            SEED,
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            str(spec_file),
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"Prism stopped: {process.stderr.read().decode()[-2000:]}")
            try:
                answer = httpx.get(
                    f"{url}/organisations", headers={"Authorization": "Bearer x"}, timeout=2
                )
                if answer.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Prism did not start within {STARTUP_SECONDS} s")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def prism_official(tmp_path_factory):
    yield from _prism(spec.SPEC_PATH)


@pytest.fixture(scope="module")
def prism_narrowed(tmp_path_factory):
    path = tmp_path_factory.mktemp("prism") / "ss12000-narrowed.json"
    path.write_text(json.dumps(_narrowed(), ensure_ascii=False, default=str), encoding="utf-8")
    yield from _prism(path)


class _Recording(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.responses: list[tuple[str, int, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        body = json.loads(response.content) if response.content else None
        self.responses.append((request.url.path, response.status_code, body))
        return response

    def close(self) -> None:
        self.inner.close()


def _token(request: httpx.Request) -> httpx.Response:
    # The spec declares a bearer token but no token endpoint: Prism checks only that a
    # bearer token is sent. The client gets one from this stand-in.
    return httpx.Response(200, json={"access_token": "prism", "expires_in": 3600})


def _run(url: str, **kwargs: Any) -> tuple[Any, _Recording]:
    recording = _Recording()
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    with SS12000Client(
        base_url=url,
        client_id="lotsen",
        client_secret="secret",
        token_url="http://token.test/token",
        transport=recording,
        mounts={"http://token.test": httpx.MockTransport(_token)},
        retry_wait_max=0,
        page_size=20,
    ) as client:
        run = ss12000_import(client=client, organiser=organiser, today=TODAY, **kwargs)
    return run, recording


def _check_rejects(run) -> None:
    for reject in run.rejects:
        assert reject["entity"] and reject["field"] and reject["reason"], reject
        assert "record" in reject
    recorded = json.dumps([run.counts, run.rejects], ensure_ascii=False)
    for number in (VALID, COORDINATION, BAD_CHECKSUM, TEMPORARY):
        assert number not in recorded, "a personnummer was recorded"


def _check_stored() -> None:
    for number in Person.objects.values_list("personal_identity_number", flat=True):
        assert parse_identity_number(number).normalized == number
    assert not Grade.objects.exclude(value__in=list("ABCDEF-")).exists()
    assert not Enrolment.objects.exclude(school_type__in=["GR", "GRS", "GY", "GYS"]).exists()
    for period in AttendancePeriod.objects.all():
        assert period.valid_absence_minutes + period.invalid_absence_minutes <= (
            period.offered_minutes
        )


def test_whatever_the_official_spec_allows_does_not_crash_the_import(db, prism_official):
    run, recording = _run(prism_official, max_pages=2)
    assert run.status == "done", run.counts.get("error")
    assert {path for path, _status, _body in recording.responses} >= {
        "/organisations",
        "/syllabuses",
        "/persons",
        "/grades",
    }
    # Random data: a random civicNo is never a valid personnummer, a random gradeValue
    # never a grade, a random schoolUnitCode never eight digits. All rejected, with reasons.
    assert run.counts["persons"]["rejected"] > 0
    assert run.rejects
    _check_rejects(run)
    _check_stored()
    for entity in ("persons", "grades"):
        counts = run.counts[entity]
        assert min(counts.values()) >= 0


def test_valid_records_are_kept_and_invalid_ones_rejected(db, prism_narrowed):
    run, recording = _run(prism_narrowed)
    assert run.status == "done", run.counts.get("error")

    # What the narrowed mock sent is what the official spec allows.
    registry_schema = _nullable_to_json_schema(_official())
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    registry = Registry().with_resource(SPEC_URI, Resource.from_contents(registry_schema, DRAFT4))
    for path, status, body in recording.responses:
        assert status == 200, (path, body)
        schema = {"$ref": f"{SPEC_URI}#/components/schemas/{SCHEMAS[path]}"}
        validator = Draft4Validator(schema, registry=registry, format_checker=FORMATS)
        assert not list(validator.iter_errors(body)), path

    sent_persons = [
        person
        for path, _status, body in recording.responses
        if path == "/persons"
        for person in body["data"]
    ]
    numbers = {person["civicNo"]["value"] for person in sent_persons}
    # Kept: every valid number that was sent; rejected: every invalid one, with its reason.
    stored = set(Person.objects.values_list("personal_identity_number", flat=True))
    assert stored and stored <= {VALID, COORDINATION}
    person_rejects = [r for r in run.rejects if r["entity"] == "persons"]
    reasons = {r["reason"] for r in person_rejects if r["field"] == "civicNo.value"}
    if BAD_CHECKSUM in numbers:
        assert any("Kontrollsiffran" in reason for reason in reasons)
    if TEMPORARY in numbers:
        assert mapping.REASON_CIVIC_NO_TEMPORARY in reasons
    assert reasons

    sent_grades = [
        grade
        for path, _status, body in recording.responses
        if path == "/grades"
        for grade in body["data"]
    ]
    grade_rejects = [r for r in run.rejects if r["entity"] == "grades"]
    assert len(sent_grades) == run.counts["grades"]["created"] + run.counts["grades"][
        "unchanged"
    ] + run.counts["grades"]["updated"] + len(grade_rejects)
    assert {r["field"] for r in grade_rejects} <= {"gradeValue", "student.id", "syllabus.id", "id"}
    # Valid records of every kind were kept, and invalid ones of every kind rejected.
    for entity in ("persons", "enrolments", "grades", "attendance"):
        assert run.counts[entity]["created"] > 0, entity
    assert {r["entity"] for r in run.rejects} >= {"persons", "enrolments", "grades", "attendance"}
    assert "gradeValue" in {r["field"] for r in grade_rejects}

    # Classes and mentor groups: each group sent is kept or rejected with its reason, and
    # only persons that were kept are members.
    sent_groups = {
        group["id"]
        for path, _status, body in recording.responses
        if path == "/groups"
        for group in body["data"]
    }
    kept_groups = set(Group.objects.values_list("external_id", flat=True))
    rejected_groups = {r["record"] for r in run.rejects if r["entity"] == "groups"}
    assert kept_groups and sent_groups == kept_groups | rejected_groups
    members = GroupMembership.objects.values_list("person__personal_identity_number", flat=True)
    assert set(members) <= stored
    _check_rejects(run)
    _check_stored()
