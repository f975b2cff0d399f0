"""Support's reads go through the door: the rows a list shows are the persons it logs."""

from __future__ import annotations

import pytest
from django.http import Http404

from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.support.selectors import (
    case_get_for,
    case_list_for,
    person_visible_for_case,
)
from lotsen.support.services import case_open
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_case_list_logs_the_persons_of_the_cases_it_shows(mentor, coach, pupil, school):
    other = PersonFactory()
    case_open(actor=mentor, person=pupil, target_groups=["dropout"])

    assert [case.person for case in case_list_for(actor=mentor)] == [pupil]
    assert case_list_for(actor=coach) == []  # no consent names social services

    reads = AccessLogEntry.objects.filter(object_type="case_list")
    assert list(reads.values_list("actor_user_id", "person_id", "action", "purpose")) == [
        (mentor.user.pk, pupil.pk, Action.VIEW, Purpose.SUPPORT)
    ]
    assert not AccessLogEntry.objects.filter(person=other).exists()


def test_a_case_out_of_reach_is_a_404_like_a_missing_one_and_unlogged(mentor, coach, pupil):
    case = case_open(actor=mentor, person=pupil, target_groups=["dropout"])

    for case_id in (case.pk, case.pk + 1000, "x"):
        with pytest.raises(Http404):
            case_get_for(actor=coach, case_id=case_id)
    assert not AccessLogEntry.objects.filter(actor_user=coach.user).exists()

    assert case_get_for(actor=mentor, case_id=str(case.pk)) == case
    [entry] = AccessLogEntry.objects.filter(actor_user=mentor.user, action=Action.VIEW)
    assert (entry.person_id, entry.object_type, entry.object_id) == (pupil.pk, "case", str(case.pk))


def test_the_person_of_a_new_case_is_read_through_the_policy(mentor, coach, pupil):
    for person_id in (pupil.pk, "not-a-number"):
        with pytest.raises(Http404):
            person_visible_for_case(actor=coach, person_id=person_id)

    assert person_visible_for_case(actor=mentor, person_id=str(pupil.pk)) == pupil
    assert list(AccessLogEntry.objects.values_list("actor_user_id", "person_id", "purpose")) == [
        (mentor.user.pk, pupil.pk, Purpose.SCHOOL)
    ]
