"""Every page each demo role reaches fits a 375 px phone (issue 13, must-show 5).

For every demo user the crawl starts at the start page and follows the links of the
navigation and of the main content, breadth first, to the pages those lead to. Each page
is checked at 375 px width: axe-core finds no WCAG 2.1 A/AA violation, and the page body
does not scroll sideways (WCAG 1.4.10 Reflow: a wide table scrolls in a region of its own,
never the page). URLs that differ only in ids or query strings count as one page, and each
role's crawl is bounded, so that the test stays within a few minutes.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from lotsen.demo.generator import DEMO_USERNAMES
from tests.e2e.conftest import assert_accessible, login

PHONE = {"width": 375, "height": 812}
# Pages per role: the start page, the navigation and what they link to fit in this.
MOST_PAGES_PER_ROLE = 14
# Start page (0), the pages it and the navigation link to (1), and theirs (2).
DEEPEST = 2
# Not pages of Lotsen's own: Django's admin (its own responsive styles), the API and its
# documentation, files to download, and the sign-in and sign-out flows.
SKIPPED = re.compile(
    r"^/(admin|api|static|media)/|\.(csv|xlsx|pdf|json|svg|html)$|/logga-(in|ut)/|/oidc/"
)

LINKS = """() => [...document.querySelectorAll(
    ".govuk-service-navigation a[href], main a[href]")]
  .filter(a => !a.hasAttribute("download"))
  .map(a => a.href)"""


def url_pattern(path: str) -> str:
    """The page a URL stands for: ids replaced by a placeholder, the query left off."""
    return re.sub(r"/\d+(?=/)", "/<id>", urlsplit(path).path)


def page_body_overflow(page) -> int:
    """How many pixels the page body is wider than the window (0 when it fits)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


# The elements that reach past the window's right edge outside any region that scrolls
# of its own: what to fix when the page body scrolls sideways.
TOO_WIDE = r"""() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => ![...document.querySelectorAll(".lotsen-table-scroll, .lotsen-chart-scroll")]
    .some(region => region.contains(e)))
  .slice(-3)
  .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
            + (e.className && typeof e.className === "string"
               ? "." + e.className.trim().split(/\s+/).join(".") : ""))"""


def crawl(page, base_url: str) -> list[tuple[str, list[str]]]:
    """Visit the pages a signed-in user reaches, each once; for each, the problems found."""
    origin = urlsplit(base_url).netloc
    seen: set[str] = set()
    queue = deque([("/", 0)])
    report = []
    while queue and len(report) < MOST_PAGES_PER_ROLE:
        path, depth = queue.popleft()
        pattern = url_pattern(path)
        if pattern in seen:
            continue
        seen.add(pattern)
        response = page.goto(path)
        problems = []
        if response is None or response.status != 200:
            problems.append(f"status {response and response.status}")
        elif "text/html" in response.headers.get("content-type", ""):
            overflow = page_body_overflow(page)
            if overflow:
                problems.append(
                    f"the page body scrolls sideways by {overflow} px: {page.evaluate(TOO_WIDE)}"
                )
            try:
                assert_accessible(page)
            except AssertionError as exc:
                problems.append(str(exc))
        report.append((page.url, problems))
        if depth >= DEEPEST:
            continue
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.netloc != origin or SKIPPED.search(parts.path):
                continue
            if url_pattern(target) not in seen:
                queue.append((target, depth + 1))
    return report


CRAWLED_ROLES = list(DEMO_USERNAMES)


@pytest.mark.parametrize("username", CRAWLED_ROLES)
def test_every_page_of_the_role_fits_a_phone_and_passes_axe(page, server, username):
    page.set_viewport_size(PHONE)
    # Some start pages are long: give a busy machine time to draw them.
    page.set_default_timeout(60_000)
    login(page, username)
    report = crawl(page, server)
    # The crawl reached the role's pages, not only its start page.
    assert len(report) >= 2, report
    failures = [f"{url}: {'; '.join(problems)}" for url, problems in report if problems]
    assert failures == [], "\n".join(failures)


def test_the_navigation_collapses_behind_a_menu_button_on_a_phone(page):
    page.set_viewport_size(PHONE)
    page.set_default_timeout(60_000)
    login(page, "mentor")
    toggle = page.get_by_role("button", name="Meny")
    navigation = page.locator("#navigation")
    # Closed at first: the links take no room until the menu is opened.
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="Start")).to_be_visible()
    # On a wide screen the links are shown and the button is not (once the browser has
    # laid the page out again for the new width: read at once, the button was still there).
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(toggle).to_be_hidden()
    expect(navigation.get_by_role("link", name="Start")).to_be_visible()


def test_a_link_focused_in_a_table_htmx_swapped_in_keeps_the_focus_when_it_is_wrapped(page):
    """A keyboard user who reaches a search result before htmx has settled stays on it.

    The table is wrapped in its scroll region after htmx settles; moving it blurred the link
    a fast keyboard user (or a test) had focused, and their Enter went to the page's body
    (the support journey's browser test waited 30 s for a person page that way in CI).
    Focusing the first link on htmx:afterSwap, before the settle, makes that race certain.
    """
    login(page, "mentorgy")
    page.goto("/personer/")
    page.evaluate(
        """() => document.addEventListener("htmx:afterSwap", () => {
             document.querySelector("#results table a")?.focus();
           }, { once: true })"""
    )
    page.get_by_label("Sök på namn eller personnummer", exact=True).focus()
    page.keyboard.type("a")
    page.keyboard.press("Enter")
    # Wrapped: the table now sits in its scroll region.
    expect(page.locator("#results [data-lotsen-scroll] table a").first).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/personer/\d+/$", page.url), page.url
