"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the notification tests, and the mails
it received, kept for the module so that one test can scan every mail sent."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests import mailscan


@dataclass
class Inbox:
    """What the SMTP server received, in order: every message of the test session."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        mailscan.received.append(message)  # scanned after the test (tests/conftest.py)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@dataclass
class Mailbox:
    """The mails received since the test began."""

    inbox: Inbox
    start: int

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages[self.start :]

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def mailbox(smtp_server, settings) -> Mailbox:
    """Django's SMTP backend pointed at the test server."""
    inbox, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.LOTSEN_BASE_URL = "https://lotsen.example.se"
    return Mailbox(inbox=inbox, start=len(inbox.messages))


def text_of(message: Message) -> str:
    """The parts a reader sees: subject and body (headers such as Message-ID carry long
    numbers of their own, which are not ours)."""
    return f"{message['Subject']}\n{message.get_content()}"


def subject_of(message: Message) -> str:
    # A long subject with Swedish letters is folded into encoded words; unfolded, it may
    # keep a leading space.
    return " ".join(str(message["Subject"]).split())


def smtp_message_text_lines(message: Message) -> list[str]:
    """The digest's items: the kind's title of each line "- <title>: <link>"."""
    return [
        line[2:].rsplit(": ", 1)[0]
        for line in message.get_content().splitlines()
        if line.startswith("- ")
    ]
