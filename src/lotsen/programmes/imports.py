"""Imports for programmes: a whole programme from JSON, participants from CSV.

Both are all or nothing: everything is checked first, every error is reported (the JSON
path, or the CSV line and column), and nothing is written unless the whole file is right.
The same file twice changes nothing. Errors never repeat a personnummer.

Programme JSON::

    {"name": "...", "framework": "esfplus" | "esf2014", "start": "YYYY-MM-DD",
     "end": "YYYY-MM-DD", "lead_organisation": {"name": "...", "kind": "region"},
     "funder": "...", "description": "...",                       (optional)
     "subprojects": [{"name": "...", "lead_organisation": {...}, "start": "...",
                      "end": "...", "organisations": [{...}, ...],  (optional)
                      "target_groups": "...", "description": "...", (optional)
                      "goals": [{"description": "...", "indicator": "total_participants",
                                 "target_value": 120}]}]}           (optional)

An organisation is given by ``name`` and ``kind`` (region, municipality, ...), found by both
and created when missing; a municipality that is created needs ``municipality_code``, and
``parent`` (again name and kind) places it, e.g. a municipality in its region.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import models, transaction

from lotsen.accounts import codes
from lotsen.accounts.models import Organisation, OrganisationKind, Role
from lotsen.ingest import csvfile, csvvalues
from lotsen.ingest.csvfile import CsvFileError, csv_file_read
from lotsen.ingest.jsonfile import JsonDocumentError, json_document_read
from lotsen.ingest.persons import persons_by_personnummer
from lotsen.ingest.registry import Importer, Upload, UploadOutcome, importer_register
from lotsen.ingest.runs import import_actor
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Gender
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Purpose
from lotsen.programmes import indicators
from lotsen.programmes.models import (
    EducationLevel,
    EntryStatus,
    ExitStatus,
    FollowupStatus,
    Framework,
    Participation,
    ParticipationGender,
    Programme,
    Sensitive,
    SubProject,
    SubProjectGoal,
)
from lotsen.programmes.services import PARTICIPATION_GENDER_TO_PERSON

ERROR_OBJECT = "Ska vara ett objekt."
ERROR_LIST = "Ska vara en lista."
# The same fault has the same wording in every import (lotsen.ingest.csvvalues), in the
# programme JSON as in the participant CSV.
ERROR_REQUIRED = csvvalues.ERROR_REQUIRED
ERROR_TEXT = "Ska vara en text."
ERROR_TOO_LONG = csvvalues.ERROR_TOO_LONG
ERROR_DATE = csvvalues.ERROR_DATE
ERROR_END_BEFORE_START = "Slutdatumet måste vara efter startdatumet."
ERROR_FRAMEWORK = "Ska vara esfplus eller esf2014."
ERROR_KIND = "Okänd organisationstyp. Använd en av: {kinds}."
ERROR_MUNICIPALITY_CODE = (
    "En kommun som inte finns i Lotsen behöver municipality_code (fyra siffror)."
)
ERROR_AMBIGUOUS_ORG = "Det finns flera organisationer med det namnet och den typen."
ERROR_DUPLICATE_SUBPROJECT = "Delprojektet finns redan tidigare i filen."
ERROR_INDICATOR = "Okänd indikator. Använd en av nycklarna i ESF-rapporten eller lämna tomt."
MAX_TARGET = 2_147_483_647
ERROR_TARGET = "Målvärdet ska vara ett heltal från 0 till 2 147 483 647."
ERROR_DATE_RANGE = csvvalues.ERROR_DATE_RANGE
ERROR_CONTROL = "Texten innehåller ett otillåtet tecken (kontrolltecken)."
LATEST_DATE = csvvalues.LATEST_DATE
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ERROR_SUBPROJECT_OUTSIDE = "Delprojektets period ska ligga inom programmets ({start} – {end})."

CSV_COLUMNS = (
    "subproject",
    "personnummer",
    "given_name",
    "family_name",
    "gender",
    "entry_date",
    "entry_status",
    "education_level",
    "disability",
    "foreign_background",
    "exit_date",
    "exit_status",
    "followup_6m_status",
)
CSV_OPTIONAL_COLUMNS = ("home_municipality_code",)
ERROR_CSV_EMPTY = csvfile.ERROR_EMPTY
ERROR_CSV_COLUMN = csvfile.ERROR_MISSING_COLUMN
ERROR_CSV_CHOICE = "Okänt värde. Använd en av: {values}."
ERROR_CSV_PERSONNUMMER = "Ogiltigt personnummer: {reason}"
ERROR_CSV_SUBPROJECT = "Inget delprojekt med det namnet{where}."
ERROR_CSV_SUBPROJECT_AMBIGUOUS = (
    "Flera program har ett delprojekt med det namnet. Ange programmet med --programme."
)
ERROR_CSV_PROGRAMME = "Inget program med namnet {name}."
ERROR_CSV_EXIT_BEFORE_ENTRY = csvvalues.ERROR_END_BEFORE_START
ERROR_CSV_EXIT_STATUS_WITHOUT_DATE = "Situationen vid avslut kräver ett slutdatum (exit_date)."
ERROR_CSV_FOLLOWUP_WITHOUT_EXIT = "Uppföljningen efter sex månader kräver ett slutdatum."
ERROR_CSV_ENTRY_OUTSIDE = "Startdatumet ligger utanför delprojektets period."
ERROR_CSV_DUPLICATE = "Samma person, delprojekt och startdatum finns redan på rad {line}."
ERROR_CSV_FUTURE = csvvalues.ERROR_DATE_FUTURE
ERROR_CSV_MUNICIPALITY = csvvalues.ERROR_MUNICIPALITY_CODE
ERROR_CSV_DATE_PAST = csvvalues.ERROR_DATE_RANGE
EARLIEST_DATE = csvvalues.EARLIEST_DATE
MAX_NAME = 100
UNKNOWN_MUNICIPALITY = "0000"


class ImportFailed(Exception):
    """The file was rejected; nothing was written. ``errors`` name path or line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def bump(self, what: str, kind: str) -> None:
        counter = getattr(self, kind)
        counter[what] = counter.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def summary(self) -> str:
        def part(d: dict[str, int]) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(d.items())) or "inga"

        return (
            f"Skapade: {part(self.created)}. Ändrade: {part(self.updated)}. "
            f"Oförändrade: {part(self.unchanged)}."
        )


