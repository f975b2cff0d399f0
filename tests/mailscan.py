"""The suite-wide mail scan: no e-mail Lotsen sends carries a personal identity number, the
name of a demo or test person, or a word about health (issue 12: "scan every mail in the
suite").

Every test is checked by an autouse fixture in ``tests/conftest.py``: the mails in Django's
locmem outbox (what ``send()`` does under the test runner), and the mails a real SMTP
server received in the test process (``received``: the aiosmtpd servers of
tests/notifications and tests/jobs hand each message here, also those sent by a worker in
a subprocess). Only what a reader sees is scanned: subject and body, not headers such as
Message-ID, which carry long numbers of their own.
"""

from __future__ import annotations

import re
from email.message import Message

from lotsen.demo import names

# 12 or 10 digits, with or without the separator (YYYYMMDD-NNNN, YYMMDD-NNNN, YYMMDD+NNNN).
PERSONNUMMER = re.compile(r"(?<![\d/])(?:\d{2})?\d{6}[-+]?\d{4}(?![\d/])")

# The names demo persons and their guardians are made from, and the factories' test
# persons (tests.factories.PersonFactory: Elin<n> Berg<n>).
_DEMO_NAMES = sorted(
    {
        name
        for group in (
            names.GIVEN_NAMES_WOMEN,
            names.GIVEN_NAMES_MEN,
            names.GIVEN_NAMES_ANY,
            names.GIVEN_NAMES_WOMEN_INTERNATIONAL,
            names.GIVEN_NAMES_MEN_INTERNATIONAL,
            names.FAMILY_NAMES,
            names.FAMILY_NAMES_INTERNATIONAL,
            names.GUARDIAN_NAMES_WOMEN,
            names.GUARDIAN_NAMES_MEN,
        )
        for name in group
    },
    key=len,
    reverse=True,
)
PERSON_NAME = re.compile(
    r"(?<!\w)(?:Elin\d+|Berg\d+|" + "|".join(map(re.escape, _DEMO_NAMES)) + r")(?!\w)"
)
# Words that would say something about a young person's health (case-insensitive; stems).
HEALTH = re.compile(
    r"(?<!\w)(?:diagnos\w*|depression\w*|deprimerad\w*|ångest\w*|adhd|autism\w*|asperger\w*|"
    r"psykisk\w*|psykiatri\w*|bup|ätstörning\w*|missbruk\w*|självskad\w*|suicid\w*|"
    r"självmord\w*|sjukdom\w*|sjukskriv\w*|läkemedel\w*|medicin\w*|ohälsa\w*|"
    r"funktionsnedsättning\w*|hälsotillstånd\w*|vård|vården|vårdcentral\w*|"
    r"mental health|anxiety|diagnosis)(?!\w)",
    re.IGNORECASE,
)

# Messages received by real SMTP servers in this process, for the next check to scan.
received: list[Message] = []


def findings(text: str) -> list[str]:
    """What in ``text`` must never be in an e-mail, named by kind."""
    found = []
    for label, pattern in (
        ("personnummer", PERSONNUMMER),
        ("namn", PERSON_NAME),
        ("hälsoord", HEALTH),
    ):
        found += [f"{label}: {match!r}" for match in pattern.findall(text)]
    return found


def django_message_text(message) -> str:
    """Subject and body of a Django EmailMessage, with any alternatives (HTML)."""
    parts = [str(message.subject), str(message.body)]
    parts += [str(content) for content, _ in getattr(message, "alternatives", [])]
    return "\n".join(parts)


def smtp_message_text(message: Message) -> str:
    parts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)
