"""CSV imports for the activity responsibility: the population register extract, enrolments
and completed qualifications.

Each import is one file, all or nothing: every row is checked first, and if any row is
wrong nothing is written and every error is reported with its line and column. Errors
never repeat a personnummer (styleguide: identity numbers are never logged, never in
error messages). Importing the same file twice changes nothing. After a successful import
the cohort of every affected municipality is recomputed.

Files are read by the one CSV reader (lotsen.ingest.csvfile): UTF-8 (a byte-order mark is
fine), separated by commas or semicolons, any line endings, with a header row naming the
columns in any order. An unknown column is an error (a misspelt column would otherwise be
ignored without a word), as are a row with more values than the header, a value with a
control character and a value longer than 10,000 characters. Dates must lie between
1900-01-01 and 2100-12-31.

The rows, the cohort refresh they call for and the ImportRun are written in one
transaction: a process killed at any point leaves the previous state whole, and no run is
ever left "running" (tests/kaa/test_import_kill.py kills a real one).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from lotsen.accounts import codes as org_codes
from lotsen.accounts.models import Organisation, OrganisationKind, Role
from lotsen.ingest import csvfile, csvvalues
from lotsen.ingest.accesslog import import_persons_written
from lotsen.ingest.csvfile import CsvFileError, csv_file_read
from lotsen.ingest.csvvalues import CsvValueError, csv_date
from lotsen.ingest.persons import LOOKUP_BATCH, persons_by_personnummer
from lotsen.ingest.progress import Progress, progress_every
from lotsen.ingest.registry import (
    ERROR_OUT_OF_SCOPE,
    Importer,
    Upload,
    UploadOutcome,
    after_import_register,
    importer_register,
)
from lotsen.ingest.runs import import_actor, import_run_record
from lotsen.ingest.testhooks import test_pause
from lotsen.ingest.upsert import rows_insert, rows_update, rows_upsert, tables_analyze
from lotsen.kaa import cohort
from lotsen.kaa.models import (
    CohortMembership,
    EquivalentEducation,
    Qualification,
    ResidencePeriod,
)
from lotsen.kaa.policy import actor_municipality_code
from lotsen.kaa.services import (
    RefreshResult,
    kaa_cohort_refresh_all,
    notices_link,
    person_registration_update,
)
from lotsen.people.identity import IdentityNumber, InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import Action, Purpose
from lotsen.school.imports import AFTER_IMPORT_TOPIC, enrolment_external_id
from lotsen.school.models import Enrolment, SchoolType

POPULATION_COLUMNS = (
    "personnummer",
    "given_name",
    "family_name",
    "municipality_code",
    "moved_in",
    "moved_out",
    "protected_identity",
    "asylum_seeker",
)
ENROLMENT_COLUMNS = (
    "personnummer",
    "school_unit_code",
    "school_type",
    "programme",
    "start",
    "end",
    "end_reason",
)
QUALIFICATION_COLUMNS = ("personnummer", "date", "kind")

# SS 12000 2.1.0 SchoolTypesEnum. GR, GRS, GY and GYS are enrolments; VUXGY and SARVUXGY
# are education equivalent to upper-secondary school; the rest are valid but outside the
# activity responsibility and skipped with a note.
SS12000_SCHOOL_TYPES = frozenset(
    [
        "FS",
        "FKLASS",
        "FTH",
        "OPPFTH",
        "GR",
        "GRS",
        "TR",
        "SP",
        "SAM",
        "GY",
        "GYS",
        "VUX",
        "VUXSFI",
        "VUXGR",
        "VUXGY",
        "VUXSARGR",
        "VUXSARTR",
        "VUXSARGY",
        "SFI",
        "SARVUX",
        "SARVUXGR",
        "SARVUXGY",
        "KU",
        "YH",
        "FHS",
        "STF",
        "KKU",
        "HS",
        "ABU",
        "AU",
    ]
)
ENROLMENT_SCHOOL_TYPES = frozenset(SchoolType.values)

ERROR_FILE_ENCODING = csvfile.ERROR_NOT_UTF8
ERROR_FILE_EMPTY = csvfile.ERROR_EMPTY
ERROR_MISSING_COLUMN = csvfile.ERROR_MISSING_COLUMN
# The same fault has the same wording in every import (lotsen.ingest.csvvalues).
ERROR_REQUIRED = csvvalues.ERROR_REQUIRED
ERROR_DATE = csvvalues.ERROR_DATE
ERROR_DATE_FUTURE = csvvalues.ERROR_DATE_FUTURE
ERROR_DATE_RANGE = csvvalues.ERROR_DATE_RANGE
ERROR_BOOLEAN = csvvalues.ERROR_BOOLEAN
ERROR_MUNICIPALITY = csvvalues.ERROR_MUNICIPALITY_CODE
ERROR_SCHOOL_UNIT = csvvalues.ERROR_SCHOOL_UNIT_CODE
ERROR_SCHOOL_TYPE = "Okänd skolform. Använd koderna i SS 12000, till exempel GR, GRS, GY eller GYS."
ERROR_MOVED_ORDER = "Utflyttningsdatumet måste vara efter inflyttningsdatumet."
ERROR_END_ORDER = csvvalues.ERROR_END_BEFORE_START
ERROR_OVERLAP = "Folkbokföringsperioden överlappar en annan rad för samma person (rad {other})."
ERROR_TOO_LONG = csvvalues.ERROR_TOO_LONG
ERROR_KIND = "Okänd sort. Använd gymnasieexamen, gymnasiesarskolebevis eller studiebevis."
WARNING_UNKNOWN_PERSON = (
    "Personen finns inte i Lotsen; raden hoppades över. Importera folkbokföringen först."
)
# A browser upload reaches only the coordinator's municipality (``municipality_codes``).
ERROR_OTHER_MUNICIPALITY = ERROR_OUT_OF_SCOPE.format(what="en annan kommuns kod")
ERROR_PERSON_ELSEWHERE = ERROR_OUT_OF_SCOPE.format(
    what="personen är inte folkbokförd i din kommun och har aldrig varit det"
)
WARNING_SKIPPED_SCHOOL_TYPE = "Skolformen påverkar inte aktivitetsansvaret; raden hoppades över."

MAX_REPORTED = 1000
# From this many rows the refresh after the import is planned on fresh statistics.
ANALYZE_FROM_ROWS = 5000
EARLIEST_DATE = csvvalues.EARLIEST_DATE
LATEST_DATE = csvvalues.LATEST_DATE
QUALIFICATION_IMPORT_KINDS = (
    cohort.QUALIFICATION_EXAMEN,
    cohort.QUALIFICATION_GYS_CERTIFICATE,
    cohort.QUALIFICATION_STUDIEBEVIS,
)


@dataclass(frozen=True)
class ImportIssue:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"rad {self.line}" + (f", kolumn {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    source: str
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[ImportIssue] = field(default_factory=list)
    warnings: list[ImportIssue] = field(default_factory=list)
    refreshed: list[RefreshResult] = field(default_factory=list)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


class _Rows:
    """A CSV file's rows as (line number, row dict), read by the one CSV reader; anything
    wrong with the file itself (encoding, header, an over-long value, a control character,
    a row with too many values) becomes an error with its line and column. A problem
    confined to one row leaves the other rows to be checked, so every line's errors are
    reported at once, not only the reader's."""

    def __init__(self, file: Any, columns: tuple[str, ...], result: ImportResult) -> None:
        self.columns = columns
        self.result = result
        self.rows: list[tuple[int, dict[str, str]]] = []
        try:
            read = csv_file_read(file, required=columns, collect_row_problems=True)
        except CsvFileError as error:
            result.errors.extend(
                ImportIssue(p.line, p.column, p.message) for p in error.problems[:MAX_REPORTED]
            )
            return
        result.errors.extend(
            ImportIssue(p.line, p.column, p.message) for p in read.problems[:MAX_REPORTED]
        )
        self.rows = read.rows
        result.rows = len(self.rows) + len({p.line for p in read.problems})