def _save(obj, result: ImportResult, what: str, values: dict[str, Any]) -> None:
    """Set ``values`` on an existing object and save only when something differs."""
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.full_clean()
        obj.save()
        result.bump(what, "updated")
    else:
        result.bump(what, "unchanged")


# --- Programme JSON ---------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def text(self, obj: dict, key: str, path: str, *, required=True, limit=200) -> str:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(f"{path}.{key}", ERROR_TEXT)
            return ""
        value = value.strip()
        if required and not value:
            self.error(f"{path}.{key}", ERROR_REQUIRED)
        elif len(value) > limit:
            self.error(f"{path}.{key}", ERROR_TOO_LONG.format(limit=limit))
        elif _CONTROL.search(value):
            self.error(f"{path}.{key}", ERROR_CONTROL)
        return value

    def date(self, obj: dict, key: str, path: str) -> dt.date | None:
        value = obj.get(key)
        if value in (None, ""):
            self.error(f"{path}.{key}", ERROR_REQUIRED)
            return None
        if not isinstance(value, str) or len(value) != 10:
            self.error(f"{path}.{key}", ERROR_DATE)
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            self.error(f"{path}.{key}", ERROR_DATE)
            return None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            self.error(f"{path}.{key}", ERROR_DATE_RANGE)
            return None
        return day

    def organisation(self, obj: dict, key: str, path: str, *, required=True) -> dict | None:
        return self.organisation_value(obj.get(key), f"{path}.{key}", required=required)

    def organisation_value(self, value: Any, where: str, *, required=True) -> dict | None:
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.error(where, ERROR_OBJECT if value is not None else ERROR_REQUIRED)
            return None
        name = self.text(value, "name", where)
        kind = self.text(value, "kind", where, limit=32)
        if kind and kind not in OrganisationKind.values:
            self.error(f"{where}.kind", ERROR_KIND.format(kinds=", ".join(OrganisationKind.values)))
            kind = ""
        code = value.get("municipality_code", "") or ""
        if code and not codes.is_municipality_code(str(code)):
            self.error(f"{where}.municipality_code", codes.ERROR_MUNICIPALITY_CODE)
        parent = (
            self.organisation(value, "parent", where, required=False) if "parent" in value else None
        )
        if not (name and kind):
            return None
        spec = {"name": name, "kind": kind, "municipality_code": str(code), "parent": parent}
        matches = Organisation.objects.filter(name=name, kind=kind).count()
        if matches > 1:
            self.error(where, ERROR_AMBIGUOUS_ORG)
        elif matches == 0 and kind == OrganisationKind.MUNICIPALITY and not code:
            self.error(f"{where}.municipality_code", ERROR_MUNICIPALITY_CODE)
        return spec


