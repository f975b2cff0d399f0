"""The notification kinds beyond referrals, notices and emergency access (issue 12): a
signal assigned to me or my team, a handover received, a plan follow-up and a participant's
six-month follow-up falling due, a consent about to expire on a case we own, and the
registrant's confirmation of an event. Each is seen only while its thing is; the nightly
reminders go out once however often they run. Also: emergency access opened on the page
reaches the young person's "Mina sidor" and the reviewing administrator's list in the same
request cycle."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, OrganisationKind, Role
from lotsen.earlywarning.models import Signal
from lotsen.earlywarning.services import signal_assign, signals_compute
from lotsen.events.services import registration_create
from lotsen.notifications.models import Notification
from lotsen.notifications.selectors import notification_list
from lotsen.privacy.models import EmergencyAccess
from lotsen.programmes.models import Programme, SubProject
from lotsen.programmes.notifications import participant_follow_ups_notify
from lotsen.support.models import Plan, PlanAction
from lotsen.support.notifications import consents_expiring_notify, follow_ups_due_notify
from lotsen.support.services import case_open, handover_create
from tests.earlywarning.conftest import TODAY, enrol, term_grades, uniform, weeks_of_absence
from tests.events.conftest import make_event
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    UserFactory,
    consent_create,
)
from tests.notifications.conftest import subject_of, text_of
from tests.programmes.conftest import participant

pytestmark = pytest.mark.django_db


def staff(organisation, role=Role.CASE_WORKER) -> Actor:
    user = UserFactory(email=f"{role}-{UserFactory._meta.model.objects.count()}@example.se")
    return Actor.for_membership(MembershipFactory(user=user, organisation=organisation, role=role))


def kinds_of(actor: Actor, kind: str) -> list[int]:
    return sorted(n.object_id for n in notification_list(actor=actor) if n.kind == kind)


@pytest.fixture
def school(db):
    return SchoolUnitFactory(name="Björkskolan", municipality_code="0180")


def struggling_pupil(school):
    person = enrol(school)
    weeks_of_absence(person, invalid=(0, 0, 0, 280))
    term_grades(person, uniform("C", MA="F"))
    return person


# --- Signals -------------------------------------------------------------------------------


def test_new_signals_go_to_the_one_mentor_and_leave_with_the_school(school):
    mentor = staff(school, Role.MENTOR)
    nurse = staff(school, Role.STUDENT_HEALTH)
    other = staff(SchoolUnitFactory(), Role.MENTOR)
    struggling_pupil(school)
    struggling_pupil(school)

    signals_compute(today=TODAY)

    raised = sorted(Signal.objects.filter(assigned_to=mentor.user).values_list("pk", flat=True))
    assert raised and kinds_of(mentor, "signals.assigned") == raised
    # Exactly one per signal, and nothing for anyone the signals did not go to.
    assert Notification.objects.filter(kind="signals.assigned").count() == len(raised)
    assert kinds_of(nurse, "signals.assigned") == kinds_of(other, "signals.assigned") == []
    # Computing again raises nothing and tells nobody again.
    signals_compute(today=TODAY)
    assert Notification.objects.filter(kind="signals.assigned").count() == len(raised)

    # The mentor leaves the school: the notifications go with the signal inbox.
    Membership.objects.filter(user=mentor.user).delete()
    mentor_elsewhere = Actor.for_membership(
        MembershipFactory(user=mentor.user, organisation=SchoolUnitFactory(), role=Role.MENTOR)
    )
    assert kinds_of(mentor_elsewhere, "signals.assigned") == []


def test_with_several_mentors_the_team_is_told_and_an_assignment_tells_the_holder(school):
    first, second = staff(school, Role.MENTOR), staff(school, Role.MENTOR)
    struggling_pupil(school)

    signals_compute(today=TODAY)

    signals = sorted(Signal.objects.values_list("pk", flat=True))
    assert signals and Signal.objects.filter(assigned_to__isnull=True).count() == len(signals)
    assert kinds_of(first, "signals.assigned") == kinds_of(second, "signals.assigned") == signals
    signal = Signal.objects.get(pk=signals[0])
    signal_assign(actor=first, signal=signal, assignee=second.user)
    assert kinds_of(second, "signals.assigned") == sorted([*signals, signal.pk])


# --- Handovers -----------------------------------------------------------------------------


def test_a_handover_is_seen_by_the_receiving_school_once_a_consent_names_it(school):
    sender = staff(school, Role.COUNSELLOR)
    upper = SchoolUnitFactory(name="Gymnasiet")
    receiver = staff(upper, Role.MENTOR)
    person = PersonFactory()
    EnrolmentFactory(person=person, school_unit=school)

    handover = handover_create(
        actor=sender,
        person=person,
        to_school=upper,
        kind="gr_gy",
        strengths="Nyfiken",
        what_has_worked="Korta pass",
        support_needed="Struktur",
    )

    # Written for the receiver, but unseen until a consent names the school and school data.
    assert Notification.objects.filter(user=receiver.user, kind="support.handover_received")
    assert kinds_of(receiver, "support.handover_received") == []
    consent = consent_create(person=person, organisations=[upper], categories=["school"])
    assert kinds_of(receiver, "support.handover_received") == [handover.pk]
    [notification] = notification_list(actor=receiver)
    assert notification.url == reverse("support:handover_detail", args=[handover.pk])
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert kinds_of(receiver, "support.handover_received") == []


# --- Nightly reminders ----------------------------------------------------------------------


@pytest.fixture
def social(db):
    return OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)


def test_plan_follow_ups_falling_due_are_told_once_to_the_responsible(social):
    today = timezone.localdate()
    coach, colleague, responsible = staff(social), staff(social), staff(social)
    person = PersonFactory()
    consent_create(person=person, organisations=[social], categories=["support"])
    case = case_open(actor=coach, person=person, target_groups=["dropout"])
    plan = Plan.objects.get_or_create(case=case)[0]

    def action(days, **fields):
        return PlanAction.objects.create(
            plan=plan,
            text="Ring skolan",
            responsible_organisation=social,
            follow_up_on=today + dt.timedelta(days=days),
            **fields,
        )

    due_to_anyone = action(3)
    due_to_one = action(0, responsible_user=responsible.user)
    action(30)  # not yet due
    action(-1, done_on=today)  # done

    assert follow_ups_due_notify(today=today) == 3 + 1
    assert follow_ups_due_notify(today=today) == 0  # once, however often the job runs
    assert kinds_of(coach, "support.follow_up_due") == [due_to_anyone.pk]
    assert kinds_of(colleague, "support.follow_up_due") == [due_to_anyone.pk]
    assert kinds_of(responsible, "support.follow_up_due") == sorted(
        [due_to_anyone.pk, due_to_one.pk]
    )
    bystander = staff(OrganisationFactory())
    assert kinds_of(bystander, "support.follow_up_due") == []


def test_a_consent_about_to_expire_is_told_to_the_case_owner_once(social):
    today = timezone.localdate()
    coach = staff(social)
    partner_org = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    partner = staff(partner_org)
    person = PersonFactory()
    expiring = consent_create(
        person=person,
        organisations=[social, partner_org],
        categories=["support"],
        expires_on=today + dt.timedelta(days=20),
    )
    consent_create(
        person=PersonFactory(),
        organisations=[social],
        categories=["support"],
        expires_on=today + dt.timedelta(days=60),
    )
    case_open(actor=coach, person=person, target_groups=["dropout"])

    assert consents_expiring_notify(today=today) == 1
    assert consents_expiring_notify(today=today) == 0
    assert kinds_of(coach, "support.consent_expiring") == [expiring.pk]
    # Named by the consent but owning no case for the young person: not told.
    assert kinds_of(partner, "support.consent_expiring") == []
    # A colleague who leaves the organisation no longer sees it.
    Membership.objects.filter(user=coach.user).delete()
    elsewhere = Actor.for_membership(MembershipFactory(user=coach.user, role=Role.CASE_WORKER))
    assert kinds_of(elsewhere, "support.consent_expiring") == []


def test_a_participants_six_month_follow_up_is_told_to_the_team_once():
    today = timezone.localdate()
    region = OrganisationFactory(kind=OrganisationKind.REGION)
    town = OrganisationFactory(kind=OrganisationKind.MUNICIPALITY)
    programme = Programme.objects.create(
        name="Programmet",
        framework="esfplus",
        start=dt.date(2024, 1, 1),
        end=today + dt.timedelta(days=400),
        lead_organisation=region,
    )
    subproject = SubProject.objects.create(
        programme=programme,
        name="Delprojekt",
        lead_organisation=town,
        start=programme.start,
        end=programme.end,
    )
    leader = staff(town, Role.PROJECT_LEADER)
    programme_leader = staff(region, Role.PROJECT_LEADER)
    evaluator = staff(region, Role.EVALUATOR)
    stranger = staff(OrganisationFactory(), Role.PROJECT_LEADER)
    due = participant(
        subproject,
        entry_date=today - dt.timedelta(days=400),
        exit_date=today - dt.timedelta(days=180),
    )
    participant(
        subproject,
        entry_date=today - dt.timedelta(days=100),
        exit_date=today - dt.timedelta(days=30),
    )

    assert participant_follow_ups_notify(today=today) == 2
    assert participant_follow_ups_notify(today=today) == 0
    key = "programmes.participant_follow_up_due"
    assert kinds_of(leader, key) == kinds_of(programme_leader, key) == [due.pk]
    assert kinds_of(evaluator, key) == kinds_of(stranger, key) == []


# --- Events --------------------------------------------------------------------------------


def test_a_registrant_gets_the_confirmation_the_page_promises(
    mailbox, django_capture_on_commit_callbacks
):
    event = make_event(OrganisationFactory(), title="Nätverksträff för studievägledare")
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(
            event=event,
            name="Kim Jansson",
            email="Kim@Example.se",
            organisation_name="",
            role="Studievägledare",
        )
    [mail] = mailbox.to("kim@example.se")
    assert subject_of(mail) == "Du är anmäld: Nätverksträff för studievägledare"
    body = text_of(mail)
    assert "https://lotsen.example.se" + reverse("events:public", args=[event.slug]) in body
    assert "Kim" not in body.replace("kim@example.se", "")
    assert len(mailbox.messages) == 1


# --- Emergency access, through the pages ------------------------------------------------------


def test_emergency_access_shows_on_mina_sidor_and_the_review_list_at_once(client, school):
    person = PersonFactory()
    EnrolmentFactory(person=person, school_unit=school)
    own = UserFactory(person=person, email="ung@example.se")
    nurse = staff(OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES), Role.CASE_WORKER)
    admin = staff(nurse.organisation, Role.ORGANISATION_ADMIN)

    client.force_login(nurse.user)
    opened = client.post(
        reverse("web:emergency_access"),
        {
            "personal_identity_number": person.personal_identity_number,
            "reason": "Akut läge, måste nå kontaktuppgifter nu",
        },
    )
    assert opened.status_code == 302
    grant = EmergencyAccess.objects.get(person=person)

    client.force_login(own)
    mine = client.get(reverse("youth:start"))
    assert 'lotsen-notification-count">1<' in mine.text
    log = client.get(reverse("youth:access_log"))
    assert log.status_code == 200

    client.force_login(admin.user)
    review = client.get(reverse("web:emergency_review_list"))
    assert review.status_code == 200
    assert reverse("web:emergency_review", args=[grant.pk]) in review.text
    assert 'lotsen-notification-count">1<' in review.text
