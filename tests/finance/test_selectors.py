"""Summaries and roll-ups against hand-computed numbers, and who sees what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lotsen.accounts.models import Role
from lotsen.finance.models import ActualCost, BudgetLine, FundingSource
from lotsen.finance.selectors import (
    budget_line_get_for_write,
    budget_rows,
    budget_summaries_by_subproject,
    budget_summary,
    finance_programme_get_for,
    finance_programmes_for,
    finance_subproject_get_for,
    finance_subprojects_for,
)
from lotsen.programmes.models import SubProject
from tests.finance.conftest import TODAY, actor_for
from tests.finance.factories import ProgrammeFactory, SubProjectFactory

pytestmark = pytest.mark.django_db


def cost(sub, day, category, amount, ref=""):
    return ActualCost.objects.create(
        subproject=sub, date=day, category=category, amount=D(amount), import_reference=ref
    )


@pytest.fixture
def money(world):
    """Sub-project A: budget 1 000 000 (staff 800 000, travel 200 000); fund 700 000,
    cash 100 000, staff time 400 h × 500 = 200 000; costs 150 000 + 50 000 + 25 000.5.
    Sub-project B: budget 500 000 (premises); fund 500 000; cost 100 000."""
    a, b = world.sp_a, world.sp_b
    BudgetLine.objects.create(subproject=a, category="staff", amount=D("800000"))
    BudgetLine.objects.create(subproject=a, category="travel", amount=D("150000"), year=2022)
    BudgetLine.objects.create(subproject=a, category="travel", amount=D("50000"), year=2023)
    BudgetLine.objects.create(subproject=b, category="premises", amount=D("500000"))
    FundingSource.objects.create(subproject=a, kind="fund", amount=D("700000"))
    FundingSource.objects.create(
        subproject=a, kind="cofinancing_cash", amount=D("100000"), organisation=world.town_a
    )
    FundingSource.objects.create(
        subproject=a,
        kind="cofinancing_staff_time",
        hours=D("400"),
        hourly_rate=D("500"),
        amount=D("200000"),
        organisation=world.town_a,
    )
    FundingSource.objects.create(subproject=b, kind="fund", amount=D("500000"))
    cost(a, dt.date(2022, 1, 31), "staff", "150000")
    cost(a, dt.date(2022, 3, 2), "travel", "50000")
    cost(a, dt.date(2022, 3, 28), "travel", "25000.50")
    cost(b, dt.date(2022, 7, 15), "premises", "100000")
    return world


def test_one_subproject(money):
    s = budget_summary(subprojects=[money.sp_a], today=TODAY)
    assert s.subproject_count == 1
    assert s.budget_total == D("1000000")
    assert s.actual_total == D("225000.50")
    assert s.burn == D("225000.50") / D("1000000")
    assert s.fund == D("700000")
    assert s.cofinancing_cash == D("100000")
    assert s.cofinancing_staff_time == D("200000")
    assert s.cofinancing_staff_hours == D("400")
    assert s.funding_total == D("1000000")
    assert s.cofinancing_share == D("0.3")
    categories = {row.category: (row.budget, row.actual) for row in s.by_category}
    assert categories == {
        "staff": (D("800000"), D("150000")),
        "purchased_services": (D("0"), D("0")),
        "travel": (D("200000"), D("75000.50")),
        "premises": (D("0"), D("0")),
        "other": (D("0"), D("0")),
    }


def test_monthly_series_runs_from_the_start_to_the_end_or_today(money):
    s = budget_summary(subprojects=[money.sp_a], today=TODAY)
    # Sub-project A runs 2022-01 – 2024-06 and today is later: 30 months.
    assert len(s.monthly) == 30
    assert s.monthly[0].month == dt.date(2022, 1, 1) and s.monthly[0].actual == D("150000")
    assert s.monthly[1].actual == 0 and s.monthly[1].cumulative == D("150000")
    assert s.monthly[2].actual == D("75000.50")
    assert s.monthly[-1].month == dt.date(2024, 6, 1)
    assert s.monthly[-1].cumulative == s.actual_total
    early = budget_summary(subprojects=[money.sp_a], today=dt.date(2022, 4, 10))
    assert [p.label for p in early.monthly] == ["2022-01", "2022-02", "2022-03", "2022-04"]


def test_rolled_up_over_a_programme(money):
    subprojects = SubProject.objects.filter(programme=money.programme)
    s = budget_summary(subprojects=subprojects, today=TODAY)
    assert s.subproject_count == 2
    assert s.budget_total == D("1500000")
    assert s.actual_total == D("325000.50")
    assert s.fund == D("1200000")
    assert s.cofinancing_total == D("300000")
    assert s.cofinancing_share == D("300000") / D("1500000")
    # B starts later but A's start opens the series; B's cost lands in 2022-07.
    assert s.monthly[0].month == dt.date(2022, 1, 1)
    assert s.monthly[-1].month == dt.date(2024, 12, 1)
    july = next(p for p in s.monthly if p.month == dt.date(2022, 7, 1))
    assert july.actual == D("100000") and july.cumulative == D("325000.50")
    premises = next(r for r in s.by_category if r.category == "premises")
    assert premises.burn == D("0.2")


def test_rows_per_subproject_add_up_to_the_rollup(money):
    subprojects = list(SubProject.objects.filter(programme=money.programme).order_by("name"))
    rows = budget_rows(subprojects=subprojects)
    assert [r.subproject for r in rows] == subprojects
    a, b = rows
    assert (a.budget_total, a.actual_total, a.cofinancing_share) == (
        D("1000000"),
        D("225000.50"),
        D("0.3"),
    )
    assert (b.budget_total, b.actual_total, b.cofinancing_share, b.burn) == (
        D("500000"),
        D("100000"),
        D("0"),
        D("0.2"),
    )
    whole = budget_summary(subprojects=subprojects, today=TODAY)
    assert sum(r.budget_total for r in rows) == whole.budget_total
    assert sum(r.funding_total for r in rows) == whole.funding_total
    per = budget_summaries_by_subproject(subprojects=subprojects)
    assert per[money.sp_b.pk].budget_total == D("500000")
    assert per[money.sp_a.pk].cofinancing_staff_hours == D("400")


def test_a_region_rollup_is_any_set_of_subprojects(money):
    other = SubProjectFactory(
        programme=ProgrammeFactory(lead_organisation=money.region), lead_organisation=money.town_a
    )
    BudgetLine.objects.create(subproject=other, category="other", amount=D("1000"))
    town_a = SubProject.objects.filter(lead_organisation=money.town_a)
    s = budget_summary(subprojects=town_a, today=TODAY)
    assert s.subproject_count == 2
    assert s.budget_total == D("1001000")


def test_nothing_recorded_gives_zeros_and_no_shares(world):
    s = budget_summary(subprojects=[world.sp_b], today=TODAY)
    assert s.budget_total == 0 and s.actual_total == 0
    assert s.burn is None and s.cofinancing_share is None
    assert s.monthly[-1].cumulative == 0
    assert budget_summary(subprojects=[], today=TODAY).monthly == []


def test_the_summary_takes_a_fixed_number_of_queries(money, django_assert_num_queries):
    many = [SubProjectFactory(programme=money.programme) for _ in range(5)]
    for sub in many:
        BudgetLine.objects.create(subproject=sub, category="staff", amount=D("10"))
    subprojects = list(SubProject.objects.filter(programme=money.programme))
    with django_assert_num_queries(5):
        budget_summary(subprojects=subprojects, today=TODAY)
    with django_assert_num_queries(3):
        budget_rows(subprojects=subprojects)


# --- Access ------------------------------------------------------------------------------------


def test_the_programme_lead_sees_every_subproject(world):
    actor = actor_for(world.region)
    assert set(finance_subprojects_for(actor=actor)) == {world.sp_a, world.sp_b}
    assert (
        finance_programme_get_for(actor=actor, programme_id=world.programme.pk) == world.programme
    )


def test_a_subproject_lead_sees_only_its_own(world):
    actor = actor_for(world.town_a)
    assert list(finance_subprojects_for(actor=actor)) == [world.sp_a]
    assert list(finance_programmes_for(actor=actor)) == [world.programme]
    with pytest.raises(Http404):
        finance_subproject_get_for(actor=actor, subproject_id=world.sp_b.pk)


def test_a_participating_organisation_sees_the_subproject(world):
    actor = actor_for(world.partner)
    assert list(finance_subprojects_for(actor=actor)) == [world.sp_b]
    assert finance_subproject_get_for(actor=actor, subproject_id=world.sp_b.pk, for_write=True)


def test_an_unrelated_project_leader_gets_404(world):
    actor = actor_for(world.stranger)
    assert not finance_programmes_for(actor=actor).exists()
    with pytest.raises(Http404):
        finance_programme_get_for(actor=actor, programme_id=world.programme.pk)
    with pytest.raises(Http404):
        finance_subproject_get_for(actor=actor, subproject_id=world.sp_a.pk)
    line = BudgetLine.objects.create(subproject=world.sp_a, category="staff", amount=D("1"))
    with pytest.raises(Http404):
        budget_line_get_for_write(actor=actor, line_id=line.pk)


def test_other_roles_in_the_right_organisation_see_nothing(world):
    actor = actor_for(world.region, role=Role.CASE_WORKER)
    assert not finance_subprojects_for(actor=actor).exists()
    with pytest.raises(Http404):
        finance_subproject_get_for(actor=actor, subproject_id=world.sp_a.pk)


def test_evaluators_read_but_do_not_write(world):
    actor = actor_for(world.region, role=Role.EVALUATOR)
    assert finance_subproject_get_for(actor=actor, subproject_id=world.sp_a.pk) == world.sp_a
    with pytest.raises(PermissionDenied):
        finance_subproject_get_for(actor=actor, subproject_id=world.sp_a.pk, for_write=True)
    line = BudgetLine.objects.create(subproject=world.sp_a, category="staff", amount=D("1"))
    with pytest.raises(PermissionDenied):
        budget_line_get_for_write(actor=actor, line_id=line.pk)
