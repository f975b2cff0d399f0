"""Demo budgets, funding and actual costs for a programme shaped like the seeds': 90 MSEK
in all, 63 MSEK from the fund and 27 MSEK co-financing (cash and staff time), spread over
the programme's sub-projects, with costs month by month up to today.

Deterministic: the same programme gives the same numbers (a seeded generator; sub-projects
in name order). Idempotent: a sub-project that already has budget or funding keeps it, and
monthly costs are identified by a reference, so a second run adds only months that have
passed since the first.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from lotsen.finance import money
from lotsen.finance.models import (
    ActualCost,
    BudgetLine,
    CostCategory,
    CostSource,
    FundingKind,
    FundingSource,
)
from lotsen.programmes.models import Programme

TOTAL_FUNDING = 90_000_000
FUND = 63_000_000
COFINANCING = TOTAL_FUNDING - FUND
STAFF_HOURLY_RATE = 450  # kronor per hour incl. social fees: a typical municipal rate

# How a sub-project's budget splits over the cost categories (staff dominates, as in the
# seeds' programmes).
CATEGORY_WEIGHTS = {
    CostCategory.STAFF: 62,
    CostCategory.PURCHASED_SERVICES: 14,
    CostCategory.TRAVEL: 4,
    CostCategory.PREMISES: 9,
    CostCategory.OTHER: 11,
}
REFERENCE_PREFIX = "demo"
COST_DAY = 25


@dataclass
class FinanceDemoResult:
    subprojects: int = 0
    budget_lines: int = 0
    funding_sources: int = 0
    costs: int = 0


def _rng(programme: Programme) -> random.Random:
    return random.Random(zlib.crc32(programme.name.encode("utf-8")))


@transaction.atomic
def finance_demo_seed(programme: Programme, *, today: dt.date | None = None) -> FinanceDemoResult:
    """Budgets, funding and costs to date for every sub-project of ``programme``."""
    today = today or timezone.localdate()
    subprojects = list(programme.subprojects.select_related("lead_organisation").order_by("name"))
    result = FinanceDemoResult(subprojects=len(subprojects))
    if not subprojects:
        return result
    rng = _rng(programme)
    weights = [rng.randint(60, 140) for _ in subprojects]
    totals = money.allocate(TOTAL_FUNDING, weights)
    funds = money.allocate(FUND, weights)
    staff_shares = [rng.choice((0.0, 0.4, 0.6, 0.8, 1.0)) for _ in subprojects]
    cost_noise = rng.random  # drawn per month below, in a fixed order

    has_budget = set(
        BudgetLine.objects.filter(subproject__in=subprojects).values_list(
            "subproject_id", flat=True
        )
    )
    has_funding = set(
        FundingSource.objects.filter(subproject__in=subprojects).values_list(
            "subproject_id", flat=True
        )
    )
    lines: list[BudgetLine] = []
    sources: list[FundingSource] = []
    costs: list[ActualCost] = []
    existing_refs = set(
        ActualCost.objects.filter(
            subproject__in=subprojects, import_reference__startswith=f"{REFERENCE_PREFIX}-"
        ).values_list("subproject_id", "import_reference")
    )
    for sub, total, fund, staff_share in zip(subprojects, totals, funds, staff_shares, strict=True):
        if sub.pk not in has_budget:
            parts = money.allocate(total, list(CATEGORY_WEIGHTS.values()))
            for category, amount in zip(CATEGORY_WEIGHTS, parts, strict=True):
                lines.append(
                    BudgetLine(
                        subproject=sub,
                        category=category,
                        amount=Decimal(amount),
                        description="Budget enligt ansökan",
                    )
                )
        if sub.pk not in has_funding:
            cofinancing = total - fund
            sources.append(
                FundingSource(
                    subproject=sub,
                    kind=FundingKind.FUND,
                    amount=Decimal(fund),
                    description=programme.funder,
                )
            )
            # Staff time is whole hours at the demo rate; cash makes up the rest exactly.
            hours = int(cofinancing * staff_share) // STAFF_HOURLY_RATE
            staff_amount = hours * STAFF_HOURLY_RATE
            if hours:
                sources.append(
                    FundingSource(
                        subproject=sub,
                        kind=FundingKind.COFINANCING_STAFF_TIME,
                        organisation=sub.lead_organisation,
                        hours=Decimal(hours),
                        hourly_rate=Decimal(STAFF_HOURLY_RATE),
                        amount=money.staff_time_amount(Decimal(hours), Decimal(STAFF_HOURLY_RATE)),
                        description="Arbetstid för personal i verksamheten",
                    )
                )
            if cofinancing - staff_amount:
                sources.append(
                    FundingSource(
                        subproject=sub,
                        kind=FundingKind.COFINANCING_CASH,
                        organisation=sub.lead_organisation,
                        amount=Decimal(cofinancing - staff_amount),
                        description="Kontant medfinansiering",
                    )
                )
        months = money.months_between(sub.start, sub.end)
        per_month = Decimal(total) / len(months)
        for month in months:
            day = month.replace(day=COST_DAY)
            # The noise is drawn for every month, even those not yet booked, so that the
            # numbers of past months stay the same as time goes by.
            draws = [cost_noise() for _ in CATEGORY_WEIGHTS]
            if day < sub.start or day > sub.end or day > today:
                continue
            for (category, weight), draw in zip(CATEGORY_WEIGHTS.items(), draws, strict=True):
                reference = f"{REFERENCE_PREFIX}-{sub.pk}-{month:%Y-%m}-{category}"
                if (sub.pk, reference) in existing_refs:
                    continue
                # Spending runs a little under plan on average (0.75–1.05 of the month's
                # share), as it does in real projects.
                factor = Decimal(str(round(0.75 + 0.30 * draw, 3)))
                amount = money.to_ore(per_month * weight / 100 * factor)
                costs.append(
                    ActualCost(
                        subproject=sub,
                        date=day,
                        category=category,
                        amount=amount,
                        description=f"{CostCategory(category).label} {month:%Y-%m}",
                        source=CostSource.IMPORTED,
                        import_reference=reference,
                    )
                )
    BudgetLine.objects.bulk_create(lines)
    FundingSource.objects.bulk_create(sources)
    ActualCost.objects.bulk_create(costs, batch_size=1000)
    result.budget_lines, result.funding_sources, result.costs = len(lines), len(sources), len(costs)
    return result