def _organisation_get_or_create(spec: dict, result: ImportResult, cache: dict) -> Organisation:
    key = (spec["name"], spec["kind"])
    if key in cache:
        return cache[key]
    parent = _organisation_get_or_create(spec["parent"], result, cache) if spec["parent"] else None
    org = Organisation.objects.filter(name=spec["name"], kind=spec["kind"]).first()
    if org is None:
        org = Organisation(
            name=spec["name"],
            kind=spec["kind"],
            municipality_code=spec["municipality_code"],
            parent=parent,
        )
        org.full_clean()
        org.save()
        result.bump("organisationer", "created")
    else:
        result.bump("organisationer", "unchanged")
    cache[key] = org
    return org


def programme_import(*, data: bytes | str) -> ImportResult:
    """Set up or update a programme from JSON; raise ImportFailed naming every error."""
    try:
        # A number too long to parse stays a TooLarge, so the check below names its path.
        doc = json_document_read(data, keep_large_numbers=True)
    except JsonDocumentError as error:
        raise ImportFailed([f"$: {error}"]) from None
    check = _Checker()
    if not isinstance(doc, dict):
        raise ImportFailed([f"$: {ERROR_OBJECT}"])
    name = check.text(doc, "name", "$")
    framework = doc.get("framework")
    if framework not in Framework.values:
        check.error("$.framework", ERROR_FRAMEWORK)
    start, end = check.date(doc, "start", "$"), check.date(doc, "end", "$")
    if start and end and end < start:
        check.error("$.end", ERROR_END_BEFORE_START)
    lead = check.organisation(doc, "lead_organisation", "$")
    funder = check.text(doc, "funder", "$", required=False)
    description = check.text(doc, "description", "$", required=False, limit=5000)
    subs_raw = doc.get("subprojects", [])
    subs: list[dict] = []
    if not isinstance(subs_raw, list):
        check.error("$.subprojects", ERROR_LIST)
        subs_raw = []
    seen: set[str] = set()
    for i, raw in enumerate(subs_raw):
        path = f"$.subprojects[{i}]"
        if not isinstance(raw, dict):
            check.error(path, ERROR_OBJECT)
            continue
        sub_name = check.text(raw, "name", path)
        if sub_name in seen:
            check.error(f"{path}.name", ERROR_DUPLICATE_SUBPROJECT)
        seen.add(sub_name)
        s_start, s_end = check.date(raw, "start", path), check.date(raw, "end", path)
        if s_start and s_end and s_end < s_start:
            check.error(f"{path}.end", ERROR_END_BEFORE_START)
        elif start and end and s_start and s_end and (s_start < start or s_end > end):
            check.error(
                path,
                ERROR_SUBPROJECT_OUTSIDE.format(start=start.isoformat(), end=end.isoformat()),
            )
        sub_lead = check.organisation(raw, "lead_organisation", path)
        orgs_raw = raw.get("organisations", [])
        orgs = []
        if not isinstance(orgs_raw, list):
            check.error(f"{path}.organisations", ERROR_LIST)
        else:
            for j, value in enumerate(orgs_raw):
                spec = check.organisation_value(value, f"{path}.organisations[{j}]")
                if spec:
                    orgs.append(spec)
        goals_raw = raw.get("goals", [])
        goals = []
        if not isinstance(goals_raw, list):
            check.error(f"{path}.goals", ERROR_LIST)
        else:
            for j, goal in enumerate(goals_raw):
                gpath = f"{path}.goals[{j}]"
                if not isinstance(goal, dict):
                    check.error(gpath, ERROR_OBJECT)
                    continue
                g_desc = check.text(goal, "description", gpath, limit=300)
                g_ind = check.text(goal, "indicator", gpath, required=False, limit=64)
                if g_ind and g_ind not in indicators.LABELS:
                    check.error(f"{gpath}.indicator", ERROR_INDICATOR)
                target = goal.get("target_value")
                if (
                    not isinstance(target, int)
                    or isinstance(target, bool)
                    or not 0 <= target <= MAX_TARGET
                ):
                    # The column is a PositiveIntegerField: 10**30 would overflow it.
                    check.error(f"{gpath}.target_value", ERROR_TARGET)
                goals.append({"description": g_desc, "indicator": g_ind, "target_value": target})
        subs.append(
            {
                "name": sub_name,
                "start": s_start,
                "end": s_end,
                "lead": sub_lead,
                "organisations": orgs,
                "target_groups": check.text(raw, "target_groups", path, required=False, limit=5000),
                "description": check.text(raw, "description", path, required=False, limit=5000),
                "goals": goals,
            }
        )
    if check.errors:
        raise ImportFailed(check.errors)

    result = ImportResult()
    with transaction.atomic():
        cache: dict = {}
        lead_org = _organisation_get_or_create(lead, result, cache)
        values = {
            "framework": framework,
            "start": start,
            "end": end,
            "lead_organisation": lead_org,
            "funder": funder or Programme._meta.get_field("funder").default,
            "description": description,
        }
        programme = Programme.objects.filter(name=name).first()
        if programme is None:
            programme = Programme(name=name, **values)
            programme.full_clean()
            programme.save()
            result.bump("program", "created")
        else:
            _save(programme, result, "program", values)
        for sub in subs:
            sub_lead = _organisation_get_or_create(sub["lead"], result, cache)
            values = {
                "start": sub["start"],
                "end": sub["end"],
                "lead_organisation": sub_lead,
                "target_groups": sub["target_groups"],
                "description": sub["description"],
            }
            subproject = SubProject.objects.filter(programme=programme, name=sub["name"]).first()
            if subproject is None:
                subproject = SubProject(programme=programme, name=sub["name"], **values)
                subproject.full_clean()
                subproject.save()
                result.bump("delprojekt", "created")
            else:
                _save(subproject, result, "delprojekt", values)
            orgs = [_organisation_get_or_create(o, result, cache) for o in sub["organisations"]]
            if orgs and {o.pk for o in orgs} != set(
                subproject.organisations.values_list("pk", flat=True)
            ):
                subproject.organisations.set(orgs)
            for goal in sub["goals"]:
                existing = SubProjectGoal.objects.filter(
                    subproject=subproject, description=goal["description"]
                ).first()
                values = {"indicator": goal["indicator"], "target_value": goal["target_value"]}
                if existing is None:
                    SubProjectGoal.objects.create(
                        subproject=subproject, description=goal["description"], **values
                    )
                    result.bump("mål", "created")
                else:
                    _save(existing, result, "mål", values)
    return result