class _Checker:
    """Field parsers that record an error and return None instead of raising."""

    def __init__(self, result: ImportResult, today: dt.date) -> None:
        self.result = result
        self.today = today
        self.identities: dict[str, IdentityNumber] = {}

    def error(self, line: int, column: str, message: str) -> None:
        if len(self.result.errors) < MAX_REPORTED:
            self.result.errors.append(ImportIssue(line, column, message))
        else:
            self.result.count("errors_not_listed")

    def warn(self, line: int, column: str, message: str) -> None:
        if len(self.result.warnings) < MAX_REPORTED:
            self.result.warnings.append(ImportIssue(line, column, message))

    def identity(self, line: int, row: dict[str, str]) -> str | None:
        raw = row["personnummer"]
        if not raw:
            self.error(line, "personnummer", ERROR_REQUIRED)
            return None
        try:
            parsed = parse_identity_number(raw, today=self.today)
        except InvalidIdentityNumber as exc:
            # The parser's messages say what is wrong, never the number itself.
            self.error(line, "personnummer", str(exc))
            return None
        # Kept for the write, which needs the date of birth of every new person.
        self.identities[parsed.normalized] = parsed
        return parsed.normalized

    def date(self, line: int, row: dict[str, str], column: str, *, required: bool) -> Any:
        raw = row[column]
        if not raw:
            if required:
                self.error(line, column, ERROR_REQUIRED)
                return _INVALID
            return None
        try:
            return csv_date(raw)
        except CsvValueError as error:
            self.error(line, column, str(error))
            return _INVALID

    def boolean(self, line: int, row: dict[str, str], column: str) -> bool | None:
        raw = row[column]
        if raw in ("0", ""):
            return False
        if raw == "1":
            return True
        self.error(line, column, ERROR_BOOLEAN)
        return None

    def text(
        self, line: int, row: dict[str, str], column: str, *, limit: int, required: bool
    ) -> str:
        value = row[column]
        if required and not value:
            self.error(line, column, ERROR_REQUIRED)
        elif len(value) > limit:
            self.error(line, column, ERROR_TOO_LONG.format(limit=limit))
        return value


