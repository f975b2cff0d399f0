"""From one SS 12000 record to validated values, or a reason to reject it. Pure: no Django.

Every ``*_parse`` function takes the JSON object as the server sent it and returns a frozen
record, or raises ``RecordError`` naming the field and the reason. Reasons are Swedish,
fit to show an administrator, and never contain a personnummer: a value that could be one
is not echoed (``shown``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lotsen.people.identity import IdentityNumber, InvalidIdentityNumber, parse_identity_number
from lotsen.school.merit import InvalidGrade, parse_grade
from lotsen.school.ss12000 import spec

KEPT_SCHOOL_TYPES = frozenset({"GR", "GRS", "GY", "GYS"})
COMPULSORY_SCHOOL_TYPES = frozenset({"GR", "GRS"})

REASON_MISSING = "saknas"
REASON_NOT_UUID = "är inte ett UUID"
REASON_NOT_TEXT = "ska vara en text"
REASON_NOT_INTEGER = "ska vara ett heltal"
REASON_NOT_BOOLEAN = "ska vara true eller false"
REASON_NOT_LIST = "ska vara en lista"
REASON_NOT_OBJECT = "ska vara ett objekt"
REASON_NOT_DATE = "är inte ett datum (ÅÅÅÅ-MM-DD)"
REASON_TOO_LONG = "är för lång (högst {limit} tecken)"
REASON_ENUM = "okänt värde {value}, inte ett av specens värden"
REASON_NEGATIVE = "får inte vara negativ"
REASON_TOO_LARGE = "är orimligt stort"
REASON_CIVIC_NO_FORMAT = "ska vara tolv siffror utan skiljetecken"
REASON_CIVIC_NO_TEMPORARY = (
    "ett tillfälligt personnummer (med bokstäver) kan inte tas emot; Lotsen behöver "
    "personnummer eller samordningsnummer"
)
REASON_CIVIC_NO_FOREIGN = "ett personnummer från ett annat land än Sverige kan inte tas emot"
REASON_SCHOOL_UNIT_CODE = "ska vara åtta siffror"
REASON_MUNICIPALITY_CODE = "ska vara en kommunkod (1–9999)"
REASON_POSTAL_CODE = "ska vara ett postnummer med fem siffror"
REASON_EMAIL = "är inte en e-postadress"
REASON_END_BEFORE_START = "slutdatumet ligger före startdatumet"
REASON_SCHOOL_TYPE_SKIPPED = "skolformen {value} tas inte in i Lotsen"
REASON_NOT_SCHOOL_UNIT = "ingen skolenhetskod: inte en skolenhet"
REASON_NO_SUBJECT = "kursplanen har varken ämnesbeteckning, ämneskod eller kurskod"
REASON_YEAR = "ska vara ett år mellan 1900 och 2100"
REASON_SCHOOL_YEAR = "ska vara en årskurs mellan 0 och 10"
REASON_SUMS = "frånvaron är större än den erbjudna tiden"

MAX_MINUTES = 2_147_483_647  # PositiveIntegerField on both databases
VALUE_HIDDEN = "(värdet visas inte)"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL = re.compile(r"^(\d{3})\s?(\d{2})$")
_TWELVE_DIGITS = re.compile(r"^\d{12}$")
_TEMPORARY = re.compile(r"^\d{8}[A-Za-z]{2}\d{2}$")
_SCHOOL_UNIT = re.compile(r"^\d{8}$")
# The canonical text form (RFC 4122), which the spec's "format: uuid" means.
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# Skolverket's three-letter subject codes in compulsory school (as in GRGRMAT01) and the
# short subject designations the merit rules use (lotsen.school.merit.SUBJECT_NAMES).
_GR_SUBJECT_CODES = {
    "SVE": "SV", "SVA": "SVA", "ENG": "EN", "MAT": "MA", "BIO": "BI", "FYS": "FY",
    "KEM": "KE", "GEO": "GE", "HIS": "HI", "REL": "RE", "SAM": "SH", "TEK": "TK",
    "BIL": "BL", "HKK": "HKK", "IDH": "IDH", "MUS": "MU", "SLJ": "SL", "MOD": "ML",
}  # fmt: skip


class RecordError(ValueError):
    """One record cannot be imported: ``field`` names where, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


# --- Small readers -----------------------------------------------------------------------