# --- Participants CSV -------------------------------------------------------------------


def _choice_error(values) -> str:
    return ERROR_CSV_CHOICE.format(values=", ".join(values))


@dataclass
class _Row:
    line: int
    subproject: SubProject
    number: str
    values: dict[str, Any]
    home_municipality_code: str


def participants_import(
    *,
    data: bytes | str,
    programme: str | None = None,
    today: dt.date | None = None,
    subprojects: Any = None,
) -> ImportResult:
    """Participations from CSV, all or nothing. A row is one participation, identified by
    person, sub-project and entry date: a second file with the same rows changes nothing,
    and a row with new names, exit or follow-up data updates the participation.

    The names are the participation's own (required on every row); a person Lotsen
    already knows is linked by personnummer and keeps the name Lotsen holds. Neither the
    errors nor the summary tell which personnummer Lotsen knew (issue 10). ``subprojects``
    (a queryset) limits the sub-projects the file may name (a browser upload: those the
    uploader's organisation leads)."""
    from lotsen.people.services import person_create

    today = today or dt.date.today()
    try:
        read = csv_file_read(data, required=CSV_COLUMNS, optional=CSV_OPTIONAL_COLUMNS)
    except CsvFileError as error:
        raise ImportFailed([str(problem) for problem in error.problems]) from None

    programme_obj = None
    if programme:
        programme_obj = Programme.objects.filter(name=programme).first()
        if programme_obj is None:
            raise ImportFailed([ERROR_CSV_PROGRAMME.format(name=programme)])
    allowed = SubProject.objects.all() if subprojects is None else subprojects
    if programme_obj is not None:
        allowed = allowed.filter(programme=programme_obj)
    by_name: dict[str, list[SubProject]] = {}
    for sub in allowed:
        by_name.setdefault(sub.name, []).append(sub)

    errors: list[str] = []
    rows: list[_Row] = []
    seen: dict[tuple, int] = {}
    choices = {
        "gender": ParticipationGender.values,
        "entry_status": EntryStatus.values,
        "education_level": EducationLevel.values,
        "disability": Sensitive.values,
        "foreign_background": Sensitive.values,
        "exit_status": ExitStatus.values,
        "followup_6m_status": FollowupStatus.values,
    }
    required = {
        "subproject",
        "personnummer",
        "given_name",
        "family_name",
        "gender",
        "entry_date",
        "entry_status",
    }
    for line, cells in read.rows:

        def err(column: str, message: str, line=line) -> None:
            errors.append(f"rad {line}, kolumn {column}: {message}")

        ok = True
        for column in CSV_COLUMNS:
            value = cells.get(column, "")
            if column in required and not value:
                err(column, ERROR_REQUIRED)
                ok = False
            elif column in choices and value and value not in choices[column]:
                err(column, _choice_error(choices[column]))
                ok = False
        dates: dict[str, dt.date | None] = {}
        for column in ("entry_date", "exit_date"):
            value = cells.get(column, "")
            dates[column] = None
            if value:
                try:
                    if len(value) != 10:
                        raise ValueError(value)
                    dates[column] = dt.date.fromisoformat(value)
                except ValueError:
                    err(column, ERROR_DATE)
                    ok = False
                    continue
                if dates[column] < EARLIEST_DATE:
                    err(column, ERROR_CSV_DATE_PAST)
                    ok = False
                elif dates[column] > today:
                    err(column, ERROR_CSV_FUTURE)
                    ok = False
        number = None
        if cells.get("personnummer"):
            try:
                number = parse_identity_number(cells["personnummer"], today=today)
            except InvalidIdentityNumber as exc:
                err("personnummer", ERROR_CSV_PERSONNUMMER.format(reason=exc))
                ok = False
        sub = None
        if cells.get("subproject"):
            found = by_name.get(cells["subproject"], [])
            if not found:
                where = f" i programmet {programme}" if programme else ""
                err("subproject", ERROR_CSV_SUBPROJECT.format(where=where))
                ok = False
            elif len(found) > 1:
                err("subproject", ERROR_CSV_SUBPROJECT_AMBIGUOUS)
                ok = False
            else:
                sub = found[0]
        entry, exit_ = dates["entry_date"], dates["exit_date"]
        if entry and exit_ and exit_ < entry:
            err("exit_date", ERROR_CSV_EXIT_BEFORE_ENTRY)
            ok = False
        if cells.get("exit_status") and not cells.get("exit_date"):
            err("exit_status", ERROR_CSV_EXIT_STATUS_WITHOUT_DATE)
            ok = False
        if cells.get("followup_6m_status") and not cells.get("exit_date"):
            err("followup_6m_status", ERROR_CSV_FOLLOWUP_WITHOUT_EXIT)
            ok = False
        if sub and entry and not (sub.start <= entry <= sub.end):
            err("entry_date", ERROR_CSV_ENTRY_OUTSIDE)
            ok = False
        code = cells.get("home_municipality_code", "")
        if code and not codes.is_municipality_code(code):
            err("home_municipality_code", ERROR_CSV_MUNICIPALITY)
            ok = False
        for column in ("given_name", "family_name"):
            if len(cells.get(column, "")) > MAX_NAME:
                err(column, ERROR_TOO_LONG.format(limit=MAX_NAME))
                ok = False
        if not ok:
            continue
        key = (number.normalized, sub.pk, entry)
        if key in seen:
            err("entry_date", ERROR_CSV_DUPLICATE.format(line=seen[key]))
            continue
        seen[key] = line
        rows.append(
            _Row(
                line=line,
                subproject=sub,
                number=number.normalized,
                values={
                    "given_name": cells["given_name"],
                    "family_name": cells["family_name"],
                    "gender": cells["gender"],
                    "entry_date": entry,
                    "entry_status": cells["entry_status"],
                    "education_level": cells.get("education_level", ""),
                    "disability": cells.get("disability", ""),
                    "foreign_background": cells.get("foreign_background", ""),
                    "exit_date": exit_,
                    "exit_status": cells.get("exit_status", ""),
                    "followup_6m_status": cells.get("followup_6m_status", ""),
                },
                home_municipality_code=code,
            )
        )
    if errors:
        raise ImportFailed(errors)

    result = ImportResult()
    touched: set[int] = set()
    with transaction.atomic():
        persons = persons_by_personnummer(row.number for row in rows)
        for row in rows:
            person = persons.get(row.number)
            if person is None:
                person = person_create(
                    actor=None,
                    purpose=Purpose.PROGRAMME,
                    personal_identity_number=row.number,
                    given_name=row.values["given_name"],
                    family_name=row.values["family_name"],
                    gender=PARTICIPATION_GENDER_TO_PERSON.get(
                        row.values["gender"], Gender.NOT_STATED
                    ),
                    home_municipality_code=row.home_municipality_code
                    or _municipality_of(row.subproject.lead_organisation),
                )
                # Not counted in the summary: how many persons were new would tell
                # how many of the file's personnummer Lotsen already knew.
                persons[row.number] = person
            existing = Participation.objects.filter(
                person=person, subproject=row.subproject, entry_date=row.values["entry_date"]
            ).first()
            if existing is None:
                participation = Participation(
                    person=person, subproject=row.subproject, **row.values
                )
                try:
                    participation.full_clean()
                except ValidationError as exc:
                    transaction.set_rollback(True)
                    raise ImportFailed(
                        [
                            f"rad {row.line}, kolumn {f}: {' '.join(m)}"
                            for f, m in exc.message_dict.items()
                        ]
                    ) from exc
                participation.save()
                result.bump("deltaganden", "created")
            else:
                _save(existing, result, "deltaganden", row.values)
            touched.add(person.pk)
        if result.changed:
            persons_written(
                actor=import_actor(),
                action=Action.UPDATE,
                purpose=Purpose.PROGRAMME,
                person_ids=sorted(touched),
                object_type="participants_import",
            )
    return result