_INVALID = object()


def _by_line(issues: list[ImportIssue]) -> list[ImportIssue]:
    """By line; a line's errors in the order its columns were checked (a stable sort)."""
    return sorted(issues, key=lambda issue: issue.line)


def _run_record(result: ImportResult, *, started_at: dt.datetime) -> None:
    """The run's ImportRun, through the one recorder: counts and the first rejects, never
    personal data."""
    run = import_run_record(
        source=result.source,
        started_at=started_at,
        ok=result.ok,
        counts={**result.counts, "rows": result.rows},
        rejects=[
            {"line": e.line, "column": e.column, "reason": e.message}
            for e in _by_line(result.errors)[:MAX_REPORTED]
        ],
    )
    result.run_id = run.pk


# --- Population register -------------------------------------------------------------------


@dataclass
class _PopulationRow:
    line: int
    number: str
    given_name: str
    family_name: str
    municipality_code: str
    moved_in: dt.date | None
    moved_out: dt.date | None
    protected: bool
    asylum: bool


def population_import(
    *,
    file: Any,
    today: dt.date | None = None,
    refresh: bool = True,
    progress: Progress | None = None,
    municipality_codes: frozenset[str] | None = None,
) -> ImportResult:
    """Import a population register extract: one row per period of registration.

    For every person in the file, their residence periods become exactly the file's rows
    (so a later extract corrects an earlier one), their names and protected identity are
    updated, and ``home_municipality_code`` becomes the registration that covers today.
    A person not yet in Lotsen is created. Persons not in the file are not touched.
    ``progress`` hears how many rows are read and written. With ``municipality_codes``
    (a browser upload: the coordinator's municipality) a row for any other municipality
    is an error and the file is refused.
    """
    started_at = timezone.now()
    today = today or timezone.localdate()
    result = ImportResult(source="csv:population")
    reader = _Rows(file, POPULATION_COLUMNS, result)
    check = _Checker(result, today)
    parsed: list[_PopulationRow] = []
    total = len(reader.rows)
    for done, (line, row) in enumerate(reader.rows, start=1):
        progress_every(progress, done, read=done, total=total)
        number = check.identity(line, row)
        given = check.text(line, row, "given_name", limit=100, required=True)
        family = check.text(line, row, "family_name", limit=100, required=True)
        code = row["municipality_code"]
        if not org_codes.is_municipality_code(code):
            check.error(line, "municipality_code", ERROR_MUNICIPALITY)
        elif municipality_codes is not None and code not in municipality_codes:
            check.error(line, "municipality_code", ERROR_OTHER_MUNICIPALITY)
        moved_in = check.date(line, row, "moved_in", required=False)
        moved_out = check.date(line, row, "moved_out", required=False)
        if isinstance(moved_in, dt.date) and moved_in > today:
            check.error(line, "moved_in", ERROR_DATE_FUTURE)
        if (
            isinstance(moved_in, dt.date)
            and isinstance(moved_out, dt.date)
            and moved_out <= moved_in
        ):
            check.error(line, "moved_out", ERROR_MOVED_ORDER)
        protected = check.boolean(line, row, "protected_identity")
        asylum = check.boolean(line, row, "asylum_seeker")
        if number and not result.errors:
            parsed.append(
                _PopulationRow(
                    line,
                    number,
                    given,
                    family,
                    code,
                    moved_in,
                    moved_out,
                    bool(protected),
                    bool(asylum),
                )
            )
    by_person: dict[str, list[_PopulationRow]] = defaultdict(list)
    for p in parsed:
        by_person[p.number].append(p)
    for rows in by_person.values():
        rows.sort(key=lambda r: r.moved_in or dt.date.min)
        for earlier, later in zip(rows, rows[1:], strict=False):
            if (
                earlier.moved_out is None
                or (later.moved_in is not None and later.moved_in < earlier.moved_out)
                or later.moved_in is None
            ):
                check.error(later.line, "moved_in", ERROR_OVERLAP.format(other=earlier.line))

    if result.ok:
        # The rows, the cohort refresh they call for and the run record are one unit: a
        # process killed anywhere in it leaves the old state whole (and no run), never new
        # registrations with yesterday's cohort.
        if progress is not None:
            progress(read=total, written=0, total=total)
        with transaction.atomic():
            codes = _population_write(
                by_person,
                result=result,
                today=today,
                identities=check.identities,
                progress=progress,
            )
            if len(parsed) >= ANALYZE_FROM_ROWS:
                tables_analyze(Person, ResidencePeriod, CohortMembership)
            test_pause("after_write")
            if refresh:
                result.refreshed = kaa_cohort_refresh_all(municipality_codes=codes, today=today)
            test_pause("after_refresh")
            _run_record(result, started_at=started_at)
        test_pause("after_commit")
    else:
        _run_record(result, started_at=started_at)
    return result


