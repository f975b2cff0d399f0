"""The inbox selector: one row per young person, ranked and paged in the database, and
only the page's persons read (and logged) through the door."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from lotsen.accounts.models import Role
from lotsen.inbox.models import InboxAssignment
from lotsen.inbox.selectors import (
    PAGE_SIZE,
    SORT_NAME,
    STATUS_OVERDUE,
    WHO_MINE,
    WHO_UNASSIGNED,
    InboxFilters,
    inbox_page_for,
)
from lotsen.inbox.sources import Kind
from lotsen.kaa.models import CohortMembership
from lotsen.privacy.models import AccessLogEntry
from tests.inbox.conftest import CODE, notice, pupil, today, unknown_status

pytestmark = pytest.mark.django_db

# The KAA coordinator's inbox page: the same number whatever the number of rows, reasons
# or coordinators whose caseloads they are in (paged and ranked in the database). One more
# on PostgreSQL: the access log's chain takes its advisory lock there.
KAA_INBOX_QUERIES = {"sqlite": 13, "postgresql": 14}


def test_a_young_person_with_three_items_is_one_row_with_three_reasons(world):
    many = unknown_status(world)
    notice(world, many)
    notice(world, many, kind="dropout")
    one = unknown_status(world)
    page = inbox_page_for(actor=world.actors["kaa"])
    assert sorted(row.person.pk for row in page.rows) == sorted([many.pk, one.pk])
    by_person = {row.person.pk: row for row in page.rows}
    assert [r.kind for r in by_person[many.pk].reasons].count(Kind.KAA_NOTICE) == 2
    assert len(by_person[many.pk].reasons) == 3
    assert len(by_person[one.pk].reasons) == 1
    assert page.total == 2
    counts = page.kind_counts
    kaa_kinds = (Kind.KAA_UNKNOWN, Kind.KAA_NOTICE, Kind.KAA_FOLLOW_UP)
    assert [counts[kind] for kind in kaa_kinds] == [2, 1, 0]


def test_another_schools_pupils_are_not_in_the_inbox(world):
    pupil(world, school=world.other_school)
    assert inbox_page_for(actor=world.actors["mentor"]).total == 0


def test_longest_waiting_comes_first_and_pages_hold_page_size(world):
    oldest = pupil(world, days_ago=40)
    for _ in range(PAGE_SIZE):
        pupil(world, days_ago=1)
    first = inbox_page_for(actor=world.actors["mentor"])
    assert first.rows[0].person.pk == oldest.pk
    assert len(first.rows) == PAGE_SIZE and first.total == PAGE_SIZE + 1
    second = inbox_page_for(actor=world.actors["mentor"], filters=InboxFilters(page=2))
    assert len(second.rows) == 1 and second.total == PAGE_SIZE + 1
    assert {r.person.pk for r in first.rows}.isdisjoint({r.person.pk for r in second.rows})
    # A link to a page past the last (the inbox shrank since it was made) shows no rows
    # and still says how many there are, so the pagination can lead back.
    past = inbox_page_for(actor=world.actors["mentor"], filters=InboxFilters(page=5))
    assert past.rows == [] and past.total == PAGE_SIZE + 1


def test_only_the_page_is_logged(world):
    for _ in range(PAGE_SIZE + 3):
        pupil(world)
    before = AccessLogEntry.objects.count()
    page = inbox_page_for(actor=world.actors["mentor"])
    logged = AccessLogEntry.objects.filter(pk__gt=0).count() - before
    assert logged == len(page.rows) == PAGE_SIZE


def test_sort_by_name(world):
    pupil(world, family_name="Öberg", days_ago=30)
    pupil(world, family_name="Andersson")
    page = inbox_page_for(actor=world.actors["mentor"], filters=InboxFilters(sort=SORT_NAME))
    assert [row.person.family_name for row in page.rows] == ["Andersson", "Öberg"]


def test_year_filter_and_its_counts(world):
    pupil(world, year=8)
    nine = pupil(world, year=9)
    page = inbox_page_for(actor=world.actors["mentor"], filters=InboxFilters(year=9))
    assert [row.person.pk for row in page.rows] == [nine.pk]
    assert page.year_counts == [(8, 1), (9, 1)]


def test_unacknowledged_past_the_setting_is_overdue(world, settings):
    settings.LOTSEN_INBOX_OVERDUE_DAYS = 5
    late = pupil(world, days_ago=6)
    pupil(world, days_ago=2)
    page = inbox_page_for(actor=world.actors["mentor"], filters=InboxFilters(status=STATUS_OVERDUE))
    assert [row.person.pk for row in page.rows] == [late.pk]
    assert page.rows[0].overdue


def test_an_assignment_in_the_organisation_moves_a_row_out_of_unassigned(world):
    taken = pupil(world)
    free = pupil(world)
    InboxAssignment.objects.create(
        organisation=world.school, person=taken, assigned_to=world.members["colleague"].user
    )
    page = inbox_page_for(actor=world.actors["mentor"], filters=InboxFilters(who=WHO_UNASSIGNED))
    assert [row.person.pk for row in page.rows] == [free.pk]
    assert page.who_counts[WHO_UNASSIGNED] == 1


def test_kaa_coordinator_sees_status_unknown_and_not_the_school_signals(world):
    waiting = unknown_status(world)
    pupil(world)
    page = inbox_page_for(actor=world.actors["kaa"])
    assert [row.person.pk for row in page.rows] == [waiting.pk]
    assert page.rows[0].reasons[0].kind == Kind.KAA_UNKNOWN
    assert page.rows[0].person_url.endswith(f"/{waiting.pk}/")


def test_roles_without_persons_have_an_empty_inbox(world):
    pupil(world)
    page = inbox_page_for(actor=world.actors["admin"])
    assert page.rows == [] and page.total == 0


def test_a_new_item_after_acknowledgement_makes_the_row_new_again(world):
    from django.utils import timezone

    # Acknowledged two days ago; the signal came today.
    person = pupil(world, days_ago=0)
    InboxAssignment.objects.create(
        organisation=world.school,
        person=person,
        acknowledged_at=timezone.now() - dt.timedelta(days=2),
    )
    assert inbox_page_for(actor=world.actors["mentor"]).rows[0].acknowledged is False
    InboxAssignment.objects.filter(person=person).update(acknowledged_at=timezone.now())
    assert inbox_page_for(actor=world.actors["mentor"]).rows[0].acknowledged is True


def test_class_filter_keeps_the_class_and_another_schools_class_finds_nobody(world):
    from lotsen.school.models import Group, GroupMembership

    in_class = pupil(world)
    pupil(world)
    start = today() - dt.timedelta(days=30)
    nine_a = Group.objects.create(
        school_unit=world.school, name="9A", group_type="klass", start_date=start
    )
    GroupMembership.objects.create(group=nine_a, person=in_class)
    foreign = Group.objects.create(
        school_unit=world.other_school, name="9B", group_type="klass", start_date=start
    )
    GroupMembership.objects.create(group=foreign, person=in_class)
    mentor = world.actors["mentor"]
    page = inbox_page_for(actor=mentor, filters=InboxFilters(group=nine_a.pk))
    assert [row.person.pk for row in page.rows] == [in_class.pk]
    assert inbox_page_for(actor=mentor, filters=InboxFilters(group=foreign.pk)).rows == []


def test_kaa_rows_name_the_caseload_coordinator_unless_the_inbox_names_someone(world):
    from lotsen.kaa.services import caseload_assign

    kaa, kaa2 = world.actors["kaa"], world.actors["kaa2"]
    in_caseload = unknown_status(world)
    seen_only = unknown_status(world)
    given_to_kaa = unknown_status(world)
    given_to_team = unknown_status(world)
    nobodys = unknown_status(world)
    caseload_assign(
        actor=kaa,
        person_ids=[in_caseload.pk, seen_only.pk, given_to_kaa.pk, given_to_team.pk],
        coordinator_id=kaa2.user.pk,
    )
    # An acknowledgement alone names nobody: the caseload still answers.
    InboxAssignment.objects.create(
        organisation=world.municipality, person=seen_only, acknowledged_at=timezone.now()
    )
    InboxAssignment.objects.create(
        organisation=world.municipality, person=given_to_kaa, assigned_to=kaa.user
    )
    InboxAssignment.objects.create(
        organisation=world.municipality, person=given_to_team, assigned_role=Role.KAA_COORDINATOR
    )

    page = inbox_page_for(actor=kaa)
    by_person = {row.person.pk: row for row in page.rows}
    kaa2_name = kaa2.user.get_full_name() or kaa2.user.username
    kaa_name = kaa.user.get_full_name() or kaa.user.username
    assert by_person[in_caseload.pk].assignee == kaa2_name
    assert by_person[seen_only.pk].assignee == kaa2_name
    assert by_person[given_to_kaa.pk].assignee == kaa_name
    assert by_person[given_to_team.pk].assignee == str(Role.KAA_COORDINATOR.label)
    assert by_person[nobodys.pk].assignee == ""

    # The filters read what the column shows.
    mine = inbox_page_for(actor=kaa2, filters=InboxFilters(who=WHO_MINE))
    assert {row.person.pk for row in mine.rows} == {in_caseload.pk, seen_only.pk}
    assert page.who_counts[WHO_UNASSIGNED] == 1
    responsible = inbox_page_for(actor=kaa, filters=InboxFilters(assigned=kaa2.user.pk))
    assert {row.person.pk for row in responsible.rows} == {in_caseload.pk, seen_only.pk}


def test_a_school_inbox_names_nobody_from_a_kaa_caseload(world):
    # The caseload is the municipality's; a school's inbox row is not the coordinator's.
    from lotsen.kaa.services import caseload_assign

    person = pupil(world)
    CohortMembership.objects.create(
        person=person, municipality_code=CODE, entered_on=today(), reason="never_started"
    )
    caseload_assign(
        actor=world.actors["kaa"],
        person_ids=[person.pk],
        coordinator_id=world.members["kaa2"].user.pk,
    )
    [row] = inbox_page_for(actor=world.actors["mentor"]).rows
    assert row.assigned_to_id is None and row.assignee == ""


def test_kaa_inbox_queries_do_not_grow_with_rows_or_coordinators(world, django_assert_num_queries):
    from lotsen.kaa.services import caseload_assign

    kaa = world.actors["kaa"]
    first = unknown_status(world)
    caseload_assign(actor=kaa, person_ids=[first.pk], coordinator_id=kaa.user.pk)
    with django_assert_num_queries(KAA_INBOX_QUERIES[connection.vendor]):
        inbox_page_for(actor=kaa)

    # More rows, each coordinator of the municipality holding some, and notices: the same
    # number of queries.
    more = [unknown_status(world) for _ in range(PAGE_SIZE + 5)]
    for person in more[:5]:
        notice(world, person)
    caseload_assign(actor=kaa, person_ids=[p.pk for p in more[::2]], coordinator_id=kaa.user.pk)
    caseload_assign(
        actor=kaa,
        person_ids=[p.pk for p in more[1::2]],
        coordinator_id=world.members["kaa2"].user.pk,
    )
    with django_assert_num_queries(KAA_INBOX_QUERIES[connection.vendor]):
        page = inbox_page_for(actor=kaa)
    assert len(page.rows) == PAGE_SIZE
    assert {row.assignee for row in page.rows} == {
        u.get_full_name() or u.username for u in (kaa.user, world.members["kaa2"].user)
    }
