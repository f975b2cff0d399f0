"""An organising region with a project leader, a programme it leads with one sub-project
and a municipality taking part, and events built relative to now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.events.models import Audience, Event, EventFormat, Registration
from lotsen.programmes.models import Programme, SubProject
from tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def region(db):
    return OrganisationFactory(name="Region Norrköping", kind=OrganisationKind.REGION)


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(name="Kommunen")


@pytest.fixture
def programme(region, municipality):
    programme = Programme.objects.create(
        name="Unga i skola och arbete",
        framework="esfplus",
        start=timezone.localdate() - dt.timedelta(days=400),
        end=timezone.localdate() + dt.timedelta(days=400),
        lead_organisation=region,
    )
    sub = SubProject.objects.create(
        programme=programme,
        name="Delprojekt Kommunen",
        lead_organisation=municipality,
        start=programme.start,
        end=programme.end,
    )
    sub.organisations.add(municipality)
    return programme


@pytest.fixture
def leader(region) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=region, role=Role.PROJECT_LEADER))


@pytest.fixture
def municipality_leader(municipality) -> Actor:
    return Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.PROJECT_LEADER)
    )


def make_event(organiser, *, days: int = 10, programme=None, **fields) -> Event:
    values = {
        "title": "Kunskapsdag",
        "starts_at": at(days, 9),
        "ends_at": at(days, 12, 30),
        "format": EventFormat.DIGITAL,
        "audience": Audience.PROFESSIONALS,
        "link": "https://exempel.se/mote",
        "registration_open": True,
        "slug": f"kunskapsdag-{Event.objects.count() + 1}",
        **fields,
    }
    return Event.objects.create(organiser=organiser, programme=programme, **values)


def register(event, name, *, organisation=None, organisation_name="", role="", attended=None):
    return Registration.objects.create(
        event=event,
        name=name,
        email=f"{name.lower().replace(' ', '.')}@exempel.se",
        organisation=organisation,
        organisation_name=organisation_name,
        role=role,
        attended=attended,
    )
