"""The cohort rules on crafted facts: every rule, the days around every boundary, entry
reasons and departure reasons; and a property test that the intervals agree with the
day-by-day rule everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotsen.kaa import cohort
from lotsen.kaa.cohort import (
    PersonFacts,
    Qualification,
    Residence,
    Rules,
    Schooling,
    exclusions_on,
    intervals,
    is_member,
    membership_on,
)
from lotsen.people.identity import age_on

M = "1999"
OTHER = "1998"
D = dt.date(2026, 3, 15)
DAY = dt.timedelta(days=1)


HERE = (Residence(M),)


def facts(
    born=dt.date(2009, 1, 10),
    *,
    residences=HERE,
    schooling=(),
    qualifications=(),
) -> PersonFacts:
    return PersonFacts(
        birth_date=born,
        residences=tuple(residences),
        schooling=tuple(schooling),
        qualifications=tuple(qualifications),
    )


def gr(end, *, year=9, school_type="GR", start=None):
    return Schooling(school_type, start or dt.date(end.year - 3, 8, 18), end, school_year=year)


def gy(start, end=None, *, programme="SA", outcome="", school_type="GY"):
    return Schooling(school_type, start, end, programme=programme, outcome=outcome)


GR_2025 = gr(dt.date(2025, 6, 13))


# --- Registration ----------------------------------------------------------------------------


def test_a_young_person_out_of_school_without_examen_is_in_the_cohort():
    person = facts(schooling=[GR_2025])
    found = membership_on(person, M, D)
    assert found is not None
    assert found.entered == dt.date(2025, 6, 14)
    assert found.reason == cohort.REASON_NEVER_STARTED
    assert found.school_reason == cohort.REASON_NEVER_STARTED
    assert found.left is None


def test_only_the_municipality_of_registration_has_the_person():
    person = facts(residences=[Residence(OTHER)], schooling=[GR_2025])
    assert exclusions_on(person, M, D) == {cohort.NOT_REGISTERED}
    assert is_member(person, OTHER, D)


def test_moved_out_is_the_first_day_registered_elsewhere():
    moved = dt.date(2026, 3, 15)
    person = facts(
        residences=[Residence(M, None, moved), Residence(OTHER, moved)], schooling=[GR_2025]
    )
    assert is_member(person, M, moved - DAY)
    assert not is_member(person, M, moved)
    assert is_member(person, OTHER, moved)
    [interval] = intervals(person, M, until=D)
    assert interval.left == moved
    assert interval.left_reason == cohort.LEFT_MOVED_AWAY


def test_moving_in_makes_the_move_the_entry_and_keeps_the_school_background():
    moved = dt.date(2025, 11, 3)
    person = facts(
        residences=[Residence(OTHER, None, moved), Residence(M, moved)],
        schooling=[GR_2025, gy(dt.date(2025, 8, 18), dt.date(2025, 10, 1))],
    )
    assert not is_member(person, M, moved - DAY)
    found = membership_on(person, M, D)
    assert found.entered == moved
    assert found.reason == cohort.REASON_MOVED_IN
    assert found.school_reason == cohort.REASON_DROPPED_OUT
    # In the municipality they left, they were in the cohort from the dropout to the move.
    [before] = intervals(person, OTHER, until=D)
    assert (before.entered, before.left) == (dt.date(2025, 10, 2), moved)
    assert before.left_reason == cohort.LEFT_MOVED_AWAY


def test_moving_in_after_the_day_does_not_count_yet():
    moved = D + DAY
    person = facts(
        residences=[Residence(OTHER, None, moved), Residence(M, moved)], schooling=[GR_2025]
    )
    assert not is_member(person, M, D)
    assert is_member(person, M, moved)


def test_asylum_seekers_are_not_covered_until_registered_as_residents():
    granted = dt.date(2026, 1, 20)
    person = facts(
        born=dt.date(2008, 5, 5),
        residences=[
            Residence(M, dt.date(2024, 4, 1), granted, asylum_seeker=True),
            Residence(M, granted),
        ],
    )
    assert exclusions_on(person, M, granted - DAY) == {cohort.ASYLUM_SEEKER}
    found = membership_on(person, M, D)
    assert found.entered == granted
    # They were in the municipality already: the entry is not a move.
    assert found.reason == cohort.REASON_NEVER_STARTED


# --- Age ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "member"),
    [
        (dt.date(2006, 3, 14), False),  # turned 20 the day before D
        (dt.date(2006, 3, 15), False),  # turns 20 on D
        (dt.date(2006, 3, 16), True),  # turns 20 the day after D
        (dt.date(2010, 3, 15), True),  # turns 16 on D, no compulsory enrolment left
        (dt.date(2010, 3, 16), False),  # turns 16 the day after D
    ],
)
def test_birthdays_on_and_around_the_day(born, member):
    assert is_member(facts(born), M, D) is member


def test_turning_20_ends_the_membership_with_that_reason():
    person = facts(dt.date(2006, 9, 1), schooling=[gr(dt.date(2022, 6, 10))])
    [running] = intervals(person, M, until=D)
    assert running.left is None
    [ended] = intervals(person, M, until=dt.date(2026, 12, 1))
    assert (ended.entered, ended.left) == (dt.date(2022, 6, 11), dt.date(2026, 9, 1))
    assert ended.left_reason == cohort.LEFT_TURNED_20


def test_a_29_february_birthday_comes_on_1_march_in_other_years():
    born = dt.date(2008, 2, 29)
    assert cohort.turns(born, 17) == dt.date(2025, 3, 1)
    assert cohort.turns(born, 20) == dt.date(2028, 2, 29)
    assert age_on(born, dt.date(2025, 2, 28)) == 16
    assert age_on(born, dt.date(2025, 3, 1)) == 17


# --- Compulsory school ---------------------------------------------------------------------------


def test_still_in_compulsory_school_at_16_is_not_covered():
    person = facts(
        dt.date(2009, 12, 1), schooling=[Schooling("GR", dt.date(2023, 8, 18), None, school_year=9)]
    )
    assert exclusions_on(person, M, dt.date(2026, 1, 10)) == {cohort.COMPULSORY_NOT_COMPLETED}


def test_finishing_year_9_before_16_counts_as_completed():
    person = facts(dt.date(2010, 11, 20), schooling=[GR_2025])
    found = membership_on(person, M, D)
    assert found.entered == dt.date(2025, 6, 14)  # age 14 then


def test_leaving_compulsory_school_before_the_last_year_is_not_completing_it():
    person = facts(dt.date(2011, 5, 1), schooling=[gr(dt.date(2025, 6, 13), year=7)])
    assert exclusions_on(person, M, D) == {cohort.COMPULSORY_NOT_COMPLETED}


def test_adapted_compulsory_school_counts_as_compulsory_school():
    person = facts(
        dt.date(2010, 1, 5), schooling=[gr(dt.date(2025, 6, 13), school_type="GRS", year=None)]
    )
    assert is_member(person, M, D)
    ongoing = facts(
        dt.date(2009, 1, 5),
        schooling=[Schooling("GRS", dt.date(2022, 8, 18), None, school_year=10)],
    )
    assert not is_member(ongoing, M, D)


def test_someone_who_moved_here_at_17_without_school_records_is_covered():
    person = facts(dt.date(2008, 6, 1), schooling=[])
    assert membership_on(person, M, D).reason == cohort.REASON_NEVER_STARTED


# --- Upper-secondary school ----------------------------------------------------------------------


def test_a_pupil_on_a_national_programme_is_not_covered():
    person = facts(schooling=[GR_2025, gy(dt.date(2025, 8, 18))])
    assert exclusions_on(person, M, D) == {cohort.IN_UPPER_SECONDARY}


@pytest.mark.parametrize("programme", ["IMV", "IMY", "IMA", "IMS", "IM"])
def test_introduction_programmes_are_upper_secondary_school(programme):
    person = facts(schooling=[GR_2025, gy(dt.date(2025, 8, 18), programme=programme)])
    assert not is_member(person, M, D)


def test_leaving_an_introduction_programme_is_its_own_reason():
    person = facts(
        schooling=[GR_2025, gy(dt.date(2025, 8, 18), dt.date(2026, 1, 30), programme="IMS")]
    )
    found = membership_on(person, M, D)
    assert found.entered == dt.date(2026, 1, 31)
    assert found.reason == cohort.REASON_LEFT_INTRODUCTION


def test_dropping_out_of_a_national_programme():
    person = facts(
        schooling=[
            GR_2025,
            gy(dt.date(2025, 8, 18), dt.date(2026, 2, 2), programme="EK", outcome=""),
        ]
    )
    found = membership_on(person, M, D)
    assert (found.entered, found.reason) == (dt.date(2026, 2, 3), cohort.REASON_DROPPED_OUT)


def test_adapted_upper_secondary_school_is_upper_secondary_school():
    person = facts(schooling=[GR_2025, gy(dt.date(2025, 8, 18), school_type="GYS", programme="")])
    assert not is_member(person, M, D)


def test_an_enrolment_starting_after_the_day_does_not_count_on_the_day():
    person = facts(schooling=[GR_2025, gy(dt.date(2026, 8, 17))])
    found = membership_on(person, M, D)
    assert found is not None and found.left is None
    [interval] = intervals(person, M, until=dt.date(2026, 9, 1))
    assert interval.left == dt.date(2026, 8, 17)
    assert interval.left_reason == cohort.LEFT_STARTED_STUDIES


def test_the_summer_between_year_9_and_upper_secondary_is_bridged_when_the_place_is_known():
    summer = dt.date(2025, 7, 1)
    person = facts(schooling=[GR_2025, gy(dt.date(2025, 8, 18))])
    assert exclusions_on(person, M, summer) == {cohort.IN_UPPER_SECONDARY}
    assert intervals(person, M, until=D) == []
    assert is_member(person, M, summer, rules=Rules(bridge_days=0))


def test_a_spring_dropout_admitted_again_in_the_autumn_is_covered_in_between():
    person = facts(
        schooling=[
            GR_2025,
            gy(dt.date(2025, 8, 18), dt.date(2026, 3, 1)),
            gy(dt.date(2026, 8, 17), programme="BF"),
        ]
    )
    [interval] = intervals(person, M, until=dt.date(2026, 12, 1))
    assert (interval.entered, interval.left) == (dt.date(2026, 3, 2), dt.date(2026, 8, 17))


def test_changing_school_over_the_summer_is_not_a_dropout():
    person = facts(
        dt.date(2008, 4, 1),
        schooling=[
            gr(dt.date(2024, 6, 14)),
            gy(dt.date(2024, 8, 19), dt.date(2025, 6, 13), programme="NA"),
            gy(dt.date(2025, 8, 18), programme="NA"),
        ],
    )
    assert intervals(person, M, until=D) == []


@pytest.mark.parametrize("school_type", ["VUXGY", "SARVUXGY", cohort.EQUIVALENT])
def test_equivalent_education_takes_the_person_out(school_type):
    person = facts(
        dt.date(2007, 5, 1),
        schooling=[gr(dt.date(2023, 6, 9)), Schooling(school_type, dt.date(2026, 1, 12))],
    )
    assert exclusions_on(person, M, D) == {cohort.IN_UPPER_SECONDARY}
    [interval] = intervals(person, M, until=D)
    assert interval.left == dt.date(2026, 1, 12)
    assert interval.left_reason == cohort.LEFT_STARTED_STUDIES


def test_returning_to_school_and_dropping_out_again_gives_two_memberships():
    person = facts(
        dt.date(2007, 5, 1),
        schooling=[
            gr(dt.date(2023, 6, 9)),
            gy(dt.date(2023, 8, 21), dt.date(2024, 2, 1)),
            gy(dt.date(2024, 10, 1), dt.date(2025, 5, 1), programme="IMY"),
        ],
    )
    first, second = intervals(person, M, until=D)
    assert (first.entered, first.left, first.reason) == (
        dt.date(2024, 2, 2),
        dt.date(2024, 10, 1),
        cohort.REASON_DROPPED_OUT,
    )
    assert first.left_reason == cohort.LEFT_STARTED_STUDIES
    assert (second.entered, second.reason, second.left) == (
        dt.date(2025, 5, 2),
        cohort.REASON_LEFT_INTRODUCTION,
        None,
    )


# --- Qualifications ------------------------------------------------------------------------------

THREE_YEARS = [gr(dt.date(2022, 6, 10))]


def test_gymnasieexamen_ends_the_responsibility():
    person = facts(
        dt.date(2006, 10, 1),
        schooling=[
            *THREE_YEARS,
            gy(dt.date(2022, 8, 22), dt.date(2025, 6, 13), outcome=cohort.OUTCOME_EXAMEN),
        ],
    )
    assert cohort.QUALIFIED in exclusions_on(person, M, D)
    assert intervals(person, M, until=D) == []


def test_a_studiebevis_does_not_end_it():
    person = facts(
        dt.date(2006, 10, 1),
        schooling=[
            *THREE_YEARS,
            gy(dt.date(2022, 8, 22), dt.date(2025, 6, 13), outcome=cohort.OUTCOME_STUDIEBEVIS),
        ],
    )
    found = membership_on(person, M, D)
    assert (found.entered, found.reason) == (dt.date(2025, 6, 14), cohort.REASON_STUDIEBEVIS)


def test_a_studiebevis_from_the_qualifications_register_gives_the_reason_too():
    person = facts(
        dt.date(2006, 10, 1),
        schooling=[*THREE_YEARS, gy(dt.date(2022, 8, 22), dt.date(2025, 6, 13))],
        qualifications=[Qualification(cohort.QUALIFICATION_STUDIEBEVIS, dt.date(2025, 6, 13))],
    )
    assert membership_on(person, M, D).reason == cohort.REASON_STUDIEBEVIS


@pytest.mark.parametrize(
    "kind",
    [
        cohort.QUALIFICATION_EXAMEN,
        cohort.QUALIFICATION_GYS_CERTIFICATE,
        cohort.QUALIFICATION_EQUIVALENT,
    ],
)
def test_qualifications_that_end_it_and_the_departure_reason(kind):
    awarded = dt.date(2026, 1, 20)
    person = facts(
        dt.date(2006, 10, 1),
        schooling=[*THREE_YEARS, gy(dt.date(2022, 8, 22), dt.date(2025, 6, 13))],
        qualifications=[Qualification(kind, awarded)],
    )
    [interval] = intervals(person, M, until=D)
    assert (interval.left, interval.left_reason) == (awarded, cohort.LEFT_QUALIFICATION)


def test_a_qualification_after_the_day_does_not_count_on_the_day():
    person = facts(
        dt.date(2006, 10, 1),
        schooling=[*THREE_YEARS],
        qualifications=[Qualification(cohort.QUALIFICATION_EXAMEN, D + DAY)],
    )
    assert is_member(person, M, D)
    assert not is_member(person, M, D + DAY)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Gymnasieexamen", cohort.OUTCOME_EXAMEN),
        ("Högskoleförberedande examen", cohort.OUTCOME_EXAMEN),
        ("Studiebevis", cohort.OUTCOME_STUDIEBEVIS),
        ("Gymnasiesärskolebevis", cohort.OUTCOME_GYS_CERTIFICATE),
        ("Avbrott", cohort.OUTCOME_NONE),
        ("", cohort.OUTCOME_NONE),
    ],
)
def test_end_reasons_read_from_source_text(text, outcome):
    assert cohort.outcome_from_end_reason(text) == outcome


# --- Half-years ----------------------------------------------------------------------------------


def test_half_years():
    assert cohort.half_year_bounds(dt.date(2026, 6, 30)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
    )
    assert cohort.half_year_bounds(dt.date(2026, 7, 1)) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
    )
    assert cohort.previous_half_year_start(dt.date(2026, 3, 1)) == dt.date(2025, 7, 1)
    assert cohort.previous_half_year_start(dt.date(2026, 11, 1)) == dt.date(2026, 1, 1)


# --- The intervals agree with the day-by-day rule ------------------------------------------

dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))


@st.composite
def person_facts(draw):
    born = draw(st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2012, 12, 31)))
    residences = []
    if draw(st.booleans()):
        moved = draw(dates)
        residences = [Residence(OTHER, None, moved), Residence(M, moved, None, draw(st.booleans()))]
    else:
        residences = [Residence(M)]
    schooling = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(dates)
        end = draw(st.one_of(st.none(), st.dates(min_value=start, max_value=dt.date(2028, 6, 30))))
        schooling.append(
            Schooling(
                draw(st.sampled_from(["GR", "GRS", "GY", "GYS", "VUXGY"])),
                start,
                end,
                programme=draw(st.sampled_from(["", "SA", "IMV"])),
                school_year=draw(st.sampled_from([None, 7, 9])),
                outcome=draw(st.sampled_from(["", "examen", "studiebevis"])),
            )
        )
    qualifications = [
        Qualification(draw(st.sampled_from(cohort.QUALIFICATION_KINDS)), draw(dates))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return facts(born, residences=residences, schooling=schooling, qualifications=qualifications)


@settings(max_examples=300, deadline=None)
@given(person=person_facts(), day=dates)
def test_intervals_match_membership_on_every_day(person, day):
    found = intervals(person, M, until=dt.date(2027, 12, 31))
    covered = any(i.covers(day) for i in found)
    assert covered == is_member(person, M, day)
    for interval in found:
        assert interval.reason in cohort.REASONS
        assert interval.school_reason in cohort.SCHOOL_REASONS
        assert interval.left is None or interval.left_reason in cohort.LEFT_REASONS
        assert is_member(person, M, interval.entered)
        assert not is_member(person, M, interval.entered - DAY)
        if interval.left is not None:
            assert not is_member(person, M, interval.left)
            assert is_member(person, M, interval.left - DAY)
