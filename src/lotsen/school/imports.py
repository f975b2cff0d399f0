"""School data imports: CSV files for schools without an SS 12000 API, and the
``lotsen import`` kinds ``school-csv`` and ``ss12000`` (the SS 12000 run itself is in
``school.ss12000.importer``).

Three kinds of file, one kind per file: ``enrolments``, ``grades``, ``attendance``; their
columns are in ``COLUMN_HELP`` (also shown by ``lotsen import school-csv --help``).

A file is all or nothing: every line is checked first, and if any line has an error
nothing is written and every error is reported with its line, column and reason (never
the personnummer). A good file is written in one transaction. Each row has a key made
from what identifies it (the person's id in Lotsen, never the personnummer, and e.g. the
subject and term), so importing the same file twice changes nothing, and a corrected file
updates the rows it corrects.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError

from lotsen.accounts.codes import normalize_organisation_number
from lotsen.accounts.models import Organisation, OrganisationKind, Role
from lotsen.ingest import csvfile, csvvalues
from lotsen.ingest.csvfile import CsvFileError, csv_file_read
from lotsen.ingest.csvvalues import CsvValueError, csv_date, csv_integer
from lotsen.ingest.models import ImportRun
from lotsen.ingest.persons import persons_by_personnummer
from lotsen.ingest.progress import Progress
from lotsen.ingest.registry import (
    Importer,
    Upload,
    UploadOutcome,
    after_import_run,
    importer_register,
)
from lotsen.ingest.runs import STATUS_DONE, ImportFailed, ImportRecorder, PageWork, import_actor
from lotsen.ingest.upsert import counts_add, ids_by_values, rows_upsert, values_merge
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Person
from lotsen.school.merit import (
    InvalidGrade,
    UnknownSubject,
    parse_grade,
    parse_subject,
)
from lotsen.school.models import (
    GRADE_IMPORT_FIELDS,
    AttendancePeriod,
    Enrolment,
    Grade,
    GradeKind,
)
from lotsen.school.ss12000.client import DEFAULT_PAGE_SIZE, SS12000Client
from lotsen.school.ss12000.importer import ss12000_import
from lotsen.school.upload_scope import school_csv_out_of_scope, school_unit_codes_of

KINDS = ("enrolments", "grades", "attendance")
KEPT_SCHOOL_TYPES = ("GR", "GRS", "GY", "GYS")
CHUNK_ROWS = 5000
MAX_MINUTES = 2_147_483_647
EARLIEST_DATE = csvvalues.EARLIEST_DATE
LATEST_DATE = csvvalues.LATEST_DATE

COLUMN_HELP = """\
Kolumner (rubrikrad krävs; UTF-8, med eller utan BOM; avgränsare , eller ;).
Personnummer skrivs ÅÅÅÅMMDD-NNNN, ÅÅÅÅMMDDNNNN eller ÅÅMMDD-NNNN; samordningsnummer
går också. Datum skrivs ÅÅÅÅ-MM-DD. * = måste finnas och vara ifyllt.

--kind enrolments (inskrivningar)
  personnummer*      eleven
  school_unit_code*  skolenhetskod, åtta siffror; skolenheten ska finnas i Lotsen
  school_type*       GR, GRS, GY eller GYS
  start_date*        startdatum
  end_date           slutdatum (tomt: pågår)
  end_reason         varför inskrivningen slutade (t.ex. Gymnasieexamen, Avbrott)
  school_year        årskurs, 0–10
  programme          program eller studievägskod (t.ex. NA, EE, IM), högst 20 tecken
  given_name         förnamn: krävs för en elev som inte finns i Lotsen
  family_name        efternamn: krävs för en elev som inte finns i Lotsen
  home_municipality_code  folkbokföringskommun, fyra siffror (bara för en ny elev)

--kind grades (betyg)
  personnummer*      eleven; ska finnas i Lotsen (importera inskrivningarna först)
  subject*           ämne: i grundskolan en ämnesbeteckning (SV, SVA, EN, MA, BI, FY, KE,
                     GE, HI, RE, SH, TK, BL, HKK, IDH, MU, SL, ML, M1, M2); med kurskod
                     ämneskoden (t.ex. SVE, MAT)
  grade*             A, B, C, D, E, F eller - (streck)
  kind*              final (slutbetyg) eller term (terminsbetyg)
  registered_on*     datum då betyget registrerades
  semester           HT eller VT (krävs för terminsbetyg)
  year               år, t.ex. 2026 (krävs för terminsbetyg)
  course_code        kurskod i gymnasieskolan, t.ex. SVESVE01, MATMAT01a
  points             kursens poäng, t.ex. 100
  school_unit_code   skolenhetskod

