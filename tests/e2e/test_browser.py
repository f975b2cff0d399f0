"""Real pages in a real browser: keyboard login, search, person pages, forms with errors;
axe-core reports no WCAG 2.1 A/AA violation on any page visited."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, assert_accessible, login


def test_login_with_the_keyboard_alone(page):
    page.goto("/konto/logga-in/")
    assert_accessible(page)
    # The first Tab reaches the skip link, as on every GOV.UK-style page.
    page.keyboard.press("Tab")
    assert (
        page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till huvudinnehållet"
    )
    for _ in range(20):
        if page.evaluate("document.activeElement.id") == "id_username":
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("The username field is not reachable with Tab.")
    page.keyboard.type("kaa")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exempelkommun")
    assert_accessible(page)


def test_wrong_password_shows_an_accessible_error(page):
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("kaa")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Fel användarnamn eller lösenord.")
    assert_accessible(page)


def test_mentor_searches_and_opens_a_pupil(page):
    login(page, "mentor")
    assert_accessible(page)
    page.goto("/personer/")
    assert_accessible(page)
    page.get_by_label("Sök på namn eller personnummer").fill("a")
    page.get_by_role("button", name="Sök", exact=True).click()
    first = page.locator("#results table a").first
    expect(first).to_be_visible()
    assert_accessible(page)
    name = first.inner_text()
    first.click()
    family, given = name.split(", ")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    expect(
        page.get_by_role("heading", name="Vem i er organisation har läst personens uppgifter?")
    ).to_be_visible()
    assert_accessible(page)


def test_kaa_coordinator_pages_and_form_errors(page):
    login(page, "kaa")
    page.goto("/personer/ny/")
    assert_accessible(page)
    page.get_by_label("Personnummer eller samordningsnummer").fill("20090517-1235")
    page.get_by_label("Förnamn").fill("Test")
    page.get_by_label("Efternamn").fill("Testsson")
    page.get_by_role("button", name="Registrera").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(
        "Personnummer eller samordningsnummer: Kontrollsiffran stämmer inte."
    )
    expect(page.locator("#id_personal_identity_number-error")).to_be_visible()
    assert_accessible(page)
    # The error summary's link takes the keyboard user to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_personal_identity_number"

    page.goto("/personer/")
    page.get_by_label("Sök på namn eller personnummer").fill("e")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.locator("#results table a").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Registrera samtycke").click()
    assert_accessible(page)
    page.get_by_role("button", name="Spara samtycket").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Välj minst en organisation")
    assert_accessible(page)

    page.goto("/nodatkomst/")
    assert_accessible(page)


def test_forged_person_id_is_a_plain_404(page):
    login(page, "mentor")
    response = page.goto("/personer/999999999/")
    assert response.status == 404


def test_organisation_admin_and_young_person_pages(page):
    login(page, "orgadmin")
    page.goto("/organisation/medlemmar/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Medlemmar och roller")
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    login(page, "ung")
    expect(page).to_have_url(re.compile("/mina-sidor/$"))
    assert_accessible(page)


def test_english_version(page):
    login(page, "coach")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)


def test_the_axe_check_itself_catches_a_violation(page):
    # Guard against a harness that always passes: an image without a text alternative
    # and an unlabelled input must be reported.
    page.goto("/konto/logga-in/")
    page.set_content('<html lang="sv"><title>t</title><main><img src="x.png"><input></main></html>')
    try:
        assert_accessible(page)
    except AssertionError as exc:
        assert "image-alt" in str(exc) and "label" in str(exc)
    else:
        raise AssertionError("axe-core reported no violation on a broken page")
