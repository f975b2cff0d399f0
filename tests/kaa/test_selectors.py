"""Reads through the door: the coordinator's cohort list, the register page, the inbox.
One access-log entry per person returned; 404 for missing and foreign alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.kaa import selectors, services
from lotsen.kaa.models import MeasureType, ResidencePeriod
from lotsen.privacy.models import AccessLogEntry, Action
from tests.factories import MembershipFactory
from tests.kaa.conftest import OTHER, M, refresh, today, young

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(municipality, school, coordinator):
    """One unknown, one reached, one in a measure."""
    unknown, reached, in_measure = (
        young(school, given_name=n, family_name=f"{n}sson") for n in ("Ada", "Bo", "Cia")
    )
    refresh()
    services.contact_record(
        actor=coordinator,
        person=reached,
        kind="contact",
        method="phone",
        contact_date=today(),
        occupation="work",
    )
    services.contact_record(
        actor=coordinator, person=unknown, kind="attempt", method="letter", contact_date=today()
    )
    services.measure_record(
        actor=coordinator,
        person=in_measure,
        measure_type=MeasureType.objects.get(code="coaching"),
        status="started",
        offered_on=today() - dt.timedelta(days=3),
        start_date=today(),
    )
    return unknown, reached, in_measure


def log_count(object_type: str) -> int:
    return AccessLogEntry.objects.filter(object_type=object_type).count()


def test_the_list_shows_status_and_logs_each_person_once(coordinator, three):
    unknown, reached, in_measure = three
    page = selectors.kaa_cohort_list(actor=coordinator)
    assert [(r.person, r.status) for r in page.rows] == [
        (unknown, selectors.STATUS_UNKNOWN),
        (reached, selectors.STATUS_REACHED),
        (in_measure, selectors.STATUS_IN_MEASURE),
    ]
    assert page.rows[0].last_contact == today()
    entries = AccessLogEntry.objects.filter(object_type="kaa_cohort_list")
    assert sorted(entries.values_list("person_id", flat=True)) == sorted(p.pk for p in three)
    assert set(entries.values_list("action", flat=True)) == {Action.VIEW}


@pytest.mark.parametrize(
    ("status", "index"),
    [
        (selectors.STATUS_UNKNOWN, 0),
        (selectors.STATUS_REACHED, 1),
        (selectors.STATUS_IN_MEASURE, 2),
    ],
)
def test_the_list_filters_by_status(coordinator, three, status, index):
    page = selectors.kaa_cohort_list(actor=coordinator, status=status)
    assert [r.person for r in page.rows] == [three[index]]
    assert page.total == 1


def test_a_contact_with_unknown_occupation_leaves_the_status_unknown(coordinator, three):
    unknown = three[0]
    services.contact_record(
        actor=coordinator,
        person=unknown,
        kind="contact",
        method="phone",
        contact_date=today(),
        occupation="unknown",
    )
    assert selectors.kaa_cohort_list(actor=coordinator, status="unknown").rows[0].person == unknown


def test_the_list_takes_a_fixed_number_of_queries(
    coordinator, municipality, school, django_assert_max_num_queries
):
    for _ in range(3):
        young(school)
    refresh()
    # The log's insert reads the hash chain's head first (and on PostgreSQL takes its lock).
    with django_assert_max_num_queries(7) as few:
        selectors.kaa_cohort_list(actor=coordinator)
    for _ in range(12):
        young(school)
    refresh()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(selectors.kaa_cohort_list(actor=coordinator).rows) == 15


def test_the_register_page_reads_everything_and_logs_once(coordinator, three):
    record = selectors.kaa_person_get_for(actor=coordinator, person_id=three[2].pk)
    assert record.status == selectors.STATUS_IN_MEASURE
    assert [m.measure_type.code for m in record.active_measures] == ["coaching"]
    assert record.current is not None and record.show_contact_details
    assert log_count("kaa_register") == 1


def test_missing_and_foreign_persons_are_the_same_404(
    coordinator, other_coordinator, three, school
):
    stranger = young(school, municipality=OTHER)
    for person_id in (stranger.pk, 999999, "x"):
        with pytest.raises(Http404):
            selectors.kaa_person_get_for(actor=coordinator, person_id=person_id)
    with pytest.raises(Http404):
        selectors.kaa_person_get_for(actor=other_coordinator, person_id=three[0].pk)
    assert log_count("kaa_register") == 0


@pytest.mark.parametrize("role", [Role.MENTOR, Role.CASE_WORKER, Role.ORGANISATION_ADMIN])
def test_other_roles_reach_nothing(municipality, school, three, role):
    actor = Actor.for_membership(MembershipFactory(organisation=municipality, role=role))
    with pytest.raises(Http404):
        selectors.kaa_cohort_list(actor=actor)
    with pytest.raises(Http404):
        selectors.kaa_person_get_for(actor=actor, person_id=three[0].pk)


def test_the_register_outlives_a_move_away(coordinator, three):
    person = three[1]
    moved = today() - dt.timedelta(days=2)
    ResidencePeriod.objects.filter(person=person).update(moved_out=moved)
    ResidencePeriod.objects.create(person=person, municipality_code=OTHER, moved_in=moved)
    person.home_municipality_code = OTHER
    person.save()
    refresh()
    # Not in today's list, but the municipality still answers for its register.
    assert person not in [r.person for r in selectors.kaa_cohort_list(actor=coordinator).rows]
    record = selectors.kaa_person_get_for(actor=coordinator, person_id=person.pk)
    assert record.current is None
    assert record.memberships[0].left_reason == "moved_away"
    assert len(record.contacts) == 1
    # ... but not where the person lives now, nor their contact details.
    assert not record.show_contact_details
    assert {r.municipality_code for r in record.residences} == {M}


def test_the_inbox_logs_the_persons_it_names(coordinator, counsellor, three):
    services.notice_send(
        actor=counsellor,
        kind="dropout",
        personal_identity_number=three[0].personal_identity_number,
        home_municipality_code="0180",
        event_date=today(),
    )
    rows = selectors.kaa_notice_inbox(actor=coordinator)
    assert [r.person for r in rows] == [three[0]]
    assert selectors.kaa_notice_count_open(actor=coordinator) == 1
    assert (
        AccessLogEntry.objects.filter(object_type="kaa_notice_inbox").get().person_id == three[0].pk
    )
    services.notice_mark_handled(actor=coordinator, notice=rows[0].notice)
    assert selectors.kaa_notice_inbox(actor=coordinator) == []
    assert len(selectors.kaa_notice_inbox(actor=coordinator, include_handled=True)) == 1