--kind attendance (närvaro per period, i minuter)
  personnummer*      eleven; ska finnas i Lotsen
  start_date*        periodens första dag
  end_date*          periodens sista dag
  offered_minutes*   erbjuden tid
  attended_minutes*  närvaro
  valid_absence_minutes    giltig frånvaro (tomt: 0)
  invalid_absence_minutes  ogiltig frånvaro (tomt: 0)
  school_unit_code   skolenhetskod
"""

_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "enrolments": (
        ("personnummer", "school_unit_code", "school_type", "start_date"),
        (
            "end_date",
            "end_reason",
            "school_year",
            "programme",
            "given_name",
            "family_name",
            "home_municipality_code",
        ),
    ),
    "grades": (
        ("personnummer", "subject", "grade", "kind", "registered_on"),
        ("semester", "year", "course_code", "points", "school_unit_code"),
    ),
    "attendance": (
        ("personnummer", "start_date", "end_date", "offered_minutes", "attended_minutes"),
        ("valid_absence_minutes", "invalid_absence_minutes", "school_unit_code"),
    ),
}

ERROR_KIND = "okänd sort {kind}: välj enrolments, grades eller attendance"
ERROR_FILE = "{count} fel i filen; ingenting skrevs."
ERROR_EMPTY = csvfile.ERROR_EMPTY
ERROR_NOT_UTF8 = csvfile.ERROR_NOT_UTF8
ERROR_MISSING_COLUMN = csvfile.ERROR_MISSING_COLUMN
ERROR_UNKNOWN_COLUMN = csvfile.ERROR_UNKNOWN_COLUMN
ERROR_DUPLICATE_COLUMN = csvfile.ERROR_DUPLICATE_COLUMN
ERROR_TOO_MANY_FIELDS = csvfile.ERROR_TOO_MANY_VALUES
# The same fault has the same wording in every import (lotsen.ingest.csvvalues).
ERROR_REQUIRED = csvvalues.ERROR_REQUIRED
ERROR_DATE = csvvalues.ERROR_DATE
ERROR_DATE_RANGE = csvvalues.ERROR_DATE_RANGE
ERROR_INTEGER = csvvalues.ERROR_INTEGER
ERROR_RANGE = csvvalues.ERROR_RANGE
ERROR_TOO_LONG = csvvalues.ERROR_TOO_LONG
ERROR_SCHOOL_UNIT_FORMAT = csvvalues.ERROR_SCHOOL_UNIT_CODE
ERROR_MUNICIPALITY = csvvalues.ERROR_MUNICIPALITY_CODE
ERROR_END_BEFORE_START = csvvalues.ERROR_END_BEFORE_START
ERROR_DUPLICATE_ROW = csvvalues.ERROR_DUPLICATE_ROW
ERROR_SCHOOL_TYPE = "Ska vara GR, GRS, GY eller GYS."
ERROR_SCHOOL_UNIT = "Ingen skolenhet i Lotsen har skolenhetskoden."
ERROR_UNKNOWN_PERSON = "Eleven finns inte i Lotsen; importera inskrivningarna först."
ERROR_NEW_PERSON_NAMES = "Eleven finns inte i Lotsen: fyll i given_name och family_name."
ERROR_KIND_VALUE = "Ska vara final (slutbetyg) eller term (terminsbetyg)."
ERROR_SEMESTER = "Ska vara HT eller VT."
ERROR_TERM_NEEDS = "Ett terminsbetyg behöver termin (semester) och år (year)."
ERROR_SUBJECT_CODE = "Ska vara 1–10 bokstäver eller siffror."
ERROR_SUMS = "Närvaro och frånvaro är tillsammans mer än den erbjudna tiden."
ERROR_DATABASE = "databasfel ({kind}); ingenting skrevs"

_KIND_VALUES = {
    "final": GradeKind.FINAL,
    "slutbetyg": GradeKind.FINAL,
    "term": GradeKind.TERM,
    "terminsbetyg": GradeKind.TERM,
}
_SUBJECT = re.compile(r"^[A-ZÅÄÖ0-9]{1,10}$")


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    reason: str

    def as_reject(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        where = f"rad {self.line}" + (f", kolumn {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


class _RowError(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


# --- Reading -----------------------------------------------------------------------------------


def _rows(data: bytes, kind: str) -> tuple[list[tuple[int, dict[str, str]]], list[LineError]]:
    """(line number, {column: value}) for each readable data row, every known column
    present, and the rows that could not be read (too many values, a value too long or
    with a control character); raises ``_FileErrors`` for what is wrong with the file
    itself (encoding, header, quoting)."""
    required, optional = _COLUMNS[kind]
    try:
        read = csv_file_read(data, required=required, optional=optional, collect_row_problems=True)
    except CsvFileError as error:
        raise _FileErrors(_line_errors(error.problems)) from None
    # The header holds no unknown column (the reader refused it), so only the optional
    # columns the file left out are missing from each row.
    absent = dict.fromkeys((c for c in (*required, *optional) if c not in read.header), "")
    if absent:
        for _line, row in read.rows:
            row.update(absent)
    return read.rows, _line_errors(read.problems)


def _line_errors(problems: list) -> list[LineError]:
    return [LineError(p.line, p.column, p.message) for p in problems]


class _FileErrors(Exception):
    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} fel")
        self.errors = errors


def _required(values: dict[str, str], column: str) -> str:
    value = values.get(column, "")
    if not value:
        raise _RowError(column, ERROR_REQUIRED)
    return value


def _date(values: dict[str, str], column: str, *, required: bool = False) -> dt.date | None:
    value = _required(values, column) if required else values.get(column, "")
    if not value:
        return None
    try:
        return csv_date(value)
    except CsvValueError as error:
        raise _RowError(column, str(error)) from None


def _int(
    values: dict[str, str], column: str, *, low: int, high: int, required: bool = False
) -> int | None:
    value = _required(values, column) if required else values.get(column, "")
    if not value:
        return None
    try:
        return csv_integer(value, low=low, high=high)
    except CsvValueError as error:
        raise _RowError(column, str(error)) from None


def _text(values: dict[str, str], column: str, *, limit: int) -> str:
    value = " ".join(values.get(column, "").split())
    if len(value) > limit:
        raise _RowError(column, ERROR_TOO_LONG.format(limit=limit))
    return value


def _school_unit_code(values: dict[str, str], *, required: bool = False) -> str:
    value = _required(values, "school_unit_code") if required else values["school_unit_code"]
    if value and not re.fullmatch(r"\d{8}", value):
        raise _RowError("school_unit_code", ERROR_SCHOOL_UNIT_FORMAT)
    return value


class _Checks:
    """Every fault on one line: a check that fails records its column and reason and gives
    None, so the checks after it still run (a line names all its errors, not the first)."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def get(self, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return check(*args, **kwargs)
        except _RowError as error:
            self.errors.append((error.column, error.reason))
            return None

    def error(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))


