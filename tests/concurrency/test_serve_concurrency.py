"""Concurrent writers against a real ``lotsen serve`` (waitress, eight threads), on the
database of the test run: a file SQLite database in the SQLite pass, a PostgreSQL database
of its own in the PostgreSQL pass.

Every write either succeeds or gets its designed answer: of two plan saves from the same
version exactly one is stored and the other is told 409 with what changed; contacts
recorded at the same moment are all stored. "database is locked" is neither.

Loopback only; the served instance is migrated, seeded (tests/concurrency/world.py) and
stopped by the test, and its database is dropped afterwards.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.utils import timezone

from tests.owndb import migrated, own_database_url

ROOT = Path(__file__).resolve().parents[2]
LOTSEN = Path(sys.executable).with_name("lotsen")
PLAN_PAIRS = 20
CONTACTS_PER_KIND = 25  # 25 KAA contacts through the page + 25 case contacts through the API
TIMEOUT = 60  # seconds for any one request or barrier
COMMAND_TIMEOUT = 300  # seconds for migrate and the seed on a busy machine

# The served instance uses its own database, but the test must run in the PostgreSQL pass
# of `make test`, which keeps only tests that use the database (tests/conftest.py).
pytestmark = pytest.mark.django_db


@pytest.fixture
def database_url(tmp_path):
    with own_database_url(tmp_path, "serve") as url:
        yield url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """``lotsen serve`` on a loopback port, with its own environment (settings module,
    database, secret key); the ``served`` fixture migrates and seeds it first."""

    def __init__(self, database_url: str, log: Path, **env: str):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lotsen.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            **env,
        }
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.process: subprocess.Popen | None = None

    def run(self, *args: str) -> str:
        done = subprocess.run(
            args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start(self) -> None:
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(LOTSEN), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.server_log()
            try:
                requests.get(f"{self.base}/konto/logga-in/", timeout=2, allow_redirects=False)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise AssertionError(f"lotsen serve did not answer in {TIMEOUT} s\n{self.server_log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log.close()

    def server_log(self) -> str:
        return self.log_path.read_text()[-4000:]

    def login(self, username: str, password: str) -> requests.Session:
        session = requests.Session()
        url = f"{self.base}/konto/logga-in/"
        page = session.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, (page.status_code, self.server_log())
        answer = session.post(
            url,
            {
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert answer.status_code == 302, (answer.status_code, answer.text[:500])
        return session

    @staticmethod
    def copy(session: requests.Session) -> requests.Session:
        """Another browser tab of the same login: its own connection, same cookies."""
        tab = requests.Session()
        tab.cookies.update(session.cookies)
        tab.headers["X-CSRFToken"] = session.cookies["csrftoken"]
        return tab


@pytest.fixture
def served(database_url, tmp_path):
    from django.conf import settings

    # Pages render with the collected static files' manifest, as in production.
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    assert manifest.exists(), f"{manifest} is missing: run `make setup` (collectstatic) first"
    served = Served(database_url, tmp_path / "serve.log")
    migrated(database_url)
    served.world = json.loads(served.run(sys.executable, "-m", "tests.concurrency.world", "seed"))
    served.start()
    try:
        yield served
    finally:
        served.stop()


def _together(jobs: list[tuple[requests.Session, str, Callable]]) -> list:
    """Send the writes at the same moment, one thread and one connection each. A job is
    (tab, url, write): the thread opens its connection with a GET of the url (the page or
    resource the user looks at before saving), waits at the barrier, then writes."""
    barrier = threading.Barrier(len(jobs), timeout=TIMEOUT)

    def run(job):
        tab, url, write = job
        tab.get(url, timeout=TIMEOUT)
        barrier.wait()
        return write(tab)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _report(served) -> dict:
    return json.loads(served.run(sys.executable, "-m", "tests.concurrency.world", "report"))


def test_concurrent_plan_saves_and_contacts_on_a_real_server(served):
    world = served.world
    password = world["password"]
    plan_url = f"{served.base}/api/v1/cases/{world['case']}/plan/"
    kaa_url = f"{served.base}/aktivitetsansvar/unga/{world['kaa_person']}/kontakt/"
    contacts_url = f"{served.base}/api/v1/cases/{world['case']}/contacts/"
    today = timezone.localdate().isoformat()

    # --- 20 pairs of plan saves from the same version: one 200 and one 409 each ---------
    first, second = (served.login(name, password) for name in world["plan_users"])
    pairs = []
    for trial in range(PLAN_PAIRS):
        version = first.get(plan_url, timeout=TIMEOUT).json()["version"]

        def save(goal, version=version, trial=trial):
            body = {"version": version, "own_goal": f"{goal} {trial}", "lead_party": ""}
            return lambda tab: tab.put(plan_url, json=body, timeout=TIMEOUT).status_code

        jobs = [(served.copy(first), plan_url, save("Första"))]
        jobs.append((served.copy(second), plan_url, save("Andra")))
        pairs.append(sorted(_together(jobs)))
    plans = _report(served)

    # --- 50 contacts at the same moment: 25 on the KAA page, 25 through the API ---------
    kaa = served.login(world["kaa_user"], password)
    api = served.login(world["api_user"], password)

    def kaa_contact(n):
        def write(tab):
            form = {
                "kind": "contact",
                "method": "phone",
                "contact_date": today,
                "occupation": "work",
                "note": f"kaa-{n}",
                "csrfmiddlewaretoken": tab.cookies["csrftoken"],
            }
            return "kaa", tab.post(kaa_url, form, allow_redirects=False, timeout=TIMEOUT)

        return write

    def api_contact(n):
        def write(tab):
            body = {"date": today, "channel": "phone", "reached": True, "note": f"api-{n}"}
            return "api", tab.post(contacts_url, json=body, timeout=TIMEOUT)

        return write

    jobs = [(served.copy(kaa), kaa_url, kaa_contact(n)) for n in range(CONTACTS_PER_KIND)]
    jobs += [(served.copy(api), contacts_url, api_contact(n)) for n in range(CONTACTS_PER_KIND)]
    answers = _together(jobs)
    contacts = _report(served)

    failed_pairs = sum(pair != [200, 409] for pair in pairs)
    failed = [
        (kind, answer.status_code)
        for kind, answer in answers
        if answer.status_code != {"kaa": 302, "api": 201}[kind]
    ]
    assert (failed_pairs, failed) == (0, []), (
        f"{failed_pairs} of {PLAN_PAIRS} plan save pairs were not 200 + 409: {pairs}; "
        f"{sum(kind == 'kaa' for kind, _ in failed)} of {CONTACTS_PER_KIND} KAA contacts and "
        f"{sum(kind == 'api' for kind, _ in failed)} of {CONTACTS_PER_KIND} API contacts "
        f"failed: {failed}\n{served.server_log()}"
    )
    # One revision per successful save, none for a refused one, and the last winner stored.
    start = plans["plan_version"] - PLAN_PAIRS
    assert plans["plan_revisions"] == list(range(start, plans["plan_version"] + 1))
    assert plans["plan_own_goal"].endswith(f" {PLAN_PAIRS - 1}")
    assert contacts["kaa_contact_notes"] == sorted(f"kaa-{n}" for n in range(CONTACTS_PER_KIND))
    assert contacts["support_contact_notes"] == sorted(f"api-{n}" for n in range(CONTACTS_PER_KIND))
