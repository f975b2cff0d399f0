"""Emergency access is reviewed by an administrator who can act on it: the organisation's
own admin or one above it (issue 10 item 9). School units have no admin of their own."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import EmergencyAccess
from lotsen.privacy.selectors import emergency_access_to_review
from lotsen.privacy.services import emergency_access_open, emergency_access_review
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Eleven har sagt att hen inte vågar gå hem i kväll."


@pytest.fixture
def tree():
    municipality = MunicipalityFactory(name="Exempelkommun")
    organiser = OrganisationFactory(
        name="Skolförvaltningen", kind=OrganisationKind.SCHOOL_ORGANISER, parent=municipality
    )
    school = SchoolUnitFactory(name="Björkskolan", parent=organiser)
    admin = MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    grant = emergency_access_open(
        actor=Actor.for_membership(mentor), person=PersonFactory(), reason=REASON
    )
    return municipality, school, admin, mentor, grant


def test_a_school_units_grant_is_reviewed_by_the_municipalitys_admin(client, tree):
    _municipality, _school, admin, mentor, grant = tree
    client.force_login(admin.user)
    assert "1 nödåtkomst väntar på granskning." in client.get(reverse("web:start")).text
    page = client.get(reverse("web:emergency_review_list"))
    assert page.status_code == 200
    assert REASON in page.text and "Björkskolan" in page.text
    assert mentor.user.last_name in page.text

    done = client.post(reverse("web:emergency_review", args=[grant.pk]), {"note": "Befogat."})
    assert done["Location"] == reverse("web:emergency_review_list")
    grant.refresh_from_db()
    assert grant.reviewed_by == admin.user
    assert grant.reviewed_at is not None and grant.review_note == "Befogat."
    assert (
        "Ingen nödåtkomst väntar på granskning."
        in client.get(reverse("web:emergency_review_list")).text
    )


def test_an_admin_of_an_unrelated_organisation_cannot_review_it(client, tree):
    *_, grant = tree
    stranger = MembershipFactory(organisation=MunicipalityFactory(), role=Role.ORGANISATION_ADMIN)
    client.force_login(stranger.user)
    assert REASON not in client.get(reverse("web:emergency_review_list")).text
    response = client.post(reverse("web:emergency_review", args=[grant.pk]), {"note": "x"})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        emergency_access_review(actor=Actor.for_membership(stranger), grant=grant, note="x")
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_an_admin_below_does_not_review_what_happened_above(tree):
    municipality, school, _admin, _mentor, _grant = tree
    school_admin = Actor.for_membership(
        MembershipFactory(organisation=school, role=Role.ORGANISATION_ADMIN)
    )
    kaa = MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    above = emergency_access_open(
        actor=Actor.for_membership(kaa), person=PersonFactory(), reason=REASON
    )
    assert above not in emergency_access_to_review(actor=school_admin)
    with pytest.raises(PermissionDenied):
        emergency_access_review(actor=school_admin, grant=above, note="")


def test_nobody_reviews_their_own_emergency_access(tree):
    municipality, school, _admin, _mentor, _grant = tree
    # One person, two hats: administrator of the municipality and mentor at the school.
    both = MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
    as_mentor = MembershipFactory(user=both.user, organisation=school, role=Role.MENTOR)
    own = emergency_access_open(
        actor=Actor.for_membership(as_mentor), person=PersonFactory(), reason=REASON
    )
    with pytest.raises(PermissionDenied):
        emergency_access_review(actor=Actor.for_membership(both), grant=own, note="")


def test_grants_with_no_admin_above_go_to_the_system_admin(client, tree):
    clinic = OrganisationFactory(kind=OrganisationKind.HEALTH_CARE, name="Ungdomsmottagningen")
    nurse = MembershipFactory(organisation=clinic, role=Role.CASE_WORKER)
    orphan = emergency_access_open(
        actor=Actor.for_membership(nurse), person=PersonFactory(), reason=REASON
    )
    municipality, *_rest, school_grant = tree
    sysadmin = MembershipFactory(organisation=municipality, role=Role.SYSTEM_ADMIN)
    assert list(emergency_access_to_review(actor=Actor.for_membership(sysadmin))) == [orphan]
    client.force_login(sysadmin.user)
    assert "Ungdomsmottagningen" in client.get(reverse("web:emergency_review_list")).text
    client.post(reverse("web:emergency_review", args=[orphan.pk]), {"note": "Ok."})
    assert EmergencyAccess.objects.get(pk=orphan.pk).reviewed_by == sysadmin.user
    # The school's grant has an admin above it: not the system admin's.
    assert client.post(reverse("web:emergency_review", args=[school_grant.pk])).status_code == 404


def test_staff_have_no_review_page(client, tree):
    *_, mentor, _grant = tree
    client.force_login(mentor.user)
    assert client.get(reverse("web:emergency_review_list")).status_code == 404
