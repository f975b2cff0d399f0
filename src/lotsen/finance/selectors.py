"""Reads for budgets, funding and costs, and who may see and change them.

Who (``programmes.policy.ProgrammePolicy``): project leaders and evaluators acting in an
organisation that works in a sub-project (leads it, takes part in it or leads its
programme) see its money; the programme's lead sees the whole programme. A region does
not see a sub-project just because one of its municipalities leads it. Project leaders
(the sub-project's team) may change what they see; evaluators only read. Everyone else is
told "not found", so that ids cannot be probed.

``budget_summary`` and ``budget_rows`` take sub-projects the caller has already been
allowed to see (from ``finance_subprojects_for``); they aggregate in the database with a
fixed number of queries whatever the number of sub-projects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.finance import charts, money
from lotsen.finance.models import (
    ActualCost,
    BudgetLine,
    CostCategory,
    FundingKind,
    FundingSource,
)
from lotsen.programmes.models import Programme, SubProject
from lotsen.programmes.policy import ProgrammePolicy

ERROR_READ_ONLY = "Du kan läsa men inte ändra budget och utfall i din roll."

ZERO = money.ZERO


# --- Access ----------------------------------------------------------------------------------


def finance_can_edit(*, actor: Actor, subproject: SubProject) -> bool:
    """Whether the actor changes the money of ``subproject``: its team."""
    return ProgrammePolicy(actor).is_team_for_subproject(subproject)


def finance_programmes_for(*, actor: Actor) -> QuerySet[Programme]:
    """Programmes the actor may see at least one sub-project of (or leads)."""
    return ProgrammePolicy(actor).works_in_programmes().select_related("lead_organisation")


def finance_subprojects_for(
    *, actor: Actor, programme: Programme | None = None
) -> QuerySet[SubProject]:
    """The sub-projects whose money the actor may see, in one programme or all."""
    rows = ProgrammePolicy(actor).works_in_subprojects()
    if programme is not None:
        rows = rows.filter(programme=programme)
    return rows.select_related("programme", "lead_organisation").order_by("programme__name", "name")


def finance_programme_get_for(*, actor: Actor, programme_id: int) -> Programme:
    """The programme, or 404 both when it does not exist and when the actor may not see it."""
    try:
        return finance_programmes_for(actor=actor).get(pk=programme_id)
    except Programme.DoesNotExist as exc:
        raise Http404 from exc


def finance_subproject_get_for(
    *, actor: Actor, subproject_id: int, for_write: bool = False
) -> SubProject:
    """The sub-project, or 404 when it does not exist or is not the actor's; for a write,
    PermissionDenied when the actor may only read it."""
    try:
        subproject = finance_subprojects_for(actor=actor).get(pk=subproject_id)
    except SubProject.DoesNotExist as exc:
        raise Http404 from exc
    if for_write and not finance_can_edit(actor=actor, subproject=subproject):
        raise PermissionDenied(ERROR_READ_ONLY)
    return subproject


def _owned(model, *, actor: Actor, pk: int):
    try:
        row = model.objects.select_related("subproject").get(pk=pk)
    except model.DoesNotExist as exc:
        raise Http404 from exc
    # The row is the actor's only through its sub-project; 404 otherwise.
    finance_subproject_get_for(actor=actor, subproject_id=row.subproject_id, for_write=True)
    return row


def budget_line_get_for_write(*, actor: Actor, line_id: int) -> BudgetLine:
    return _owned(BudgetLine, actor=actor, pk=line_id)


def funding_source_get_for_write(*, actor: Actor, source_id: int) -> FundingSource:
    return _owned(FundingSource, actor=actor, pk=source_id)


def actual_cost_get_for_write(*, actor: Actor, cost_id: int) -> ActualCost:
    return _owned(ActualCost, actor=actor, pk=cost_id)


def subproject_finance_detail(
    *, subproject: SubProject
) -> tuple[list[BudgetLine], list[FundingSource], list[ActualCost]]:
    """The rows shown on a sub-project's finance page."""
    lines = list(BudgetLine.objects.filter(subproject=subproject))
    sources = list(
        FundingSource.objects.filter(subproject=subproject).select_related("organisation")
    )
    costs = list(ActualCost.objects.filter(subproject=subproject))
    return lines, sources, costs


