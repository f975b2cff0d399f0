"""Classes and mentor groups from a CSV file, for schools without an SS 12000 API: the
``lotsen import school-groups`` kind (registered from ``school.imports``).

One row per member: the group (school unit, type, name, the school year it is valid for)
and the pupil. A file is all or nothing, like the other school files: every line is
checked first, and if any has an error nothing is written and every error is reported
with its line, column and reason (never the personnummer). A group's key is made from its
school unit, type, name and start date, so the same file twice changes nothing. The file
is the truth for the groups it names: a member of one of them who is not in the file is
removed from it, as when SS 12000 sends a group without them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import DatabaseError

from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.ingest import csvvalues
from lotsen.ingest.csvfile import CsvFileError, csv_file_read
from lotsen.ingest.csvvalues import CsvValueError, csv_date, csv_integer
from lotsen.ingest.models import ImportRun
from lotsen.ingest.persons import persons_by_personnummer
from lotsen.ingest.registry import Importer
from lotsen.ingest.runs import STATUS_DONE, ImportFailed, ImportRecorder, import_actor
from lotsen.ingest.upsert import counts_add, rows_upsert
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.school.models import Group, GroupType
from lotsen.school.ss12000.importer import group_memberships_sync

KIND = "school-groups"
SOURCE = "csv:groups"
ENTITY_GROUP = "groups"
ENTITY_MEMBERSHIP = "group_memberships"
NAME_LIMIT = 100
REQUIRED = ("school_unit_code", "group_type", "group_name", "start_date", "personnummer")
OPTIONAL = ("end_date", "school_year", "school_type", "member_start_date", "member_end_date")

# What a school system or spreadsheet may write for a type: SS 12000's words and ours.
GROUP_TYPE_WORDS = {
    **{str(value): str(value) for value in GroupType.values},
    "klass": GroupType.CLASS,
    "mentor": GroupType.MENTOR,
    "mentorsgrupp": GroupType.MENTOR,
    "undervisning": GroupType.TEACHING,
    "undervisningsgrupp": GroupType.TEACHING,
    "övrigt": GroupType.OTHER,
}

ERROR_FILE = "{count} fel i filen; ingenting skrevs."
ERROR_REQUIRED = csvvalues.ERROR_REQUIRED
ERROR_TOO_LONG = csvvalues.ERROR_TOO_LONG
ERROR_SCHOOL_UNIT_FORMAT = csvvalues.ERROR_SCHOOL_UNIT_CODE
ERROR_END_BEFORE_START = csvvalues.ERROR_END_BEFORE_START
ERROR_DUPLICATE_ROW = csvvalues.ERROR_DUPLICATE_ROW
ERROR_GROUP_TYPE = "Ska vara Klass, Mentor, Undervisning, Provgrupp, Schema eller Övrigt."
ERROR_SCHOOL_TYPE = "Ska vara GR, GRS, GY eller GYS."
ERROR_SCHOOL_UNIT = "Ingen skolenhet i Lotsen har skolenhetskoden."
ERROR_UNKNOWN_PERSON = "Eleven finns inte i Lotsen; importera inskrivningarna först."
ERROR_GROUP_DIFFERS = "Samma grupp har ett annat värde på rad {line}."
ERROR_READ = "Kan inte läsa filen {path}: {reason}"
ERROR_RUN_FAILED = "Importen misslyckades (körning {run}): {error}"
SCHOOL_TYPES = ("GR", "GRS", "GY", "GYS")

COLUMN_HELP = """\
Kolumner (rubrikrad krävs; UTF-8, med eller utan BOM; avgränsare , eller ;). En rad per
elev och grupp. Datum skrivs ÅÅÅÅ-MM-DD. * = måste finnas och vara ifyllt.

  school_unit_code*  skolenhetskod, åtta siffror; skolenheten ska finnas i Lotsen
  group_type*        Klass, Mentor (mentorsgrupp), Undervisning, Provgrupp, Schema eller Övrigt
  group_name*        gruppens namn, t.ex. 9A, högst 100 tecken
  start_date*        gruppens startdatum (läsårets början)
  personnummer*      eleven; ska finnas i Lotsen (importera inskrivningarna först)
  end_date           gruppens slutdatum
  school_year        årskurs, 0–10
  school_type        GR, GRS, GY eller GYS
  member_start_date  elevens första dag i gruppen (tomt: från gruppens start)
  member_end_date    elevens sista dag i gruppen (tomt: fortfarande med)