def _periods_key(period: tuple[str, dt.date | None, dt.date | None, bool]) -> tuple:
    """A sort key for (code, moved_in, moved_out, asylum): an open end sorts as the far
    past or future instead of failing to compare with a date."""
    code, moved_in, moved_out, asylum = period
    return (code, moved_in or dt.date.min, moved_out or dt.date.max, asylum)


_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "protected_identity",
    "street_address",
    "postal_code",
    "city",
    "home_municipality_code",
)


def _population_write(
    by_person: dict[str, list[_PopulationRow]],
    *,
    result: ImportResult,
    today: dt.date,
    identities: dict[str, IdentityNumber],
    progress: Progress | None = None,
) -> set[str]:
    """Write the persons and their residence periods, in set operations whose cost grows
    with the file and nothing else: one lookup query per batch of numbers, the new persons
    and periods inserted in bulk, the changed persons updated by one prepared statement,
    the replaced periods deleted by batch. The persons created and changed are logged."""
    actor = import_actor()
    existing = persons_by_personnummer(by_person)
    touched_codes: set[str] = set()
    wanted: dict[str, list[tuple]] = {}
    for number, rows in by_person.items():
        wanted[number] = sorted(
            ((r.municipality_code, r.moved_in, r.moved_out, r.asylum) for r in rows),
            key=_periods_key,
        )
        touched_codes.update(r.municipality_code for r in rows)

    # New persons are created as they should end, registration included: nothing to
    # update afterwards.
    new_persons: list[Person] = []
    for number, rows in by_person.items():
        if number in existing:
            continue
        parsed = identities[number]
        latest = rows[-1]
        person = Person(
            personal_identity_number=number,
            is_coordination_number=parsed.is_coordination_number,
            date_of_birth=parsed.date_of_birth,
            given_name=latest.given_name,
            family_name=latest.family_name,
            home_municipality_code="",
            protected_identity=latest.protected,
        )
        person_registration_update(
            person=person, residences=_residences(wanted[number]), today=today
        )
        new_persons.append(person)
    rows_insert(model=Person, rows=new_persons, key="personal_identity_number")
    created_ids = {p.pk for p in new_persons}
    result.count("persons_created", len(new_persons))

    # Residence periods already stored: only persons that existed before can have any.
    stored: dict[int, list[tuple]] = defaultdict(list)
    old_ids = [p.pk for p in existing.values()]
    for start in range(0, len(old_ids), LOOKUP_BATCH):
        for row in ResidencePeriod.objects.filter(
            person_id__in=old_ids[start : start + LOOKUP_BATCH]
        ).values_list("person_id", "municipality_code", "moved_in", "moved_out", "asylum_seeker"):
            stored[row[0]].append(row[1:])
    for person in new_persons:
        existing[person.personal_identity_number] = person

    to_update: list[Person] = []
    changed_ids: list[int] = []
    replace_ids: list[int] = []
    new_periods: list[ResidencePeriod] = []
    written = 0
    for handled, (number, rows) in enumerate(by_person.items(), start=1):
        written += len(rows)
        progress_every(progress, handled, written=written)
        person = existing[number]
        periods = wanted[number]
        created = person.pk in created_ids
        have = sorted(stored.get(person.pk, ()), key=_periods_key)
        touched_codes.update(code for code, *_ in have)
        periods_changed = periods != have
        if periods_changed:
            if have:
                replace_ids.append(person.pk)
            new_periods.extend(
                ResidencePeriod(
                    person_id=person.pk,
                    municipality_code=code,
                    moved_in=moved_in,
                    moved_out=moved_out,
                    asylum_seeker=asylum,
                )
                for code, moved_in, moved_out, asylum in periods
            )
        if created:
            continue
        latest = rows[-1]
        changed = False
        for name, value in (
            ("given_name", latest.given_name),
            ("family_name", latest.family_name),
            ("protected_identity", latest.protected),
        ):
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        if person.protected_identity and (
            person.street_address or person.postal_code or person.city
        ):
            # The address of a person with skyddad folkbokföring is never kept.
            person.street_address = person.postal_code = person.city = ""
            changed = True
        if person_registration_update(person=person, residences=_residences(periods), today=today):
            touched_codes.add(person.home_municipality_code)
            changed = True
        if changed:
            to_update.append(person)
        if changed or periods_changed:
            changed_ids.append(person.pk)
    for start in range(0, len(replace_ids), LOOKUP_BATCH):
        ResidencePeriod.objects.filter(
            person_id__in=replace_ids[start : start + LOOKUP_BATCH]
        ).delete()
    rows_insert(model=ResidencePeriod, rows=new_periods)
    rows_update(model=Person, rows=to_update, fields=_PERSON_FIELDS)
    result.count("persons_updated", len(changed_ids))
    result.count("residence_periods_written", len(new_periods))
    numbers = list(by_person)
    linked = 0
    for start in range(0, len(numbers), LOOKUP_BATCH):
        linked += notices_link(
            numbers_to_person_ids={n: existing[n].pk for n in numbers[start : start + LOOKUP_BATCH]}
        )
    result.count("notices_linked", linked)
    # The import's many entries at COPY speed, on the same chain (ingest.accesslog).
    import_persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.KAA,
        person_ids=sorted(created_ids),
        object_type="kaa_population_import",
    )
    import_persons_written(
        actor=actor,
        action=Action.UPDATE,
        purpose=Purpose.KAA,
        person_ids=changed_ids,
        object_type="kaa_population_import",
    )
    touched_codes.discard("")
    return touched_codes


