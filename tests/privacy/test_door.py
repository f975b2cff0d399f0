"""The door: one call filters by the policy and logs exactly the persons it returns.

A mentor at a school reaches the school's current pupils (the school's legal basis) and
nobody else; that is the policy every test here leans on, with real rows and real cases.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from lotsen.accounts.models import Role
from lotsen.people.models import Person
from lotsen.privacy.accesslog import access_log_collect
from lotsen.privacy.door import (
    person_read,
    persons_read,
    persons_shown,
    persons_written,
    record_read,
    records_read,
)
from lotsen.privacy.models import AccessLogEntry, Action, Purpose
from lotsen.support.models import Case, Handover, TeamMember
from lotsen.support.policy import CasePolicy
from lotsen.support.services import case_open
from tests.factories import EnrolmentFactory, PersonFactory, SchoolUnitFactory
from tests.support.conftest import actor_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return SchoolUnitFactory(name="Björkskolan")


@pytest.fixture
def other_school():
    return SchoolUnitFactory(name="Lindskolan")


@pytest.fixture
def mentor(school):
    return actor_in(school, Role.MENTOR)


@pytest.fixture
def other_mentor(other_school):
    return actor_in(other_school, Role.MENTOR)


def pupil_at(school, family_name: str) -> Person:
    person = PersonFactory(family_name=family_name)
    EnrolmentFactory(person=person, school_unit=school)
    return person


def reads_of(person: Person) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(person=person).exclude(action=Action.CREATE))


def read_person_ids() -> list[int]:
    return sorted(
        AccessLogEntry.objects.exclude(action=Action.CREATE).values_list("person_id", flat=True)
    )


# --- persons_read ------------------------------------------------------------------------


def test_persons_read_returns_the_visible_persons_and_logs_each_once(school, other_school, mentor):
    own = [pupil_at(school, "Ahl"), pupil_at(school, "Berg")]
    elsewhere = pupil_at(other_school, "Cedergren")
    unenrolled = PersonFactory(family_name="Dahl")

    persons = persons_read(
        actor=mentor,
        purpose=Purpose.SCHOOL,
        queryset=Person.objects.order_by("family_name"),
        object_type="person_list",
    )

    assert persons == own
    assert read_person_ids() == sorted(person.pk for person in own)
    for person in own:
        [entry] = reads_of(person)
        assert (entry.action, entry.purpose, entry.object_type) == (
            Action.VIEW,
            Purpose.SCHOOL,
            "person_list",
        )
        assert (entry.actor_user_id, entry.organisation_id) == (mentor.user.pk, school.pk)
    assert reads_of(elsewhere) == []
    assert reads_of(unenrolled) == []


def test_persons_read_logs_nothing_when_nothing_is_returned(other_school, mentor):
    pupil_at(other_school, "Ek")

    assert persons_read(actor=mentor, purpose=Purpose.SCHOOL) == []
    # A purpose the actor's role does not serve reaches nobody, even its own pupils.
    assert persons_read(actor=mentor, purpose=Purpose.KAA) == []
    assert AccessLogEntry.objects.count() == 0


def test_persons_read_slices_the_window_after_filtering(school, other_school, mentor):
    # Persons the mentor may not see sort between the visible ones: a window taken before
    # the filter would return fewer persons, or other ones.
    names = ["A", "B", "C", "D", "E", "F"]
    persons = {name: pupil_at(school if name in "ACE" else other_school, name) for name in names}

    page = persons_read(
        actor=mentor,
        purpose=Purpose.SCHOOL,
        queryset=Person.objects.order_by("family_name"),
        window=slice(1, 3),
    )

    assert page == [persons["C"], persons["E"]]
    assert read_person_ids() == sorted([persons["C"].pk, persons["E"].pk])


def test_persons_read_logs_the_action_asked_for(school, mentor):
    pupil = pupil_at(school, "Fors")

    persons_read(actor=mentor, purpose=Purpose.SCHOOL, action=Action.SEARCH, object_type="search")

    [entry] = reads_of(pupil)
    assert (entry.action, entry.object_type) == (Action.SEARCH, "search")


# --- person_read ---------------------------------------------------------------------------


def test_person_read_returns_a_visible_person_and_logs_them(school, mentor):
    pupil = pupil_at(school, "Gran")

    assert person_read(actor=mentor, person_id=pupil.pk, purpose=Purpose.SCHOOL) == pupil

    [entry] = reads_of(pupil)
    assert (entry.action, entry.purpose, entry.object_type, entry.object_id) == (
        Action.VIEW,
        Purpose.SCHOOL,
        "person",
        str(pupil.pk),
    )


def test_person_read_answers_missing_and_not_visible_alike_and_logs_nothing(other_school, mentor):
    not_visible = pupil_at(other_school, "Hed")
    missing_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    for person_id in (missing_id, not_visible.pk, str(not_visible.pk), "not-a-number", None):
        with pytest.raises(Http404):
            person_read(actor=mentor, person_id=person_id, purpose=Purpose.SCHOOL)

    assert AccessLogEntry.objects.count() == 0


# --- records_read and record_read ------------------------------------------------------------


@pytest.fixture
def cases(school, other_school, mentor, other_mentor):
    """Two cases at the mentor's school, one at another school (each opened, and logged as
    a create, by its own school)."""
    own = [
        case_open(actor=mentor, person=pupil_at(school, name), target_groups=["dropout"])
        for name in ("Ivarsson", "Jansson")
    ]
    theirs = case_open(
        actor=other_mentor, person=pupil_at(other_school, "Karlsson"), target_groups=["dropout"]
    )
    return own, theirs


def test_records_read_through_a_relation_logs_the_persons_of_the_rows(cases, mentor):
    own, theirs = cases

    members = records_read(
        TeamMember.objects.order_by("case__person__family_name"),
        actor=mentor,
        purpose=Purpose.SCHOOL,
        person_field="case__person",
        object_type="case_team",
    )

    assert [member.case_id for member in members] == [case.pk for case in own]
    assert read_person_ids() == sorted(case.person_id for case in own)
    for case in own:
        [entry] = reads_of(case.person)
        assert (entry.object_type, entry.purpose) == ("case_team", Purpose.SCHOOL)
    assert reads_of(theirs.person) == []


def test_records_read_through_a_relation_reads_the_persons_in_one_query(
    cases, mentor, django_assert_num_queries
):
    # Inside a request nothing is written before the response: the one query is the read,
    # however many rows it returns (no query per row to find the row's person).
    with access_log_collect() as collector, django_assert_num_queries(1):
        members = records_read(
            TeamMember.objects.all(),
            actor=mentor,
            purpose=Purpose.SCHOOL,
            person_field="case__person",
            object_type="case_team",
        )
    assert len(members) == 2
    assert len(collector) == 2


def test_records_read_with_the_domain_policy_filter(cases, mentor):
    own, _ = cases

    found = records_read(
        Case.objects.order_by("pk"),
        actor=mentor,
        purpose=Purpose.SUPPORT,
        visible=CasePolicy(mentor).cases_q(),
        object_type="case_list",
    )

    assert found == own
    assert read_person_ids() == sorted(case.person_id for case in own)


def test_records_read_window_slices_after_filtering(cases, mentor):
    own, _ = cases

    found = records_read(
        Case.objects.order_by("-pk"),
        actor=mentor,
        purpose=Purpose.SCHOOL,
        window=slice(0, 1),
        object_type="case_list",
    )

    assert found == [max(own, key=lambda case: case.pk)]
    assert read_person_ids() == [found[0].person_id]


def test_records_read_logs_nobody_for_a_row_whose_relation_is_empty(
    cases, school, other_school, mentor
):
    own, _ = cases
    pupil = own[0].person
    with_case, without_case = (
        Handover.objects.create(
            person=pupil,
            case=case,
            kind="other",
            from_school=school,
            to_school=other_school,
            strengths="Envis",
            what_has_worked="Korta pass",
            support_needed="Lugn plats",
        )
        for case in (own[0], None)
    )

    # The domain filter lets both rows through; only the one with a case names a person
    # through "case__person".
    rows = records_read(
        Handover.objects.order_by("pk"),
        actor=mentor,
        purpose=Purpose.SCHOOL,
        person_field="case__person",
        visible=Q(from_school=school),
        object_type="handover_list",
    )

    assert rows == [with_case, without_case]
    assert read_person_ids() == [pupil.pk]


def test_record_read_logs_the_row_id(cases, mentor):
    own, _ = cases
    case = own[0]

    found = record_read(
        Case.objects.filter(pk=case.pk),
        actor=mentor,
        purpose=Purpose.SUPPORT,
        visible=CasePolicy(mentor).cases_q(),
        object_type="case",
    )

    assert found == case
    [entry] = reads_of(case.person)
    assert (entry.action, entry.purpose, entry.object_type, entry.object_id) == (
        Action.VIEW,
        Purpose.SUPPORT,
        "case",
        str(case.pk),
    )


def test_record_read_answers_missing_and_out_of_reach_alike_and_logs_nothing(cases, mentor):
    _, theirs = cases
    missing = Case.objects.order_by("-pk").first().pk + 1000

    for case_id in (theirs.pk, missing):
        with pytest.raises(Http404):
            record_read(
                Case.objects.filter(pk=case_id),
                actor=mentor,
                purpose=Purpose.SUPPORT,
                visible=CasePolicy(mentor).cases_q(),
                object_type="case",
            )

    assert read_person_ids() == []


# --- persons_written and persons_shown -------------------------------------------------------


class WriteFailed(Exception):
    pass


def test_persons_written_is_written_at_once_and_rolled_back_with_the_write(school, mentor):
    pupil = pupil_at(school, "Lund")

    with pytest.raises(WriteFailed), transaction.atomic():
        persons_written(
            actor=mentor, action=Action.UPDATE, purpose=Purpose.SCHOOL, person_ids=[pupil.pk]
        )
        assert AccessLogEntry.objects.filter(person=pupil, action=Action.UPDATE).count() == 1
        raise WriteFailed

    assert AccessLogEntry.objects.filter(person=pupil).count() == 0

    with transaction.atomic():
        persons_written(
            actor=mentor,
            action=Action.CREATE,
            purpose=Purpose.SCHOOL,
            person_ids=[pupil.pk],
            object_type="note",
            object_id="7",
        )
    [entry] = AccessLogEntry.objects.filter(person=pupil)
    assert (entry.action, entry.object_type, entry.object_id) == (Action.CREATE, "note", "7")


def test_persons_written_inside_a_request_is_not_held_back_until_the_flush(school, mentor):
    pupil = pupil_at(school, "Moberg")

    with access_log_collect() as collector:
        persons_written(
            actor=mentor, action=Action.CREATE, purpose=Purpose.SCHOOL, person_ids=[pupil.pk]
        )
        assert len(collector) == 0
        assert AccessLogEntry.objects.filter(person=pupil, action=Action.CREATE).count() == 1


def test_persons_written_refuses_a_read_action(school, mentor):
    # A read inside a request would wait for the flush: not "in the caller's transaction".
    pupil = pupil_at(school, "Nord")

    with pytest.raises(ValueError, match="view"):
        persons_written(
            actor=mentor, action=Action.VIEW, purpose=Purpose.SCHOOL, person_ids=[pupil.pk]
        )

    assert AccessLogEntry.objects.count() == 0


def test_persons_shown_logs_the_persons_given(school, mentor):
    pupil = pupil_at(school, "Ohlsson")

    persons_shown(
        actor=mentor,
        purpose=Purpose.SCHOOL,
        person_ids=[pupil.pk],
        object_type="handover_form",
    )

    [entry] = reads_of(pupil)
    assert (entry.action, entry.object_type) == (Action.VIEW, "handover_form")


# --- Inside a request ----------------------------------------------------------------------


def test_reads_in_one_request_merge_to_one_entry_per_person(school, mentor):
    pupils = [pupil_at(school, "Palm"), pupil_at(school, "Quist")]

    with access_log_collect() as collector:
        persons_read(actor=mentor, purpose=Purpose.SCHOOL, object_type="person_list")
        person_read(actor=mentor, person_id=pupils[0].pk, purpose=Purpose.SCHOOL)
        persons_read(
            actor=mentor,
            purpose=Purpose.SCHOOL,
            action=Action.EXPORT,
            object_type="export",
        )
        # Nothing is written before the request's one flush.
        assert AccessLogEntry.objects.count() == 0
        assert collector.flush() == 2

    first, second = (reads_of(pupil) for pupil in pupils)
    assert len(first) == len(second) == 1
    # The weightiest read names the entry; all that was shown is listed.
    assert (first[0].action, first[0].object_type) == (Action.EXPORT, "export")
    first_id, second_id = (pupil.pk for pupil in pupils)
    assert first[0].shown == [
        f"person_list:{first_id}",
        f"person:{first_id}",
        f"export:export:{first_id}",
    ]
    assert second[0].shown == [f"person_list:{second_id}", f"export:export:{second_id}"]
