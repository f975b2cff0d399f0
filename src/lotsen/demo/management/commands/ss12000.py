"""``lotsen ss12000 serve``: the SS 12000 test server with the demo municipality's data.

    lotsen ss12000 serve --port 8012 [--host 127.0.0.1] [--size 2000] [--seed 2026]
        [--today YYYY-MM-DD] [--client-id ID --client-secret SECRET]

Serve the same ``--size`` and ``--seed`` as ``lotsen demo`` was run with (and on the same
day, or with ``--today``), and an import from it finds the demo's own data.
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from lotsen.demo.generator import DEFAULT_SEED, DEFAULT_SIZE, DemoError
from lotsen.demo.ss12000server import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    make_app,
)


class Command(BaseCommand):
    help = "SS 12000-testserver som visar demokommunens skoldata."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        serve = subcommands.add_parser(
            "serve",
            help="starta testservern (OAuth2 client credentials på /token)",
            description=(
                "Startar en SS 12000 v2.1-server med demokommunens elever, betyg och närvaro "
                "(samma data som 'lotsen demo' med samma --size, --seed och dag)."
            ),
        )
        serve.add_argument("--port", type=int, required=True, help="port att lyssna på")
        serve.add_argument("--host", default="127.0.0.1", help="adress (standard 127.0.0.1)")
        serve.add_argument(
            "--size", type=int, default=DEFAULT_SIZE, help=f"antal unga (standard {DEFAULT_SIZE})"
        )
        serve.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"slumpfrö (standard {DEFAULT_SEED})"
        )
        serve.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            help="dagen som data gäller (ÅÅÅÅ-MM-DD; standard i dag)",
        )
        serve.add_argument(
            "--client-id",
            default=os.environ.get("LOTSEN_SS12000_CLIENT_ID", DEFAULT_CLIENT_ID),
            help=f"klient-id som godtas (standard {DEFAULT_CLIENT_ID})",
        )
        serve.add_argument(
            "--client-secret",
            default=os.environ.get("LOTSEN_SS12000_CLIENT_SECRET", DEFAULT_CLIENT_SECRET),
            help=f"klienthemlighet som godtas (standard {DEFAULT_CLIENT_SECRET})",
        )

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "serve":
            self._serve(**options)

    def _serve(
        self,
        *,
        port: int,
        host: str,
        size: int,
        seed: int,
        today: dt.date | None,
        client_id: str,
        client_secret: str,
        **options,
    ) -> None:
        from waitress import serve

        today = today or timezone.localdate()
        try:
            app = make_app(seed=seed, size=size, today=today, clients={client_id: client_secret})
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"SS 12000-testserver på http://{host}:{port} ({size} unga, frö {seed}, "
            f"dag {today.isoformat()}); token: POST /token med klient-id {client_id}."
        )
        serve(app, host=host, port=port, threads=4, ident="lotsen-ss12000")