class _Residence(NamedTuple):
    """What ``person_registration_update`` reads of a residence period, without building
    a model instance per row."""

    municipality_code: str
    moved_in: dt.date | None
    moved_out: dt.date | None


def _residences(periods: list[tuple]) -> list[_Residence]:
    return [_Residence(c, i, o) for c, i, o, _ in periods]


# --- Enrolments ----------------------------------------------------------------------------


def _legacy_external_id(
    *, number: str, school_unit_code: str, school_type: str, start: dt.date
) -> str:
    """The key this import gave enrolments before it shared the school CSV import's
    (``school.imports.enrolment_external_id``): a row still keyed so is taken over by the
    next import of the same enrolment instead of being written a second time."""
    digest = hashlib.sha256(
        f"{number}|{school_unit_code}|{school_type}|{start}".encode()
    ).hexdigest()
    return f"kaa-csv:{digest[:40]}"


_ENROLMENT_FIELDS = (
    "person",
    "school_unit",
    "school_type",
    "programme",
    "start_date",
    "end_date",
    "end_reason",
)
_EQUIVALENT_FIELDS = ("person", "kind", "start_date", "end_date")


def enrolments_import(
    *,
    file: Any,
    today: dt.date | None = None,
    refresh: bool = True,
    municipality_codes: frozenset[str] | None = None,
) -> ImportResult:
    """Import enrolments (one row per enrolment, keyed by person, school unit, school type
    and start date). A school unit code Lotsen does not know becomes an external school
    unit. VUXGY and SARVUXGY rows are recorded as equivalent education. With
    ``municipality_codes`` (a browser upload) a row about a person never registered in
    those municipalities is an error and the file is refused."""
    started_at = timezone.now()
    today = today or timezone.localdate()
    result = ImportResult(source="csv:kaa-enrolments")
    reader = _Rows(file, ENROLMENT_COLUMNS, result)
    check = _Checker(result, today)
    parsed = []
    for line, row in reader.rows:
        number = check.identity(line, row)
        unit = row["school_unit_code"]
        if not org_codes.is_school_unit_code(unit):
            check.error(line, "school_unit_code", ERROR_SCHOOL_UNIT)
        school_type = row["school_type"].upper()
        if school_type not in SS12000_SCHOOL_TYPES:
            check.error(line, "school_type", ERROR_SCHOOL_TYPE)
        programme = check.text(line, row, "programme", limit=20, required=False).upper()
        start = check.date(line, row, "start", required=True)
        end = check.date(line, row, "end", required=False)
        if isinstance(start, dt.date) and start > today + dt.timedelta(days=366):
            check.error(line, "start", ERROR_DATE_FUTURE)
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            check.error(line, "end", ERROR_END_ORDER)
        end_reason = check.text(line, row, "end_reason", limit=100, required=False)
        if number and not result.errors:
            parsed.append((line, number, unit, school_type, programme, start, end, end_reason))
    if result.ok and municipality_codes is not None:
        _persons_in_scope_check(check, [(p[0], p[1]) for p in parsed], municipality_codes)
    if not result.ok:
        _run_record(result, started_at=started_at)
        return result

    with transaction.atomic():
        persons = persons_by_personnummer(p[1] for p in parsed)
        units = {
            o.school_unit_code: o
            for o in Organisation.objects.filter(school_unit_code__in={p[2] for p in parsed})
        }
        # Keyed by external id: a row repeated in the file is written once, as last given.
        enrolments: dict[str, Enrolment] = {}
        equivalents: dict[str, EquivalentEducation] = {}
        legacy: dict[str, str] = {}
        for line, number, unit, school_type, programme, start, end, end_reason in parsed:
            person = persons.get(number)
            if person is None:
                check.warn(line, "personnummer", WARNING_UNKNOWN_PERSON)
                result.count("skipped_unknown_person")
                continue
            key = enrolment_external_id(
                person_id=person.pk, school_unit_code=unit, school_type=school_type, start=start
            )
            old_key = _legacy_external_id(
                number=number, school_unit_code=unit, school_type=school_type, start=start
            )
            legacy[old_key] = key
            if school_type in ("VUXGY", "SARVUXGY"):
                equivalents[key] = EquivalentEducation(
                    external_id=key,
                    person=person,
                    kind=school_type,
                    start_date=start,
                    end_date=end,
                )
                continue
            if school_type not in ENROLMENT_SCHOOL_TYPES:
                check.warn(line, "school_type", WARNING_SKIPPED_SCHOOL_TYPE)
                result.count("skipped_school_type")
                continue
            if unit not in units:
                units[unit] = Organisation.objects.create(
                    name=f"Extern skolenhet {unit}",
                    kind=OrganisationKind.SCHOOL_UNIT,
                    school_unit_code=unit,
                )
                result.count("external_school_units_created")
            enrolments[key] = Enrolment(
                external_id=key,
                person=person,
                school_unit=units[unit],
                school_type=school_type,
                programme=programme,
                start_date=start,
                end_date=end,
                end_reason=end_reason,
            )
        touched: set[int] = set()
        for model, rows, fields, label in (
            (EquivalentEducation, equivalents, _EQUIVALENT_FIELDS, "equivalent_education"),
            (Enrolment, enrolments, _ENROLMENT_FIELDS, "enrolments"),
        ):
            if not rows:
                continue
            _legacy_keys_adopt(model, legacy)
            written = rows_upsert(model=model, rows=list(rows.values()), fields=fields)
            for kind, done in (
                ("created", written.created),
                ("updated", written.updated),
                ("unchanged", written.unchanged),
            ):
                if done:
                    result.count(f"{label}_{kind}", len(done))
            touched.update(row.person_id for row in (*written.created, *written.updated))
        _log_import(touched, object_type="kaa_enrolment_import")
        # Refreshed in the same transaction, for the same reason as the population.
        if refresh and touched:
            result.refreshed = _refresh_for(touched, today=today)
        _run_record(result, started_at=started_at)
    return result


