"""Signal services: computing signals from school data (idempotent, routed, point in time,
settings per organisation, constant queries) and the workflow with its errors; nothing is
half-written when a step fails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.earlywarning.models import (
    RuleSetting,
    Signal,
    SignalEvent,
    SignalReason,
    SignalStatus,
)
from lotsen.earlywarning.rules import (
    ABSENCE_INVALID,
    CORE_SUBJECTS_NOT_PASSED,
    PROJECTED_NOT_ELIGIBLE,
)
from lotsen.earlywarning.services import (
    ERROR_ACTION_TEXT,
    ERROR_ALREADY_ACKNOWLEDGED,
    ERROR_ALREADY_ASSIGNED,
    ERROR_ASSIGNEE,
    ERROR_CLOSED,
    ERROR_NOT_ACKNOWLEDGED,
    ERROR_NOT_PERMITTED,
    ERROR_OUTCOME_CODE,
    ERROR_OUTCOME_TEXT,
    ERROR_UNKNOWN_SCHOOL_UNIT,
    QUIET_DAYS,
    compute_command,
    signal_acknowledge,
    signal_action_record,
    signal_assign,
    signal_close,
    signal_steps_for,
    signals_compute,
)
from lotsen.privacy import door
from lotsen.privacy.models import AccessLogEntry
from tests.earlywarning.conftest import TODAY, enrol, term_grades, uniform, weeks_of_absence
from tests.factories import (
    AttendancePeriodFactory,
    GradeFactory,
    MembershipFactory,
    MunicipalityFactory,
    SchoolUnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def closed_on(signal, day: dt.date) -> None:
    """Move the closing to ``day``, so that the scoring dates in a test line up with it."""
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    Signal.objects.filter(pk=signal.pk).update(closed_at=at)


def rules_of(person) -> set[str]:
    # One signal per pupil: the rules that fired are its reasons.
    return set(SignalReason.objects.filter(signal__person=person).values_list("rule_id", flat=True))


# --- Computing --------------------------------------------------------------------------


def test_compute_raises_signals_with_reasons_routed_to_the_schools_mentor(pupil, mentor, school):
    summary = signals_compute(today=TODAY)
    # One signal for the pupil, with the three rules that fired as its reasons.
    assert summary.pupils == 1 and summary.raised == 1
    assert summary.raised_by_rule == {
        ABSENCE_INVALID: 1,
        CORE_SUBJECTS_NOT_PASSED: 1,
        PROJECTED_NOT_ELIGIBLE: 1,
    }
    assert rules_of(pupil) == {ABSENCE_INVALID, CORE_SUBJECTS_NOT_PASSED, PROJECTED_NOT_ELIGIBLE}
    signal = Signal.objects.get(person=pupil, reasons__rule_id=ABSENCE_INVALID)
    assert signal.reason == "Ogiltig frånvaro 7 % de senaste fyra veckorna (gräns 5 %)"
    assert signal.evidence["invalid_absence_minutes"] == 280
    assert signal.school_unit == school
    assert signal.status == SignalStatus.ASSIGNED and signal.assigned_to == mentor.user
    assert signal.raised_on == TODAY and signal.due_on == TODAY + dt.timedelta(days=14)
    kinds = list(signal.events.values_list("kind", "actor"))
    assert kinds == [("raised", None), ("assigned", None)]


def test_compute_twice_creates_nothing_new(pupil, mentor):
    signals_compute(today=TODAY)
    signals, events = Signal.objects.count(), SignalEvent.objects.count()
    second = signals_compute(today=TODAY)
    assert (second.raised, second.updated, second.cleared) == (0, 0, 0)
    assert second.unchanged == 3
    assert Signal.objects.count() == signals and SignalEvent.objects.count() == events


def test_new_facts_refresh_the_open_signal_instead_of_raising_another(pupil, mentor):
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil, reasons__rule_id=ABSENCE_INVALID)
    signal_acknowledge(actor=Actor.for_membership(mentor), signal=signal)
    # A week later, another bad week: 280 + 400 of 4 000 = 17 %.
    later = TODAY + dt.timedelta(days=7)
    AttendancePeriodFactory(person=pupil, end_date=later, invalid_absence_minutes=400)
    summary = signals_compute(today=later)
    # 17 % is also over the 15 % for all absence and the 10 % absence watch: two new
    # reasons of the same signal, and the absence reason refreshed; nothing new raised.
    assert summary.raised == 0 and summary.updated == 3
    assert {"absence_total", "absence_watch"} <= rules_of(pupil)
    signal.refresh_from_db()
    assert Signal.objects.filter(person=pupil, reasons__rule_id=ABSENCE_INVALID).count() == 1
    assert signal.reason.startswith("Ogiltig frånvaro 17 %")
    # The person's work is kept: a refresh does not change the status.
    assert signal.status == SignalStatus.ACKNOWLEDGED
    assert signal.events.filter(kind="updated", text__startswith="Ogiltig frånvaro 17 %").exists()


def test_a_rule_that_no_longer_holds_is_marked_once_and_left_for_a_person_to_close(pupil, mentor):
    signals_compute(today=TODAY)
    # Four good weeks later the window has no absence.
    later = TODAY + dt.timedelta(days=28)
    weeks_of_absence(pupil, end=later)
    summary = signals_compute(today=later)
    assert summary.cleared == 1
    signal = Signal.objects.get(person=pupil, reasons__rule_id=ABSENCE_INVALID)
    # The absence reason no longer holds; the grade reasons still do, so the signal does.
    reason = signal.reasons.get(rule_id=ABSENCE_INVALID)
    assert signal.status == SignalStatus.ASSIGNED and reason.holds is False
    assert signal.rule_holds is True
    assert signal.events.last().kind == "cleared"
    events = SignalEvent.objects.count()
    assert signals_compute(today=later).cleared == 0
    assert SignalEvent.objects.count() == events


def test_without_exactly_one_mentor_the_signal_waits_for_the_team(school, pupil):
    signals_compute(today=TODAY)
    assert set(Signal.objects.values_list("status", flat=True)) == {SignalStatus.OPEN}
    Signal.objects.all().delete()
    MembershipFactory(organisation=school, role=Role.MENTOR)
    MembershipFactory(organisation=school, role=Role.MENTOR)
    signals_compute(today=TODAY)
    assert not Signal.objects.filter(assigned_to__isnull=False).exists()


def test_due_date_from_the_settings(pupil, settings):
    settings.LOTSEN_SIGNAL_DUE_DAYS = 7
    signals_compute(today=TODAY)
    assert {s.due_on for s in Signal.objects.all()} == {TODAY + dt.timedelta(days=7)}


def test_only_current_pupils_of_the_chosen_school(school, pupil):
    other_school = SchoolUnitFactory()
    elsewhere = enrol(other_school)
    weeks_of_absence(elsewhere, invalid=(0, 0, 0, 400))
    former = enrol(school, end_date=TODAY - dt.timedelta(days=1))
    weeks_of_absence(former, invalid=(0, 0, 0, 400))
    future = enrol(school, start_date=TODAY + dt.timedelta(days=1))
    weeks_of_absence(future, invalid=(0, 0, 0, 400))
    summary = signals_compute(school_unit=school, today=TODAY)
    assert summary.pupils == 1
    assert set(Signal.objects.values_list("person", flat=True)) == {pupil.pk}


def test_a_grade_registered_after_the_scoring_date_is_ignored(school):
    person = enrol(school)
    term_grades(person, uniform("C"))
    term_grades(person, uniform("C", MA="F"), semester="VT", year=2026,
                registered_on=TODAY + dt.timedelta(days=1))  # fmt: skip
    signals_compute(today=TODAY)
    assert rules_of(person) == set()
    signals_compute(today=TODAY + dt.timedelta(days=1))
    assert CORE_SUBJECTS_NOT_PASSED in rules_of(person)


def test_upper_secondary_pupil_gets_upper_secondary_rules(school):
    gymnasium = SchoolUnitFactory()
    person = enrol(gymnasium, school_type="GY", school_year=2)
    weeks_of_absence(person, invalid=(0, 0, 0, 400))
    for code in ("MATMAT01a", "SVESVE01"):
        GradeFactory(person=person, subject_code=code[:3], course_code=code, points=100,
                     value="F", kind="final")  # fmt: skip
    signals_compute(today=TODAY)
    # 400 of 4 000 minutes is also the absence watch's 10 %.
    assert rules_of(person) == {"upper_secondary_absence", "course_points_failed", "absence_watch"}


def test_settings_per_organisation_unit_over_organiser_over_defaults(school, organiser, pupil):
    # The organiser raises the absence threshold to 8 %: 7 % is no longer a hit.
    RuleSetting.objects.create(
        organisation=organiser, rule_id=ABSENCE_INVALID, thresholds={"percent": 8}
    )
    RuleSetting.objects.create(organisation=school, rule_id=PROJECTED_NOT_ELIGIBLE, enabled=False)
    signals_compute(today=TODAY)
    assert rules_of(pupil) == {CORE_SUBJECTS_NOT_PASSED}
    # The school lowers it again, for its own pupils only.
    RuleSetting.objects.create(
        organisation=school, rule_id=ABSENCE_INVALID, thresholds={"percent": 6}
    )
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil, reasons__rule_id=ABSENCE_INVALID)
    assert signal.reason.endswith("(gräns 6 %)")


def test_rule_setting_validates_thresholds(school):
    setting = RuleSetting(organisation=school, rule_id=ABSENCE_INVALID, thresholds={"percent": 0})
    with pytest.raises(ValidationError) as error:
        setting.full_clean()
    assert error.value.message_dict == {
        "thresholds": [f"gränsen percent för regeln {ABSENCE_INVALID} ska vara mellan 0,1 och 100"]
    }


def test_a_closed_signal_is_not_raised_again_on_the_same_evidence(pupil, mentor):
    actor = Actor.for_membership(mentor)
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil, reasons__rule_id=CORE_SUBJECTS_NOT_PASSED)
    signal_acknowledge(actor=actor, signal=signal)
    signal_close(actor=actor, signal=signal, outcome_code="support_in_place")
    closed_on(signal, TODAY)
    much_later = TODAY + dt.timedelta(days=QUIET_DAYS * 3)
    signals_compute(today=much_later)
    # The same term grades are the same evidence: the person has already dealt with it.
    assert (
        Signal.objects.filter(person=pupil, reasons__rule_id=CORE_SUBJECTS_NOT_PASSED).count() == 1
    )
    # New term grades, still an F: a new prompt, once the quiet period is over.
    term_grades(pupil, uniform("D", MA="F"), semester="VT", year=2026,
                registered_on=much_later - dt.timedelta(days=1))  # fmt: skip
    signals_compute(today=much_later)
    assert (
        Signal.objects.filter(person=pupil, reasons__rule_id=CORE_SUBJECTS_NOT_PASSED).count() == 2
    )


def test_a_recently_closed_signal_keeps_quiet_even_when_the_evidence_changes(pupil, mentor):
    actor = Actor.for_membership(mentor)
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil, reasons__rule_id=ABSENCE_INVALID)
    signal_acknowledge(actor=actor, signal=signal)
    signal_close(actor=actor, signal=signal, outcome_code="improved")
    closed_on(signal, TODAY)
    tomorrow = TODAY + dt.timedelta(days=1)
    weeks_of_absence(pupil, invalid=(0, 0, 0, 600), end=tomorrow)
    signals_compute(today=tomorrow)
    assert Signal.objects.filter(person=pupil, reasons__rule_id=ABSENCE_INVALID).count() == 1


def test_compute_queries_do_not_grow_with_the_number_of_pupils(school, mentor):
    def run_with(pupils: int) -> int:
        Signal.objects.all().delete()
        for _ in range(pupils):
            person = enrol(school)
            weeks_of_absence(person, invalid=(0, 0, 0, 400))
            term_grades(person, uniform("C", MA="F"))
        with CaptureQueriesContext(connection) as queries:
            signals_compute(school_unit=school, today=TODAY)
        return len(queries)

    assert run_with(2) == run_with(10)


def test_the_unique_constraint_allows_one_signal_that_is_not_closed(school, pupil):
    from django.db import IntegrityError, transaction

    from tests.factories import SignalFactory

    SignalFactory(person=pupil, school_unit=school, status="closed")
    SignalFactory(person=pupil, school_unit=school)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignalFactory(person=pupil, school_unit=school, status="acknowledged")


def test_compute_command_names_an_unknown_school_unit(db):
    with pytest.raises(ValidationError) as error:
        compute_command(school_unit_code="99999999")
    assert error.value.messages == [ERROR_UNKNOWN_SCHOOL_UNIT.format(code="99999999")]


def test_compute_command_for_one_school_unit(school, pupil):
    other = enrol(SchoolUnitFactory())
    weeks_of_absence(other, invalid=(0, 0, 0, 400))
    summary = compute_command(school_unit_code=school.school_unit_code, on=TODAY)
    assert summary.raised == 1 and not Signal.objects.filter(person=other).exists()


# --- The workflow -----------------------------------------------------------------------


@pytest.fixture
def signal(pupil, mentor):
    signals_compute(today=TODAY)
    return Signal.objects.select_related("school_unit").get(
        person=pupil, reasons__rule_id=ABSENCE_INVALID
    )


def log_count(signal) -> int:
    return AccessLogEntry.objects.filter(
        person_id=signal.person_id, object_type="signal", action="update"
    ).count()


def test_the_whole_way_from_assigned_to_closed(signal, mentor_actor):
    signal = signal_acknowledge(actor=mentor_actor, signal=signal)
    assert signal.status == SignalStatus.ACKNOWLEDGED
    assert signal.acknowledged_by == mentor_actor.user and signal.acknowledged_at is not None
    signal = signal_action_record(
        actor=mentor_actor, signal=signal, text="  Samtal med Elin och vårdnadshavare.  "
    )
    assert signal.status == SignalStatus.ACTION_RECORDED
    signal = signal_action_record(actor=mentor_actor, signal=signal, text="Uppföljning bokad.")
    signal = signal_close(
        actor=mentor_actor, signal=signal, outcome_code="improved", outcome="Närvaron är bra."
    )
    assert signal.status == SignalStatus.CLOSED and signal.closed_by == mentor_actor.user
    assert signal.outcome_code == "improved" and signal.outcome == "Närvaron är bra."
    events = list(signal.events.values_list("kind", "text"))
    assert events[2:] == [
        ("acknowledged", ""),
        ("action_recorded", "Samtal med Elin och vårdnadshavare."),
        ("action_recorded", "Uppföljning bokad."),
        ("closed", "Situationen har blivit bättre. Närvaron är bra."),
    ]
    # Every step is in the access log, in the same transaction as the change.
    entries = AccessLogEntry.objects.filter(person_id=signal.person_id, object_type="signal")
    assert entries.count() == 4
    assert set(entries.values_list("purpose", "action", "object_id")) == {
        ("school", "update", str(signal.pk))
    }


def test_student_health_picks_up_an_open_signal_and_becomes_responsible(school, pupil):
    signals_compute(today=TODAY)  # no mentor: open
    signal = Signal.objects.get(person=pupil, reasons__rule_id=ABSENCE_INVALID)
    nurse = Actor.for_membership(MembershipFactory(organisation=school, role=Role.STUDENT_HEALTH))
    signal = signal_acknowledge(actor=nurse, signal=signal)
    assert signal.assigned_to == nurse.user and signal.status == SignalStatus.ACKNOWLEDGED


def test_assign_to_a_colleague_and_to_oneself(signal, school, mentor_actor):
    counsellor = MembershipFactory(organisation=school, role=Role.COUNSELLOR)
    signal = signal_assign(actor=mentor_actor, signal=signal, assignee=counsellor.user)
    assert signal.assigned_to == counsellor.user and signal.status == SignalStatus.ASSIGNED
    assert signal.events.last().text.startswith("Tilldelad ")
    with pytest.raises(ValidationError) as error:
        signal_assign(actor=mentor_actor, signal=signal, assignee=counsellor.user)
    assert error.value.messages == [ERROR_ALREADY_ASSIGNED]


def test_assign_to_someone_outside_the_school_is_refused(signal, mentor_actor):
    outsider = UserFactory()
    with pytest.raises(ValidationError) as error:
        signal_assign(actor=mentor_actor, signal=signal, assignee=outsider)
    assert error.value.message_dict == {"assignee": [ERROR_ASSIGNEE]}


def test_action_and_close_need_an_acknowledgement_first(signal, mentor_actor):
    with pytest.raises(ValidationError) as error:
        signal_action_record(actor=mentor_actor, signal=signal, text="Samtal.")
    assert error.value.messages == [ERROR_NOT_ACKNOWLEDGED]
    with pytest.raises(ValidationError) as error:
        signal_close(actor=mentor_actor, signal=signal, outcome_code="improved")
    assert error.value.messages == [ERROR_NOT_ACKNOWLEDGED]


def test_acknowledge_twice_is_refused(signal, mentor_actor):
    signal_acknowledge(actor=mentor_actor, signal=signal)
    with pytest.raises(ValidationError) as error:
        signal_acknowledge(actor=mentor_actor, signal=signal)
    assert error.value.messages == [ERROR_ALREADY_ACKNOWLEDGED]


def test_action_text_is_required(signal, mentor_actor):
    signal_acknowledge(actor=mentor_actor, signal=signal)
    with pytest.raises(ValidationError) as error:
        signal_action_record(actor=mentor_actor, signal=signal, text="   ")
    assert error.value.message_dict == {"text": [ERROR_ACTION_TEXT]}


def test_close_needs_an_outcome_and_other_needs_words(signal, mentor_actor):
    signal_acknowledge(actor=mentor_actor, signal=signal)
    with pytest.raises(ValidationError) as error:
        signal_close(actor=mentor_actor, signal=signal, outcome_code="")
    assert error.value.message_dict == {"outcome_code": [ERROR_OUTCOME_CODE]}
    with pytest.raises(ValidationError) as error:
        signal_close(actor=mentor_actor, signal=signal, outcome_code="other", outcome=" ")
    assert error.value.message_dict == {"outcome": [ERROR_OUTCOME_TEXT]}
    with pytest.raises(ValidationError) as error:
        signal_close(actor=mentor_actor, signal=signal, outcome_code="made_up")
    assert error.value.message_dict == {"outcome_code": [ERROR_OUTCOME_CODE]}


def test_nothing_can_be_done_to_a_closed_signal(signal, mentor_actor, school):
    signal_acknowledge(actor=mentor_actor, signal=signal)
    signal_close(actor=mentor_actor, signal=signal, outcome_code="no_action_needed")
    colleague = MembershipFactory(organisation=school, role=Role.COUNSELLOR).user
    for step in (
        lambda: signal_acknowledge(actor=mentor_actor, signal=signal),
        lambda: signal_action_record(actor=mentor_actor, signal=signal, text="x"),
        lambda: signal_close(actor=mentor_actor, signal=signal, outcome_code="improved"),
        lambda: signal_assign(actor=mentor_actor, signal=signal, assignee=colleague),
    ):
        with pytest.raises(ValidationError) as error:
            step()
        assert error.value.messages == [ERROR_CLOSED]


def test_staff_of_another_school_or_role_may_not_act(signal, school):
    other_mentor = Actor.for_membership(
        MembershipFactory(organisation=SchoolUnitFactory(), role=Role.MENTOR)
    )
    kaa = Actor.for_membership(
        MembershipFactory(organisation=MunicipalityFactory(), role=Role.KAA_COORDINATOR)
    )
    admin_here = Actor.for_membership(
        MembershipFactory(organisation=school, role=Role.ORGANISATION_ADMIN)
    )
    for actor in (other_mentor, kaa, admin_here):
        with pytest.raises(PermissionDenied) as error:
            signal_acknowledge(actor=actor, signal=signal)
        assert str(error.value) == ERROR_NOT_PERMITTED
        assert signal_steps_for(actor=actor, signal=signal) == {
            "assign_to_me": False,
            "acknowledge": False,
            "record_action": False,
            "close": False,
        }


def test_staff_at_the_organiser_may_act_on_its_schools_signals(signal, organiser):
    actor = Actor.for_membership(
        MembershipFactory(organisation=organiser, role=Role.STUDENT_HEALTH)
    )
    assert signal_acknowledge(actor=actor, signal=signal).status == SignalStatus.ACKNOWLEDGED


def test_steps_offered_follow_the_status(signal, mentor_actor, school):
    assert signal_steps_for(actor=mentor_actor, signal=signal) == {
        "assign_to_me": False,  # already the mentor's
        "acknowledge": True,
        "record_action": False,
        "close": False,
    }
    colleague = Actor.for_membership(MembershipFactory(organisation=school, role=Role.COUNSELLOR))
    assert signal_steps_for(actor=colleague, signal=signal)["assign_to_me"] is True
    signal = signal_acknowledge(actor=mentor_actor, signal=signal)
    assert signal_steps_for(actor=mentor_actor, signal=signal) == {
        "assign_to_me": False,
        "acknowledge": False,
        "record_action": True,
        "close": True,
    }


def test_a_refused_step_writes_nothing(signal, mentor_actor):
    events, entries = SignalEvent.objects.count(), AccessLogEntry.objects.count()
    with pytest.raises(ValidationError):
        signal_action_record(actor=mentor_actor, signal=signal, text="Samtal.")
    assert (SignalEvent.objects.count(), AccessLogEntry.objects.count()) == (events, entries)


def test_a_failure_half_way_rolls_the_whole_step_back(signal, mentor_actor, monkeypatch):
    def broken_log(**kwargs):
        raise RuntimeError("the access log is unavailable")

    # The step's last write is its access-log entry, through the door.
    monkeypatch.setattr(door, "access_log_record", broken_log)
    events = SignalEvent.objects.count()
    with pytest.raises(RuntimeError):
        signal_acknowledge(actor=mentor_actor, signal=signal)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.ASSIGNED and signal.acknowledged_by is None
    assert SignalEvent.objects.count() == events
    assert log_count(signal) == 0


def test_a_failure_during_compute_writes_no_signal(pupil, monkeypatch):
    def broken_bulk_create(objs, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SignalEvent.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        signals_compute(today=TODAY)
    assert not Signal.objects.exists()


def test_the_interface_names_each_rule_as_the_rules_module_does():
    from lotsen.earlywarning.models import RULE_TITLES
    from lotsen.earlywarning.rules import RULES

    assert {rule.id: rule.title for rule in RULES} == {k: str(v) for k, v in RULE_TITLES.items()}
