"""Organisations, users and memberships: the behörighetsadministration.

A role reaches a user through a ``RoleGrant``. The grant becomes a membership at once, or
after a second administrator approves it (four eyes, ``LOTSEN_GRANTS_FOUR_EYES``, for
roles that reach personal data), and, when the user is not yet a member of the
organisation, after the user accepts the invitation. Every step writes a ``GrantEvent``
in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import (
    GrantEvent,
    GrantEventKind,
    GrantStatus,
    Membership,
    Organisation,
    Role,
    RoleGrant,
    User,
)
from lotsen.accounts.selectors import actor_is_system_admin, organisation_ids_overseen_by

ERROR_NOT_ORGANISATION_ADMIN = "Bara organisationens administratör kan ändra medlemmar."
ERROR_UNKNOWN_USER = "Det finns ingen användare med det användarnamnet."
ERROR_ALREADY_MEMBER = "Användaren har redan den rollen i organisationen."
ERROR_ALREADY_REQUESTED = "Användaren har redan en inbjudan eller begäran om den rollen här."
ERROR_LAST_ADMIN = "Organisationen måste ha minst en administratör."
ERROR_ROLE_NOT_GRANTABLE = "Den rollen kan inte delas ut här."
ERROR_SELF_GRANT = (
    "Du kan inte ge dig själv en roll som når personuppgifter. "
    "Be en annan administratör att göra det."
)
ERROR_PERSON_LINKED_USER = (
    "Kontot hör till en ung person och kan inte få en personalroll. "
    "Personal behöver ett eget konto."
)
ERROR_NOT_APPROVER = "Du kan inte godkänna den här begäran."
ERROR_OWN_REQUEST = "En annan administratör än den som begärde rollen måste godkänna den."
ERROR_NOT_AWAITING_APPROVAL = "Begäran väntar inte längre på godkännande."
ERROR_NOT_INVITED = "Inbjudan går inte längre att svara på."
ERROR_INVITATION_EXPIRED = "Inbjudan har gått ut. Be organisationens administratör om en ny."

# Organisation admins hand out the working roles of their own organisation; a system admin
# also appoints system admins. The young person's own access is never granted here: it
# comes from the link between their account and their record.
GRANTABLE_ROLES = [r for r in Role if r not in (Role.SYSTEM_ADMIN, Role.YOUNG_PERSON)]
SYSTEM_GRANTABLE_ROLES = [r for r in Role if r != Role.YOUNG_PERSON]

# Roles that reach personal data about individual young people, whatever the policy says
# today: the privacy policy's working roles are added at call time (see data_roles()).
# Project leaders reach participant records, so they count even if their purpose changes.
_BASE_DATA_ROLES = frozenset(
    {
        Role.KAA_COORDINATOR,
        Role.MENTOR,
        Role.STUDENT_HEALTH,
        Role.COUNSELLOR,
        Role.CASE_WORKER,
        Role.PROJECT_LEADER,
    }
)


def data_roles() -> frozenset[str]:
    # Imported here: privacy builds on accounts, and its policy module imports ours.
    from lotsen.privacy.policy import ROLE_PURPOSE

    return frozenset(_BASE_DATA_ROLES | (set(ROLE_PURPOSE) - {Role.YOUNG_PERSON}))


def _event_record(
    *, event: str, actor_user: User | None, grant: RoleGrant | None = None, **subject
) -> GrantEvent:
    """One audit row, in the caller's transaction. ``subject`` is user, organisation and
    role when there is no grant (a removal)."""
    user = subject.get("user") or grant.user
    organisation = subject.get("organisation") or grant.organisation
    role = subject.get("role") or grant.role
    return GrantEvent.objects.create(
        event=event,
        actor_user=actor_user,
        actor_username=actor_user.username if actor_user else "",
        user=user,
        username=user.username,
        organisation=organisation,
        organisation_name=organisation.name,
        role=role,
        grant=grant,
    )


def _require_admin_of(actor: Actor, organisation: Organisation) -> None:
    # An organisation admin manages their own organisation only, not those below it: a
    # school's staff are appointed by whoever administers the school.
    if actor_is_system_admin(actor):
        return
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation != organisation:
        raise PermissionDenied(ERROR_NOT_ORGANISATION_ADMIN)


def _check_user_may_hold(user: User, role: str) -> None:
    if user.person_id and role != Role.YOUNG_PERSON:
        raise ValidationError({"username": ERROR_PERSON_LINKED_USER})


@transaction.atomic
def organisation_create(**fields) -> Organisation:
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    return organisation


def _membership_create(*, grant: RoleGrant, actor_user: User | None, now: dt.datetime) -> None:
    # Checked again at the last step: the account may have been linked to a young person
    # while the grant waited.
    _check_user_may_hold(grant.user, grant.role)
    membership = Membership(user=grant.user, organisation=grant.organisation, role=grant.role)
    membership.full_clean()
    membership.save()
    grant.membership = membership
    grant.status = GrantStatus.ACTIVE
    grant.save(update_fields=["membership", "status"])
    _event_record(event=GrantEventKind.GRANTED, actor_user=actor_user, grant=grant)


def _invitation_send(*, grant: RoleGrant, actor_user: User | None, now: dt.datetime) -> None:
    grant.status = GrantStatus.INVITED
    grant.expires_at = now + dt.timedelta(days=settings.LOTSEN_GRANT_INVITATION_DAYS)
    grant.save(update_fields=["status", "expires_at"])
    _event_record(event=GrantEventKind.INVITED, actor_user=actor_user, grant=grant)


def _next_step(*, grant: RoleGrant, actor_user: User | None, now: dt.datetime) -> None:
    if grant.is_invitation:
        _invitation_send(grant=grant, actor_user=actor_user, now=now)
    else:
        _membership_create(grant=grant, actor_user=actor_user, now=now)


def _expire_invitations(*, user: User, organisation: Organisation, role: str) -> None:
    """Close invitations that ran out, so that a new one can be sent (and the trail says so)."""
    now = timezone.now()
    stale = RoleGrant.objects.select_for_update().filter(
        user=user,
        organisation=organisation,
        role=role,
        status=GrantStatus.INVITED,
        expires_at__lte=now,
    )
    for grant in stale:
        grant.status = GrantStatus.EXPIRED
        grant.answered_at = now
        grant.save(update_fields=["status", "answered_at"])
        _event_record(event=GrantEventKind.EXPIRED, actor_user=None, grant=grant)


def membership_grant_check(
    *, actor: Actor, organisation: Organisation, user: User, role: str
) -> None:
    """The rules a grant must pass before anything is written; Django admin's form asks
    them too, so that it shows the same errors at the same fields."""
    _require_admin_of(actor, organisation)
    grantable = SYSTEM_GRANTABLE_ROLES if actor_is_system_admin(actor) else GRANTABLE_ROLES
    if role not in grantable:
        raise ValidationError({"role": ERROR_ROLE_NOT_GRANTABLE})
    _check_user_may_hold(user, role)
    if role in data_roles() and user == actor.user:
        raise ValidationError({"username": ERROR_SELF_GRANT})
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": ERROR_ALREADY_MEMBER})


@transaction.atomic
def membership_grant(
    *, actor: Actor, organisation: Organisation, username: str, role: str
) -> RoleGrant:
    """Give ``username`` the role in the organisation, or start the steps towards it.

    - Nobody grants themselves a role that reaches personal data.
    - A young person's account never gets a staff role.
    - A user who is not yet a member of the organisation is invited and must accept.
    - With four eyes on, a data role waits for a second administrator's approval.
    """
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        _require_admin_of(actor, organisation)
        raise ValidationError({"username": ERROR_UNKNOWN_USER})
    membership_grant_check(actor=actor, organisation=organisation, user=user, role=role)
    is_data_role = role in data_roles()
    _expire_invitations(user=user, organisation=organisation, role=role)
    if RoleGrant.objects.filter(
        user=user,
        organisation=organisation,
        role=role,
        status__in=[GrantStatus.AWAITING_APPROVAL, GrantStatus.INVITED],
    ).exists():
        raise ValidationError({"role": ERROR_ALREADY_REQUESTED})

    now = timezone.now()
    grant = RoleGrant.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        requested_by=actor.user,
        requested_at=now,
        status=GrantStatus.AWAITING_APPROVAL,
        needs_approval=is_data_role and settings.LOTSEN_GRANTS_FOUR_EYES,
        # Somebody from outside the organisation (another municipality, a user without
        # any membership yet) joins only by accepting: an admin cannot pull them in.
        is_invitation=not Membership.objects.filter(user=user, organisation=organisation).exists(),
    )
    if grant.needs_approval:
        _event_record(event=GrantEventKind.REQUESTED, actor_user=actor.user, grant=grant)
    else:
        _next_step(grant=grant, actor_user=actor.user, now=now)
    return grant


def _grant_for_update(grant: RoleGrant) -> RoleGrant:
    return (
        RoleGrant.objects.select_for_update()
        .select_related("user", "organisation")
        .get(pk=grant.pk)
    )


@transaction.atomic
def role_grant_approve(*, actor: Actor, grant: RoleGrant) -> RoleGrant:
    """The second pair of eyes: an admin of the organisation or of one above it, or a
    system admin, who neither asked for the role nor receives it."""
    grant = _grant_for_update(grant)
    _check_approver(actor, grant)
    now = timezone.now()
    grant.approved_by = actor.user
    grant.approved_at = now
    grant.save(update_fields=["approved_by", "approved_at"])
    _event_record(event=GrantEventKind.APPROVED, actor_user=actor.user, grant=grant)
    _next_step(grant=grant, actor_user=actor.user, now=now)
    return grant


@transaction.atomic
def role_grant_reject(*, actor: Actor, grant: RoleGrant) -> RoleGrant:
    grant = _grant_for_update(grant)
    _check_approver(actor, grant)
    now = timezone.now()
    grant.status = GrantStatus.REJECTED
    grant.approved_by = actor.user
    grant.approved_at = now
    grant.save(update_fields=["status", "approved_by", "approved_at"])
    _event_record(event=GrantEventKind.REJECTED, actor_user=actor.user, grant=grant)
    return grant


def _check_approver(actor: Actor, grant: RoleGrant) -> None:
    if grant.status != GrantStatus.AWAITING_APPROVAL:
        raise ValidationError(ERROR_NOT_AWAITING_APPROVAL)
    if grant.organisation_id not in organisation_ids_overseen_by(actor=actor):
        raise PermissionDenied(ERROR_NOT_APPROVER)
    if actor.user == grant.requested_by or actor.user == grant.user:
        raise PermissionDenied(ERROR_OWN_REQUEST)


def _invitation_for_update(user: User, grant: RoleGrant) -> RoleGrant:
    grant = _grant_for_update(grant)
    if grant.user_id != user.pk or grant.status != GrantStatus.INVITED:
        raise ValidationError(ERROR_NOT_INVITED)
    return grant


@transaction.atomic
def role_grant_accept(*, user: User, grant: RoleGrant) -> RoleGrant:
    grant = _invitation_for_update(user, grant)
    now = timezone.now()
    if grant.expires_at is not None and grant.expires_at <= now:
        raise ValidationError(ERROR_INVITATION_EXPIRED)
    grant.answered_at = now
    grant.save(update_fields=["answered_at"])
    _event_record(event=GrantEventKind.ACCEPTED, actor_user=user, grant=grant)
    _membership_create(grant=grant, actor_user=user, now=now)
    return grant


@transaction.atomic
def role_grant_decline(*, user: User, grant: RoleGrant) -> RoleGrant:
    grant = _invitation_for_update(user, grant)
    grant.status = GrantStatus.DECLINED
    grant.answered_at = timezone.now()
    grant.save(update_fields=["status", "answered_at"])
    _event_record(event=GrantEventKind.DECLINED, actor_user=user, grant=grant)
    return grant


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    _require_admin_of(actor, membership.organisation)
    if membership.role == Role.ORGANISATION_ADMIN:
        admins = Membership.objects.select_for_update().filter(
            organisation=membership.organisation, role=Role.ORGANISATION_ADMIN
        )
        if admins.count() <= 1:
            raise ValidationError(ERROR_LAST_ADMIN)
    _event_record(
        event=GrantEventKind.REMOVED,
        actor_user=actor.user,
        user=membership.user,
        organisation=membership.organisation,
        role=membership.role,
    )
    membership.delete()


@transaction.atomic
def user_delete(*, actor: Actor, user: User) -> None:
    """Delete an account (Django admin). Its memberships go with it, each recorded as a
    removal in the audit trail like any other."""
    if not actor_is_system_admin(actor):
        raise PermissionDenied(ERROR_NOT_ORGANISATION_ADMIN)
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        _event_record(
            event=GrantEventKind.REMOVED,
            actor_user=actor.user,
            user=user,
            organisation=membership.organisation,
            role=membership.role,
        )
    user.delete()
