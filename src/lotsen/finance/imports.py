"""Import of actual costs from a CSV file exported from an accounting system.

Columns: ``subproject,date,category,amount,description,reference`` (comma or semicolon
separated, UTF-8). All or nothing: when any line is wrong nothing is written and every
problem is reported with its line and column. Idempotent: a cost is identified by its
sub-project and reference, so the same file twice changes nothing, and a corrected file
updates the costs it corrects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.finance import money
from lotsen.finance.models import ActualCost, CostCategory, CostSource
from lotsen.ingest import csvfile, csvvalues
from lotsen.ingest.csvfile import CsvFileError, CsvProblem, csv_file_read
from lotsen.ingest.csvvalues import CsvValueError, csv_date
from lotsen.ingest.registry import Importer, Upload, UploadOutcome, importer_register
from lotsen.programmes.models import Programme, SubProject

COLUMNS = ("subproject", "date", "category", "amount", "description", "reference")
REQUIRED = ("subproject", "date", "category", "amount", "reference")
OPTIONAL = ("description",)
# What ActualCost.amount holds (max_digits, decimal_places=2): a larger amount would be
# stored by SQLite and break every page that sums it.
AMOUNT_MAX_DIGITS = ActualCost._meta.get_field("amount").max_digits
MAX_DESCRIPTION = 300
MAX_REFERENCE = 100

ERROR_ENCODING = csvfile.ERROR_NOT_UTF8
ERROR_EMPTY = csvfile.ERROR_EMPTY
ERROR_NO_ROWS = csvfile.ERROR_NO_ROWS
ERROR_MISSING_COLUMN = csvfile.ERROR_MISSING_COLUMN
ERROR_UNKNOWN_COLUMN = csvfile.ERROR_UNKNOWN_COLUMN
ERROR_FIELD_COUNT = csvfile.ERROR_TOO_MANY_VALUES
# The same fault has the same wording in every import (lotsen.ingest.csvvalues); the
# value is not repeated (the ``value`` argument some callers pass is ignored).
ERROR_REQUIRED = csvvalues.ERROR_REQUIRED
ERROR_SUBPROJECT_UNKNOWN = "Det finns inget delprojekt som heter {name!r} i programmet."
ERROR_SUBPROJECT_NOT_YOURS = "Du kan inte föra in kostnader för delprojektet {name!r} här."
ERROR_DATE = csvvalues.ERROR_DATE
ERROR_DATE_FUTURE = csvvalues.ERROR_DATE_FUTURE
ERROR_DATE_OUTSIDE = "Datumet {value} ligger utanför delprojektets period ({start}–{end})."
ERROR_CATEGORY = "Okänt kostnadsslag {value!r} (använd {allowed})."
ERROR_AMOUNT = "{reason}."
ERROR_TOO_LONG = csvvalues.ERROR_TOO_LONG
ERROR_DUPLICATE = "Referensen {reference!r} för delprojektet finns redan på rad {line}."

_CATEGORY_NAMES: dict[str, str] = {}
for _value, _label in CostCategory.choices:
    _CATEGORY_NAMES[_value] = _value
    _CATEGORY_NAMES[str(_label).casefold()] = _value


# A cost file's problems are the CSV reader's: one wording of "rad N, kolumn X" everywhere.
Problem = CsvProblem


class CostImportError(CsvFileError):
    """The cost file cannot be imported; ``problems`` say where and why."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    subprojects: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class _Row:
    line: int
    subproject: SubProject
    date: dt.date
    category: str
    amount: Decimal
    description: str
    reference: str


def _shown(value: str, limit: int = 40) -> str:
    """A value as quoted back in an error: a 10,000-character cell would bury the message."""
    return value if len(value) <= limit else value[:limit] + "…"


def _category(value: str) -> str | None:
    return _CATEGORY_NAMES.get(value.strip().casefold())


