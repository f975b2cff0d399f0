"""``lotsen serve``: serve Lotsen with waitress (a production-grade WSGI server in pure
Python), static files through WhiteNoise.

Behind a reverse proxy that terminates TLS, name the proxy (LOTSEN_TRUSTED_PROXY or
``--trusted-proxy``): waitress then takes the client's scheme and address from the proxy's
X-Forwarded-* headers, and still drops those headers from anybody else, so that a client
cannot claim https or another address for itself.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand

WARNING_NO_PROXY = (
    "Varning: SECURE_SSL_REDIRECT är på men ingen betrodd proxy är angiven "
    "(LOTSEN_TRUSTED_PROXY). Bakom en proxy som avslutar TLS skickas då varje begäran "
    "om till https i all oändlighet."
)


class Command(BaseCommand):
    help = "Serve Lotsen on http://HOST:PORT (PORT from the environment, default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--trusted-proxy",
            default=settings.LOTSEN_TRUSTED_PROXY,
            help="The reverse proxy's IP address ('*': any peer, when only the proxy can "
            "reach this port). Default: LOTSEN_TRUSTED_PROXY; none.",
        )

    def handle(self, *args, host, port, threads, trusted_proxy, **options):
        from waitress import serve

        from lotsen.wsgi import application

        proxy = {}
        if trusted_proxy:
            proxy = {
                "trusted_proxy": trusted_proxy,
                "trusted_proxy_count": settings.LOTSEN_TRUSTED_PROXY_COUNT,
                "trusted_proxy_headers": settings.LOTSEN_TRUSTED_PROXY_HEADERS,
                "clear_untrusted_proxy_headers": True,
            }
        elif settings.SECURE_SSL_REDIRECT:
            self.stderr.write(WARNING_NO_PROXY)
        self.stdout.write(f"Lotsen körs på http://{host}:{port}/ (avsluta med Ctrl+C)")
        serve(application, host=host, port=port, threads=threads, ident="Lotsen", **proxy)
