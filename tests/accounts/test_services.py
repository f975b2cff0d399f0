"""Role grants (behörighetsadministration): who may grant what to whom, invitations,
four eyes, and the audit trail written with every change."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from lotsen.accounts import services
from lotsen.accounts.actor import Actor
from lotsen.accounts.models import (
    GrantEvent,
    GrantStatus,
    Membership,
    OrganisationKind,
    Role,
    RoleGrant,
)
from lotsen.accounts.selectors import grant_event_list_for, role_grant_to_approve
from lotsen.privacy.models import Purpose
from lotsen.privacy.policy import ROLE_PURPOSE, PersonPolicy
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DATA_ROLES = [
    Role.KAA_COORDINATOR,
    Role.MENTOR,
    Role.STUDENT_HEALTH,
    Role.COUNSELLOR,
    Role.CASE_WORKER,
    Role.PROJECT_LEADER,
]


@pytest.fixture
def municipality():
    return MunicipalityFactory(municipality_code="0180", name="Exempelstad")


@pytest.fixture
def orgadmin(municipality):
    return Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
    )


def grant(actor, username, role, organisation=None):
    return services.membership_grant(
        actor=actor,
        organisation=organisation or actor.organisation,
        username=username,
        role=role,
    )


def events(**filters):
    return list(GrantEvent.objects.filter(**filters).order_by("at", "id"))


def test_every_role_that_reaches_personal_data_counts_as_a_data_role():
    # The privacy policy may gain working roles; each of them is a data role here too.
    assert set(ROLE_PURPOSE) - {Role.YOUNG_PERSON} <= services.data_roles()
    assert set(DATA_ROLES) <= services.data_roles()
    assert Role.ORGANISATION_ADMIN not in services.data_roles()
    assert Role.YOUNG_PERSON not in services.data_roles()


@pytest.mark.parametrize("role", DATA_ROLES)
def test_an_admin_cannot_grant_themselves_a_data_role(orgadmin, role):
    with pytest.raises(ValidationError) as exc:
        grant(orgadmin, orgadmin.user.username, role)
    assert exc.value.message_dict == {"username": [services.ERROR_SELF_GRANT]}
    assert list(orgadmin.user.memberships.values_list("role", flat=True)) == [
        Role.ORGANISATION_ADMIN
    ]
    assert not RoleGrant.objects.exists() and not GrantEvent.objects.exists()


def test_a_system_admin_cannot_grant_themselves_a_data_role_either(municipality):
    sysadmin = Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.SYSTEM_ADMIN)
    )
    with pytest.raises(ValidationError, match=services.ERROR_SELF_GRANT):
        grant(sysadmin, sysadmin.user.username, Role.KAA_COORDINATOR)
    assert not Membership.objects.filter(role=Role.KAA_COORDINATOR).exists()


@pytest.mark.parametrize("role", services.SYSTEM_GRANTABLE_ROLES)
def test_a_young_persons_account_never_gets_a_staff_role(orgadmin, municipality, role):
    ung = UserFactory(username="ung", person=PersonFactory())
    sysadmin = Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.SYSTEM_ADMIN)
    )
    for actor, grantable in (
        (orgadmin, services.GRANTABLE_ROLES),
        (sysadmin, services.SYSTEM_GRANTABLE_ROLES),
    ):
        with pytest.raises(ValidationError) as exc:
            grant(actor, "ung", role, organisation=municipality)
        expected = (
            {"username": [services.ERROR_PERSON_LINKED_USER]}
            if role in grantable
            else {"role": [services.ERROR_ROLE_NOT_GRANTABLE]}
        )
        assert exc.value.message_dict == expected
    assert not ung.memberships.exists() and not RoleGrant.objects.exists()


def test_an_account_linked_to_a_young_person_while_waiting_gets_no_role(orgadmin):
    """The rule is checked again at the last step: accepting an invitation after the
    account was linked to a young person's record gives no membership."""
    outsider = UserFactory()
    invitation = grant(orgadmin, outsider.username, Role.MENTOR)
    outsider.person = PersonFactory()
    outsider.save()
    with pytest.raises(ValidationError, match=services.ERROR_PERSON_LINKED_USER):
        services.role_grant_accept(user=outsider, grant=invitation)
    assert not outsider.memberships.exists()


