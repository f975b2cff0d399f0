"""Retention: work records go when the person's KAA ended long enough ago, never while it
runs; memberships are anonymised; notices and population data have their own clocks; a
dry run only counts; every run is recorded with its counts."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.kaa import services
from lotsen.kaa.models import (
    CaseloadAssignment,
    CohortMembership,
    Contact,
    Measure,
    MeasureType,
    Notice,
    ResidencePeriod,
    RetentionRun,
)
from lotsen.kaa.retention import kaa_retention_run, retention_years
from lotsen.people.identity import age_on
from tests.kaa.conftest import M, refresh, today, years_ago, young

pytestmark = pytest.mark.django_db


def contact(person, on):
    return Contact.objects.create(
        person=person,
        municipality_code=M,
        kind="contact",
        method="phone",
        contact_date=on,
        occupation="work",
    )


@pytest.fixture
def old_and_current(municipality, school):
    """``old`` left the KAA four years ago; ``current`` is in it now with old records."""
    old = young(school, age=23, left_compulsory_days_ago=None)
    current = young(school)
    refresh()
    CohortMembership.objects.create(
        person=old, municipality_code=M, entered_on=years_ago(6), reason="dropped_out",
        school_reason="dropped_out", left_on=years_ago(4), left_reason="turned_20", gender="woman",
        birth_year=old.date_of_birth.year,
    )  # fmt: skip
    for person in (old, current):
        contact(person, years_ago(5))
        Measure.objects.create(
            person=person, municipality_code=M, measure_type=MeasureType.objects.get(code="other"),
            status="ended", offered_on=years_ago(5), start_date=years_ago(5), end_date=years_ago(5),
            end_reason="completed",
        )  # fmt: skip
    return old, current


def test_work_goes_after_the_kaa_ended_and_stays_while_it_runs(old_and_current):
    old, current = old_and_current
    result = kaa_retention_run(today=today())
    assert result.counts["contacts_deleted"] == 1
    assert result.counts["measures_deleted"] == 1
    assert not Contact.objects.filter(person=old).exists()
    assert Contact.objects.filter(person=current).count() == 1
    assert Measure.objects.filter(person=current).count() == 1


def test_who_had_the_person_in_their_caseload_goes_with_the_work(old_and_current, coordinator):
    old, current = old_and_current
    for person in (old, current):
        CaseloadAssignment.objects.create(
            person=person, municipality_code=M, coordinator=coordinator.user,
            assigned_by=coordinator.user,
        )  # fmt: skip
    dry = kaa_retention_run(today=today(), dry_run=True)
    assert dry.counts["caseload_assignments_deleted"] == 1
    assert CaseloadAssignment.objects.count() == 2
    kaa_retention_run(today=today())
    assert list(CaseloadAssignment.objects.values_list("person_id", flat=True)) == [current.pk]


def test_memberships_are_anonymised_not_deleted(old_and_current):
    old, _current = old_and_current
    kaa_retention_run(today=today())
    membership = CohortMembership.objects.get(left_reason="turned_20", left_on=years_ago(4))
    assert membership.person is None and membership.anonymised_at is not None
    assert (membership.gender, membership.birth_year) == ("woman", old.date_of_birth.year)


def test_records_about_someone_never_in_the_cohort_count_from_their_own_date(municipality, school):
    pupil = young(school, upper_secondary=(150, None, "NA"))
    refresh()
    contact(pupil, years_ago(4))
    recent = contact(pupil, years_ago(1))
    kaa_retention_run(today=today())
    assert list(Contact.objects.all()) == [recent]


def test_notices_and_population_data_have_their_own_clocks(old_and_current, counsellor):
    old, current = old_and_current
    services.notice_send(
        actor=counsellor, kind="absence", personal_identity_number=current.personal_identity_number,
        home_municipality_code=M, event_date=today(),
    )  # fmt: skip
    Notice.objects.update(sent_at=Notice.objects.get().sent_at - dt.timedelta(days=4 * 366))
    result = kaa_retention_run(today=today())
    assert result.counts["notices_deleted"] == 1
    # ``old`` turned 20 three years ago or more: nothing can put them in a cohort again.
    assert age_on(old.date_of_birth, today()) >= 23
    assert not ResidencePeriod.objects.filter(person=old).exists()
    assert ResidencePeriod.objects.filter(person=current).exists()


def test_a_dry_run_counts_and_changes_nothing(old_and_current):
    result = kaa_retention_run(today=today(), dry_run=True)
    assert result.total > 0
    assert Contact.objects.count() == 2
    run = RetentionRun.objects.get()
    assert (run.dry_run, run.counts) == (True, result.counts)


def test_periods_are_configuration(old_and_current, settings):
    settings.LOTSEN_KAA_RETENTION_YEARS = {"contact": 10}
    assert retention_years()["contact"] == 10
    result = kaa_retention_run(today=today())
    assert result.counts["contacts_deleted"] == 0
    assert result.counts["measures_deleted"] == 1
