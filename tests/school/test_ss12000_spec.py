"""The SS 12000 test server answers as the official spec (2.1.0) says, and our value sets
are the spec's. Responses are validated with jsonschema against the spec's own component
schemas, $refs resolved through a registry that holds the whole spec document."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from io import StringIO
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from lotsen.accounts.models import OrganisationKind
from lotsen.demo.ss12000server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    make_app,
)
from lotsen.school.ss12000 import spec
from lotsen.school.ss12000.client import SS12000Client
from lotsen.school.ss12000.importer import ss12000_import
from lotsen.school.ss12000.periods import attendance_periods
from tests.factories import OrganisationFactory

TODAY = dt.date(2026, 11, 23)
SPEC_URI = "urn:ss12000:2.1.0"


def _nullable_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable: true`` is JSON Schema's ``type: [T, "null"]``."""
    if isinstance(node, dict):
        node = {key: _nullable_to_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False) is True:
            if "type" in node:
                node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        return node
    if isinstance(node, list):
        return [_nullable_to_json_schema(item) for item in node]
    return node


def _date_time(value: object) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.tzinfo is not None  # RFC 3339 requires an offset


FORMATS = FormatChecker()
FORMATS.checks("date-time")(_date_time)


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    return yaml.safe_load(spec.SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validate(official):
    registry = Registry().with_resource(
        SPEC_URI, Resource.from_contents(_nullable_to_json_schema(official), DRAFT4)
    )

    def check(instance: Any, schema_name: str) -> None:
        schema = {"$ref": f"{SPEC_URI}#/components/schemas/{schema_name}"}
        validator = Draft4Validator(schema, registry=registry, format_checker=FORMATS)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])

    return check


@pytest.fixture(scope="module")
def server():
    return make_app(seed=7, size=80, today=TODAY)


@pytest.fixture
def http(server):
    with httpx.Client(transport=httpx.WSGITransport(app=server), base_url="http://ss.test") as c:
        token = c.post(
            "/token",
            data={"grant_type": "client_credentials"},
            auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
        ).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        yield c


