"""The cohort recomputation against the database, and the services that record the work:
contacts, measures, follow-ups, the plan (with the support hook), notices from schools."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.kaa import cohort, hooks, services
from lotsen.kaa.models import (
    CohortMembership,
    Contact,
    ContactKind,
    EquivalentKind,
    Measure,
    MeasureStatus,
    MeasureType,
    Notice,
    Occupation,
    Plan,
    ResidencePeriod,
)
from lotsen.privacy.models import AccessLogEntry, Action
from lotsen.school.models import Enrolment
from tests.factories import EnrolmentFactory, MembershipFactory, PersonFactory
from tests.kaa.conftest import OTHER, M, refresh, today, years_ago, young

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def memberships(person, code=M):
    return list(
        CohortMembership.objects.filter(person=person, municipality_code=code).order_by(
            "entered_on"
        )
    )


# --- The cohort in the database --------------------------------------------------------------


def test_refresh_stores_members_with_entry_date_and_reason(municipality, school):
    never = young(school, left_compulsory_days_ago=200)
    dropout = young(school, age=18, left_compulsory_days_ago=500, upper_secondary=(450, 60, "EK"))
    pupil = young(school, upper_secondary=(150, None, "NA"))
    result = refresh()
    assert result.members_today == 2
    [m] = memberships(never)
    assert (m.entered_on, m.reason, m.left_on) == (
        today() - dt.timedelta(days=199),
        cohort.REASON_NEVER_STARTED,
        None,
    )
    [d] = memberships(dropout)
    assert (d.entered_on, d.reason) == (today() - dt.timedelta(days=59), cohort.REASON_DROPPED_OUT)
    assert memberships(pupil) == []
    assert d.gender == dropout.gender and d.birth_year == dropout.date_of_birth.year


def test_refresh_is_idempotent(municipality, school):
    young(school)
    young(school, age=18, upper_secondary=(450, 60, "IMV"))
    first = refresh()
    stamps = dict(CohortMembership.objects.values_list("pk", "updated_at"))
    second = refresh()
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    assert second.unchanged == first.created
    assert dict(CohortMembership.objects.values_list("pk", "updated_at")) == stamps


def test_refresh_takes_the_same_number_of_queries_for_any_cohort_size(
    municipality, school, django_assert_num_queries
):
    young(school)
    refresh()
    CohortMembership.objects.all().delete()
    # The memberships are written by ingest.upsert's rows_insert/rows_update, whose
    # statements differ by database; the count must not grow with the cohort.
    pinned = 11 if connection.vendor == "sqlite" else 10
    with django_assert_num_queries(pinned) as small:
        refresh()
    for _ in range(15):
        young(school)
    CohortMembership.objects.all().delete()
    with django_assert_num_queries(len(small.captured_queries)):
        assert refresh().members_today == 16


def test_a_late_enrolment_removes_a_membership_the_data_no_longer_supports(municipality, school):
    person = young(school)
    refresh()
    assert len(memberships(person)) == 1
    EnrolmentFactory(
        person=person,
        school_unit=school,
        school_type="GY",
        programme="SA",
        start_date=today() - dt.timedelta(days=190),
    )
    result = refresh()
    assert result.deleted == 1
    assert memberships(person) == []


def test_moving_away_closes_the_membership_with_the_reason(municipality, school):
    person = young(school)
    refresh()
    moved = today() - dt.timedelta(days=10)
    ResidencePeriod.objects.filter(person=person).update(moved_out=moved)
    ResidencePeriod.objects.create(person=person, municipality_code=OTHER, moved_in=moved)
    refresh()
    [m] = memberships(person)
    assert (m.left_on, m.left_reason) == (moved, cohort.LEFT_MOVED_AWAY)
    assert memberships(person, OTHER) == []  # nobody refreshed the other municipality
    services.kaa_cohort_refresh(municipality_code=OTHER, today=today())
    [there] = memberships(person, OTHER)
    assert (there.entered_on, there.reason) == (moved, cohort.REASON_MOVED_IN)


def test_history_before_the_window_is_left_as_recorded(municipality, school):
    person = young(school, age=19, left_compulsory_days_ago=900, upper_secondary=(850, 700, "BA"))
    old = CohortMembership.objects.create(
        person=person,
        municipality_code=M,
        entered_on=years_ago(3),
        reason=cohort.REASON_NEVER_STARTED,
        school_reason=cohort.REASON_NEVER_STARTED,
        left_on=years_ago(2),
        left_reason=cohort.LEFT_STARTED_STUDIES,
    )
    refresh()
    assert CohortMembership.objects.filter(pk=old.pk).exists()
    assert len(memberships(person)) == 2


def test_persons_without_population_data_count_where_they_are_registered_now(municipality, school):
    person = young(school)
    ResidencePeriod.objects.filter(person=person).delete()
    refresh()
    [m] = memberships(person)
    assert m.reason == cohort.REASON_NEVER_STARTED  # never "moved in" without dates


def test_protected_identity_and_asylum_seekers(municipality, school):
    protected = young(school, protected_identity=True)
    asylum = young(school)
    ResidencePeriod.objects.filter(person=asylum).update(asylum_seeker=True)
    refresh()
    assert len(memberships(protected)) == 1  # in the cohort: the KAA covers them too
    assert memberships(asylum) == []


def test_refresh_all_skips_municipalities_without_lotsen(municipality, school):
    young(school, municipality=OTHER)
    results = services.kaa_cohort_refresh_all(municipality_codes=[M, OTHER], today=today())
    assert [r.municipality_code for r in results] == [M]


# --- Contacts ---------------------------------------------------------------------------------


@pytest.fixture
def member(municipality, school):
    person = young(school)
    refresh()
    return person


def test_a_contact_is_recorded_with_the_occupation_and_logged(coordinator, member):
    contact = services.contact_record(
        actor=coordinator,
        person=member,
        kind=ContactKind.CONTACT,
        method="phone",
        contact_date=today(),
        occupation=Occupation.WORK,
    )
    assert (contact.municipality_code, contact.occupation) == (M, "work")
    entry = AccessLogEntry.objects.get(object_type="kaa_contact")
    assert (entry.person_id, entry.action, entry.purpose) == (member.pk, Action.CREATE, "kaa")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "contact", "occupation": ""}, "occupation", services.ERROR_OCCUPATION_REQUIRED),
        (
            {"kind": "attempt", "occupation": "work"},
            "occupation",
            services.ERROR_OCCUPATION_ON_ATTEMPT,
        ),
        ({"kind": "attempt", "contact_date": "future"}, "contact_date", services.ERROR_DATE_FUTURE),
    ],
)
def test_contact_errors_name_the_field_and_write_nothing(
    coordinator, member, fields, field, message
):
    kwargs = {"method": "phone", "contact_date": today(), "occupation": "", **fields}
    if kwargs["contact_date"] == "future":
        kwargs["contact_date"] = today() + DAY
    with pytest.raises(ValidationError) as error:
        services.contact_record(actor=coordinator, person=member, **kwargs)
    assert error.value.message_dict == {field: [message]}
    assert not Contact.objects.exists()
    assert not AccessLogEntry.objects.filter(object_type="kaa_contact").exists()


def test_only_a_coordinator_of_a_municipality_records_contacts(member, school):
    mentor = Actor.for_membership(MembershipFactory(organisation=school, role=Role.MENTOR))
    with pytest.raises(PermissionDenied):
        services.contact_record(
            actor=mentor, person=member, kind="attempt", method="phone", contact_date=today()
        )


# --- Measures ---------------------------------------------------------------------------------


@pytest.fixture
def guidance(db):
    return MeasureType.objects.get(code="guidance")


def test_a_measure_from_offer_to_end_with_its_documentation(coordinator, member, guidance):
    offered = today() - dt.timedelta(days=40)
    measure = services.measure_record(
        actor=coordinator,
        person=member,
        measure_type=guidance,
        status=MeasureStatus.OFFERED,
        offered_on=offered,
        goal="Välja utbildning",
        responsible_individual="Komma på mötena",
        responsible_municipality="Boka vägledning",
        other_actor="Arbetsförmedlingen",
        responsible_other="Praktikplats",
        follow_up_on=offered + dt.timedelta(days=30),
    )
    assert measure.follow_ups.get().due_on == offered + dt.timedelta(days=30)
    services.measure_start(actor=coordinator, measure=measure, start_date=offered + DAY)
    with pytest.raises(ValidationError) as error:
        services.measure_end(actor=coordinator, measure=measure, end_date=offered, end_reason="")
    assert error.value.message_dict == {
        "end_date": [services.ERROR_END_BEFORE_START],
        "end_reason": [services.ERROR_END_REASON_REQUIRED],
    }
    services.measure_end(
        actor=coordinator,
        measure=measure,
        end_date=today(),
        end_reason="started_studies",
        occupation_after="studies",
    )
    measure.refresh_from_db()
    assert (measure.status, measure.end_reason, measure.occupation_after) == (
        MeasureStatus.ENDED,
        "started_studies",
        "studies",
    )
    assert (
        AccessLogEntry.objects.filter(object_type="kaa_measure", person_id=member.pk).count() == 3
    )


@pytest.mark.parametrize(
    ("status", "start", "field", "message"),
    [
        (MeasureStatus.STARTED, None, "start_date", services.ERROR_START_REQUIRED),
        (MeasureStatus.STARTED, -5, "start_date", services.ERROR_START_BEFORE_OFFER),
        (MeasureStatus.DECLINED, 0, "start_date", services.ERROR_START_ON_DECLINED),
    ],
)
def test_measure_date_rules(coordinator, member, guidance, status, start, field, message):
    offered = today() - dt.timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        services.measure_record(
            actor=coordinator,
            person=member,
            measure_type=guidance,
            status=status,
            offered_on=offered,
            start_date=None if start is None else offered + dt.timedelta(days=start),
        )
    assert error.value.message_dict[field] == [message]
    assert not Measure.objects.exists()


def test_a_follow_up_is_done_once(coordinator, member, guidance):
    measure = services.measure_record(
        actor=coordinator,
        person=member,
        measure_type=guidance,
        status="offered",
        offered_on=today(),
    )
    follow_up = services.follow_up_add(actor=coordinator, measure=measure, due_on=today())
    services.follow_up_done(actor=coordinator, follow_up=follow_up, note="Klart")
    with pytest.raises(ValidationError):
        services.follow_up_done(actor=coordinator, follow_up=follow_up)


def test_another_municipality_cannot_touch_the_measure(
    coordinator, other_coordinator, member, guidance
):
    measure = services.measure_record(
        actor=coordinator,
        person=member,
        measure_type=guidance,
        status="offered",
        offered_on=today(),
    )
    with pytest.raises(PermissionDenied):
        services.measure_decline(actor=other_coordinator, measure=measure)


# --- The plan and the support hook ----------------------------------------------------------


def test_the_plan_is_saved_and_revised(coordinator, member):
    services.plan_save(actor=coordinator, person=member, planning="Samtal", goal="Studier")
    services.plan_save(
        actor=coordinator, person=member, planning="Samtal och praktik", goal="Arbete"
    )
    plan = Plan.objects.get()
    assert (plan.planning, plan.goal) == ("Samtal och praktik", "Arbete")
    actions = list(
        AccessLogEntry.objects.filter(object_type="kaa_plan")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [Action.CREATE, Action.UPDATE]


def test_coordinated_support_needs_a_note_and_opens_a_support_case(coordinator, member):
    with pytest.raises(ValidationError) as error:
        services.plan_save(
            actor=coordinator, person=member, planning="", goal="", coordinated_support_needed=True
        )
    assert error.value.message_dict == {"coordinated_support_note": [services.ERROR_SUPPORT_NOTE]}
    plan = services.plan_save(
        actor=coordinator,
        person=member,
        planning="",
        goal="",
        coordinated_support_needed=True,
        coordinated_support_note="Socialtjänsten behövs",
    )
    # the support app installs the hook: the mark opens a case owned by the municipality
    from lotsen.support.models import Case

    case = Case.objects.get(pk=int(plan.support_case_ref))
    assert (case.person, case.owner) == (member, coordinator.organisation)


@pytest.fixture
def only_receiver():
    """Put one receiver in the support app's place on ``plan_needs_more_actors`` (or none
    at all), and give the support app its connection back afterwards."""
    from lotsen.support.apps import _open_case_for_kaa_plan

    uid = "support.case_open_from_kaa"
    hooks.plan_needs_more_actors.disconnect(dispatch_uid=uid)

    def install(receiver=None):
        if receiver is not None:
            hooks.plan_needs_more_actors.connect(receiver, weak=False, dispatch_uid="test")

    yield install
    hooks.plan_needs_more_actors.disconnect(dispatch_uid="test")
    hooks.plan_needs_more_actors.connect(_open_case_for_kaa_plan, dispatch_uid=uid)


def test_the_support_hook_opens_a_case_when_a_module_provides_it(
    coordinator, member, only_receiver
):
    calls = []

    def open_case(sender, *, actor, person, plan, **kwargs):
        calls.append((sender, actor, person.pk, plan.coordinated_support_note))
        return "CASE-1"

    only_receiver(open_case)
    plan = services.plan_save(
        actor=coordinator,
        person=member,
        planning="",
        goal="",
        coordinated_support_needed=True,
        coordinated_support_note="Vården behövs",
    )
    assert calls == [(Plan, coordinator, member.pk, "Vården behövs")]
    assert plan.support_case_ref == "CASE-1"
    # The case is opened once: a plan that has its case sends nothing more.
    services.plan_save(
        actor=coordinator,
        person=member,
        planning="Mer",
        goal="",
        coordinated_support_needed=True,
        coordinated_support_note="Vården behövs",
    )
    assert len(calls) == 1


def test_without_a_support_module_the_mark_waits_without_a_case(coordinator, member, only_receiver):
    only_receiver(None)
    plan = services.plan_save(
        actor=coordinator,
        person=member,
        planning="",
        goal="",
        coordinated_support_needed=True,
        coordinated_support_note="Vården behövs",
    )
    assert plan.coordinated_support_needed and plan.support_case_ref == ""


def test_equivalent_education_takes_the_person_out_of_the_cohort_at_once(coordinator, member):
    started = today() - dt.timedelta(days=3)
    services.equivalent_education_record(
        actor=coordinator, person=member, kind=EquivalentKind.FOLK_HIGH_SCHOOL, start_date=started
    )
    [m] = memberships(member)
    assert (m.left_on, m.left_reason) == (started, cohort.LEFT_STARTED_STUDIES)


# --- Notices from schools -------------------------------------------------------------------


def test_a_notice_goes_to_the_municipality_of_registration(counsellor, member):
    receipt = services.notice_send(
        actor=counsellor,
        kind="dropout",
        personal_identity_number=member.personal_identity_number,
        home_municipality_code="0180",
        event_date=today(),
    )
    notice = Notice.objects.get(receipt=receipt.receipt)
    assert (notice.person, notice.municipality_code) == (member, M)
    assert AccessLogEntry.objects.filter(object_type="kaa_notice", person_id=member.pk).exists()


def test_a_notice_about_someone_unknown_uses_the_stated_municipality_and_is_linked_later(
    counsellor, municipality
):
    from tests.factories import fresh_identity_number

    number = fresh_identity_number(years_ago(17))
    services.notice_send(
        actor=counsellor,
        kind="absence",
        personal_identity_number=number,
        home_municipality_code=M,
        event_date=today(),
    )
    notice = Notice.objects.get()
    assert (notice.person, notice.municipality_code) == (None, M)
    person = PersonFactory(personal_identity_number=number, home_municipality_code=M)
    assert services.notices_link(numbers_to_person_ids={number: person.pk}) == 1
    notice.refresh_from_db()
    assert notice.person == person


@pytest.mark.parametrize("role", [Role.KAA_COORDINATOR, Role.CASE_WORKER])
def test_only_school_staff_send_notices(school, member, role):
    actor = Actor.for_membership(MembershipFactory(organisation=school, role=role))
    with pytest.raises(PermissionDenied):
        services.notice_send(
            actor=actor,
            kind="dropout",
            personal_identity_number=member.personal_identity_number,
            home_municipality_code=M,
            event_date=today(),
        )


def test_notice_errors_never_repeat_the_number(counsellor, member):
    bad = member.personal_identity_number[:-1] + str(
        (int(member.personal_identity_number[-1]) + 1) % 10
    )
    with pytest.raises(ValidationError) as error:
        services.notice_send(
            actor=counsellor,
            kind="dropout",
            personal_identity_number=bad,
            home_municipality_code="12",
            event_date=today() + DAY,
        )
    messages = error.value.message_dict
    assert set(messages) == {"personal_identity_number", "home_municipality_code", "event_date"}
    assert all(bad[2:8] not in m for ms in messages.values() for m in ms)
    assert not Notice.objects.exists()


def test_enrolment_rows_are_untouched_by_the_refresh(municipality, school):
    person = young(school, upper_secondary=(450, 60, "EK"))
    before = list(Enrolment.objects.filter(person=person).values())
    refresh()
    assert list(Enrolment.objects.filter(person=person).values()) == before


def test_a_stale_open_membership_is_closed_with_its_reason_not_lost(municipality, school):
    """The register was last refreshed long ago; the person moved away before the window
    the refresh revisits. Their membership is closed, not deleted."""
    person = young(school, age=19, left_compulsory_days_ago=900)
    refresh()
    [m] = memberships(person)
    moved = today() - dt.timedelta(days=400)
    ResidencePeriod.objects.filter(person=person).update(moved_out=moved)
    ResidencePeriod.objects.create(person=person, municipality_code=OTHER, moved_in=moved)
    result = refresh()
    assert result.since > moved
    [closed] = memberships(person)
    assert (closed.pk, closed.left_on, closed.left_reason) == (m.pk, moved, cohort.LEFT_MOVED_AWAY)
