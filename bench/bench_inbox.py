"""The KAA coordinator's inbox as the municipality grows, against a bare page of persons.

A municipality imports its population register extract (the demo generator's young people,
``population_import`` and the cohort refresh, as in production) in two steps: first
BENCH_INBOX_SMALL rows (default 5,000), then up to BENCH_INBOX_LARGE (default 50,000: about
24,000 young people in the activity responsibility, nearly all with an unknown status, which
is what a first import looks like). At each size it times

  start page      ``inbox_top_for``: the first ten rows in priority order and the total,
                  what the coordinator's start page shows after login
  inbox page 1    ``inbox_page_for`` with every filter's count
  inbox page 40   the same, forty pages in
  bare page       ten of the municipality's young people by name, read through the door
                  (filtered and logged): the least any page of persons costs

and prints each as a multiple of the bare page at that size, and how much each grew from
the small size to the large. BENCH_DATABASE_URL runs it on PostgreSQL (``_setup``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, django_setup  # noqa: E402

SEED = 4242


def _population_files(small: int, large: int, today: dt.date) -> tuple[str, str]:
    from lotsen.demo.generator import demo_population_register
    from lotsen.kaa.imports import POPULATION_COLUMNS

    lines = [
        ",".join(values[column] for column in POPULATION_COLUMNS)
        for values in demo_population_register(seed=SEED, rows=large, today=today)
    ]
    header = ",".join(POPULATION_COLUMNS)
    return (
        "\n".join([header, *lines[:small]]) + "\n",
        "\n".join([header, *lines[small:]]) + "\n",
    )


def _coordinator():
    from django.contrib.auth import get_user_model

    from lotsen.accounts.actor import Actor
    from lotsen.accounts.models import Membership, Organisation, Role
    from lotsen.demo.generator import DEMO_MUNICIPALITY_CODE

    organisation = Organisation.objects.create(
        name="Benchkommunen", kind="municipality", municipality_code=DEMO_MUNICIPALITY_CODE
    )
    user = get_user_model().objects.create_user(username="bench-kaa", password=None)
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=Role.KAA_COORDINATOR
    )
    return Actor.for_membership(membership), DEMO_MUNICIPALITY_CODE


def _measure(actor, code: str) -> dict[str, float]:
    from lotsen.inbox.selectors import InboxFilters, inbox_page_for, inbox_top_for
    from lotsen.people.models import Person
    from lotsen.privacy.door import persons_read
    from lotsen.privacy.models import Category, Purpose

    def bare() -> None:
        persons_read(
            actor=actor,
            purpose=Purpose.KAA,
            category=Category.IDENTITY,
            queryset=Person.objects.filter(home_municipality_code=code).order_by(
                "family_name", "given_name", "pk"
            ),
            window=slice(0, 10),
        )

    return {
        "start page": best_of(lambda: inbox_top_for(actor=actor), repeat=3),
        "inbox page 1": best_of(lambda: inbox_page_for(actor=actor), repeat=3),
        "inbox page 40": best_of(
            lambda: inbox_page_for(actor=actor, filters=InboxFilters(page=40)), repeat=3
        ),
        "bare page": best_of(bare, repeat=5),
    }


def main() -> None:
    django_setup()
    from django.db import connection
    from django.utils import timezone

    from lotsen.inbox.selectors import inbox_top_for
    from lotsen.kaa.imports import population_import

    small = int(os.environ.get("BENCH_INBOX_SMALL", "5000"))
    large = int(os.environ.get("BENCH_INBOX_LARGE", "50000"))
    today = timezone.localdate()
    first, rest = _population_files(small, large, today)
    actor, code = _coordinator()
    print(f"{connection.vendor}; population extract of {small:,} rows, then {large:,}")

    results = {}
    for size, text in ((small, first), (large, rest)):
        population_import(file=io.StringIO(text), today=today)
        cohort = inbox_top_for(actor=actor).total
        results[size] = _measure(actor, code)
        print(f"\n{size:,} registered, {cohort:,} young people in the inbox")
        bare = results[size]["bare page"]
        for name, seconds in results[size].items():
            print(f"  {name:14} {seconds * 1000:9.1f} ms   {seconds / bare:6.1f}x the bare page")

    print(f"\ngrowth from {small:,} to {large:,} registered (the bare page as yardstick)")
    for name in results[small]:
        grew = results[large][name] / results[small][name]
        print(f"  {name:14} {grew:6.2f}x")


if __name__ == "__main__":
    main()
