"""Shared set-up for benchmarks: a throwaway Lotsen database, migrated, with Django ready.

SQLite in a temporary directory by default; BENCH_DATABASE_URL runs on PostgreSQL instead
(a database that the benchmark may fill and empty).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable


def django_setup() -> None:
    os.environ.setdefault("LOTSEN_VAR_DIR", tempfile.mkdtemp(prefix="lotsen-bench-"))
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotsen.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def best_of(fn: Callable[[], object], *, repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, in seconds: the least disturbed by other load."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
