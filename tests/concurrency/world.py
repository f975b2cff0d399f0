"""The small world the concurrency test serves, built and read back in the served
instance's own environment (its DATABASE_URL), never through the test run's database.

    python -m tests.concurrency.world seed     # prints the ids and usernames as JSON
    python -m tests.concurrency.world report   # prints what was stored as JSON

A school with a mentor and a counsellor and a pupil whose case has a plan; a
municipality with a KAA coordinator and one young person in the activity-responsibility
cohort. Users have real (slowly hashed) passwords: the test logs in through the page.
"""

from __future__ import annotations

import json
import os
import sys

PASSWORD = "secret-pass-123"  # the factories' password


def seed() -> dict:
    from lotsen.accounts.actor import Actor
    from lotsen.accounts.models import Role
    from lotsen.support.services import case_open
    from tests.factories import (
        EnrolmentFactory,
        MembershipFactory,
        MunicipalityFactory,
        SchoolUnitFactory,
        UserFactory,
    )
    from tests.kaa.conftest import M, refresh, young

    school = SchoolUnitFactory(name="Norra gymnasiet")
    mentor = MembershipFactory(
        organisation=school, role=Role.MENTOR, user=UserFactory(username="mentor")
    )
    MembershipFactory(organisation=school, role=Role.COUNSELLOR, user=UserFactory(username="syv"))
    pupil = EnrolmentFactory(school_unit=school, school_type="GY", school_year=1).person
    case = case_open(actor=Actor.for_membership(mentor), person=pupil, target_groups=["dropout"])

    municipality = MunicipalityFactory(municipality_code=M, name="Kommunen")
    MembershipFactory(
        organisation=municipality, role=Role.KAA_COORDINATOR, user=UserFactory(username="kaa")
    )
    member = young(SchoolUnitFactory(municipality_code=M), given_name="Sara", family_name="Lind")
    refresh()
    return {
        "case": case.pk,
        "kaa_person": member.pk,
        "plan_users": ["mentor", "syv"],
        "api_user": "mentor",
        "kaa_user": "kaa",
        "password": PASSWORD,
    }


def report() -> dict:
    from lotsen.kaa.models import Contact as KaaContact
    from lotsen.support.models import Contact, Plan, PlanRevision

    plan = Plan.objects.get()
    return {
        "plan_version": plan.version,
        "plan_own_goal": plan.own_goal,
        "plan_revisions": sorted(
            PlanRevision.objects.filter(plan=plan).values_list("version", flat=True)
        ),
        "support_contact_notes": sorted(Contact.objects.values_list("note", flat=True)),
        "kaa_contact_notes": sorted(KaaContact.objects.values_list("note", flat=True)),
    }


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotsen.settings")
    import django

    django.setup()
    command = {"seed": seed, "report": report}[argv[1]]
    json.dump(command(), sys.stdout)


if __name__ == "__main__":
    main(sys.argv)