def test_a_membership_row_on_a_young_persons_account_fails_validation():
    membership = Membership(
        user=UserFactory(person=PersonFactory()),
        organisation=OrganisationFactory(),
        role=Role.CASE_WORKER,
    )
    with pytest.raises(ValidationError):
        membership.full_clean()


def test_an_organisation_admin_manages_only_their_own_organisation(orgadmin):
    other = MunicipalityFactory()
    colleague = MembershipFactory(organisation=other, role=Role.MENTOR)
    with pytest.raises(PermissionDenied):
        grant(orgadmin, colleague.user.username, Role.KAA_COORDINATOR, organisation=other)
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=orgadmin, membership=colleague)
    assert Membership.objects.filter(pk=colleague.pk).exists()
    assert not RoleGrant.objects.exists() and not GrantEvent.objects.exists()


def test_a_user_of_another_municipality_is_invited_and_reaches_data_only_after_accepting(
    orgadmin, municipality
):
    person = PersonFactory(home_municipality_code="0180")
    neighbour = MunicipalityFactory(municipality_code="1480")
    stranger = MembershipFactory(organisation=neighbour, role=Role.KAA_COORDINATOR).user

    invitation = grant(orgadmin, stranger.username, Role.KAA_COORDINATOR)
    assert invitation.status == GrantStatus.INVITED and invitation.is_invitation
    assert invitation.expires_at - timezone.now() > dt.timedelta(days=13)
    assert not stranger.memberships.filter(organisation=municipality).exists()

    services.role_grant_accept(user=stranger, grant=invitation)
    membership = stranger.memberships.get(organisation=municipality)
    assert membership.role == Role.KAA_COORDINATOR
    actor = Actor.for_membership(membership)
    assert PersonPolicy(actor).may_view(person, purpose=Purpose.KAA)
    assert [e.event for e in events(user=stranger)] == ["invited", "accepted", "granted"]


def test_an_invitation_can_be_declined_and_runs_out(orgadmin, municipality):
    stranger = UserFactory()
    invitation = grant(orgadmin, stranger.username, Role.MENTOR)
    services.role_grant_decline(user=stranger, grant=invitation)
    with pytest.raises(ValidationError, match=services.ERROR_NOT_INVITED):
        services.role_grant_accept(user=stranger, grant=invitation)
    assert not stranger.memberships.exists()

    second = grant(orgadmin, stranger.username, Role.MENTOR)
    RoleGrant.objects.filter(pk=second.pk).update(expires_at=timezone.now())
    with pytest.raises(ValidationError, match=services.ERROR_INVITATION_EXPIRED):
        services.role_grant_accept(user=stranger, grant=second)
    assert not stranger.memberships.exists()
    # Somebody else cannot answer it either.
    with pytest.raises(ValidationError, match=services.ERROR_NOT_INVITED):
        services.role_grant_decline(user=UserFactory(), grant=second)
    # A new invitation closes the one that ran out, and the trail says so.
    third = grant(orgadmin, stranger.username, Role.MENTOR)
    assert third.status == GrantStatus.INVITED
    assert [e.event for e in events(user=stranger)] == [
        "invited",
        "declined",
        "invited",
        "expired",
        "invited",
    ]


def test_a_member_of_the_organisation_gets_the_role_at_once(orgadmin, municipality):
    member = MembershipFactory(organisation=municipality, role=Role.EVALUATOR).user
    result = grant(orgadmin, member.username, Role.KAA_COORDINATOR)
    assert result.status == GrantStatus.ACTIVE
    assert member.memberships.filter(role=Role.KAA_COORDINATOR).exists()
    with pytest.raises(ValidationError, match=services.ERROR_ALREADY_MEMBER):
        grant(orgadmin, member.username, Role.KAA_COORDINATOR)


