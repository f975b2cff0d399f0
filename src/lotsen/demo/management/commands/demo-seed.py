"""``lotsen demo-seed``: one part of the demo on its own, on top of ``lotsen demo``.

  lotsen demo-seed kaa [--municipality 1999] [--seed 2026]
  lotsen demo-seed programmes
  lotsen demo-seed finance --programme NAME

``lotsen demo`` runs the kaa and programmes parts itself (and programmes runs finance);
these are for a database whose demo was built before a part existed, or for budgets on a
programme of one's own. Each part is idempotent. The domain apps' own commands serve no
demo data: nothing outside lotsen.demo imports it.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.accounts import codes as org_codes
from lotsen.demo.finance import finance_demo_seed
from lotsen.demo.generator import DEFAULT_SEED, DEMO_MUNICIPALITY_CODE
from lotsen.demo.kaa import kaa_demo_seed
from lotsen.demo.management.commands.demo import ERROR_PRODUCTION
from lotsen.demo.programmes import programme_demo_seed
from lotsen.programmes.models import Programme

ERROR_MUNICIPALITY = "ogiltig kommunkod {value} (fyra siffror)"
ERROR_PROGRAMME = "det finns inget program som heter {name!r}"
MESSAGE_KAA_ALREADY_THERE = "Aktivitetsansvaret i demokommunen finns redan. Inget har ändrats."


def _municipality(value: str) -> str:
    if not org_codes.is_municipality_code(value):
        raise argparse.ArgumentTypeError(ERROR_MUNICIPALITY.format(value=value))
    return value


class Command(BaseCommand):
    help = "Skapa en del av demodata: aktivitetsansvaret, demoprogrammet eller demobudgetar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="part", required=True, parser_class=CommandParser)

        p = sub.add_parser("kaa", help="aktivitetsansvaret för demokommunen")
        p.add_argument("--municipality", type=_municipality, default=DEMO_MUNICIPALITY_CODE)
        p.add_argument("--seed", type=int, default=DEFAULT_SEED)

        sub.add_parser("programmes", help="skapa demoprogrammet (gör inget om det finns)")

        p = sub.add_parser("finance", help="demobudget och demoutfall för ett program")
        p.add_argument("--programme", required=True, help="programmets namn")

    def handle(self, *args: Any, part: str, **options: Any) -> None:
        # The same guard as ``lotsen demo``: the parts make up persons and act as demo users.
        if settings.LOTSEN_PRODUCTION:
            raise CommandError(ERROR_PRODUCTION)
        if part == "kaa":
            self._kaa(municipality=options["municipality"], seed=options["seed"])
        elif part == "programmes":
            self.stdout.write(programme_demo_seed().summary())
        else:
            self._finance(programme=options["programme"])

    def _kaa(self, *, municipality: str, seed: int) -> None:
        summary = kaa_demo_seed(municipality_code=municipality, seed=seed)
        if summary.already_seeded:
            self.stdout.write(MESSAGE_KAA_ALREADY_THERE)
            return
        self.stdout.write(
            f"Aktivitetsansvaret: {summary.members} unga ({summary.share * 100:.1f} % av "
            f"{summary.young_16_19} unga 16–19 år). Kontakter {summary.contacts}, försök "
            f"{summary.attempts}, åtgärder {summary.measures}, anmälningar {summary.notices}; "
            f"inflyttade {summary.moved_in}, utflyttade {summary.moved_away}, asylsökande "
            f"{summary.asylum_seekers}."
        )

    def _finance(self, *, programme: str) -> None:
        try:
            found = Programme.objects.select_related("lead_organisation").get(name=programme)
        except Programme.DoesNotExist as exc:
            raise CommandError(ERROR_PROGRAMME.format(name=programme)) from exc
        result = finance_demo_seed(found)
        self.stdout.write(
            f"{result.budget_lines} budgetrader, {result.funding_sources} finansieringskällor och "
            f"{result.costs} kostnader för {result.subprojects} delprojekt."
        )
