"""KAA's legal bases as the privacy door holds them: the home municipality and the
municipality's own KAA register, so the person page and the KAA pages agree about a young
person who has moved away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.kaa import selectors
from lotsen.kaa.models import CohortMembership, ResidencePeriod
from lotsen.kaa.policy import HOME_MUNICIPALITY, REGISTER
from lotsen.people.selectors import person_get_for, person_list
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import PersonPolicy, registered_bases
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.kaa.conftest import OTHER, M, refresh, today, young

pytestmark = pytest.mark.django_db


def test_both_bases_are_registered_for_identity_and_kaa_data_only():
    assert {HOME_MUNICIPALITY, REGISTER} <= set(registered_bases())
    for basis in (HOME_MUNICIPALITY, REGISTER):
        assert basis.purpose == Purpose.KAA
        assert basis.categories == {Category.IDENTITY, Category.KAA}


@pytest.fixture
def moved_away(municipality, school):
    """In the municipality's cohort until two days ago, registered elsewhere since."""
    person = young(school)
    refresh()
    moved = today() - dt.timedelta(days=2)
    ResidencePeriod.objects.filter(person=person).update(moved_out=moved)
    ResidencePeriod.objects.create(person=person, municipality_code=OTHER, moved_in=moved)
    person.home_municipality_code = OTHER
    person.save()
    refresh()
    [membership] = CohortMembership.objects.filter(person=person)
    assert membership.municipality_code == M and membership.left_on is not None
    return person


def test_a_person_in_the_register_opens_on_the_person_page_as_on_the_register_page(
    coordinator, moved_away
):
    policy = PersonPolicy(coordinator)
    assert policy.may_view(moved_away, purpose=Purpose.KAA)
    assert policy.may_view(moved_away, purpose=Purpose.KAA, category=Category.KAA)
    assert person_get_for(actor=coordinator, person_id=moved_away.pk).purpose == Purpose.KAA
    assert selectors.kaa_person_get_for(actor=coordinator, person_id=moved_away.pk)
    assert moved_away in person_list(actor=coordinator)
    # Health notes and support data are not KAA's to read, register or not.
    for category in (Category.HEALTH, Category.SUPPORT, Category.SCHOOL):
        assert not policy.may_view(moved_away, purpose=Purpose.KAA, category=category)


def test_the_register_opens_the_record_but_not_where_the_person_lives_now(
    coordinator, other_coordinator, moved_away, client
):
    """The municipality that was left keeps its record, not the new address: the person
    page, like the register page, shows no address, telephone or e-mail to it."""
    moved_away.street_address = "Nygatan 7"
    moved_away.phone = "070-123 45 67"
    moved_away.save()
    assert not PersonPolicy(coordinator).may_see_contact_details(moved_away)
    assert not person_get_for(actor=coordinator, person_id=moved_away.pk).show_contact_details
    # The new home municipality reaches the person by registration, with the details.
    assert PersonPolicy(other_coordinator).may_see_contact_details(moved_away)

    client.force_login(coordinator.user)
    page = client.get(f"/personer/{moved_away.pk}/")
    assert page.status_code == 200
    assert moved_away.family_name in page.text
    assert "Nygatan" not in page.text and "070-123" not in page.text


def test_the_register_grants_only_the_municipality_that_keeps_it(
    coordinator, other_coordinator, moved_away, school
):
    # The new home municipality reaches the person by registration, not by our register.
    assert PersonPolicy(other_coordinator).may_view(moved_away, purpose=Purpose.KAA)
    stranger = young(school, municipality=OTHER)
    assert not PersonPolicy(coordinator).may_view(stranger, purpose=Purpose.KAA)
    with pytest.raises(Http404):
        person_get_for(actor=coordinator, person_id=stranger.pk)
    # Another role in the same municipality gets nothing from the register.
    case_worker = Actor.for_membership(
        MembershipFactory(organisation=coordinator.organisation, role=Role.CASE_WORKER)
    )
    assert not PersonPolicy(case_worker).may_view(moved_away, purpose=Purpose.KAA)
    assert not PersonPolicy(case_worker).may_view(moved_away, purpose=Purpose.SUPPORT)


def test_an_anonymised_membership_grants_nobody(coordinator, moved_away):
    CohortMembership.objects.filter(person=moved_away).update(person=None)
    assert not PersonPolicy(coordinator).may_view(moved_away, purpose=Purpose.KAA)
    with pytest.raises(Http404):
        selectors.kaa_person_get_for(actor=coordinator, person_id=moved_away.pk)


def test_a_municipality_without_a_code_reaches_nobody(db, school):
    nameless = MunicipalityFactory(municipality_code="")
    coordinator = Actor.for_membership(
        MembershipFactory(organisation=nameless, role=Role.KAA_COORDINATOR)
    )
    no_code = young(school, municipality="")
    CohortMembership.objects.create(
        person=no_code, municipality_code="", entered_on=today() - dt.timedelta(days=3),
        reason="never_started",
    )  # fmt: skip
    assert not PersonPolicy(coordinator).may_view(no_code, purpose=Purpose.KAA)
    assert selectors.kaa_scope(coordinator) is None
