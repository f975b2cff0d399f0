"""Support's notification kinds: a referral received, and a referral answered.

Both are seen under ``CasePolicy``'s referral rule, the same one the referral page reads
through: the receiver while a consent names it, the sender while it sees the case. A
withdrawn consent therefore takes the notification away with the referral.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import User
from lotsen.accounts.roles import CASE_ROLES
from lotsen.notifications.kinds import NotificationKind, register_kind
from lotsen.notifications.services import notify
from lotsen.support.models import Referral
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