Filen gäller hela de grupper den nämner: en elev som finns i en av dem i Lotsen men inte
i filen tas bort ur gruppen.
"""


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


@dataclass(frozen=True)
class _Row:
    line: int
    number: str
    key: str  # the group's external id
    group: tuple  # the group's own values, which every row of the group must repeat
    school_unit_code: str
    member: tuple[dt.date | None, dt.date | None]


def _required(values: dict[str, str], column: str) -> str:
    value = values.get(column, "")
    if not value:
        raise _RowError(column, ERROR_REQUIRED)
    return value


def _date(values: dict[str, str], column: str) -> dt.date | None:
    value = values.get(column, "")
    if not value:
        return None
    try:
        return csv_date(value)
    except CsvValueError as error:
        raise _RowError(column, str(error)) from None


def _row(line: int, values: dict[str, str]) -> tuple[_Row | None, list[LineError]]:
    errors: list[LineError] = []

    def check(function, *args):
        try:
            return function(*args)
        except _RowError as error:
            errors.append(LineError(line, error.column, error.reason))
            return None

    def school_unit_code() -> str:
        value = _required(values, "school_unit_code")
        if not re.fullmatch(r"\d{8}", value):
            raise _RowError("school_unit_code", ERROR_SCHOOL_UNIT_FORMAT)
        return value

    def group_type() -> str:
        value = GROUP_TYPE_WORDS.get(_required(values, "group_type").lower())
        if value is None:
            raise _RowError("group_type", ERROR_GROUP_TYPE)
        return str(value)

    def group_name() -> str:
        value = " ".join(_required(values, "group_name").split())
        if len(value) > NAME_LIMIT:
            raise _RowError("group_name", ERROR_TOO_LONG.format(limit=NAME_LIMIT))
        return value

    def start() -> dt.date:
        _required(values, "start_date")
        return _date(values, "start_date")

    def school_year() -> int | None:
        value = values.get("school_year", "")
        if not value:
            return None
        try:
            return csv_integer(value, low=0, high=10)
        except CsvValueError as error:
            raise _RowError("school_year", str(error)) from None

    def school_type() -> str:
        value = values.get("school_type", "").upper()
        if value and value not in SCHOOL_TYPES:
            raise _RowError("school_type", ERROR_SCHOOL_TYPE)
        return value

    def number() -> str:
        try:
            return parse_identity_number(_required(values, "personnummer")).normalized
        except InvalidIdentityNumber as error:
            # The parser's messages say what is wrong, never the number itself.
            raise _RowError("personnummer", str(error)) from None

    code = check(school_unit_code)
    kind = check(group_type)
    name = check(group_name)
    begins = check(start)
    ends = check(_date, values, "end_date")
    year = check(school_year)
    form = check(school_type)
    member_start = check(_date, values, "member_start_date")
    member_end = check(_date, values, "member_end_date")
    person = check(number)
    if begins and ends and ends < begins:
        errors.append(LineError(line, "end_date", ERROR_END_BEFORE_START))
    if member_start and member_end and member_end < member_start:
        errors.append(LineError(line, "member_end_date", ERROR_END_BEFORE_START))
    if errors:
        return None, errors
    assert code and kind and name and begins and person
    return (
        _Row(
            line=line,
            number=person,
            key=f"csv:{code}:{kind}:{name}:{begins.isoformat()}",
            group=(name, kind, form, year, begins, ends),
            school_unit_code=code,
            member=(member_start, member_end),
        ),
        [],
    )


def _parse(data: bytes) -> tuple[list[_Row], list[LineError]]:
    try:
        read = csv_file_read(data, required=REQUIRED, optional=OPTIONAL, collect_row_problems=True)
    except CsvFileError as error:
        return [], [LineError(p.line, p.column, p.message) for p in error.problems]
    errors = [LineError(p.line, p.column, p.message) for p in read.problems]
    rows: list[_Row] = []
    first_member: dict[tuple[str, str], int] = {}
    first_group: dict[str, _Row] = {}
    for line, values in read.rows:
        row, problems = _row(line, {c: values.get(c, "") for c in (*REQUIRED, *OPTIONAL)})
        if row is None:
            errors += problems
            continue
        first = first_member.setdefault((row.key, row.number), line)
        if first != line:
            errors.append(
                LineError(line, "", ERROR_DUPLICATE_ROW.format(what="elev i gruppen", line=first))
            )
            continue
        group = first_group.setdefault(row.key, row)
        if group.group != row.group:
            errors.append(LineError(line, "", ERROR_GROUP_DIFFERS.format(line=group.line)))
            continue
        rows.append(row)
    return rows, errors


def _resolve(rows: list[_Row]) -> tuple[dict, dict, list[LineError]]:
    persons = persons_by_personnummer(row.number for row in rows)
    schools = {
        org.school_unit_code: org
        for org in Organisation.objects.filter(
            school_unit_code__in={row.school_unit_code for row in rows},
            kind=OrganisationKind.SCHOOL_UNIT,
        )
    }
    errors = []
    for row in rows:
        if row.school_unit_code not in schools:
            errors.append(LineError(row.line, "school_unit_code", ERROR_SCHOOL_UNIT))
        if row.number not in persons:
            errors.append(LineError(row.line, "personnummer", ERROR_UNKNOWN_PERSON))
    return persons, schools, errors


_GROUP_FIELDS = (
    "school_unit",
    "name",
    "group_type",
    "school_type",
    "school_year",
    "start_date",
    "end_date",
)


def school_groups_csv_import(
    *, data: bytes, filename: str = "", stdout: Any = None, on_written=None
) -> ImportRun:
    """Import one CSV file of groups and members; returns the ImportRun ("done", or
    "failed" with every line error in ``rejects`` and nothing written)."""
    recorder = ImportRecorder(
        source=SOURCE, actor=import_actor(), stdout=stdout, info={"file": Path(filename).name}
    )
    try:
        rows, errors = _parse(data)
        persons, schools, more = _resolve(rows) if rows else ({}, {}, [])
        errors = sorted(errors + more, key=lambda e: (e.line, e.column))
        if errors:
            recorder.rejects = [error.as_reject() for error in errors[:1000]]
            recorder.rejected_total = len(errors)
            recorder.totals[ENTITY_MEMBERSHIP].rejected = len({error.line for error in errors})
            for error in errors[:20]:
                recorder.write(str(error))
            if len(errors) > 20:
                recorder.write(f"… och {len(errors) - 20} fel till.")
            raise ImportFailed(ERROR_FILE.format(count=len(errors)))
        recorder.write(f"{len(rows)} rader lästa, inga fel.")
        with recorder.batch({"entity": ENTITY_GROUP, "rows": len(rows)}) as work:
            groups: dict[str, Group] = {}
            for row in rows:
                if row.key in groups:
                    continue
                name, kind, form, year, begins, ends = row.group
                groups[row.key] = Group(
                    school_unit=schools[row.school_unit_code],
                    name=name,
                    group_type=kind,
                    school_type=form,
                    school_year=year,
                    start_date=begins,
                    end_date=ends,
                    external_id=row.key,
                )
            result = rows_upsert(model=Group, rows=list(groups.values()), fields=_GROUP_FIELDS)
            counts_add(work.counts[ENTITY_GROUP], result)
            saved = Group.objects.in_bulk(list(groups), field_name="external_id")
            wanted: dict[int, set] = {group.pk: set() for group in saved.values()}
            for row in rows:
                wanted[saved[row.key].pk].add((persons[row.number].pk, *row.member))
            group_memberships_sync(wanted, work, entity=ENTITY_MEMBERSHIP)
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
    recorder.write(
        "Klart: "
        + "; ".join(f"{entity}: {c.summary()}" for entity, c in sorted(recorder.totals.items()))
    )
    return run


def _arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="CSV-filen")


def _run(*, stdout: Any, file: Path, **_options: Any) -> None:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise CommandError(ERROR_READ.format(path=file, reason=error.strerror)) from error
    # Nothing is computed from groups (the KAA cohort reads enrolments), so no follow-up
    # runs after this import, unlike after the other school files.
    run = school_groups_csv_import(data=data, filename=str(file), stdout=stdout)
    if run.status != STATUS_DONE:
        raise CommandError(ERROR_RUN_FAILED.format(run=run.pk, error=run.counts.get("error")))


IMPORTER = Importer(
    kind=KIND,
    help="importera klasser och mentorsgrupper med elever från en CSV-fil",
    description=(
        "Importerar klasser och mentorsgrupper för skolor utan SS 12000. Allt eller inget: "
        "finns ett fel skrivs ingenting, och varje fel visas med rad, kolumn och orsak. "
        "Samma fil två gånger ändrar ingenting."
    ),
    epilog=COLUMN_HELP,
    arguments=_arguments,
    run=_run,
    dry_run=True,
)
