"""``lotsen jobs``: the worker, the scheduler, starting a job by hand, recent runs."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lotsen.jobs.models import JobRun
from lotsen.jobs.runs import job_start, jobs_recover

UNKNOWN_JOB = "Okänt jobb: {name}. Kända jobb: {known}."
BAD_PARAM = "Parametern {param!r} ska skrivas namn=värde."


def _embedded() -> bool:
    return settings.CELERY_BROKER_URL.startswith("filesystem:")


def _broker_folders() -> None:
    from lotsen.jobs.engine import broker_folders_ensure

    broker_folders_ensure()


class Command(BaseCommand):
    help = "Bakgrundsjobb: arbetare, schemaläggare och körningar."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        p = sub.add_parser("worker", help="kör jobb (Celery-arbetare)")
        p.add_argument("--concurrency", type=int, default=None)
        p.add_argument("--loglevel", default="warning")
        p = sub.add_parser("beat", help="starta schemalagda jobb (Celery beat)")
        p.add_argument("--loglevel", default="warning")
        p = sub.add_parser("start", help="starta ett jobb nu")
        p.add_argument("name")
        p.add_argument("params", nargs="*", help="namn=värde")
        sub.add_parser("recover", help="skicka igen körningar som en arbetare tappade")
        p = sub.add_parser("runs", help="de senaste körningarna")
        p.add_argument("--limit", type=int, default=20)
        p.add_argument("--json", action="store_true", help="en rad JSON per körning")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        getattr(self, f"_{subcommand}")(options)

    def _worker(self, options: dict[str, Any]) -> None:
        from lotsen.jobs.engine import app

        _broker_folders()
        argv = ["worker", "--loglevel", options["loglevel"], "--without-gossip"]
        argv += ["--without-mingle", "--without-heartbeat"]
        if _embedded():
            # One process: the embedded database has one writer at a time anyway, and
            # killing the worker kills the job with it.
            argv += ["--pool", "solo"]
        elif options["concurrency"]:
            argv += ["--concurrency", str(options["concurrency"])]
        app.worker_main(argv)

    def _beat(self, options: dict[str, Any]) -> None:
        from lotsen.jobs.engine import app

        _broker_folders()
        app.start(["beat", "--loglevel", options["loglevel"]])

    def _start(self, options: dict[str, Any]) -> None:
        from lotsen.jobs.engine import app

        name = options["name"]
        app.loader.import_default_modules()  # every app's tasks module
        known = sorted(task for task in app.tasks if not task.startswith("celery."))
        if name not in known:
            raise CommandError(UNKNOWN_JOB.format(name=name, known=", ".join(known)))
        params = {}
        for item in options["params"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(BAD_PARAM.format(param=item))
            params[key] = value
        _broker_folders()
        run = job_start(name, params=params, trigger="system")
        self.stdout.write(f"{run.name} #{run.pk} i kö.")

    def _recover(self, options: dict[str, Any]) -> None:
        _broker_folders()
        self.stdout.write(f"{jobs_recover()} körningar skickade igen.")

    def _runs(self, options: dict[str, Any]) -> None:
        for run in JobRun.objects.all()[: options["limit"]]:
            if options["json"]:
                fields = ("pk", "name", "status", "trigger", "attempts", "counts", "error")
                row = {field: getattr(run, field) for field in fields}
                self.stdout.write(json.dumps({**row, "history": run.history}, ensure_ascii=False))
                continue
            self.stdout.write(
                f"#{run.pk} {run.name} {run.status} försök {run.attempts} "
                f"{json.dumps(run.counts, ensure_ascii=False)} {run.error}"
            )
