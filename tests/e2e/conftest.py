"""Browser tests: a real Lotsen server (`lotsen serve`) on a throwaway SQLite database with
the demo data, driven by Playwright in the machine's Chromium, checked with axe-core."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.e2e.signals_seed import SIGNALS_SEED
from tests.owndb import migrated

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LOTSEN = Path(sys.executable).with_name("lotsen")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "e2e-demo-password"
# How long a page on the shared server may take to answer. Not a bound on speed (nothing
# here measures time): in two CI runs of the same code, single pages that answer in well
# under a second alone took more than 10 s on the 2-core machine while Chromium, the test
# process and the server shared it, each time in a different test.
PAGE_TIMEOUT_MS = 30_000


# The 50,000-row population import adds about 24,000 young people to the shared demo
# server's KAA register. The other KAA tests are written against the demo's register (its
# page counts, its exports), so the import runs after them.
RUN_LAST = (
    "test_import_browser.py::test_a_file_with_five_bad_lines_is_refused_whole",
    "test_import_browser.py::test_coordinator_imports_a_population_file_and_sees_it_progress",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    last = [item for name in RUN_LAST for item in items if item.nodeid.endswith(name)]
    items[:] = [item for item in items if item not in last] + last


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("LOTSEN_CHROMIUM"),
        "chromium",
        "chromium-browser",
        "google-chrome",
    ):
        if candidate and (path := shutil.which(candidate)):
            return path
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium()
    if path is None:
        if os.environ.get("CI") or os.environ.get("LOTSEN_REQUIRE_BROWSER"):
            pytest.fail(
                "No Chromium found, and CI requires the browser tests (apt-get install chromium)."
            )
        pytest.skip(
            "Browser tests skipped: no Chromium on this machine (apt-get install chromium)."
        )
    return path


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    """The live server's environment: a worker started with it shares its database, its
    job broker (the file-system one under the var directory) and its var directory."""
    var_dir = tmp_path_factory.mktemp("lotsen-var")
    env = {**os.environ, "LOTSEN_VAR_DIR": str(var_dir), "LOTSEN_DEMO_PASSWORD": DEMO_PASSWORD}
    for name in ("DATABASE_URL", "LOTSEN_BROKER_URL", "LOTSEN_BROKER_DIR", "LOTSEN_JOB_QUEUE"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """The static files collected once per test run (hashed and compressed as in
    production) for every server the browser tests start: collectstatic takes 20–45 s on
    two cores, and each server ran its own."""
    var_dir = tmp_path_factory.mktemp("lotsen-static")
    env = {**os.environ, "LOTSEN_VAR_DIR": str(var_dir)}
    env.pop("DATABASE_URL", None)
    command = [str(LOTSEN), "collectstatic", "--no-input", "-v0"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return var_dir / "static"


@pytest.fixture(scope="session")
def server(server_env, chromium_path, collected_static):
    env = server_env
    var_dir_ready(env, collected_static)
    for command in (
        ["demo", "--size", "300"],
        ["shell", "-c", SIGNALS_SEED],
        ["demo-seed", "kaa"],
    ):
        subprocess.run([str(LOTSEN), *command], env=env, check=True, capture_output=True)
    with live_server(env) as base_url:
        yield base_url


def var_dir_ready(env: dict[str, str], static: Path) -> None:
    """The var directory of a Lotsen the browser tests start: the embedded database with
    Lotsen's schema (a copy of one migrated once per test run) and the static files
    collected once per run (a link)."""
    var_dir = Path(env["LOTSEN_VAR_DIR"])
    migrated(f"sqlite:///{var_dir / 'lotsen.sqlite3'}")
    (var_dir / "static").symlink_to(static, target_is_directory=True)


@contextlib.contextmanager
def live_server(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """`lotsen serve` on 127.0.0.1 with ``env``, up once its login page answers; yields its
    base URL. Its output goes to a file in its var directory, never to a pipe: nobody reads
    a pipe while the tests run, and a server whose 64 KiB pipe buffer is full stops
    answering at its next log line."""
    port = port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = Path(env["LOTSEN_VAR_DIR"]) / f"serve-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(LOTSEN), "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        # Up to a minute: on a busy machine Django's start-up alone can take ten seconds.
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/konto/logga-in/", timeout=1)  # noqa: S310
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"lotsen serve did not answer:\n{log_path.read_text()[-5000:]}"
                    ) from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            # This machine has no network beyond loopback: keep Chromium from reaching out.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    yield page
    context.close()


def assert_accessible(page) -> None:
    """axe-core on the page as it is now: zero WCAG 2.1 A/AA violations."""
    # Evaluated through the DevTools protocol, not added as a <script>: Lotsen's
    # Content-Security-Policy refuses inline scripts, and the test's own code is not the page's.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe-core on {page.url}:\n" + "\n".join(violations)


def login(page, username: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    try:
        page.wait_for_url(lambda url: "logga-in" not in url)
    except PlaywrightTimeoutError as waited:
        # Say what the login page answered (refused, locked), or that nothing came back.
        try:
            said = page.locator(".govuk-error-summary, main").first.inner_text(timeout=2_000)
        except PlaywrightTimeoutError:
            said = "(no answer yet)"
        raise AssertionError(f"{username} not logged in at {page.url}: {said}") from waited
