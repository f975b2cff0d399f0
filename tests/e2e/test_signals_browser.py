"""A mentor works a signal in a real browser: finds the pupil and the reason in the inbox,
opens the signal, acknowledges it with the keyboard alone, records an action (first
with the error for an empty text), and finds it all on the pupil's page with the
attendance chart and its table. axe-core finds no WCAG 2.1 A/AA violation on any page."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login


def _tab_to(page, text: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"'{text}' is not reachable with Tab.")


def test_mentor_acknowledges_a_signal_and_records_an_action(page):
    login(page, "mentor")
    # The start page is the inbox's first rows; the whole inbox filtered to signals.
    expect(page.get_by_role("heading", name="Att göra")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Hela inkorgen")).click()
    page.get_by_label("Typ av ärende").select_option("signal")
    page.get_by_role("button", name="Visa", exact=True).click()
    expect(page).to_have_url(re.compile(r"typ=signal"))
    assert_accessible(page)

    # A pupil's signal, opened from its reason in the inbox.
    reason = page.locator("table a[href^='/signaler/']").first
    expect(reason).to_have_text(re.compile(r"^Signal: "))
    rule = reason.inner_text().removeprefix("Signal: ").strip()
    reason.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(rule)
    expect(page.locator(".govuk-body-l")).to_contain_text("har den här signalen för att")
    expect(page.get_by_role("heading", name="Underlag")).to_be_visible()
    assert_accessible(page)

    # Acknowledge with the keyboard alone: Tab to the button, Enter.
    page.locator("body").focus()
    _tab_to(page, "Kvittera")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Signalen är kvitterad.")
    expect(page.locator(".govuk-tag", has_text="Kvitterad")).to_be_visible()
    assert_accessible(page)

    # An empty action: the error summary and the message at the field.
    page.get_by_role("button", name="Spara åtgärden").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Skriv vad du har gjort eller ska göra.")
    expect(page.locator("#id_text-error")).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_text"

    page.keyboard.type("Samtal med eleven och vårdnadshavare. Uppföljning om två veckor.")
    page.get_by_role("button", name="Spara åtgärden").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Åtgärden är sparad.")
    expect(page.get_by_text("Samtal med eleven och vårdnadshavare.")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Åtgärd registrerad")).to_be_visible()
    assert_accessible(page)

    # The pupil's page: the school section with the signal, grades and the chart's table.
    page.locator(".govuk-caption-l a").click()
    expect(page.get_by_role("heading", name="Skola", exact=True)).to_be_visible()
    expect(page.locator("section[aria-labelledby=skola]")).to_contain_text(rule)
    expect(page.locator("svg[role=img]")).to_be_visible()
    expect(page.locator("caption", has_text="Närvaro och frånvaro per period")).to_be_visible()
    assert_accessible(page)


def test_inbox_filters_with_the_keyboard(page):
    login(page, "mentor")
    page.goto("/inkorg/")
    page.get_by_label("Status", exact=True).focus()
    page.keyboard.press("ArrowDown")  # the first status after "all"
    page.locator("body").focus()
    _tab_to(page, "Visa")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=\w+"))
    assert_accessible(page)
