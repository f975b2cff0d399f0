"""Query counts of the KAA pages (overview, the cohort list, the notices inbox) and the
case list, pinned and flat in the number of rows.

``grow`` adds young people to the municipality's cohort, each with a contact, a measure
and a notice from the school, and cases at social services. The cohort list shows one
page at a time; N and 3N both fit on the first page, so every row is shown.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.kaa.models import Contact, Measure, MeasureType, Notice
from tests.factories import MembershipFactory, OrganisationFactory
from tests.kaa.conftest import M, refresh, young
from tests.queries.pinning import N, assert_flat_and_pinned
from tests.youth.factories import CaseFactory, PlanActionFactory, PlanFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db

_receipts = itertools.count(1)


def grow_cohort(school, coordinator, n: int) -> None:
    today = timezone.localdate()
    guidance = MeasureType.objects.get(code="guidance")
    for _ in range(n):
        person = young(school)
        Contact.objects.create(
            person=person,
            municipality_code=M,
            kind="contact",
            method="phone",
            contact_date=today - dt.timedelta(days=3),
            occupation="none",
            recorded_by=coordinator.user,
        )
        Measure.objects.create(
            person=person,
            municipality_code=M,
            measure_type=guidance,
            status="started",
            offered_on=today - dt.timedelta(days=20),
            start_date=today - dt.timedelta(days=10),
            recorded_by=coordinator.user,
        )
        Notice.objects.create(
            kind="dropout",
            personal_identity_number=person.personal_identity_number,
            person=person,
            municipality_code=M,
            event_date=today - dt.timedelta(days=5),
            sender_organisation=school,
            sender_organisation_name=school.name,
            receipt=f"Q{next(_receipts):07d}",
        )
    refresh()


@pytest.fixture
def kaa_client(client, coordinator):
    client.force_login(coordinator.user)
    return client


@pytest.mark.parametrize(
    ("page", "pinned"),
    [
        # Two for the caseload per coordinator: the coordinators and their counts, grouped.
        ("kaa:overview", 11),
        ("kaa:cohort", 10),
        ("kaa:inbox", 10),
    ],
)
def test_kaa_page_queries_do_not_grow_with_rows(kaa_client, coordinator, school, page, pinned):
    assert_flat_and_pinned(
        kaa_client,
        reverse(page),
        grow=lambda n: grow_cohort(school, coordinator, n),
        pinned=pinned,
        names_persons=page != "kaa:overview",
    )


def test_cohort_list_filtered_by_status_does_not_grow_with_rows(
    kaa_client,
    coordinator,
    school,
):
    page = assert_flat_and_pinned(
        kaa_client,
        reverse("kaa:cohort") + "?status=in_measure",
        grow=lambda n: grow_cohort(school, coordinator, n),
        pinned=10,
        names_persons=True,
    )
    assert page.text.count("/aktivitetsansvar/unga/") >= 3 * N


def test_case_list_queries_do_not_grow_with_rows(client, db):
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    school = OrganisationFactory(name="Skolan", kind=OrganisationKind.SCHOOL_UNIT)
    coach = MembershipFactory(organisation=social, role=Role.CASE_WORKER)

    def grow(n: int) -> None:
        for _ in range(n):
            case = CaseFactory(owner=social, opened_by=coach.user)
            TeamMemberFactory(case=case, organisation=social, user=coach.user)
            TeamMemberFactory(case=case, organisation=school)
            PlanActionFactory(plan=PlanFactory(case=case), responsible_organisation=social)
            case.target_groups.create(group="dropout")

    client.force_login(coach.user)
    page = assert_flat_and_pinned(
        client, reverse("support:case_list"), grow=grow, pinned=10, names_persons=True
    )
    assert len(re.findall(r'href="/arenden/\d+/"', page.text)) == 3 * N
