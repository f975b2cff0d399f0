"""Organisations, users and memberships."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, Role, User

ERROR_NOT_ORGANISATION_ADMIN = "Bara organisationens administratör kan ändra medlemmar."
ERROR_UNKNOWN_USER = "Det finns ingen användare med det användarnamnet."
ERROR_ALREADY_MEMBER = "Användaren har redan den rollen i organisationen."
ERROR_LAST_ADMIN = "Organisationen måste ha minst en administratör."
ERROR_ROLE_NOT_GRANTABLE = "Den rollen kan inte delas ut här."

# An organisation admin hands out the working roles of their own organisation; system
# administration and the young person's own access are never granted from this page.
GRANTABLE_ROLES = [r for r in Role if r not in (Role.SYSTEM_ADMIN, Role.YOUNG_PERSON)]


def _require_admin_of(actor: Actor, organisation: Organisation) -> None:
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation != organisation:
        raise PermissionDenied(ERROR_NOT_ORGANISATION_ADMIN)


@transaction.atomic
def organisation_create(**fields) -> Organisation:
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def membership_add(
    *, actor: Actor, organisation: Organisation, username: str, role: str
) -> Membership:
    _require_admin_of(actor, organisation)
    if role not in GRANTABLE_ROLES:
        raise ValidationError({"role": ERROR_ROLE_NOT_GRANTABLE})
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ValidationError({"username": ERROR_UNKNOWN_USER})
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": ERROR_ALREADY_MEMBER})
    return Membership.objects.create(user=user, organisation=organisation, role=role)


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    _require_admin_of(actor, membership.organisation)
    if membership.role == Role.ORGANISATION_ADMIN:
        admins = Membership.objects.select_for_update().filter(
            organisation=membership.organisation, role=Role.ORGANISATION_ADMIN
        )
        if admins.count() <= 1:
            raise ValidationError(ERROR_LAST_ADMIN)
    membership.delete()
