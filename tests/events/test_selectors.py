"""Event reads: who sees events and registrations, and training hours per programme and
period."""

from __future__ import annotations

import pytest
from django.http import Http404

from lotsen.events.selectors import (
    event_get_for,
    events_for,
    registrations_for,
    training_hours,
)
from lotsen.programmes.models import Programme
from tests.events.conftest import at, make_event, register

pytestmark = pytest.mark.django_db


def test_events_and_registrations_only_for_the_organisers_project_leaders(
    leader, municipality_leader, make_actor
):
    event = make_event(leader.organisation)
    register(event, "Karin Ek")
    assert list(events_for(actor=leader)) == [event]
    assert [r.name for r in registrations_for(actor=leader, event=event)] == ["Karin Ek"]
    assert list(events_for(actor=municipality_leader)) == []
    with pytest.raises(Http404):
        event_get_for(actor=municipality_leader, event_id=event.pk)
    with pytest.raises(Http404):
        registrations_for(actor=municipality_leader, event=event)
    evaluator = make_actor(organisation=leader.organisation, role="evaluator")
    with pytest.raises(Http404):
        event_get_for(actor=evaluator, event_id=event.pk)


def test_training_hours_per_programme_period_organisation_and_role(
    leader, programme, municipality, region
):
    other = Programme.objects.create(
        name="Annat program",
        framework="esf2014",
        start=programme.start,
        end=programme.end,
        lead_organisation=region,
    )
    early = make_event(region, days=-60, programme=programme)  # 3.5 h
    late = make_event(region, days=-5, programme=programme, ends_at=at(-5, 11))  # 2 h
    elsewhere = make_event(region, days=-5, programme=other)
    for event in (early, late):
        register(
            event, f"Kurator {event.pk}", organisation=municipality, role="Kurator", attended=True
        )
        register(
            event, f"Mentor {event.pk}", organisation_name="Skolan", role="mentor", attended=True
        )
        register(
            event, f"Borta {event.pk}", organisation=municipality, role="Kurator", attended=False
        )
        register(event, f"Okänd {event.pk}", organisation=municipality, role="Kurator")
    register(elsewhere, "Annan", organisation=municipality, role="Kurator", attended=True)

    all_programmes = training_hours(actor=leader)
    assert all_programmes.events == 3
    assert all_programmes.total.people == 5
    assert all_programmes.total.hours == 3.5 + 2 + 3.5 + 2 + 3.5

    one = training_hours(actor=leader, programme=programme)
    assert [(r.label, r.people, r.hours) for r in one.by_organisation] == [
        ("Kommunen", 2, 5.5),
        ("Skolan", 2, 5.5),
    ]
    assert [(r.label, r.people, r.hours) for r in one.by_role] == [
        ("Kurator", 2, 5.5),
        ("Mentor", 2, 5.5),
    ]
    recent = training_hours(actor=leader, programme=programme, date_from=late.starts_at.date())
    assert recent.events == 1
    assert recent.total.hours == 4.0
    old = training_hours(actor=leader, date_to=early.starts_at.date())
    assert old.events == 1 and old.total.hours == 7.0


def test_a_programme_lead_sees_hours_of_events_others_organise_in_its_programme(
    leader, municipality_leader, programme, municipality
):
    event = make_event(municipality, days=-2, programme=programme)
    register(event, "Karin Ek", organisation=municipality, role="Kurator", attended=True)
    assert training_hours(actor=leader).total.people == 1
    assert training_hours(actor=municipality_leader).total.people == 1
    # …but the registrations themselves stay with the organiser.
    with pytest.raises(Http404):
        registrations_for(actor=leader, event=event)
