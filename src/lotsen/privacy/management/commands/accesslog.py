"""``lotsen accesslog``: the access log on the command line.

  lotsen accesslog verify [--chunk-size 2000] [--from-hash HASH]
  lotsen accesslog partitions [--ensure-months N] [--detach-before YYYY-MM [--drop]]

``verify`` walks the hash chain in id order, a chunk at a time, and prints either
"OK" with the number of entries and the hash at the head, or the first broken link (the
entry's id and what is wrong with it), and then exits with status 1. Keep the printed head
hash somewhere the database's owner cannot write (a ticket, a signed mail): a chain
rewritten from a tampered entry onwards verifies again, but ends in another head. After a
retention step the chain starts at the hash of the last entry removed, which the step
prints; ``--from-hash`` checks the start against the copy kept outside.

``partitions`` (PostgreSQL, migration 0009) lists the monthly partitions;
``--ensure-months N`` gives each of the next N months its own partition (nightly, see
lotsen.jobs), and ``--detach-before YYYY-MM`` is the owner's retention step: it detaches
every month before that one (``--drop`` drops them too), for the table's owner to run.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.privacy.accesslog import (
    GENESIS_HASH,
    access_log_detach_before,
    access_log_ensure_months,
    access_log_partitions,
    access_log_verify,
)

MESSAGE_OK = "OK: {count} loggposter, kedjan är hel. Senaste hash: {head}"
MESSAGE_START = "Kedjan börjar efter gallring, vid hash {start}."
ERROR_BROKEN = "Kedjan är bruten vid loggpost {entry_id} (efter {count} hela poster): {problem}"
MESSAGE_CREATED = "Skapade {name}"
MESSAGE_DETACHED = "Kopplade loss {name}{dropped}"
MESSAGE_RETENTION = (
    "Kedjan börjar nu vid loggpost {first_id} efter hash {start}: spara hashen med "
    "kedjans senaste hash (lotsen accesslog verify --from-hash {start})."
)
ERROR_MONTH = "Ange månaden som ÅÅÅÅ-MM, inte {value}."


def _month(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(ERROR_MONTH.format(value=value)) from error


class Command(BaseCommand):
    help = "Åtkomstloggen: kontrollera hashkedjan, månadspartitioner och gallring."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        p = sub.add_parser(
            "verify", help="kontrollera att ingen loggpost har ändrats eller tagits bort"
        )
        p.add_argument("--chunk-size", type=int, default=2000, help="poster per läsning")
        p.add_argument("--from-hash", help="hashen kedjan ska börja vid efter gallring")
        p.add_argument("--database", default="default")
        p = sub.add_parser("partitions", help="månadspartitioner (PostgreSQL) och gallring")
        p.add_argument("--ensure-months", type=int, help="skapa partitioner N månader framåt")
        p.add_argument("--detach-before", help="gallra: koppla loss månader före ÅÅÅÅ-MM")
        p.add_argument("--drop", action="store_true", help="ta bort de lösgjorda tabellerna")
        p.add_argument("--database", default="default")

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "verify":
            self._verify(**options)
        else:
            self._partitions(**options)

    def _verify(self, **options) -> None:
        report = access_log_verify(
            using=options["database"],
            chunk_size=options["chunk_size"],
            from_hash=options.get("from_hash"),
        )
        if report.first_break is not None:
            raise CommandError(
                ERROR_BROKEN.format(
                    entry_id=report.first_break.entry_id,
                    count=report.count,
                    problem=report.first_break.problem,
                ),
                returncode=1,
            )
        if report.start != GENESIS_HASH:
            self.stdout.write(MESSAGE_START.format(start=report.start))
        self.stdout.write(MESSAGE_OK.format(count=report.count, head=report.head))

    def _partitions(self, **options) -> None:
        using = options["database"]
        try:
            if options.get("ensure_months") is not None:
                for name in access_log_ensure_months(
                    months_ahead=options["ensure_months"], using=using
                ):
                    self.stdout.write(MESSAGE_CREATED.format(name=name))
            if options.get("detach_before"):
                retention = access_log_detach_before(
                    month=_month(options["detach_before"]), drop=options["drop"], using=using
                )
                dropped = " och tog bort den" if options["drop"] else ""
                for name in retention.removed:
                    self.stdout.write(MESSAGE_DETACHED.format(name=name, dropped=dropped))
                if retention.removed:
                    self.stdout.write(
                        MESSAGE_RETENTION.format(
                            first_id=retention.first_kept_id, start=retention.start_hash
                        )
                    )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for partition in access_log_partitions(using=using):
            start = partition.start.isoformat() if partition.start else "MINVALUE"
            end = partition.end.isoformat() if partition.end else "MAXVALUE"
            self.stdout.write(f"{partition.name}\t{start}\t{end}")