# --- Rows by kind --------------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    number: str  # normalised personnummer: used for the lookup only, never stored in keys
    values: dict[str, Any]


def _school_type(values: dict[str, str]) -> str:
    school_type = _required(values, "school_type").upper()
    if school_type not in KEPT_SCHOOL_TYPES:
        raise _RowError("school_type", ERROR_SCHOOL_TYPE)
    return school_type


def _municipality(values: dict[str, str]) -> str:
    municipality = values["home_municipality_code"]
    if municipality and not re.fullmatch(r"\d{4}", municipality):
        raise _RowError("home_municipality_code", ERROR_MUNICIPALITY)
    return municipality


def _enrolment_row(values: dict[str, str], check: _Checks) -> dict[str, Any]:
    school_type = check.get(_school_type, values)
    start = check.get(_date, values, "start_date", required=True)
    end = check.get(_date, values, "end_date")
    if start and end and end < start:
        check.error("end_date", ERROR_END_BEFORE_START)
    return {
        "school_unit_code": check.get(_school_unit_code, values, required=True),
        "school_type": school_type,
        "start_date": start,
        "end_date": end,
        "end_reason": check.get(_text, values, "end_reason", limit=100) if end else "",
        "school_year": check.get(_int, values, "school_year", low=0, high=10),
        "programme": check.get(_text, values, "programme", limit=20),
        "given_name": check.get(_text, values, "given_name", limit=100),
        "family_name": check.get(_text, values, "family_name", limit=100),
        "home_municipality_code": check.get(_municipality, values),
    }


def _subject(values: dict[str, str], course_code: str) -> str:
    subject_text = _required(values, "subject")
    if course_code:
        subject = subject_text.upper()
        if not _SUBJECT.match(subject):
            raise _RowError("subject", ERROR_SUBJECT_CODE)
        return subject
    try:
        return parse_subject(text=subject_text)
    except UnknownSubject as error:
        raise _RowError("subject", str(error)) from error


def _grade_value(values: dict[str, str]) -> str:
    try:
        return parse_grade(text=_required(values, "grade"))
    except InvalidGrade as error:
        raise _RowError("grade", str(error)) from error