def shown(value: object) -> str:
    """A value fit to echo in a reason: never one that could be a personnummer."""
    text = str(value)
    if sum(character.isdigit() for character in text) >= 6:
        return VALUE_HIDDEN
    if len(text) > 30:
        text = text[:30] + "…"
    return f"'{text}'"


def _obj(raw: Mapping[str, Any], name: str, *, required: bool = False) -> Mapping[str, Any] | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise RecordError(name, REASON_MISSING)
        return None
    if not isinstance(value, Mapping):
        raise RecordError(name, REASON_NOT_OBJECT)
    return value


def _uuid(value: object, name: str) -> str:
    if value is None:
        raise RecordError(name, REASON_MISSING)
    if not isinstance(value, str) or not _UUID.match(value):
        raise RecordError(name, REASON_NOT_UUID)
    return value.lower()


def _ref(raw: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    reference = _obj(raw, name, required=required)
    if reference is None:
        return None
    return _uuid(reference.get("id"), f"{name}.id")


def _text(
    raw: Mapping[str, Any], name: str, *, limit: int, required: bool = False, label: str = ""
) -> str:
    label = label or name
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError(label, REASON_MISSING)
        return ""
    if not isinstance(value, str):
        raise RecordError(label, REASON_NOT_TEXT)
    value = " ".join(value.split())
    if len(value) > limit:
        raise RecordError(label, REASON_TOO_LONG.format(limit=limit))
    return value


def _enum(
    raw: Mapping[str, Any], name: str, allowed: frozenset[str], *, label: str = ""
) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise RecordError(label or name, REASON_ENUM.format(value=shown(value)))
    return value


def _date(
    raw: Mapping[str, Any], name: str, *, required: bool = False, label: str = ""
) -> dt.date | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise RecordError(label or name, REASON_MISSING)
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise RecordError(label or name, REASON_NOT_DATE)
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise RecordError(label or name, REASON_NOT_DATE) from error


def _int(
    raw: Mapping[str, Any],
    name: str,
    *,
    required: bool = False,
    minimum: int | None = None,
    maximum: int | None = None,
    label: str = "",
) -> int | None:
    label = label or name
    value = raw.get(name)
    if value is None:
        if required:
            raise RecordError(label, REASON_MISSING)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(label, REASON_NOT_INTEGER)
    if minimum is not None and value < minimum:
        raise RecordError(label, REASON_NEGATIVE if minimum == 0 else REASON_TOO_LARGE)
    if maximum is not None and value > maximum:
        raise RecordError(label, REASON_TOO_LARGE)
    return value


def _bool(raw: Mapping[str, Any], name: str, *, required: bool = False) -> bool | None:
    value = raw.get(name)
    if value is None:
        if required:
            raise RecordError(name, REASON_MISSING)
        return None
    if not isinstance(value, bool):
        raise RecordError(name, REASON_NOT_BOOLEAN)
    return value


def _list(raw: Mapping[str, Any], name: str) -> list[Any]:
    value = raw.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise RecordError(name, REASON_NOT_LIST)
    return value


def record_id(raw: object) -> str:
    """The record's id for a reject list: its uuid when it has one that looks like one."""
    if isinstance(raw, Mapping):
        value = raw.get("id")
        if isinstance(value, str):
            return value.lower() if _UUID.match(value) else VALUE_HIDDEN
    return ""


# --- Keys for records that SS 12000 gives no id ------------------------------------------


def enrolment_key(*, person_id: str, school_type: str, school_unit_id: str, start: dt.date) -> str:
    """The external id of an enrolment: an enrolment is part of its Person in SS 12000."""
    return f"{person_id}:{school_type}:{school_unit_id}:{start.isoformat()}"


def attendance_key(*, student_id: str, school_unit_code: str, start: dt.date, end: dt.date) -> str:
    """The external id of one pupil's aggregated attendance at one school over a period."""
    return f"{student_id}:{school_unit_code}:{start.isoformat()}:{end.isoformat()}"


# --- Organisations -----------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationRecord:
    id: str
    name: str
    organisation_type: str
    school_unit_code: str
    municipality_code: str
    organisation_number: str


def organisation_parse(raw: Mapping[str, Any]) -> OrganisationRecord:
    if not isinstance(raw, Mapping):
        raise RecordError("", REASON_NOT_OBJECT)
    org_id = _uuid(raw.get("id"), "id")
    name = _text(raw, "displayName", limit=200, required=True)
    org_type = _enum(raw, "organisationType", spec.ORGANISATION_TYPES)
    if org_type is None:
        raise RecordError("organisationType", REASON_MISSING)
    code = _text(raw, "schoolUnitCode", limit=100)
    if code and not _SCHOOL_UNIT.match(code):
        raise RecordError("schoolUnitCode", REASON_SCHOOL_UNIT_CODE)
    municipality = _text(raw, "municipalityCode", limit=100)
    if municipality and not re.match(r"^\d{4}$", municipality):
        # Only a school unit needs one; for others a bad code is left out, not a reject.
        if code:
            raise RecordError("municipalityCode", REASON_MUNICIPALITY_CODE)
        municipality = ""
    number = _text(raw, "organisationNumber", limit=100)
    return OrganisationRecord(
        id=org_id,
        name=name,
        organisation_type=org_type,
        school_unit_code=code,
        municipality_code=municipality,
        organisation_number=number,
    )


# --- Persons and enrolments ----------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentRecord:
    index: int
    school_unit_id: str
    school_type: str
    school_year: int | None
    programme: str
    start_date: dt.date
    end_date: dt.date | None
    cancelled: bool


@dataclass(frozen=True)
class EnrolmentProblem:
    index: int
    skipped: bool  # True: a school type Lotsen does not take in; False: rejected
    field: str
    reason: str


@dataclass(frozen=True)
class Address:
    street: str
    postal_code: str
    city: str
    municipality_code: str


@dataclass(frozen=True)
class PersonRecord:
    id: str
    identity: IdentityNumber
    given_name: str
    family_name: str
    sex: str | None
    security_marking: str | None
    address: Address | None
    phone: str | None
    email: str | None
    enrolments: tuple[EnrolmentRecord, ...] = ()
    enrolment_problems: tuple[EnrolmentProblem, ...] = field(default=())


def civic_no_parse(value: object, *, today: dt.date | None = None) -> IdentityNumber:
    """SS 12000 ``civicNo.value``: twelve digits, no separator; a samordningsnummer has the
    day of birth plus 60. The reasons never repeat the number."""
    if not isinstance(value, str) or not value.strip():
        raise RecordError("civicNo.value", REASON_MISSING)
    value = value.strip()
    if _TEMPORARY.match(value):
        raise RecordError("civicNo.value", REASON_CIVIC_NO_TEMPORARY)
    if not _TWELVE_DIGITS.match(value):
        raise RecordError("civicNo.value", REASON_CIVIC_NO_FORMAT)
    try:
        return parse_identity_number(value, today=today)
    except InvalidIdentityNumber as error:
        raise RecordError("civicNo.value", str(error)) from error


def person_parse(raw: Mapping[str, Any], *, today: dt.date | None = None) -> PersonRecord:
    if not isinstance(raw, Mapping):
        raise RecordError("", REASON_NOT_OBJECT)
    person_id = _uuid(raw.get("id"), "id")
    civic = _obj(raw, "civicNo", required=True)
    assert civic is not None
    nationality = civic.get("nationality")
    if nationality is not None and (
        not isinstance(nationality, str) or nationality.upper() != "SE"
    ):
        raise RecordError("civicNo.nationality", REASON_CIVIC_NO_FOREIGN)
    identity = civic_no_parse(civic.get("value"), today=today)

    given = _text(raw, "givenName", limit=100, required=True)
    middle = _text(raw, "middleName", limit=100)
    family = _text(raw, "familyName", limit=100, required=True)
    # A Swedish middle name (mellannamn) is a surname kept before the family name.
    if middle:
        family = f"{middle} {family}"
        if len(family) > 100:
            raise RecordError("middleName", REASON_TOO_LONG.format(limit=100))
    sex = _enum(raw, "sex", spec.SEX)
    marking = _enum(raw, "securityMarking", spec.SECURITY_MARKINGS)
    _enum(raw, "personStatus", spec.PERSON_STATUSES)

    return PersonRecord(
        id=person_id,
        identity=identity,
        given_name=given,
        family_name=family,
        sex=sex,
        security_marking=marking,
        address=_address(raw),
        phone=_phone(raw),
        email=_email(raw),
        **_enrolments(raw),
    )


def _address(raw: Mapping[str, Any]) -> Address | None:
    chosen: tuple[int, Mapping[str, Any]] | None = None
    for index, item in enumerate(_list(raw, "addresses")):
        label = f"addresses[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(label, REASON_NOT_OBJECT)
        kind = _enum(item, "type", spec.ADDRESS_TYPES, label=f"{label}.type")
        kind = kind or spec.ADDRESS_REGISTERED  # the spec's default
        if kind == spec.ADDRESS_REGISTERED and chosen is None:
            chosen = (index, item)
    if chosen is None:
        return None
    index, item = chosen
    label = f"addresses[{index}]"
    street = _text(item, "streetAddress", limit=200, label=f"{label}.streetAddress")
    city = _text(item, "locality", limit=100, label=f"{label}.locality")
    postal = _text(item, "postalCode", limit=20, label=f"{label}.postalCode")
    if postal:
        match = _POSTAL.match(postal)
        if not match:
            raise RecordError(f"{label}.postalCode", REASON_POSTAL_CODE)
        postal = f"{match[1]} {match[2]}"
    municipality = ""
    code = item.get("municipalityCode")
    if code is not None:
        # The spec types a person's municipality code as an integer (0180 arrives as 180).
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        if isinstance(code, bool) or not isinstance(code, int) or not 1 <= code <= 9999:
            raise RecordError(f"{label}.municipalityCode", REASON_MUNICIPALITY_CODE)
        municipality = f"{code:04d}"
    return Address(street=street, postal_code=postal, city=city, municipality_code=municipality)


def _phone(raw: Mapping[str, Any]) -> str | None:
    numbers = []
    for index, item in enumerate(_list(raw, "phoneNumbers")):
        label = f"phoneNumbers[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(label, REASON_NOT_OBJECT)
        value = _text(item, "value", limit=30, label=f"{label}.value")
        _enum(item, "type", spec.PHONE_TYPES, label=f"{label}.type")
        mobile = item.get("mobile", True) is True
        if value:
            numbers.append((not mobile, index, value))
    return min(numbers)[2] if numbers else None


def _email(raw: Mapping[str, Any]) -> str | None:
    addresses = []
    for index, item in enumerate(_list(raw, "emails")):
        label = f"emails[{index}]"
        if not isinstance(item, Mapping):
            raise RecordError(label, REASON_NOT_OBJECT)
        value = _text(item, "value", limit=254, label=f"{label}.value")
        kind = _enum(item, "type", spec.EMAIL_TYPES, label=f"{label}.type")
        if value and not _EMAIL.match(value):
            raise RecordError(f"{label}.value", REASON_EMAIL)
        if value:
            # A private address reaches the young person after they leave the school.
            addresses.append((kind != "Privat", index, value))
    return min(addresses)[2] if addresses else None


def _enrolments(raw: Mapping[str, Any]) -> dict[str, tuple]:
    records: list[EnrolmentRecord] = []
    problems: list[EnrolmentProblem] = []
    for index, item in enumerate(_list(raw, "enrolments")):
        label = f"enrolments[{index}]"
        try:
            if not isinstance(item, Mapping):
                raise RecordError(label, REASON_NOT_OBJECT)
            school_type = _enum(item, "schoolType", spec.SCHOOL_TYPES, label=f"{label}.schoolType")
            if school_type is None:
                raise RecordError(f"{label}.schoolType", REASON_MISSING)
            if school_type not in KEPT_SCHOOL_TYPES:
                problems.append(
                    EnrolmentProblem(
                        index=index,
                        skipped=True,
                        field=f"{label}.schoolType",
                        reason=REASON_SCHOOL_TYPE_SKIPPED.format(value=school_type),
                    )
                )
                continue
            school_unit_id = _ref(item, "enroledAt")
            start = _date(item, "startDate", required=True, label=f"{label}.startDate")
            end = _date(item, "endDate", label=f"{label}.endDate")
            assert start is not None
            if end is not None and end < start:
                raise RecordError(f"{label}.endDate", REASON_END_BEFORE_START)
            school_year = _int(item, "schoolYear", label=f"{label}.schoolYear")
            if school_year is not None and not 0 <= school_year <= 10:
                raise RecordError(f"{label}.schoolYear", REASON_SCHOOL_YEAR)
            programme = _text(item, "educationCode", limit=20, label=f"{label}.educationCode")
            cancelled = _bool(item, "cancelled") or False
        except RecordError as error:
            field_name = error.field if error.field.startswith(label) else f"{label}.{error.field}"
            problems.append(
                EnrolmentProblem(index=index, skipped=False, field=field_name, reason=error.reason)
            )
            continue
        assert school_unit_id is not None
        records.append(
            EnrolmentRecord(
                index=index,
                school_unit_id=school_unit_id,
                school_type=school_type,
                school_year=school_year,
                programme=programme,
                start_date=start,
                end_date=end,
                cancelled=cancelled,
            )
        )
    return {"enrolments": tuple(records), "enrolment_problems": tuple(problems)}


# --- Syllabuses and grades -----------------------------------------------------------------


@dataclass(frozen=True)
class SyllabusRecord:
    id: str
    school_type: str
    subject_code: str
    course_code: str
    points: int | None


def syllabus_parse(raw: Mapping[str, Any]) -> SyllabusRecord:
    if not isinstance(raw, Mapping):
        raise RecordError("", REASON_NOT_OBJECT)
    syllabus_id = _uuid(raw.get("id"), "id")
    school_type = _enum(raw, "schoolType", spec.SCHOOL_TYPES) or ""
    designation = _text(raw, "subjectDesignation", limit=100).upper().replace(" ", "")
    subject_code = _text(raw, "subjectCode", limit=100).upper().replace(" ", "")
    course_code = _text(raw, "courseCode", limit=20).replace(" ", "")
    compulsory = school_type in COMPULSORY_SCHOOL_TYPES
    # Points belong to upper-secondary courses; compulsory school has none to check.
    points = None if compulsory else _int(raw, "points", minimum=0, maximum=10_000)
    if designation:
        subject = designation
        if compulsory:
            # Mother tongue and modern languages carry the language in the designation
            # (MLARA, M2SPA); the merit rules count them by kind.
            for prefix in ("ML", "M1", "M2"):
                if subject.startswith(prefix):
                    subject = prefix
    elif subject_code:
        subject = subject_code
        if compulsory and subject.startswith("GRGR") and len(subject) >= 7:
            subject = _GR_SUBJECT_CODES.get(subject[4:7], subject[4:7])
    elif course_code:
        subject = course_code[:3].upper()
    else:
        raise RecordError("subjectDesignation", REASON_NO_SUBJECT)
    if len(subject) > 10:
        raise RecordError("subjectDesignation", REASON_TOO_LONG.format(limit=10))
    return SyllabusRecord(
        id=syllabus_id,
        school_type=school_type,
        subject_code=subject,
        course_code="" if compulsory else course_code,
        points=None if compulsory else points,
    )


@dataclass(frozen=True)
class GradeRecord:
    id: str
    student_id: str
    syllabus_id: str
    school_unit_id: str | None
    value: str
    final: bool
    semester: str
    year: int | None
    registered_on: dt.date


def grade_parse(raw: Mapping[str, Any]) -> GradeRecord:
    if not isinstance(raw, Mapping):
        raise RecordError("", REASON_NOT_OBJECT)
    grade_id = _uuid(raw.get("id"), "id")
    student_id = _ref(raw, "student")
    syllabus_id = _ref(raw, "syllabus")
    # The spec requires "schoolUnit" but defines only "organisation" (a slip in 2.1.0);
    # servers send one or the other.
    school_unit_id = _ref(raw, "organisation", required=False) or _ref(
        raw, "schoolUnit", required=False
    )
    grade_value = raw.get("gradeValue")
    if grade_value is None:
        raise RecordError("gradeValue", REASON_MISSING)
    if not isinstance(grade_value, str):
        raise RecordError("gradeValue", REASON_NOT_TEXT)
    try:
        value = parse_grade(text=grade_value)
    except InvalidGrade as error:
        raise RecordError("gradeValue", str(error)) from error
    final = _bool(raw, "finalGrade", required=True)
    semester = _enum(raw, "semester", spec.SEMESTERS) or ""
    year = _int(raw, "year")
    if year is not None and not 1900 <= year <= 2100:
        raise RecordError("year", REASON_YEAR)
    registered = _date(raw, "registeredDate", required=True)
    assert student_id and syllabus_id and registered and final is not None
    return GradeRecord(
        id=grade_id,
        student_id=student_id,
        syllabus_id=syllabus_id,
        school_unit_id=school_unit_id,
        value=value,
        final=final,
        semester=semester,
        year=year,
        registered_on=registered,
    )


# --- Aggregated attendance -----------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRecord:
    student_id: str
    start_date: dt.date
    end_date: dt.date
    attended: int
    valid_absence: int
    invalid_absence: int
    offered: int | None


def attendance_parse(raw: Mapping[str, Any]) -> AttendanceRecord:
    if not isinstance(raw, Mapping):
        raise RecordError("", REASON_NOT_OBJECT)
    student_id = _ref(raw, "student")
    _ref(raw, "activity")
    start = _date(raw, "startDate", required=True)
    end = _date(raw, "endDate", required=True)
    assert student_id and start and end
    if end < start:
        raise RecordError("endDate", REASON_END_BEFORE_START)
    minutes = {
        name: _int(raw, name, required=name == "attendanceSum", minimum=0, maximum=MAX_MINUTES)
        for name in ("attendanceSum", "validAbsenceSum", "invalidAbsenceSum", "offeredSum")
    }
    return AttendanceRecord(
        student_id=student_id,
        start_date=start,
        end_date=end,
        attended=minutes["attendanceSum"] or 0,
        valid_absence=minutes["validAbsenceSum"] or 0,
        invalid_absence=minutes["invalidAbsenceSum"] or 0,
        offered=minutes["offeredSum"],
    )


# --- Groups ----------------------------------------------------------------------------------

# SS 12000's group types and the values ``school.models.GroupType`` stores them as.
GROUP_TYPE_VALUES = {
    "Undervisning": "undervisning",
    "Klass": "klass",
    "Mentor": "mentor",
    "Provgrupp": "provgrupp",
    "Schema": "schema",
    "Avdelning": "avdelning",
    "Personalgrupp": "personalgrupp",
    "Övrigt": "ovrigt",
}
REASON_GROUP_NAME_LIMIT = 100


@dataclass(frozen=True)
class GroupMemberRecord:
    index: int
    person_id: str
    start_date: dt.date | None
    end_date: dt.date | None


@dataclass(frozen=True)
class GroupProblem:
    index: int
    field: str
    reason: str


@dataclass(frozen=True)
class GroupRecord:
    id: str
    name: str
    group_type: str  # the stored value, e.g. "klass"
    school_type: str
    school_unit_id: str
    start_date: dt.date
    end_date: dt.date | None
    members: tuple[GroupMemberRecord, ...]
    member_problems: tuple[GroupProblem, ...]


def group_parse(raw: Mapping[str, Any]) -> GroupRecord:
    """A ``Group`` (with ``groupMemberships``). A bad membership is a problem of its own,
    reported with its index; the group and its other members are still taken in."""
    if not isinstance(raw, Mapping):
        raise RecordError("", REASON_NOT_OBJECT)
    group_id = _uuid(raw.get("id"), "id")
    name = _text(raw, "displayName", limit=REASON_GROUP_NAME_LIMIT, required=True)
    group_type = _enum(raw, "groupType", spec.GROUP_TYPES)
    if group_type is None:
        raise RecordError("groupType", REASON_MISSING)
    school_type = _enum(raw, "schoolType", spec.SCHOOL_TYPES) or ""
    school_unit_id = _ref(raw, "organisation")
    start = _date(raw, "startDate", required=True)
    end = _date(raw, "endDate")
    assert start is not None and school_unit_id is not None
    if end is not None and end < start:
        raise RecordError("endDate", REASON_END_BEFORE_START)
    members: list[GroupMemberRecord] = []
    problems: list[GroupProblem] = []
    for index, item in enumerate(_list(raw, "groupMemberships")):
        label = f"groupMemberships[{index}]"
        try:
            if not isinstance(item, Mapping):
                raise RecordError(label, REASON_NOT_OBJECT)
            person_id = _ref(item, "person", required=True)
            member_start = _date(item, "startDate", label=f"{label}.startDate")
            member_end = _date(item, "endDate", label=f"{label}.endDate")
            if member_start and member_end and member_end < member_start:
                raise RecordError(f"{label}.endDate", REASON_END_BEFORE_START)
        except RecordError as error:
            field_name = error.field if error.field.startswith(label) else f"{label}.{error.field}"
            problems.append(GroupProblem(index=index, field=field_name, reason=error.reason))
            continue
        assert person_id is not None
        members.append(GroupMemberRecord(index, person_id, member_start, member_end))
    return GroupRecord(
        id=group_id,
        name=name,
        group_type=GROUP_TYPE_VALUES[group_type],
        school_type=school_type,
        school_unit_id=school_unit_id,
        start_date=start,
        end_date=end,
        members=tuple(members),
        member_problems=tuple(problems),
    )
