"""``lotsen serve``: serve Lotsen with waitress (a production-grade WSGI server in pure
Python), static files through WhiteNoise."""

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Lotsen on http://HOST:PORT (PORT from the environment, default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from lotsen.wsgi import application

        self.stdout.write(f"Lotsen körs på http://{host}:{port}/ (avsluta med Ctrl+C)")
        serve(application, host=host, port=port, threads=threads, ident="Lotsen")
