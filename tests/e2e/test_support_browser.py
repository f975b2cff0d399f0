"""Coordinated support end to end in a real browser, as the issue tells it:

a mentor opens a case from a signal → records the young person's consent for social
services → sends a referral → a social-services user accepts it and adds an action to the
plan → the young person logs in, does the WHO-5 check-in and sees on "who read my data"
that the social-services user read the case → the young person withdraws consent → the
social-services user's next request for that case gets 404.

Forms are filled and sent with the keyboard (focus, type, Space on radios and boxes, Enter
on buttons); axe-core finds no WCAG 2.1 A/AA violation on any page of the journey.
"""

import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

SOCIAL = "Socialtjänsten i Exempelkommun"


def _press(page, locator) -> None:
    """Follow a link or send a form with Enter, and wait for the next page."""
    locator.focus()
    # Still focused when Enter is pressed (a script that moves the element blurs it).
    expect(locator).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _check(page, label: str) -> None:
    """Tick a radio or checkbox with the keyboard."""
    box = page.get_by_label(label, exact=True)
    box.focus()
    if not box.is_checked():
        page.keyboard.press("Space")
    expect(box).to_be_checked()


def _type(page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.type(text)


def _logout(page) -> None:
    _press(page, page.get_by_role("button", name="Logga ut"))
    page.wait_for_url(re.compile("logga-in|/$"))


def test_coordinated_support_journey(page):
    today = timezone.localdate().isoformat()
    # Who the demo's young person is: their own page says.
    login(page, "ung")
    _press(page, page.get_by_role("link", name="Se allt vi vet om dig"))
    name = page.get_by_role("heading", level=1).inner_text().strip()
    _logout(page)

    # 1. The mentor at the young person's school finds them by name and opens a case from
    # the signal on their page.
    login(page, "mentorgy")
    assert_accessible(page)
    # The search is sent by POST (a personnummer never lands in a URL); the results list
    # names as "Family, Given".
    page.goto("/personer/")
    _type(page, "Sök på namn eller personnummer", name)
    page.keyboard.press("Enter")
    found = page.locator("#results table a")
    expect(found.first).to_be_visible()
    listed = [link.inner_text().strip() for link in found.all()]
    as_listed = [text for text in listed if " ".join(reversed(text.split(", ", 1))) == name]
    assert as_listed, (name, listed)
    _press(page, found.filter(has_text=as_listed[0]).first)
    _press(page, page.locator("main a[href^='/signaler/']", has_text="Öppna").first)
    expect(page.get_by_role("heading", name="Samordnat stöd")).to_be_visible()
    assert_accessible(page)
    _press(page, page.get_by_role("link", name="Öppna ärende från signalen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Öppna ärende för samordnat stöd")
    assert_accessible(page)
    _check(page, "Risk för avhopp")
    _press(page, page.get_by_role("button", name="Öppna ärendet"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Ärendet är öppnat")
    case_url = page.url
    assert re.search(r"/arenden/\d+/$", case_url)
    assert_accessible(page)

    # 2. The young person's consent for social services, recorded from the case.
    _press(page, page.get_by_role("link", name="Registrera samtycke"))
    assert_accessible(page)
    _check(page, "Den unga")
    _check(page, SOCIAL)
    _check(page, "Stöd och insatser")
    _press(page, page.get_by_role("button", name=re.compile("Spara|Registrera")))
    page.wait_for_url(case_url)
    expect(page.locator("#samtycken + ul")).to_contain_text(SOCIAL)
    assert_accessible(page)

    # 3. A referral to social services that relies on that consent.
    _press(page, page.get_by_role("link", name="Skicka remiss"))
    assert_accessible(page)
    _check(page, SOCIAL)
    _type(page, "Meddelande", "Hög frånvaro. Eleven vill ha stöd utanför skolan.")
    _press(page, page.get_by_role("button", name="Skicka remissen"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Remissen är skickad")
    assert_accessible(page)
    _logout(page)

    # 4. Social services finds the referral in its inbox, accepts it, adds an action.
    login(page, "coach")
    page.goto("/inkorg/?typ=referral")
    waiting = page.locator("tr", has_text=name).locator("a[href*='/remiss/']").first
    expect(waiting).to_be_visible()
    assert_accessible(page)
    _press(page, waiting)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remiss från Exempelgymnasiet")
    assert_accessible(page)
    _press(page, page.get_by_role("button", name="Acceptera remissen"))
    page.wait_for_url(case_url)
    # scroll-regions.js wraps every table in a region of its own (WCAG 1.4.10).
    expect(page.locator("#team + [data-lotsen-scroll] table")).to_contain_text(SOCIAL)
    assert_accessible(page)
    _press(page, page.get_by_role("link", name="Lägg till insats i planen"))
    assert_accessible(page)
    _type(page, "Insats eller aktivitet", "Samtal med coach varannan vecka")
    _check(page, SOCIAL)
    page.get_by_label("Följs upp den").fill(today)
    _press(page, page.get_by_role("button", name="Spara"))
    page.wait_for_url(case_url)
    action = page.get_by_role("cell", name="Samtal med coach varannan vecka", exact=True)
    expect(action).to_be_visible()
    assert_accessible(page)
    _logout(page)

    # 5. The young person: WHO-5 check-in, then who has read their data.
    login(page, "ung")
    assert_accessible(page)
    _press(page, page.get_by_role("link", name=re.compile("Hur mår jag")).first)
    assert_accessible(page)
    for fieldset in page.locator("fieldset").all():
        radio = fieldset.get_by_role("radio").nth(1)  # "Det mesta av tiden"
        radio.focus()
        page.keyboard.press("Space")
        expect(radio).to_be_checked()
    _press(page, page.get_by_role("button", name=re.compile("Spara|Skicka")))
    expect(page.locator("table")).to_contain_text("80")  # five answers of 4 → 20 × 4
    assert_accessible(page)
    page.goto("/mina-sidor/vem-har-last/")
    expect(page.locator("main")).to_contain_text(SOCIAL)
    expect(page.locator("main")).to_contain_text(re.compile("ärende", re.IGNORECASE))
    assert_accessible(page)

    # 6. The young person withdraws every consent that names social services (the one just
    # recorded and the demo's own); the youth clinic's consent stays.
    page.goto("/mina-sidor/samtycken/")
    assert_accessible(page)
    # each link is named for its consent: "Ta tillbaka samtycket till <organisations>"
    to_social = re.compile(r"^Ta tillbaka samtycket till .*" + re.escape(SOCIAL))
    while True:
        withdraw = page.get_by_role("link", name=to_social)
        if withdraw.count() == 0:
            break
        _press(page, withdraw.first)
        assert_accessible(page)
        _press(page, page.get_by_role("button", name=re.compile("ta tillbaka", re.I)).first)
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
    assert page.get_by_role("link", name=re.compile(r"^Ta tillbaka")).count() >= 1  # the clinic
    assert_accessible(page)
    _logout(page)

    # 7. Social services' next request for the school's case: 404. The school still has
    # its record, and the case shows that social services no longer sees it.
    login(page, "coach")
    response = page.goto(case_url)
    assert response.status == 404
    page.context.clear_cookies()  # the 404 page has no menu to log out from
    login(page, "mentorgy")
    page.goto(case_url)
    expect(page.locator("#team + [data-lotsen-scroll] table")).to_contain_text(
        "inget giltigt samtycke"
    )
    assert_accessible(page)
