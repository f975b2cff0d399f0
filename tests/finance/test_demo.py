"""The demo: 90 MSEK in all, 63 from the fund and 27 co-financing, exactly; costs month by
month to date; the same result every time; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from lotsen.demo.finance import finance_demo_seed
from lotsen.finance.models import ActualCost, BudgetLine, FundingSource
from lotsen.finance.selectors import budget_summary
from tests.factories import MunicipalityFactory, OrganisationFactory
from tests.finance.factories import ProgrammeFactory, SubProjectFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 10)


@pytest.fixture
def programme():
    region = OrganisationFactory(kind="region", name="Region Demo")
    programme = ProgrammeFactory(
        name="Demoprogrammet",
        lead_organisation=region,
        start=dt.date(2023, 1, 1),
        end=dt.date(2025, 6, 30),
    )
    for i in range(30):
        SubProjectFactory(
            programme=programme,
            name=f"Delprojekt {i:02d}",
            lead_organisation=MunicipalityFactory(parent=region),
            start=dt.date(2023, 1 + i % 6, 1),
            end=dt.date(2025, 6, 30),
        )
    return programme


def sums(programme):
    def total(model, **filters):
        return model.objects.filter(subproject__programme=programme, **filters).aggregate(
            s=Sum("amount")
        )["s"]

    return {
        "budget": total(BudgetLine),
        "fund": total(FundingSource, kind="fund"),
        "cash": total(FundingSource, kind="cofinancing_cash"),
        "staff": total(FundingSource, kind="cofinancing_staff_time"),
        "costs": total(ActualCost),
    }


def test_the_totals_are_exactly_63_27_and_90_msek(programme):
    finance_demo_seed(programme, today=TODAY)
    found = sums(programme)
    assert found["budget"] == D("90000000")
    assert found["fund"] == D("63000000")
    assert found["cash"] + found["staff"] == D("27000000")
    assert found["cash"] > 0 and found["staff"] > 0
    summary = budget_summary(subprojects=programme.subprojects.all(), today=TODAY)
    assert summary.funding_total == D("90000000")
    assert summary.cofinancing_share == D("0.3")
    # Every sub-project's own funding covers its own budget exactly.
    for sub in programme.subprojects.all():
        one = budget_summary(subprojects=[sub], today=TODAY)
        assert one.budget_total == one.funding_total > 0


def test_staff_time_is_hours_times_rate(programme):
    finance_demo_seed(programme, today=TODAY)
    staff = FundingSource.objects.filter(kind="cofinancing_staff_time")
    assert staff.exists()
    for source in staff:
        assert source.amount == source.hours * source.hourly_rate
        assert source.organisation_id == source.subproject.lead_organisation_id


def test_costs_run_month_by_month_to_date_and_below_budget(programme):
    finance_demo_seed(programme, today=TODAY)
    days = set(ActualCost.objects.values_list("date", flat=True))
    assert max(days) <= TODAY
    assert min(days) == dt.date(2023, 1, 25)
    # 2024-06-25 has not come yet; 2024-05-25 has.
    assert dt.date(2024, 5, 25) in days and dt.date(2024, 6, 25) not in days
    found = sums(programme)
    assert 0 < found["costs"] < found["budget"]
    for sub in programme.subprojects.all():
        months = set(
            ActualCost.objects.filter(subproject=sub).values_list("date__month", "date__year")
        )
        expected = (2024 - sub.start.year) * 12 + 5 - sub.start.month + 1
        assert len(months) == expected


def test_a_second_run_changes_nothing_and_a_later_run_adds_only_new_months(programme):
    finance_demo_seed(programme, today=TODAY)
    first = sums(programme)
    costs_before = list(ActualCost.objects.order_by("pk").values_list("pk", "amount"))
    again = finance_demo_seed(programme, today=TODAY)
    assert (again.budget_lines, again.funding_sources, again.costs) == (0, 0, 0)
    assert sums(programme) == first
    later = finance_demo_seed(programme, today=dt.date(2024, 7, 31))
    assert later.costs == 30 * 5 * 2  # June and July for every sub-project and category
    assert (
        list(ActualCost.objects.order_by("pk").values_list("pk", "amount"))[: len(costs_before)]
        == costs_before
    )
    assert sums(programme)["budget"] == D("90000000")


def test_the_same_programme_gets_the_same_numbers(programme):
    finance_demo_seed(programme, today=TODAY)
    first = sorted(ActualCost.objects.values_list("subproject__name", "import_reference", "amount"))
    ActualCost.objects.all().delete()
    BudgetLine.objects.all().delete()
    FundingSource.objects.all().delete()
    finance_demo_seed(programme, today=TODAY)
    second = sorted(
        ActualCost.objects.values_list("subproject__name", "import_reference", "amount")
    )
    assert first == second


def test_a_programme_without_subprojects_gets_nothing():
    result = finance_demo_seed(ProgrammeFactory(), today=TODAY)
    assert result.subprojects == 0 and not BudgetLine.objects.exists()
