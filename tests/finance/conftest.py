"""A region leading a programme with two sub-projects, each led by one of its
municipalities, and a third organisation taking part in the second. Dates are fixed in
the past so that "to date" does not move under the tests."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory
from tests.finance.factories import ProgrammeFactory, SubProjectFactory

TODAY = dt.date(2025, 3, 15)


@pytest.fixture
def world(db):
    region = OrganisationFactory(name="Region Norr", kind=OrganisationKind.REGION)
    town_a = MunicipalityFactory(name="Aby kommun", parent=region)
    town_b = MunicipalityFactory(name="Bby kommun", parent=region)
    partner = OrganisationFactory(name="Folkhögskolan", kind=OrganisationKind.OTHER)
    stranger = OrganisationFactory(name="Region Syd", kind=OrganisationKind.REGION)
    programme = ProgrammeFactory(
        name="Vägen vidare",
        lead_organisation=region,
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    sp_a = SubProjectFactory(
        programme=programme,
        name="Aby unga",
        lead_organisation=town_a,
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 6, 30),
    )
    sp_b = SubProjectFactory(
        programme=programme,
        name="Bby studier",
        lead_organisation=town_b,
        organisations=[partner],
        start=dt.date(2022, 7, 1),
        end=dt.date(2024, 12, 31),
    )
    return SimpleNamespace(
        region=region,
        town_a=town_a,
        town_b=town_b,
        partner=partner,
        stranger=stranger,
        programme=programme,
        sp_a=sp_a,
        sp_b=sp_b,
    )


def actor_for(organisation, role=Role.PROJECT_LEADER) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=organisation, role=role))