def _persons_in_scope_check(
    check: _Checker, lines: list[tuple[int, str]], municipality_codes: frozenset[str]
) -> None:
    """An error on every line about a person Lotsen holds who is not, and never was,
    registered in ``municipality_codes``. A person Lotsen does not hold is skipped by the
    import anyway (and named in its notes), so nothing is written for them."""
    persons = persons_by_personnummer(number for _line, number in lines)
    ids = {person.pk for person in persons.values()}
    in_scope: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), LOOKUP_BATCH):
        batch = ordered[start : start + LOOKUP_BATCH]
        in_scope.update(
            Person.objects.filter(
                pk__in=batch, home_municipality_code__in=municipality_codes
            ).values_list("pk", flat=True)
        )
        in_scope.update(
            ResidencePeriod.objects.filter(
                person_id__in=batch, municipality_code__in=municipality_codes
            ).values_list("person_id", flat=True)
        )
    for line, number in lines:
        person = persons.get(number)
        if person is not None and person.pk not in in_scope:
            check.error(line, "personnummer", ERROR_PERSON_ELSEWHERE)


def _legacy_keys_adopt(model: type, legacy: dict[str, str]) -> None:
    """Re-key the rows of ``model`` that this import wrote under its old key to the shared
    key, so that the upsert finds them (rows already under the shared key are left be)."""
    old_keys = list(legacy)
    for start in range(0, len(old_keys), 900):
        stale = list(model.objects.filter(external_id__in=old_keys[start : start + 900]))
        taken = set(
            model.objects.filter(
                external_id__in=[legacy[row.external_id] for row in stale]
            ).values_list("external_id", flat=True)
        )
        for row in stale:
            row.external_id = legacy[row.external_id]
        model.objects.bulk_update(
            [row for row in stale if row.external_id not in taken], ["external_id"]
        )


