"""The caseload: young people of the cohort assigned to the municipality's coordinators,
bulk contact attempts, the coordinator's ranked list and the counts per coordinator."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.kaa import selectors, services
from lotsen.kaa.models import CaseloadAssignment, Contact, MeasureType, Notice
from lotsen.privacy.models import AccessLogEntry, Action
from tests.factories import MembershipFactory
from tests.kaa.conftest import OTHER, refresh, today, young

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(municipality) -> Actor:
    return Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    )


@pytest.fixture
def cohort(municipality, school):
    """Four young people in the cohort, by name."""
    persons = [
        young(school, given_name=name, family_name=f"{name}sson")
        for name in ("Ada", "Bo", "Cia", "Dan")
    ]
    refresh()
    return persons


def ids(persons) -> list[int]:
    return [p.pk for p in persons]


def test_assign_opens_one_row_each_and_logs_the_write(coordinator, colleague, cohort):
    result = services.caseload_assign(
        actor=coordinator, person_ids=ids(cohort[:3]), coordinator_id=colleague.user.pk
    )
    assert (result.count, result.changed) == (3, 3)
    rows = CaseloadAssignment.objects.filter(ended_at__isnull=True)
    assert {(r.person_id, r.coordinator_id, r.assigned_by_id) for r in rows} == {
        (p.pk, colleague.user.pk, coordinator.user.pk) for p in cohort[:3]
    }
    logged = AccessLogEntry.objects.filter(
        object_type="kaa_caseload_assignment", action=Action.UPDATE
    )
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(ids(cohort[:3]))


def test_reassigning_closes_the_old_row_and_keeps_the_history(coordinator, colleague, cohort):
    ada = cohort[0]
    services.caseload_assign(
        actor=coordinator, person_ids=[ada.pk], coordinator_id=colleague.user.pk
    )
    services.caseload_assign(
        actor=colleague, person_ids=[ada.pk], coordinator_id=coordinator.user.pk
    )
    history = list(CaseloadAssignment.objects.filter(person=ada).order_by("id"))
    assert [(a.coordinator_id, a.assigned_by_id) for a in history] == [
        (colleague.user.pk, coordinator.user.pk),
        (coordinator.user.pk, colleague.user.pk),
    ]
    assert history[0].ended_at is not None and history[0].ended_by_id == colleague.user.pk
    assert history[1].ended_at is None


def test_assigning_to_the_same_coordinator_again_changes_nothing(coordinator, cohort):
    me = coordinator.user.pk
    services.caseload_assign(actor=coordinator, person_ids=ids(cohort), coordinator_id=me)
    again = services.caseload_assign(actor=coordinator, person_ids=ids(cohort), coordinator_id=me)
    assert (again.count, again.changed) == (4, 0)
    assert CaseloadAssignment.objects.count() == 4


def test_unassign_closes_the_row(coordinator, cohort):
    services.caseload_assign(
        actor=coordinator, person_ids=[cohort[0].pk], coordinator_id=coordinator.user.pk
    )
    services.caseload_assign(actor=coordinator, person_ids=[cohort[0].pk], coordinator_id=None)
    assert not CaseloadAssignment.objects.filter(ended_at__isnull=True).exists()
    assert CaseloadAssignment.objects.count() == 1


def test_only_a_coordinator_of_the_same_municipality_can_be_assigned(
    coordinator, other_coordinator, cohort
):
    with pytest.raises(ValidationError) as error:
        services.caseload_assign(
            actor=coordinator, person_ids=ids(cohort), coordinator_id=other_coordinator.user.pk
        )
    assert error.value.message_dict == {"coordinator": [services.ERROR_ASSIGN_NOT_COORDINATOR]}
    assert not CaseloadAssignment.objects.exists()


def test_one_person_outside_the_cohort_and_nothing_is_written(coordinator, cohort, school):
    outsider = young(school, municipality=OTHER)
    with pytest.raises(ValidationError) as error:
        services.caseload_assign(
            actor=coordinator,
            person_ids=[*ids(cohort), outsider.pk],
            coordinator_id=coordinator.user.pk,
        )
    assert error.value.message_dict == {
        "person_ids": [services.ERROR_ASSIGN_NOT_IN_COHORT.format(count=1)]
    }
    assert not CaseloadAssignment.objects.exists()


def test_only_a_coordinator_may_assign(counsellor, coordinator, cohort):
    with pytest.raises(PermissionDenied):
        services.caseload_assign(
            actor=counsellor, person_ids=ids(cohort), coordinator_id=coordinator.user.pk
        )


def test_bulk_limits_name_the_field(coordinator):
    with pytest.raises(ValidationError) as error:
        services.caseload_assign(actor=coordinator, person_ids=[], coordinator_id=None)
    assert error.value.message_dict == {"person_ids": [services.ERROR_NONE_SELECTED]}
    with pytest.raises(ValidationError) as error:
        services.caseload_assign(
            actor=coordinator, person_ids=range(1, services.BULK_LIMIT + 2), coordinator_id=None
        )
    assert error.value.message_dict == {
        "person_ids": [services.ERROR_TOO_MANY_SELECTED.format(limit=services.BULK_LIMIT)]
    }


def test_a_letter_to_many_is_one_attempt_each_logged_and_status_stays_unknown(coordinator, cohort):
    result = services.contact_attempt_record_many(
        actor=coordinator, person_ids=ids(cohort), method="letter", contact_date=today()
    )
    assert result.count == 4
    contacts = Contact.objects.all()
    assert sorted(c.person_id for c in contacts) == sorted(ids(cohort))
    assert {(c.kind, c.method, c.occupation, c.recorded_by_id) for c in contacts} == {
        ("attempt", "letter", "", coordinator.user.pk)
    }
    logged = AccessLogEntry.objects.filter(object_type="kaa_contact", action=Action.CREATE)
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(ids(cohort))
    page = selectors.kaa_cohort_list(actor=coordinator)
    assert {row.status for row in page.rows} == {selectors.STATUS_UNKNOWN}
    assert {row.last_contact for row in page.rows} == {today()}


def test_a_bad_bulk_contact_writes_nothing(coordinator, cohort):
    tomorrow = today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.contact_attempt_record_many(
            actor=coordinator, person_ids=ids(cohort), method="pigeon", contact_date=tomorrow
        )
    assert error.value.message_dict == {
        "contact_date": [services.ERROR_DATE_FUTURE],
        "method": [services.ERROR_CONTACT_METHOD],
    }
    assert not Contact.objects.exists()
    assert not AccessLogEntry.objects.filter(object_type="kaa_contact").exists()


def test_the_caseload_ranks_unknown_then_notices_then_follow_ups(coordinator, cohort, school):
    ada, bo, cia, dan = cohort
    me = coordinator.user.pk
    services.caseload_assign(actor=coordinator, person_ids=ids(cohort), coordinator_id=me)
    # Bo and Cia are reached, Dan is in a measure with a follow-up due today; Cia has a
    # notice waiting; Ada is status unknown.
    for person in (bo, cia, dan):
        services.contact_record(
            actor=coordinator,
            person=person,
            kind="contact",
            method="phone",
            contact_date=today(),
            occupation="none",
        )
    measure = services.measure_record(
        actor=coordinator,
        person=dan,
        measure_type=MeasureType.objects.get(code="coaching"),
        status="started",
        offered_on=today() - dt.timedelta(days=3),
        start_date=today() - dt.timedelta(days=2),
    )
    services.follow_up_add(actor=coordinator, measure=measure, due_on=today())
    Notice.objects.create(
        kind="absence",
        personal_identity_number=cia.personal_identity_number,
        person=cia,
        municipality_code=cia.home_municipality_code,
        event_date=today(),
        sender_organisation_name="Gymnasiet",
        receipt="R-CASELOAD-1",
    )
    page = selectors.kaa_caseload(actor=coordinator)
    assert [(row.person, row.priority) for row in page.rows] == [
        (ada, selectors.PRIORITY_STATUS_UNKNOWN),
        (cia, selectors.PRIORITY_OPEN_NOTICE),
        (dan, selectors.PRIORITY_FOLLOW_UP_DUE),
        (bo, selectors.PRIORITY_REST),
    ]
    assert page.total == 4
    assert [row.open_notices for row in page.rows] == [0, 1, 0, 0]
    assert page.rows[2].next_follow_up == today()
    logged = AccessLogEntry.objects.filter(object_type="kaa_caseload")
    assert sorted(logged.values_list("person_id", flat=True)) == sorted(ids(cohort))


def test_a_coordinators_caseload_holds_only_their_own(coordinator, colleague, cohort):
    services.caseload_assign(
        actor=coordinator, person_ids=ids(cohort[:1]), coordinator_id=colleague.user.pk
    )
    services.caseload_assign(
        actor=coordinator, person_ids=ids(cohort[1:3]), coordinator_id=coordinator.user.pk
    )
    assert [r.person for r in selectors.kaa_caseload(actor=colleague).rows] == cohort[:1]
    assert [r.person for r in selectors.kaa_caseload(actor=coordinator).rows] == cohort[1:3]
    unassigned = selectors.kaa_caseload(actor=coordinator, coordinator_id=selectors.UNASSIGNED)
    assert [r.person for r in unassigned.rows] == cohort[3:]


def test_the_caseload_pages_in_the_database(coordinator, cohort):
    me = coordinator.user.pk
    services.caseload_assign(actor=coordinator, person_ids=ids(cohort), coordinator_id=me)
    first = selectors.kaa_caseload(actor=coordinator, limit=3)
    second = selectors.kaa_caseload(actor=coordinator, limit=3, offset=3)
    assert (first.total, first.has_next, second.has_previous) == (4, True, True)
    assert [r.person for r in first.rows + second.rows] == cohort


def test_caseload_per_coordinator_counts_total_and_unknown(coordinator, colleague, cohort):
    services.caseload_assign(
        actor=coordinator, person_ids=ids(cohort[:3]), coordinator_id=colleague.user.pk
    )
    services.contact_record(
        actor=coordinator,
        person=cohort[0],
        kind="contact",
        method="phone",
        contact_date=today(),
        occupation="work",
    )
    loads = selectors.kaa_caseload_per_coordinator(actor=coordinator)
    by_user = {(load.coordinator.pk if load.coordinator else None): load for load in loads}
    assert (by_user[colleague.user.pk].total, by_user[colleague.user.pk].unknown) == (3, 2)
    assert (by_user[coordinator.user.pk].total, by_user[coordinator.user.pk].unknown) == (0, 0)
    assert (by_user[None].total, by_user[None].unknown) == (1, 1)
    assert loads[-1].coordinator is None


def test_caseload_per_coordinator_takes_the_same_queries_for_more_rows(
    coordinator, colleague, cohort, school, django_assert_num_queries
):
    services.caseload_assign(
        actor=coordinator, person_ids=ids(cohort[:2]), coordinator_id=colleague.user.pk
    )
    with django_assert_num_queries(2) as few:
        selectors.kaa_caseload_per_coordinator(actor=coordinator)
    more = [young(school) for _ in range(5)]
    refresh()
    services.caseload_assign(
        actor=coordinator, person_ids=ids(more), coordinator_id=colleague.user.pk
    )
    with django_assert_num_queries(len(few.captured_queries)):
        selectors.kaa_caseload_per_coordinator(actor=coordinator)


def test_notices_waiting_for_a_coordinator_and_nobody_else(coordinator, counsellor, cohort):
    Notice.objects.create(
        kind="dropout",
        personal_identity_number=cohort[0].personal_identity_number,
        person=cohort[0],
        municipality_code=cohort[0].home_municipality_code,
        event_date=today(),
        sender_organisation_name="Gymnasiet",
        receipt="R-CASELOAD-2",
    )
    rows = selectors.notices_waiting_for(actor=coordinator)
    assert [(row.notice.receipt, row.person) for row in rows] == [("R-CASELOAD-2", cohort[0])]
    assert selectors.notices_waiting_for(actor=counsellor) == []
