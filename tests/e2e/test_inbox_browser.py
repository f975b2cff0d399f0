"""The inbox in a real browser.

- Click budgets: from the start page a mentor acknowledges a signal and records an action
  in at most four interactions; a KAA coordinator records a contact attempt for a young
  person with unknown status in at most four.
- The mentor's start page at 1280 px is at most about three screens tall and lists each
  young person at most once.
axe-core finds no WCAG 2.1 A/AA violation on any page visited.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

SCREEN = 800


def test_mentor_acknowledges_a_signal_and_records_an_action_in_four(page):
    login(page, "mentor")
    interactions = 0
    page.locator("#att-gora").locator("xpath=..").locator("a[href*='/signaler/']").first.click()
    interactions += 1
    page.get_by_role("button", name="Kvittera").click()
    interactions += 1
    action = "Samtal med eleven och vårdnadshavare."
    page.get_by_label("Vad har du gjort eller ska göra?").fill(action)
    interactions += 1
    page.get_by_role("button", name="Spara åtgärden").click()
    interactions += 1
    expect(page.get_by_text(action).first).to_be_visible()
    assert interactions <= 4
    assert_accessible(page)


def test_kaa_coordinator_records_a_contact_attempt_in_four(page):
    login(page, "kaa")
    interactions = 0
    page.locator("#att-gora").locator("xpath=..").locator("a[href*='/kontakt/']").first.click()
    interactions += 1
    page.get_by_label("Försök till kontakt (nådde inte personen)").check()
    interactions += 1
    page.get_by_label("Brev").check()
    interactions += 1
    page.get_by_role("button", name="Spara").first.click()
    interactions += 1
    expect(page.locator("h1")).to_be_visible()
    assert "kontakt" not in page.url
    assert interactions <= 4
    assert_accessible(page)


def test_mentor_start_page_fits_three_screens_and_lists_each_young_person_once(page):
    page.set_viewport_size({"width": 1280, "height": SCREEN})
    login(page, "mentor")
    page.goto("/")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 3.2 * SCREEN, f"the start page is {height} px tall"
    people = page.locator("[data-person]")
    ids = [people.nth(i).get_attribute("data-person") for i in range(people.count())]
    assert ids and len(ids) == len(set(ids))
    assert_accessible(page)