def _grade_kind(values: dict[str, str]) -> str:
    kind = _KIND_VALUES.get(_required(values, "kind").lower())
    if kind is None:
        raise _RowError("kind", ERROR_KIND_VALUE)
    return kind


def _semester(values: dict[str, str]) -> str:
    semester = values["semester"].upper()
    if semester and semester not in ("HT", "VT"):
        raise _RowError("semester", ERROR_SEMESTER)
    return semester


def _grade_row(values: dict[str, str], check: _Checks) -> dict[str, Any]:
    course_code = (check.get(_text, values, "course_code", limit=20) or "").replace(" ", "")
    kind = check.get(_grade_kind, values)
    semester = check.get(_semester, values)
    year = check.get(_int, values, "year", low=1900, high=2100)
    if kind == GradeKind.TERM and semester is not None and not (semester and year):
        if not semester:
            check.error("semester", ERROR_TERM_NEEDS)
        elif "year" not in {column for column, _ in check.errors}:
            check.error("year", ERROR_TERM_NEEDS)
    return {
        "subject_code": check.get(_subject, values, course_code),
        "course_code": course_code,
        "value": check.get(_grade_value, values),
        "kind": kind,
        "semester": semester,
        "year": year,
        "registered_on": check.get(_date, values, "registered_on", required=True),
        "points": check.get(_int, values, "points", low=0, high=10_000),
        "school_unit_code": check.get(_school_unit_code, values),
    }


def _attendance_row(values: dict[str, str], check: _Checks) -> dict[str, Any]:
    start = check.get(_date, values, "start_date", required=True)
    end = check.get(_date, values, "end_date", required=True)
    if start and end and end < start:
        check.error("end_date", ERROR_END_BEFORE_START)
    offered = check.get(_int, values, "offered_minutes", low=0, high=MAX_MINUTES, required=True)
    attended = check.get(_int, values, "attended_minutes", low=0, high=MAX_MINUTES, required=True)
    valid = check.get(_int, values, "valid_absence_minutes", low=0, high=MAX_MINUTES) or 0
    invalid = check.get(_int, values, "invalid_absence_minutes", low=0, high=MAX_MINUTES) or 0
    if offered is not None and attended is not None and attended + valid + invalid > offered:
        check.error("offered_minutes", ERROR_SUMS)
    return {
        "start_date": start,
        "end_date": end,
        "offered_minutes": offered,
        "attended_minutes": attended,
        "valid_absence_minutes": valid,
        "invalid_absence_minutes": invalid,
        "school_unit_code": check.get(_school_unit_code, values),
    }


_ROW_PARSERS: dict[str, Callable[[dict[str, str], _Checks], dict[str, Any]]] = {
    "enrolments": _enrolment_row,
    "grades": _grade_row,
    "attendance": _attendance_row,
}


def _identity_key(kind: str, values: dict[str, Any]) -> tuple:
    """What makes two rows of a file the same record (besides the person)."""
    if kind == "enrolments":
        return (values["school_unit_code"], values["school_type"], values["start_date"])
    if kind == "grades":
        return (
            values["subject_code"],
            values["course_code"],
            values["kind"],
            values["semester"],
            values["year"],
        )
    return (values["start_date"], values["end_date"], values["school_unit_code"])


def _identity_number(values: dict[str, str]) -> str:
    try:
        return parse_identity_number(_required(values, "personnummer")).normalized
    except InvalidIdentityNumber as error:
        # The parser's messages say what is wrong, never the number itself.
        raise _RowError("personnummer", str(error)) from None


_WHAT = {"enrolments": "inskrivning", "grades": "betyg", "attendance": "period"}


def _parse(kind: str, data: bytes) -> tuple[list[_Row], list[LineError]]:
    parser = _ROW_PARSERS[kind]
    rows: list[_Row] = []
    first_lines: dict[tuple, int] = {}
    rows_read, errors = _rows(data, kind)
    # Every check is a function of the line's own text only, and a school's file says the
    # same things many times over: a pupil's personnummer once per subject, the same
    # subjects, grades and dates on every pupil's lines. So each personnummer is checked
    # once, and the rest of a line once per distinct text (its outcome, values or
    # errors, is reused); the cache lives as long as this file's reading.
    required, optional = _COLUMNS[kind]
    rest = itemgetter(*(c for c in (*required, *optional) if c != "personnummer"))
    numbers: dict[str, tuple[str | None, list[tuple[str, str]]]] = {}
    outcomes: dict[tuple, tuple[dict[str, Any], list[tuple[str, str]]]] = {}
    for line, values in rows_read:
        raw_number = values["personnummer"]
        known = numbers.get(raw_number)
        if known is None:
            check = _Checks()
            known = numbers[raw_number] = (check.get(_identity_number, values), check.errors)
        number, number_errors = known
        text = rest(values)
        outcome = outcomes.get(text)
        if outcome is None:
            check = _Checks()
            outcome = outcomes[text] = (parser(values, check), check.errors)
        # Lines with the same text share one dict of values: nothing changes it later.
        parsed, row_errors = outcome
        if number_errors or row_errors:
            errors.extend(
                LineError(line, column, reason) for column, reason in number_errors + row_errors
            )
            continue
        identity = (number, *_identity_key(kind, parsed))
        first = first_lines.setdefault(identity, line)
        if first != line:
            errors.append(
                LineError(line, "", ERROR_DUPLICATE_ROW.format(what=_WHAT[kind], line=first))
            )
            continue
        rows.append(_Row(line=line, number=number, values=parsed))
    return rows, errors


