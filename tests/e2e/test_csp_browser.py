"""Lotsen's Content-Security-Policy in a real browser: the main pages of several roles load
with zero violations (no inline script or style left anywhere, htmx and GOV.UK Frontend
working from files), and the policy really is enforced: an inline script is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

# Every violation the page reports, collected from its first script on (an init script
# runs outside the page's policy).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`
  );
});
"""

# Each role's main pages; "/list/ -> prefix" goes on to the first link in the list's main
# content to the prefix and an id (a case, a young person, a programme, its budget).
PAGES = {
    "mentor": ["/", "/personer/", "/arenden/ -> /arenden/", "/notiser/"],
    "kaa": ["/", "/aktivitetsansvar/", "/aktivitetsansvar/unga/ -> /aktivitetsansvar/unga/"],
    "coach": ["/", "/arenden/ -> /arenden/"],
    "projektledare": [
        "/",
        "/program/ -> /program/",
        "/ekonomi/ -> /ekonomi/delprojekt/",
        "/evenemang/",
        "/enkater/",
        "/uppfoljning/metoder/",
    ],
    "orgadmin": ["/", "/organisation/medlemmar/"],
    "ung": ["/mina-sidor/", "/mina-sidor/plan/", "/mina-sidor/vem-har-last/"],
}


@pytest.fixture
def watched(page):
    """The page, recording CSP violations: from the event in the page and from the
    console, where Chromium reports each refusal."""
    console = []
    page.context.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.console_violations = console
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []") + page.console_violations


@pytest.mark.parametrize("username", sorted(PAGES))
def test_main_pages_of_each_role_have_no_csp_violation(watched, username):
    page = watched
    login(page, username)
    assert violations(page) == [], page.url
    for entry in PAGES[username]:
        path, _, follow = entry.partition(" -> ")
        if follow:
            page.goto(path)
            path = page.evaluate(
                """prefix => [...document.querySelectorAll("main a")]
                     .map(a => a.getAttribute("href"))
                     .find(href => href.startsWith(prefix)
                                   && /^\\d+\\/$/.test(href.slice(prefix.length)))""",
                follow,
            )
            assert path, entry
        response = page.goto(path)
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        # GOV.UK Frontend ran (from its file): the body says so.
        expect(page.locator("body")).to_have_class(
            "govuk-template__body js-enabled govuk-frontend-supported"
        )
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], path


def test_the_policy_is_enforced(watched):
    page = watched
    page.goto("/konto/logga-in/")
    # An inline script, as injected markup would carry one, does not run.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true";
          document.body.append(script);
        }"""
    )
    assert page.evaluate("window.__injected === undefined")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any(v.startswith("script-src") for v in violations(page))
