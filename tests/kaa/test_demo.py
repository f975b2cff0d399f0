"""The demo municipality's activity responsibility: a cohort of about 9 % of the
16–19-year-olds, contacts and measures for part of it, about half with status unknown,
and a half-year export that passes its own checks."""

from __future__ import annotations

import pytest

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership
from lotsen.demo.generator import DEMO_MUNICIPALITY_CODE, demo_build
from lotsen.demo.kaa import kaa_demo_seed
from lotsen.kaa import cohort, report
from lotsen.kaa.models import CohortMembership, Contact, Measure, Notice, ReportPeriod
from lotsen.kaa.selectors import kaa_scope
from lotsen.kaa.stats import kaa_dashboard
from tests.kaa.conftest import today

pytestmark = pytest.mark.django_db

SEED = 2026


@pytest.fixture
def seeded(db):
    demo_build(size=1000, seed=SEED, today=today())
    return kaa_demo_seed(today=today(), seed=SEED)


def test_the_demo_cohort_is_about_nine_percent(seeded):
    assert seeded.young_16_19 > 300
    assert 0.07 <= seeded.share <= 0.11
    assert (
        seeded.members
        == CohortMembership.objects.filter(
            municipality_code=DEMO_MUNICIPALITY_CODE, left_on__isnull=True
        ).count()
    )
    reasons = set(
        CohortMembership.objects.filter(municipality_code=DEMO_MUNICIPALITY_CODE).values_list(
            "left_reason", flat=True
        )
    )
    assert {cohort.LEFT_TURNED_20, cohort.LEFT_STARTED_STUDIES} <= reasons


def test_the_demo_has_work_and_a_realistic_unknown_share(seeded):
    assert Contact.objects.filter(kind="contact").count() == seeded.contacts > 0
    assert Measure.objects.count() == seeded.measures > 0
    assert Notice.objects.count() == seeded.notices > 0
    coordinator = Actor.for_membership(Membership.objects.get(user__username="kaa"))
    board = kaa_dashboard(scope=kaa_scope(coordinator), today=today())
    assert board.total == seeded.members
    assert 30 <= board.unknown_share <= 75
    assert board.in_measure > 0


def test_the_half_year_exports_pass_their_checks(seeded):
    start, _end = cohort.half_year_bounds(today())
    previous, _ = cohort.half_year_bounds(start - cohort.ONE_DAY)
    for day in (start, previous):
        period = ReportPeriod.objects.filter(starts_on=day).first()
        if period is None:  # beyond the seeded periods: nothing to check
            continue
        data = report.report_build(
            municipality_code=DEMO_MUNICIPALITY_CODE, period=period, today=today()
        )
        assert data.problems == [], [p.message for p in data.problems]
        assert data.block_counts[1] > 0 and data.block_counts[2] > 0


def test_seeding_twice_changes_nothing(seeded):
    counts = (Contact.objects.count(), Measure.objects.count(), CohortMembership.objects.count())
    again = kaa_demo_seed(today=today(), seed=SEED)
    assert again.already_seeded
    assert (
        Contact.objects.count(),
        Measure.objects.count(),
        CohortMembership.objects.count(),
    ) == counts
