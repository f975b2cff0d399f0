"""The 404 page in a real browser: Lotsen's layout, the plain words about lost access, a way
back to the start page, and no WCAG 2.1 A/AA violation (axe-core), signed in and not."""

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login

NOT_AVAILABLE = "Sidan, personen eller ärendet finns inte eller är inte tillgänglig för dig."


def test_the_404_page_is_accessible_and_leads_back(page):
    # Not signed in: an address Lotsen does not have.
    response = page.goto("/finns-inte/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Finns inte eller är inte tillgänglig"
    )
    expect(page.get_by_text(NOT_AVAILABLE)).to_be_visible()
    assert_accessible(page)

    # Signed in: a person who is not there (or not the mentor's).
    login(page, "mentor")
    response = page.goto("/personer/999999999/")
    assert response.status == 404
    expect(page.get_by_text(NOT_AVAILABLE)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Till startsidan").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_404_page_in_english_is_accessible(page):
    page.goto("/finns-inte/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found or not available")
    expect(
        page.get_by_text("The page, person or case does not exist or is not available to you.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="To the start page")).to_be_visible()
    assert_accessible(page)