# --- Summaries --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CategoryRow:
    category: str
    label: str
    budget: Decimal
    actual: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.actual

    @property
    def burn(self) -> Decimal | None:
        return money.share(self.actual, self.budget)


@dataclass(frozen=True, kw_only=True)
class MonthPoint:
    month: dt.date
    actual: Decimal
    cumulative: Decimal

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")


@dataclass(frozen=True, kw_only=True)
class _Money:
    """What budget_summary and budget_rows share: totals and their derived shares."""

    budget_total: Decimal
    actual_total: Decimal
    fund: Decimal
    cofinancing_cash: Decimal
    cofinancing_staff_time: Decimal
    cofinancing_staff_hours: Decimal

    @property
    def cofinancing_total(self) -> Decimal:
        return self.cofinancing_cash + self.cofinancing_staff_time

    @property
    def funding_total(self) -> Decimal:
        return self.fund + self.cofinancing_total

    @property
    def cofinancing_share(self) -> Decimal | None:
        """Co-financing as a share of total funding (fund + co-financing)."""
        return money.share(self.cofinancing_total, self.funding_total)

    @property
    def burn(self) -> Decimal | None:
        """Actual costs as a share of the budget."""
        return money.share(self.actual_total, self.budget_total)

    @property
    def remaining(self) -> Decimal:
        return self.budget_total - self.actual_total

    @property
    def unfunded(self) -> Decimal:
        """Budget not yet covered by funding (negative when funding exceeds the budget)."""
        return self.budget_total - self.funding_total


@dataclass(frozen=True, kw_only=True)
class BudgetSummary(_Money):
    """Budget against actual costs and funding for one sub-project or a set of them."""

    subproject_count: int
    by_category: list[CategoryRow]
    monthly: list[MonthPoint] = field(default_factory=list)

    @property
    def burn_chart(self) -> charts.BurnChart | None:
        return charts.burn_chart(
            [(p.label, p.cumulative) for p in self.monthly],
            budget=self.budget_total,
            value_text=lambda v: f"{money.sek_text(v)} kr",
        )


@dataclass(frozen=True, kw_only=True)
class SubProjectBudgetRow(_Money):
    """One line of a roll-up table."""

    subproject: SubProject


def _ids(subprojects: Iterable[SubProject] | QuerySet[SubProject]) -> QuerySet | list[int]:
    if isinstance(subprojects, QuerySet):
        return subprojects.order_by().values("pk")
    return [s.pk for s in subprojects]