def test_grants_and_removals_are_in_the_audit_trail(orgadmin, municipality):
    member = MembershipFactory(organisation=municipality, role=Role.EVALUATOR).user
    result = grant(orgadmin, member.username, Role.MENTOR)
    services.membership_remove(actor=orgadmin, membership=result.membership)
    granted, removed = events(user=member)
    for event, kind in ((granted, "granted"), (removed, "removed")):
        assert (
            event.event,
            event.actor_user,
            event.actor_username,
            event.username,
            event.role,
            event.organisation,
            event.organisation_name,
        ) == (
            kind,
            orgadmin.user,
            orgadmin.user.username,
            member.username,
            Role.MENTOR,
            municipality,
            "Exempelstad",
        )
        assert event.at is not None
    assert granted.grant == result and removed.at >= granted.at


def test_a_refused_removal_writes_nothing(orgadmin):
    with pytest.raises(ValidationError, match=services.ERROR_LAST_ADMIN):
        services.membership_remove(actor=orgadmin, membership=orgadmin.membership)
    assert not GrantEvent.objects.exists()


def test_the_audit_trail_is_append_only(orgadmin, municipality):
    member = MembershipFactory(organisation=municipality, role=Role.EVALUATOR).user
    grant(orgadmin, member.username, Role.MENTOR)
    event = GrantEvent.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        GrantEvent.objects.filter(pk=event.pk).update(username="someone-else")
    with pytest.raises(DatabaseError), transaction.atomic():
        GrantEvent.objects.filter(pk=event.pk).delete()
    if connection.vendor == "sqlite":
        # REPLACE would delete the row without firing the DELETE trigger.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"REPLACE INTO {GrantEvent._meta.db_table} "
                f"SELECT * FROM {GrantEvent._meta.db_table} WHERE id = %s",
                [event.pk],
            )
    assert GrantEvent.objects.get().username == member.username


def test_the_audit_trail_is_read_by_the_organisations_admin_and_the_system_admin(
    orgadmin, municipality
):
    other = MunicipalityFactory()
    other_admin = Actor.for_membership(
        MembershipFactory(organisation=other, role=Role.ORGANISATION_ADMIN)
    )
    grant(orgadmin, UserFactory().username, Role.MENTOR)
    grant(other_admin, UserFactory().username, Role.MENTOR)
    sysadmin = Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.SYSTEM_ADMIN)
    )
    mentor = Actor.for_membership(MembershipFactory(organisation=municipality, role=Role.MENTOR))
    assert {e.organisation_id for e in grant_event_list_for(actor=orgadmin)} == {municipality.pk}
    assert {e.organisation_id for e in grant_event_list_for(actor=sysadmin)} == {
        municipality.pk,
        other.pk,
    }
    assert not grant_event_list_for(actor=mentor).exists()


