"""Budget roll-ups and the cost import at the scale of a national fund.

Builds one programme of BENCH_FINANCE_SUBPROJECTS sub-projects (default 300) with the
finance demo's budgets and monthly costs over three years, then times:

- ``budget_summary`` over all sub-projects (five grouped queries) against one bare
  ``Sum`` over the same costs;
- ``budget_rows`` for the roll-up table against the same bare sum;
- importing BENCH_FINANCE_ROWS cost rows from CSV (default 10,000), and again (the
  idempotent second run), against ``bulk_create`` of the same rows.

Prints ratios, no bare seconds to compare across machines.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, django_setup  # noqa: E402


def main() -> None:
    django_setup()
    from django.db.models import Sum

    from lotsen.accounts.models import Organisation, OrganisationKind
    from lotsen.demo.finance import finance_demo_seed
    from lotsen.finance.imports import costs_import
    from lotsen.finance.models import ActualCost
    from lotsen.finance.selectors import budget_rows, budget_summary
    from lotsen.programmes.models import Programme, SubProject

    size = int(os.environ.get("BENCH_FINANCE_SUBPROJECTS", "300"))
    rows = int(os.environ.get("BENCH_FINANCE_ROWS", "10000"))
    today = dt.date(2025, 12, 31)
    region = Organisation.objects.create(name="Region Bänk", kind=OrganisationKind.REGION)
    programme = Programme.objects.create(
        name="Bänkprogrammet",
        framework="esfplus",
        start=dt.date(2023, 1, 1),
        end=dt.date(2025, 12, 31),
        lead_organisation=region,
    )
    SubProject.objects.bulk_create(
        SubProject(
            programme=programme,
            name=f"Delprojekt {i:04d}",
            lead_organisation=region,
            start=programme.start,
            end=programme.end,
        )
        for i in range(size)
    )
    finance_demo_seed(programme, today=today)
    subprojects = list(SubProject.objects.filter(programme=programme))
    costs = ActualCost.objects.filter(subproject__programme=programme)
    print(f"{size} delprojekt, {costs.count()} kostnader")

    def bare():
        return costs.aggregate(s=Sum("amount"))

    base = best_of(bare)
    summary = best_of(lambda: budget_summary(subprojects=subprojects, today=today))
    table = best_of(lambda: budget_rows(subprojects=subprojects))
    print(f"budget_summary / one bare Sum: {summary / base:.1f}×")
    print(f"budget_rows / one bare Sum:    {table / base:.1f}×")

    names = [s.name for s in subprojects]
    lines = ["subproject,date,category,amount,description,reference"]
    for i in range(rows):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i % 600)
        lines.append(f"{names[i % len(names)]},{day},travel,{100 + i % 900},Resa,B{i}")
    content = "\n".join(lines).encode()

    def bulk():
        ActualCost.objects.filter(import_reference__startswith="B").delete()
        ActualCost.objects.bulk_create(
            ActualCost(
                subproject=subprojects[i % len(subprojects)],
                date=dt.date(2024, 1, 1) + dt.timedelta(days=i % 600),
                category="travel",
                amount=Decimal(100 + i % 900),
                import_reference=f"B{i}",
                source="imported",
            )
            for i in range(rows)
        )

    def first_import():
        ActualCost.objects.filter(import_reference__startswith="B").delete()
        costs_import(programme=programme, content=content, today=today)

    base_insert = best_of(bulk, repeat=3)
    imported = best_of(first_import, repeat=3)
    again = best_of(
        lambda: costs_import(programme=programme, content=content, today=today), repeat=3
    )
    print(f"import of {rows} rows / bulk_create:        {imported / base_insert:.1f}×")
    print(f"same file again (no change) / bulk_create: {again / base_insert:.1f}×")


if __name__ == "__main__":
    main()
