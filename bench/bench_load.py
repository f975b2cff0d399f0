"""Pages under load: Locust, headless, against ``lotsen serve`` on loopback, on a
generated municipality on PostgreSQL (issue 16).

1. Builds the demo municipality at BENCH_LOAD_SIZE young people (default 5,000; the issue's
   figure is 50,000: BENCH_LOAD_SIZE=50000, several minutes to build) in the database at
   BENCH_LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lotsen_bench_load),
   unless it already holds a demo of that size (so a second run starts at once).
2. Serves it with ``lotsen serve --workers N`` (BENCH_LOAD_WORKERS, default one per core;
   gunicorn) on a free loopback port.
3. Measures the anonymous login page with a single client, unloaded: the median of
   BENCH_LOAD_BASELINE requests (default 100).
4. For each user level in BENCH_LOAD_USERS (default "10,50"), BENCH_LOAD_SECONDS seconds
   (default 60; the statistics restart once every user is spawned, so the logins at the
   start count only as far as they run into the window) of Locust (bench/locust_load.py:
   mentors, KAA coordinators, coaches and visitors of the login page, 1–3 s between
   pages), and prints per page the requests,
   errors, p50/p95/p99 in ms and p95 as a ratio to the unloaded login page's median.

A page passes the issue's bar when its p95 is at most 20× that median with 0 errors (at 50
users on 50,000 persons). The benchmark prints; it does not assert.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
LOTSEN = BIN / "lotsen"
LOGIN = "/konto/logga-in/"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lotsen_bench_load"
BAR = 20


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "lotsen.settings",
        # Keep each worker's database connections between requests, as in production.
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
    }


def _reachable(database_url: str) -> bool:
    try:
        import psycopg

        psycopg.connect(database_url, dbname="postgres", connect_timeout=3).close()
    except Exception:  # noqa: BLE001 - any failure means: no server to run against
        return False
    return True


def _ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url, dbname="postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


# The size the benchmark built, in a table of its own: the demo's seeds (KAA, support,
# programmes) add persons of their own, so the person count is not the size asked for.
SIZE_TABLE = "lotsen_bench_load_size"


def _built_size(database_url: str) -> int | None:
    """The size of the municipality built here before; None when nothing was built."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        try:
            row = connection.execute(f"SELECT size FROM {SIZE_TABLE}").fetchone()  # noqa: S608
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


def _persons_in(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url) as connection:
        try:
            return connection.execute("SELECT count(*) FROM people_person").fetchone()[0]
        except psycopg.errors.UndefinedTable:
            return -1


def _build(database_url: str, size: int) -> None:
    import psycopg

    env = _env(database_url)
    subprocess.run([LOTSEN, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    built = _built_size(database_url)
    if built == size:
        print(f"Demo municipality of {size} persons already built: reused.", flush=True)
        return
    if built is not None or _persons_in(database_url) > 0:
        raise SystemExit(
            f"{database_url} holds another municipality ({built or 'unknown'} persons asked"
            f" for, {_persons_in(database_url)} in all): drop the database or set"
            " BENCH_LOAD_SIZE to that size."
        )
    started = time.monotonic()
    subprocess.run([LOTSEN, "demo", "--size", str(size)], env=env, check=True, cwd=ROOT)  # noqa: S603
    with psycopg.connect(database_url) as connection:
        connection.execute(f"CREATE TABLE {SIZE_TABLE} (size integer NOT NULL)")
        connection.execute(f"INSERT INTO {SIZE_TABLE} VALUES (%s)", [size])  # noqa: S608
    print(f"Built {size} persons in {time.monotonic() - started:.0f} s.", flush=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(database_url: str, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    command = [LOTSEN, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(  # noqa: S603
        command, env=_env(database_url), cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"lotsen serve ended:\n{log.read_text()[-3000:]}")
        try:
            requests.get(base + LOGIN, timeout=30)
            return process, base
        except requests.RequestException:  # not listening yet, or still loading
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("lotsen serve did not answer in 120 s")


def _baseline(base: str, count: int) -> float:
    """The anonymous login page's median in ms, one client, nothing else running."""
    session = requests.Session()
    for _ in range(5):  # warm up: the workers' first requests load templates
        session.get(base + LOGIN, timeout=30)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        answer = session.get(base + LOGIN, timeout=30)
        times.append((time.perf_counter() - start) * 1000)
        answer.raise_for_status()
    return statistics.median(times)


def _load(base: str, users: int, seconds: int, prefix: Path) -> list[dict[str, str]]:
    command = [
        BIN / "locust", "-f", HERE / "locust_load.py", "--headless", "--host", base,
        "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
        "--run-time", f"{seconds}s", "--csv", prefix, "--only-summary", "--loglevel", "WARNING",
        "--stop-timeout", "10", "--reset-stats",
    ]  # fmt: skip
    subprocess.run(command, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603
    with Path(f"{prefix}_stats.csv").open() as stats:
        return list(csv.DictReader(stats))


def _report(rows: list[dict[str, str]], baseline: float, users: int, seconds: int) -> None:
    print(f"\n-- {users} users, {seconds} s; unloaded login page median {baseline:.1f} ms --")
    header = f"{'page':28} {'requests':>8} {'errors':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
    print(header + f"{'p95/base':>9}")
    worst = 0.0
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL PAGES"
        p95 = float(row["95%"] or 0)
        ratio = p95 / baseline if baseline else 0.0
        if row["Name"] != "Aggregated":
            worst = max(worst, ratio)
        print(
            f"{name[:28]:28} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {ratio:>8.1f}×"
        )
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total:
        print(
            f"errors: {total['Failure Count']}; {float(total['Requests/s']):.1f} requests/s; "
            f"worst page p95 {worst:.1f}× the unloaded login page (bar: ≤ {BAR}×)"
        )


def main() -> int:
    url = os.environ.get("BENCH_LOAD_DATABASE_URL") or os.environ.get(
        "BENCH_DATABASE_URL", DEFAULT_URL
    )
    if not url.startswith("postgres"):
        print("bench_load runs on PostgreSQL only (BENCH_LOAD_DATABASE_URL): skipped.")
        return 0
    if not _reachable(url):
        print(f"NOTE: PostgreSQL is not reachable at {url}: the load benchmark was NOT run.")
        return 0
    if shutil.which("locust", path=str(BIN)) is None:
        print("NOTE: locust is not installed (pip install -e '.[dev]'): NOT run.")
        return 0
    size = int(os.environ.get("BENCH_LOAD_SIZE", "5000"))
    levels = [int(u) for u in os.environ.get("BENCH_LOAD_USERS", "10,50").split(",")]
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    workers = int(os.environ.get("BENCH_LOAD_WORKERS", str(os.cpu_count() or 1)))
    _ensure_database(url)
    _build(url, size)
    tmp = Path(tempfile.mkdtemp(prefix="lotsen-bench-load-"))
    process, base = _serve(url, workers, tmp / "serve.log")
    try:
        print(f"{size} persons; lotsen serve with {workers} worker process(es) at {base}")
        for users in levels:
            # The baseline just before each load, with nothing else running.
            baseline = _baseline(base, int(os.environ.get("BENCH_LOAD_BASELINE", "100")))
            rows = _load(base, users, seconds, tmp / f"users{users}")
            _report(rows, baseline, users, seconds)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    print(f"\nServer log and Locust CSV files: {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
