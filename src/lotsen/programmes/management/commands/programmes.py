"""``lotsen programmes``: programme follow-up on the command line.

  lotsen programmes esf-report --programme NAME --framework esfplus|esf2014
      --from YYYY-MM-DD --to YYYY-MM-DD [--format json|csv] [--subproject NAME] [--public]

The report is an object keyed by indicator, each value {"women", "men", "nonbinary",
"total"} for ESF+, and {"women", "men", "total"} for ESF 2014–2020 (which has no
non-binary column; non-binary participants are in the total). ``--public`` suppresses
small cells, for a report that leaves the project team. Counts only: nothing is logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.programmes import exports, indicators
from lotsen.programmes.models import Programme
from lotsen.programmes.selectors import indicator_report_for

ERROR_PROGRAMME = "Inget program med namnet {name}."
ERROR_SUBPROJECT = "Programmet har inget delprojekt med namnet {name}."
ERROR_DATE = "{option}: datumet ska skrivas ÅÅÅÅ-MM-DD."
ERROR_PERIOD = "--to måste vara samma dag som eller efter --from."


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(ERROR_DATE.format(option=option)) from exc


class Command(BaseCommand):
    help = "Program och delprojekt: ESF-indikatorer."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        report = sub.add_parser("esf-report", help="ESF/ESF+-indikatorer för en period")
        report.add_argument("--programme", required=True, help="programmets namn")
        report.add_argument("--framework", required=True, choices=indicators.FRAMEWORKS)
        report.add_argument("--from", dest="start", required=True, help="ÅÅÅÅ-MM-DD")
        report.add_argument("--to", dest="end", required=True, help="ÅÅÅÅ-MM-DD")
        report.add_argument("--format", default="json", choices=("json", "csv"))
        report.add_argument("--subproject", help="bara det här delprojektet")
        report.add_argument(
            "--public",
            action="store_true",
            help="dölj antal under 5 (för rapporter som lämnar projektet)",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        self._report(**options)

    def _report(
        self,
        *,
        programme: str,
        framework: str,
        start: str,
        end: str,
        format: str,
        subproject: str | None,
        public: bool,
        **options: Any,
    ) -> None:
        start_date, end_date = _date(start, "--from"), _date(end, "--to")
        if end_date < start_date:
            raise CommandError(ERROR_PERIOD)
        programme_obj = Programme.objects.filter(name=programme).first()
        if programme_obj is None:
            raise CommandError(ERROR_PROGRAMME.format(name=programme))
        subprojects = programme_obj.subprojects.all()
        if subproject:
            subprojects = subprojects.filter(name=subproject)
            if not subprojects.exists():
                raise CommandError(ERROR_SUBPROJECT.format(name=subproject))
        report = indicator_report_for(
            subprojects=subprojects, framework=framework, start=start_date, end=end_date
        )
        if format == "csv":
            self.stdout.write(exports.report_csv(report, public=public), ending="")
        else:
            self.stdout.write(exports.report_json(report, public=public))
