"""``lotsen demo``: fill an empty database with the synthetic demo municipality."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.accounts.models import Role
from lotsen.demo.generator import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SEED,
    DEFAULT_SIZE,
    DEMO_MUNICIPALITY_CODE,
    DEMO_MUNICIPALITY_NAME,
    DEMO_USERS,
    DemoError,
    DemoSummary,
    demo_build,
    demo_exists,
    demo_tables_analyze,
)
from lotsen.demo.kaa import kaa_demo_seed
from lotsen.demo.programmes import programme_demo_seed
from lotsen.demo.support import support_demo_seed
from lotsen.earlywarning.services import signals_compute

MESSAGE_ALREADY_THERE = (
    f"Demodata finns redan ({DEMO_MUNICIPALITY_NAME}, kommunkod {DEMO_MUNICIPALITY_CODE}). "
    "Inget har ändrats."
)
ERROR_PRODUCTION = (
    "lotsen demo körs inte med produktionsinställningarna: demon skapar användare med "
    "kända lösenord (admin, demo) och påhittade personer. Använd lotsen.settings för en "
    "demo- eller testinstallation."
)
# The published default of LOTSEN_DEMO_PASSWORD, not a secret.
_DEFAULT_DEMO_PASSWORD = "demo"  # noqa: S105


class Command(BaseCommand):
    help = (
        "Skapa demodata: en påhittad kommun med skolor, samarbetspartner, "
        "demoanvändare och unga personer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--size",
            type=int,
            default=DEFAULT_SIZE,
            help=f"antal unga personer (standard {DEFAULT_SIZE})",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"slumpfrö; samma frö ger samma data samma dag (standard {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="gör ingenting om demodata redan finns",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"personer per transaktion (standard {DEFAULT_BATCH_SIZE})",
        )

    def handle(self, *args, size: int, seed: int, if_empty: bool, batch_size: int, **options):
        if settings.LOTSEN_PRODUCTION:
            raise CommandError(ERROR_PRODUCTION)
        if if_empty and demo_exists():
            self.stdout.write(MESSAGE_ALREADY_THERE)
            return
        started = time.monotonic()
        try:
            summary = demo_build(size=size, seed=seed, batch_size=batch_size, stdout=self.stdout)
        except DemoError as error:
            raise CommandError(str(error)) from error
        # Each step says what it made as soon as it is done: at a national size the steps
        # after the persons take most of an hour.
        write = self.stdout.write
        # Signals from the demo's school data, so that the school pages have something to show.
        signals = signals_compute()
        write(f"  Signaler till skolorna: {signals.raised}")
        write(f"  Riskmodell: {_risk_model_train_and_score()}")
        kaa = kaa_demo_seed()
        write(
            f"  Aktivitetsansvaret: {kaa.members} unga ({kaa.share:.0%} av {kaa.young_16_19} "
            f"16–19-åringar), {kaa.contacts} kontakter, {kaa.measures} åtgärder"
        )
        support = support_demo_seed()
        write(
            f"  Samordnat stöd: {support.cases} ärenden, "
            f"{support.referrals_pending} remiss väntar på svar"
        )
        write(f"  {programme_demo_seed().summary()}")
        # Statistics again for what the signals, scores and seeds wrote.
        demo_tables_analyze()
        self._summary_write(summary, seconds=time.monotonic() - started)

    def _summary_write(self, summary: DemoSummary, *, seconds: float) -> None:
        write = self.stdout.write
        elapsed = f"{seconds:.1f}".replace(".", ",")
        write(
            self.style.SUCCESS(
                f"Demodata för {DEMO_MUNICIPALITY_NAME} (kommunkod {DEMO_MUNICIPALITY_CODE}) "
                f"skapades på {elapsed} s."
            )
        )
        write(f"  Organisationer: {summary.organisations}")
        write(
            f"  Unga: {summary.persons} (varav {summary.protected} med skyddade "
            f"personuppgifter och {summary.coordination_numbers} med samordningsnummer)"
        )
        write(f"  Vårdnadshavare: {summary.guardians}")
        write(
            f"  Inskrivningar: {summary.enrolments_current} pågående, "
            f"{summary.enrolments_ended} avslutade"
        )
        write(
            "  Unga 16–19 år i aktivitetsansvaret (inte i skolan, ingen examen): "
            f"{summary.kaa_cohort}"
        )
        write(
            f"  Samtycken: {summary.consents_active} gällande, {summary.consents_expired} "
            f"utgångna, {summary.consents_withdrawn} återkallade"
        )
        # The password is shown only while it is the well-known default: a deployment
        # that chose its own has a reason not to print it.
        if settings.LOTSEN_DEMO_PASSWORD == _DEFAULT_DEMO_PASSWORD:
            login_hint = f"lösenord: {_DEFAULT_DEMO_PASSWORD}"
        else:
            login_hint = "lösenord: värdet i LOTSEN_DEMO_PASSWORD"
        write(f"Logga in som ({login_hint}):")
        roles = dict(Role.choices)
        for username, role, organisation, _description in DEMO_USERS:
            where = f", {organisation}" if organisation else ""
            write(f"  {username:<14} {roles[role]}{where}")


def _risk_model_train_and_score() -> str:
    """Train the learned model on the demo's outcome history and score the pupils, or say
    why not (too little history, or no better than chance): the demo goes on either way."""
    from lotsen.accounts.models import User
    from lotsen.earlywarning.governance import model_activate
    from lotsen.earlywarning.scoring import (
        TrainingRefused,
        model_train,
        risk_scores_compute,
        score_summary,
        train_summary,
    )

    try:
        version = model_train()
    except TrainingRefused as refused:
        return f"ingen. {refused}"
    # In a real deployment a person compares and activates a version; the demo's system
    # administrator does it here so that the demo shows scores from the start.
    model_activate(
        version,
        by=User.objects.get(username="admin"),
        note="Demodata: aktiverad när demon skapades.",
    )
    return f"{train_summary(version)}\n  {score_summary(risk_scores_compute())}"
