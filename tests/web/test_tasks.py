"""The start page's "to do" list puts support's tasks, the signals assigned to the actor
and participants' six-month follow-ups together, earliest first; each part shows only
what the actor may see and logs the persons it names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import AccessLogEntry, Purpose
from lotsen.programmes.models import Programme, SubProject
from lotsen.support.services import case_open, plan_action_add
from lotsen.web.tasks import tasks_for
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    SignalFactory,
)
from tests.programmes.conftest import participant

pytestmark = pytest.mark.django_db

D = dt.date


def actor_in(organisation, role) -> Actor:
    return Actor.for_membership(MembershipFactory(organisation=organisation, role=role))


def task_list_reads() -> list[tuple[int, int, str]]:
    return sorted(
        AccessLogEntry.objects.filter(object_type="task_list").values_list(
            "actor_user_id", "person_id", "purpose"
        )
    )


@pytest.fixture
def school(db):
    return SchoolUnitFactory(name="Björkskolan")


@pytest.fixture
def pupil(school):
    person = PersonFactory(given_name="Sara", family_name="Lind")
    EnrolmentFactory(person=person, school_unit=school)
    return person


@pytest.fixture
def mentor(school):
    return actor_in(school, Role.MENTOR)


def test_the_open_signals_assigned_to_the_actor_at_their_school_are_tasks(school, pupil, mentor):
    colleague = actor_in(school, Role.STUDENT_HEALTH)
    mine = SignalFactory(
        person=pupil, school_unit=school, assigned_to=mentor.user, status="assigned"
    )
    # One open signal per pupil and school: the colleague's is about another pupil.
    classmate = PersonFactory()
    EnrolmentFactory(person=classmate, school_unit=school)
    SignalFactory(
        person=classmate,
        school_unit=school,
        assigned_to=colleague.user,
        status="assigned",
        rule_id="grade_f_core",
    )
    SignalFactory(person=pupil, school_unit=school, assigned_to=mentor.user, status="closed")
    # Assigned to the mentor, but filed under another school: not theirs to read.
    elsewhere = PersonFactory()
    other_school = SchoolUnitFactory(name="Ekskolan")
    EnrolmentFactory(person=elsewhere, school_unit=other_school)
    SignalFactory(person=elsewhere, school_unit=other_school, assigned_to=mentor.user)

    [task] = tasks_for(actor=mentor)

    assert (task.kind, task.detail, task.due, task.url) == (
        "signal",
        "Sara Lind",
        mine.due_on,
        reverse("signals:detail", args=[mine.pk]),
    )
    assert task.title == f"Signal: {mine.get_rule_id_display()}"
    # The signal is school data: read and logged for the school's purpose.
    assert task_list_reads() == [(mentor.user.pk, pupil.pk, Purpose.SCHOOL)]


def test_a_project_leader_gets_the_participants_six_month_follow_ups_due():
    today = D(2026, 3, 1)
    region = OrganisationFactory(name="Region Nord", kind=OrganisationKind.REGION)
    municipality = MunicipalityFactory(name="Kommun A", parent=region)
    programme = Programme.objects.create(
        name="Programmet",
        framework="esfplus",
        start=D(2024, 1, 1),
        end=D(2026, 12, 31),
        lead_organisation=region,
    )
    subproject = SubProject.objects.create(
        programme=programme,
        name="Delprojekt A",
        lead_organisation=municipality,
        start=programme.start,
        end=programme.end,
    )
    due = participant(subproject, exit_date=D(2025, 9, 15), exit_status="employed")
    participant(subproject)  # still taking part: nothing to follow up yet
    leader = actor_in(municipality, Role.PROJECT_LEADER)

    [task] = tasks_for(actor=leader, today=today)

    assert (task.kind, task.detail, task.due, task.url) == (
        "participant_follow_up",
        f"{due.given_name} {due.family_name}, Delprojekt A",
        D(2026, 3, 15),  # six months after the exit
        reverse("programmes:participation_followup", args=[due.pk]),
    )
    # Only a project leader follows participants up.
    assert tasks_for(actor=actor_in(municipality, Role.KAA_COORDINATOR), today=today) == []


def test_support_tasks_and_signals_make_one_list_earliest_first(school, pupil, mentor):
    today = timezone.localdate()
    in_three_days = today + dt.timedelta(days=3)
    case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])
    plan_action_add(
        actor=mentor,
        case=case,
        text="Samtal om studieplanen",
        responsible_organisation=school,
        follow_up_on=in_three_days,
        responsible_user=mentor.user,
    )
    late = SignalFactory(
        person=pupil,
        school_unit=school,
        assigned_to=mentor.user,
        status="assigned",
        raised_on=today - dt.timedelta(days=15),
    )
    # One open signal per pupil and school: the second is about a classmate.
    classmate = PersonFactory()
    EnrolmentFactory(person=classmate, school_unit=school)
    same_day = SignalFactory(
        person=classmate,
        school_unit=school,
        assigned_to=mentor.user,
        status="assigned",
        rule_id="grade_f_core",
        raised_on=in_three_days - dt.timedelta(days=14),
    )

    tasks = tasks_for(actor=mentor, today=today)

    # By due date, and on the same day by kind ("follow_up" before "signal").
    assert [(task.kind, task.due) for task in tasks] == [
        ("signal", late.due_on),
        ("follow_up", in_three_days),
        ("signal", same_day.due_on),
    ]
    assert late.due_on < today and same_day.due_on == in_three_days
    assert tasks[0].overdue


def test_the_mentors_start_page_lists_the_signal_assigned_to_them(client, school, pupil, mentor):
    signal = SignalFactory(
        person=pupil, school_unit=school, assigned_to=mentor.user, status="assigned"
    )
    client.force_login(mentor.user)

    page = client.get(reverse("web:start"))

    assert page.status_code == 200
    assert f"Signal: {signal.get_rule_id_display()}" in page.text