def _parse(
    content: bytes | str,
    *,
    by_name: dict[str, SubProject],
    allowed: set[int] | None,
    default: SubProject | None,
    today: dt.date,
) -> tuple[list[_Row], list[Problem]]:
    try:
        read = csv_file_read(
            content, required=REQUIRED, optional=OPTIONAL, multiline=("description",)
        )
    except CsvFileError as error:
        return [], list(error.problems)

    problems: list[Problem] = []
    rows: list[_Row] = []
    seen: dict[tuple[int, str], int] = {}
    allowed_categories = ", ".join(v for v, _label in CostCategory.choices)
    for number, cell in read.rows:
        found = len(problems)

        def fail(column: str, message: str, *, _n: int = number) -> None:
            problems.append(Problem(_n, column, message))

        for column in REQUIRED:
            if not cell.get(column) and not (column == "subproject" and default is not None):
                fail(column, ERROR_REQUIRED)

        subproject = None
        name = cell.get("subproject", "")
        if name:
            subproject = by_name.get(name.casefold())
            if subproject is None:
                fail("subproject", ERROR_SUBPROJECT_UNKNOWN.format(name=_shown(name)))
            elif allowed is not None and subproject.pk not in allowed:
                fail("subproject", ERROR_SUBPROJECT_NOT_YOURS.format(name=_shown(name)))
                subproject = None
        elif default is not None:
            subproject = default

        day = None
        if cell.get("date"):
            try:
                day = csv_date(cell["date"])
            except CsvValueError as exc:
                fail("date", str(exc))
        if day is not None and day > today:
            fail("date", ERROR_DATE_FUTURE)
        elif (
            day is not None
            and subproject is not None
            and not (subproject.start <= day <= subproject.end)
        ):
            fail(
                "date",
                ERROR_DATE_OUTSIDE.format(
                    value=day.isoformat(),
                    start=subproject.start.isoformat(),
                    end=subproject.end.isoformat(),
                ),
            )

        category = None
        if cell.get("category"):
            category = _category(cell["category"])
            if category is None:
                fail(
                    "category",
                    ERROR_CATEGORY.format(
                        value=_shown(cell["category"]), allowed=allowed_categories
                    ),
                )

        amount = None
        if cell.get("amount"):
            try:
                amount = money.parse_amount(cell["amount"], max_digits=AMOUNT_MAX_DIGITS)
            except ValueError as exc:
                reason = str(exc)
                fail("amount", ERROR_AMOUNT.format(reason=reason[:1].upper() + reason[1:]))

        description = cell.get("description", "")
        if len(description) > MAX_DESCRIPTION:
            fail("description", ERROR_TOO_LONG.format(limit=MAX_DESCRIPTION))
        reference = cell.get("reference", "")
        if len(reference) > MAX_REFERENCE:
            fail("reference", ERROR_TOO_LONG.format(limit=MAX_REFERENCE))

        if subproject is not None and reference:
            key = (subproject.pk, reference)
            if key in seen:
                fail(
                    "reference", ERROR_DUPLICATE.format(reference=_shown(reference), line=seen[key])
                )
            else:
                seen[key] = number

        if len(problems) == found:
            rows.append(
                _Row(
                    line=number,
                    subproject=subproject,
                    date=day,
                    category=category,
                    amount=amount,
                    description=description,
                    reference=reference,
                )
            )
    return rows, problems