def _log_import(person_ids: set[int], *, object_type: str) -> None:
    if person_ids:
        import_persons_written(
            actor=import_actor(),
            action=Action.UPDATE,
            purpose=Purpose.KAA,
            person_ids=sorted(person_ids),
            object_type=object_type,
        )


def _refresh_for(person_ids: set[int], *, today: dt.date) -> list[RefreshResult]:
    """Recompute the cohorts the persons can belong to: where they are registered now or
    were registered before."""
    codes = set(
        Person.objects.filter(pk__in=person_ids).values_list("home_municipality_code", flat=True)
    )
    codes |= set(
        ResidencePeriod.objects.filter(person_id__in=person_ids).values_list(
            "municipality_code", flat=True
        )
    )
    codes.discard("")
    return kaa_cohort_refresh_all(municipality_codes=codes, today=today)


# --- Qualifications ------------------------------------------------------------------------


def qualifications_import(
    *,
    file: Any,
    today: dt.date | None = None,
    refresh: bool = True,
    municipality_codes: frozenset[str] | None = None,
) -> ImportResult:
    """Import completed qualifications: gymnasieexamen and gymnasiesärskolebevis end the
    activity responsibility; a studiebevis is recorded but does not. With
    ``municipality_codes`` (a browser upload) as the enrolments."""
    started_at = timezone.now()
    today = today or timezone.localdate()
    result = ImportResult(source="csv:qualifications")
    reader = _Rows(file, QUALIFICATION_COLUMNS, result)
    check = _Checker(result, today)
    parsed = []
    for line, row in reader.rows:
        number = check.identity(line, row)
        awarded_on = check.date(line, row, "date", required=True)
        if isinstance(awarded_on, dt.date) and awarded_on > today:
            check.error(line, "date", ERROR_DATE_FUTURE)
        kind = row["kind"].strip().lower().replace("ä", "a")
        if kind not in QUALIFICATION_IMPORT_KINDS:
            check.error(line, "kind", ERROR_KIND)
        if number and not result.errors:
            parsed.append((line, number, awarded_on, kind))
    if result.ok and municipality_codes is not None:
        _persons_in_scope_check(check, [(p[0], p[1]) for p in parsed], municipality_codes)
    if not result.ok:
        _run_record(result, started_at=started_at)
        return result
    with transaction.atomic():
        persons = persons_by_personnummer(p[1] for p in parsed)
        touched: set[int] = set()
        for line, number, awarded_on, kind in parsed:
            person = persons.get(number)
            if person is None:
                check.warn(line, "personnummer", WARNING_UNKNOWN_PERSON)
                result.count("skipped_unknown_person")
                continue
            _, created = Qualification.objects.get_or_create(
                person=person, kind=kind, awarded_on=awarded_on
            )
            result.count("qualifications_created" if created else "qualifications_unchanged")
            if created:
                touched.add(person.pk)
        _log_import(touched, object_type="kaa_qualification_import")
        if refresh and touched:
            result.refreshed = _refresh_for(touched, today=today)
        _run_record(result, started_at=started_at)
    return result


