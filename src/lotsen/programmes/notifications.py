"""Programmes' notification kind: a participant's six-month follow-up falling due.

It goes to the project leaders who are team for the participant's sub-project (the
organisations that lead it, work in it or lead its programme), and is seen under the same
rule as the participant records (``ProgrammePolicy.participations_q``): a project leader
whose organisation leaves the sub-project loses it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Role
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notified_object_ids, notify_each
from lotsen.programmes import indicators
from lotsen.programmes.models import Participation, SubProject
from lotsen.programmes.policy import ProgrammePolicy

# Announced this many days before it falls due (the task list's horizon).
FOLLOW_UP_NOTICE_DAYS = 14


def _participations_visible(actor: Actor) -> QuerySet:
    if actor.role != Role.PROJECT_LEADER:
        return Participation.objects.none().values("pk")
    return Participation.objects.filter(ProgrammePolicy(actor).participations_q()).values("pk")


PARTICIPANT_FOLLOW_UP_DUE = register_kind(
    NotificationKind(
        name="programmes.participant_follow_up_due",
        title="Det är snart dags för en sexmånadersuppföljning av en deltagare i Lotsen",
        visible_ids=_participations_visible,
        for_roles=frozenset({Role.PROJECT_LEADER}),
    )
)


def _team_leaders(subproject_ids) -> dict[int, set[int]]:
    """Sub-project id -> the project leaders who are team for it."""
    orgs: dict[int, set[int]] = defaultdict(set)
    subprojects = SubProject.objects.filter(pk__in=list(subproject_ids))
    for pk, lead, programme_lead in subprojects.values_list(
        "pk", "lead_organisation_id", "programme__lead_organisation_id"
    ):
        orgs[pk] |= {lead, programme_lead}
    for pk, org_id in SubProject.organisations.through.objects.filter(
        subproject_id__in=list(subproject_ids)
    ).values_list("subproject_id", "organisation_id"):
        orgs[pk].add(org_id)
    all_orgs = set().union(*orgs.values()) if orgs else set()
    leaders: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(
        organisation_id__in=all_orgs, role=Role.PROJECT_LEADER
    ).values_list("organisation_id", "user_id"):
        leaders[org_id].add(user_id)
    return {pk: set().union(*(leaders[o] for o in org_ids)) for pk, org_ids in orgs.items()}


def participant_follow_ups_notify(*, today: dt.date | None = None) -> int:
    """The nightly reminder: each follow-up (exit date + six months) that falls due within
    ``FOLLOW_UP_NOTICE_DAYS`` and is not recorded, once."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=FOLLOW_UP_NOTICE_DAYS)
    # A few days' slack for month ends; the exact rule is applied below.
    latest_exit = indicators.add_months(horizon, -indicators.FOLLOWUP_MONTHS) + dt.timedelta(3)
    rows = [
        (pk, subproject_id)
        for pk, subproject_id, exit_date in Participation.objects.filter(
            exit_date__isnull=False, exit_date__lte=latest_exit, followup_6m_status=""
        ).values_list("pk", "subproject_id", "exit_date")
        if indicators.add_months(exit_date, indicators.FOLLOWUP_MONTHS) <= horizon
    ]
    done = notified_object_ids(kind=PARTICIPANT_FOLLOW_UP_DUE.name, object_ids=[r[0] for r in rows])
    rows = [row for row in rows if row[0] not in done]
    leaders = _team_leaders({subproject_id for _, subproject_id in rows})
    return notify_each(
        kind=PARTICIPANT_FOLLOW_UP_DUE.name,
        targets=[
            (pk, reverse("programmes:participation_followup", args=[pk]), leaders.get(sp, ()))
            for pk, sp in rows
        ],
    )
