from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Role


def membership_list_for_admin(*, actor: Actor) -> QuerySet[Membership]:
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return Membership.objects.none()
    return Membership.objects.filter(organisation=actor.organisation).select_related("user")


def membership_get_for_admin(*, actor: Actor, membership_id: int) -> Membership:
    membership = membership_list_for_admin(actor=actor).filter(pk=membership_id).first()
    if membership is None:
        raise Http404
    return membership


def membership_list_for_user(*, user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation")
