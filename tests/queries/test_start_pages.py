"""Query counts of every role's start page, pinned and flat in the number of rows.

One world holds something for every role to list: pupils with open signals for the school
roles (some assigned to the mentor, so they are tasks too), cases with follow-ups due,
referrals waiting and consents about to expire for the case worker, young people
registered in the municipality for the KAA coordinator, participants whose six-month
follow-up falls due for the project leader, and role grants waiting for the
administrators. ``grow`` adds n more of each.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import GrantStatus, OrganisationKind, Role, RoleGrant
from lotsen.programmes.models import Programme, SubProject
from lotsen.support.models import Referral
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    SignalFactory,
    UserFactory,
    consent_create,
)
from tests.programmes.conftest import participant
from tests.queries.pinning import assert_flat_and_pinned
from tests.youth.factories import CaseFactory, PlanActionFactory, PlanFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

CODE = "2480"


@pytest.fixture
def world(db):
    region = OrganisationFactory(name="Region Nord", kind=OrganisationKind.REGION)
    municipality = MunicipalityFactory(municipality_code=CODE, parent=region)
    school = SchoolUnitFactory(name="Björkskolan", municipality_code=CODE)
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    clinic = OrganisationFactory(name="Ungdomsmottagningen", kind=OrganisationKind.HEALTH_CARE)
    programme = Programme.objects.create(
        name="Programmet",
        framework="esfplus",
        start=dt.date(2023, 1, 1),
        end=timezone.localdate() + dt.timedelta(days=400),
        lead_organisation=region,
    )
    subproject = SubProject.objects.create(
        programme=programme,
        name="Delprojekt",
        lead_organisation=municipality,
        start=programme.start,
        end=programme.end,
    )
    members = {
        role: MembershipFactory(organisation=organisation, role=role)
        for role, organisation in [
            (Role.MENTOR, school),
            (Role.STUDENT_HEALTH, school),
            (Role.COUNSELLOR, school),
            (Role.CASE_WORKER, social),
            (Role.KAA_COORDINATOR, municipality),
            (Role.PROJECT_LEADER, region),
            (Role.EVALUATOR, region),
            (Role.ORGANISATION_ADMIN, municipality),
            (Role.SYSTEM_ADMIN, municipality),
        ]
    }
    return SimpleNamespace(
        municipality=municipality,
        school=school,
        social=social,
        clinic=clinic,
        subproject=subproject,
        members=members,
    )


def grow(world, n: int) -> None:
    today = timezone.localdate()
    mentor = world.members[Role.MENTOR].user
    case_worker = world.members[Role.CASE_WORKER].user
    for _ in range(n):
        # Two pupils at the school, registered in the municipality, with an open signal
        # each (one per pupil and school): one overdue and assigned to the mentor, one new.
        pupil = PersonFactory(home_municipality_code=CODE)
        EnrolmentFactory(person=pupil, school_unit=world.school, school_year=9)
        SignalFactory(
            person=pupil,
            school_unit=world.school,
            assigned_to=mentor,
            status="acknowledged",
            raised_on=today - dt.timedelta(days=30),
        )
        classmate = PersonFactory(home_municipality_code=CODE)
        EnrolmentFactory(person=classmate, school_unit=world.school, school_year=9)
        SignalFactory(person=classmate, school_unit=world.school, rule_id="grade_f_core")

        # A case at social services with a follow-up due, a consent about to expire and
        # a referral from the clinic waiting for social services' answer.
        young = PersonFactory(home_municipality_code=CODE)
        case = CaseFactory(person=young, owner=world.social, opened_by=case_worker)
        TeamMemberFactory(case=case, organisation=world.social, user=case_worker)
        PlanActionFactory(
            plan=PlanFactory(case=case),
            responsible_organisation=world.social,
            responsible_user=case_worker,
            follow_up_on=today + dt.timedelta(days=3),
        )
        consent = consent_create(
            person=young,
            organisations=[world.social, world.clinic],
            categories=["support"],
            expires_on=today + dt.timedelta(days=10),
        )
        clinic_case = CaseFactory(person=young, owner=world.clinic)
        Referral.objects.create(
            case=clinic_case,
            from_organisation=world.clinic,
            to_organisation=world.social,
            consent=consent,
            message="Behöver stöd",
        )

        # A participant who left seven months ago: the six-month follow-up is due.
        participant(
            world.subproject,
            entry_date=today - dt.timedelta(days=400),
            exit_date=today - dt.timedelta(days=215),
            exit_status="employed",
        )

        # A role grant waiting for a second administrator.
        RoleGrant.objects.create(
            user=UserFactory(),
            organisation=world.municipality,
            role=Role.CASE_WORKER,
            status=GrantStatus.AWAITING_APPROVAL,
            requested_by=world.members[Role.SYSTEM_ADMIN].user,
            needs_approval=True,
        )


# Pinned counts on SQLite; PostgreSQL makes one more where the page names persons (see
# ``pinned_for_vendor``). Every page asks which kinds of notifications are unread for the
# header (one query) and counts those the actor may see only when there are some (one
# more; for an administrator the routing of emergency access they review adds the
# organisation tree, and for a system admin the admins). The roles that work with young
# people by name see the first rows of their inbox (lotsen.inbox): the ranked page through
# the door, its total and one query per kind of item for the rows' reasons; the school
# roles' inbox also asks which organisations turned the learned model off. The
# organisation administrator is shown how many wait unacknowledged too long, one count per
# team.
START_PAGE_QUERIES = {
    Role.MENTOR: 19,
    Role.STUDENT_HEALTH: 19,
    Role.COUNSELLOR: 19,
    Role.CASE_WORKER: 14,
    Role.KAA_COORDINATOR: 9,
    Role.PROJECT_LEADER: 11,
    Role.EVALUATOR: 5,
    Role.ORGANISATION_ADMIN: 11,
    Role.SYSTEM_ADMIN: 10,
}
# The start pages whose lists name young people (signals, tasks, follow-ups due).
NAMES_PERSONS = {
    Role.MENTOR,
    Role.STUDENT_HEALTH,
    Role.COUNSELLOR,
    Role.CASE_WORKER,
    Role.PROJECT_LEADER,
}


@pytest.mark.parametrize("role", list(START_PAGE_QUERIES))
def test_start_page_queries_do_not_grow_with_rows(client, world, role):
    client.force_login(world.members[role].user)
    assert_flat_and_pinned(
        client,
        reverse("web:start"),
        grow=lambda n: grow(world, n),
        pinned=START_PAGE_QUERIES[role],
        names_persons=role in NAMES_PERSONS,
    )
