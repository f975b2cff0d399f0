"""The cost of the case door: a social-services coach's case list and one case page read
through CasePolicy (team membership and an active consent per case) with the access log,
against the same rows read straight from the table.

Builds the demo municipality at BENCH_SUPPORT_SIZE persons (default 20,000, persons and
enrolments only), opens a case for every tenth person at social services' partner school,
puts social services on the team of half of them under a consent, and times:
- the coach's list of open cases (`case_list_for`) against `Case.objects.filter(team=...)`;
- one case read with everything on it (`case_get_for` + `case_detail_for`) against the same
  related rows fetched without the policy.
Prints the ratios.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, django_setup  # noqa: E402


def main() -> None:
    django_setup()
    from django.utils import timezone

    from lotsen.accounts.actor import Actor
    from lotsen.accounts.models import Membership
    from lotsen.demo.generator import demo_build
    from lotsen.privacy.models import Consent, ConsentCategory
    from lotsen.school.models import Enrolment
    from lotsen.support.models import Case, CaseTargetGroup, Plan, TeamMember
    from lotsen.support.selectors import case_detail_for, case_get_for, case_list_for

    size = int(os.environ.get("BENCH_SUPPORT_SIZE", "20000"))
    demo_build(size=size, seed=1, school_data=False)

    def actor(username):
        membership = Membership.objects.select_related("organisation", "user").get(
            user__username=username
        )
        return Actor.for_membership(membership)

    mentor, coach = actor("mentor"), actor("coach")
    today = timezone.localdate()
    pupils = list(
        Enrolment.objects.filter(end_date__isnull=True)
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")[::10]
    )
    # Bulk set-up: the benchmark measures reads, not the services that write.
    cases = Case.objects.bulk_create(
        Case(person_id=p, owner=mentor.organisation, origin="manual", opened_on=today)
        for p in pupils
    )
    Plan.objects.bulk_create(Plan(case=c) for c in cases)
    CaseTargetGroup.objects.bulk_create(CaseTargetGroup(case=c, group="dropout") for c in cases)
    shared = cases[::2]
    TeamMember.objects.bulk_create(
        TeamMember(case=c, organisation=coach.organisation) for c in shared
    )
    consents = Consent.objects.bulk_create(
        Consent(person_id=c.person_id, given_by="young_person", given_on=today - dt.timedelta(1))
        for c in shared
    )
    Consent.organisations.through.objects.bulk_create(
        Consent.organisations.through(consent=c, organisation=coach.organisation) for c in consents
    )
    ConsentCategory.objects.bulk_create(
        ConsentCategory(consent=c, category="support") for c in consents
    )
    one = shared[len(shared) // 2]

    def bare_list():
        return list(
            Case.objects.filter(team__organisation=coach.organisation, status="open")
            .select_related("person", "owner")
            .prefetch_related("target_groups")
            .order_by("-opened_on", "-id")[:200]
        )

    def door_case():
        case = case_get_for(actor=coach, case_id=one.pk)
        return case_detail_for(actor=coach, case=case)

    def bare_case():
        case = Case.objects.select_related("person", "owner", "plan").get(pk=one.pk)
        return (
            list(case.team.select_related("organisation", "user")),
            list(case.plan.goals.all()),
            list(case.plan.actions.all()),
            list(case.interventions.all()),
            list(case.contacts.all()),
            list(case.notes.all()),
            list(case.referrals.all()),
        )

    rows = [
        ("coach's open cases", lambda: case_list_for(actor=coach), bare_list),
        ("one case with everything on it", door_case, bare_case),
    ]
    print(f"{size} persons, {len(cases)} cases, {len(shared)} shared with consent; best of 5")
    print(f"{'operation':32} {'through the door':>18} {'bare query':>12} {'ratio':>7}")
    for name, door, bare in rows:
        t_door, t_bare = best_of(door), best_of(bare)
        print(f"{name:32} {t_door * 1000:15.1f} ms {t_bare * 1000:9.1f} ms {t_door / t_bare:6.1f}x")


if __name__ == "__main__":
    main()