# --- Resolving persons and school units ----------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _school_units(codes: set[str]) -> dict[str, Organisation]:
    return {
        org.school_unit_code: org
        for org in Organisation.objects.filter(
            school_unit_code__in=codes, kind=OrganisationKind.SCHOOL_UNIT
        )
    }


def _resolve(kind: str, rows: list[_Row]) -> tuple[dict, dict, list[LineError]]:
    """The persons (for grades their ids only: nothing else of a person is needed) and
    the school units the rows name, and the lines that name one Lotsen does not hold."""
    numbers = {row.number for row in rows}
    if kind == "grades":
        persons: dict[str, Any] = ids_by_values(
            model=Person, field_name="personal_identity_number", values=numbers
        )
    else:
        persons = persons_by_personnummer(numbers)
    schools = _school_units({row.values["school_unit_code"] for row in rows} - {""})
    errors = []
    for row in rows:
        code = row.values["school_unit_code"]
        if code and code not in schools:
            errors.append(LineError(row.line, "school_unit_code", ERROR_SCHOOL_UNIT))
        if row.number not in persons:
            if kind != "enrolments":
                errors.append(LineError(row.line, "personnummer", ERROR_UNKNOWN_PERSON))
            elif not (row.values["given_name"] and row.values["family_name"]):
                column = "given_name" if not row.values["given_name"] else "family_name"
                errors.append(LineError(row.line, column, ERROR_NEW_PERSON_NAMES))
    return persons, schools, errors


# --- Writing -----------------------------------------------------------------------------------


def _write(
    kind: str,
    rows: list[_Row],
    persons: dict[str, Person],
    schools: dict[str, Organisation],
    work: PageWork,
    progress: Callable[[int], None],
) -> None:
    counts = work.counts[kind]
    if kind == "grades":
        _grades_write(rows, persons, schools, work, progress)
        return
    if kind == "enrolments":
        new_people: dict[str, Person] = {}
        for row in rows:
            if row.number in persons or row.number in new_people:
                continue
            identity = parse_identity_number(row.number)
            new_people[row.number] = Person(
                personal_identity_number=identity.normalized,
                is_coordination_number=identity.is_coordination_number,
                date_of_birth=identity.date_of_birth,
                given_name=row.values["given_name"],
                family_name=row.values["family_name"],
                home_municipality_code=row.values["home_municipality_code"],
            )
        Person.objects.bulk_create(list(new_people.values()), batch_size=1000)
        persons.update(new_people)
        work.counts["persons"].created += len(new_people)
        for person in new_people.values():
            work.person_changed(person.pk, created=True)

    done = 0
    for chunk in _chunks(rows, CHUNK_ROWS):
        model, fields, built = _models(kind, chunk, persons, schools)
        result = rows_upsert(model=model, rows=built, fields=fields)
        counts_add(counts, result)
        for row in (*result.created, *result.updated):
            work.person_changed(row.person_id)
        done += len(chunk)
        progress(done)


def _grades_write(
    rows: list[_Row],
    person_ids: dict[str, int],
    schools: dict[str, Organisation],
    work: PageWork,
    progress: Callable[[int], None],
) -> None:
    """The checked grades as plain tuples, merged by the database a chunk at a time (COPY
    and one INSERT … ON CONFLICT on PostgreSQL), which also says whose grades it created
    or changed: those persons get their access-log entry."""
    counts = work.counts["grades"]
    school_ids = {code: school.pk for code, school in schools.items()}
    school_ids[""] = None
    done = 0
    for chunk in _chunks(rows, CHUNK_ROWS):
        values = []
        for row in chunk:
            person_id = person_ids[row.number]
            v = row.values
            values.append(
                (
                    f"csv:{person_id}:{v['subject_code']}:{v['course_code']}:{v['kind']}:"
                    f"{v['semester']}{v['year'] or ''}",
                    person_id,
                    school_ids[v["school_unit_code"]],
                    v["subject_code"],
                    v["course_code"],
                    v["points"],
                    v["value"],
                    v["kind"],
                    v["semester"],
                    v["year"],
                    v["registered_on"],
                )
            )
        result = values_merge(model=Grade, fields=GRADE_IMPORT_FIELDS, rows=values, report="person")
        counts_add(counts, result)
        for person_id in result.created | result.updated:
            work.person_changed(person_id)
        done += len(chunk)
        progress(done)


