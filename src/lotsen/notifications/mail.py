"""The e-mails: the kind's title and a link that needs a login, nothing else.

An e-mail leaves Lotsen unencrypted and stays in mailboxes we do not control, so it
carries no personal data about a young person: no name, no personnummer, nothing about
health, not even which school or service is involved. The link leads to the page of the
thing, which asks for a login and reads through the privacy door.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse

from lotsen.notifications.kinds import kind_get
from lotsen.notifications.models import Notification

DIGEST_SUBJECT = "Det här har hänt i Lotsen"
SIGN_OFF = (
    "Du får det här meddelandet eftersom du har valt e-post för de här notiserna. "
    "Du kan ändra det här: {preferences}\n\n"
    "Svara inte på meddelandet. Uppgifterna finns bara i Lotsen, efter inloggning."
)


def _absolute(path: str) -> str:
    return settings.LOTSEN_BASE_URL.rstrip("/") + path


def _sign_off() -> str:
    return SIGN_OFF.format(preferences=_absolute(reverse("notifications:preferences")))


def immediate_message(notification: Notification) -> EmailMessage:
    title = str(kind_get(notification.kind).title)
    body = (
        f"Hej!\n\n{title}.\n\n"
        f"Logga in i Lotsen för att se mer:\n{_absolute(notification.url)}\n\n{_sign_off()}\n"
    )
    return EmailMessage(subject=title, body=body, to=[notification.user.email])


def digest_message(*, email: str, notifications: Sequence[Notification]) -> EmailMessage:
    lines = [
        f"- {kind_get(notification.kind).title}: {_absolute(notification.url)}"
        for notification in notifications
    ]
    body = (
        "Hej!\n\nDet här har hänt i Lotsen sedan förra sammanfattningen:\n\n"
        + "\n".join(lines)
        + f"\n\nAlla notiser: {_absolute(reverse('notifications:centre'))}\n\n{_sign_off()}\n"
    )
    return EmailMessage(subject=DIGEST_SUBJECT, body=body, to=[email])
