"""Reads of notifications, always through the kinds' visibility: a notification about a
thing the actor can no longer reach is neither listed, counted nor e-mailed.

Nothing here reads personal data (a notification is a kind, an id and a link), so nothing
goes through the privacy door or its log; the page the link leads to does.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db.models import Q, QuerySet

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, User
from lotsen.notifications.kinds import registered_kinds
from lotsen.notifications.models import (
    DEFAULT_DELIVERY,
    Delivery,
    Notification,
    NotificationPreference,
)


def actors_of(user: User) -> list[Actor]:
    """Every actor the user can act as: the young person for themselves, or each of a
    staff user's memberships. Used where no request has chosen one (e-mail, the digest)."""
    if user.person_id:
        return [Actor.for_young_person(user)]
    memberships = Membership.objects.filter(user=user).select_related("organisation", "user")
    return [Actor.for_membership(membership) for membership in memberships]


def visible_q(actors: Iterable[Actor], *, kinds: Collection[str] | None = None) -> Q:
    """Notifications whose thing one of ``actors`` may see now, as one filter: each kind's
    ids are a subquery, so listing or counting stays one query. With ``kinds``, only
    notifications of those kinds (the others' subqueries are not built)."""
    q = Q(pk__in=[])
    for actor in actors:
        for kind in registered_kinds():
            if kinds is None or kind.name in kinds:
                q |= Q(kind=kind.name, object_id__in=kind.visible_ids(actor))
    return q


def notification_list(*, actor: Actor) -> QuerySet[Notification]:
    """The actor's user's notifications that this actor may see, newest first."""
    return Notification.objects.filter(visible_q([actor]), user=actor.user).order_by(
        "-created_at", "-id"
    )


def notification_unread_count(*, actor: Actor) -> int:
    """The header's count, on every page. The kinds of the user's unread notifications
    are read first, from the user's own rows: the visibility subqueries (a door query
    per kind, whose building cost more than the count itself) are made only for those
    kinds, and not at all when nothing is unread, as on most pages."""
    unread = Notification.objects.filter(user=actor.user, read_at__isnull=True)
    kinds = set(unread.order_by().values_list("kind", flat=True).distinct())
    if not kinds:
        return 0
    return unread.filter(visible_q([actor], kinds=kinds)).count()


def notifications_visible_to_user(
    *, user: User, queryset: QuerySet[Notification] | None = None
) -> QuerySet[Notification]:
    """The user's notifications that any of their actors may see: what may be e-mailed."""
    base = queryset if queryset is not None else Notification.objects.all()
    return base.filter(visible_q(actors_of(user)), user=user)


def deliveries_for(*, user_ids: Iterable[int], kind: str | None = None) -> dict:
    """(user id, kind) -> delivery the user chose; ``delivery_of`` fills in the default."""
    preferences = NotificationPreference.objects.filter(user_id__in=list(user_ids))
    if kind is not None:
        preferences = preferences.filter(kind=kind)
    return {(p.user_id, p.kind): p.delivery for p in preferences}


def delivery_of(deliveries: dict, *, user_id: int, kind: str) -> str:
    return deliveries.get((user_id, kind), DEFAULT_DELIVERY)


def preference_choices(*, user: User) -> list[tuple[object, str]]:
    """Each registered kind the user can receive, with the delivery they chose."""
    roles = (
        {"young_person"}
        if user.person_id
        else set(Membership.objects.filter(user=user).values_list("role", flat=True))
    )
    chosen = deliveries_for(user_ids=[user.pk])
    return [
        (kind, delivery_of(chosen, user_id=user.pk, kind=kind.name))
        for kind in registered_kinds()
        if not kind.for_roles or roles & kind.for_roles
    ]


__all__ = [
    "Delivery",
    "actors_of",
    "deliveries_for",
    "delivery_of",
    "notification_list",
    "notification_unread_count",
    "notifications_visible_to_user",
    "preference_choices",
    "visible_q",
]