def _municipality_of(org: Organisation) -> str:
    """A created person's home municipality when the file gives none: the sub-project's
    lead organisation's (or its parent's) code; otherwise "0000", which names no
    municipality, so the person falls under no municipality's activity responsibility."""
    for _depth in range(3):
        if org is None:
            break
        if org.municipality_code:
            return org.municipality_code
        org = org.parent
    return UNKNOWN_MUNICIPALITY


ERROR_READ = "Kan inte läsa filen {path}: {reason}"


def _command_run(kind: str, *, stdout: Any, file: Path, programme: str | None = None) -> None:
    try:
        data = file.read_bytes()
    except OSError as error:
        raise CommandError(ERROR_READ.format(path=file, reason=error.strerror)) from error
    try:
        if kind == "programme":
            result = programme_import(data=data)
        else:
            result = participants_import(data=data, programme=programme)
    except ImportFailed as failed:
        raise CommandError(
            f"Filen avvisades, inget har sparats ({len(failed.errors)} fel):\n"
            + "\n".join(failed.errors)
        ) from failed
    stdout.write(result.summary())


def _programme_run(*, stdout: Any, file: Path, **_options: Any) -> None:
    _command_run("programme", stdout=stdout, file=file)


def _participants_run(
    *, stdout: Any, file: Path, programme: str | None = None, **_options: Any
) -> None:
    _command_run("participants", stdout=stdout, file=file, programme=programme)


