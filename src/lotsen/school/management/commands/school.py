"""``lotsen school``: school data on the command line, one subcommand per task.

``lotsen school merit --grades FILE.csv [--format json|text] [--basis final|projected]``
prints merit value and eligibility per pupil. The rules live in ``lotsen.school.merit``;
this command only reads the file, calls them and reports.

JSON output, one object per pupil in first-appearance order::

    {"pupil": "...", "basis": "final", "merit_value": 232.5,
     "eligible": {"yrkesprogram": true, ...},
     "missing": {"yrkesprogram": [], "EK": ["geografi", "ett ämne till"], ...},
     "reason": {"yrkesprogram": "behörig", "EK": "behöver godkänt i geografi och ...", ...}}

``missing`` lists short Swedish items (subject names and "N ämnen till"), empty exactly
when the pupil is eligible: a program can test it and a person can read it. ``reason`` is
the same as one sentence, for a person.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.ingest.csvfile import CsvFileError, csv_file_read
from lotsen.school.merit import (
    BASES,
    BASIS_LABELS,
    PROGRAMME_NAMES,
    PROGRAMMES,
    Assessment,
    InvalidGradeFile,
    assess,
    grades_read_csv,
)

FILE_UNREADABLE = "kan inte läsa filen {path}: {reason}"
FILE_ERRORS = "{count} fel i {path}, inget skrevs ut:\n{errors}"

_SHORT_PROGRAMME_NAMES = {"yrkesprogram": "Yrkesprogram", "programinriktat_val": "Progr. val"}


class Command(BaseCommand):
    help = "Skoldata: meritvärde och gymnasiebehörighet (fler delkommandon kommer)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="delkommando", title="delkommandon"
        )
        merit = subcommands.add_parser(
            "merit",
            help="meritvärde och behörighet per elev ur en betygsfil",
            description=(
                "Läs en CSV med kolumnerna pupil,subject,grade och skriv ut meritvärde, "
                "behörighet per programtyp och vad som saknas, för varje elev."
            ),
        )
        merit.add_argument(
            "--grades",
            required=True,
            type=Path,
            metavar="FIL.csv",
            help="CSV med rubrikraden pupil,subject,grade (UTF-8, ',' eller ';')",
        )
        merit.add_argument(
            "--format",
            choices=("json", "text"),
            default="json",
            help="json (standard) eller text (en läsbar tabell)",
        )
        merit.add_argument(
            "--basis",
            choices=BASES,
            default="final",
            help="final: slutbetyg (standard); projected: terminsbetyg, resultatet är en prognos",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "merit":
            self._merit(
                path=options["grades"], output_format=options["format"], basis=options["basis"]
            )

    def _merit(self, *, path: Path, output_format: str, basis: str) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(FILE_UNREADABLE.format(path=path, reason=error.strerror)) from error
        # The value checks every Lotsen CSV gets (over-long values, control characters
        # such as NUL); the file's structure is merit's own reader's to report.
        try:
            shared = csv_file_read(
                data,
                optional=None,
                multiline=True,
                rows_required=False,
                collect_row_problems=True,
            ).problems
        except CsvFileError:
            shared = []
        value_problems = [p for p in shared if p.column]
        if value_problems:
            raise CommandError(
                FILE_ERRORS.format(
                    count=len(value_problems),
                    path=path,
                    errors="\n".join(str(p) for p in value_problems[:20]),
                )
            )
        try:
            pupils = grades_read_csv(data=data)
        except InvalidGradeFile as error:
            # Every error at once, and nothing on stdout: a half-printed result could be
            # mistaken for a complete one.
            raise CommandError(
                FILE_ERRORS.format(
                    count=len(error.errors), path=path, errors="\n".join(error.errors)
                )
            ) from error
        assessments = {
            pupil: assess(grades=grades, basis=basis) for pupil, grades in pupils.items()
        }
        if output_format == "json":
            self.stdout.write(json.dumps(_as_json(assessments), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(_as_text(assessments, basis=basis))


def _as_json(assessments: dict[str, Assessment]) -> list[dict[str, Any]]:
    return [
        {
            "pupil": pupil,
            "basis": assessment.basis,
            "merit_value": assessment.merit_value,
            "eligible": {key: assessment.eligibility[key].eligible for key in PROGRAMMES},
            "missing": {key: assessment.eligibility[key].missing.items() for key in PROGRAMMES},
            "reason": {key: assessment.eligibility[key].reason for key in PROGRAMMES},
        }
        for pupil, assessment in assessments.items()
    ]


def _as_text(assessments: dict[str, Assessment], *, basis: str) -> str:
    headings = ["Elev", "Meritvärde", *(_SHORT_PROGRAMME_NAMES.get(k, k) for k in PROGRAMMES)]
    rows = [
        [
            pupil,
            _decimal(assessment.merit_value),
            *("ja" if assessment.eligibility[k].eligible else "nej" for k in PROGRAMMES),
        ]
        for pupil, assessment in assessments.items()
    ]
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]
    lines = [f"Meritvärde och behörighet ({BASIS_LABELS[basis]})", ""]
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headings, *rows]
    ]
    details = [
        f"{pupil}, {PROGRAMME_NAMES[key]}: {assessment.eligibility[key].reason}"
        for pupil, assessment in assessments.items()
        for key in PROGRAMMES
        if not assessment.eligibility[key].eligible
    ]
    if details:
        lines += ["", "Vad som saknas:", *details]
    return "\n".join(lines)


def _decimal(value: float) -> str:
    # Swedish decimal comma, as the merit value appears on every admission page.
    return f"{value:.1f}".replace(".", ",")
