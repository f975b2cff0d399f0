"""``lotsen import``: bring data into Lotsen, one subcommand per source.

    lotsen import ss12000 --url URL --client-id ID --client-secret SECRET
        [--token-url URL] [--full] [--organiser ORGANISATIONSNUMMER] [--page-size N]
        [--max-pages N]
    lotsen import school-csv --kind enrolments|grades|attendance FILE.csv

The work is done by services (``lotsen.school.ss12000.importer``,
``lotsen.school.csv_import``); this command parses, calls one and reports. Every run is
recorded as an ImportRun; a run that fails exits with status 1.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.accounts.codes import normalize_organisation_number
from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.kaa.imports import (
    enrolments_import,
    import_summary,
    population_import,
    qualifications_import,
)
from lotsen.kaa.services import kaa_cohort_refresh_all
from lotsen.school.csv_import import COLUMN_HELP, KINDS, school_csv_import
from lotsen.school.importing import STATUS_DONE
from lotsen.school.models import ImportRun
from lotsen.school.ss12000.client import DEFAULT_PAGE_SIZE, SS12000Client
from lotsen.school.ss12000.importer import ss12000_import

ENV_CLIENT_ID = "LOTSEN_SS12000_CLIENT_ID"
ENV_CLIENT_SECRET = "LOTSEN_SS12000_CLIENT_SECRET"  # noqa: S105 (the variable's name)

ERROR_CREDENTIALS = (
    "Ange klient-id och klienthemlighet med --client-id och --client-secret, eller i "
    f"miljövariablerna {ENV_CLIENT_ID} och {ENV_CLIENT_SECRET}."
)
ERROR_ORGANISER = "Ingen huvudman i Lotsen har organisationsnumret {number}."
ERROR_ORGANISATION_NUMBER = "Organisationsnumret ska vara tio siffror (NNNNNN-NNNN)."
ERROR_FILE = "Kan inte läsa filen {path}: {reason}"
ERROR_RUN_FAILED = "Importen misslyckades (körning {run}): {error}"
KAA_IMPORTS = {
    "population": population_import,
    "enrolments": enrolments_import,
    "qualifications": qualifications_import,
}

SS12000_DESCRIPTION = """\
Hämtar skolenheter, elever med inskrivningar, betyg och aggregerad närvaro från en
SS 12000-server (version 2.1) med OAuth2 client credentials. Första körningen hämtar allt;
följande hämtar bara det som ändrats sedan förra lyckade körningen (meta.modified.after),
utom närvaron som hämtas för hela läsåret. --full hämtar allt igen.
Klient-id och hemlighet kan också ges i miljövariablerna LOTSEN_SS12000_CLIENT_ID och
LOTSEN_SS12000_CLIENT_SECRET (bättre än på kommandoraden, där andra kan se dem).
"""


class Command(BaseCommand):
    help = "Importera data till Lotsen: ss12000 eller school-csv."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)

        ss12000 = subcommands.add_parser(
            "ss12000", help="importera från en SS 12000-server", description=SS12000_DESCRIPTION
        )
        ss12000.add_argument("--url", required=True, help="serverns bas-URL")
        ss12000.add_argument("--client-id", default=os.environ.get(ENV_CLIENT_ID, ""))
        ss12000.add_argument("--client-secret", default=os.environ.get(ENV_CLIENT_SECRET, ""))
        ss12000.add_argument("--token-url", help="tokenadressen (standard: URL/token)")
        ss12000.add_argument(
            "--full", action="store_true", help="hämta allt, inte bara det som ändrats"
        )
        ss12000.add_argument(
            "--organiser",
            help=(
                "huvudmannens organisationsnummer (standard: huvudmannen i serverns "
                "/organisations som finns i Lotsen)"
            ),
        )
        ss12000.add_argument(
            "--page-size",
            type=int,
            default=DEFAULT_PAGE_SIZE,
            help=f"poster per sida (standard {DEFAULT_PAGE_SIZE})",
        )
        ss12000.add_argument(
            "--max-pages",
            type=int,
            help="högst så många sidor per samling (en provkörning; sätter ingen markör)",
        )

        csv_parser = subcommands.add_parser(
            "school-csv",
            help="importera inskrivningar, betyg eller närvaro från en CSV-fil",
            description=(
                "Importerar en CSV-fil för skolor utan SS 12000. Allt eller inget: finns ett "
                "fel skrivs ingenting, och varje fel visas med rad, kolumn och orsak. Samma "
                "fil två gånger ändrar ingenting."
            ),
            epilog=COLUMN_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        csv_parser.add_argument("--kind", required=True, choices=KINDS, help="vad filen innehåller")
        csv_parser.add_argument("file", type=Path, help="CSV-filen")

        for name, what in (
            ("population", "folkbokföringsuttag (aktivitetsansvaret)"),
            ("enrolments", "inskrivningar för aktivitetsansvaret"),
            ("qualifications", "avslutade utbildningar (examen, bevis)"),
        ):
            kaa_parser = subcommands.add_parser(name, help=f"importera {what} från en CSV-fil")
            kaa_parser.add_argument("file", type=Path, help="CSV-filen")

        # Programmes: a whole programme from JSON, participants from CSV (programmes.imports).
        programme_parser = subcommands.add_parser("programme", help="importera ett program (JSON)")
        programme_parser.add_argument("file", type=Path, help="JSON-filen")
        participants_parser = subcommands.add_parser(
            "participants", help="importera deltagare i delprojekt (CSV)"
        )
        participants_parser.add_argument("file", type=Path, help="CSV-filen")
        participants_parser.add_argument(
            "--programme", help="programmets namn, vid lika delprojektnamn"
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand in KAA_IMPORTS:
            return self._kaa(subcommand, file=options["file"])
        if subcommand in ("programme", "participants"):
            from lotsen.programmes.imports import import_command

            return import_command(self, subcommand, **options)
        handler = {"ss12000": self._ss12000, "school-csv": self._school_csv}[subcommand]
        run = handler(**options)
        if run.status != STATUS_DONE:
            raise CommandError(ERROR_RUN_FAILED.format(run=run.pk, error=run.counts.get("error")))
        if subcommand == "ss12000":
            # Enrolments decide who is in the activity-responsibility cohort: recompute it
            # after every school import. An SS 12000 run commits page by page, so the
            # refresh follows the last page; a CSV file refreshes in its own transaction.
            kaa_cohort_refresh_all()

    def _kaa(self, subcommand: str, *, file: Path) -> None:
        try:
            with file.open("rb") as handle:
                result = KAA_IMPORTS[subcommand](file=handle)
        except OSError as error:
            raise CommandError(ERROR_FILE.format(path=file, reason=error.strerror)) from error
        self.stdout.write(import_summary(result))
        if not result.ok:
            raise CommandError(
                ERROR_RUN_FAILED.format(
                    run=result.run_id, error=f"{len(result.errors)} fel i filen"
                )
            )

    def _ss12000(
        self,
        *,
        url: str,
        client_id: str,
        client_secret: str,
        token_url: str | None,
        full: bool,
        organiser: str | None,
        page_size: int,
        max_pages: int | None,
        **options: Any,
    ) -> ImportRun:
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
            return ss12000_import(
                client=client,
                organiser=organiser_org,
                full=full,
                max_pages=max_pages,
                stdout=self.stdout,
            )

    def _school_csv(self, *, kind: str, file: Path, **options: Any) -> ImportRun:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(ERROR_FILE.format(path=file, reason=error.strerror)) from error
        return school_csv_import(
            kind=kind,
            data=data,
            filename=str(file),
            stdout=self.stdout,
            on_written=kaa_cohort_refresh_all,
        )


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