def enrolment_external_id(
    *, person_id: int, school_unit_code: str, school_type: str, start: dt.date
) -> str:
    """The one key of an enrolment read from a file, whichever import reads it (this one
    and the KAA enrolment import): the person's id in Lotsen, never the personnummer, and
    what makes an enrolment (school unit, school type, start date). The same enrolment in
    a school's file and in the KAA file is therefore one row."""
    return f"csv:{person_id}:{school_unit_code}:{school_type}:{start.isoformat()}"


def _models(
    kind: str, rows: Sequence[_Row], persons: dict[str, Person], schools: dict[str, Organisation]
) -> tuple[type, tuple[str, ...], list[Any]]:
    built: list[Any] = []
    for row in rows:
        person = persons[row.number]
        v = row.values
        school = schools.get(v["school_unit_code"])
        if kind == "enrolments":
            built.append(
                Enrolment(
                    person=person,
                    school_unit=school,
                    school_type=v["school_type"],
                    school_year=v["school_year"],
                    programme=v["programme"],
                    start_date=v["start_date"],
                    end_date=v["end_date"],
                    end_reason=v["end_reason"],
                    external_id=enrolment_external_id(
                        person_id=person.pk,
                        school_unit_code=v["school_unit_code"],
                        school_type=v["school_type"],
                        start=v["start_date"],
                    ),
                )
            )
        else:
            built.append(
                AttendancePeriod(
                    person=person,
                    school_unit=school,
                    start_date=v["start_date"],
                    end_date=v["end_date"],
                    offered_minutes=v["offered_minutes"],
                    attended_minutes=v["attended_minutes"],
                    valid_absence_minutes=v["valid_absence_minutes"],
                    invalid_absence_minutes=v["invalid_absence_minutes"],
                    external_id=(
                        f"csv:{person.pk}:{v['start_date'].isoformat()}:"
                        f"{v['end_date'].isoformat()}:{v['school_unit_code']}"
                    ),
                )
            )
    if kind == "enrolments":
        fields = (
            "school_unit",
            "school_type",
            "school_year",
            "programme",
            "start_date",
            "end_date",
            "end_reason",
        )
        return Enrolment, fields, built
    fields = (
        "school_unit",
        "offered_minutes",
        "attended_minutes",
        "valid_absence_minutes",
        "invalid_absence_minutes",
    )
    return AttendancePeriod, fields, built


# --- The service ---------------------------------------------------------------------------------


def school_csv_import(
    *,
    kind: str,
    data: bytes,
    filename: str = "",
    stdout: Any = None,
    on_written: Callable[[], object] | None = None,
    progress: Progress | None = None,
) -> ImportRun:
    """Import one CSV file of ``kind``; returns the ImportRun ("done", or "failed" with
    every line error in ``rejects`` and nothing written). ``on_written`` runs in the
    transaction that writes the rows (the caller's follow-up, e.g. the KAA cohort
    refresh), so the rows and what depends on them commit together or not at all."""
    if kind not in KINDS:
        raise ValueError(ERROR_KIND.format(kind=kind))
    recorder = ImportRecorder(
        source=f"csv:{kind}",
        actor=import_actor(),
        stdout=stdout,
        info={"file": Path(filename).name},
    )
    try:
        try:
            rows, errors = _parse(kind, data)
        except _FileErrors as error:
            rows, errors = [], error.errors
        persons, schools, more = _resolve(kind, rows) if rows else ({}, {}, [])
        errors = sorted(errors + more, key=lambda e: (e.line, e.column))
        if errors:
            recorder.rejects = [error.as_reject() for error in errors[:1000]]
            recorder.rejected_total = len(errors)
            recorder.totals[kind].rejected = len({error.line for error in errors})
            for error in errors[:20]:
                recorder.write(str(error))
            if len(errors) > 20:
                recorder.write(f"… och {len(errors) - 20} fel till.")
            raise ImportFailed(ERROR_FILE.format(count=len(errors)))
        recorder.write(f"{len(rows)} rader lästa, inga fel.")
        total = len(rows)

        def written(done: int) -> None:
            recorder.write(f"Skrivet: {done}/{total} rader")
            if progress is not None:
                progress(read=total, written=done, total=total)

        if progress is not None:
            progress(read=total, written=0, total=total)
        with recorder.batch({"entity": kind, "rows": total}) as work:
            _write(kind, rows, persons, schools, work, written)
            if on_written is not None:
                on_written()
    except (ImportFailed, DatabaseError) as error:
        run = recorder.fail(error)
        recorder.write(f"Importen avbröts: {run.counts.get('error')}")
        return run
    except BaseException as error:
        recorder.fail(error)
        raise
    run = recorder.finish()
    counts = recorder.totals
    recorder.write(
        "Klart: " + "; ".join(f"{entity}: {c.summary()}" for entity, c in sorted(counts.items()))
    )
    return run


