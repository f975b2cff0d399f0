"""The demo programme: five regions, 40 municipalities, 30 sub-projects, some hundreds of
participants with entry, exit and follow-up data (and a few gaps), the demo's own young
people among them; the project leader of Region Exempel sees them, the evaluator does not;
seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, OrganisationKind
from lotsen.demo.generator import DEMO_MUNICIPALITY_CODE, demo_build
from lotsen.demo.programmes import DEMO_PROGRAMME_NAME, programme_demo_seed
from lotsen.programmes import indicators
from lotsen.programmes.models import Participation, Programme
from lotsen.programmes.selectors import (
    indicator_report_for,
    participation_list,
    participation_records,
    regions_of,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 15)


@pytest.fixture
def seeded(db):
    demo_build(size=300, seed=2026, today=TODAY)
    return programme_demo_seed(today=TODAY)


def test_the_programme_is_shaped_like_the_seeds(seeded):
    programme = Programme.objects.get(name=DEMO_PROGRAMME_NAME)
    assert programme.lead_organisation.name == "Region Exempel"
    assert programme.subprojects.count() == 30
    assert len(regions_of(programme=programme)) == 5
    municipalities = Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY, parent__kind=OrganisationKind.REGION
    )
    assert municipalities.count() == 40
    codes = set(municipalities.values_list("municipality_code", flat=True))
    assert DEMO_MUNICIPALITY_CODE in codes
    # The new codes name no Swedish municipality: county codes run from 01 to 25.
    assert all(c == DEMO_MUNICIPALITY_CODE or c.startswith("98") for c in codes)
    assert 300 <= seeded.participants <= 800
    assert seeded.from_demo_municipality > 0
    # Exempelkommun's participants are its own demo population: synthetic participants
    # would otherwise join its activity-responsibility cohort.
    in_exempel = Participation.objects.filter(person__home_municipality_code="1999")
    assert in_exempel.values("person").distinct().count() == seeded.from_demo_municipality
    assert not in_exempel.filter(person__enrolments__isnull=True).exists()


def test_the_data_has_outcomes_and_a_few_gaps(seeded):
    programme = Programme.objects.get(name=DEMO_PROGRAMME_NAME)
    report = indicator_report_for(
        subprojects=programme.subprojects.all(),
        framework="esfplus",
        start=programme.start,
        end=programme.end,
        today=TODAY,
    )
    values = report.values
    total = values["total_participants"]
    assert total.total == seeded.participants
    assert min(total.women, total.men, total.nonbinary) > 0
    assert values["in_education_upon_leaving"].total > 0
    assert values["employed_6_months"].total > 0
    assert 0 < report.missing_count() < total.total / 5
    # Everyone was 15–29 at entry.
    people = indicators.participants(participation_records(subprojects=programme.subprojects.all()))
    assert all(15 <= p.age_at_entry <= 29 for p in people)


def test_demo_users_see_what_their_role_allows(seeded):
    programme = Programme.objects.get(name=DEMO_PROGRAMME_NAME)
    sub = programme.subprojects.first()
    leader = Actor.for_membership(Membership.objects.get(user__username="projektledare"))
    evaluator = Actor.for_membership(Membership.objects.get(user__username="utvarderare"))
    assert len(participation_list(actor=leader, subproject=sub)) == sub.participations.count()
    assert participation_list(actor=evaluator, subproject=sub) == []


def test_seeding_twice_changes_nothing(seeded):
    counts = (Participation.objects.count(), Organisation.objects.count())
    again = programme_demo_seed(today=TODAY)
    assert not again.created
    assert (Participation.objects.count(), Organisation.objects.count()) == counts
