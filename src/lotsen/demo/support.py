"""Coordinated support in the demo: the young person's own case at social services, a few
cases at Björkskolan opened from signals, a referral waiting for social services, and the
methods catalogue.

The staff's work goes through the services, as the demo users themselves, so the demo's
access log tells the same story a real one would; the young person's check-ins and message
are written as they would have left them. Idempotent: a second run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, User
from lotsen.demo.generator import DEMO_HEALTH_CARE_NAME
from lotsen.demo.insights import methods_demo_seed
from lotsen.earlywarning.models import NOT_CLOSED, Signal
from lotsen.earlywarning.services import signals_compute
from lotsen.people.models import Person
from lotsen.privacy.models import Category, ConsentGiver
from lotsen.privacy.services import consent_record
from lotsen.school.models import AttendancePeriod, Enrolment
from lotsen.support.models import Case, Method, Referral, WellbeingCheckin, YouthMessage
from lotsen.support.services import (
    case_open,
    contact_record,
    goal_add,
    intervention_add,
    note_add,
    plan_action_add,
    plan_update,
    referral_send,
)

DEMO_METHOD_NAMES = ("Motiverande samtal", "Individuell studieplan med mentor")


@dataclass
class SupportDemoSummary:
    cases: int
    referrals_pending: int


def _methods() -> list[Method]:
    """The catalogue's demo methods (written by ``demo.insights``), in the order used here."""
    methods_demo_seed()
    return [Method.objects.get(name=name) for name in DEMO_METHOD_NAMES]


def _actor(username: str) -> Actor:
    membership = Membership.objects.select_related("organisation", "user").get(
        user__username=username
    )
    return Actor.for_membership(membership)


