"""``lotsen import <kind> …``: bring data into Lotsen with the importer an app registered.

    lotsen import ss12000 --url URL [...]
    lotsen import school-csv --kind enrolments|grades|attendance FILE.csv
    lotsen import population|enrolments|qualifications FILE.csv
    lotsen import programme FILE.json
    lotsen import participants FILE.csv [--programme NAME]
    lotsen import costs --programme NAME FILE.csv

The kinds come from the apps (``lotsen.ingest.registry``); this command only builds the
parser, runs the importer and, with ``--dry-run`` for an importer that writes all or
nothing, rolls everything back. The apps' own commands (``lotsen kaa import-population``,
``lotsen finance import-costs``) keep working.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from lotsen.ingest.registry import importers

DRY_RUN_HELP = "läs och kontrollera allt, men spara ingenting"
DRY_RUN_DONE = "Provkörning: ingenting sparades."
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


class Command(BaseCommand):
    help = "Importera data till Lotsen: lotsen import <sort> …"

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="importer", required=True)
        for importer in importers().values():
            kind_parser = kinds.add_parser(
                importer.kind,
                help=importer.help,
                description=importer.description or None,
                epilog=importer.epilog or None,
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
            importer.arguments(kind_parser)
            if importer.dry_run:
                kind_parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)

    def handle(self, *args: Any, importer: str, **options: Any) -> None:
        chosen = importers()[importer]
        dry_run = bool(options.pop("dry_run", False))
        given = {key: value for key, value in options.items() if key not in _BASE_OPTIONS}
        if not dry_run:
            chosen.run(stdout=self.stdout, stderr=self.stderr, **given)
            return
        # All or nothing by the importer's own promise: checked in full, then undone.
        with transaction.atomic():
            chosen.run(stdout=self.stdout, stderr=self.stderr, **given)
            transaction.set_rollback(True)
        self.stdout.write(DRY_RUN_DONE)
