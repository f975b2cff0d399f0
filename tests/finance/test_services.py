"""Writes: validation with Swedish messages at the field, staff time valued from hours ×
rate, nothing written when validation fails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from lotsen.finance import models, services
from lotsen.finance.models import ActualCost, BudgetLine, FundingSource
from tests.finance.conftest import TODAY, actor_for

pytestmark = pytest.mark.django_db


def test_budget_line_is_saved_with_who_recorded_it(world):
    actor = actor_for(world.town_a)
    line = services.budget_line_create(
        actor=actor, subproject=world.sp_a, category="staff", amount=D("125000.50"), year=2023
    )
    line.refresh_from_db()
    assert line.amount == D("125000.50") and line.year == 2023
    assert line.created_by == actor.user


def test_budget_line_refuses_negative_amounts_and_years_outside_the_period(world):
    with pytest.raises(ValidationError) as caught:
        services.budget_line_create(
            actor=None, subproject=world.sp_a, category="staff", amount=D("-1"), year=2030
        )
    errors = caught.value.message_dict
    assert errors["amount"] == [models.ERROR_AMOUNT_NEGATIVE]
    assert errors["year"] == [models.ERROR_YEAR_OUTSIDE.format(start=2022, end=2024)]
    assert not BudgetLine.objects.exists()


def test_budget_line_refuses_an_unknown_category(world):
    with pytest.raises(ValidationError) as caught:
        services.budget_line_create(
            actor=None, subproject=world.sp_a, category="coffee", amount=D("1")
        )
    assert "category" in caught.value.message_dict


def test_budget_line_update(world):
    line = services.budget_line_create(
        actor=None, subproject=world.sp_a, category="staff", amount=D("100")
    )
    services.budget_line_update(
        actor=None, line=line, category="travel", amount=D("250"), description="Tåg"
    )
    line.refresh_from_db()
    assert (line.category, line.amount, line.description) == ("travel", D("250.00"), "Tåg")


def test_staff_time_amount_is_derived_from_hours_and_rate(world):
    source = services.funding_source_create(
        actor=None,
        subproject=world.sp_a,
        kind="cofinancing_staff_time",
        hours=D("1200"),
        hourly_rate=D("452.50"),
        amount=D("1"),  # ignored: the amount always follows hours × rate
        organisation=world.town_a,
    )
    source.refresh_from_db()
    assert source.amount == D("1200") * D("452.50")
    services.funding_source_update(
        actor=None,
        source=source,
        kind="cofinancing_staff_time",
        hours=D("10.5"),
        hourly_rate=D("400"),
        organisation=world.town_a,
    )
    source.refresh_from_db()
    assert source.amount == D("4200.00")


def test_staff_time_needs_hours_rate_and_organisation(world):
    with pytest.raises(ValidationError) as caught:
        services.funding_source_create(
            actor=None, subproject=world.sp_a, kind="cofinancing_staff_time", hours=D("0")
        )
    errors = caught.value.message_dict
    assert errors["hours"] == [models.ERROR_HOURS_REQUIRED]
    assert errors["hourly_rate"] == [models.ERROR_RATE_REQUIRED]
    assert errors["organisation"] == [models.ERROR_ORGANISATION_REQUIRED]
    assert not FundingSource.objects.exists()


def test_cash_sources_have_no_hours_and_need_an_amount(world):
    with pytest.raises(ValidationError) as caught:
        services.funding_source_create(
            actor=None,
            subproject=world.sp_a,
            kind="cofinancing_cash",
            hours=D("3"),
            hourly_rate=D("300"),
            organisation=world.town_a,
        )
    errors = caught.value.message_dict
    assert errors["hours"] == [models.ERROR_HOURS_NOT_STAFF]
    assert errors["hourly_rate"] == [models.ERROR_RATE_NOT_STAFF]
    assert errors["amount"] == [models.ERROR_AMOUNT_REQUIRED]


def test_the_fund_needs_no_organisation(world):
    source = services.funding_source_create(
        actor=None, subproject=world.sp_a, kind="fund", amount=D("700000")
    )
    assert source.organisation is None and source.amount == D("700000")


def test_actual_cost_dates_must_be_in_the_period_and_not_in_the_future(world):
    with pytest.raises(ValidationError) as caught:
        services.actual_cost_create(
            actor=None,
            subproject=world.sp_a,
            date=dt.date(2021, 12, 31),
            category="staff",
            amount=D("10"),
            today=TODAY,
        )
    assert caught.value.message_dict["date"] == [
        models.ERROR_DATE_OUTSIDE.format(start="2022-01-01", end="2024-06-30")
    ]
    with pytest.raises(ValidationError) as caught:
        services.actual_cost_create(
            actor=None,
            subproject=world.sp_a,
            date=dt.date(2024, 1, 10),
            category="staff",
            amount=D("10"),
            today=dt.date(2024, 1, 9),
        )
    assert caught.value.message_dict["date"] == [services.ERROR_DATE_FUTURE]
    assert not ActualCost.objects.exists()


def test_imported_costs_are_corrected_in_the_accounting_system_not_here(world):
    cost = ActualCost.objects.create(
        subproject=world.sp_a,
        date=dt.date(2023, 1, 1),
        category="staff",
        amount=D("5"),
        source="imported",
        import_reference="V1",
    )
    with pytest.raises(ValidationError) as caught:
        services.actual_cost_update(
            actor=None,
            cost=cost,
            date=cost.date,
            category="travel",
            amount=D("6"),
            today=TODAY,
        )
    assert caught.value.messages == [services.ERROR_IMPORTED_COST]
    with pytest.raises(ValidationError):
        services.actual_cost_delete(actor=None, cost=cost)
    cost.refresh_from_db()
    assert cost.category == "staff"


def test_entered_cost_can_be_changed_and_removed(world):
    cost = services.actual_cost_create(
        actor=None,
        subproject=world.sp_a,
        date=dt.date(2023, 5, 2),
        category="travel",
        amount=D("1200"),
        today=TODAY,
    )
    assert cost.source == "entered"
    services.actual_cost_update(
        actor=None, cost=cost, date=cost.date, category="travel", amount=D("1300"), today=TODAY
    )
    cost.refresh_from_db()
    assert cost.amount == D("1300")
    services.actual_cost_delete(actor=None, cost=cost)
    assert not ActualCost.objects.exists()
