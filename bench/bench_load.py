"""Pages under load: Locust, headless, against ``lotsen serve`` on loopback, on a
generated municipality on PostgreSQL (issue 16).

1. Builds the demo municipality at BENCH_LOAD_SIZE young people (default 5,000; the issue's
   figure is 50,000: BENCH_LOAD_SIZE=50000, several minutes to build) in the database at
   BENCH_LOAD_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/lotsen_bench_load),
   unless it already holds a demo of that size (so a second run starts at once).
2. Serves it with ``lotsen serve --workers N`` (BENCH_LOAD_WORKERS, default one per core;
   gunicorn) on a free loopback port.
3. Measures the anonymous login page with a single client, unloaded: the median of
   BENCH_LOAD_BASELINE requests (default 100); then every page of the load with a single
   logged-in client, unloaded: the median of BENCH_LOAD_SINGLE requests (default 20), as
   a multiple of the login page's.
4. For each user level in BENCH_LOAD_USERS (default "10,50"), BENCH_LOAD_SECONDS seconds
   (default 60; the statistics restart once every user is spawned, so the logins at the
   start count only as far as they run into the window) of Locust (bench/locust_load.py:
   mentors, KAA coordinators, coaches and visitors of the login page, 1–3 s between
   pages), and prints per page the requests,
   errors, p50/p95/p99 in ms and p95 as a ratio to the unloaded login page's median.

5. With BENCH_LOAD_GROWTH_DATABASE_URL and BENCH_LOAD_GROWTH_SIZE (say 200000), builds
   that larger municipality in that database too, measures the same pages with a single
   client there, and prints each page's growth: its median at the larger size over its
   median at BENCH_LOAD_SIZE.

A page passes the issue's bars when its p95 is at most 20× the login page's unloaded median
with 0 errors (at 50 users on 50,000 persons), and its single-client time grows at most
1.5× from 50,000 to 200,000 persons. The benchmark prints; it does not assert.
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
sys.path.insert(0, str(HERE))
from load_pages import BY_ID, FIXED, LOGIN, PASSWORD  # noqa: E402

ROOT = HERE.parent
BIN = Path(sys.executable).parent
LOTSEN = BIN / "lotsen"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lotsen_bench_load"
BAR = 20
# A page's single-client time at the larger size may be at most this multiple of its time
# at the smaller (the issue: 200,000 persons against 50,000).
GROWTH_BAR = 1.5


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


def _login(session: requests.Session, base: str, username: str) -> None:
    session.get(base + LOGIN, timeout=60)
    answer = session.post(
        base + LOGIN,
        {
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        allow_redirects=False,
        timeout=60,
    )
    if answer.status_code != 302:
        raise SystemExit(f"login of {username} answered {answer.status_code}")


def _fetch(session: requests.Session, url: str, form: dict[str, str] | None) -> requests.Response:
    """A GET, or with ``form`` a POST of it with the session's CSRF token."""
    if form is None:
        return session.get(url, timeout=120)
    token = session.cookies.get("csrftoken", "")
    return session.post(url, {**form, "csrfmiddlewaretoken": token}, timeout=120)


def _single_client(base: str, count: int) -> dict[str, float]:
    """Each role's pages with one client and nothing else running: per page the median
    in ms of ``count`` requests (a page opened by id cycles through the ids its list
    shows first), after two unmeasured requests that load templates and caches."""
    medians: dict[str, float] = {}
    for username, (name, list_url, pattern, url_of) in BY_ID.items():
        session = requests.Session()
        _login(session, base, username)
        ids = pattern.findall(session.get(base + list_url, timeout=60).text)[:count]
        pages = [(page, [url], form) for page, url, form in FIXED[username]]
        if ids:
            pages.append((name, [url_of(i) for i in ids], None))
        else:
            print(f"NOTE: {list_url} showed {username} no ids: '{name}' NOT measured.")

        for page, urls, form in pages:
            for url in urls[:2]:
                _fetch(session, base + url, form)
            times = []
            for index in range(count):
                start = time.perf_counter()
                answer = _fetch(session, base + urls[index % len(urls)], form)
                times.append((time.perf_counter() - start) * 1000)
                answer.raise_for_status()
            medians[page] = statistics.median(times)
    return medians


def _single_report(medians: dict[str, float], baseline: float, size: int) -> None:
    print(f"\n-- one client, unloaded, {size} persons; login page median {baseline:.1f} ms --")
    print(f"{'page':28} {'median ms':>9} {'× login':>8}")
    for page, median in medians.items():
        print(f"{page[:28]:28} {median:9.1f} {median / baseline:7.1f}×")


def _growth_report(small: dict[str, float], large: dict[str, float], sizes: tuple) -> None:
    print(f"\n-- one client: {sizes[1]} persons against {sizes[0]} --")
    print(f"{'page':28} {sizes[0]:>9} {sizes[1]:>9} {'growth':>7}")
    worst = 0.0
    for page, before in small.items():
        after = large.get(page)
        if after is None:
            continue
        worst = max(worst, after / before)
        print(f"{page[:28]:28} {before:9.1f} {after:9.1f} {after / before:6.2f}×")
    print(f"worst growth {worst:.2f}× (bar: ≤ {GROWTH_BAR}×)")


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


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


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
    levels = [int(u) for u in os.environ.get("BENCH_LOAD_USERS", "10,50").split(",") if u]
    seconds = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    workers = int(os.environ.get("BENCH_LOAD_WORKERS", str(os.cpu_count() or 1)))
    single = int(os.environ.get("BENCH_LOAD_SINGLE", "20"))
    growth_url = os.environ.get("BENCH_LOAD_GROWTH_DATABASE_URL", "")
    growth_size = int(os.environ.get("BENCH_LOAD_GROWTH_SIZE", "0"))
    _ensure_database(url)
    _build(url, size)
    tmp = Path(tempfile.mkdtemp(prefix="lotsen-bench-load-"))
    process, base = _serve(url, workers, tmp / "serve.log")
    try:
        print(f"{size} persons; lotsen serve with {workers} worker process(es) at {base}")
        baseline = _baseline(base, int(os.environ.get("BENCH_LOAD_BASELINE", "100")))
        medians = _single_client(base, single)
        _single_report(medians, baseline, size)
        for users in levels:
            # The baseline just before each load, with nothing else running.
            baseline = _baseline(base, int(os.environ.get("BENCH_LOAD_BASELINE", "100")))
            rows = _load(base, users, seconds, tmp / f"users{users}")
            _report(rows, baseline, users, seconds)
    finally:
        _stop(process)
    if growth_url and growth_size:
        # The same pages on a larger municipality in a database of its own.
        _ensure_database(growth_url)
        _build(growth_url, growth_size)
        process, base = _serve(growth_url, workers, tmp / "serve-growth.log")
        try:
            baseline = _baseline(base, int(os.environ.get("BENCH_LOAD_BASELINE", "100")))
            larger = _single_client(base, single)
            _single_report(larger, baseline, growth_size)
        finally:
            _stop(process)
        _growth_report(medians, larger, (size, growth_size))
    print(f"\nServer log and Locust CSV files: {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
