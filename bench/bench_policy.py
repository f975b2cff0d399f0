"""The cost of the one door: reading persons through the privacy policy and writing the
access log, against the same rows read straight from the table.

Builds the demo municipality at BENCH_POLICY_SIZE persons (default 50,000), then times a
KAA coordinator's first page of 50 persons and a name search, through `person_list`, and
the same queries without policy or log. Prints the ratios.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, django_setup  # noqa: E402


def main() -> None:
    django_setup()
    from lotsen.accounts.actor import Actor
    from lotsen.accounts.models import Membership
    from lotsen.demo.generator import DEMO_MUNICIPALITY_CODE, demo_build
    from lotsen.people.models import Person
    from lotsen.people.selectors import person_list

    size = int(os.environ.get("BENCH_POLICY_SIZE", "50000"))
    # Only persons and enrolments matter here: no grades or attendance.
    demo_build(size=size, seed=1, school_data=False)
    kaa = Actor.for_membership(
        Membership.objects.select_related("organisation", "user").get(user__username="kaa")
    )
    mentor = Actor.for_membership(
        Membership.objects.select_related("organisation", "user").get(user__username="mentor")
    )

    def bare_page():
        return list(
            Person.objects.filter(home_municipality_code=DEMO_MUNICIPALITY_CODE).order_by(
                "family_name", "given_name", "id"
            )[:50]
        )

    def bare_search():
        return list(
            Person.objects.filter(
                home_municipality_code=DEMO_MUNICIPALITY_CODE, family_name__icontains="berg"
            ).order_by("family_name", "given_name", "id")[:50]
        )

    rows = [
        ("KAA list, first 50", lambda: person_list(actor=kaa), bare_page),
        ("KAA search 'berg'", lambda: person_list(actor=kaa, query="berg"), bare_search),
        ("mentor list (school basis)", lambda: person_list(actor=mentor), bare_page),
    ]
    print(f"{size} persons in the demo municipality; best of 5 runs")
    print(f"{'operation':32} {'through the door':>18} {'bare query':>12} {'ratio':>7}")
    for name, door, bare in rows:
        t_door, t_bare = best_of(door), best_of(bare)
        print(f"{name:32} {t_door * 1000:15.1f} ms {t_bare * 1000:9.1f} ms {t_door / t_bare:6.1f}x")


if __name__ == "__main__":
    main()
