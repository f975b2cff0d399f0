"""The start page's "to do" list: participants' six-month follow-ups for project leaders,
earliest first, logged; everyone who works with persons by name has an inbox instead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.privacy.models import AccessLogEntry
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


def test_a_mentors_signals_and_follow_ups_are_in_the_inbox_not_in_the_task_list(
    school, pupil, mentor
):
    """Everyone who works with persons by name has an inbox (``lotsen.inbox``); the task
    list stays the project leader's, so nothing is shown (or logged) twice."""
    from lotsen.inbox.selectors import inbox_page_for

    case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])
    plan_action_add(
        actor=mentor,
        case=case,
        text="Samtal om studieplanen",
        responsible_organisation=school,
        follow_up_on=timezone.localdate() + dt.timedelta(days=3),
        responsible_user=mentor.user,
    )
    SignalFactory(person=pupil, school_unit=school, assigned_to=mentor.user, status="assigned")

    assert tasks_for(actor=mentor) == []
    assert task_list_reads() == []
    [row] = inbox_page_for(actor=mentor).rows
    assert row.person.pk == pupil.pk
    assert len(row.reasons) == 2


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


def test_the_mentors_start_page_lists_the_signal_assigned_to_them(client, school, pupil, mentor):
    signal = SignalFactory(
        person=pupil, school_unit=school, assigned_to=mentor.user, status="assigned"
    )
    client.force_login(mentor.user)

    page = client.get(reverse("web:start"))

    assert page.status_code == 200
    assert f"Signal: {signal.get_rule_id_display()}" in page.text
