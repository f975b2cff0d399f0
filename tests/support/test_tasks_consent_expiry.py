"""The task "the consent ends soon" links each young person to their own open case at
the actor's organisation, not to a closed one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.support.selectors import case_tasks_for
from tests.factories import PersonFactory, consent_create
from tests.youth.factories import CaseFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db


def test_each_consent_task_links_to_the_persons_open_case(social, coach):
    today = timezone.localdate()
    expected = {}
    for name in ("Ada", "Bea"):
        person = PersonFactory(given_name=name, family_name="Lind")
        closed = CaseFactory(
            person=person,
            owner=social,
            status="closed",
            opened_on=today - dt.timedelta(days=400),
            closed_on=today - dt.timedelta(days=200),
        )
        open_case = CaseFactory(person=person, owner=social, opened_on=today - dt.timedelta(days=5))
        for case in (closed, open_case):
            TeamMemberFactory(case=case, organisation=social, user=coach.user)
        consent_create(
            person=person,
            organisations=[social],
            categories=["support"],
            expires_on=today + dt.timedelta(days=7),
        )
        expected[person.full_name] = reverse("support:case_detail", args=[open_case.pk])

    consent_tasks = {
        task.detail: task.url for task in case_tasks_for(actor=coach) if task.kind == "consent"
    }

    assert consent_tasks == expected
