from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import (
    OPEN_GRANT_STATUSES,
    GrantEvent,
    GrantStatus,
    Membership,
    Organisation,
    Role,
    RoleGrant,
    User,
)


def actor_is_system_admin(actor: Actor) -> bool:
    """A system admin acts through a system-admin membership; a superuser without any
    membership (the account `createsuperuser` makes to set up a new installation) counts
    as one too, so that the first organisation admin can be appointed."""
    if actor.role == Role.SYSTEM_ADMIN:
        return True
    return actor.membership is None and actor.user.is_superuser and not actor.user.person_id


def _organisation_tree() -> dict[int, int | None]:
    """Every organisation's parent. The tree is small (hundreds of rows at most) and read
    in one query, so walking it in Python beats a recursive query per database."""
    return dict(Organisation.objects.values_list("pk", "parent_id"))


def _descendants(root_id: int, parents: dict[int, int | None]) -> set[int]:
    children: dict[int, list[int]] = {}
    for org_id, parent_id in parents.items():
        if parent_id is not None:
            children.setdefault(parent_id, []).append(org_id)
    found, stack = {root_id}, [root_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:  # a loop in bad data must not hang the page
                found.add(child)
                stack.append(child)
    return found


def organisation_ids_overseen_by(*, actor: Actor) -> set[int]:
    """The organisations whose role requests this actor may approve: an organisation admin
    oversees their own organisation and everything below it (a municipality its school
    organiser and school units); a system admin oversees all."""
    if actor_is_system_admin(actor):
        return set(Organisation.objects.values_list("pk", flat=True))
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return set()
    return _descendants(actor.organisation.pk, _organisation_tree())


def organisation_ids_for_emergency_review(*, actor: Actor) -> set[int]:
    """The organisations whose emergency accesses this actor reviews.

    Every grant goes to an administrator who can act on it: the organisation's own admin or
    an admin of an organisation above it (a school unit has none of its own; its organiser's
    or its municipality's admin reviews). Grants from organisations with no admin anywhere
    above them go to the system admins, so that none is left unreviewed.
    """
    if actor_is_system_admin(actor):
        parents = _organisation_tree()
        with_admin = set(
            Membership.objects.filter(role=Role.ORGANISATION_ADMIN).values_list(
                "organisation_id", flat=True
            )
        )
        orphans = set()
        for org_id in parents:
            chain, seen = org_id, set()
            while chain is not None and chain not in with_admin and chain not in seen:
                seen.add(chain)
                chain = parents.get(chain)
            if chain is None or chain in seen:
                orphans.add(org_id)
        return orphans
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return set()
    return _descendants(actor.organisation.pk, _organisation_tree())


def membership_list_for_admin(*, actor: Actor) -> QuerySet[Membership]:
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return Membership.objects.none()
    return Membership.objects.filter(organisation=actor.organisation).select_related("user")


def membership_get_for_admin(*, actor: Actor, membership_id: int) -> Membership:
    membership = membership_list_for_admin(actor=actor).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    # A young person's own account acts only as the young person, whatever rows exist.
    if user.person_id:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation")


def role_grant_open_for_admin(*, actor: Actor) -> QuerySet[RoleGrant]:
    """Requests and invitations of the admin's own organisation that are not done yet."""
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(
        organisation=actor.organisation, status__in=OPEN_GRANT_STATUSES
    ).select_related("user", "requested_by", "organisation")


def role_grant_to_approve(*, actor: Actor) -> QuerySet[RoleGrant]:
    """Requests waiting for a second administrator that this actor may decide on: in an
    organisation they oversee, asked for by somebody else, for somebody else."""
    overseen = organisation_ids_overseen_by(actor=actor)
    return (
        RoleGrant.objects.filter(status=GrantStatus.AWAITING_APPROVAL, organisation_id__in=overseen)
        .exclude(requested_by=actor.user)
        .exclude(user=actor.user)
        .select_related("user", "requested_by", "organisation")
    )


def role_grant_get_to_approve(*, actor: Actor, grant_id: int) -> RoleGrant:
    grant = role_grant_to_approve(actor=actor).filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    return grant


def role_grant_invitations_for(*, user: User) -> QuerySet[RoleGrant]:
    """Invitations the user can still answer (not run out)."""
    if user.person_id:
        return RoleGrant.objects.none()
    return RoleGrant.objects.filter(
        user=user, status=GrantStatus.INVITED, expires_at__gt=timezone.now()
    ).select_related("organisation", "requested_by")


def role_grant_get_invitation(*, user: User, grant_id: int) -> RoleGrant:
    grant = role_grant_invitations_for(user=user).filter(pk=grant_id).first()
    if grant is None:
        raise Http404
    return grant


def grant_event_list_for(*, actor: Actor) -> QuerySet[GrantEvent]:
    """The role-administration audit trail: an organisation admin reads their own
    organisation's, a system admin everybody's. Nobody else reads it."""
    if actor_is_system_admin(actor):
        return GrantEvent.objects.all()
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return GrantEvent.objects.none()
    return GrantEvent.objects.filter(organisation=actor.organisation)
