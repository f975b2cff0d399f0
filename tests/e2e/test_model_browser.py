"""The learned risk model in a real browser (issue 14).

- The young person ``ung`` opens "Varför?" on Mina sidor, reads what the model said and
  why (the reasons stored with their score), first sends an empty objection (the error
  summary), then says "this is wrong" with the keyboard alone. The mentor at their school
  (``mentorgy``) finds it as a task on the start page, opens the pupil's "Modellens
  bedömning" and answers with the keyboard; the young person then reads the answer. The
  text on "Varför?" stays under LIX 40.
- The system administrator (the model is one for the installation) opens the versions
  with the active one's calibration, tries to activate a version never compared (refused,
  with the reason), starts the comparison, which a real worker runs, reads both versions
  on the same outcomes and activates it; the organisation's administrator opens the kill
  switch and is told a reason is needed.

axe-core finds no WCAG 2.1 A/AA violation on any page visited. The demo trains no model,
so ``model_seed`` adds an outcome history and three versions (tests/e2e/model_seed.py);
the texts written here are unique per run, so nothing depends on the order of tests.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import uuid

import pytest
from playwright.sync_api import expect

from lotsen.youth.lix import lix_of_html
from tests.e2e.conftest import LOTSEN, assert_accessible, login
from tests.e2e.model_seed import MODEL_SEED

LIX_LIMIT = 40
COMPARISON_TIMEOUT_S = 600


@pytest.fixture(scope="module")
def model_seed(server, server_env) -> dict:
    """The seed's report: the three versions (oldest first) and ung's score."""
    done = subprocess.run(
        [str(LOTSEN), "shell", "-c", MODEL_SEED], env=server_env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def worker(server, server_env):
    """One real worker on the live server's database and broker (runs the comparison)."""
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


def _active(page, expression: str):
    return page.evaluate(f"document.activeElement.{expression}")


def _tab_to(page, predicate, what: str, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate():
            return
    raise AssertionError(f"{what} is not reachable with Tab.")


def _tab_to_text(page, text: str) -> None:
    _tab_to(page, lambda: _active(page, "textContent.trim()") == text, f"'{text}'")


def _new_page(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def test_young_person_says_the_assessment_is_wrong_and_reads_the_mentors_answer(
    page, browser, server, model_seed
):
    objection = f"Jag var sjuk i två veckor i höstas. ({uuid.uuid4().hex[:8]})"
    answer = f"Vi vet att du var sjuk. Vi pratar om det på mentorstiden. ({uuid.uuid4().hex[:8]})"

    login(page, "ung")
    page.goto("/mina-sidor/varfor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Varför?")
    reasons = page.locator("main ul.govuk-list--bullet li")
    expect(reasons).to_have_text(model_seed["score"]["reasons"])
    expect(page.get_by_text("Modellen bestämmer ingenting.")).to_be_visible()
    assert lix_of_html(page.locator("main").inner_html()) < LIX_LIMIT
    assert_accessible(page)

    # Sent empty: the error summary, and its link leads to the field.
    page.get_by_role("button", name="Skicka").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Skriv vad som inte stämmer.")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert _active(page, "id") == "id_text"

    # With the keyboard alone: type, Tab to "Skicka", Enter.
    page.keyboard.type(objection)
    _tab_to_text(page, "Skicka")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Tack!")
    mine = page.locator("#invandningar li", has_text=objection)
    expect(mine).to_contain_text("Inget svar än.")
    assert_accessible(page)

    # The mentor at the young person's school: a row in the inbox.
    mentor = _new_page(browser, server)
    try:
        login(mentor, "mentorgy")
        # The inbox filtered to objections (the filter is kept in the URL); the start page
        # shows only the inbox's first rows, where the demo's high risks come first.
        mentor.goto("/inkorg/?typ=score_objection")
        task = mentor.locator("a[href$='#modellens-bedomning']").first
        expect(task).to_be_visible()
        assert_accessible(mentor)
        task.click()
        # The objection's own box inside the model's assessment.
        section = mentor.locator(".govuk-inset-text .govuk-inset-text", has_text=objection)
        expect(section).to_be_visible()
        assert_accessible(mentor)
        # From the answer field on, the keyboard alone (the page has too many links before
        # it to Tab through in a test).
        section.locator("textarea[name=answer]").focus()
        mentor.keyboard.type(answer)
        mentor.keyboard.press("Tab")
        assert _active(mentor, "textContent.trim()") == "Skicka svaret"
        mentor.keyboard.press("Enter")
        expect(mentor.locator(".govuk-notification-banner")).to_contain_text("Svaret är sparat.")
        expect(
            mentor.locator(".govuk-inset-text .govuk-inset-text", has_text=objection)
        ).to_contain_text(answer)
        assert_accessible(mentor)
    finally:
        mentor.context.close()

    # Back on "Varför?": the answer is there.
    page.reload()
    expect(page.locator("#invandningar li", has_text=objection)).to_contain_text(answer)
    assert_accessible(page)


def test_the_owner_compares_a_version_and_activates_it(page, browser, server, model_seed, worker):
    _first, _second, third = model_seed["versions"]
    note = f"Jämförd i webbläsaren ({uuid.uuid4().hex[:8]})"

    login(page, "admin")
    page.goto("/signaler/modell/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riskmodellen")
    # The version in use: its calibration, per risk bin with counts, read in words.
    calibration = page.locator("table", has=page.locator("caption", has_text="per riskgrupp"))
    expect(calibration.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_text("Tabellen visar om risken stämmer.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=third).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Version {third}")
    expect(page.get_by_text("Versionen är inte jämförd ännu.")).to_be_visible()
    expect(page.get_by_role("heading", name="Modellkort", exact=True)).to_be_visible()
    assert_accessible(page)

    # Activating a version never compared is refused, with the reason.
    page.get_by_label("Varför ska versionen användas?").fill(note)
    page.get_by_role("button", name="Aktivera").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("har inte jämförts")
    assert_accessible(page)

    # The comparison runs on the worker; the page shows both versions on the same outcomes.
    page.goto(f"/signaler/modell/{third}/")
    page.get_by_role("button", name="Jämför med versionen som används").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Jämförelsen har startat")
    deadline = time.monotonic() + COMPARISON_TIMEOUT_S
    table = page.locator("table", has=page.locator("caption", has_text="Båda versionerna"))
    while table.count() == 0 and time.monotonic() < deadline:
        time.sleep(2)
        page.reload()
    expect(table).to_be_visible()
    expect(table.locator("thead")).to_contain_text(f"Ny: {third}")
    expect(table.locator("thead")).to_contain_text(re.compile(r"Används: \w+"))
    roc = table.locator("tr", has_text="ROC-AUC").locator("td")
    expect(roc).to_have_count(2)
    for cell in roc.all_inner_texts():
        assert re.fullmatch(r"0[.,]\d{3}", cell.strip()), cell
    assert_accessible(page)

    page.get_by_label("Varför ska versionen användas?").fill(note)
    page.get_by_role("button", name="Aktivera").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Versionen används nu.")
    expect(page.locator("main")).to_contain_text(note)
    expect(page.locator("strong.govuk-tag", has_text="Används")).to_be_visible()
    assert_accessible(page)

    # The kill switch, as the organisation's administrator: a reason is needed.
    owner = _new_page(browser, server)
    try:
        login(owner, "orgadmin")
        owner.goto("/signaler/modell/av-pa/")
        expect(owner.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(owner)
        owner.get_by_role("button", name="Spara").click()
        expect(owner.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(owner)
    finally:
        owner.context.close()
