"""``lotsen signals``: early-warning signals on the command line, one subcommand per task.

``lotsen signals evaluate --csv FILE --target COL --positive VALUE [...]`` cross-validates
the learned risk model on any tabular file and prints one JSON object with ROC-AUC,
PR-AUC, Brier score, accuracy, the operating point for the caseload, the per-group
fairness audit and, with ``--stage``, the same per feature stage. ``--out DIR`` also writes
an HTML report with charts (index.html) and metrics.json. The pipeline lives in
``lotsen.earlywarning.learning``; this command only reads arguments, calls it and reports.

``lotsen signals compute`` raises rule-based signals for current pupils.

``lotsen signals train`` trains the learned model on the outcome history in the database
and stores it with its cross-validated metrics, fairness audit and model card (or says why
not); ``lotsen signals score`` scores current pupils with the latest model
(``lotsen.earlywarning.scoring``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotsen.earlywarning.rules import rule_title
from lotsen.earlywarning.services import compute_command

FILE_UNREADABLE = "kan inte läsa filen {path}: {reason}"
UNKNOWN_VERSION = "Det finns ingen modellversion {version}."
UNKNOWN_USER = "Det finns ingen aktiv användare {user}."
ACTIVATED = "Modellversion {version} används nu (aktiverad av {user})."
# The same as DEFAULT_FOLDS and DEFAULT_CASELOAD in lotsen.earlywarning.learning (a test holds them
# equal). Not imported: the learning libraries take a second or two to load, and only
# ``evaluate`` needs them, so the other subcommands start without them.
EVALUATE_FOLDS = 5
EVALUATE_CASELOAD = 0.2
STAGES_BOTH = "ange stegen antingen med --stage eller med --stages, inte båda"
STAGES_JSON = (
    '--stages: väntade ett JSON-objekt {{"namn": "prefix" eller ["prefix", ...]}} i '
    "tidsordning ({reason})"
)

COMPUTE_DESCRIPTION = """\
Går igenom nuvarande elevers närvaro och betyg med reglerna i lotsen.earlywarning.rules,
skapar nya signaler, uppdaterar underlaget i signaler som inte är avslutade och markerar
de där regeln inte längre gäller. Att köra två gånger på samma data ändrar ingenting."""
COMPUTE_SUMMARY = (
    "Elever som gicks igenom: {pupils}. Signaler: {raised} nya, {updated} uppdaterade, "
    "{cleared} där regeln inte längre gäller, {unchanged} oförändrade."
)
COMPUTE_BAD_DATE = "ogiltigt datum {value} (skriv ÅÅÅÅ-MM-DD)"

TRAIN_DESCRIPTION = """\
Tränar riskmodellen på utfallshistoriken i databasen: elever vars gymnasieutfall är känt
(avbrott, examen, studiebevis, gymnasieintyg), med uppgifter från innan utfallet var känt.
Korsvaliderar, granskar per kön och sparar modellen med modellbeskrivning och version.
Vägrar om historiken är för liten eller modellen inte blir bättre än slumpen."""
SCORE_DESCRIPTION = """\
Beräknar risk med den senast tränade modellen för nuvarande elever i årskurs 7–9 och i
gymnasieskolan, utifrån det som var känt på dagen. Att köra två gånger samma dag med samma
modell ändrar ingenting."""

EVALUATE_DESCRIPTION = """\
Korsvaliderar riskmodellen på en CSV-fil och skriver ut ett JSON-objekt med ROC-AUC,
PR-AUC, Brier-poäng, träffsäkerhet vid risk 0,5, arbetspunkten och måtten per grupp.
Samma kod som ska poängsätta elever, så det som mäts är det som körs."""

EVALUATE_EPILOG = """\
Kolumnernas roller:
  --target är aldrig en prediktor. --audit-kolumner (kön, medborgarskap, ålder och andra
  skyddade egenskaper) är aldrig prediktorer: de används bara i rättvisegranskningen.
  --exclude-kolumner används inte alls. Övriga kolumner är prediktorer; konstanta och
  id-liknande kolumner hoppas över och listas under "ignored".

Arbetspunkt (--caseload):
  Andelen elever som personalen hinner följa upp. Standard 0,2: de 20 % med högst risk
  flaggas, aldrig fler. Precision, täckning (recall) och andel falsklarm redovisas vid
  den tröskeln, totalt och per grupp.