def costs_import(
    *,
    programme: Programme,
    content: bytes | str,
    actor: Actor | None = None,
    subprojects: Iterable[SubProject] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Import actual costs for ``programme``. ``subprojects`` limits which sub-projects the
    file may name (None: all of the programme's); when it is exactly one, the subproject
    column may be left empty. Raises CostImportError listing every problem; then nothing
    has been written."""
    today = today or timezone.localdate()
    all_subprojects = list(SubProject.objects.filter(programme=programme))
    by_name = {s.name.casefold(): s for s in all_subprojects}
    allowed_list = list(subprojects) if subprojects is not None else None
    allowed = {s.pk for s in allowed_list} if allowed_list is not None else None
    default = allowed_list[0] if allowed_list is not None and len(allowed_list) == 1 else None
    rows, problems = _parse(content, by_name=by_name, allowed=allowed, default=default, today=today)
    if problems:
        raise CostImportError(problems)

    result = ImportResult()
    user = actor.user if actor is not None else None
    with transaction.atomic():
        existing = {
            (c.subproject_id, c.import_reference): c
            # Every referenced cost of the sub-projects in the file, matched in Python: a
            # list of thousands of references would exceed SQLite's parameter limit.
            for c in ActualCost.objects.select_for_update()
            .filter(subproject_id__in={r.subproject.pk for r in rows})
            .exclude(import_reference="")
        }
        new: list[ActualCost] = []
        for row in rows:
            result.subprojects.add(row.subproject.name)
            cost = existing.get((row.subproject.pk, row.reference))
            values = {
                "date": row.date,
                "category": row.category,
                "amount": row.amount,
                "description": row.description,
            }
            if cost is None:
                new.append(
                    ActualCost(
                        subproject=row.subproject,
                        source=CostSource.IMPORTED,
                        import_reference=row.reference,
                        created_by=user,
                        **values,
                    )
                )
                result.created += 1
            elif any(getattr(cost, k) != v for k, v in values.items()) or (
                cost.source != CostSource.IMPORTED
            ):
                for k, v in values.items():
                    setattr(cost, k, v)
                cost.source = CostSource.IMPORTED
                cost.save()
                result.updated += 1
            else:
                result.unchanged += 1
        ActualCost.objects.bulk_create(new, batch_size=1000)
    return result


# --- lotsen import costs (also ``lotsen finance import-costs``) --------------------------

ERROR_PROGRAMME = "det finns inget program som heter {name!r}"
ERROR_READ = "kan inte läsa filen {path}: {reason}"
ERROR_REFUSED = "{count} fel i filen; ingenting är importerat."


def costs_command_run(*, stdout: Any, stderr: Any, programme: str, file: Path, **_options: Any):
    """Import a cost file for the programme named ``programme`` and report: every problem on
    its own line of ``stderr``, then ``CommandError``; or the counts on ``stdout``."""
    found = Programme.objects.select_related("lead_organisation").filter(name=programme).first()
    if found is None:
        raise CommandError(ERROR_PROGRAMME.format(name=programme))
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise CommandError(ERROR_READ.format(path=file, reason=exc.strerror)) from exc
    try:
        result = costs_import(programme=found, content=content)
    except CostImportError as exc:
        for problem in exc.problems:
            stderr.write(f"{file.name}: {problem}")
        raise CommandError(ERROR_REFUSED.format(count=len(exc.problems))) from exc
    stdout.write(
        f"{result.created} nya, {result.updated} ändrade, {result.unchanged} oförändrade "
        f"kostnader i {len(result.subprojects)} delprojekt."
    )


ERROR_UPLOAD_PROGRAMMES = (
    "Din organisation leder delprojekt i flera program: importera kostnaderna från "
    "delprojektets sida under Ekonomi."
)
ERROR_UPLOAD_NO_SUBPROJECT = "Din organisation leder inget delprojekt."


def _costs_upload(upload: Upload) -> UploadOutcome:
    """Costs of the sub-projects the uploader's organisation leads (itself or through the
    programme), all in one programme."""
    organisation = upload.actor.organisation
    subprojects = list(
        SubProject.objects.select_related("programme").filter(
            Q(lead_organisation=organisation) | Q(programme__lead_organisation=organisation)
        )
    )
    programmes = {sub.programme_id: sub.programme for sub in subprojects}
    if len(programmes) != 1:
        reason = ERROR_UPLOAD_PROGRAMMES if programmes else ERROR_UPLOAD_NO_SUBPROJECT
        return UploadOutcome(ok=False, error=reason)
    try:
        result = costs_import(
            programme=next(iter(programmes.values())),
            content=upload.data,
            actor=upload.actor,
            subprojects=subprojects,
        )
    except CostImportError as error:
        rejects = [
            {"line": p.line, "column": p.column, "reason": p.message} for p in error.problems
        ]
        return UploadOutcome(ok=False, rejects=rejects)
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    return UploadOutcome(ok=True, rows=result.total, counts=counts)


def _costs_arguments(parser) -> None:
    parser.add_argument("--programme", required=True, help="programmets namn")
    parser.add_argument(
        "file", type=Path, help="kolumner: subproject,date,category,amount,description,reference"
    )


importer_register(
    Importer(
        kind="costs",
        help="importera utfall (kostnader) från en CSV-fil",
        arguments=_costs_arguments,
        run=costs_command_run,
        dry_run=True,
        upload=_costs_upload,
        roles=frozenset({Role.PROJECT_LEADER}),
        title="Utfall: kostnader från ekonomisystemet (CSV)",
    )
)
