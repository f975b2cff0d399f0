"""Cases, team, referrals, plan, interventions, contacts and notes through the services:
the rules of consent, the duplicate guard, optimistic locking and the log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.models import Role
from lotsen.privacy.models import AccessLogEntry
from lotsen.privacy.services import consent_withdraw
from lotsen.support.models import (
    Case,
    CaseOrigin,
    Goal,
    GoalStatus,
    Method,
    Note,
    PlanAction,
    ReferralStatus,
    TeamMember,
)
from lotsen.support.selectors import (
    case_detail_for,
    case_get_for,
    case_list_for,
    case_tasks_for,
    referrals_pending_for,
)
from lotsen.support.services import (
    ERROR_CASE_EXISTS,
    PlanConflict,
    case_close,
    case_link,
    case_open,
    contact_record,
    goal_add,
    handover_create,
    intervention_add,
    note_add,
    plan_action_add,
    plan_update,
    referral_accept,
    referral_decline,
    referral_revoke,
    referral_send,
    team_member_add,
)
from tests.factories import SchoolUnitFactory, consent_create
from tests.support.conftest import actor_in

pytestmark = pytest.mark.django_db


def open_case(actor, person, groups=("dropout",)):
    return case_open(actor=actor, person=person, target_groups=list(groups))


def test_a_case_opens_with_plan_and_the_opener_as_contact_person(mentor, pupil):
    case = open_case(mentor, pupil)
    assert case.owner == mentor.organisation
    assert case.plan.version == 1
    member = TeamMember.objects.get(case=case)
    assert (member.user, member.role) == (mentor.user, "contact_person")
    assert (
        AccessLogEntry.objects.filter(person=pupil, object_type="case", action="create").count()
        == 1
    )


def test_one_open_case_per_person_and_organisation(mentor, pupil, school):
    open_case(mentor, pupil)
    colleague = actor_in(school, Role.STUDENT_HEALTH)
    with pytest.raises(ValidationError) as exc:
        open_case(colleague, pupil)
    assert exc.value.message_dict == {"person": [ERROR_CASE_EXISTS]}
    assert Case.objects.count() == 1


def test_a_case_needs_a_target_group_and_a_visible_person(mentor, pupil):
    with pytest.raises(ValidationError) as exc:
        case_open(actor=mentor, person=pupil, target_groups=[])
    assert "target_groups" in exc.value.message_dict
    stranger = actor_in(SchoolUnitFactory(), Role.MENTOR)
    with pytest.raises(ValidationError) as exc:
        open_case(stranger, pupil)
    assert "person" in exc.value.message_dict


def test_project_leaders_do_not_work_in_cases(pupil, school):
    leader = actor_in(school, Role.PROJECT_LEADER)
    with pytest.raises(PermissionDenied):
        open_case(leader, pupil)


def test_another_organisation_joins_only_through_consent(mentor, coach, pupil, social):
    case = open_case(mentor, pupil)
    with pytest.raises(ValidationError) as exc:
        team_member_add(actor=mentor, case=case, organisation=social)
    assert "organisation" in exc.value.message_dict
    consent_create(person=pupil, organisations=[social], categories=["support"])
    team_member_add(actor=mentor, case=case, organisation=social)
    assert case_get_for(actor=coach, case_id=case.pk) == case


def test_team_membership_without_consent_grants_nothing(mentor, coach, pupil, social):
    case = open_case(mentor, pupil)
    TeamMember.objects.create(case=case, organisation=social)  # e.g. after expiry
    with pytest.raises(Http404):
        case_get_for(actor=coach, case_id=case.pk)
    assert case_list_for(actor=coach) == []


def test_withdrawal_ends_access_on_the_next_request(mentor, coach, pupil, social, consent_social):
    case = open_case(mentor, pupil)
    team_member_add(actor=mentor, case=case, organisation=social)
    assert case_get_for(actor=coach, case_id=case.pk) == case
    consent_withdraw(actor=mentor, consent=consent_social, purpose="school")
    with pytest.raises(Http404):
        case_get_for(actor=coach, case_id=case.pk)
    with pytest.raises(Http404):
        contact_record(
            actor=coach, case=case, date=timezone.localdate(), channel="phone", reached=True
        )
    # the owner keeps its own record, and sees that social services no longer has access
    detail = case_detail_for(actor=mentor, case=case_get_for(actor=mentor, case_id=case.pk))
    assert [m.organisation for m in detail.without_consent] == [social]


def test_referral_flow_adds_the_receiver_to_the_team(mentor, coach, pupil, social, consent_social):
    case = open_case(mentor, pupil)
    referral = referral_send(
        actor=mentor, case=case, to_organisation=social, consent=consent_social, message="Hjälp"
    )
    assert referrals_pending_for(actor=coach) == [referral]
    assert [t.kind for t in case_tasks_for(actor=coach)] == ["referral"]
    with pytest.raises(Http404):  # pending: the receiver has not joined the case yet
        case_get_for(actor=coach, case_id=case.pk)
    referral_accept(actor=coach, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referrals_pending_for(actor=coach) == []
    assert case_get_for(actor=coach, case_id=case.pk) == case
    assert TeamMember.objects.filter(case=case, organisation=social, user=coach.user).exists()


def test_a_referral_needs_a_consent_naming_the_receiver(mentor, pupil, social, clinic):
    case = open_case(mentor, pupil)
    clinic_consent = consent_create(person=pupil, organisations=[clinic], categories=["support"])
    with pytest.raises(ValidationError) as exc:
        referral_send(
            actor=mentor, case=case, to_organisation=social, consent=clinic_consent, message="x"
        )
    assert "consent" in exc.value.message_dict
    health_only = consent_create(person=pupil, organisations=[social], categories=["health"])
    with pytest.raises(ValidationError):
        referral_send(
            actor=mentor, case=case, to_organisation=social, consent=health_only, message="x"
        )


def test_decline_needs_a_reason_and_only_the_sender_revokes(
    mentor, coach, pupil, social, consent_social
):
    case = open_case(mentor, pupil)
    referral = referral_send(
        actor=mentor, case=case, to_organisation=social, consent=consent_social, message="x"
    )
    with pytest.raises(ValidationError) as exc:
        referral_decline(actor=coach, referral=referral, reason=" ")
    assert "decline_reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        referral_revoke(actor=coach, referral=referral)
    referral_revoke(actor=mentor, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REVOKED
    with pytest.raises(ValidationError):
        referral_accept(actor=coach, referral=referral)


def test_health_notes_stay_in_the_writing_organisation(mentor, nurse, coach, pupil, social, clinic):
    consent_create(person=pupil, organisations=[social, clinic], categories=["support"])
    case = open_case(mentor, pupil)
    team_member_add(actor=mentor, case=case, organisation=social)
    team_member_add(actor=mentor, case=case, organisation=clinic)
    health = note_add(actor=nurse, case=case, category="health", text="Mår dåligt.")
    support = note_add(actor=nurse, case=case, category="support", text="Vill ha stöd.")

    def notes_seen_by(actor):
        return set(case_detail_for(actor=actor, case=case).notes)

    assert notes_seen_by(nurse) == {health, support}
    assert notes_seen_by(mentor) == set()  # the consent names social services and the clinic
    assert notes_seen_by(coach) == {support}
    consent_create(person=pupil, organisations=[social], categories=["health"])
    assert notes_seen_by(coach) == {health, support}


def test_two_saves_of_the_same_plan_never_lose_an_update(mentor, coach, pupil, social):
    consent_create(person=pupil, organisations=[social], categories=["support"])
    case = open_case(mentor, pupil)
    team_member_add(actor=mentor, case=case, organisation=social)
    goal = goal_add(actor=mentor, case=case, text="Klara matematiken")
    opened_version = Case.objects.get(pk=case.pk).plan.version
    # both open the plan at the same version; the first save wins
    plan_update(
        actor=mentor,
        case=case,
        version=opened_version,
        own_goal="Jag vill gå ut nian",
        lead_party="",
        goal_statuses={goal.pk: GoalStatus.IN_PROGRESS},
    )
    with pytest.raises(PlanConflict) as exc:
        plan_update(
            actor=coach,
            case=case,
            version=opened_version,
            own_goal="Något annat",
            lead_party="social_services",
        )
    changes = {change.field: change.theirs for change in exc.value.changes}
    assert changes["own_goal"] == "Jag vill gå ut nian"
    assert changes[f"goal_{goal.pk}"] == str(GoalStatus.IN_PROGRESS.label)
    case.plan.refresh_from_db()
    assert case.plan.own_goal == "Jag vill gå ut nian"  # the first save survives
    # having seen it, the second user saves from the current version
    plan_update(
        actor=coach,
        case=case,
        version=exc.value.current.version,
        own_goal="Jag vill gå ut nian och börja gymnasiet",
        lead_party="social_services",
    )
    case.plan.refresh_from_db()
    assert case.plan.lead_party == "social_services"
    assert case.plan.revisions.count() == case.plan.version


def test_plan_actions_go_to_team_organisations_and_fall_due_as_tasks(mentor, pupil, clinic, school):
    case = open_case(mentor, pupil)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        plan_action_add(
            actor=mentor,
            case=case,
            text="Samtal",
            responsible_organisation=clinic,
            follow_up_on=tomorrow,
        )
    assert "responsible_organisation" in exc.value.message_dict
    action = plan_action_add(
        actor=mentor,
        case=case,
        text="Studieplan",
        responsible_organisation=school,
        follow_up_on=tomorrow,
        responsible_user=mentor.user,
    )
    tasks = case_tasks_for(actor=mentor)
    assert [(t.kind, t.due) for t in tasks] == [("follow_up", tomorrow)]
    colleague = actor_in(school, Role.STUDENT_HEALTH)
    assert case_tasks_for(actor=colleague) == []  # named to the mentor, not to everyone
    PlanAction.objects.filter(pk=action.pk).update(done_on=timezone.localdate())
    assert case_tasks_for(actor=mentor) == []


def test_interventions_validate_dates_and_hours(mentor, pupil, school):
    case = open_case(mentor, pupil)
    method = Method.objects.create(name="Motiverande samtal")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        intervention_add(
            actor=mentor,
            case=case,
            method=method,
            provider=school,
            start=today,
            end=today - dt.timedelta(days=1),
            end_reason="completed",
        )
    assert "end" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        intervention_add(
            actor=mentor,
            case=case,
            method=method,
            provider=school,
            start=today,
            hours_per_week=80,
        )
    assert "hours_per_week" in exc.value.message_dict
    item = intervention_add(
        actor=mentor, case=case, method=method, provider=school, start=today, hours_per_week=2
    )
    assert case_detail_for(actor=mentor, case=case).interventions == [item]


def test_contacts_cannot_be_in_the_future(mentor, pupil):
    case = open_case(mentor, pupil)
    with pytest.raises(ValidationError) as exc:
        contact_record(
            actor=mentor,
            case=case,
            date=timezone.localdate() + dt.timedelta(days=1),
            channel="phone",
            reached=False,
        )
    assert "date" in exc.value.message_dict


def test_closing_is_for_the_owner_and_stops_writes(mentor, coach, pupil, social, consent_social):
    case = open_case(mentor, pupil)
    team_member_add(actor=mentor, case=case, organisation=social)
    with pytest.raises(PermissionDenied):
        case_close(actor=coach, case=case, reason="goal_reached")
    case_close(actor=mentor, case=case, reason="in_studies", outcome="Började gymnasiet")
    with pytest.raises(ValidationError):
        note_add(actor=coach, case=case, category="support", text="x")
    assert Note.objects.count() == 0


def test_cases_are_linked_never_merged(mentor, coach, pupil, social, consent_social):
    school_case = open_case(mentor, pupil)
    social_case = open_case(coach, pupil, groups=["kaa"])
    team_member_add(actor=mentor, case=school_case, organisation=social)
    case_link(actor=coach, case=social_case, other=school_case)
    assert list(school_case.linked.all()) == [social_case]
    assert Case.objects.count() == 2
    # the school does not see social services' own case, even linked
    assert case_detail_for(actor=mentor, case=school_case).linked == []


def test_a_handover_reaches_the_receiving_school_only_with_consent(mentor, pupil):
    upper = SchoolUnitFactory(name="Gymnasiet")
    receiver = actor_in(upper, Role.MENTOR)
    handover = handover_create(
        actor=mentor,
        person=pupil,
        to_school=upper,
        kind="gr_gy",
        strengths="Envis",
        what_has_worked="Korta pass",
        support_needed="Lugn plats",
        own_words="Jag vill lära",
    )
    from lotsen.support.selectors import handover_get_for

    with pytest.raises(Http404):
        handover_get_for(actor=receiver, handover_id=handover.pk)
    consent_create(person=pupil, organisations=[upper], categories=["school"])
    assert handover_get_for(actor=receiver, handover_id=handover.pk) == handover


def test_a_kaa_plan_marked_for_more_actors_opens_a_case(db):
    from lotsen.kaa import services as kaa_services
    from tests.factories import MunicipalityFactory, PersonFactory

    municipality = MunicipalityFactory()
    person = PersonFactory(home_municipality_code=municipality.municipality_code)
    coordinator = actor_in(municipality, Role.KAA_COORDINATOR)
    plan = kaa_services.plan_save(
        actor=coordinator,
        person=person,
        planning="Praktik",
        goal="Arbete",
        coordinated_support_needed=True,
        coordinated_support_note="Socialtjänsten behövs",
    )
    case = Case.objects.get(pk=int(plan.support_case_ref))
    assert (case.person, case.owner, case.origin) == (person, municipality, CaseOrigin.KAA)
    assert [g.group for g in case.target_groups.all()] == ["kaa"]
    # saving again finds the same case
    plan = kaa_services.plan_save(
        actor=coordinator,
        person=person,
        planning="Praktik",
        goal="Arbete",
        coordinated_support_needed=True,
        coordinated_support_note="Socialtjänsten behövs",
    )
    assert Case.objects.count() == 1


def test_goal_add_bumps_the_plan_version(mentor, pupil):
    case = open_case(mentor, pupil)
    goal_add(actor=mentor, case=case, text="Mål")
    assert Goal.objects.count() == 1
    case.plan.refresh_from_db()
    assert case.plan.version == 2


def test_contact_free_text_stays_with_the_writing_organisation(mentor, nurse, pupil, clinic):
    consent_create(person=pupil, organisations=[clinic], categories=["support"])
    case = open_case(mentor, pupil)
    team_member_add(actor=mentor, case=case, organisation=clinic)
    contact_record(
        actor=nurse,
        case=case,
        date=timezone.localdate(),
        channel="meeting",
        reached=True,
        outcome="Pratade om medicinen",
        note="Mår sämre",
    )
    seen_by_school = case_detail_for(actor=mentor, case=case).contacts
    assert [(c.channel, c.reached, c.outcome, c.note) for c in seen_by_school] == [
        ("meeting", True, "", "")
    ]
    seen_by_clinic = case_detail_for(actor=nurse, case=case).contacts
    assert [(c.outcome, c.note) for c in seen_by_clinic] == [("Pratade om medicinen", "Mår sämre")]