# --- lotsen import ss12000 | school-csv ----------------------------------------------------------

# After every school import the apps that depend on school data (the KAA cohort) catch up,
# inside the import's transaction (``lotsen.ingest.registry.after_import_register``).
AFTER_IMPORT_TOPIC = "school"
ENV_CLIENT_ID = "LOTSEN_SS12000_CLIENT_ID"
ENV_CLIENT_SECRET = "LOTSEN_SS12000_CLIENT_SECRET"  # noqa: S105 (the variable's name)

ERROR_CREDENTIALS = (
    "Ange klient-id och klienthemlighet med --client-id och --client-secret, eller i "
    f"miljövariablerna {ENV_CLIENT_ID} och {ENV_CLIENT_SECRET}."
)
ERROR_ORGANISER = "Ingen huvudman i Lotsen har organisationsnumret {number}."
ERROR_ORGANISATION_NUMBER = "Organisationsnumret ska vara tio siffror (NNNNNN-NNNN)."
ERROR_READ = "Kan inte läsa filen {path}: {reason}"
ERROR_RUN_FAILED = "Importen misslyckades (körning {run}): {error}"
SS12000_DESCRIPTION = """\
Hämtar skolenheter, elever med inskrivningar, betyg och aggregerad närvaro från en
SS 12000-server (version 2.1) med OAuth2 client credentials. Första körningen hämtar allt;
följande hämtar bara det som ändrats sedan förra lyckade körningen (meta.modified.after),
utom närvaron som hämtas för hela läsåret. --full hämtar allt igen.
Klient-id och hemlighet kan också ges i miljövariablerna LOTSEN_SS12000_CLIENT_ID och
LOTSEN_SS12000_CLIENT_SECRET (bättre än på kommandoraden, där andra kan se dem).
"""


def _ss12000_arguments(parser) -> None:
    parser.add_argument("--url", required=True, help="serverns bas-URL")
    parser.add_argument("--client-id", default=os.environ.get(ENV_CLIENT_ID, ""))
    parser.add_argument("--client-secret", default=os.environ.get(ENV_CLIENT_SECRET, ""))
    parser.add_argument("--token-url", help="tokenadressen (standard: URL/token)")
    parser.add_argument("--full", action="store_true", help="hämta allt, inte bara det som ändrats")
    parser.add_argument(
        "--organiser",
        help=(
            "huvudmannens organisationsnummer (standard: huvudmannen i serverns "
            "/organisations som finns i Lotsen)"
        ),
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=DEFAULT_PAGE_SIZE,
        help=f"poster per sida (standard {DEFAULT_PAGE_SIZE})",
    )
    parser.add_argument(
        "--max-pages",
        type=int,
        help="högst så många sidor per samling (en provkörning; sätter ingen markör)",
    )


def _ss12000_run(
    *,
    stdout: Any,
    url: str,
    client_id: str,
    client_secret: str,
    token_url: str | None,
    full: bool,
    organiser: str | None,
    page_size: int,
    max_pages: int | None,
    **_options: Any,
) -> None:
    if not client_id or not client_secret:
        raise CommandError(ERROR_CREDENTIALS)
    organiser_org = _organiser(organiser) if organiser else None
    with SS12000Client(
        base_url=url,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        page_size=page_size,
    ) as client:
        run = ss12000_import(
            client=client, organiser=organiser_org, full=full, max_pages=max_pages, stdout=stdout
        )
    _run_check(run)
    # An SS 12000 run commits page by page, so what depends on school data catches up after
    # the last page; a CSV file does so in its own transaction.
    after_import_run(AFTER_IMPORT_TOPIC)