class TestFourEyes:
    @pytest.fixture(autouse=True)
    def _four_eyes(self, settings):
        settings.LOTSEN_GRANTS_FOUR_EYES = True

    def test_a_data_role_waits_for_a_second_admin(self, orgadmin, municipality):
        member = MembershipFactory(organisation=municipality, role=Role.EVALUATOR).user
        request = grant(orgadmin, member.username, Role.KAA_COORDINATOR)
        assert request.status == GrantStatus.AWAITING_APPROVAL
        assert not member.memberships.filter(role=Role.KAA_COORDINATOR).exists()

        # Not the admin who asked, not the user who would get the role, not an admin of
        # an unrelated organisation, not a staff member.
        with pytest.raises(PermissionDenied, match=services.ERROR_OWN_REQUEST):
            services.role_grant_approve(actor=orgadmin, grant=request)
        unrelated = Actor.for_membership(
            MembershipFactory(organisation=MunicipalityFactory(), role=Role.ORGANISATION_ADMIN)
        )
        kaa = Actor.for_membership(
            MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
        )
        for actor in (unrelated, kaa):
            with pytest.raises(PermissionDenied, match=services.ERROR_NOT_APPROVER):
                services.role_grant_approve(actor=actor, grant=request)
        assert not role_grant_to_approve(actor=orgadmin).exists()
        assert not role_grant_to_approve(actor=unrelated).exists()

        second = Actor.for_membership(
            MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
        )
        assert list(role_grant_to_approve(actor=second)) == [request]
        approved = services.role_grant_approve(actor=second, grant=request)
        assert approved.status == GrantStatus.ACTIVE and approved.approved_by == second.user
        assert member.memberships.filter(role=Role.KAA_COORDINATOR).exists()
        assert [(e.event, e.actor_user) for e in events(user=member)] == [
            ("requested", orgadmin.user),
            ("approved", second.user),
            ("granted", second.user),
        ]
        with pytest.raises(ValidationError, match=services.ERROR_NOT_AWAITING_APPROVAL):
            services.role_grant_approve(actor=second, grant=request)

    def test_the_parent_organisations_admin_or_a_system_admin_may_approve(self, municipality):
        organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER, parent=municipality)
        school_admin = Actor.for_membership(
            MembershipFactory(organisation=organiser, role=Role.ORGANISATION_ADMIN)
        )
        parent_admin = Actor.for_membership(
            MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
        )
        sysadmin = Actor.for_membership(
            MembershipFactory(organisation=OrganisationFactory(), role=Role.SYSTEM_ADMIN)
        )
        first, second = (
            MembershipFactory(organisation=organiser, role=Role.EVALUATOR).user for _ in "ab"
        )
        by_parent = grant(school_admin, first.username, Role.MENTOR)
        by_system = grant(school_admin, second.username, Role.MENTOR)
        services.role_grant_approve(actor=parent_admin, grant=by_parent)
        services.role_grant_approve(actor=sysadmin, grant=by_system)
        assert Membership.objects.filter(organisation=organiser, role=Role.MENTOR).count() == 2
        # The other way round does not hold: an organiser's admin approves nothing above it.
        upstairs = grant(
            parent_admin,
            MembershipFactory(organisation=municipality).user.username,
            Role.KAA_COORDINATOR,
        )
        with pytest.raises(PermissionDenied):
            services.role_grant_approve(actor=school_admin, grant=upstairs)

    def test_a_rejected_request_gives_no_role(self, orgadmin, municipality):
        member = MembershipFactory(organisation=municipality, role=Role.EVALUATOR).user
        request = grant(orgadmin, member.username, Role.MENTOR)
        second = Actor.for_membership(
            MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
        )
        services.role_grant_reject(actor=second, grant=request)
        request.refresh_from_db()
        assert request.status == GrantStatus.REJECTED
        assert not member.memberships.filter(role=Role.MENTOR).exists()
        assert [e.event for e in events(user=member)] == ["requested", "rejected"]

    def test_an_approved_invitation_still_waits_for_the_user(self, orgadmin, municipality):
        stranger = UserFactory()
        request = grant(orgadmin, stranger.username, Role.MENTOR)
        second = Actor.for_membership(
            MembershipFactory(organisation=municipality, role=Role.ORGANISATION_ADMIN)
        )
        approved = services.role_grant_approve(actor=second, grant=request)
        assert approved.status == GrantStatus.INVITED and not stranger.memberships.exists()
        services.role_grant_accept(user=stranger, grant=approved)
        assert stranger.memberships.get().role == Role.MENTOR

    def test_roles_without_personal_data_need_no_second_admin(self, orgadmin, municipality):
        member = MembershipFactory(organisation=municipality, role=Role.MENTOR).user
        assert grant(orgadmin, member.username, Role.EVALUATOR).status == GrantStatus.ACTIVE