# --- Browser uploads ---------------------------------------------------------------------

ERROR_NOT_YOUR_PROGRAMME = "Din organisation leder inte det här programmet."
_WHERE = re.compile(r"^rad (\d+)(?:, kolumn ([^:]+))?: (.*)$", re.DOTALL)


def _rejects(errors: list[str]) -> list[dict[str, Any]]:
    """The import's "rad N, kolumn X: reason" (or "$.path: reason") as line, column, reason."""
    rejects = []
    for error in errors:
        found = _WHERE.match(error)
        if found:
            line, column, reason = found.groups()
            rejects.append({"line": int(line), "column": column or "", "reason": reason})
        else:
            path, _, reason = error.partition(": ")
            rejects.append({"line": None, "column": path, "reason": reason or path})
    return rejects


def _counts(result: ImportResult) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in ("created", "updated", "unchanged"):
        for what, number in getattr(result, kind).items():
            counts[f"{what}_{kind}"] = number
    return counts


def _led_by(organisation: Organisation | None):
    return SubProject.objects.filter(
        models.Q(lead_organisation=organisation)
        | models.Q(programme__lead_organisation=organisation)
    )


def _participants_upload(upload: Upload) -> UploadOutcome:
    """Participants into the sub-projects the uploader's organisation leads (itself or
    through the programme)."""
    try:
        result = participants_import(
            data=upload.data, subprojects=_led_by(upload.actor.organisation)
        )
    except ImportFailed as failed:
        return UploadOutcome(ok=False, rejects=_rejects(failed.errors))
    counts = _counts(result)
    return UploadOutcome(ok=True, rows=sum(counts.values()), counts=counts)


