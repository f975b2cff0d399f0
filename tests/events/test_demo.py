"""The events demo: the seeds' digital half-day, held and attended, and an on-site meeting
ahead; running it twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.demo.events import KNOWLEDGE_DAY, NETWORK_MEETING, events_demo_seed
from lotsen.events.models import Event, Registration
from lotsen.events.selectors import training_hours

pytestmark = pytest.mark.django_db


def test_events_demo_seed_is_idempotent_and_shaped_like_the_seeds(programme, leader):
    first = events_demo_seed(programme)
    assert first.events_created == 2
    assert events_demo_seed(programme).events_created == 0
    assert events_demo_seed(programme).registrations_created == 0
    assert Event.objects.count() == 2

    day = Event.objects.get(title=KNOWLEDGE_DAY)
    assert day.format == "digital" and day.audience == "professionals"
    start, end = timezone.localtime(day.starts_at), timezone.localtime(day.ends_at)
    assert (start.time(), end.time()) == (dt.time(9, 0), dt.time(12, 30))
    assert day.is_past
    registrations = Registration.objects.filter(event=day)
    assert 55 <= registrations.count() <= 65
    attended = registrations.filter(attended=True).count()
    assert attended > registrations.count() / 2
    organisations = set(registrations.values_list("organisation__name", flat=True))
    assert organisations == {"Region Norrköping", "Kommunen"}

    ahead = Event.objects.get(title=NETWORK_MEETING)
    assert ahead.format == "on_site" and ahead.registration_open and not ahead.is_past
    assert ahead.registrations.filter(attended__isnull=False).count() == 0

    hours = training_hours(actor=leader, programme=programme)
    assert hours.total.people == attended
    assert hours.total.hours == pytest.approx(attended * 3.5)
