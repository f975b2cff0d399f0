"""``lotsen accesslog``: the access log on the command line.

  lotsen accesslog verify [--chunk-size 2000]

``verify`` walks the hash chain in id order, a chunk at a time, and prints either
"OK" with the number of entries and the hash at the head, or the first broken link (the
entry's id and what is wrong with it), and then exits with status 1. Keep the printed head
hash somewhere the database's owner cannot write (a ticket, a signed mail): a chain
rewritten from a tampered entry onwards verifies again, but ends in another head.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.privacy.accesslog import access_log_verify

MESSAGE_OK = "OK: {count} loggposter, kedjan är hel. Senaste hash: {head}"
ERROR_BROKEN = "Kedjan är bruten vid loggpost {entry_id} (efter {count} hela poster): {problem}"


class Command(BaseCommand):
    help = "Åtkomstloggen: kontrollera hashkedjan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, parser_class=CommandParser)
        p = sub.add_parser(
            "verify", help="kontrollera att ingen loggpost har ändrats eller tagits bort"
        )
        p.add_argument("--chunk-size", type=int, default=2000, help="poster per läsning")
        p.add_argument("--database", default="default")

    def handle(self, *args, subcommand: str, **options) -> None:
        if subcommand == "verify":
            report = access_log_verify(using=options["database"], chunk_size=options["chunk_size"])
            if report.first_break is not None:
                raise CommandError(
                    ERROR_BROKEN.format(
                        entry_id=report.first_break.entry_id,
                        count=report.count,
                        problem=report.first_break.problem,
                    ),
                    returncode=1,
                )
            self.stdout.write(MESSAGE_OK.format(count=report.count, head=report.head))