def _programme_upload(upload: Upload) -> UploadOutcome:
    """A programme the uploader's organisation leads: the file's lead organisation must be
    it, and a programme of that name led by another organisation is not touched."""
    organisation = upload.actor.organisation
    try:
        doc = json_document_read(upload.data, keep_large_numbers=True)
    except JsonDocumentError as error:
        return UploadOutcome(ok=False, rejects=_rejects([f"$: {error}"]))
    lead = doc.get("lead_organisation") if isinstance(doc, dict) else None
    name = doc.get("name") if isinstance(doc, dict) else None
    existing = Programme.objects.filter(name=name).first() if isinstance(name, str) else None
    ours = (
        organisation is not None
        and isinstance(lead, dict)
        and lead.get("name") == organisation.name
        and lead.get("kind") == organisation.kind
        and (existing is None or existing.lead_organisation_id == organisation.pk)
    )
    if not ours:
        return UploadOutcome(
            ok=False, rejects=_rejects([f"$.lead_organisation: {ERROR_NOT_YOUR_PROGRAMME}"])
        )
    try:
        result = programme_import(data=upload.data)
    except ImportFailed as failed:
        return UploadOutcome(ok=False, rejects=_rejects(failed.errors))
    counts = _counts(result)
    return UploadOutcome(ok=True, rows=1, counts=counts)


def _programme_arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="JSON-filen")


def _participants_arguments(parser) -> None:
    parser.add_argument("file", type=Path, help="CSV-filen")
    parser.add_argument("--programme", help="programmets namn, vid lika delprojektnamn")


importer_register(
    Importer(
        kind="programme",
        help="importera ett program (JSON)",
        arguments=_programme_arguments,
        run=_programme_run,
        dry_run=True,
        upload=_programme_upload,
        roles=frozenset({Role.PROJECT_LEADER}),
        title="Program med delprojekt (JSON)",
        accept=".json,application/json",
    )
)
importer_register(
    Importer(
        kind="participants",
        help="importera deltagare i delprojekt (CSV)",
        arguments=_participants_arguments,
        run=_participants_run,
        dry_run=True,
        upload=_participants_upload,
        roles=frozenset({Role.PROJECT_LEADER}),
        title="Deltagare i delprojekt (CSV)",
    )
)
