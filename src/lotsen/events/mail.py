"""The confirmation a registrant gets by e-mail: what the public page promises ("Vi skickar
information om evenemanget hit").

It goes to the address the registrant gave, and says what the public event page says
(title, time, place or meeting link) and nothing else: not the registrant's name, and
nothing about anyone else.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from lotsen.events.models import Registration

SUBJECT = "Du är anmäld: {title}"


def registration_confirmation(registration: Registration) -> EmailMessage:
    event = registration.event
    starts = timezone.localtime(event.starts_at)
    ends = timezone.localtime(event.ends_at)
    where = [line for line in (event.location, event.link) if line]
    page = settings.LOTSEN_BASE_URL.rstrip("/") + reverse("events:public", args=[event.slug])
    body = (
        f"Hej!\n\nDu är anmäld till {event.title}.\n\n"
        f"När: {starts:%Y-%m-%d} kl. {starts:%H.%M}–{ends:%H.%M}\n"
        + "".join(f"Var: {line}\n" for line in where)
        + f"\nMer om evenemanget: {page}\n\n"
        "Kan du inte komma? Svara inte på det här meddelandet, utan kontakta arrangören.\n"
    )
    return EmailMessage(
        subject=SUBJECT.format(title=event.title), body=body, to=[registration.email]
    )


def registration_confirmation_send(registration_id: int) -> None:
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is not None:
        registration_confirmation(registration).send()
