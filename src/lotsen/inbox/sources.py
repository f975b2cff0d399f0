"""What puts a young person in an actor's inbox: one small function per kind of item.

Each source is a queryset of the domain's own rows (signals, notices, follow-ups …) that the
actor may see, found through the domain's own visibility selector or policy, and annotated
with the same four fields so that the inbox can treat them alike:

- ``inbox_person``: the young person the row is about;
- ``inbox_since``: the day the item started waiting (raised, sent, entered the cohort);
- ``inbox_due``: the day it should be dealt with, or null;
- ``inbox_detail``: a short code the reason's text is made from (a rule id), or "".

Nothing here reads or logs a person: the selector ranks persons by these querysets inside
the database and reads only the page it shows through the door.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import CharField, DateField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, TruncDate

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.accounts.roles import CASE_ROLES
from lotsen.earlywarning.models import WAITING
from lotsen.earlywarning.selectors import objections_waiting_for, signals_visible_to
from lotsen.earlywarning.services import SCHOOL_ROLES
from lotsen.kaa.models import FollowUp, Notice
from lotsen.kaa.selectors import current_memberships, kaa_scope, with_status
from lotsen.privacy.models import Consent
from lotsen.support.models import CaseStatus, Handover, PlanAction, Referral, ReferralStatus
from lotsen.support.policy import CasePolicy
from lotsen.support.selectors import CONSENT_EXPIRY_HORIZON_DAYS, TASK_HORIZON_DAYS

# A handover stays in the receiving school's inbox this long after it was written (it has
# no "received" flag of its own; acknowledging it in the inbox is the receipt).
HANDOVER_DAYS = 60


class Kind:
    SIGNAL = "signal"
    OBJECTION = "score_objection"
    HANDOVER = "handover"
    CASE_FOLLOW_UP = "case_follow_up"
    REFERRAL = "referral"
    CONSENT = "consent_expiring"
    KAA_NOTICE = "kaa_notice"
    KAA_UNKNOWN = "kaa_unknown"
    KAA_FOLLOW_UP = "kaa_follow_up"


@dataclass(frozen=True)
class Source:
    kind: str
    rows: QuerySet


def _shape(rows: QuerySet, *, person: str, since, due=None, detail: str | None = None) -> QuerySet:
    return rows.annotate(
        inbox_person=F(person),
        inbox_since=since,
        # A typed null: PostgreSQL will not take an untyped one as a date in MIN/COALESCE.
        inbox_due=F(due) if due else Cast(Value(None), output_field=DateField()),
        inbox_detail=F(detail) if detail else Value("", output_field=CharField()),
    )


def _signals(actor: Actor, today: dt.date) -> QuerySet:
    # Signals nobody has yet recorded an action on, at the actor's own school units.
    return _shape(
        signals_visible_to(actor).filter(status__in=WAITING),
        person="person_id",
        since=F("raised_on"),
        due="due_on",
        detail="rule_id",
    )


def _objections(actor: Actor, today: dt.date) -> QuerySet:
    return _shape(
        objections_waiting_for(actor), person="score__person_id", since=TruncDate("created_at")
    )


def _handovers(actor: Actor, today: dt.date) -> QuerySet:
    """Handovers written to the actor's school in the last HANDOVER_DAYS, as the case
    policy lets the receiving school read them (with the young person's consent)."""
    policy = CasePolicy(actor)
    rows = Handover.objects.filter(
        policy.handovers_q(),
        to_school=actor.organisation,
        written_at__date__gte=today - dt.timedelta(days=HANDOVER_DAYS),
    )
    return _shape(rows, person="person_id", since=TruncDate("written_at"))


def _case_follow_ups(actor: Actor, today: dt.date) -> QuerySet:
    # The same plan actions as support's task list: the organisation's, not someone else's.
    visible = CasePolicy(actor).cases().filter(status=CaseStatus.OPEN)
    rows = PlanAction.objects.filter(
        Q(responsible_user__isnull=True) | Q(responsible_user=actor.user),
        done_on__isnull=True,
        follow_up_on__lte=today + dt.timedelta(days=TASK_HORIZON_DAYS),
        responsible_organisation=actor.organisation,
        plan__case__in=visible.values("pk"),
    )
    return _shape(rows, person="plan__case__person_id", since=F("follow_up_on"), due="follow_up_on")


def _referrals(actor: Actor, today: dt.date) -> QuerySet:
    rows = Referral.objects.filter(
        CasePolicy(actor).referrals_q(),
        to_organisation=actor.organisation,
        status=ReferralStatus.PENDING,
    )
    return _shape(rows, person="case__person_id", since=TruncDate("sent_at"))


def _consents(actor: Actor, today: dt.date) -> QuerySet:
    org = actor.organisation
    owned = CasePolicy(actor).cases().filter(status=CaseStatus.OPEN, owner=org)
    rows = Consent.objects.filter(
        withdrawn_at__isnull=True,
        expires_on__gte=today,
        expires_on__lte=today + dt.timedelta(days=CONSENT_EXPIRY_HORIZON_DAYS),
        organisations=org,
        person__in=owned.values("person_id"),
    )
    return _shape(rows, person="person_id", since=F("expires_on"), due="expires_on")


def _kaa_notices(actor: Actor, today: dt.date) -> QuerySet:
    scope = kaa_scope(actor)
    if scope is None:
        return Notice.objects.none()
    # A notice naming someone the municipality may not reach stays on the notice list
    # (kaa_notice_inbox) without a name; the inbox is by person, so it is not here.
    rows = Notice.objects.filter(
        municipality_code=scope.municipality_code,
        handled_at__isnull=True,
        person__in=scope.persons().values("pk"),
    )
    return _shape(rows, person="person_id", since=TruncDate("sent_at"), detail="kind")


def _kaa_unknown(actor: Actor, today: dt.date) -> QuerySet:
    scope = kaa_scope(actor)
    if scope is None:
        return Notice.objects.none()
    code = scope.municipality_code
    rows = with_status(
        current_memberships(municipality_code=code, today=today),
        municipality_code=code,
        today=today,
    ).filter(in_measure=False, has_known_contact=False, person__in=scope.persons().values("pk"))
    return _shape(rows, person="person_id", since=F("entered_on"))


def _kaa_follow_ups(actor: Actor, today: dt.date) -> QuerySet:
    scope = kaa_scope(actor)
    if scope is None:
        return FollowUp.objects.none()
    rows = FollowUp.objects.filter(
        measure__municipality_code=scope.municipality_code,
        done_on__isnull=True,
        due_on__lte=today + dt.timedelta(days=TASK_HORIZON_DAYS),
        measure__person__in=scope.persons().values("pk"),
    )
    return _shape(rows, person="measure__person_id", since=F("due_on"), due="due_on")


SourceFn = Callable[[Actor, dt.date], QuerySet]

# Which kinds each role works with, in the order the person page lists their reasons.
# Project leaders see participants' project records only, never persons: their
# six-month follow-ups stay on the start page's list of participant records.
_SCHOOL: list[tuple[str, SourceFn]] = [
    (Kind.SIGNAL, _signals),
    (Kind.OBJECTION, _objections),
    (Kind.HANDOVER, _handovers),
]
_CASES: list[tuple[str, SourceFn]] = [
    (Kind.CASE_FOLLOW_UP, _case_follow_ups),
    (Kind.REFERRAL, _referrals),
    (Kind.CONSENT, _consents),
]
_KAA: list[tuple[str, SourceFn]] = [
    (Kind.KAA_UNKNOWN, _kaa_unknown),
    (Kind.KAA_NOTICE, _kaa_notices),
    (Kind.KAA_FOLLOW_UP, _kaa_follow_ups),
]


def sources_for(actor: Actor, *, today: dt.date) -> list[Source]:
    """The kinds of item this actor's inbox holds, each as the rows the actor may see."""
    if actor.organisation is None or actor.role == Role.YOUNG_PERSON:
        return []
    kinds: list[tuple[str, SourceFn]] = []
    if actor.role in SCHOOL_ROLES:
        kinds += _SCHOOL
    if actor.role == Role.KAA_COORDINATOR:
        kinds += _KAA
    if actor.role in CASE_ROLES:
        kinds += _CASES
    return [Source(kind=kind, rows=fn(actor, today)) for kind, fn in kinds]


def kinds_for(actor: Actor) -> list[str]:
    """The kinds the actor's inbox can hold, without building their querysets."""
    kinds: list[str] = []
    if actor.organisation is None:
        return kinds
    if actor.role in SCHOOL_ROLES:
        kinds += [kind for kind, _fn in _SCHOOL]
    if actor.role == Role.KAA_COORDINATOR:
        kinds += [kind for kind, _fn in _KAA]
    if actor.role in CASE_ROLES:
        kinds += [kind for kind, _fn in _CASES]
    return kinds
