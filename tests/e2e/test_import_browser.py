"""The KAA coordinator imports a population register extract in the browser, with the
keyboard only: 50,000 rows drawn by the demo's generator, in the population file's
format. The run page's progress bar moves (at least two different values are seen
before the run ends), then the result. A second file with five bad lines is refused:
all five are listed with line and column, and nothing is written. axe-core finds no
WCAG 2.1 A/AA violation on the pages.

The job runs on a real worker (``lotsen jobs worker``) started with the live server's
environment: the same SQLite database, the same file-system broker and var directory,
so the page shows what a deployment would (progress from the worker, on SQLite kept in
a file beside the database while the import's transaction holds the write lock)."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import time

import pytest
from playwright.sync_api import expect

from lotsen.demo.generator import demo_population_register
from lotsen.kaa.imports import POPULATION_COLUMNS
from tests.e2e.conftest import LOTSEN, assert_accessible, login

ROWS = int(os.environ.get("LOTSEN_E2E_IMPORT_ROWS", "50000"))
RUN_TIMEOUT_MS = 15 * 60 * 1000
BAD_LINES = {  # data row → values that are wrong (the file's line is the row + 1)
    10: {"moved_in": "2020-02-30"},
    20: {"municipality_code": "19"},
    30: {"protected_identity": "ja", "asylum_seeker": "nej"},  # two errors on one line
    40: {"given_name": ""},
    50: {"moved_out": "igår"},
}


@pytest.fixture(scope="module")
def worker(server, server_env):
    """One real worker on the live server's database and broker."""
    process = subprocess.Popen(
        [str(LOTSEN), "jobs", "worker", "--loglevel", "warning"],
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _population(
    rows: int, *, seed: int = 4242, bad: dict[int, dict[str, str]] | None = None
) -> str:
    """The demo generator's young people (a seed of their own), as the population
    register extract ``lotsen import population`` reads. Only those registered in the
    coordinator's municipality: that is the extract a municipality gets, and a browser
    upload refuses rows of another municipality."""
    lines = [",".join(POPULATION_COLUMNS)]
    register = demo_population_register(seed=seed, rows=rows, today=dt.date.today())
    for index, values in enumerate(register, start=1):
        values.update((bad or {}).get(index, {}))
        lines.append(",".join(values[column] for column in POPULATION_COLUMNS))
    return "\n".join(lines) + "\n"


def _tab_to(page, predicate: str, limit: int = 150) -> None:
    """Tab until ``predicate`` (JavaScript, on ``el``) holds for the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"Nothing matching {predicate} is reachable with Tab.")


def _upload_with_keyboard(page, path) -> None:
    page.goto("/")
    page.locator("body").focus()
    _tab_to(page, "el.textContent.trim() === 'Importera'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importera")
    assert_accessible(page)
    _tab_to(page, "el.textContent.trim() === 'Folkbokföring (aktivitetsansvaret)'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Folkbokföring (aktivitetsansvaret)")
    assert_accessible(page)
    _tab_to(page, "el.type === 'file'")
    # The file input opens the system's file dialog on Space (generous time: on a busy
    # machine Chromium is slow to raise it).
    with page.expect_file_chooser(timeout=60_000) as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(path))
    _tab_to(page, "el.textContent.trim() === 'Ladda upp och importera'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/importera/korningar/\d+/$"))


def _progress_values(page) -> set[str]:
    """Every value the progress bar shows until the run has ended."""
    seen: set[str] = set()
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while page.locator("#import-status[hx-trigger]").count():
        # One read in the page: between a count and a read htmx may swap the bar out
        # (the run ended), and a locator would then wait for a bar that is gone.
        value = page.evaluate(
            "document.querySelector('progress#import-progress')?.getAttribute('value') ?? null"
        )
        if value is not None:
            seen.add(value)
        assert time.monotonic() < deadline, f"the run did not end; seen {seen}"
        page.wait_for_timeout(200)
    return seen


def test_coordinator_imports_a_population_file_and_sees_it_progress(page, worker, tmp_path):
    good = tmp_path / "folkbokforing.csv"
    good.write_text(_population(ROWS))
    login(page, "kaa")

    _upload_with_keyboard(page, good)

    # The run page while it runs: a labelled progress bar and a live region.
    expect(page.get_by_role("heading", level=1)).to_have_text("Folkbokföring (aktivitetsansvaret)")
    expect(page.locator("#import-announce[aria-live='polite']")).to_have_count(1)
    expect(page.get_by_label(re.compile("rader|långt"))).to_have_count(1)
    assert_accessible(page)
    seen = _progress_values(page)
    assert len(seen) >= 2, f"the progress bar showed only {seen}"

    expect(page.get_by_role("heading", name="Importen är klar")).to_be_visible()
    expect(page.locator("#import-status")).to_contain_text(f"{ROWS} rader lästes")
    expect(page.locator("#import-announce")).to_have_text("Importen är klar.")
    expect(page.locator("#import-status")).not_to_have_attribute("hx-trigger", re.compile("."))
    assert_accessible(page)

    # The organisation's runs: this one, done, with its rows.
    page.goto("/importera/korningar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importkörningar")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Klar")
    expect(first).to_contain_text(str(ROWS))
    assert_accessible(page)

    # The coordinator's start page answers at this size, its inbox first. (It once ranked
    # the inbox with a subquery per young person and source: minutes on SQLite after this
    # import, and every login waiting behind it.)
    page.goto("/")
    expect(page.get_by_role("heading", name="Att göra")).to_be_visible()
    assert_accessible(page)


def test_a_file_with_five_bad_lines_is_refused_whole(page, worker, server_env, tmp_path):
    bad = tmp_path / "folkbokforing-fel.csv"
    content = _population(60, seed=777, bad=BAD_LINES)
    bad.write_text(content)
    numbers = [line.split(",")[0] for line in content.splitlines()[1:]]
    before = _snapshot(server_env, numbers)
    login(page, "kaa")

    _upload_with_keyboard(page, bad)
    _progress_values(page)

    status = page.locator("#import-status")
    expect(status).to_contain_text("Filen avvisades. Ingenting sparades.")
    expect(status).to_contain_text("5 rader har fel.")
    rows = page.locator("#importfel tbody tr")
    expect(rows).to_have_count(6)  # line 31 has two errors, each named
    cells = [tuple(row.locator("td").all_inner_texts()[:2]) for row in rows.all()]
    assert cells == [
        ("11", "moved_in"),
        ("21", "municipality_code"),
        ("31", "protected_identity"),
        ("31", "asylum_seeker"),
        ("41", "given_name"),
        ("51", "moved_out"),
    ]
    assert_accessible(page)
    # The table of errors scrolls, and is reached with the keyboard.
    page.locator("body").focus()
    _tab_to(page, "el.getAttribute('aria-labelledby') === 'rejects-caption'")

    # Nothing was written: the list shows the run refused, and the database holds what it
    # held before.
    page.goto("/importera/korningar/")
    expect(page.locator("tbody tr").first).to_contain_text("Avvisad, inget sparades")
    assert _snapshot(server_env, numbers) == before


def _snapshot(env: dict[str, str], numbers: list[str]) -> str:
    """How many persons there are, and what is held about the file's persons (some of
    them the first file's: the generator's numbers repeat across seeds)."""
    done = subprocess.run(
        [str(LOTSEN), "shell", "-c", SNAPSHOT.format(numbers=numbers)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


SNAPSHOT = (
    "from lotsen.people.models import Person; "
    "print(Person.objects.count(), sorted(Person.objects.filter("
    "personal_identity_number__in={numbers}).values_list("
    "'personal_identity_number', 'given_name', 'family_name', 'protected_identity')))"
)
