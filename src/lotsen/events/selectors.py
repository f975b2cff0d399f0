"""Reads for events. Registrations are staff data: only the project leaders of the
organising organisation see who registered. The public page reads the event alone. Who
may do what is ``programmes.policy.ProgrammePolicy``'s answer.

Training hours are aggregates (no names); a programme's lead organisation sees them for
every event in its programme, the organiser for its own events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.events import hours
from lotsen.events.models import Event, Registration
from lotsen.programmes.models import Programme
from lotsen.programmes.policy import ProgrammePolicy


def programmes_for(actor: Actor) -> QuerySet[Programme]:
    """The programmes an event of the actor's may belong to: those the actor is team for."""
    return ProgrammePolicy(actor).team_programmes()


def events_for(*, actor: Actor) -> QuerySet[Event]:
    if not ProgrammePolicy(actor).may_create():
        raise Http404
    return (
        Event.objects.filter(organiser=actor.organisation)
        .select_related("programme")
        .annotate(
            registered=Count("registrations"),
            attended_count=Count("registrations", filter=Q(registrations__attended=True)),
        )
        .order_by("-starts_at", "id")
    )


def event_get_for(*, actor: Actor, event_id: int | str) -> Event:
    """Fetch and authorise in one call: 404 for "missing" and "not yours" alike."""
    if not ProgrammePolicy(actor).may_create():
        raise Http404
    try:
        event_id = int(event_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    event = (
        Event.objects.select_related("programme", "organiser")
        .filter(pk=event_id, organiser=actor.organisation)
        .first()
    )
    if event is None:
        raise Http404
    return event


def registrations_for(*, actor: Actor, event: Event) -> list[Registration]:
    if not ProgrammePolicy(actor).acts_for(event.organiser_id):
        raise Http404
    return list(event.registrations.select_related("organisation").order_by("name", "id"))


def event_public_get(*, slug: str) -> Event:
    event = Event.objects.select_related("organiser", "programme").filter(slug=slug).first()
    if event is None:
        raise Http404
    return event


def places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - event.registrations.count(), 0)


def public_events_upcoming() -> QuerySet[Event]:
    """Events for professionals still ahead and open for registration, with the organiser
    each one names (fetched with the events, not one query per event)."""
    return (
        Event.objects.filter(
            audience="professionals", registration_open=True, starts_at__gt=timezone.now()
        )
        .select_related("organiser")
        .order_by("starts_at", "id")
    )


@dataclass
class TrainingHours:
    programme: Programme | None
    date_from: dt.date | None
    date_to: dt.date | None
    events: int
    by_organisation: list[hours.HoursRow]
    by_role: list[hours.HoursRow]
    total: hours.HoursRow


def training_hours_scope(actor: Actor) -> QuerySet[Event]:
    policy = ProgrammePolicy(actor)
    if not policy.may_create():
        raise Http404
    return Event.objects.filter(
        Q(organiser=actor.organisation) | policy.leads_programme_q("programme")
    )


def training_hours(
    *,
    actor: Actor,
    programme: Programme | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    total_label: str = "Totalt",
) -> TrainingHours:
    """Hours of competence development done: each attended registration counts the
    event's length once."""
    events = training_hours_scope(actor)
    if programme is not None:
        events = events.filter(programme=programme)
    if date_from is not None:
        events = events.filter(starts_at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(starts_at__date__lte=date_to)
    attended = Registration.objects.filter(event__in=events, attended=True).select_related(
        "event", "organisation"
    )
    rows = [
        hours.Attendance(
            organisation=r.organisation_label, role=r.role, hours=r.event.duration_hours
        )
        for r in attended
    ]
    by_organisation = hours.hours_by(rows, lambda a: a.organisation)
    return TrainingHours(
        programme=programme,
        date_from=date_from,
        date_to=date_to,
        events=events.count(),
        by_organisation=by_organisation,
        by_role=hours.hours_by(rows, lambda a: a.role),
        total=hours.total(by_organisation, label=total_label),
    )
