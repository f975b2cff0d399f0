"""Privacy's notification kinds: emergency access used on a young person.

The young person is told on their own pages (the link leads to who has read their data),
and the administrators who review the access are told on their review list. The young
person sees every emergency access on themselves; an administrator those opened in the
organisations they review (``organisation_ids_for_emergency_review``), never their own.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Role, User
from lotsen.accounts.selectors import organisation_ids_for_emergency_review
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notify
from lotsen.privacy.models import EmergencyAccess


def _on_me(actor: Actor) -> QuerySet:
    if actor.role != Role.YOUNG_PERSON or not actor.user.person_id:
        return EmergencyAccess.objects.none().values("pk")
    return EmergencyAccess.objects.filter(person_id=actor.user.person_id).values("pk")


def _to_review(actor: Actor) -> QuerySet:
    if actor.role not in (Role.ORGANISATION_ADMIN, Role.SYSTEM_ADMIN):
        return EmergencyAccess.objects.none().values("pk")
    org_ids = organisation_ids_for_emergency_review(actor=actor)
    return (
        EmergencyAccess.objects.filter(organisation_id__in=org_ids)
        .exclude(actor_user=actor.user)
        .values("pk")
    )


EMERGENCY_ACCESS_ON_ME = register_kind(
    NotificationKind(
        name="privacy.emergency_access_on_me",
        title="Någon har använt nödåtkomst till dina uppgifter i Lotsen",
        visible_ids=_on_me,
        for_roles=frozenset({Role.YOUNG_PERSON}),
    )
)
EMERGENCY_ACCESS_TO_REVIEW = register_kind(
    NotificationKind(
        name="privacy.emergency_access_to_review",
        title="En nödåtkomst i Lotsen väntar på granskning",
        visible_ids=_to_review,
        for_roles=frozenset({Role.ORGANISATION_ADMIN, Role.SYSTEM_ADMIN}),
    )
)


def _reviewers(grant: EmergencyAccess) -> list[User]:
    """The administrators the review list routes this grant to: the admins of its
    organisation and of every organisation above it, or the system admins when there are
    none (the routing of ``organisation_ids_for_emergency_review``, asked the other way)."""
    chain, org = [], grant.organisation
    while org is not None and org.pk not in chain:
        chain.append(org.pk)
        org = org.parent
    admins = Membership.objects.filter(organisation_id__in=chain, role=Role.ORGANISATION_ADMIN)
    if not admins.exists():
        admins = Membership.objects.filter(role=Role.SYSTEM_ADMIN)
    return [
        user
        for user in User.objects.filter(pk__in=admins.values("user_id")).exclude(
            pk=grant.actor_user_id
        )
    ]


def emergency_access_notify(*, grant: EmergencyAccess) -> None:
    own_account = User.objects.filter(person_id=grant.person_id)
    notify(
        users=own_account,
        kind=EMERGENCY_ACCESS_ON_ME.name,
        url=reverse("youth:access_log"),
        object_id=grant.pk,
    )
    notify(
        users=_reviewers(grant),
        kind=EMERGENCY_ACCESS_TO_REVIEW.name,
        url=reverse("web:emergency_review_list"),
        object_id=grant.pk,
    )
