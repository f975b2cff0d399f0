"""Early warning's notification kind: a signal assigned to me, or to my team.

A new signal goes to the one mentor it was assigned to, or, when its school unit has
several mentors and nobody was chosen, to all of them (the team that decides who takes
it); a signal assigned by hand goes to its new holder. It is seen under the same rule as
the signal inbox (``signals_visible_to``: the actor's own school units and the person
policy for school data), so a mentor who leaves the school loses the notification.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import QuerySet
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notify_each


def _signals_visible(actor: Actor) -> QuerySet:
    # Imported here: the selectors import the services, which send these notifications.
    from lotsen.earlywarning.selectors import signals_visible_to

    return signals_visible_to(actor).values("pk")


SIGNAL_ASSIGNED = register_kind(
    NotificationKind(
        name="signals.assigned",
        title="En signal har kommit till dig eller ditt arbetslag i Lotsen",
        visible_ids=_signals_visible,
        for_roles=frozenset({Role.MENTOR, Role.STUDENT_HEALTH, Role.COUNSELLOR}),
    )
)


def signals_notify(*, recipients: Mapping[int, Iterable[int]]) -> int:
    """Signal id -> the users to tell; one batch of queries for all of them."""
    return notify_each(
        kind=SIGNAL_ASSIGNED.name,
        targets=[
            (signal_id, reverse("signals:detail", args=[signal_id]), user_ids)
            for signal_id, user_ids in recipients.items()
        ],
    )
