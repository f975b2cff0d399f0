"""The risk rules on hand-made facts: every rule, its boundaries, its reason text, its
evidence, thresholds per organisation, and point-in-time (nothing known after the scoring
date counts). Expected values are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt

import pytest

from lotsen.earlywarning.rules import (
    ABSENCE_INVALID,
    ABSENCE_TOTAL,
    ABSENCE_WATCH,
    CORE_SUBJECTS_NOT_PASSED,
    COURSE_POINTS_FAILED,
    MERIT_DROP,
    PROJECTED_NOT_ELIGIBLE,
    RULE_IDS,
    RULES,
    UPPER_SECONDARY_ABSENCE,
    AttendanceFact,
    GradeFact,
    PupilFacts,
    RuleConfig,
    RuleConfigError,
    absence_window,
    course_grades,
    evaluate,
    latest_projection,
    number,
    percent_floor,
    term_grade_sets,
    term_key,
    thresholds_clean,
)

ON = dt.date(2026, 2, 15)  # a Sunday

SIXTEEN = (
    "SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI",
    "RE", "SH", "TK", "BL", "HKK", "IDH", "MU", "SL",
)  # fmt: skip

HT25 = dict(semester="HT", year=2025, registered_on=dt.date(2026, 1, 9))
VT25 = dict(semester="VT", year=2025, registered_on=dt.date(2025, 6, 12))
VT26 = dict(semester="VT", year=2026, registered_on=dt.date(2026, 6, 11))


def week(end: dt.date, *, offered=1000, invalid=0, valid=0) -> AttendanceFact:
    return AttendanceFact(
        start_date=end - dt.timedelta(days=6),
        end_date=end,
        offered_minutes=offered,
        attended_minutes=offered - invalid - valid,
        valid_absence_minutes=valid,
        invalid_absence_minutes=invalid,
    )


def four_weeks(*, invalid=0, valid=0, offered=1000) -> tuple[AttendanceFact, ...]:
    """Four weekly periods ending on ON, with the absence in the last week."""
    return (
        week(ON - dt.timedelta(days=21), offered=offered),
        week(ON - dt.timedelta(days=14), offered=offered),
        week(ON - dt.timedelta(days=7), offered=offered),
        week(ON, offered=offered, invalid=invalid, valid=valid),
    )


def term(grades: dict[str, str], *, kind="term", **when) -> tuple[GradeFact, ...]:
    when = when or HT25
    return tuple(GradeFact(subject_code=s, value=v, kind=kind, **when) for s, v in grades.items())


def uniform(grade: str, **changes: str) -> dict[str, str]:
    grades = {subject: grade for subject in SIXTEEN}
    grades.update(changes)
    return grades


def pupil(*, school_type="GR", school_year=9, grades=(), attendance=()) -> PupilFacts:
    return PupilFacts(
        school_type=school_type,
        school_year=school_year,
        grades=tuple(grades),
        attendance=tuple(attendance),
    )


def hits(facts: PupilFacts, on: dt.date = ON, configs=None) -> dict[str, object]:
    return {hit.rule_id: hit for hit in evaluate(facts=facts, on=on, configs=configs)}


# --- Formatting -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"), [(5, "5"), (7.0, "7"), (187.5, "187,5"), (0.1, "0,1"), (240, "240")]
)
def test_numbers_are_written_the_swedish_way(value, text):
    assert number(value) == text


def test_percent_is_cut_not_rounded_so_a_shown_value_never_reaches_a_threshold_it_misses():
    # 199 of 4000 is 4.975 %: rounding would show "5,0 %" under a 5 % threshold not reached.
    assert percent_floor(199, 4000) == pytest.approx(4.9)
    assert percent_floor(200, 4000) == 5
    assert percent_floor(1, 3000) == 0  # 0.033 %
    assert percent_floor(1, 3) == pytest.approx(33.3)


# --- Invalid absence (compulsory school) ------------------------------------------------


def test_invalid_absence_of_seven_percent_with_reason_and_evidence():
    # 280 of 4000 minutes = 7 %.
    hit = hits(pupil(attendance=four_weeks(invalid=280)))[ABSENCE_INVALID]
    assert hit.reason == "Ogiltig frånvaro 7 % de senaste fyra veckorna (gräns 5 %)"
    assert hit.evidence == {
        "from": "2026-01-19",
        "to": "2026-02-15",
        "periods": 4,
        "offered_minutes": 4000,
        "valid_absence_minutes": 0,
        "invalid_absence_minutes": 280,
        "invalid_percent": 7.0,
        "total_percent": 7.0,
        "threshold_percent": 5,
        "weeks": 4,
    }


def test_invalid_absence_of_exactly_five_percent_is_a_hit_and_just_below_is_not():
    assert ABSENCE_INVALID in hits(pupil(attendance=four_weeks(invalid=200)))  # 5.000 %
    assert ABSENCE_INVALID not in hits(pupil(attendance=four_weeks(invalid=199)))  # 4.975 %


def test_invalid_absence_reason_shows_a_decimal_when_there_is_one():
    # 300 of 4000 = 7.5 %.
    hit = hits(pupil(attendance=four_weeks(invalid=300)))[ABSENCE_INVALID]
    assert hit.reason == "Ogiltig frånvaro 7,5 % de senaste fyra veckorna (gräns 5 %)"


def test_valid_absence_does_not_count_as_invalid():
    assert ABSENCE_INVALID not in hits(pupil(attendance=four_weeks(valid=500)))


def test_the_window_is_the_four_weeks_up_to_and_including_the_scoring_date():
    inside = week(ON - dt.timedelta(days=27), offered=1000, invalid=100)
    outside = week(ON - dt.timedelta(days=28), offered=1000, invalid=900)
    window = absence_window(pupil(attendance=[inside, outside]), ON, 4)
    assert (window.periods, window.offered, window.invalid) == (1, 1000, 100)
    assert window.start == ON - dt.timedelta(days=33) and window.end == ON - dt.timedelta(days=27)


def test_attendance_reported_after_the_scoring_date_does_not_count():
    # The week that ends tomorrow was not known today, however bad it is.
    facts = pupil(attendance=[*four_weeks(), week(ON + dt.timedelta(days=1), invalid=900)])
    assert hits(facts) == {}
    assert ABSENCE_INVALID in hits(facts, on=ON + dt.timedelta(days=1))


def test_too_little_scheduled_time_gives_no_percentage():
    # 2 periods of 250 minutes = 500 < 600 minutes: 50 % of 500 minutes says little.
    facts = pupil(
        attendance=[week(ON, offered=250, invalid=250), week(ON - dt.timedelta(7), offered=250)]
    )
    assert hits(facts) == {}
    configs = {ABSENCE_INVALID: RuleConfig(thresholds={"min_offered_minutes": 0})}
    assert ABSENCE_INVALID in hits(facts, configs=configs)


def test_no_attendance_no_absence_hits():
    assert hits(pupil()) == {}
    assert hits(pupil(attendance=four_weeks(offered=0))) == {}


def test_threshold_set_by_the_organisation():
    facts = pupil(attendance=four_weeks(invalid=280))  # 7 %
    assert ABSENCE_INVALID not in hits(
        facts, configs={ABSENCE_INVALID: RuleConfig(thresholds={"percent": 8})}
    )
    hit = hits(facts, configs={ABSENCE_INVALID: RuleConfig(thresholds={"percent": 6.5})})[
        ABSENCE_INVALID
    ]
    assert hit.reason.endswith("(gräns 6,5 %)")


def test_a_two_week_window_from_the_organisation():
    facts = pupil(attendance=four_weeks(invalid=280))
    hit = hits(facts, configs={ABSENCE_INVALID: RuleConfig(thresholds={"weeks": 2})})[
        ABSENCE_INVALID
    ]
    # 280 of 2000 minutes = 14 %.
    assert hit.reason == "Ogiltig frånvaro 14 % de senaste två veckorna (gräns 5 %)"
    one = hits(facts, configs={ABSENCE_INVALID: RuleConfig(thresholds={"weeks": 1})})
    assert one[ABSENCE_INVALID].reason.startswith("Ogiltig frånvaro 28 % den senaste veckan")


def test_a_rule_switched_off_by_the_organisation_gives_no_hit():
    facts = pupil(attendance=four_weeks(invalid=280))
    assert hits(facts, configs={ABSENCE_INVALID: RuleConfig(enabled=False)}) == {}


# --- Total absence ----------------------------------------------------------------------


def test_total_absence_of_exactly_fifteen_percent_is_a_hit_and_just_below_is_not():
    # 400 valid + 200 invalid = 600 of 4000 = 15 %; the invalid part is also 5 %.
    found = hits(pupil(attendance=four_weeks(valid=400, invalid=200)))
    assert found[ABSENCE_TOTAL].reason == (
        "Frånvaro 15 % de senaste fyra veckorna, varav ogiltig 5 % (gräns 15 %)"
    )
    assert ABSENCE_TOTAL not in hits(pupil(attendance=four_weeks(valid=399, invalid=200)))


def test_total_absence_applies_in_upper_secondary_school_too():
    facts = pupil(school_type="GY", school_year=2, attendance=four_weeks(valid=800))
    # 20 % is also over the absence watch's 10 %.
    assert set(hits(facts)) == {ABSENCE_TOTAL, ABSENCE_WATCH}


# --- Upper-secondary invalid absence ----------------------------------------------------


def test_significant_invalid_absence_in_upper_secondary_school():
    facts = pupil(school_type="GY", school_year=1, attendance=four_weeks(invalid=400))  # 10 %
    found = hits(facts)
    # Not the compulsory-school rule at 5 %: one prompt per fact, with the right threshold
    # (and the absence watch, at 10 % of all absence, as a reason of the same signal).
    assert set(found) == {UPPER_SECONDARY_ABSENCE, ABSENCE_WATCH}
    assert found[UPPER_SECONDARY_ABSENCE].reason == (
        "Ogiltig frånvaro 10 % de senaste fyra veckorna (gräns 10 %). Bedöm om frånvaron ska "
        "anmälas till elevens hemkommun (skollagen 15 kap. 15 §)."
    )
    below = pupil(school_type="GY", school_year=1, attendance=four_weeks(invalid=399))
    assert hits(below) == {}


def test_compulsory_school_absence_rule_does_not_apply_in_upper_secondary():
    facts = pupil(school_type="GYS", school_year=1, attendance=four_weeks(invalid=280))
    assert hits(facts) == {}


# --- Core subjects ----------------------------------------------------------------------


def test_f_in_maths_in_the_latest_term_grades():
    hit = hits(pupil(grades=term(uniform("C", MA="F"))))[CORE_SUBJECTS_NOT_PASSED]
    assert hit.reason == "Inte godkänt i matematik (F) – terminsbetyg HT 2025"
    assert hit.evidence == {"term": "HT 2025", "grades": {"MA": "F"}}


def test_streck_and_f_in_several_core_subjects():
    hit = hits(pupil(grades=term(uniform("C", SV="F", EN="-", MA="F"))))[CORE_SUBJECTS_NOT_PASSED]
    assert hit.reason == (
        "Inte godkänt i svenska (F), engelska (streck, inget betyg) och matematik (F) – "
        "terminsbetyg HT 2025"
    )


def test_a_pass_in_svenska_som_andrasprak_meets_the_swedish_requirement():
    grades = uniform("C", SV="-")
    grades["SVA"] = "E"
    assert CORE_SUBJECTS_NOT_PASSED not in hits(pupil(grades=term(grades)))
    grades["SVA"] = "F"
    hit = hits(pupil(grades=term(grades)))[CORE_SUBJECTS_NOT_PASSED]
    assert hit.evidence["grades"] == {"SV": "-", "SVA": "F"}


def test_f_in_a_subject_outside_the_core_is_not_this_rule():
    assert CORE_SUBJECTS_NOT_PASSED not in hits(pupil(grades=term(uniform("C", BI="F"))))


def test_only_the_latest_term_counts():
    grades = term(uniform("C", MA="F"), **VT25) + term(uniform("C", MA="E"), **HT25)
    assert CORE_SUBJECTS_NOT_PASSED not in hits(pupil(grades=grades))


def test_a_grade_registered_after_the_scoring_date_is_ignored():
    grades = term(uniform("C"), **HT25) + term(uniform("C", MA="F"), **VT26)
    day_before = VT26["registered_on"] - dt.timedelta(days=1)
    assert CORE_SUBJECTS_NOT_PASSED not in hits(pupil(grades=grades), on=day_before)
    found = hits(pupil(grades=grades), on=VT26["registered_on"])
    assert found[CORE_SUBJECTS_NOT_PASSED].evidence["term"] == "VT 2026"


def test_core_subject_rule_is_for_compulsory_school():
    facts = pupil(school_type="GY", school_year=1, grades=term(uniform("C", MA="F")))
    assert CORE_SUBJECTS_NOT_PASSED not in hits(facts)


# --- Projected eligibility --------------------------------------------------------------


def test_projected_not_eligible_for_a_vocational_programme():
    hit = hits(pupil(grades=term(uniform("C", MA="F"))))[PROJECTED_NOT_ELIGIBLE]
    assert hit.reason == (
        "Prognos utifrån terminsbetyg HT 2025: inte behörig till yrkesprogram – "
        "behöver godkänt i matematik"
    )
    # 15 subjects at C (15 points) and an F: 225.
    assert hit.evidence["merit_value"] == 225
    assert hit.evidence["missing"] == ["matematik"]
    assert hit.evidence["basis"] == "projected" and hit.evidence["term"] == "HT 2025"


def test_eligible_pupil_gives_no_projection_hit():
    assert PROJECTED_NOT_ELIGIBLE not in hits(pupil(grades=term(uniform("E"))))


def test_too_few_passed_subjects():
    # sv, en, ma and 4 others passed: yrkesprogram needs 5 others.
    grades = {"SV": "E", "EN": "E", "MA": "E", "BI": "E", "FY": "E", "KE": "E", "GE": "E"}
    grades |= {"HI": "F", "RE": "F"}
    hit = hits(pupil(grades=term(grades)))[PROJECTED_NOT_ELIGIBLE]
    assert hit.reason.endswith("behöver godkänt i ett ämne till")


def test_projection_only_from_year_eight_unless_the_organisation_says_otherwise():
    facts = pupil(school_year=7, grades=term(uniform("C", MA="F")))
    assert PROJECTED_NOT_ELIGIBLE not in hits(facts)
    configs = {PROJECTED_NOT_ELIGIBLE: RuleConfig(thresholds={"from_school_year": 7})}
    assert PROJECTED_NOT_ELIGIBLE in hits(facts, configs=configs)
    assert PROJECTED_NOT_ELIGIBLE not in hits(pupil(school_year=None, grades=facts.grades))


def test_final_grades_of_finished_subjects_complete_the_projection():
    # Hem- och konsumentkunskap ended in year 8 with a final grade, so the year-9 term
    # grades lack it. The term grades pass sv, en, ma and 4 others (BI, FY, HI, RE): one
    # short of the 5 a vocational programme needs, until the final E in HKK is counted.
    term_grades = {"SV": "C", "EN": "C", "MA": "C", "BI": "C", "FY": "C", "HI": "C", "RE": "C"}
    term_grades |= {"KE": "F", "GE": "F"}
    finals = term({"HKK": "E"}, kind="final", **VT25)
    only_terms = hits(pupil(grades=term(term_grades)))
    assert only_terms[PROJECTED_NOT_ELIGIBLE].evidence["missing"] == ["ett ämne till"]
    with_finals = hits(pupil(grades=term(term_grades) + finals))
    assert PROJECTED_NOT_ELIGIBLE not in with_finals


def test_a_final_grade_set_after_the_term_does_not_complete_that_terms_projection():
    later_final = term(
        {"HKK": "A"}, kind="final", semester="VT", year=2026, registered_on=dt.date(2026, 2, 1)
    )
    facts = pupil(grades=term(uniform("C", HKK="-"), **HT25) + later_final)
    latest, projected = latest_projection(facts)
    assert latest.label == "HT 2025" and projected["HKK"] == "-"


def test_projection_is_for_compulsory_school():
    facts = pupil(school_type="GRS", school_year=9, grades=term(uniform("C", MA="F")))
    assert hits(facts) == {}


# --- Merit value falling ----------------------------------------------------------------


def test_merit_value_falling_by_exactly_twenty_points_is_a_hit():
    # 16 × C = 240 in VT 2025; four subjects down to E (−5 each) = 220 in HT 2025.
    before = term(uniform("C"), **VT25)
    after = term(uniform("C", BI="E", FY="E", KE="E", GE="E"), **HT25)
    hit = hits(pupil(grades=before + after))[MERIT_DROP]
    assert hit.reason == (
        "Meritvärdet har sjunkit 20 poäng, från 240 till 220, mellan VT 2025 och HT 2025 "
        "(gräns 20 poäng)"
    )
    assert hit.evidence == {
        "previous_term": "VT 2025",
        "latest_term": "HT 2025",
        "previous_merit_value": 240.0,
        "latest_merit_value": 220.0,
        "drop": 20.0,
        "threshold_points": 20,
    }


def test_merit_value_falling_by_less_than_twenty_points_is_not():
    # Seven subjects from C to D: −2.5 each = −17.5.
    before = term(uniform("C"), **VT25)
    after = term(uniform("C", BI="D", FY="D", KE="D", GE="D", HI="D", RE="D", SH="D"), **HT25)
    assert MERIT_DROP not in hits(pupil(grades=before + after))
    configs = {MERIT_DROP: RuleConfig(thresholds={"points": 17.5})}
    hit = hits(pupil(grades=before + after), configs=configs)[MERIT_DROP]
    assert "sjunkit 17,5 poäng" in hit.reason


def test_a_rising_merit_value_and_a_single_term_give_no_drop():
    assert MERIT_DROP not in hits(
        pupil(grades=term(uniform("E"), **VT25) + term(uniform("A"), **HT25))
    )
    assert MERIT_DROP not in hits(pupil(grades=term(uniform("E"))))


def test_terms_are_ordered_by_year_and_half_not_by_registration_order():
    # A late correction of the spring grades is registered after the autumn ones; the
    # autumn term is still the latest.
    spring = term(uniform("A"), semester="VT", year=2025, registered_on=dt.date(2026, 1, 20))
    autumn = term(uniform("C"), **HT25)
    sets = term_grade_sets(pupil(grades=spring + autumn))
    assert [s.label for s in sets] == ["HT 2025", "VT 2025"]
    assert MERIT_DROP in hits(pupil(grades=spring + autumn), on=dt.date(2026, 1, 20))


def test_term_from_the_registration_date_when_the_source_leaves_it_out():
    def on(day):
        return GradeFact(subject_code="MA", value="C", kind="term", registered_on=day)

    assert term_key(on(dt.date(2026, 1, 12))) == (2025, 1)  # autumn grades set in January
    assert term_key(on(dt.date(2026, 6, 10))) == (2026, 0)
    assert term_key(on(dt.date(2025, 12, 18))) == (2025, 1)


def test_the_latest_registration_of_a_subject_in_a_term_wins():
    first = GradeFact(subject_code="MA", value="F", kind="term", **HT25)
    corrected = GradeFact(
        subject_code="MA", value="E", kind="term", semester="HT", year=2025,
        registered_on=HT25["registered_on"] + dt.timedelta(days=3),
    )  # fmt: skip
    assert term_grade_sets(pupil(grades=[corrected, first]))[0].grades == {"MA": "E"}


def test_unknown_subjects_and_invalid_grades_are_left_out():
    grades = term(uniform("C")) + (
        GradeFact(subject_code="NO", value="F", kind="term", **HT25),
        GradeFact(subject_code="MA", value="X", kind="term", semester="HT", year=2025,
                  registered_on=dt.date(2026, 1, 10)),
    )  # fmt: skip
    assert term_grade_sets(pupil(grades=grades))[0].grades["MA"] == "C"
    assert "NO" not in term_grade_sets(pupil(grades=grades))[0].grades


def test_lower_case_grades_and_subjects_are_read():
    grades = (GradeFact(subject_code="ma", value="f", kind="term", **HT25),)
    assert term_grade_sets(pupil(grades=grades))[0].grades == {"MA": "F"}


# --- Failed course points (upper secondary) ---------------------------------------------


def course(code: str, points: int, value: str, day=dt.date(2025, 12, 19)) -> GradeFact:
    return GradeFact(
        subject_code=code[:3], course_code=code, points=points, value=value, kind="final",
        registered_on=day,
    )  # fmt: skip


def test_failed_course_points_reaching_150_is_a_hit():
    grades = [
        course("MATMAT01a", 100, "F"),
        course("ENGENG05", 100, "E"),
        course("SVESVE01", 50, "-"),
        course("IDRIDR01", 100, "C"),
    ]
    hit = hits(pupil(school_type="GY", school_year=2, grades=grades))[COURSE_POINTS_FAILED]
    assert hit.reason == "2 kurser utan godkänt betyg, sammanlagt 150 poäng (gräns 150 poäng)"
    assert hit.evidence["failed_points"] == 150
    assert hit.evidence["passed_points"] == 200
    assert [c["course"] for c in hit.evidence["courses"]] == ["MATMAT01A", "SVESVE01"]


def test_failed_course_points_below_the_threshold():
    grades = [course("MATMAT01a", 100, "F"), course("SVESVE01", 49, "F")]
    assert hits(pupil(school_type="GY", school_year=2, grades=grades)) == {}


def test_a_passed_retake_replaces_the_f():
    grades = [
        course("MATMAT01a", 100, "F"),
        course("SVESVE01", 100, "F"),
        course("MATMAT01a", 100, "E", day=dt.date(2026, 1, 30)),
    ]
    facts = pupil(school_type="GY", school_year=2, grades=grades)
    assert hits(facts) == {}
    # Before the retake was registered, both Fs were what the school knew.
    assert COURSE_POINTS_FAILED in hits(facts, on=dt.date(2026, 1, 29))
    assert {c.key: c.value for c in course_grades(facts.as_of(ON))} == {
        "MATMAT01A": "E",
        "SVESVE01": "F",
    }


def test_one_failed_course_is_named_in_the_singular():
    facts = pupil(school_type="GY", school_year=3, grades=[course("GYARGYAR0", 100, "F")])
    configs = {COURSE_POINTS_FAILED: RuleConfig(thresholds={"points": 100})}
    hit = hits(facts, configs=configs)[COURSE_POINTS_FAILED]
    assert hit.reason.startswith("1 kurs utan godkänt betyg")


def test_course_points_rule_is_for_upper_secondary_school():
    facts = pupil(grades=[course("MATMAT01a", 100, "F"), course("SVESVE01", 100, "F")])
    assert COURSE_POINTS_FAILED not in hits(facts)


# --- Several rules, and the configuration -----------------------------------------------


def test_hits_come_in_rule_order_and_each_rule_once():
    facts = pupil(
        grades=term(uniform("C", MA="F"), **VT25) + term(uniform("E", MA="F"), **HT25),
        attendance=four_weeks(invalid=400, valid=300),
    )
    assert [h.rule_id for h in evaluate(facts=facts, on=ON)] == [
        ABSENCE_INVALID,
        ABSENCE_TOTAL,
        CORE_SUBJECTS_NOT_PASSED,
        PROJECTED_NOT_ELIGIBLE,
        MERIT_DROP,
        ABSENCE_WATCH,
    ]


def test_every_rule_has_an_id_a_title_and_valid_defaults():
    assert len(set(RULE_IDS)) == len(RULES) == 9
    for rule in RULES:
        assert rule.title and rule.description and rule.school_types
        assert thresholds_clean(rule_id=rule.id, thresholds=rule.defaults()) == rule.defaults()


A = ABSENCE_INVALID


@pytest.mark.parametrize(
    ("rule_id", "thresholds", "message"),
    [
        ("no_such_rule", {}, "okänd regel no_such_rule"),
        (A, {"procent": 5}, f"regeln {A} har ingen gräns som heter procent"),
        (A, {"percent": "5"}, f"gränsen percent för regeln {A} ska vara ett tal"),
        (A, {"percent": True}, f"gränsen percent för regeln {A} ska vara ett tal"),
        (A, {"percent": float("nan")}, f"gränsen percent för regeln {A} ska vara ett tal"),
        (A, {"weeks": 2.5}, f"gränsen weeks för regeln {A} ska vara ett heltal"),
        (A, {"percent": 101}, f"gränsen percent för regeln {A} ska vara mellan 0,1 och 100"),
        (A, {"weeks": 0}, f"gränsen weeks för regeln {A} ska vara mellan 1 och 8"),
        (MERIT_DROP, [20], f"gränserna för regeln {MERIT_DROP} ska anges som namn och värde"),
    ],
)
def test_bad_thresholds_are_refused_with_a_message_naming_rule_and_threshold(
    rule_id, thresholds, message
):
    with pytest.raises(RuleConfigError) as error:
        thresholds_clean(rule_id=rule_id, thresholds=thresholds)
    assert str(error.value) == message


def test_a_bad_threshold_in_a_configuration_stops_the_evaluation():
    facts = pupil(attendance=four_weeks(invalid=280))
    with pytest.raises(RuleConfigError):
        evaluate(facts=facts, on=ON, configs={ABSENCE_INVALID: RuleConfig(thresholds={"x": 1})})


def test_as_of_keeps_only_what_was_known():
    facts = pupil(
        grades=term(uniform("C"), **HT25) + term(uniform("A"), **VT26),
        attendance=four_weeks() + (week(ON + dt.timedelta(days=7)),),
    )
    known = facts.as_of(ON)
    assert {g.registered_on for g in known.grades} == {HT25["registered_on"]}
    assert max(a.end_date for a in known.attendance) == ON
