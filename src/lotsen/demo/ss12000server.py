"""An SS 12000 v2.1 test server that serves the demo municipality's school data.

A plain WSGI application (served by waitress from ``lotsen ss12000 serve``, or in-process
through ``httpx.WSGITransport`` in the tests). It is not part of the Django site: no URL
routing, no database. Its data are the demo generator's young people, drawn with the same
seed, size and day as ``lotsen demo`` draws them, with the same grades and attendance, so
that importing from it into the demo changes nothing.

What it does, as the spec asks:

- ``POST /token``: OAuth2 client credentials (RFC 6749 §4.4), the client authenticated
  with HTTP Basic or with ``client_id``/``client_secret`` in the form body; a bearer
  token that every other endpoint requires (401 with the spec's ``Error`` otherwise).
- ``GET /organisations``, ``/persons``, ``/syllabuses``, ``/grades``, ``/groups``
  (classes and mentor groups with their members), ``/aggregatedAttendance``: the spec's
  response objects (``{"data": [...], "pageToken": ...}``), paged with ``limit`` and an
  opaque ``pageToken`` that cannot be combined with other filters (400);
  ``meta.modified.after``/``.before`` and ``meta.created.after``/``.before`` where the spec
  has them; the filters the import uses (``relationship.entity.type``, ``student``,
  ``organisation``, ``startDate``/``endDate``, ``groupType``).

Memory: one small JSON object per person; grades are redrawn per person when asked for,
from the person's own seed, and never all held at once.

Simplifications, not in the spec: aggregated attendance sums whole four-week periods that
lie inside the asked-for interval (a real server counts single lessons), and each pupil's
minutes are split over two activities.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from lotsen.demo.generator import (
    DEFAULT_SEED,
    DEFAULT_SIZE,
    DEMO_MUNICIPALITY_CODE,
    DEMO_ORGANISER_NAME,
    END_REASON_DROPPED_OUT,
    ORGANISER_NUMBER_FIRST_NINE,
    ORGANISER_UUID,
    DemoGrade,
    SchoolFacts,
    demo_population,
    demo_school_unit_code,
    demo_schools,
    demo_syllabuses,
    demo_uuid,
    organisation_uuid,
    school_attendance,
    school_grades,
    school_groups,
)
from lotsen.people.identity import luhn_check_digit
from lotsen.school.ss12000 import spec
from lotsen.school.ss12000.mapping import REASON_NOT_DATE

DEFAULT_CLIENT_ID = "lotsen-test"
DEFAULT_CLIENT_SECRET = "lotsen-test-secret"  # noqa: S105 (a published test credential)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
TOKEN_SECONDS = 3600
# Every record of the test server was last changed at or before this moment of its day.
_UTC = dt.UTC
_EPOCH = dt.datetime(2020, 1, 1, 6, 0, tzinfo=_UTC)
_SEX = {"woman": "Kvinna", "man": "Man"}
_CURRICULUM = {"GR": "GR2011", "GY": "GY2011"}
# How a pupil's time is split over the two activities the server invents for them.
_ACTIVITY_SHARES = (("teori", 0.7), ("praktisk-estetisk", 0.3))


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(_UTC).isoformat().replace("+00:00", "Z")


def _parse_timestamp(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=_UTC)


class _Problem(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class _Served:
    """One pupil: their Person object as served, and what their school data hangs on."""

    index: int
    record: dict[str, Any]
    facts: SchoolFacts
    current_school: str  # school unit code of the current enrolment, or ""


@dataclass
class DemoSchoolData:
    """The data the test server serves. ``override`` changes a record as a school system
    would, with a new ``meta.modified``: the tests use it for incremental runs."""

    seed: int = DEFAULT_SEED
    size: int = DEFAULT_SIZE
    today: dt.date = field(default_factory=dt.date.today)
    pupils: list[_Served] = field(init=False)
    organisations: list[dict[str, Any]] = field(init=False)
    syllabuses: list[dict[str, Any]] = field(init=False)
    groups: list[dict[str, Any]] = field(init=False)
    overrides: dict[tuple[str, str], tuple[dict[str, Any], dt.datetime]] = field(
        init=False, default_factory=dict
    )
    _grade_cache: OrderedDict[int, list[dict[str, Any]]] = field(
        init=False, default_factory=OrderedDict
    )
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.organisations = _organisations(self.size)
        self.syllabuses = [_syllabus_json(s) for s in demo_syllabuses().values()]
        self.pupils = []
        for index, pupil in enumerate(
            demo_population(seed=self.seed, size=self.size, today=self.today)
        ):
            current = next((e for e in pupil.facts.enrolments if e.end_date is None), None)
            self.pupils.append(
                _Served(
                    index=index,
                    record=_person_json(pupil.person, pupil.facts, today=self.today),
                    facts=pupil.facts,
                    current_school=current.school_unit_code if current else "",
                )
            )
        self.groups = _groups_json(self.pupils, today=self.today)

    def override(
        self, entity: str, record_id: str, changes: dict[str, Any], *, modified: dt.datetime
    ) -> None:
        """Change fields of one record (``entity``: "persons", "grades" or "groups")."""
        self.overrides[(entity, record_id)] = (changes, modified)

    def _apply(self, entity: str, record: dict[str, Any]) -> dict[str, Any]:
        found = self.overrides.get((entity, record["id"]))
        if found is None:
            return record
        changes, modified = found
        changed = {**record, **changes}
        changed["meta"] = {**record["meta"], "modified": _timestamp(modified)}
        return changed

    def grades_of(self, pupil: _Served) -> list[dict[str, Any]]:
        with self._lock:
            cached = self._grade_cache.get(pupil.index)
            if cached is not None:
                self._grade_cache.move_to_end(pupil.index)
                return cached
        grades = [
            _grade_json(grade, student_id=pupil.facts.person_uuid)
            for grade in school_grades(pupil.facts, today=self.today)
        ]
        with self._lock:
            self._grade_cache[pupil.index] = grades
            while len(self._grade_cache) > 256:
                self._grade_cache.popitem(last=False)
        return grades


# --- Records --------------------------------------------------------------------------------


def _meta(created: dt.datetime, modified: dt.datetime | None = None) -> dict[str, str]:
    return {"created": _timestamp(created), "modified": _timestamp(modified or created)}


def _organisations(size: int) -> list[dict[str, Any]]:
    digits = ORGANISER_NUMBER_FIRST_NINE + str(luhn_check_digit(ORGANISER_NUMBER_FIRST_NINE))
    records: list[dict[str, Any]] = [
        {
            "id": ORGANISER_UUID,
            "meta": _meta(_EPOCH),
            "displayName": DEMO_ORGANISER_NAME,
            "organisationType": spec.ORGANISATION_ORGANISER,
            "organisationNumber": f"{digits[:6]}-{digits[6:]}",
            "municipalityCode": DEMO_MUNICIPALITY_CODE,
        }
    ]
    compulsory, upper_secondary = demo_schools(size)
    for index, name in enumerate(compulsory + upper_secondary, 1):
        code = demo_school_unit_code(index)
        records.append(
            {
                "id": organisation_uuid(code),
                "meta": _meta(_EPOCH),
                "displayName": name,
                "organisationType": spec.ORGANISATION_SCHOOL_UNIT,
                "schoolUnitCode": code,
                "schoolTypes": ["GR"] if name in compulsory else ["GY"],
                "municipalityCode": DEMO_MUNICIPALITY_CODE,
                "parentOrganisation": {"id": ORGANISER_UUID},
            }
        )
    return records


def _syllabus_json(syllabus: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": syllabus.uuid,
        "meta": _meta(_EPOCH),
        "schoolType": syllabus.school_type,
        "subjectCode": syllabus.subject_code,
        "subjectName": syllabus.subject_name,
        "subjectDesignation": syllabus.subject_designation,
        "curriculum": _CURRICULUM[syllabus.school_type],
        "official": True,
    }
    if syllabus.course_code:
        record.update(
            courseCode=syllabus.course_code,
            courseName=syllabus.course_name,
            points=syllabus.points,
        )
    if syllabus.language_code:
        record["languageCode"] = syllabus.language_code
    return record


def _person_json(person: Any, facts: SchoolFacts, *, today: dt.date) -> dict[str, Any]:
    days = [e.start_date for e in facts.enrolments] + [
        e.end_date for e in facts.enrolments if e.end_date
    ]
    created = _at(min(days), 6)
    modified = _at(max((day for day in days if day <= today), default=min(days)), 6)
    if person.protected_identity:
        marking = spec.SECURITY_PROTECTED
    elif person.confidentiality_marking:
        marking = spec.SECURITY_CONFIDENTIAL
    else:
        marking = spec.SECURITY_NONE
    record: dict[str, Any] = {
        "id": facts.person_uuid,
        "meta": _meta(created, modified),
        "givenName": person.given_name,
        "familyName": person.family_name,
        "civicNo": {"value": person.personal_identity_number, "nationality": "SE"},
        "birthDate": person.date_of_birth.isoformat(),
        "sex": _SEX.get(person.gender, "Okänt"),
        "securityMarking": marking,
        "personStatus": "Aktiv",
    }
    # A school system passes on no address for a protected person.
    if marking == spec.SECURITY_NONE and person.street_address:
        record["addresses"] = [
            {
                "type": spec.ADDRESS_REGISTERED,
                "streetAddress": person.street_address,
                "postalCode": person.postal_code.replace(" ", ""),
                "locality": person.city,
                "municipalityCode": int(person.home_municipality_code),
                "country": "Sverige",
            }
        ]
    if person.phone:
        record["phoneNumbers"] = [{"value": person.phone, "type": "Hem", "mobile": True}]
    if person.email:
        record["emails"] = [{"value": person.email, "type": "Privat"}]
    enrolments = []
    for enrolment in facts.enrolments:
        item: dict[str, Any] = {
            "enroledAt": {"id": organisation_uuid(enrolment.school_unit_code)},
            "schoolType": enrolment.school_type,
            "startDate": enrolment.start_date.isoformat(),
            "cancelled": enrolment.end_reason == END_REASON_DROPPED_OUT,
        }
        if enrolment.school_year is not None:
            item["schoolYear"] = enrolment.school_year
        if enrolment.end_date is not None:
            item["endDate"] = enrolment.end_date.isoformat()
        if enrolment.programme:
            item["educationCode"] = enrolment.programme
        enrolments.append(item)
    record["enrolments"] = enrolments
    return record


_GROUP_TYPE_NAMES = {"klass": spec.GROUP_CLASS, "mentor": spec.GROUP_MENTOR}


def _groups_json(pupils: list[_Served], *, today: dt.date) -> list[dict[str, Any]]:
    """The classes and mentor groups of this school year with their members, as the demo
    places its pupils (``school_groups``)."""
    groups: dict[str, dict[str, Any]] = {}
    for pupil in pupils:
        for group in school_groups(pupil.facts, today=today):
            record = groups.get(group.id)
            if record is None:
                record = groups[group.id] = {
                    "id": group.id,
                    "meta": _meta(_at(group.start_date, 6)),
                    "displayName": group.name,
                    "startDate": group.start_date.isoformat(),
                    "endDate": group.end_date.isoformat(),
                    "groupType": _GROUP_TYPE_NAMES[group.group_type],
                    "schoolType": group.school_type,
                    "organisation": {"id": organisation_uuid(group.school_unit_code)},
                    "groupMemberships": [],
                }
            record["groupMemberships"].append(
                {
                    "person": {"id": pupil.facts.person_uuid},
                    "startDate": group.member_start.isoformat(),
                }
            )
    return sorted(groups.values(), key=lambda record: record["id"])


@functools.cache
def _registrar(school_unit_code: str) -> str:
    return demo_uuid("staff", school_unit_code, "registrar")


def _grade_json(grade: DemoGrade, *, student_id: str) -> dict[str, Any]:
    school = {"id": organisation_uuid(grade.school_unit_code)}
    moment = _at(grade.registered_on, 15)
    return {
        "id": grade.id,
        "meta": _meta(moment),
        "student": {"id": student_id},
        "organisation": school,
        # Required by the 2.1.0 schema although it defines only "organisation".
        "schoolUnit": school,
        "registeredBy": {"id": _registrar(grade.school_unit_code)},
        "registeredDate": grade.registered_on.isoformat(),
        "gradeValue": grade.value,
        "finalGrade": grade.kind == "final",
        "trial": False,
        "converted": False,
        "adaptedStudyPlan": "",
        "semester": grade.semester,
        "year": grade.year,
        "syllabus": {"id": demo_syllabuses()[grade.syllabus].uuid},
    }


# --- Queries and paging -------------------------------------------------------------------------


_MODIFIED_FILTERS = (
    spec.PARAM_MODIFIED_AFTER,
    spec.PARAM_MODIFIED_BEFORE,
    spec.PARAM_CREATED_AFTER,
    spec.PARAM_CREATED_BEFORE,
)


def _single(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _meta_filter(query: dict[str, list[str]]) -> Callable[[dict[str, Any]], bool]:
    bounds: list[tuple[str, bool, dt.datetime]] = []
    for name in _MODIFIED_FILTERS:
        value = _single(query, name)
        if value is None:
            continue
        try:
            moment = _parse_timestamp(value)
        except ValueError as error:
            raise _Problem(400, "invalid_parameter", f"{name}: ogiltig tidpunkt") from error
        which = "modified" if ".modified." in name else "created"
        bounds.append((which, name.endswith(".after"), moment))

    def keep(record: dict[str, Any]) -> bool:
        for which, after, moment in bounds:
            stamp = _parse_timestamp(record["meta"][which])
            # "after" is exclusive, "before" inclusive (spec).
            if (after and stamp <= moment) or (not after and stamp > moment):
                return False
        return True

    return keep


def _date_param(
    query: dict[str, list[str]], name: str, *, required: bool = False
) -> dt.date | None:
    value = _single(query, name)
    if value is None:
        if required:
            raise _Problem(400, "missing_parameter", f"{name} saknas")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise _Problem(400, "invalid_parameter", f"{name} {REASON_NOT_DATE}") from error


def _limit(query: dict[str, list[str]]) -> int:
    value = _single(query, spec.PARAM_LIMIT)
    if value is None:
        return DEFAULT_PAGE_SIZE
    try:
        limit = int(value)
    except ValueError as error:
        raise _Problem(400, "invalid_parameter", "limit ska vara ett heltal") from error
    if limit < 1:
        raise _Problem(400, "invalid_parameter", "limit ska vara minst 1")
    return min(limit, MAX_PAGE_SIZE)


def _token_encode(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _token_decode(token: str, path: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as error:
        raise _Problem(400, "invalid_page_token", "okänd pageToken") from error
    if not isinstance(payload, dict) or payload.get("path") != path:
        raise _Problem(400, "invalid_page_token", "pageToken hör till en annan fråga")
    return payload


def _paged(
    path: str,
    query: dict[str, list[str]],
    fetch: Callable[[dict[str, list[str]], Any, int], tuple[list[Any], Any]],
) -> dict[str, Any]:
    """Run ``fetch(filters, position, limit)`` from the start or from a pageToken. The token
    carries the original filters and the position, so a follow-up needs nothing else."""
    limit = _limit(query)
    token = _single(query, spec.PARAM_PAGE_TOKEN)
    if token is not None:
        if set(query) - {spec.PARAM_PAGE_TOKEN, spec.PARAM_LIMIT}:
            raise _Problem(
                400, "invalid_parameter", "pageToken kan inte kombineras med andra filter"
            )
        payload = _token_decode(token, path)
        filters, position = payload["filters"], payload["position"]
    else:
        filters = {k: v for k, v in query.items() if k != spec.PARAM_LIMIT}
        position = None
    data, next_position = fetch(filters, position, limit)
    next_token = (
        _token_encode({"path": path, "filters": filters, "position": next_position})
        if next_position is not None
        else None
    )
    return {"data": data, "pageToken": next_token}


def _slice(records: list[dict[str, Any]], position: Any, limit: int) -> tuple[list, Any]:
    start = int(position or 0)
    end = start + limit
    return records[start:end], (end if end < len(records) else None)


# --- The application ------------------------------------------------------------------------


class SS12000TestServer:
    """The WSGI application. ``clients`` maps client ids to secrets."""

    def __init__(
        self,
        data: DemoSchoolData,
        *,
        clients: dict[str, str] | None = None,
        token_seconds: int = TOKEN_SECONDS,
    ) -> None:
        self.data = data
        self.clients = clients or {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self.token_seconds = token_seconds
        self.tokens: dict[str, float] = {}
        self.requests: list[tuple[str, dict[str, list[str]]]] = []  # (path, query): for tests
        self._routes: dict[str, Callable[[dict[str, list[str]]], dict[str, Any]]] = {
            "/organisations": self._organisations,
            "/persons": self._persons,
            "/syllabuses": self._syllabuses,
            "/grades": self._grades,
            "/groups": self._groups,
            "/aggregatedAttendance": self._attendance,
        }

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
        self.requests.append((path, parse_qs(environ.get("QUERY_STRING", ""))))
        try:
            if path == "/token":
                if method != "POST":
                    raise _Problem(405, "method_not_allowed", "använd POST")
                status, body = 200, self._token(environ)
            elif path in self._routes:
                if method != "GET":
                    raise _Problem(405, "method_not_allowed", "använd GET")
                self._authorise(environ)
                query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
                status, body = 200, self._routes[path](query)
            else:
                raise _Problem(404, "not_found", "okänd resurs")
        except _Problem as problem:
            status = problem.status
            if path == "/token":
                body = {"error": problem.code, "error_description": problem.message}
            else:
                body = {"code": problem.code, "message": problem.message}
        payload = json.dumps(body, ensure_ascii=False).encode()
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
            ("Cache-Control", "no-store"),
        ]
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="ss12000"'))
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [payload]

    # --- OAuth2 ---------------------------------------------------------------------------

    def _token(self, environ: dict[str, Any]) -> dict[str, Any]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        form = parse_qs(environ["wsgi.input"].read(length).decode("utf-8", "replace"))
        if _single(form, "grant_type") != "client_credentials":
            raise _Problem(400, "unsupported_grant_type", "endast client_credentials")
        client_id, secret = _single(form, "client_id"), _single(form, "client_secret")
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(header[6:]).decode()
                client_id, _, secret = decoded.partition(":")
            except (ValueError, binascii.Error) as error:
                raise _Problem(401, "invalid_client", "ogiltig klientautentisering") from error
        expected = self.clients.get(client_id or "")
        if expected is None or not secrets.compare_digest(expected, secret or ""):
            raise _Problem(401, "invalid_client", "okänd klient eller fel hemlighet")
        token = secrets.token_urlsafe(32)
        self.tokens[token] = time.monotonic() + self.token_seconds
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.token_seconds}

    def _authorise(self, environ: dict[str, Any]) -> None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        expires = self.tokens.get(token)
        if expires is None or expires < time.monotonic():
            raise _Problem(401, "unauthorized", "giltig bearer-token krävs")

    # --- Collections ------------------------------------------------------------------------

    def _organisations(self, query: dict[str, list[str]]) -> dict[str, Any]:
        def fetch(filters: dict, position: Any, limit: int) -> tuple[list, Any]:
            keep = _meta_filter(filters)
            codes = set(filters.get("schoolUnitCode", []))
            records = [
                r
                for r in self.data.organisations
                if keep(r) and (not codes or r.get("schoolUnitCode") in codes)
            ]
            return _slice(records, position, limit)

        return _paged("/organisations", query, fetch)

    def _syllabuses(self, query: dict[str, list[str]]) -> dict[str, Any]:
        def fetch(filters: dict, position: Any, limit: int) -> tuple[list, Any]:
            keep = _meta_filter(filters)
            return _slice([r for r in self.data.syllabuses if keep(r)], position, limit)

        return _paged("/syllabuses", query, fetch)

    def _persons(self, query: dict[str, list[str]]) -> dict[str, Any]:
        def fetch(filters: dict, position: Any, limit: int) -> tuple[list, Any]:
            keep = _meta_filter(filters)
            relation = _single(filters, spec.PARAM_RELATIONSHIP_TYPE)
            if relation not in (None, spec.RELATIONSHIP_ENROLMENT):
                # The demo's persons are all pupils: no duties, placements or groups.
                return [], None
            civic_no = _single(filters, "civicNo")
            records = []
            for pupil in self.data.pupils:
                record = self.data._apply("persons", pupil.record)
                if civic_no is not None and record["civicNo"]["value"] != civic_no:
                    continue
                if keep(record):
                    records.append(record)
            return _slice(records, position, limit)

        return _paged("/persons", query, fetch)

    def _groups(self, query: dict[str, list[str]]) -> dict[str, Any]:
        def fetch(filters: dict, position: Any, limit: int) -> tuple[list, Any]:
            keep = _meta_filter(filters)
            types = set(filters.get(spec.PARAM_GROUP_TYPE, []))
            unknown = types - spec.GROUP_TYPES
            if unknown:
                raise _Problem(400, "invalid_parameter", "groupType: okänt värde")
            organisations = set(filters.get("organisation", []))
            school_types = set(filters.get("schoolTypes", []))
            records = [
                r
                for r in map(functools.partial(self.data._apply, "groups"), self.data.groups)
                if keep(r)
                and (not types or r["groupType"] in types)
                and (not organisations or r["organisation"]["id"] in organisations)
                and (not school_types or r["schoolType"] in school_types)
            ]
            return _slice(records, position, limit)

        return _paged("/groups", query, fetch)

    def _grades(self, query: dict[str, list[str]]) -> dict[str, Any]:
        def fetch(filters: dict, position: Any, limit: int) -> tuple[list, Any]:
            keep = _meta_filter(filters)
            students = set(filters.get("student", []))
            organisations = set(filters.get("organisation", []))
            on_or_after = _date_param(filters, "registeredDate.onOrAfter")
            on_or_before = _date_param(filters, "registeredDate.onOrBefore")
            pupil_index, grade_index = position or (0, 0)
            data: list[dict[str, Any]] = []
            for pupil in self.data.pupils[pupil_index:]:
                if students and pupil.facts.person_uuid not in students:
                    grade_index = 0
                    continue
                grades = self.data.grades_of(pupil)
                for index in range(grade_index, len(grades)):
                    grade = self.data._apply("grades", grades[index])
                    registered = dt.date.fromisoformat(grade["registeredDate"])
                    if (
                        keep(grade)
                        and (not organisations or grade["organisation"]["id"] in organisations)
                        and (on_or_after is None or registered >= on_or_after)
                        and (on_or_before is None or registered <= on_or_before)
                    ):
                        if len(data) == limit:
                            return data, (pupil.index, index)
                        data.append(grade)
                grade_index = 0
            return data, None

        return _paged("/grades", query, fetch)

    def _attendance(self, query: dict[str, list[str]]) -> dict[str, Any]:
        if _single(query, spec.PARAM_PAGE_TOKEN) is None:
            # Required by the spec; checked on the first page (the token carries them on).
            _date_param(query, "startDate", required=True)
            _date_param(query, "endDate", required=True)

        def fetch(filters: dict, position: Any, limit: int) -> tuple[list, Any]:
            start = _date_param(filters, "startDate", required=True)
            end = _date_param(filters, "endDate", required=True)
            assert start is not None and end is not None
            organisations = set(filters.get("organisation", []))
            students = set(filters.get("student", []))
            school_types = set(filters.get("schoolType", []))
            records = list(
                self._attendance_records(start, end, organisations, students, school_types)
            )
            return _slice(records, position, limit)

        return _paged("/aggregatedAttendance", query, fetch)

    def _attendance_records(
        self,
        start: dt.date,
        end: dt.date,
        organisations: set[str],
        students: set[str],
        school_types: set[str],
    ) -> Iterator[dict[str, Any]]:
        for pupil in self.data.pupils:
            code = pupil.current_school
            if not code or (organisations and organisation_uuid(code) not in organisations):
                continue
            if students and pupil.facts.person_uuid not in students:
                continue
            current = next(e for e in pupil.facts.enrolments if e.end_date is None)
            if school_types and current.school_type not in school_types:
                continue
            periods = [
                row
                for row in school_attendance(pupil.facts, today=self.data.today)
                if row.start_date >= start and row.end_date <= end
            ]
            if not periods:
                continue
            offered = sum(row.offered for row in periods)
            valid = sum(row.valid_absence for row in periods)
            invalid = sum(row.invalid_absence for row in periods)
            yield from _activities(
                pupil=pupil,
                school_code=code,
                group=str(current.school_year or current.programme),
                start=start,
                end=end,
                offered=offered,
                valid=valid,
                invalid=invalid,
            )


def _activities(
    *,
    pupil: _Served,
    school_code: str,
    group: str,
    start: dt.date,
    end: dt.date,
    offered: int,
    valid: int,
    invalid: int,
) -> Iterator[dict[str, Any]]:
    """A pupil's minutes split over activities, summing exactly to the pupil's totals."""
    remaining = {"offered": offered, "valid": valid, "invalid": invalid}
    for number, (name, share) in enumerate(_ACTIVITY_SHARES):
        if number == len(_ACTIVITY_SHARES) - 1:
            part = dict(remaining)
        else:
            part_offered = round(offered * share)
            part = {
                "offered": part_offered,
                "valid": valid * part_offered // offered if offered else 0,
                "invalid": invalid * part_offered // offered if offered else 0,
            }
        for key in remaining:
            remaining[key] -= part[key]
        yield {
            "activity": {"id": demo_uuid("activity", school_code, group, name)},
            "student": {"id": pupil.facts.person_uuid},
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "attendanceSum": part["offered"] - part["valid"] - part["invalid"],
            "validAbsenceSum": part["valid"],
            "invalidAbsenceSum": part["invalid"],
            "otherAttendanceSum": 0,
            "reportedSum": part["offered"],
            "offeredSum": part["offered"],
        }


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
}


def make_app(
    *,
    seed: int = DEFAULT_SEED,
    size: int = DEFAULT_SIZE,
    today: dt.date | None = None,
    clients: dict[str, str] | None = None,
) -> SS12000TestServer:
    """The test server for the demo drawn with ``seed``, ``size`` and ``today``."""
    data = DemoSchoolData(seed=seed, size=size, today=today or dt.date.today())
    return SS12000TestServer(data, clients=clients)
