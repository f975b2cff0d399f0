"""Invitations by e-mail and password reset in a real browser (issue 11): the organisation
admin invites a new user from the members page, the mail reaches a real SMTP server
(aiosmtpd) from a real `lotsen serve`, the invitee opens the link from that mail, creates
the account with the keyboard alone and logs in; then asks for a new password and follows
that mail's link. axe-core finds nothing on any of the new pages, which carry no inline
script and no style attribute (the coming Content-Security-Policy forbids both)."""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests import mailscan
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    LOTSEN,
    _free_port,
    assert_accessible,
    live_server,
    login,
    var_dir_ready,
)
from tests.notifications.conftest import Inbox

NEW_ADDRESS = "ny.kollega@kommun.example.se"
PASSWORD = "Ett-riktigt-langt-losenord-7"
NEW_PASSWORD = "Ett-annat-langt-losenord-8"


@pytest.fixture(scope="module")
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory, chromium_path, collected_static, smtp):
    """A Lotsen of its own that sends mail to the test's SMTP server and links to itself."""
    inbox, smtp_port = smtp
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "LOTSEN_VAR_DIR": str(tmp_path_factory.mktemp("lotsen-invite-var")),
        "LOTSEN_DEMO_PASSWORD": DEMO_PASSWORD,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOTSEN_BASE_URL": base_url,
    }
    env.pop("DATABASE_URL", None)
    var_dir_ready(env, collected_static)
    for command in (["demo", "--size", "60"],):
        subprocess.run([str(LOTSEN), *command], env=env, check=True, capture_output=True)
    with live_server(env, port):
        yield base_url


def _new_page(browser, base_url):
    # axe-core is injected as an inline script, which the Content-Security-Policy forbids;
    # _assert_page_clean checks the pages' own markup for inline script and style instead.
    context = browser.new_context(base_url=base_url, locale="sv-SE", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _mail_to(inbox: Inbox, address: str, count: int):
    """The ``count``th mail to ``address``, waiting for the server to send it."""
    for _ in range(100):
        messages = [m for m in inbox.messages if m["To"] == address]
        if len(messages) >= count:
            return messages[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"No mail number {count} to {address}")


def _link_in(message, base_url: str) -> str:
    match = re.search(re.escape(base_url) + r"(/konto/\S+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def _assert_page_clean(page) -> None:
    """Accessible, and ready for a Content-Security-Policy without 'unsafe-inline'."""
    # The page's own markup (the layout around it is base.html's), before axe-core, which
    # itself arrives as an inline script.
    html = page.locator("main").inner_html()
    assert " style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert_accessible(page)


def _assert_no_personal_data(message) -> None:
    # No personnummer, no demo person's name, no word about health (the suite's mail scan).
    assert mailscan.findings(mailscan.smtp_message_text(message)) == []


def test_admin_invites_the_invitee_accepts_from_the_mail_and_logs_in(browser, mail_server, smtp):
    inbox, _ = smtp
    admin_context, admin = _new_page(browser, mail_server)
    login(admin, "orgadmin")
    admin.goto("/organisation/medlemmar/")
    _assert_page_clean(admin)
    admin.get_by_role("link", name="Bjud in ny användare").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Bjud in ny användare")
    _assert_page_clean(admin)

    # An error first: the error summary and the message at the field pass axe too.
    admin.get_by_label("E-postadress").fill("inte-en-adress")
    admin.get_by_role("button", name="Skicka inbjudan").click()
    expect(admin.locator(".govuk-error-summary")).to_be_visible()
    _assert_page_clean(admin)

    admin.get_by_label("E-postadress").fill(NEW_ADDRESS)
    admin.get_by_label("Roll").select_option("mentor")
    admin.get_by_role("button", name="Skicka inbjudan").click()
    expect(admin.get_by_text(f"En inbjudan har skickats till {NEW_ADDRESS}.")).to_be_visible()
    pending = admin.locator("table", has_text="Inbjudningar via e-post som väntar på svar")
    expect(pending).to_contain_text(NEW_ADDRESS)
    _assert_page_clean(admin)

    invitation = _mail_to(inbox, NEW_ADDRESS, 1)
    _assert_no_personal_data(invitation)
    link = _link_in(invitation, mail_server)

    # The invitee, in a browser of their own, with the keyboard alone.
    invitee_context, invitee = _new_page(browser, mail_server)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Skapa ditt konto i Lotsen")
    assert "/konto/inbjudan/svara/" in invitee.url  # the token has left the address bar
    _assert_page_clean(invitee)
    invitee.get_by_label("Användarnamn").focus()
    invitee.keyboard.type("nykollega")
    invitee.keyboard.press("Tab")
    invitee.keyboard.type(PASSWORD)
    invitee.keyboard.press("Tab")
    invitee.keyboard.type(PASSWORD)
    invitee.keyboard.press("Enter")
    expect(invitee.get_by_text("Ditt konto är klart.")).to_be_visible()
    _assert_page_clean(invitee)

    invitee.get_by_label("Användarnamn").fill("nykollega")
    invitee.get_by_label("Lösenord").fill(PASSWORD)
    invitee.get_by_role("button", name="Logga in").click()
    invitee.wait_for_url(lambda url: "logga-in" not in url)
    expect(invitee.locator("body")).to_contain_text("Mentor")

    # The link worked once.
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Länken fungerar inte")
    _assert_page_clean(invitee)
    invitee_context.close()

    # The admin's list of waiting invitations is empty again.
    admin.goto("/organisation/medlemmar/")
    expect(admin.get_by_text("Inga inbjudningar via e-post väntar på svar.")).to_be_visible()
    expect(admin.locator("table").first).to_contain_text("nykollega")
    admin_context.close()


def test_password_reset_from_the_mail(browser, mail_server, smtp):
    inbox, _ = smtp
    context, page = _new_page(browser, mail_server)
    page.goto("/konto/logga-in/")
    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glömt lösenordet")
    _assert_page_clean(page)
    page.get_by_label("E-postadress").fill(NEW_ADDRESS)
    page.get_by_role("button", name="Skicka länken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Titta i din e-post")
    _assert_page_clean(page)

    message = _mail_to(inbox, NEW_ADDRESS, 2)
    assert " ".join(str(message["Subject"]).split()) == "Återställ ditt lösenord i Lotsen"
    _assert_no_personal_data(message)
    page.goto(_link_in(message, mail_server))
    expect(page.get_by_role("heading", level=1)).to_have_text("Välj ett nytt lösenord")
    _assert_page_clean(page)
    page.get_by_label("Nytt lösenord", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nytt lösenord igen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Spara lösenordet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lösenordet är ändrat")
    _assert_page_clean(page)

    page.get_by_role("link", name="Logga in").last.click()
    page.get_by_label("Användarnamn").fill("nykollega")
    page.get_by_label("Lösenord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(lambda url: "logga-in" not in url)
    context.close()