def import_summary(result: ImportResult) -> str:
    """What an import did, for a terminal: counts, then every error and note by line."""
    lines = [f"{result.source}: {result.rows} rader"]
    lines += [f"  {key}: {value}" for key, value in sorted(result.counts.items())]
    for refresh in result.refreshed:
        lines.append(
            f"  aktivitetsansvaret {refresh.municipality_code}: {refresh.members_today} unga "
            f"({refresh.created} nya perioder, {refresh.updated} ändrade, "
            f"{refresh.deleted} borttagna)"
        )
    lines += [f"  FEL {issue}" for issue in _by_line(result.errors)]
    lines += [f"  OBS {issue}" for issue in result.warnings]
    return "\n".join(lines)


# --- lotsen import population | enrolments | qualifications -------------------------------

ERROR_READ = "Kan inte läsa filen {path}: {reason}"
ERROR_REFUSED = "Importen misslyckades (körning {run}): {count} fel i filen"
_IMPORTS = {
    "population": (population_import, "folkbokföringsuttag (aktivitetsansvaret)"),
    "enrolments": (enrolments_import, "inskrivningar för aktivitetsansvaret"),
    "qualifications": (qualifications_import, "avslutade utbildningar (examen, bevis)"),
}


def _file_argument(parser) -> None:
    parser.add_argument("file", type=Path, help="CSV-filen")


def _command_run(kind: str):
    function = _IMPORTS[kind][0]

    def run(*, stdout: Any, file: Path, **_options: Any) -> None:
        try:
            with file.open("rb") as handle:
                result = function(file=handle)
        except OSError as error:
            raise CommandError(ERROR_READ.format(path=file, reason=error.strerror)) from error
        stdout.write(import_summary(result))
        if not result.ok:
            raise CommandError(ERROR_REFUSED.format(run=result.run_id, count=len(result.errors)))

    run.__qualname__ = f"{kind}_command_run"
    return run


_UPLOAD_TITLES = {
    "population": "Folkbokföring (aktivitetsansvaret)",
    "enrolments": "Inskrivningar (aktivitetsansvaret)",
    "qualifications": "Avslutade utbildningar (examen och bevis)",
}


def _coordinator_municipality(actor: Any) -> frozenset[str]:
    """The area of a KAA upload: the coordinator's municipality (none outside one)."""
    code = actor_municipality_code(actor)
    return frozenset({code}) if code else frozenset()


def _upload_run(kind: str):
    """The browser's run of ``kind``: the same import as the command, on the file's bytes."""
    function = _IMPORTS[kind][0]

    def upload(upload: Upload) -> UploadOutcome:
        extra = {"progress": upload.progress} if kind == "population" else {}
        # Always a scope from the browser: an upload without one reaches nothing.
        scope = upload.scope if upload.scope is not None else frozenset()
        result = function(file=upload.data, municipality_codes=scope, **extra)
        return UploadOutcome(
            ok=result.ok,
            rows=result.rows,
            counts=dict(result.counts),
            rejects=[
                {"line": e.line, "column": e.column, "reason": e.message}
                for e in _by_line(result.errors)
            ],
        )

    upload.__qualname__ = f"{kind}_upload"
    return upload


for _kind, (_function, _what) in _IMPORTS.items():
    importer_register(
        Importer(
            kind=_kind,
            help=f"importera {_what} från en CSV-fil",
            arguments=_file_argument,
            run=_command_run(_kind),
            dry_run=True,
            # The register extracts are the municipality's activity responsibility.
            upload=_upload_run(_kind),
            roles=frozenset({Role.KAA_COORDINATOR}),
            scope=_coordinator_municipality,
            title=_UPLOAD_TITLES[_kind],
        )
    )

# Enrolments decide who is in the activity-responsibility cohort: it is recomputed after
# every school import, in that import's transaction.
after_import_register(AFTER_IMPORT_TOPIC, kaa_cohort_refresh_all)
