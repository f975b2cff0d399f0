"""Writes for budgets, funding and actual costs. Each validates with ``full_clean()`` (clear
Swedish errors at the field) and saves inside a transaction.

Callers fetch the sub-project or row with a ``finance.selectors`` ``..._for_write``
function first, so the access rules have already said yes; ``actor`` is None only for the
command line and the demo, which act as the system.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation
from lotsen.finance.models import (
    ActualCost,
    BudgetLine,
    CostSource,
    FundingKind,
    FundingSource,
)
from lotsen.programmes.models import SubProject

ERROR_DATE_FUTURE = "Datumet kan inte ligga i framtiden."
ERROR_IMPORTED_COST = (
    "Kostnaden är importerad från ekonomisystemet. Rätta den i ekonomisystemet och importera igen."
)


def _user(actor: Actor | None):
    return actor.user if actor is not None else None


def _save(row) -> None:
    row.full_clean()
    row.save()


# --- Budget lines -----------------------------------------------------------------------------


@transaction.atomic
def budget_line_create(
    *,
    actor: Actor | None,
    subproject: SubProject,
    category: str,
    amount: Decimal,
    year: int | None = None,
    description: str = "",
) -> BudgetLine:
    line = BudgetLine(
        subproject=subproject,
        category=category,
        amount=amount,
        year=year,
        description=description,
        created_by=_user(actor),
    )
    _save(line)
    return line


@transaction.atomic
def budget_line_update(
    *,
    actor: Actor | None,
    line: BudgetLine,
    category: str,
    amount: Decimal,
    year: int | None = None,
    description: str = "",
) -> BudgetLine:
    line.category, line.amount, line.year, line.description = category, amount, year, description
    _save(line)
    return line


@transaction.atomic
def budget_line_delete(*, actor: Actor | None, line: BudgetLine) -> None:
    line.delete()


# --- Funding sources --------------------------------------------------------------------------


def _funding_values(
    *,
    kind: str,
    amount: Decimal | None,
    hours: Decimal | None,
    hourly_rate: Decimal | None,
) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    # Staff time is valued from hours × rate in the model's clean(); an amount typed in
    # beside them is ignored rather than stored, so the two can never disagree.
    if kind == FundingKind.COFINANCING_STAFF_TIME:
        return Decimal("0.00"), hours, hourly_rate
    return amount, hours, hourly_rate


@transaction.atomic
def funding_source_create(
    *,
    actor: Actor | None,
    subproject: SubProject,
    kind: str,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    hourly_rate: Decimal | None = None,
    organisation: Organisation | None = None,
    description: str = "",
) -> FundingSource:
    amount, hours, hourly_rate = _funding_values(
        kind=kind, amount=amount, hours=hours, hourly_rate=hourly_rate
    )
    source = FundingSource(
        subproject=subproject,
        kind=kind,
        amount=amount,
        hours=hours,
        hourly_rate=hourly_rate,
        organisation=organisation,
        description=description,
        created_by=_user(actor),
    )
    _save(source)
    return source


@transaction.atomic
def funding_source_update(
    *,
    actor: Actor | None,
    source: FundingSource,
    kind: str,
    amount: Decimal | None = None,
    hours: Decimal | None = None,
    hourly_rate: Decimal | None = None,
    organisation: Organisation | None = None,
    description: str = "",
) -> FundingSource:
    amount, hours, hourly_rate = _funding_values(
        kind=kind, amount=amount, hours=hours, hourly_rate=hourly_rate
    )
    source.kind, source.amount, source.hours, source.hourly_rate = kind, amount, hours, hourly_rate
    source.organisation, source.description = organisation, description
    _save(source)
    return source


@transaction.atomic
def funding_source_delete(*, actor: Actor | None, source: FundingSource) -> None:
    source.delete()


# --- Actual costs -----------------------------------------------------------------------------


def _check_not_future(day: dt.date | None, today: dt.date | None) -> None:
    if day is not None and day > (today or timezone.localdate()):
        raise ValidationError({"date": ERROR_DATE_FUTURE})


@transaction.atomic
def actual_cost_create(
    *,
    actor: Actor | None,
    subproject: SubProject,
    date: dt.date,
    category: str,
    amount: Decimal,
    description: str = "",
    today: dt.date | None = None,
) -> ActualCost:
    _check_not_future(date, today)
    cost = ActualCost(
        subproject=subproject,
        date=date,
        category=category,
        amount=amount,
        description=description,
        source=CostSource.ENTERED,
        created_by=_user(actor),
    )
    _save(cost)
    return cost


@transaction.atomic
def actual_cost_update(
    *,
    actor: Actor | None,
    cost: ActualCost,
    date: dt.date,
    category: str,
    amount: Decimal,
    description: str = "",
    today: dt.date | None = None,
) -> ActualCost:
    # An imported cost is owned by the accounting system: the next import would silently
    # overwrite a correction made here, so corrections go there.
    if cost.source == CostSource.IMPORTED:
        raise ValidationError(ERROR_IMPORTED_COST)
    _check_not_future(date, today)
    cost.date, cost.category, cost.amount, cost.description = date, category, amount, description
    _save(cost)
    return cost


@transaction.atomic
def actual_cost_delete(*, actor: Actor | None, cost: ActualCost) -> None:
    if cost.source == CostSource.IMPORTED:
        raise ValidationError(ERROR_IMPORTED_COST)
    cost.delete()