def _organiser(number: str) -> Organisation:
    normalized = normalize_organisation_number(number)
    if normalized is None:
        raise CommandError(ERROR_ORGANISATION_NUMBER)
    organiser = Organisation.objects.filter(
        kind=OrganisationKind.SCHOOL_ORGANISER, organisation_number=normalized
    ).first()
    if organiser is None:
        raise CommandError(ERROR_ORGANISER.format(number=normalized))
    return organiser


def _school_csv_arguments(parser) -> None:
    parser.add_argument("--kind", required=True, choices=KINDS, help="vad filen innehåller")
    parser.add_argument("file", type=Path, help="CSV-filen")


def _school_csv_run(*, stdout: Any, kind: str, file: Path, **_options: Any) -> None:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise CommandError(ERROR_READ.format(path=file, reason=error.strerror)) from error
    run = school_csv_import(
        kind=kind,
        data=data,
        filename=str(file),
        stdout=stdout,
        on_written=lambda: after_import_run(AFTER_IMPORT_TOPIC),
    )
    _run_check(run)


def _kind_of_header(data: bytes) -> str | None:
    """Which of the three files this is, by the columns only it requires (the browser
    asks for a file, not for its kind)."""
    first = data[:4096].decode("utf-8-sig", "replace").splitlines()[:1]
    header = {name.strip().lower() for name in re.split(r"[,;]", first[0])} if first else set()
    found = [kind for kind in KINDS if set(_COLUMNS[kind][0]) <= header]
    return found[0] if len(found) == 1 else None


ERROR_UPLOAD_KIND = (
    "Rubrikraden visar inte om filen har inskrivningar, betyg eller närvaro: den ska ha "
    "kolumnerna för en av dem (se Kolumner)."
)


def _school_csv_upload(upload: Upload) -> UploadOutcome:
    """The browser's run: the same import as ``lotsen import school-csv``, its kind read
    from the header row."""
    kind = _kind_of_header(upload.data)
    if kind is None:
        reject = {"line": 1, "column": "", "reason": ERROR_UPLOAD_KIND}
        return UploadOutcome(ok=False, rejects=[reject])
    # Only the uploader's own school units (school.upload_scope); none reaches nothing.
    outside = school_csv_out_of_scope(upload.data, upload.scope or frozenset())
    if outside:
        return UploadOutcome(ok=False, rejects=outside)
    run = school_csv_import(
        kind=kind,
        data=upload.data,
        filename=upload.filename,
        on_written=lambda: after_import_run(AFTER_IMPORT_TOPIC),
        progress=upload.progress,
    )
    counts: dict[str, int] = {}
    for entity, numbers in run.counts.items():
        if isinstance(numbers, dict):
            for name in ("created", "updated", "unchanged"):
                if numbers.get(name):
                    counts[f"{entity}_{name}"] = numbers[name]
    rows = sum(counts.get(f"{kind}_{n}", 0) for n in ("created", "updated", "unchanged"))
    return UploadOutcome(
        ok=run.status == STATUS_DONE,
        rows=rows,
        counts=counts,
        rejects=list(run.rejects),
        error="" if run.rejects else str(run.counts.get("error", "")),
    )


def _run_check(run: ImportRun) -> None:
    if run.status != STATUS_DONE:
        raise CommandError(ERROR_RUN_FAILED.format(run=run.pk, error=run.counts.get("error")))


importer_register(
    Importer(
        kind="ss12000",
        help="importera från en SS 12000-server",
        description=SS12000_DESCRIPTION,
        arguments=_ss12000_arguments,
        run=_ss12000_run,
    )
)
importer_register(
    Importer(
        kind="school-csv",
        help="importera inskrivningar, betyg eller närvaro från en CSV-fil",
        description=(
            "Importerar en CSV-fil för skolor utan SS 12000. Allt eller inget: finns ett "
            "fel skrivs ingenting, och varje fel visas med rad, kolumn och orsak. Samma "
            "fil två gånger ändrar ingenting."
        ),
        epilog=COLUMN_HELP,
        arguments=_school_csv_arguments,
        run=_school_csv_run,
        dry_run=True,
        # A school's own data, uploaded by its administrator.
        upload=_school_csv_upload,
        roles=frozenset({Role.ORGANISATION_ADMIN}),
        scope=school_unit_codes_of,
        title="Skoldata: inskrivningar, betyg eller närvaro (CSV)",
    )
)


# Classes and mentor groups have an importer of their own (school.group_imports), registered
# here, where Lotsen looks for a room's importers.
from lotsen.school.group_imports import IMPORTER as GROUPS_IMPORTER  # noqa: E402

importer_register(GROUPS_IMPORTER)
