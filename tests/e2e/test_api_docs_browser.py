"""The API documentation in a real browser: Lotsen's own page (axe-core, keyboard, Swedish
and English), and Swagger UI from Lotsen's own files running under the
Content-Security-Policy, without inline script."""

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, login


def test_the_api_documentation_page_is_accessible_and_leads_to_swagger_ui(page):
    login(page, "mentor")
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("API för andra system")
    expect(page.get_by_role("table")).to_contain_text("cases:read")
    assert_accessible(page)

    # By keyboard alone: to the link and on with Enter.
    link = page.get_by_role("link", name="Utforska API:t i Swagger UI")
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("The Swagger UI link cannot be reached with Tab")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/api/v1/docs/swagger/")
    # Swagger UI has loaded the schema with the signed-in session and lists the API.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Lotsen API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/").first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert violations == []


def test_the_api_documentation_page_in_english_is_accessible(page):
    login(page, "mentor")
    page.goto("/api/v1/docs/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API for other systems")
    assert_accessible(page)
