"""``lotsen kaa``: the activity responsibility on the command line, one subcommand per task.

  lotsen kaa cohort --municipality 1999 --date 2026-03-15 --format json
  lotsen kaa refresh [--municipality 1999] [--date YYYY-MM-DD]
  lotsen kaa import-population FILE.csv
  lotsen kaa import-enrolments FILE.csv
  lotsen kaa import-qualifications FILE.csv
  lotsen kaa export --municipality 1999 --period 2026H1 --format csv --output FILE [--check]
  lotsen kaa retention [--dry-run]
  lotsen kaa period-add 2027H2 [--copy-from 2027H1]
  lotsen kaa codes-load 2027H2 CODES.csv [--verified]

Like every Lotsen command it uses DATABASE_URL when set. Reads of personal data are logged
as the system user "import" (the command has no logged-in actor); error messages name
persons by Lotsen's internal id, never by personnummer.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from lotsen.accounts import codes as org_codes
from lotsen.ingest.runs import import_actor
from lotsen.kaa import cohort, imports, report
from lotsen.kaa.models import CodeList, ReportCode, ReportPeriod
from lotsen.kaa.retention import kaa_retention_run
from lotsen.kaa.services import candidates_q, facts_load, kaa_cohort_refresh, kaa_cohort_refresh_all
from lotsen.people.models import Person
from lotsen.privacy.door import persons_shown
from lotsen.privacy.models import Action, Purpose

ERROR_DATE = "ogiltigt datum {value} (skriv ÅÅÅÅ-MM-DD)"
ERROR_MUNICIPALITY = "ogiltig kommunkod {value} (fyra siffror)"
ERROR_PERIOD = "ogiltig period {value} (skriv till exempel 2026H1)"
ERROR_FILE = "kan inte läsa filen {path}: {reason}"


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(ERROR_DATE.format(value=value)) from exc


def _municipality(value: str) -> str:
    if not org_codes.is_municipality_code(value):
        raise argparse.ArgumentTypeError(ERROR_MUNICIPALITY.format(value=value))
    return value


def _period(value: str) -> str:
    value = value.upper()
    if len(value) != 6 or not value[:4].isdigit() or value[4:] not in ("H1", "H2"):
        raise argparse.ArgumentTypeError(ERROR_PERIOD.format(value=value))
    return value


class Command(BaseCommand):
    help = "Kommunala aktivitetsansvaret: kohorten, importer, halvårsrapporten och gallring."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)

        p = sub.add_parser("cohort", help="skriv ut kohorten för en kommun och ett datum")
        p.add_argument("--municipality", required=True, type=_municipality)
        p.add_argument("--date", type=_date, default=None, help="ÅÅÅÅ-MM-DD (standard i dag)")
        p.add_argument("--format", choices=["json", "text"], default="text")

        p = sub.add_parser(
            "refresh", help="räkna om och spara kohorten (efter importer, varje natt)"
        )
        p.add_argument("--municipality", type=_municipality, default=None)
        p.add_argument("--date", type=_date, default=None)

        for name, what in (
            ("import-population", "folkbokföringsuttag"),
            ("import-enrolments", "inskrivningar"),
            ("import-qualifications", "avslutade utbildningar"),
        ):
            p = sub.add_parser(name, help=f"importera {what} från en CSV-fil")
            p.add_argument("file", type=Path)
            p.add_argument("--date", type=_date, default=None, help="dagens datum (för test)")

        p = sub.add_parser("export", help="halvårsrapporten till SCB, efter kontroll")
        p.add_argument("--municipality", required=True, type=_municipality)
        p.add_argument("--period", required=True, type=_period)
        p.add_argument("--format", choices=[report.FORMAT_CSV, report.FORMAT_XLSX], default="csv")
        p.add_argument("--output", type=Path, default=None)
        p.add_argument("--check", action="store_true", help="bara kontrollera, skriv ingen fil")
        p.add_argument("--date", type=_date, default=None)

        p = sub.add_parser(
            "retention", help="gallra eller avidentifiera uppgifter vars tid har gått ut"
        )
        p.add_argument("--dry-run", action="store_true", help="räkna bara, ändra inget")
        p.add_argument("--date", type=_date, default=None)

        p = sub.add_parser("period-add", help="lägg till en rapportperiod med kodlistor")
        p.add_argument("period", type=_period)
        p.add_argument("--copy-from", type=_period, default=None)

        p = sub.add_parser("codes-load", help="läs in en periods kodlistor från CSV")
        p.add_argument("period", type=_period)
        p.add_argument("file", type=Path, help="kolumner: code_list,value,code,label")
        p.add_argument("--verified", action="store_true", help="koderna är kontrollerade mot SCB")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        handler = getattr(self, "_" + subcommand.replace("-", "_"))
        handler(**{k: v for k, v in options.items() if k not in _BASE_OPTIONS})

    # --- cohort --------------------------------------------------------------------------------

    def _cohort(self, *, municipality: str, date: dt.date | None, format: str) -> None:
        day = date or timezone.localdate()
        persons = Person.objects.filter(
            candidates_q(municipality_code=municipality, today=day, since=day)
        )
        facts = facts_load(persons)
        numbers = dict(persons.values_list("pk", "personal_identity_number"))
        members = []
        for pid, (person_facts, _gender) in facts.items():
            found = cohort.membership_on(person_facts, municipality, day)
            if found is not None:
                members.append((numbers[pid], pid, found))
        members.sort()
        # The command has no logged-in actor and no policy to pass: whoever runs it on the
        # server reads the database anyway. What it puts out is logged as the system user.
        with transaction.atomic():
            persons_shown(
                actor=import_actor(),
                action=Action.EXPORT,
                purpose=Purpose.KAA,
                person_ids=[pid for _n, pid, _f in members],
                object_type="kaa_cohort_command",
                object_id=f"{municipality}:{day.isoformat()}",
            )
        if format == "json":
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "personnummer": number,
                            "entered": found.entered.isoformat(),
                            "reason": found.reason,
                            "school_reason": found.school_reason,
                        }
                        for number, _pid, found in members
                    ],
                    ensure_ascii=False,
                    indent=1,
                )
            )
            return
        self.stdout.write(
            f"Kommun {municipality}, {day.isoformat()}: {len(members)} unga i aktivitetsansvaret"
        )
        for number, _pid, found in members:
            self.stdout.write(f"{number}  {found.entered.isoformat()}  {found.reason}")

    def _refresh(self, *, municipality: str | None, date: dt.date | None) -> None:
        results = (
            [kaa_cohort_refresh(municipality_code=municipality, today=date)]
            if municipality
            else kaa_cohort_refresh_all(today=date)
        )
        for r in results:
            self.stdout.write(
                f"{r.municipality_code}: {r.members_today} i aktivitetsansvaret; perioder "
                f"{r.created} nya, {r.updated} ändrade, {r.deleted} borttagna, "
                f"{r.unchanged} oförändrade"
            )

    # --- imports -------------------------------------------------------------------------------

    def _run_import(self, function, *, file: Path, date: dt.date | None) -> None:
        try:
            with file.open("rb") as handle:
                result = function(file=handle, today=date)
        except OSError as exc:
            raise CommandError(ERROR_FILE.format(path=file, reason=exc.strerror)) from exc
        self.stdout.write(imports.import_summary(result))
        if not result.ok:
            raise CommandError(f"Filen importerades inte: {len(result.errors)} fel.")

    def _import_population(self, **options: Any) -> None:
        self._run_import(imports.population_import, **options)

    def _import_enrolments(self, **options: Any) -> None:
        self._run_import(imports.enrolments_import, **options)

    def _import_qualifications(self, **options: Any) -> None:
        self._run_import(imports.qualifications_import, **options)

    # --- the national report ---------------------------------------------------------------------

    def _export(
        self,
        *,
        municipality: str,
        period: str,
        format: str,
        output: Path | None,
        check: bool,
        date: dt.date | None,
    ) -> None:
        try:
            report_period = report.period_for(period)
        except Http404 as exc:
            raise CommandError(report.ERROR_PERIOD_UNKNOWN.format(period=period)) from exc
        data = report.report_build(municipality_code=municipality, period=report_period, today=date)
        counts = ", ".join(f"block {b}: {n}" for b, n in data.block_counts.items())
        self.stdout.write(f"{municipality} {period}: {len(data.persons)} personer ({counts})")
        if data.protected_excluded:
            self.stdout.write(
                f"{data.protected_excluded} personer med skyddade personuppgifter är inte "
                "med i filen."
            )
        if data.problems:
            for problem in data.problems:
                who = f"person {problem.person_id}: " if problem.person_id else ""
                self.stdout.write(f"FEL {problem.check}: {who}{problem.message}")
            raise CommandError(f"Kontrollen hittade {len(data.problems)} fel; ingen fil skrevs.")
        self.stdout.write("Kontrollen hittade inga fel.")
        if check:
            return
        file = report.report_file(data, file_format=format)
        target = output or Path(file.filename)
        target.write_bytes(file.content)
        with transaction.atomic():
            persons_shown(
                actor=import_actor(),
                action=Action.EXPORT,
                purpose=Purpose.KAA,
                person_ids=sorted(data.persons),
                object_type="kaa_national_report",
                object_id=period,
            )
        self.stdout.write(f"Skrev {target}")

    def _period_add(self, *, period: str, copy_from: str | None) -> None:
        starts_on, ends_on = _bounds(period)
        if ReportPeriod.objects.filter(code=period).exists():
            raise CommandError(f"Perioden {period} finns redan.")
        source = (
            ReportPeriod.objects.filter(code=copy_from).first()
            if copy_from
            else ReportPeriod.objects.filter(starts_on__lt=starts_on).order_by("-starts_on").first()
        )
        if copy_from and source is None:
            raise CommandError(f"Perioden {copy_from} finns inte.")
        with transaction.atomic():
            new = ReportPeriod.objects.create(
                code=period,
                starts_on=starts_on,
                ends_on=ends_on,
                source_note=f"Kopierad från {source.code}." if source else "",
            )
            if source is not None:
                ReportCode.objects.bulk_create(
                    ReportCode(
                        period=new, code_list=c.code_list, value=c.value, code=c.code, label=c.label
                    )
                    for c in source.codes.all()
                )
        self.stdout.write(
            f"Perioden {period} ({starts_on}–{ends_on}) är tillagd"
            + (f" med koderna från {source.code}." if source else " utan koder.")
        )

    def _codes_load(self, *, period: str, file: Path, verified: bool) -> None:
        target = ReportPeriod.objects.filter(code=period).first()
        if target is None:
            raise CommandError(report.ERROR_PERIOD_UNKNOWN.format(period=period))
        try:
            text = file.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(ERROR_FILE.format(path=file, reason=exc.strerror)) from exc
        rows = list(csv.DictReader(text.splitlines()))
        errors = []
        for line, row in enumerate(rows, start=2):
            if row.get("code_list") not in CodeList.values:
                errors.append(f"rad {line}: okänd kodlista {row.get('code_list')!r}")
            if not (row.get("value") and row.get("code")):
                errors.append(f"rad {line}: value och code behövs")
        if errors:
            raise CommandError("\n".join(errors))
        with transaction.atomic():
            target.codes.all().delete()
            ReportCode.objects.bulk_create(
                ReportCode(
                    period=target,
                    code_list=row["code_list"],
                    value=row["value"],
                    code=row["code"],
                    label=row.get("label", ""),
                )
                for row in rows
            )
            target.codes_verified = verified
            target.source_note = f"Inläst från {file.name}."
            target.save(update_fields=["codes_verified", "source_note"])
        self.stdout.write(f"{len(rows)} koder inlästa för {period}.")

    # --- retention ----------------------------------------------------------------------------

    def _retention(self, *, dry_run: bool, date: dt.date | None) -> None:
        result = kaa_retention_run(today=date, dry_run=dry_run)
        what = "Skulle gallras (provkörning)" if dry_run else "Gallrat"
        details = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        self.stdout.write(f"{what}: {result.total} poster ({details}).")


_BASE_OPTIONS = {
    "verbosity",
    "settings",
    "pythonpath",
    "traceback",
    "no_color",
    "force_color",
    "skip_checks",
    "subcommand",
    "stdout",
    "stderr",
}


def _bounds(code: str) -> tuple[dt.date, dt.date]:
    year = int(code[:4])
    return cohort.half_year_bounds(dt.date(year, 1 if code.endswith("H1") else 7, 1))