@transaction.atomic
def support_demo_seed(*, today: dt.date | None = None) -> SupportDemoSummary:
    today = today or timezone.localdate()
    methods = _methods()
    coach, mentor = _actor("coach"), _actor("mentor")
    young = User.objects.select_related("person").get(username="ung").person
    social = coach.organisation
    if not Case.objects.filter(person=young, owner=social).exists():
        _young_persons_case(coach, young, methods, today)
    # Cases opened by hand for pupils without an open signal: the signals themselves are
    # left for the mentor to take on (the browser tests do).
    pupils = (
        Enrolment.objects.filter(school_unit=mentor.organisation, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exclude(person__signals__status__in=NOT_CLOSED)
        .exclude(person__cases__owner=mentor.organisation)
        .order_by("-school_year", "person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )
    persons = Person.objects.filter(pk__in=list(pupils[:3])).order_by("pk")
    for opened, person in enumerate(persons):
        case = case_open(actor=mentor, person=person, target_groups=["not_eligible"])
        goal_add(actor=mentor, case=case, text="Godkänt i matematik till vårterminen")
        plan_action_add(
            actor=mentor,
            case=case,
            text="Veckosamtal med mentor",
            responsible_organisation=mentor.organisation,
            responsible_user=mentor.user,
            follow_up_on=today + dt.timedelta(days=3 + opened),
        )
        intervention_add(
            actor=mentor,
            case=case,
            method=methods[1],
            provider=mentor.organisation,
            start=today - dt.timedelta(days=10),
            hours_per_week=1,
        )
    _young_persons_signal(young, today)
    pending = _pending_referral(mentor, social, today)
    return SupportDemoSummary(cases=Case.objects.count(), referrals_pending=pending)


def _young_persons_signal(young, today: dt.date) -> None:
    """Four weeks of attendance with invalid absence at the young person's school, so the
    rules raise a signal their mentor can open a case from (as the browser journey does)."""
    enrolment = (
        Enrolment.objects.filter(person=young, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("school_unit")
        .first()
    )
    if (
        enrolment is None
        or Signal.objects.filter(
            person=young, school_unit=enrolment.school_unit, status__in=NOT_CLOSED
        ).exists()
    ):
        return
    for week in range(4):
        end = today - dt.timedelta(days=7 * week)
        AttendancePeriod.objects.create(
            person=young,
            school_unit=enrolment.school_unit,
            start_date=end - dt.timedelta(days=6),
            end_date=end,
            offered_minutes=1200,
            attended_minutes=900,
            invalid_absence_minutes=300,
        )
    signals_compute(school_unit=enrolment.school_unit, today=today)


def _young_persons_case(coach: Actor, young, methods, today: dt.date) -> Case:
    """The demo young person's case at social services: a plan in their own words, a
    contact person, a few contacts and check-ins, and a follow-up due this week."""
    case = case_open(
        actor=coach,
        person=young,
        target_groups=["dropout"],
        opened_on=today - dt.timedelta(days=120),
    )
    first = goal_add(
        actor=coach,
        case=case,
        text="Gå på lektionerna minst fyra dagar i veckan",
        target_date=today + dt.timedelta(days=60),
    )
    goal_add(
        actor=coach,
        case=case,
        text="Hitta en fritidsaktivitet",
        target_date=today + dt.timedelta(days=90),
    )
    case.plan.refresh_from_db()
    plan_update(
        actor=coach,
        case=case,
        version=case.plan.version,
        own_goal="Jag vill klara skolan och må bättre. Jag vill inte vara ensam hemma.",
        lead_party="social_services",
        goal_statuses={first.pk: "in_progress"},
    )
    plan_action_add(
        actor=coach,
        case=case,
        text="Samtal varannan vecka",
        responsible_organisation=coach.organisation,
        responsible_user=coach.user,
        follow_up_on=today + dt.timedelta(days=2),
    )
    intervention_add(
        actor=coach,
        case=case,
        method=methods[0],
        provider=coach.organisation,
        start=today - dt.timedelta(days=100),
        hours_per_week=1,
    )
    for days_ago, channel, reached, outcome in (
        (110, "phone", False, "Inget svar"),
        (108, "meeting", True, "Första mötet, vi gjorde planen"),
        (60, "meeting", True, "Uppföljning, det går bättre"),
        (14, "sms", True, "Bokade nytt möte"),
    ):
        contact_record(
            actor=coach,
            case=case,
            date=today - dt.timedelta(days=days_ago),
            channel=channel,
            reached=reached,
            outcome=outcome,
        )
    note_add(
        actor=coach,
        case=case,
        category="support",
        text="Den unga vill ha stöd med att komma i tid. Vi provar väckarklocka och sms.",
    )
    now = timezone.now()
    for days_ago, items in ((100, (1, 2, 1, 1, 2)), (60, (2, 2, 3, 2, 2)), (20, (3, 3, 3, 2, 3))):
        WellbeingCheckin.objects.create(
            person=young,
            answered_at=now - dt.timedelta(days=days_ago),
            item1=items[0],
            item2=items[1],
            item3=items[2],
            item4=items[3],
            item5=items[4],
            score=sum(items) * 4,
        )
    # The youth clinic takes part in the SIP with its own consent: health-related notes may
    # be shared with it, and nothing of it reaches the school.
    clinic = Organisation.objects.get(name=DEMO_HEALTH_CARE_NAME)
    consent_record(
        actor=coach,
        person=young,
        purpose="support",
        given_by=ConsentGiver.YOUNG_PERSON,
        organisations=[clinic],
        categories=[Category.SUPPORT, Category.HEALTH],
        given_on=today - dt.timedelta(days=90),
        expires_on=today + dt.timedelta(days=275),
        evidence="Muntligt vid SIP-möte.",
    )
    YouthMessage.objects.create(
        person=young,
        text="Jag vill helst ha möten efter skolan, inte på lektionstid.",
        written_at=now - dt.timedelta(days=30),
    )
    return case


def _pending_referral(mentor: Actor, social: Organisation, today: dt.date) -> int:
    """One Björkskolan case with the pupil's consent to social services and a referral
    that has waited a few days: what the coach finds on the start page."""
    case = (
        Case.objects.filter(owner=mentor.organisation, status="open")
        .exclude(referrals__to_organisation=social)
        .order_by("id")
        .first()
    )
    if case is None:
        return 0
    consent = consent_record(
        actor=mentor,
        person=case.person,
        purpose="school",
        given_by=ConsentGiver.BOTH,
        guardian_name="Vårdnadshavare",
        organisations=[social],
        categories=[Category.SUPPORT],
        given_on=today - dt.timedelta(days=6),
        expires_on=today + dt.timedelta(days=365),
    )
    referral = referral_send(
        actor=mentor,
        case=case,
        to_organisation=social,
        consent=consent,
        message="Eleven har hög frånvaro och vill ha stöd utanför skolan. "
        "Hen och vårdnadshavaren har samtyckt.",
    )
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - dt.timedelta(days=5))
    return 1
