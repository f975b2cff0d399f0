"""Signals at a volume a school can act on (issue 13): too little data gives no score,
bands come from the capacity the school chose, rules that fire together are one signal
with several reasons, the absence watch, and the reasons in English."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.earlywarning import features as F
from lotsen.earlywarning import rules
from lotsen.earlywarning.models import (
    RiskBand,
    RiskCapacity,
    RiskScore,
    RuleSetting,
    Signal,
    SignalEvent,
    SignalReason,
    UnscoredPupil,
)
from lotsen.earlywarning.reasons import reason_text
from lotsen.earlywarning.scoring import Capacity, capacity_bands, risk_scores_compute
from lotsen.earlywarning.selectors import risk_view_for_person
from lotsen.earlywarning.services import signal_acknowledge, signals_compute
from lotsen.notifications.models import Notification
from lotsen.school.models import AttendancePeriod, Enrolment
from tests.earlywarning.conftest import TODAY, enrol, term_grades, uniform, weeks_of_absence
from tests.earlywarning.test_scoring import trained  # noqa: F401 (the trained model fixture)
from tests.factories import AttendancePeriodFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# --- Capacity bands (pure) --------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("close", "high"), [(10, 3), (20, 5), (5, 5), (0, 0)])
def test_never_more_than_the_chosen_capacity_is_marked(seed, close, high):
    rng = np.random.default_rng(seed)
    # Risks as a tree model gives them: many pupils share a value.
    p = np.round(rng.beta(1, 8, size=537), 2)
    bands = capacity_bands(p, capacity=Capacity(close, high), floor=0.0)
    n_high = bands.count(RiskBand.HIGH)
    n_marked = n_high + bands.count(RiskBand.ELEVATED)
    assert n_high <= int(537 * high / 100)
    assert n_marked <= int(537 * close / 100)
    # The marked are the highest risks: nobody low has a risk above anyone marked.
    marked = [x for x, b in zip(p, bands, strict=True) if b != RiskBand.LOW]
    low = [x for x, b in zip(p, bands, strict=True) if b == RiskBand.LOW]
    if marked and low:
        assert min(marked) > max(low) or min(marked) >= max(low)
    highs = [x for x, b in zip(p, bands, strict=True) if b == RiskBand.HIGH]
    elevated = [x for x, b in zip(p, bands, strict=True) if b == RiskBand.ELEVATED]
    if highs and elevated:
        assert min(highs) > max(elevated)


def test_equal_risks_get_equal_bands_and_nobody_below_the_floor_is_marked():
    # Ten pupils tied at the top and a capacity of five: none of them is singled out.
    p = [0.5] * 10 + [0.1] * 90
    bands = capacity_bands(p, capacity=Capacity(5, 5), floor=0.0)
    assert set(bands) == {RiskBand.LOW}
    # Below the model's average nobody is marked, whatever the capacity.
    bands = capacity_bands([0.05, 0.04, 0.03, 0.2], capacity=Capacity(50, 25), floor=0.1)
    assert bands == [RiskBand.LOW, RiskBand.LOW, RiskBand.LOW, RiskBand.HIGH]


def test_capacity_setting_is_bounded_and_high_within_close(school):
    capacity = RiskCapacity(organisation=school, close_percent=Decimal(5), high_percent=10)
    with pytest.raises(ValidationError) as error:
        capacity.full_clean()
    assert "high_percent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        RiskCapacity(organisation=school, close_percent=80, high_percent=1).full_clean()
    assert "close_percent" in error.value.message_dict


# --- Too little data --------------------------------------------------------------------


def test_enough_data_needs_a_grade_or_attendance():
    nothing = F.feature_row(facts=rules.PupilFacts(school_type="GR"), as_of=TODAY, school_year=9)
    assert not F.enough_data(np.array([nothing]))[0]


def test_pupils_with_no_grades_and_no_attendance_get_no_risk_score(
    trained,  # noqa: F811
    school,
    mentor,
    mentor_actor,
):
    graded = enrol(school, school_year=9)
    term_grades(graded, uniform("C", MA="F"))
    attending = enrol(school, school_year=9)
    weeks_of_absence(attending, invalid=(0, 0, 120, 0))
    empty = [enrol(school, school_year=year) for year in (7, 8, 9)]

    summary = risk_scores_compute(as_of=TODAY)

    assert summary.too_little_data == 3
    scored = set(RiskScore.objects.values_list("person_id", flat=True))
    assert scored == {graded.pk, attending.pk}
    assert not RiskScore.objects.filter(person__in=empty).exists()
    assert set(UnscoredPupil.objects.values_list("person_id", flat=True)) == {p.pk for p in empty}
    # Scoring again the same day keeps them as they are.
    again = risk_scores_compute(as_of=TODAY)
    assert again.too_little_data == 3 and UnscoredPupil.objects.count() == 3

    view = risk_view_for_person(actor=mentor_actor, person=empty[0], purpose="school")
    assert view is not None and view.insufficient and view.band == ""
    html = render_to_string("signals/_school_section.html", {"school": _section(view)})
    assert "För lite underlag" in html
    assert "risk att avbryta" not in html and "Förhöjd" not in html

    # Once the school has grades for the pupil, the next run scores them.
    term_grades(empty[0], uniform("C"))
    risk_scores_compute(as_of=TODAY)
    assert RiskScore.objects.filter(person=empty[0]).exists()
    assert not UnscoredPupil.objects.filter(person=empty[0]).exists()


def _section(risk):
    class Section:
        enrolments = signals = grade_rows = attendance = courses = ()
        final = projected = None

    section = Section()
    section.risk = risk
    return section


# --- Capacity on real scores ------------------------------------------------------------


def test_at_most_the_chosen_capacity_is_flagged_high_at_each_school(
    trained,  # noqa: F811
    school,
    mentor,
    mentor_actor,
):
    rng = random.Random(5)
    for _index in range(60):
        pupil = enrol(school, school_year=9)
        fails = rng.sample(
            ["MA", "EN", "SV", "BI", "FY", "KE", "GE"], k=rng.choice([0, 0, 1, 2, 3])
        )
        term_grades(pupil, uniform(rng.choice("ABCDE"), **{code: "F" for code in fails}))
    RiskCapacity.objects.create(organisation=school, close_percent=10, high_percent=5)

    risk_scores_compute(as_of=TODAY)

    scores = RiskScore.objects.filter(school_unit=school)
    assert scores.count() == 60
    assert scores.filter(band=RiskBand.HIGH).count() <= 3
    assert scores.exclude(band=RiskBand.LOW).count() <= 6
    assert scores.filter(band=RiskBand.HIGH).exists()
    # The probability stays the model's; the band is the capacity's: a high band is never
    # given to a lower risk than an elevated or low one.
    high = scores.filter(band=RiskBand.HIGH).values_list("probability", flat=True)
    rest = scores.exclude(band=RiskBand.HIGH).values_list("probability", flat=True)
    assert min(high) > max(rest)
    view = risk_view_for_person(
        actor=mentor_actor,
        person=scores.filter(band=RiskBand.HIGH).first().person,
        purpose="school",
    )
    assert (view.close_percent, view.high_percent) == (10.0, 5.0)
    html = render_to_string("signals/_school_section.html", {"school": _section(view)})
    assert "högst 10 % av eleverna nära" in html


@pytest.mark.django_db
def test_with_the_demo_s_data_at_most_the_chosen_capacity_is_flagged_high(trained):  # noqa: F811
    from lotsen.demo.generator import demo_build

    demo_build(size=300, seed=2026, batch_size=300)
    summary = risk_scores_compute()
    assert summary.pupils > 0
    units = Enrolment.objects.filter(school_unit__kind=OrganisationKind.SCHOOL_UNIT).values_list(
        "school_unit_id", flat=True
    )
    for unit_id in set(units):
        scores = RiskScore.objects.filter(school_unit_id=unit_id, model_version=trained)
        n = scores.count()
        assert scores.filter(band=RiskBand.HIGH).count() <= int(n * 3 / 100)
        assert scores.exclude(band=RiskBand.LOW).count() <= int(n * 10 / 100)
    # The demo's pupils without grades or attendance have no score at all.
    assert summary.too_little_data == UnscoredPupil.objects.count()


# --- One signal per pupil ---------------------------------------------------------------


def test_rules_that_fire_together_are_one_signal_with_several_reasons(pupil, mentor, school):
    summary = signals_compute(today=TODAY)
    assert summary.raised == 1
    signal = Signal.objects.get(person=pupil)
    assert [r.rule_id for r in signal.reason_list] == [
        rules.ABSENCE_INVALID,
        rules.CORE_SUBJECTS_NOT_PASSED,
        rules.PROJECTED_NOT_ELIGIBLE,
    ]
    assert signal.rule_id == rules.ABSENCE_INVALID
    # One notification for the pupil, not one per rule.
    assert Notification.objects.filter(user=mentor.user).count() == 1


def test_a_rule_that_comes_to_hold_is_added_to_the_open_signal(pupil, mentor, mentor_actor):
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil)
    signal_acknowledge(actor=mentor_actor, signal=signal)
    later = TODAY + dt.timedelta(days=7)
    AttendancePeriodFactory(person=pupil, end_date=later, invalid_absence_minutes=400)
    summary = signals_compute(today=later)
    assert summary.raised == 0
    assert Signal.objects.filter(person=pupil).count() == 1
    signal.refresh_from_db()
    assert signal.status == "acknowledged"
    added = set(signal.reasons.values_list("rule_id", flat=True))
    assert {rules.ABSENCE_TOTAL, rules.ABSENCE_WATCH} <= added
    assert signal.events.filter(kind="reason_added").count() == len(
        added
        - {rules.ABSENCE_INVALID, rules.CORE_SUBJECTS_NOT_PASSED, rules.PROJECTED_NOT_ELIGIBLE}
    )


def test_the_pupil_list_and_detail_page_show_every_reason(pupil, mentor, client):
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil)
    client.force_login(mentor.user)
    page = client.get(reverse("signals:detail", args=[signal.pk])).content.decode()
    for reason in signal.reason_list:
        assert reason.reason in page


# --- Merging existing signals (the data migration) --------------------------------------


def test_the_migration_merges_open_signals_of_the_same_pupil_and_keeps_the_furthest():
    import importlib
    from types import SimpleNamespace as Row

    migration = importlib.import_module(
        "lotsen.earlywarning.migrations.0006_signal_reasons_capacity_unscored"
    )
    common = {"evidence": {}, "raised_on": TODAY}
    first = Row(pk=1, rule_id="core_subjects_not_passed", reason="betyg", status="open",
                rule_holds=True, due_on=TODAY, **common)  # fmt: skip
    second = Row(pk=2, rule_id="absence_total", reason="frånvaro", status="acknowledged",
                 rule_holds=False, due_on=TODAY + dt.timedelta(days=3), **common)  # fmt: skip
    third = Row(pk=3, rule_id="absence_invalid", reason="ogiltig", status="assigned",
                rule_holds=True, due_on=TODAY - dt.timedelta(days=2), **common)  # fmt: skip
    kept, merged, changes = migration.merge_plan([first, second, third])
    # The one furthest along is kept (someone acknowledged it), with the earliest due date;
    # its lead reason is the first rule that still holds, in the rules' order.
    assert kept is second and {s.pk for s in merged} == {1, 3}
    assert changes["due_on"] == TODAY - dt.timedelta(days=2)
    assert (changes["rule_id"], changes["reason"], changes["rule_holds"]) == (
        "absence_invalid",
        "ogiltig",
        True,
    )


# --- The absence watch ------------------------------------------------------------------


def test_absence_watch_at_ten_percent_over_four_weeks(school):
    person = enrol(school)
    # 10 % of 4 000 scheduled minutes, all of it valid absence.
    weeks_of_absence(person, valid=(100, 100, 100, 100))
    signals_compute(today=TODAY)
    reason = SignalReason.objects.get(signal__person=person)
    assert reason.rule_id == rules.ABSENCE_WATCH
    assert reason.reason == "Frånvaro 10 % de senaste fyra veckorna (bevakning från 10 %)"


def _school_days(person, start: dt.date, pattern: str) -> None:
    """One attendance period per weekday from ``start``: A absent all day, P present."""
    day = start
    for mark in pattern:
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        AttendancePeriod.objects.create(
            person=person,
            start_date=day,
            end_date=day,
            offered_minutes=300,
            attended_minutes=0 if mark == "A" else 300,
            valid_absence_minutes=300 if mark == "A" else 0,
        )
        day += dt.timedelta(days=1)


def test_days_absent_in_a_row_across_a_weekend(school):
    person = enrol(school)
    # Thursday, Friday and Monday absent: three school days in a row.
    _school_days(person, TODAY - dt.timedelta(days=13), "PPPAAAPP")
    facts = rules.PupilFacts(
        school_type="GR",
        attendance=tuple(
            rules.AttendanceFact(
                start_date=a.start_date,
                end_date=a.end_date,
                offered_minutes=a.offered_minutes,
                attended_minutes=a.attended_minutes,
                valid_absence_minutes=a.valid_absence_minutes,
            )
            for a in AttendancePeriod.objects.filter(person=person)
        ),
    )
    days, first, last = rules.absent_days_in_a_row(facts, TODAY, 4)
    assert days == 3 and (last - first).days == 4
    RuleSetting.objects.create(organisation=school, rule_id=rules.ABSENCE_WATCH, enabled=False)
    signals_compute(today=TODAY)
    reason = SignalReason.objects.get(signal__person=person, rule_id=rules.ABSENCE_STREAK)
    assert reason.evidence["days"] == 3


def test_thresholds_per_role_tell_the_role_that_asked(school, mentor):
    health = MembershipFactory(organisation=school, role=Role.STUDENT_HEALTH)
    counsellor = MembershipFactory(organisation=school, role=Role.COUNSELLOR)
    # The student-health team wants to hear at 6 %; the counsellor only at 30 %.
    RuleSetting.objects.create(
        organisation=school,
        rule_id=rules.ABSENCE_WATCH,
        role=Role.STUDENT_HEALTH,
        thresholds={"percent": 6},
    )
    RuleSetting.objects.create(
        organisation=school,
        rule_id=rules.ABSENCE_WATCH,
        role=Role.COUNSELLOR,
        thresholds={"percent": 30},
    )
    person = enrol(school, school_type="GY", school_year=1)
    weeks_of_absence(person, valid=(70, 70, 70, 70))  # 7 %: under the school's 10 %
    signals_compute(today=TODAY)
    reason = SignalReason.objects.get(signal__person=person, rule_id=rules.ABSENCE_WATCH)
    assert reason.evidence["roles"] == [Role.STUDENT_HEALTH]
    assert reason.reason.endswith("(bevakning från 6 %)")
    assert Notification.objects.filter(user=health.user).count() == 1
    assert not Notification.objects.filter(user=counsellor.user).exists()


def test_a_role_threshold_only_for_the_absence_watch(school):
    setting = RuleSetting(
        organisation=school, rule_id=rules.MERIT_DROP, role=Role.MENTOR, thresholds={}
    )
    with pytest.raises(ValidationError) as error:
        setting.full_clean()
    assert "role" in error.value.message_dict


def test_a_school_import_starts_the_rules_again():
    from lotsen.earlywarning.imports import signals_compute_after_import
    from lotsen.ingest.registry import _after_import, importers
    from lotsen.jobs.models import JobRun

    importers()
    assert signals_compute_after_import in _after_import["school"]
    signals_compute_after_import()
    signals_compute_after_import()  # one waiting run is enough
    assert JobRun.objects.filter(name="signals.compute", status="queued").count() == 1


# --- Reasons in English -----------------------------------------------------------------


def test_every_reason_reads_in_english(pupil, mentor):
    weeks_of_absence(pupil, invalid=(0, 0, 0, 700))
    signals_compute(today=TODAY)
    signal = Signal.objects.get(person=pupil)
    with translation.override("en"):
        texts = [r.text for r in signal.reason_list]
    with translation.override("sv"):
        swedish = [r.text for r in signal.reason_list]
    assert swedish == [r.reason for r in signal.reason_list]
    assert len(texts) >= 3
    for text, original in zip(texts, swedish, strict=True):
        assert text != original
        assert not any(word in text for word in ("frånvaro", "senaste", "gräns", "betyg "))
    assert "Unexcused absence" in texts[0] or "absence" in texts[0].lower()


def test_an_unknown_evidence_shape_falls_back_to_the_stored_text():
    with translation.override("en"):
        assert reason_text(rules.MERIT_DROP, {}, "lagrad text") == "lagrad text"


def test_events_are_not_lost(pupil, mentor):
    signals_compute(today=TODAY)
    assert SignalEvent.objects.filter(kind="raised").count() == 1
