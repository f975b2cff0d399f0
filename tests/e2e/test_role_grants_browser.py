"""Role administration in a real browser: the members page refuses a self-grant with an
accessible error, an invitation is answered on the start page, the audit trail and the
emergency review pages pass axe."""

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login


def test_members_invitation_audit_trail_and_review_pages(page):
    login(page, "orgadmin")
    page.goto("/organisation/medlemmar/")
    page.get_by_label("Användarnamn").fill("orgadmin")
    page.get_by_label("Roll").select_option("kaa_coordinator")
    page.get_by_role("button", name="Lägg till").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Du kan inte ge dig själv en roll som når personuppgifter."
    )
    assert_accessible(page)

    # The coach works for social services, not for the municipality: an invitation.
    page.get_by_label("Användarnamn").fill("coach")
    page.get_by_label("Roll").select_option("evaluator")
    page.get_by_role("button", name="Lägg till").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("inbjuden")
    assert_accessible(page)

    page.goto("/organisation/behorigheter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Behörighetslogg")
    expect(page.locator("table").last).to_contain_text("bjöds in")
    assert_accessible(page)
    page.goto("/organisation/nodatkomst/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nödåtkomst att granska")
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    login(page, "coach")
    banner = page.locator(".govuk-notification-banner", has_text="Du har bjudits in")
    expect(banner).to_contain_text("Exempelkommun som Utvärderare")
    assert_accessible(page)
    banner.get_by_role("button", name="Avböj").click()
    expect(page.get_by_text("Du har avböjt inbjudan.")).to_be_visible()
