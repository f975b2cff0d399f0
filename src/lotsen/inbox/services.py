"""Writes to the inbox: bulk actions on selected rows.

Every action touches only young people who are in the actor's inbox and whom the actor may
see. An id outside that scope gets the same answer as a missing one (Http404) and nothing
is written, so ids cannot be probed. Each change writes an ``InboxEvent`` and an
access-log entry per person in the same transaction. Two people assigning the same young
person at once: the last write wins, and both events are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.inbox.models import InboxAssignment, InboxEvent, InboxEventKind
from lotsen.inbox.selectors import colleagues_for, inbox_person_ids_in_scope, team_roles_for
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action
from lotsen.privacy.policy import purpose_for

MAX_SELECTED = 100
ACTION_ASSIGN = "assign"
ACTION_ACKNOWLEDGE = "acknowledge"
ACTION_FOLLOW_UP = "follow_up"
ACTIONS = (ACTION_ASSIGN, ACTION_ACKNOWLEDGE, ACTION_FOLLOW_UP)
FOLLOW_UP_MAX_DAYS = 366

ERROR_NONE_SELECTED = "Välj minst en ung person i listan."
ERROR_TOO_MANY = f"Välj högst {MAX_SELECTED} unga personer åt gången."
ERROR_UNKNOWN_ACTION = "Välj vad som ska göras."
ERROR_NO_ASSIGNEE = "Välj en person eller ett team att tilldela."
ERROR_NOT_A_COLLEAGUE = "Den valda personen eller teamet finns inte i din organisation."
ERROR_FOLLOW_UP_DATE = "Ange ett datum för uppföljning, från i dag och högst ett år framåt."


def _assignee(actor: Actor, assignee: str) -> tuple[int | None, str]:
    """``assignee`` is "user:<id>" or "team:<role>", from the form's one select."""
    kind, _sep, value = (assignee or "").partition(":")
    if kind == "user" and value.isdigit():
        if int(value) in {user_id for user_id, _name in colleagues_for(actor)}:
            return int(value), ""
    elif kind == "team" and value in team_roles_for(actor):
        return None, value
    if not assignee:
        raise ValidationError({"assignee": ERROR_NO_ASSIGNEE})
    raise ValidationError({"assignee": ERROR_NOT_A_COLLEAGUE})


@transaction.atomic
def inbox_bulk_apply(
    *,
    actor: Actor,
    person_ids: Iterable[int],
    action: str,
    assignee: str = "",
    follow_up_on: dt.date | None = None,
) -> int:
    """Apply ``action`` to the selected young people's rows; returns how many changed."""
    ids = sorted(set(person_ids))
    if not ids:
        raise ValidationError({"person_ids": ERROR_NONE_SELECTED})
    if len(ids) > MAX_SELECTED:
        raise ValidationError({"person_ids": ERROR_TOO_MANY})
    if action not in ACTIONS:
        raise ValidationError({"action": ERROR_UNKNOWN_ACTION})
    if set(inbox_person_ids_in_scope(actor=actor, person_ids=ids)) != set(ids):
        raise Http404
    user_id, role = (None, "")
    if action == ACTION_ASSIGN:
        user_id, role = _assignee(actor, assignee)
    today = timezone.localdate()
    if action == ACTION_FOLLOW_UP and (
        follow_up_on is None
        or not today <= follow_up_on <= today + dt.timedelta(days=FOLLOW_UP_MAX_DAYS)
    ):
        raise ValidationError({"follow_up_on": ERROR_FOLLOW_UP_DATE})

    now = timezone.now()
    existing = {
        a.person_id: a
        for a in InboxAssignment.objects.select_for_update().filter(
            organisation=actor.organisation, person_id__in=ids
        )
    }
    missing = [
        InboxAssignment(organisation=actor.organisation, person_id=pk, updated_by=actor.user)
        for pk in ids
        if pk not in existing
    ]
    InboxAssignment.objects.bulk_create(missing, ignore_conflicts=True)
    assignments = list(
        InboxAssignment.objects.select_for_update().filter(
            organisation=actor.organisation, person_id__in=ids
        )
    )
    for assignment in assignments:
        if action == ACTION_ASSIGN:
            assignment.assigned_to_id, assignment.assigned_role = user_id, role
            detail = f"user:{user_id}" if user_id else f"team:{role}"
            kind = InboxEventKind.ASSIGN
        elif action == ACTION_ACKNOWLEDGE:
            assignment.acknowledged_at, assignment.acknowledged_by = now, actor.user
            detail, kind = "", InboxEventKind.ACKNOWLEDGE
        else:
            assignment.follow_up_on = follow_up_on
            detail, kind = follow_up_on.isoformat(), InboxEventKind.FOLLOW_UP
        assignment.updated_at, assignment.updated_by = now, actor.user
    InboxAssignment.objects.bulk_update(
        assignments,
        [
            "assigned_to",
            "assigned_role",
            "acknowledged_at",
            "acknowledged_by",
            "follow_up_on",
            "updated_at",
            "updated_by",
        ],
    )
    InboxEvent.objects.bulk_create(
        InboxEvent(assignment=a, actor=actor.user, kind=kind, detail=detail, created_at=now)
        for a in assignments
    )
    persons_written(
        actor=actor,
        action=Action.UPDATE,
        purpose=purpose_for(actor),
        person_ids=ids,
        object_type="inbox",
    )
    return len(assignments)
