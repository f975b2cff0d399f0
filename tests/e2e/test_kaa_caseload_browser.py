"""The KAA caseload in a real browser, with the keyboard alone: the coordinator ticks
three young people with status unknown and no coordinator, assigns them to a second
coordinator of the municipality (made for this test), records a letter sent to two
others, and the colleague finds the three in their own work list; the overview counts
them. axe-core finds no WCAG 2.1 A/AA violation on any page visited."""

from __future__ import annotations

import subprocess
import uuid

from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, LOTSEN, assert_accessible, login

MAKE_COORDINATOR = """
from lotsen.accounts.models import Membership, Organisation, Role, User
user = User.objects.create_user(username={username!r}, password={password!r},
                                first_name="Kim", last_name={last_name!r})
municipality = Organisation.objects.get(kind="municipality", municipality_code="1999")
Membership.objects.create(user=user, organisation=municipality, role=Role.KAA_COORDINATOR)
print(user.pk)
"""


def _colleague(server_env) -> tuple[str, str, int]:
    """A second KAA coordinator of the demo municipality, with a name no other test uses."""
    tag = uuid.uuid4().hex[:8]
    username, last_name = f"kaa-{tag}", f"Kollega{tag}"
    out = subprocess.run(
        [
            str(LOTSEN),
            "shell",
            "-c",
            MAKE_COORDINATOR.format(username=username, password=DEMO_PASSWORD, last_name=last_name),
        ],
        env=server_env,
        check=True,
        capture_output=True,
        text=True,
    )
    return username, f"Kim {last_name}", int(out.stdout.strip().splitlines()[-1])


def _tab_to(page, selector: str, limit: int = 400) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab.")


def _choose(page, select_id: str, value: str) -> None:
    """Pick an option with the arrow keys, the select focused by Tab."""
    _tab_to(page, f"#{select_id}")
    for _ in range(400):
        if page.evaluate("id => document.getElementById(id).value", select_id) == value:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{value} not found in #{select_id}")


def _names(page) -> list[str]:
    return [
        link.inner_text() for link in page.locator("#arbetslista tbody td a[href*='/unga/']").all()
    ]


def _tick(page, rows: range) -> list[str]:
    """Tick rows of the list with Tab and Space; their names, in order."""
    names = _names(page)
    page.locator("body").focus()
    for row in rows:
        _tab_to(page, f"#id_person_{row}")
        page.keyboard.press("Space")
        assert page.locator(f"#id_person_{row}").is_checked()
    return [names[row] for row in rows]


def test_coordinator_assigns_and_writes_to_the_status_unknown_group(
    page, browser, server, server_env
):
    username, full_name, colleague_id = _colleague(server_env)
    # A bulk action writes for many at once; on a shared, busy machine a page can take
    # longer than the suite's default ten seconds. This waits longer; it asserts no time.
    page.set_default_timeout(60_000)
    login(page, "kaa")

    # The work list, from the KAA link in the top navigation and the filter, by keyboard.
    page.goto("/")
    page.locator("body").focus()
    _tab_to(page, "nav a[href='/aktivitetsansvar/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kommunala aktivitetsansvaret")
    page.locator("body").focus()
    _tab_to(page, "a[href='/aktivitetsansvar/arbetslista/']")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbetslista")
    assert_accessible(page)
    page.locator("body").focus()
    _choose(page, "id_samordnare", "ingen")
    _choose(page, "id_status", "unknown")
    _tab_to(page, "form[method=get] button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**samordnare=ingen**status=unknown**")
    expect(page.locator("#arbetslista tbody tr").nth(4)).to_be_visible()
    expect(page.locator("#arbetslista tbody tr").first).to_contain_text("Okänd status")
    assert_accessible(page)

    # Nothing ticked: the error summary, and the message at the field.
    page.locator("body").focus()
    _tab_to(page, "button[value=assign]")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Markera minst en ung person")
    assert_accessible(page)

    # Three ticked and assigned to the colleague.
    assigned = _tick(page, range(3))
    _choose(page, "id_coordinator", str(colleague_id))
    _tab_to(page, "button[value=assign]")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3 unga är fördelade.")
    for name in assigned:
        expect(page.locator("#arbetslista")).not_to_contain_text(name)
    assert_accessible(page)

    # A letter to the next two: one attempt each, and they stay status unknown.
    written = _tick(page, range(2))
    _tab_to(page, "button[value=letter]")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Brevet är registrerat som kontaktförsök för 2 unga."
    )
    rows = page.locator("#arbetslista tbody tr")
    for name in written:
        row = rows.filter(has_text=name)
        expect(row).to_contain_text("Okänd status")
        expect(row.locator("td").last).not_to_have_text("–")
    assert_accessible(page)

    # The overview counts the colleague's three.
    page.goto("/aktivitetsansvar/")
    colleague_row = page.locator("#per-samordnare tr", has_text=full_name)
    expect(colleague_row.locator("td").first).to_have_text("3")
    assert_accessible(page)

    # The colleague finds them in their own list.
    other = browser.new_context(base_url=server, locale="sv-SE").new_page()
    other.set_default_timeout(60_000)
    login(other, username)
    other.goto("/aktivitetsansvar/arbetslista/")
    assert sorted(_names(other)) == sorted(assigned)
    assert_accessible(other)
    other.context.close()
