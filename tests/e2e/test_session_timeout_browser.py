"""The warning before the idle timeout in a real browser (WCAG 2.2.1), on a second Lotsen
server over the same demo database with a short idle limit (LOTSEN_SESSION_IDLE_SECONDS)
and warning (LOTSEN_SESSION_WARNING_SECONDS): the dialog opens with the focus in it, has no
axe violation, "Fortsätt vara inloggad" pressed with the keyboard keeps the session past
the limit it would otherwise have reached, and a warning left unanswered ends on the login
page with the reason."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, live_server, login

IDLE_SECONDS = 12
WARNING_SECONDS = 6


@pytest.fixture(scope="module")
def short_session_server(server, tmp_path_factory):
    """`lotsen serve` on the live server's database and static files (its var directory),
    with the short limits."""
    var_dir = next(tmp_path_factory.getbasetemp().glob("lotsen-var*"))
    env = {
        **os.environ,
        "LOTSEN_VAR_DIR": str(var_dir),
        "LOTSEN_SESSION_IDLE_SECONDS": str(IDLE_SECONDS),
        "LOTSEN_SESSION_WARNING_SECONDS": str(WARNING_SECONDS),
    }
    env.pop("DATABASE_URL", None)
    with live_server(env) as base_url:
        yield base_url


@pytest.fixture
def short_page(browser, short_session_server):
    context = browser.new_context(base_url=short_session_server, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_the_warning_is_accessible_and_the_keyboard_keeps_the_session(short_page):
    page = short_page
    login(page, "mentor")
    page.goto("/arenden/")
    loaded = time.monotonic()
    dialog = page.get_by_role("alertdialog", name="Du loggas snart ut")
    expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
    stay = dialog.get_by_role("button", name="Fortsätt vara inloggad")
    expect(stay).to_be_focused()
    expect(dialog.get_by_role("button", name="Logga ut")).to_be_visible()
    assert_accessible(page)
    # Stay, with the keyboard alone, each time the warning comes back, until the idle
    # limit counted from the page's own request has passed.
    while True:
        page.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        if time.monotonic() - loaded > IDLE_SECONDS + 2:
            break
        expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
        expect(stay).to_be_focused()
    # Still signed in: the case list, not the login page.
    response = page.goto("/arenden/")
    assert "logga-in" not in page.url
    assert response.status == 200
    expect(page.get_by_role("button", name="Logga ut").first).to_be_visible()


def test_an_unanswered_warning_ends_on_the_login_page_with_the_reason(short_page):
    page = short_page
    login(page, "mentor")
    page.goto("/arenden/")
    expect(page.get_by_role("alertdialog", name="Du loggas snart ut")).to_be_visible(
        timeout=IDLE_SECONDS * 1000
    )
    page.wait_for_url(lambda url: "logga-in" in url, timeout=IDLE_SECONDS * 1000)
    expect(
        page.get_by_text("Du har loggats ut eftersom du inte har gjort något på en stund.")
    ).to_be_visible()
    assert_accessible(page)
    # The session really ended: the case list asks for a login.
    page.goto("/arenden/")
    assert "logga-in" in page.url