def test_the_spec_file_is_the_official_2_1_0(official):
    digest = hashlib.sha256(spec.SPEC_PATH.read_bytes()).hexdigest()
    assert digest == spec.SPEC_SHA256
    assert official["info"]["version"] == spec.SPEC_VERSION
    assert official["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"


def test_our_value_sets_are_the_specs(official):
    schemas = official["components"]["schemas"]
    assert set(schemas["SchoolTypesEnum"]["enum"]) == spec.SCHOOL_TYPES
    assert set(schemas["OrganisationTypeEnum"]["enum"]) == spec.ORGANISATION_TYPES
    person = schemas["Person"]["properties"]
    assert set(person["sex"]["enum"]) == spec.SEX
    assert set(person["securityMarking"]["enum"]) == spec.SECURITY_MARKINGS
    assert set(person["personStatus"]["enum"]) == spec.PERSON_STATUSES
    assert set(schemas["Person_addresses_inner"]["properties"]["type"]["enum"]) == (
        spec.ADDRESS_TYPES
    )
    assert set(schemas["Grade"]["properties"]["semester"]["enum"]) == spec.SEMESTERS
    assert set(schemas["Email"]["properties"]["type"]["enum"]) == spec.EMAIL_TYPES
    assert set(schemas["Phonenumber"]["properties"]["type"]["enum"]) == spec.PHONE_TYPES
    assert set(schemas["GroupTypesEnum"]["enum"]) == spec.GROUP_TYPES


def test_the_query_parameters_the_import_uses_are_declared_by_the_spec(db, official, server):
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    server.requests.clear()
    with SS12000Client(
        base_url="http://ss.test",
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        transport=httpx.WSGITransport(app=server),
        page_size=40,
    ) as client:
        assert ss12000_import(client=client, organiser=organiser, today=TODAY).status == "done"
        # The second run is incremental and asks with meta.modified.after.
        assert ss12000_import(client=client, organiser=organiser, today=TODAY).status == "done"
    declared = {
        path: {p["name"] for p in item["get"].get("parameters", [])}
        for path, item in official["paths"].items()
        if "get" in item
    }
    used = [(path, query) for path, query in server.requests if path != "/token"]
    assert {path for path, _query in used} == {
        "/organisations",
        "/syllabuses",
        "/persons",
        "/grades",
        "/groups",
        "/aggregatedAttendance",
    }
    assert any(spec.PARAM_MODIFIED_AFTER in query for _path, query in used)
    assert any(spec.PARAM_PAGE_TOKEN in query for _path, query in used)
    for path, query in used:
        assert set(query) <= declared[path], (path, set(query) - declared[path])


@pytest.mark.parametrize(
    ("path", "params", "schema"),
    [
        ("/organisations", {}, "Organisations"),
        ("/syllabuses", {"limit": 25}, "Syllabuses"),
        ("/persons", {"relationship.entity.type": "enrolment", "limit": 30}, "PersonsExpanded"),
        ("/grades", {"limit": 200}, "Grades"),
        ("/groups", {"groupType": ["Klass", "Mentor"], "limit": 5}, "GroupsExpanded"),
    ],
)
def test_every_page_validates_against_the_spec(http, validate, path, params, schema):
    response = http.get(path, params=params)
    pages = 0
    while True:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        validate(body, schema)
        pages += 1
        if not body["pageToken"]:
            break
        response = http.get(path, params={"pageToken": body["pageToken"], "limit": 200})
    if path != "/organisations":
        assert pages > 1, "the test should cover a follow-up page"


def test_aggregated_attendance_validates_against_the_spec(http, validate, server):
    start, end = attendance_periods(TODAY)[0]
    school = next(o for o in server.data.organisations if o.get("schoolUnitCode"))
    body = http.get(
        "/aggregatedAttendance",
        params={
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "organisation": school["id"],
        },
    ).json()
    assert body["data"]
    validate(body, "AggregatedAttendances")


def test_grades_carry_the_schoolunit_the_schema_requires(http, official):
    # 2.1.0 lists "schoolUnit" as required on Grade without defining it: a server that
    # wants to validate must send it; the import reads "organisation" first.
    assert "schoolUnit" in official["components"]["schemas"]["Grade"]["required"]
    grade = http.get("/grades", params={"limit": 1}).json()["data"][0]
    assert grade["schoolUnit"] == grade["organisation"]


def test_errors_use_the_specs_error_object(server, validate):
    with httpx.Client(transport=httpx.WSGITransport(app=server), base_url="http://ss.test") as c:
        unauthorised = c.get("/persons")
        assert unauthorised.status_code == 401
        assert unauthorised.headers["www-authenticate"].startswith("Bearer")
        validate(unauthorised.json(), "Error")
        token = c.post(
            "/token",
            data={
                "grant_type": "client_credentials",
                "client_id": DEFAULT_CLIENT_ID,
                "client_secret": DEFAULT_CLIENT_SECRET,
            },
        ).json()["access_token"]
        c.headers["Authorization"] = f"Bearer {token}"
        first = c.get("/persons", params={"limit": 5}).json()
        combined = c.get("/persons", params={"pageToken": first["pageToken"], "civicNo": "x"})
        assert combined.status_code == 400
        validate(combined.json(), "Error")
        missing_dates = c.get("/aggregatedAttendance")
        assert missing_dates.status_code == 400
        validate(missing_dates.json(), "Error")


def test_the_token_endpoint_refuses_wrong_secrets_and_other_grants(server):
    with httpx.Client(transport=httpx.WSGITransport(app=server), base_url="http://ss.test") as c:
        wrong = c.post(
            "/token",
            data={"grant_type": "client_credentials"},
            auth=(DEFAULT_CLIENT_ID, "not-the-secret"),
        )
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "invalid_client"
        grant = c.post("/token", data={"grant_type": "password"}, auth=(DEFAULT_CLIENT_ID, "x"))
        assert grant.status_code == 400
        assert grant.json()["error"] == "unsupported_grant_type"
        assert c.get("/persons", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_modified_after_filters_and_a_changed_record_reappears(http, server):
    everything = http.get("/grades", params={"limit": 1000}).json()["data"]
    latest = max(g["meta"]["modified"] for g in everything)
    after = {"meta.modified.after": latest, "limit": 1000}
    assert http.get("/grades", params=after).json()["data"] == []
    changed = copy.deepcopy(everything[3])
    server.data.override(
        "grades",
        changed["id"],
        {"gradeValue": "A" if changed["gradeValue"] != "A" else "B"},
        modified=dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC),
    )
    try:
        again = http.get("/grades", params=after).json()["data"]
        assert [g["id"] for g in again] == [changed["id"]]
        assert again[0]["gradeValue"] != changed["gradeValue"]
    finally:
        server.data.overrides.clear()


def test_the_serve_command_serves_the_demo_drawn_with_its_options(monkeypatch):
    import waitress
    from django.core.management import call_command

    served = {}

    def fake_serve(app, **kwargs):
        served.update(app=app, **kwargs)

    monkeypatch.setattr(waitress, "serve", fake_serve)
    out = StringIO()
    call_command(
        "ss12000", "serve", "--port", "8099", "--size", "40", "--seed", "3",
        "--today", "2026-11-23", stdout=out,
    )  # fmt: skip
    assert (served["host"], served["port"]) == ("127.0.0.1", 8099)
    data = served["app"].data
    assert (data.size, data.seed, data.today) == (40, 3, TODAY)
    assert len(data.pupils) == 40
    assert "http://127.0.0.1:8099" in out.getvalue()
