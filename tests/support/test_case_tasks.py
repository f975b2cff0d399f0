"""Support's part of the "to do" list reads through the door: a follow-up named to a
colleague is neither on the actor's list nor in the log under the actor's name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lotsen.accounts.models import Role
from lotsen.privacy.models import AccessLogEntry, Purpose
from lotsen.support.selectors import case_tasks_for
from lotsen.support.services import case_open, plan_action_add
from tests.support.conftest import actor_in

pytestmark = pytest.mark.django_db


def task_list_reads() -> list[tuple[int, int, str]]:
    return sorted(
        AccessLogEntry.objects.filter(object_type="task_list").values_list(
            "actor_user_id", "person_id", "purpose"
        )
    )


def test_a_follow_up_named_to_a_colleague_is_neither_shown_nor_logged(mentor, pupil, school):
    colleague = actor_in(school, Role.STUDENT_HEALTH)
    case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])
    plan_action_add(
        actor=mentor,
        case=case,
        text="Samtal om studieplanen",
        responsible_organisation=school,
        follow_up_on=timezone.localdate() + dt.timedelta(days=1),
        responsible_user=colleague.user,
    )

    assert case_tasks_for(actor=mentor) == []
    assert task_list_reads() == []

    [task] = case_tasks_for(actor=colleague)
    assert (task.kind, task.detail) == ("follow_up", "Sara Lind")
    assert task_list_reads() == [(colleague.user.pk, pupil.pk, Purpose.SUPPORT)]