def _sums(subprojects):
    """Sums by sub-project in three queries: budget and costs by category, funding by kind."""
    ids = _ids(subprojects)
    budget: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        BudgetLine.objects.filter(subproject_id__in=ids)
        .order_by()
        .values("subproject_id", "category")
        .annotate(total=Sum("amount"))
    ):
        budget[row["subproject_id"]][row["category"]] = row["total"] or ZERO
    actual: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        ActualCost.objects.filter(subproject_id__in=ids)
        .order_by()
        .values("subproject_id", "category")
        .annotate(total=Sum("amount"))
    ):
        actual[row["subproject_id"]][row["category"]] = row["total"] or ZERO
    funding: dict[int, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for row in (
        FundingSource.objects.filter(subproject_id__in=ids)
        .order_by()
        .values("subproject_id", "kind")
        .annotate(total=Sum("amount"), hours=Sum("hours"))
    ):
        funding[row["subproject_id"]][row["kind"]] = (
            row["total"] or ZERO,
            row["hours"] or ZERO,
        )
    return ids, budget, actual, funding


def _money_fields(budget, actual, funding) -> dict[str, Decimal]:
    def kind(k: str) -> tuple[Decimal, Decimal]:
        return funding.get(k, (ZERO, ZERO))

    return {
        "budget_total": money.total(budget.values()),
        "actual_total": money.total(actual.values()),
        "fund": kind(FundingKind.FUND)[0],
        "cofinancing_cash": kind(FundingKind.COFINANCING_CASH)[0],
        "cofinancing_staff_time": kind(FundingKind.COFINANCING_STAFF_TIME)[0],
        "cofinancing_staff_hours": kind(FundingKind.COFINANCING_STAFF_TIME)[1],
    }


def budget_rows(
    *, subprojects: Iterable[SubProject] | QuerySet[SubProject]
) -> list[SubProjectBudgetRow]:
    """One row per sub-project, in the order given, for roll-up tables."""
    subprojects = list(subprojects)
    _ids_, budget, actual, funding = _sums(subprojects)
    return [
        SubProjectBudgetRow(
            subproject=s,
            **_money_fields(budget.get(s.pk, {}), actual.get(s.pk, {}), funding.get(s.pk, {})),
        )
        for s in subprojects
    ]


def _summary(
    budget: dict[int, dict[str, Decimal]],
    actual: dict[int, dict[str, Decimal]],
    funding: dict[int, dict[str, tuple[Decimal, Decimal]]],
    *,
    count: int,
    monthly: list[MonthPoint],
) -> BudgetSummary:
    by_budget: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_actual: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_kind: dict[str, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for per_category, into in ((budget, by_budget), (actual, by_actual)):
        for categories in per_category.values():
            for category, amount in categories.items():
                into[category] += amount
    for kinds in funding.values():
        for kind, (amount, hours) in kinds.items():
            previous = by_kind[kind]
            by_kind[kind] = (previous[0] + amount, previous[1] + hours)
    by_category = [
        CategoryRow(
            category=value,
            label=str(label),
            budget=by_budget.get(value, ZERO),
            actual=by_actual.get(value, ZERO),
        )
        for value, label in CostCategory.choices
    ]
    return BudgetSummary(
        subproject_count=count,
        by_category=by_category,
        monthly=monthly,
        **_money_fields(dict(by_budget), dict(by_actual), dict(by_kind)),
    )


def budget_summary(
    *,
    subprojects: Iterable[SubProject] | QuerySet[SubProject],
    today: dt.date | None = None,
) -> BudgetSummary:
    """Budget against actual and funding for one sub-project or any set of them (a
    programme, a region). The monthly series runs from the earliest sub-project start to
    today or the latest end, whichever comes first, and always covers every cost."""
    if not isinstance(subprojects, QuerySet):
        subprojects = list(subprojects)
    ids, budget, actual, funding = _sums(subprojects)
    months = {
        _as_date(month): total
        for month, total in ActualCost.objects.filter(subproject_id__in=ids)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    }
    periods = list(SubProject.objects.filter(pk__in=ids).order_by().values_list("start", "end"))
    monthly: list[MonthPoint] = []
    if periods:
        today = today or timezone.localdate()
        first = min([s for s, _e in periods] + list(months))
        last = min(today, max(e for _s, e in periods))
        last = max([last, *months])
        if last >= first:
            monthly = [
                MonthPoint(month=m, actual=a, cumulative=c)
                for m, a, c in money.cumulative_by_month(months, first=first, last=last)
            ]
    return _summary(budget, actual, funding, count=len(periods), monthly=monthly)


def budget_summaries_by_subproject(
    *, subprojects: Iterable[SubProject] | QuerySet[SubProject]
) -> dict[int, BudgetSummary]:
    """A summary per sub-project (without the monthly series) in three queries, for
    exports with a sheet per sub-project."""
    subprojects = list(subprojects)
    _ids_, budget, actual, funding = _sums(subprojects)
    return {
        s.pk: _summary(
            {s.pk: budget.get(s.pk, {})},
            {s.pk: actual.get(s.pk, {})},
            {s.pk: funding.get(s.pk, {})},
            count=1,
            monthly=[],
        )
        for s in subprojects
    }


def _as_date(value) -> dt.date:
    # TruncMonth on a DateField gives a date; some backends hand back a datetime.
    return value.date() if isinstance(value, dt.datetime) else value