Steg (--stage NAMN=PREFIX, upprepas i tidsordning):
  Varje steg lägger till kolumner vars namn börjar med PREFIX; en kolumn hör till steget
  med längst matchande prefix. Ge det första steget tomt prefix så tar det alla kolumner
  som inget senare steg tar. Steg k använder sina och alla tidigare stegs kolumner, och
  alla steg körs på samma folds. Härledda prediktorer hör till det senaste steg som deras
  kolumner hör till. Samma sak som JSON: --stages '{"inskrivning": "", "t1": ["A", "B"]}'.

Härledda prediktorer (--derive NAMN=UTTRYCK, upprepas):
  Aritmetik på numeriska kolumner: [kolumnnamn], tal, + - * / och parenteser. Division
  med noll ger ett saknat värde.

Exempel (UCI-data om studieavbrott):
  lotsen signals evaluate --csv uci_dropout.csv --target Target --positive Dropout \\
    --audit Gender Nacionality International "Age at enrollment" "Marital status" \\
    --stage enrolment= \\
    --stage semester1="Curricular units 1st sem" \\
    --stage semester2="Curricular units 2nd sem" \\
    --derive "T1 godkända=[Curricular units 1st sem (approved)]/[Curricular units 1st sem \\
(enrolled)]" \\
    --out rapport/"""


class Command(BaseCommand):
    help = "Tidiga signaler: regler, riskmodellens utvärdering, träning och bedömning."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="delkommando", title="delkommandon"
        )
        evaluate_parser = subcommands.add_parser(
            "evaluate",
            help="korsvalidera riskmodellen på en CSV-fil",
            description=EVALUATE_DESCRIPTION,
            epilog=EVALUATE_EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add = evaluate_parser.add_argument
        add("--csv", required=True, type=Path, metavar="FIL", help="CSV-fil med rubrikrad (UTF-8)")
        add("--target", required=True, metavar="KOLUMN", help="kolumnen med utfallet")
        add(
            "--positive",
            required=True,
            metavar="VÄRDE",
            help="utfallsvärdet som ska förutsägas (t.ex. Dropout); alla andra värden är 0",
        )
        add(
            "--sep",
            metavar="TECKEN",
            help="avgränsare; utan den gissas den bland ; , tab och | (skriv tab för tab)",
        )
        add(
            "--exclude",
            nargs="+",
            action="extend",
            default=[],
            metavar="KOLUMN",
            help="kolumner som inte används alls",
        )
        add(
            "--audit",
            nargs="+",
            action="extend",
            default=[],
            metavar="KOLUMN",
            help="kolumner för rättvisegranskningen, aldrig prediktorer",
        )
        add(
            "--derive",
            action="append",
            default=[],
            metavar="NAMN=UTTRYCK",
            help="härledd prediktor, t.ex. 'andel=[godkända]/[registrerade]' (upprepas)",
        )
        add(
            "--monotone",
            action="append",
            default=[],
            metavar="NAMN=+1|-1",
            help="en riktning som är känd i förväg: +1 högre värde sänker aldrig risken, "
            "-1 höjer den aldrig (upprepas)",
        )
        add("--folds", type=int, default=EVALUATE_FOLDS, help="antal folds (standard 5)")
        add("--seed", type=int, default=0, help="frö för folds och modeller (standard 0)")
        add(
            "--caseload",
            type=float,
            default=EVALUATE_CASELOAD,
            metavar="ANDEL",
            help="andelen som kan följas upp, 0–1 (standard 0.2 = de 20 %% med högst risk)",
        )
        stages = evaluate_parser.add_mutually_exclusive_group()
        stages.add_argument(
            "--stage",
            action="append",
            default=[],
            metavar="NAMN=PREFIX",
            help="ett steg i tidsordning; se nedan (upprepas)",
        )
        stages.add_argument("--stages", metavar="JSON", help="alla steg som ett JSON-objekt")
        add("--out", type=Path, metavar="KATALOG", help="skriv index.html och metrics.json hit")
        add("--source", default="", metavar="TEXT", help="datakälla att ange i rapporten")
        add("--jobs", type=int, default=2, help="folds som körs samtidigt (standard 2)")

        compute_parser = subcommands.add_parser(
            "compute",
            help="räkna fram signaler ur skoldata för nuvarande elever",
            description=COMPUTE_DESCRIPTION,
        )
        compute_parser.add_argument(
            "--school-unit", metavar="KOD", help="bara skolenheten med den här skolenhetskoden"
        )
        compute_parser.add_argument(
            "--date",
            type=_compute_date,
            metavar="ÅÅÅÅ-MM-DD",
            help="dagen som gäller (standard i dag); bara det som var känt då räknas",
        )

        train_parser = subcommands.add_parser(
            "train",
            help="träna riskmodellen på utfallshistoriken i databasen",
            description=TRAIN_DESCRIPTION,
        )
        train_parser.add_argument(
            "--date",
            type=_compute_date,
            metavar="ÅÅÅÅ-MM-DD",
            help="utfall kända till och med den här dagen (standard i dag)",
        )
        train_parser.add_argument(
            "--horizon",
            type=int,
            default=3,
            metavar="ÅR",
            help="avbrott inom så här många år från gymnasiestarten (standard 3)",
        )
        train_parser.add_argument(
            "--folds", type=int, default=EVALUATE_FOLDS, help="antal folds (standard 5)"
        )
        train_parser.add_argument(
            "--caseload",
            type=float,
            default=EVALUATE_CASELOAD,
            metavar="ANDEL",
            help="andelen som kan följas upp, 0–1 (standard 0.2)",
        )
        train_parser.add_argument("--seed", type=int, default=0, help="frö (standard 0)")
        train_parser.add_argument(
            "--card", action="store_true", help="skriv också ut modellbeskrivningen"
        )
        train_parser.add_argument(
            "--out",
            type=Path,
            metavar="KATALOG",
            help="skriv modellkortet och utkastet till konsekvensbedömning (HTML och ODT) hit",
        )

        compare_parser = subcommands.add_parser(
            "compare",
            help="jämför en modellversion med den som används, på samma utfall",
        )
        compare_parser.add_argument("version", metavar="VERSION")
        activate_parser = subcommands.add_parser(
            "activate",
            help="börja använda en jämförd modellversion (en person aktiverar)",
        )
        activate_parser.add_argument("version", metavar="VERSION")
        activate_parser.add_argument(
            "--user", required=True, metavar="ANVÄNDARNAMN", help="vem som aktiverar"
        )
        activate_parser.add_argument("--note", default="", help="varför (högst 500 tecken)")

        score_parser = subcommands.add_parser(
            "score",
            help="beräkna risk med den senaste modellen för nuvarande elever",
            description=SCORE_DESCRIPTION,
        )
        score_parser.add_argument(
            "--school-unit", metavar="KOD", help="bara skolenheten med den här skolenhetskoden"
        )
        score_parser.add_argument(
            "--date",
            type=_compute_date,
            metavar="ÅÅÅÅ-MM-DD",
            help="dagen som gäller (standard i dag); bara det som var känt då räknas",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "evaluate":
            from lotsen.earlywarning.learning import InvalidInput

            try:
                self._evaluate(options)
            except InvalidInput as error:
                # Nothing on stdout: a half-printed result could be taken for a whole one.
                raise CommandError(str(error)) from error
        elif subcommand == "compute":
            self._compute(options)
        elif subcommand == "train":
            self._train(options)
        elif subcommand == "score":
            self._score(options)
        elif subcommand == "compare":
            self._compare(options)
        elif subcommand == "activate":
            self._activate(options)

    def _version(self, text: str):
        from lotsen.earlywarning.models import ModelVersion

        version = ModelVersion.objects.filter(version=text.strip()[:40]).first()
        if version is None:
            raise CommandError(UNKNOWN_VERSION.format(version=text))
        return version

    def _compare(self, options: dict[str, Any]) -> None:
        from lotsen.earlywarning.governance import comparison_make, comparison_summary

        version = self._version(options["version"])
        self.stdout.write(comparison_summary(comparison_make(version), version=version))

    def _activate(self, options: dict[str, Any]) -> None:
        from lotsen.accounts.models import User
        from lotsen.earlywarning.governance import ActivationRefused, model_activate

        version = self._version(options["version"])
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(UNKNOWN_USER.format(user=options["user"]))
        try:
            model_activate(version, by=user, note=options["note"])
        except ActivationRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(ACTIVATED.format(version=version.version, user=user.username))

    def _train(self, options: dict[str, Any]) -> None:
        from lotsen.earlywarning.learning import InvalidInput
        from lotsen.earlywarning.scoring import TrainingRefused, model_train, train_summary

        try:
            version = model_train(
                as_of=options["date"],
                horizon_years=options["horizon"],
                folds=options["folds"],
                caseload=options["caseload"],
                seed=options["seed"],
            )
        except (TrainingRefused, InvalidInput) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(train_summary(version))
        if options["card"]:
            self.stdout.write("")
            self.stdout.write(version.model_card)
        if options["out"] is not None:
            from lotsen.earlywarning.governance import comparison_summary, facts_from_version
            from lotsen.earlywarning.modelcard import documents_write

            for path in documents_write(facts_from_version(version), out=options["out"]):
                self.stderr.write(f"Skrev {path}")
            self.stdout.write(comparison_summary(version.comparison, version=version))

    def _score(self, options: dict[str, Any]) -> None:
        from lotsen.earlywarning.scoring import ScoringError, score_command, score_summary

        try:
            summary = score_command(school_unit_code=options["school_unit"], on=options["date"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ScoringError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(score_summary(summary))

    def _compute(self, options: dict[str, Any]) -> None:
        try:
            summary = compute_command(school_unit_code=options["school_unit"], on=options["date"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            COMPUTE_SUMMARY.format(
                pupils=summary.pupils,
                raised=summary.raised,
                updated=summary.updated,
                cleared=summary.cleared,
                unchanged=summary.unchanged,
            )
        )
        for rule_id, count in sorted(summary.raised_by_rule.items()):
            self.stdout.write(f"  {rule_title(rule_id)}: {count}")

    def _evaluate(self, options: dict[str, Any]) -> None:
        from lotsen.earlywarning.evaluation_report import REPORT_FILE, report_write
        from lotsen.earlywarning.learning import (
            dataset_prepare,
            derive_parse,
            evaluate,
            monotone_parse,
            table_read_csv,
        )

        path: Path = options["csv"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(FILE_UNREADABLE.format(path=path, reason=error.strerror)) from error
        sep = options["sep"]
        if sep is not None and sep.lower() in {"tab", "\\t"}:
            sep = "\t"
        table = table_read_csv(data=data, sep=sep)
        dataset = dataset_prepare(
            table=table,
            target=options["target"],
            positive=options["positive"],
            exclude=options["exclude"],
            audit=options["audit"],
            derive=[derive_parse(spec) for spec in options["derive"]],
            stages=_stages(options),
            monotone=dict(monotone_parse(spec) for spec in options["monotone"]),
        )
        evaluation = evaluate(
            dataset=dataset,
            folds=options["folds"],
            seed=options["seed"],
            caseload=options["caseload"],
            jobs=max(1, options["jobs"]),
            progress=lambda message: self.stderr.write(message),
        )
        result = evaluation.as_json()
        if options["out"] is not None:
            report_write(
                evaluation,
                out=options["out"],
                source=options["source"],
                command=_command(options),
                data_file=path,
            )
            self.stderr.write(f"Rapport: {options['out'] / REPORT_FILE}")
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))


def _stages(options: dict[str, Any]) -> list[tuple[str, str | list[str]]] | None:
    from lotsen.earlywarning.learning import stage_parse

    if options["stage"] and options["stages"]:
        raise CommandError(STAGES_BOTH)
    if options["stage"]:
        return [stage_parse(spec) for spec in options["stage"]]
    if not options["stages"]:
        return None
    try:
        raw = json.loads(options["stages"])
    except json.JSONDecodeError as error:
        raise CommandError(STAGES_JSON.format(reason=error.msg)) from error
    if not isinstance(raw, dict) or not raw:
        raise CommandError(STAGES_JSON.format(reason="inte ett objekt"))
    stages: list[tuple[str, str | list[str]]] = []
    for name, prefix in raw.items():
        valid_list = isinstance(prefix, list) and all(isinstance(p, str) for p in prefix)
        if not (isinstance(prefix, str) or valid_list):
            raise CommandError(STAGES_JSON.format(reason=f"steget {name!r}"))
        stages.append((name, prefix))
    return stages


def _command(options: dict[str, Any]) -> str:
    """The run as a command line, for the report: enough to repeat it."""
    words = ["lotsen", "signals", "evaluate", "--csv", options["csv"].name]
    words += ["--target", options["target"], "--positive", options["positive"]]
    for flag in ("exclude", "audit"):
        if options[flag]:
            words += [f"--{flag}", *options[flag]]
    for spec in options["stage"]:
        words += ["--stage", spec]
    if options["stages"]:
        words += ["--stages", options["stages"]]
    for spec in options["derive"]:
        words += ["--derive", spec]
    for spec in options["monotone"]:
        words += ["--monotone", spec]
    words += ["--folds", str(options["folds"]), "--seed", str(options["seed"])]
    words += ["--caseload", str(options["caseload"])]
    return shlex.join(words)


def _compute_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(COMPUTE_BAD_DATE.format(value=value)) from error
