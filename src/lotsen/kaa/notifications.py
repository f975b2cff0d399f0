"""KAA's notification kind: a notice from a school to the home municipality.

A coordinator sees the notices to the municipality they work for (the same rule as the
notice inbox); one who leaves the municipality loses the notification with the inbox.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role, User
from lotsen.kaa.models import Notice
from lotsen.kaa.policy import actor_municipality_code
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notify


def _notices_visible(actor: Actor) -> QuerySet:
    code = actor_municipality_code(actor) if actor.role == Role.KAA_COORDINATOR else ""
    if not code:
        return Notice.objects.none().values("pk")
    return Notice.objects.filter(municipality_code=code).values("pk")


NOTICE_RECEIVED = register_kind(
    NotificationKind(
        name="kaa.notice_received",
        title="Din kommun har fått en ny anmälan från en skola i Lotsen",
        visible_ids=_notices_visible,
        for_roles=frozenset({Role.KAA_COORDINATOR}),
    )
)


def notice_notify(*, notice: Notice) -> None:
    """To the KAA coordinators of the notice's home municipality."""
    coordinators = User.objects.filter(
        memberships__role=Role.KAA_COORDINATOR,
        memberships__organisation__kind=OrganisationKind.MUNICIPALITY,
        memberships__organisation__municipality_code=notice.municipality_code,
    ).distinct()
    notify(
        users=coordinators,
        kind=NOTICE_RECEIVED.name,
        url=reverse("kaa:inbox"),
        object_id=notice.pk,
    )
