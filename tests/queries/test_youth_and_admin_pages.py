"""Query counts of the young person's start page and the organisation administrator's
member list, pinned and flat in the number of rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import OrganisationKind, Role
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    consent_create,
)
from tests.queries.pinning import assert_flat_and_pinned
from tests.youth.factories import (
    CaseFactory,
    ContactFactory,
    GoalFactory,
    PlanActionFactory,
    PlanFactory,
    TeamMemberFactory,
    WellbeingCheckinFactory,
)

pytestmark = pytest.mark.django_db


def test_young_persons_start_page_does_not_grow_with_rows(client):
    person = PersonFactory()
    young_user = UserFactory(person=person)
    today = timezone.localdate()

    def grow(n: int) -> None:
        # Each round: a case at one more organisation, with its team, plan, goals,
        # actions, contacts, a consent, and a WHO-5 check-in.
        for _ in range(n):
            owner = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
            staff = MembershipFactory(organisation=owner, role=Role.CASE_WORKER).user
            case = CaseFactory(person=person, owner=owner, opened_by=staff)
            TeamMemberFactory(case=case, organisation=owner, user=staff, role="contact_person")
            plan = PlanFactory(case=case)
            GoalFactory(plan=plan)
            PlanActionFactory(plan=plan, responsible_organisation=owner, responsible_user=staff)
            ContactFactory(case=case, organisation=owner, staff=staff)
            consent_create(person=person, organisations=[owner], categories=["support"])
            WellbeingCheckinFactory(
                person=person, answered_at=timezone.now() - dt.timedelta(days=today.day % 7)
            )

    client.force_login(young_user)
    assert_flat_and_pinned(client, reverse("youth:start"), grow=grow, pinned=17, names_persons=True)


def test_organisation_members_page_does_not_grow_with_rows(client):
    municipality = MunicipalityFactory()
    admin = MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)

    def grow(n: int) -> None:
        for _ in range(n):
            MembershipFactory(organisation=municipality, role=Role.CASE_WORKER)
            MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)

    client.force_login(admin.user)
    # One query more for the invitations by e-mail that wait for an answer.
    assert_flat_and_pinned(
        client, reverse("web:organisation_members"), grow=grow, pinned=11, names_persons=False
    )
