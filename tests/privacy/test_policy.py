"""The policy's legal bases, one by one, and default deny."""

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import Category, EmergencyAccess, Purpose
from lotsen.privacy.policy import PersonPolicy
from tests.factories import (
    EnrolmentFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    UserFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db


def visible(actor, purpose, category=Category.IDENTITY):
    return set(PersonPolicy(actor).persons(purpose=purpose, category=category))


def test_home_municipality_sees_its_residents_for_kaa_only(make_actor):
    municipality = MunicipalityFactory(municipality_code="0180")
    resident = PersonFactory(home_municipality_code="0180")
    PersonFactory(home_municipality_code="1480")
    kaa = make_actor(organisation=municipality, role=Role.KAA_COORDINATOR)

    assert visible(kaa, Purpose.KAA) == {resident}
    assert visible(kaa, Purpose.KAA, Category.KAA) == {resident}
    # The municipality's legal basis covers identity and KAA data, not school data.
    assert visible(kaa, Purpose.KAA, Category.SCHOOL) == set()
    # A role works under its own purpose; asking for another purpose gets nothing.
    assert visible(kaa, Purpose.SCHOOL) == set()


def test_other_roles_in_the_municipality_see_nobody(make_actor):
    municipality = MunicipalityFactory(municipality_code="0180")
    PersonFactory(home_municipality_code="0180")
    for role in (Role.ORGANISATION_ADMIN, Role.SYSTEM_ADMIN, Role.PROJECT_LEADER, Role.EVALUATOR):
        actor = make_actor(organisation=municipality, role=role)
        for purpose in Purpose:
            assert visible(actor, purpose) == set(), (role, purpose)


def test_school_sees_current_pupils_not_former_or_future_ones(make_actor):
    school = SchoolUnitFactory()
    today = timezone.localdate()
    current = EnrolmentFactory(school_unit=school).person
    EnrolmentFactory(school_unit=school, end_date=today - dt.timedelta(days=1))
    EnrolmentFactory(school_unit=school, start_date=today + dt.timedelta(days=30))
    EnrolmentFactory(school_unit=SchoolUnitFactory())
    mentor = make_actor(organisation=school, role=Role.MENTOR)

    assert visible(mentor, Purpose.SCHOOL) == {current}
    assert visible(mentor, Purpose.SCHOOL, Category.SCHOOL) == {current}
    assert visible(mentor, Purpose.SCHOOL, Category.SUPPORT) == set()


def test_school_organiser_sees_pupils_of_its_units(make_actor):
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    unit = SchoolUnitFactory(parent=organiser)
    pupil = EnrolmentFactory(school_unit=unit).person
    EnrolmentFactory()
    counsellor = make_actor(organisation=organiser, role=Role.COUNSELLOR)
    assert visible(counsellor, Purpose.SCHOOL) == {pupil}


def test_consent_shares_named_categories_with_named_organisations(make_actor):
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    other = OrganisationFactory(kind=OrganisationKind.HEALTH_CARE)
    person = PersonFactory()
    consent_create(person=person, organisations=[social], categories=[Category.SUPPORT])
    coach = make_actor(organisation=social, role=Role.CASE_WORKER)
    stranger = make_actor(organisation=other, role=Role.CASE_WORKER)

    assert visible(coach, Purpose.SUPPORT) == {person}
    assert visible(coach, Purpose.SUPPORT, Category.SUPPORT) == {person}
    assert visible(coach, Purpose.SUPPORT, Category.HEALTH) == set()
    assert visible(stranger, Purpose.SUPPORT) == set()


@pytest.mark.parametrize(
    "given_days_ago, expires_in_days, withdrawn, active",
    [
        (10, None, False, True),
        (10, 0, False, True),  # the expiry date itself is still covered
        (10, -1, False, False),
        (-1, None, False, False),  # not yet given
        (10, 30, True, False),
    ],
)
def test_consent_validity_window(make_actor, given_days_ago, expires_in_days, withdrawn, active):
    today = timezone.localdate()
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    person = PersonFactory()
    consent = consent_create(
        person=person,
        organisations=[social],
        categories=[Category.SUPPORT],
        given_on=today - dt.timedelta(days=given_days_ago),
        expires_on=None if expires_in_days is None else today + dt.timedelta(days=expires_in_days),
        withdrawn=withdrawn,
    )
    coach = make_actor(organisation=social, role=Role.CASE_WORKER)
    assert (visible(coach, Purpose.SUPPORT) == {person}) is active
    assert consent.is_active() is active


def test_young_person_sees_only_themselves():
    me, _other = PersonFactory(), PersonFactory()
    user = UserFactory(person=me)
    actor = Actor.for_young_person(user)
    assert visible(actor, Purpose.SELF) == {me}
    assert visible(actor, Purpose.SELF, Category.HEALTH) == {me}
    assert visible(actor, Purpose.SUPPORT) == set()


def test_emergency_access_is_personal_time_limited_and_never_health(make_actor):
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    person = PersonFactory()
    coach = make_actor(organisation=social, role=Role.CASE_WORKER)
    colleague = make_actor(organisation=social, role=Role.CASE_WORKER)
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        actor_user=coach.user,
        organisation=social,
        person=person,
        reason="x" * 30,
        expires_at=now + dt.timedelta(minutes=5),
    )
    assert visible(coach, Purpose.EMERGENCY) == {person}
    assert visible(coach, Purpose.EMERGENCY, Category.HEALTH) == set()
    assert visible(colleague, Purpose.EMERGENCY) == set()
    grant.expires_at = now - dt.timedelta(seconds=1)
    grant.save()
    assert visible(coach, Purpose.EMERGENCY) == set()


def test_may_view_agrees_with_the_queryset(make_actor):
    municipality = MunicipalityFactory(municipality_code="0180")
    inside, outside = (
        PersonFactory(home_municipality_code="0180"),
        PersonFactory(home_municipality_code="1480"),
    )
    kaa = make_actor(organisation=municipality, role=Role.KAA_COORDINATOR)
    policy = PersonPolicy(kaa)
    assert policy.may_view(inside, purpose=Purpose.KAA)
    assert not policy.may_view(outside, purpose=Purpose.KAA)


def test_protected_contact_details_only_for_named_roles(make_actor, settings):
    settings.LOTSEN_PROTECTED_IDENTITY_ROLES = [Role.KAA_COORDINATOR]
    municipality = MunicipalityFactory(municipality_code="0180")
    school = SchoolUnitFactory()
    protected = PersonFactory(home_municipality_code="0180", protected_identity=True)
    marked = PersonFactory(home_municipality_code="0180", confidentiality_marking=True)
    ordinary = PersonFactory(home_municipality_code="0180")
    kaa = PersonPolicy(make_actor(organisation=municipality, role=Role.KAA_COORDINATOR))
    mentor = PersonPolicy(make_actor(organisation=school, role=Role.MENTOR))
    assert kaa.may_see_contact_details(protected) and kaa.may_see_contact_details(marked)
    assert not mentor.may_see_contact_details(protected)
    assert not mentor.may_see_contact_details(marked)
    # Contact details only of someone the actor reaches at all: the mentor's pupils.
    assert not mentor.may_see_contact_details(ordinary)
    for person in (protected, marked, ordinary):
        EnrolmentFactory(person=person, school_unit=school)
    assert mentor.may_see_contact_details(ordinary)
    assert not mentor.may_see_contact_details(protected)
    assert not mentor.may_see_contact_details(marked)
