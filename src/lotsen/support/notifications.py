"""Support's notification kinds: a referral received, a referral answered, a handover
received by a school, a plan follow-up falling due, and a consent about to expire on a case
the organisation owns.

Both are seen under ``CasePolicy``'s referral rule, the same one the referral page reads
through: the receiver while a consent names it, the sender while it sees the case. A
withdrawn consent therefore takes the notification away with the referral.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import User
from lotsen.accounts.roles import CASE_ROLES
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notified_object_ids, notify, notify_each
from lotsen.privacy.models import Consent
from lotsen.support.models import Case, CaseStatus, Handover, PlanAction, Referral
from lotsen.support.policy import CasePolicy


def _referrals_visible(actor: Actor) -> QuerySet:
    return Referral.objects.filter(CasePolicy(actor).referrals_q()).values("pk")


REFERRAL_RECEIVED = register_kind(
    NotificationKind(
        name="support.referral_received",
        title="Du har en ny remiss i Lotsen",
        visible_ids=_referrals_visible,
        for_roles=CASE_ROLES,
    )
)
REFERRAL_ANSWERED = register_kind(
    NotificationKind(
        name="support.referral_answered",
        title="En remiss du skickat har fått svar i Lotsen",
        visible_ids=_referrals_visible,
        for_roles=CASE_ROLES,
    )
)


def referral_notify(*, referral: Referral) -> None:
    """A new referral goes to everyone who works in cases at the receiver; an answered one
    (accepted or declined) to the person who sent it."""
    url = reverse("support:referral_detail", args=[referral.pk])
    if referral.answered_at is None:
        users = User.objects.filter(
            memberships__organisation_id=referral.to_organisation_id,
            memberships__role__in=CASE_ROLES,
        ).distinct()
        notify(users=users, kind=REFERRAL_RECEIVED.name, url=url, object_id=referral.pk)
    else:
        sender = [referral.sent_by] if referral.sent_by_id else []
        notify(users=sender, kind=REFERRAL_ANSWERED.name, url=url, object_id=referral.pk)


# --- Handovers, follow-ups and consents ---------------------------------------------------

# A plan follow-up is announced this many days before it falls due (the task list's
# horizon), and a consent this many days before it expires.
FOLLOW_UP_NOTICE_DAYS = 7
CONSENT_NOTICE_DAYS = 30


def _handovers_visible(actor: Actor) -> QuerySet:
    # The receiving school sees a handover only while a consent names it and school data.
    return Handover.objects.filter(CasePolicy(actor).handovers_q()).values("pk")


def _follow_ups_visible(actor: Actor) -> QuerySet:
    policy = CasePolicy(actor)
    if not policy.is_staff():
        return PlanAction.objects.none().values("pk")
    open_cases = policy.cases().filter(status=CaseStatus.OPEN).values("pk")
    return PlanAction.objects.filter(
        Q(responsible_user__isnull=True) | Q(responsible_user=actor.user),
        responsible_organisation=actor.organisation,
        plan__case__in=open_cases,
    ).values("pk")


def _consents_visible(actor: Actor) -> QuerySet:
    policy = CasePolicy(actor)
    if not policy.is_staff():
        return Consent.objects.none().values("pk")
    owned = policy.cases().filter(owner=actor.organisation, status=CaseStatus.OPEN)
    return Consent.objects.filter(
        organisations=actor.organisation, person__in=owned.values("person_id")
    ).values("pk")


HANDOVER_RECEIVED = register_kind(
    NotificationKind(
        name="support.handover_received",
        title="Din skola har fått en överlämning i Lotsen",
        visible_ids=_handovers_visible,
        for_roles=CASE_ROLES,
    )
)
FOLLOW_UP_DUE = register_kind(
    NotificationKind(
        name="support.follow_up_due",
        title="Det är snart dags för en uppföljning i Lotsen",
        visible_ids=_follow_ups_visible,
        for_roles=CASE_ROLES,
    )
)
CONSENT_EXPIRING = register_kind(
    NotificationKind(
        name="support.consent_expiring",
        title="Ett samtycke i ett av era ärenden upphör snart i Lotsen",
        visible_ids=_consents_visible,
        for_roles=CASE_ROLES,
    )
)


def _case_workers(organisation_ids) -> dict[int, list[int]]:
    """Organisation id -> the users who work in cases there."""
    workers: dict[int, list[int]] = {}
    for org_id, user_id in (
        User.objects.filter(
            memberships__organisation_id__in=list(organisation_ids),
            memberships__role__in=CASE_ROLES,
        )
        .values_list("memberships__organisation_id", "pk")
        .distinct()
    ):
        workers.setdefault(org_id, []).append(user_id)
    return workers


def handover_notify(*, handover: Handover) -> None:
    """To everyone who works in cases at the receiving school. Until a consent names the
    school, the notification waits unseen, as the handover does."""
    users = User.objects.filter(
        memberships__organisation_id=handover.to_school_id, memberships__role__in=CASE_ROLES
    ).distinct()
    notify(
        users=users,
        kind=HANDOVER_RECEIVED.name,
        url=reverse("support:handover_detail", args=[handover.pk]),
        object_id=handover.pk,
    )


def follow_ups_due_notify(*, today: dt.date | None = None) -> int:
    """The nightly reminder: each open plan action whose follow-up falls due within
    ``FOLLOW_UP_NOTICE_DAYS`` (or is overdue) goes once to the person responsible, or to
    the case workers of the responsible organisation when no one is named."""
    today = today or timezone.localdate()
    actions = list(
        PlanAction.objects.filter(
            done_on__isnull=True,
            follow_up_on__lte=today + dt.timedelta(days=FOLLOW_UP_NOTICE_DAYS),
            plan__case__status=CaseStatus.OPEN,
        ).values_list("pk", "plan__case_id", "responsible_organisation_id", "responsible_user_id")
    )
    done = notified_object_ids(kind=FOLLOW_UP_DUE.name, object_ids=[a[0] for a in actions])
    actions = [a for a in actions if a[0] not in done]
    workers = _case_workers({a[2] for a in actions if a[3] is None})
    return notify_each(
        kind=FOLLOW_UP_DUE.name,
        targets=[
            (
                pk,
                reverse("support:case_detail", args=[case_id]),
                [user_id] if user_id else workers.get(org_id, []),
            )
            for pk, case_id, org_id, user_id in actions
        ],
    )


def consents_expiring_notify(*, today: dt.date | None = None) -> int:
    """The nightly reminder: each consent that expires within ``CONSENT_NOTICE_DAYS``, once,
    to the case workers of every organisation that owns an open case for the young person
    and is named by the consent."""
    today = today or timezone.localdate()
    consents = list(
        Consent.objects.filter(
            withdrawn_at__isnull=True,
            expires_on__gte=today,
            expires_on__lte=today + dt.timedelta(days=CONSENT_NOTICE_DAYS),
        ).values_list("pk", "person_id")
    )
    done = notified_object_ids(kind=CONSENT_EXPIRING.name, object_ids=[c[0] for c in consents])
    consents = [c for c in consents if c[0] not in done]
    named = set(
        Consent.organisations.through.objects.filter(
            consent_id__in=[c[0] for c in consents]
        ).values_list("consent_id", "organisation_id")
    )
    cases = list(
        Case.objects.filter(
            status=CaseStatus.OPEN, person_id__in={c[1] for c in consents}
        ).values_list("pk", "person_id", "owner_id")
    )
    workers = _case_workers({owner for _, _, owner in cases})
    targets = []
    for consent_id, person_id in consents:
        for case_id, case_person, owner in cases:
            if case_person == person_id and (consent_id, owner) in named:
                targets.append(
                    (
                        consent_id,
                        reverse("support:case_detail", args=[case_id]),
                        workers.get(owner, []),
                    )
                )
    return notify_each(kind=CONSENT_EXPIRING.name, targets=targets)
