"""The young person's own pages in a real browser: `ung` logs in with the keyboard, goes
to "Hur mår jag?", first sends the form empty (the error summary), then answers all five
WHO-5 questions with the keyboard alone and sees the new score in the chart's table;
then opens every other page, ending with "Vem har läst om mig?". axe-core finds no WCAG
2.1 A/AA violation on any page visited.

Nothing here withdraws the demo consent: the server is shared by the whole session."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, assert_accessible

# The answers given with the keyboard, as positions in the list of options (0 is
# "Hela tiden" = 5, 5 is "Aldrig" = 0).
POSITIONS = [1, 2, 0, 3, 1]
EXPECTED_SCORE = sum(5 - p for p in POSITIONS) * 4


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


def _login_with_keyboard(page) -> None:
    page.goto("/konto/logga-in/")
    assert_accessible(page)
    page.locator("body").focus()
    _tab_to(page, lambda: _active(page, "id") == "id_username", "The username field")
    page.keyboard.type("ung")
    page.keyboard.press("Tab")
    assert _active(page, "id") == "id_password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "logga-in" not in url)


def _score_rows(page):
    return page.locator("#who5-tabell tbody tr")


def test_young_person_checks_in_with_the_keyboard_and_sees_who_read(page):
    _login_with_keyboard(page)
    page.goto("/mina-sidor/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina sidor")
    assert_accessible(page)

    # To "Hur mår jag?" through the page's own menu.
    page.locator("body").focus()
    _tab_to_text(page, "Hur mår jag?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hur mår jag?")
    assert page.locator("fieldset legend").count() == 5
    expect(page.locator("fieldset legend").first).to_contain_text("Under de senaste två veckorna")
    rows_before = _score_rows(page).count()
    assert_accessible(page)

    # Sent empty: the error summary names every question, and its link leads to it.
    page.locator("body").focus()
    _tab_to_text(page, "Skicka svaren")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Svara på fråga 1.")
    expect(summary).to_contain_text("Svara på fråga 5.")
    assert_accessible(page)
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    assert _active(page, "id") == "id_item1_0"

    # All five answers with the keyboard: focus the group, check the first option with
    # Space, move with the arrow keys, Tab on to the next group.
    page.locator("body").focus()
    for number, position in enumerate(POSITIONS, start=1):
        _tab_to(page, lambda n=number: _active(page, "name") == f"item{n}", f"Question {number}")
        page.keyboard.press("Space")
        for _ in range(position):
            page.keyboard.press("ArrowDown")
        assert _active(page, "value") == str(5 - position)
        assert page.locator(f"input[name='item{number}']:checked").get_attribute("value") == str(
            5 - position
        )
    _tab_to_text(page, "Skicka svaren")
    page.keyboard.press("Enter")

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Tack! Du fick {EXPECTED_SCORE} av 100."
    )
    expect(_score_rows(page)).to_have_count(rows_before + 1)
    newest = _score_rows(page).first
    expect(newest.locator("td").nth(1)).to_have_text(str(EXPECTED_SCORE))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", newest.locator("td").first.inner_text())
    chart = page.locator("svg[role='img']")
    expect(chart).to_have_count(1)
    expect(chart.locator("title").first).to_have_text("Så har du mått, 0 till 100")
    expect(chart.locator("desc")).to_contain_text(f"gav {EXPECTED_SCORE} av 100")
    assert chart.locator("circle").count() == rows_before + 1
    assert_accessible(page)

    # The other pages, each with the keyboard from the page menu.
    for link, heading in (
        ("Min plan", "Min plan"),
        ("Mina kontakter", "Mina kontakter"),
        ("Det här vill jag att ni vet", "Det här vill jag att ni vet"),
        ("Mina samtycken", "Mina samtycken"),
    ):
        page.locator("body").focus()
        _tab_to_text(page, link)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)

    # The withdrawal asks first; "No" changes nothing.
    withdraw = page.get_by_role("link", name=re.compile("^Ta tillbaka")).first
    withdraw.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vill du ta tillbaka samtycket?")
    expect(page.locator("main")).to_contain_text("Det gäller direkt.")
    assert_accessible(page)
    page.get_by_role("link", name="Nej, gå tillbaka").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mina samtycken")
    expect(page.locator(".govuk-tag--green").first).to_have_text("Gäller")

    page.locator("body").focus()
    _tab_to_text(page, "Vem har läst om mig?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vem har läst om mig?")
    assert_accessible(page)

    # The same pages in English pass too.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has read about me?")
    assert_accessible(page)
    page.goto("/mina-sidor/hur-mar-jag/")
    expect(page.locator("fieldset legend").first).to_contain_text("Over the last two weeks")
    assert_accessible(page)
