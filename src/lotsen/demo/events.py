"""Demo events for a programme: the seeds' digital half-day for professionals, held, with
attendance marked, and an on-site meeting ahead that is open for registration.

Idempotent: each event is found by programme and title, and registrations by e-mail
address, so running the seed again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lotsen.accounts.models import Organisation
from lotsen.demo import names
from lotsen.events.models import Audience, Event, EventFormat, Registration
from lotsen.events.services import event_slug_for
from lotsen.programmes.models import Programme

KNOWLEDGE_DAY = "Kunskapsdag: unga som varken arbetar eller studerar – vad vet vi och vad fungerar?"
NETWORK_MEETING = "Nätverksträff: samverkan kring unga som avbryter gymnasiet"
REGISTRATIONS = 60
ATTENDANCE_SHARE = 0.85
ROLES = (
    "Kurator",
    "Studie- och yrkesvägledare",
    "Mentor",
    "Lärare",
    "Skolsköterska",
    "KAA-samordnare",
    "Arbetsmarknadskonsulent",
    "Socialsekreterare",
    "Coach",
    "Rektor",
    "Projektledare",
)


@dataclass
class EventsDemoSummary:
    events_created: int = 0
    registrations_created: int = 0


def _organisations(programme: Programme) -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            Q(pk=programme.lead_organisation_id)
            | Q(led_subprojects__programme=programme)
            | Q(subprojects__programme=programme)
        )
        .distinct()
        .order_by("name", "pk")
    )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _event(programme: Programme, title: str, **fields) -> tuple[Event, bool]:
    event = Event.objects.filter(programme=programme, title=title).first()
    if event is not None:
        return event, False
    event = Event(programme=programme, title=title, organiser=programme.lead_organisation, **fields)
    event.slug = event_slug_for(title, starts_at=event.starts_at, exclude_pk=None)
    event.full_clean()
    event.save()
    return event, True


def _register(
    event: Event,
    *,
    count: int,
    organisations: list[Organisation],
    rng: random.Random,
    attended_share: float | None,
) -> int:
    created = 0
    given = names.GIVEN_NAMES_WOMEN + names.GIVEN_NAMES_MEN
    for n in range(count):
        first, last = rng.choice(given), rng.choice(names.FAMILY_NAMES)
        organisation = organisations[n % len(organisations)] if organisations else None
        role = rng.choice(ROLES)
        attended = None if attended_share is None else rng.random() < attended_share
        email = f"{_ascii(first)}.{_ascii(last)}.{n + 1}@exempel.se"
        _registration, made = Registration.objects.get_or_create(
            event=event,
            email=email,
            defaults={
                "name": f"{first} {last}",
                "organisation": organisation,
                "organisation_name": organisation.name if organisation else "",
                "role": role,
                "registered_at": event.starts_at - dt.timedelta(days=rng.randint(3, 30)),
                "attended": attended,
            },
        )
        created += made
    return created


@transaction.atomic
def events_demo_seed(programme: Programme, *, seed: int = 2026) -> EventsDemoSummary:
    summary = EventsDemoSummary()
    rng = random.Random(seed + programme.pk)
    today = timezone.localdate()
    organisations = _organisations(programme)
    # The half-day lies in the programme's past: a month ago, or at the programme's end.
    held_on = min(today - dt.timedelta(days=30), programme.end)
    held_on = max(held_on, programme.start)
    if held_on >= today:
        held_on = today - dt.timedelta(days=1)
    knowledge_day, made = _event(
        programme,
        KNOWLEDGE_DAY,
        starts_at=_at(held_on, 9, 0),
        ends_at=_at(held_on, 12, 30),
        format=EventFormat.DIGITAL,
        audience=Audience.PROFESSIONALS,
        link="https://exempel.se/mote/kunskapsdag",
        location="Digitalt möte, länken skickas till anmälda",
        description=(
            "En halvdag för yrkesverksamma i skola, kommun, region och Arbetsförmedlingen: "
            "vad forskningen säger om avbrott i gymnasiet, erfarenheter från tidigare "
            "projekt och, framför allt, vad unga själva berättar."
        ),
        registration_open=False,
    )
    summary.events_created += made
    summary.registrations_created += _register(
        knowledge_day,
        count=REGISTRATIONS,
        organisations=organisations,
        rng=rng,
        attended_share=ATTENDANCE_SHARE,
    )
    meets_on = today + dt.timedelta(days=30)
    network, made = _event(
        programme,
        NETWORK_MEETING,
        starts_at=_at(meets_on, 13, 0),
        ends_at=_at(meets_on, 16, 0),
        format=EventFormat.ON_SITE,
        audience=Audience.PROFESSIONALS,
        location=f"{programme.lead_organisation.name}, stora konferensrummet",
        description=(
            "En eftermiddag för dem som möter unga som har avbrutit eller riskerar att "
            "avbryta gymnasiet: vi delar arbetssätt och bygger kontakter mellan "
            "organisationerna i programmet."
        ),
        capacity=40,
        registration_open=True,
    )
    summary.events_created += made
    summary.registrations_created += _register(
        network, count=12, organisations=organisations, rng=rng, attended_share=None
    )
    return summary
