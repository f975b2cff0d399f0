"""``lotsen finance``: budgets and actual costs on the command line.

  lotsen finance import-costs --programme NAME FILE.csv
  lotsen finance export --programme NAME [--format xlsx|csv] --output FILE

The import is all or nothing and idempotent by reference; every problem is printed with
its line and column, and the command exits with an error without writing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.finance import exports, imports
from lotsen.finance.selectors import budget_rows, budget_summaries_by_subproject, budget_summary
from lotsen.programmes.models import Programme

ERROR_PROGRAMME = "det finns inget program som heter {name!r}"
ERROR_FILE = "kan inte läsa filen {path}: {reason}"

_BASE_OPTIONS = {
    "verbosity",
    "settings",
    "pythonpath",
    "traceback",
    "no_color",
    "force_color",
    "skip_checks",
    "stdout",
    "stderr",
}


def _programme(name: str) -> Programme:
    try:
        return Programme.objects.select_related("lead_organisation").get(name=name)
    except Programme.DoesNotExist as exc:
        raise CommandError(ERROR_PROGRAMME.format(name=name)) from exc


class Command(BaseCommand):
    help = "Budget, medfinansiering och utfall för programmens delprojekt."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)

        p = sub.add_parser("import-costs", help="importera utfall (kostnader) från en CSV-fil")
        p.add_argument("--programme", required=True, help="programmets namn")
        p.add_argument(
            "file",
            type=Path,
            help="kolumner: subproject,date,category,amount,description,reference",
        )

        p = sub.add_parser("export", help="budget och utfall per delprojekt och totalt")
        p.add_argument("--programme", required=True)
        p.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
        p.add_argument("--output", type=Path, required=True)

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        handler = getattr(self, "_" + subcommand.replace("-", "_"))
        handler(**{k: v for k, v in options.items() if k not in _BASE_OPTIONS})

    def _import_costs(self, *, programme: str, file: Path) -> None:
        # The same run as ``lotsen import costs`` (finance.imports registers it there).
        imports.costs_command_run(
            stdout=self.stdout, stderr=self.stderr, programme=programme, file=file
        )

    def _export(self, *, programme: str, format: str, output: Path) -> None:
        found = _programme(programme)
        subprojects = list(found.subprojects.select_related("lead_organisation"))
        summary = budget_summary(subprojects=subprojects)
        rows = budget_rows(subprojects=subprojects)
        if format == "xlsx":
            output.write_bytes(
                exports.programme_xlsx(
                    title=found.name,
                    summary=summary,
                    rows=rows,
                    summaries=budget_summaries_by_subproject(subprojects=subprojects),
                )
            )
        else:
            output.write_text(exports.programme_csv(summary=summary, rows=rows), encoding="utf-8")
        self.stdout.write(f"Skrev {output}.")
