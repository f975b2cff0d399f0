"""``lotsen serve``: serve Lotsen with waitress (a production-grade WSGI server in pure
Python), static files through WhiteNoise.

One process holds Python's interpreter lock, so waitress's threads share one core: that is
the embedded default (``make run``). A production server runs several worker processes:
``lotsen serve --workers N`` (N > 1) serves through gunicorn (the ``production`` extra:
``pip install 'lotsen[production]'``), N processes with ``--threads`` threads each; about
one process per core, two to four threads each. Each process has its own database
connections (CONN_MAX_AGE keeps them), so the database must allow N × threads of them.

Behind a reverse proxy that terminates TLS, name the proxy (LOTSEN_TRUSTED_PROXY or
``--trusted-proxy``): waitress then takes the client's scheme and address from the proxy's
X-Forwarded-* headers, and still drops those headers from anybody else, so that a client
cannot claim https or another address for itself.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

WARNING_NO_PROXY = (
    "Varning: SECURE_SSL_REDIRECT är på men ingen betrodd proxy är angiven "
    "(LOTSEN_TRUSTED_PROXY). Bakom en proxy som avslutar TLS skickas då varje begäran "
    "om till https i all oändlighet."
)


MAX_WORKERS = 64
MAX_THREADS = 64
ERROR_WORKERS = "--workers: ange ett antal processer mellan 1 och {maximum}."
ERROR_THREADS = "--threads: ange ett antal trådar mellan 1 och {maximum}."
ERROR_NO_GUNICORN = (
    "--workers: fler än en process kräver gunicorn, som inte är installerat. "
    "Installera det med pip install 'lotsen[production]'."
)


def proxied_application(application, trusted_proxy: str):
    """The application behind waitress's own proxy-header handling, for gunicorn: the
    same rules as ``lotsen serve`` with one process (scheme and client address taken from
    the trusted proxy only, the headers dropped from anybody else)."""
    from waitress.proxy_headers import proxy_headers_middleware

    if not trusted_proxy:
        return proxy_headers_middleware(application, clear_untrusted=True)
    return proxy_headers_middleware(
        application,
        trusted_proxy=trusted_proxy,
        trusted_proxy_count=settings.LOTSEN_TRUSTED_PROXY_COUNT,
        trusted_proxy_headers=set(settings.LOTSEN_TRUSTED_PROXY_HEADERS),
        clear_untrusted=True,
    )


class Command(BaseCommand):
    help = "Serve Lotsen on http://HOST:PORT (PORT from the environment, default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="Threads per process (default 8 with one process, 4 with several).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("LOTSEN_WORKERS", "1")),
            help="Worker processes (default LOTSEN_WORKERS or 1). More than one serves "
            "through gunicorn, which must be installed (the production extra).",
        )
        parser.add_argument(
            "--trusted-proxy",
            default=settings.LOTSEN_TRUSTED_PROXY,
            help="The reverse proxy's IP address ('*': any peer, when only the proxy can "
            "reach this port). Default: LOTSEN_TRUSTED_PROXY; none.",
        )

    def handle(self, *args, host, port, threads, workers, trusted_proxy, **options):
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(ERROR_WORKERS.format(maximum=MAX_WORKERS))
        if threads is not None and not 1 <= threads <= MAX_THREADS:
            raise CommandError(ERROR_THREADS.format(maximum=MAX_THREADS))
        if workers > 1:
            self._serve_with_gunicorn(
                host=host, port=port, workers=workers, threads=threads or 4,
                trusted_proxy=trusted_proxy,
            )  # fmt: skip
            return
        from waitress import serve

        from lotsen.wsgi import application

        threads = threads or 8
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

    def _serve_with_gunicorn(self, *, host, port, workers, threads, trusted_proxy) -> None:
        try:
            from gunicorn.app.base import BaseApplication
        except ImportError as exc:
            raise CommandError(ERROR_NO_GUNICORN) from exc
        if not trusted_proxy and settings.SECURE_SSL_REDIRECT:
            self.stderr.write(WARNING_NO_PROXY)

        class LotsenGunicorn(BaseApplication):
            def load_config(self):
                for name, value in {
                    "bind": [f"{host}:{port}"],
                    "workers": workers,
                    "threads": threads,
                    "worker_class": "gthread" if threads > 1 else "sync",
                    # Each worker loads the application itself after the fork, so that no
                    # database connection is shared between processes.
                    "preload_app": False,
                    # The proxy headers are handled by waitress's middleware (above),
                    # with the same rules as one process; gunicorn trusts nobody's.
                    "forwarded_allow_ips": "",
                    "proc_name": "lotsen",
                    "accesslog": None,
                    # Idle keep-alive connections stay open 75 s (nginx's default), not
                    # gunicorn's 2 s: a person reads a page for longer than that, and a
                    # client that sends its next request as the server closes the idle
                    # connection gets "connection reset" (the load benchmark's 50 users
                    # did, ten times a minute).
                    "keepalive": 75,
                    "errorlog": "-",
                    # No control socket in the home directory (gunicorn 24 and later): a
                    # second server on the machine would take over the first one's.
                    "control_socket_disable": True,
                }.items():
                    if name in self.cfg.settings:
                        self.cfg.set(name, value)

            def load(self):
                from lotsen.wsgi import application

                return proxied_application(application, trusted_proxy)

        self.stdout.write(
            f"Lotsen körs på http://{host}:{port}/ med {workers} processer "
            f"× {threads} trådar (gunicorn; avsluta med Ctrl+C)"
        )
        self.stdout.flush()
        LotsenGunicorn().run()
