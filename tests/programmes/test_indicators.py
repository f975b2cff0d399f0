"""The ESF/ESF+ indicator rules on crafted participants, with values computed by hand.

The fixture (period 2025-01-01 – 2025-12-31, sub-projects 1 and 2):

  id pers sub born       gender entry      status      edu dis fb  exit       upon leaving 6 months
  1  P1   1   2008-03-10 woman  2025-03-10 unemp       0-2 yes no  2025-06-30 in_educ      (blank)
  2  P2   1   2007-03-10 man    2025-03-10 LT unemp    3-4 no  yes 2025-05-31 employed     employed
  3  P3   1   2000-01-01 nonbin 2025-02-01 inactive    0-2 pns -   2025-03-01 job_search
  4  P3   1   (re-entry)        2025-06-01 employed    5-8 -   -   2025-09-01 qualific
  5  P4   1   1994-06-15 woman  2025-04-01 employed    -   no  no  2025-12-20 (blank, <4 w)
  6  P5   1   2005-12-31 man    2024-11-01 unemp       3-4 no  no  2025-02-01 (blank)      improved
  7  P1   2   2008-03-10 woman  2025-08-01 inact noed  0-2 no  no  -
  8  P6   1   2006-01-01 woman  2025-05-05 inact noed  3-4 yes yes 2025-07-07 other
  9  P7   1   2001-01-01 man    2026-01-15 unemp  (after the period)
  10 P8   1   2003-05-05 man    2025-01-10 unemp       3-4 no  no  2025-04-10 job_search   employed
  11 P9   1   2004-01-01 nonbin 2025-01-20 inactive    0-2 no  no  2025-03-20 job_search   not_impr

(LT unemp = long-term unemployed; inact noed = inactive, not in education; pns = prefer
not to say.)

Counting by hand: eight participants enter in the period (P1 twice, in two sub-projects;
P3 once despite the re-entry; P5 entered before it and P7 after it). P1 is 17 on both
entries; P2 turns 18 on his entry date; P3 is 25 and P4 is 30 at entry.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotsen.programmes import indicators as ind
from lotsen.programmes.indicators import ParticipationRecord as R

D = dt.date
START, END = D(2025, 1, 1), D(2025, 12, 31)


def _records() -> list[R]:
    return [
        R(
            participation_id=1,
            person_id=1,
            subproject_id=1,
            date_of_birth=D(2008, 3, 10),
            gender="woman",
            entry_date=D(2025, 3, 10),
            entry_status="unemployed",
            education_level="isced_0_2",
            disability="yes",
            foreign_background="no",
            exit_date=D(2025, 6, 30),
            exit_status="in_education",
        ),
        R(
            participation_id=2,
            person_id=2,
            subproject_id=1,
            date_of_birth=D(2007, 3, 10),
            gender="man",
            entry_date=D(2025, 3, 10),
            entry_status="long_term_unemployed",
            education_level="isced_3_4",
            disability="no",
            foreign_background="yes",
            exit_date=D(2025, 5, 31),
            exit_status="employed",
            followup_6m_status="employed",
        ),
        R(
            participation_id=3,
            person_id=3,
            subproject_id=1,
            date_of_birth=D(2000, 1, 1),
            gender="nonbinary",
            entry_date=D(2025, 2, 1),
            entry_status="inactive",
            education_level="isced_0_2",
            disability="prefer_not_to_say",
            foreign_background="",
            exit_date=D(2025, 3, 1),
            exit_status="job_searching",
        ),
        R(
            participation_id=4,
            person_id=3,
            subproject_id=1,
            date_of_birth=D(2000, 1, 1),
            gender="nonbinary",
            entry_date=D(2025, 6, 1),
            entry_status="employed",
            education_level="isced_5_8",
            disability="yes",
            foreign_background="yes",
            exit_date=D(2025, 9, 1),
            exit_status="qualification",
        ),
        R(
            participation_id=5,
            person_id=4,
            subproject_id=1,
            date_of_birth=D(1994, 6, 15),
            gender="woman",
            entry_date=D(2025, 4, 1),
            entry_status="employed",
            education_level="",
            disability="no",
            foreign_background="no",
            exit_date=D(2025, 12, 20),
        ),
        R(
            participation_id=6,
            person_id=5,
            subproject_id=1,
            date_of_birth=D(2005, 12, 31),
            gender="man",
            entry_date=D(2024, 11, 1),
            entry_status="unemployed",
            education_level="isced_3_4",
            disability="no",
            foreign_background="no",
            exit_date=D(2025, 2, 1),
            followup_6m_status="improved",
        ),
        R(
            participation_id=7,
            person_id=1,
            subproject_id=2,
            date_of_birth=D(2008, 3, 10),
            gender="woman",
            entry_date=D(2025, 8, 1),
            entry_status="inactive_not_in_education",
            education_level="isced_0_2",
            disability="no",
            foreign_background="no",
        ),
        R(
            participation_id=8,
            person_id=6,
            subproject_id=1,
            date_of_birth=D(2006, 1, 1),
            gender="woman",
            entry_date=D(2025, 5, 5),
            entry_status="inactive_not_in_education",
            education_level="isced_3_4",
            disability="yes",
            foreign_background="yes",
            exit_date=D(2025, 7, 7),
            exit_status="other",
        ),
        R(
            participation_id=9,
            person_id=7,
            subproject_id=1,
            date_of_birth=D(2001, 1, 1),
            gender="man",
            entry_date=D(2026, 1, 15),
            entry_status="unemployed",
        ),
        R(
            participation_id=10,
            person_id=8,
            subproject_id=1,
            date_of_birth=D(2003, 5, 5),
            gender="man",
            entry_date=D(2025, 1, 10),
            entry_status="unemployed",
            education_level="isced_3_4",
            disability="no",
            foreign_background="no",
            exit_date=D(2025, 4, 10),
            exit_status="job_searching",
            followup_6m_status="employed",
        ),
        R(
            participation_id=11,
            person_id=9,
            subproject_id=1,
            date_of_birth=D(2004, 1, 1),
            gender="nonbinary",
            entry_date=D(2025, 1, 20),
            entry_status="inactive",
            education_level="isced_0_2",
            disability="no",
            foreign_background="no",
            exit_date=D(2025, 3, 20),
            exit_status="job_searching",
            followup_6m_status="not_improved",
        ),
    ]


def _c(women: int = 0, men: int = 0, nonbinary: int = 0) -> dict[str, int]:
    return {"women": women, "men": men, "nonbinary": nonbinary, "total": women + men + nonbinary}


EXPECTED_ESF_PLUS = {
    "total_participants": _c(4, 2, 2),
    "unemployed": _c(1, 2),
    "long_term_unemployed": _c(0, 1),
    "inactive": _c(2, 0, 2),
    "employed": _c(1),
    "below_18": _c(2),
    "age_18_29": _c(1, 2, 2),
    "isced_0_2": _c(2, 0, 2),
    "isced_3_4": _c(1, 2),
    "isced_5_8": _c(),
    "with_disabilities": _c(2),
    "foreign_background": _c(1, 1),
    "job_searching_upon_leaving": _c(0, 1, 1),
    "in_education_upon_leaving": _c(1),
    "qualification_upon_leaving": _c(0, 0, 1),
    "employed_upon_leaving": _c(0, 1),
    "employed_6_months": _c(0, 2),
    "improved_situation_6_months": _c(0, 1),
}


def test_esf_plus_reproduces_the_hand_computed_values():
    report = ind.indicator_report(_records(), framework="esfplus", start=START, end=END)
    assert report.as_dict() == EXPECTED_ESF_PLUS
    assert list(report.as_dict()) == list(EXPECTED_ESF_PLUS)


def test_esf_2014_has_women_men_and_totals_that_count_nonbinary_participants():
    report = ind.indicator_report(_records(), framework="esf2014", start=START, end=END)
    values = report.as_dict()
    assert list(values) == [
        "total_participants",
        "unemployed",
        "long_term_unemployed",
        "inactive",
        "employed",
        "below_25",
        "isced_0_2",
        "isced_3_4",
        "isced_5_8",
        "with_disabilities",
        "foreign_background",
        "job_searching_upon_leaving",
        "in_education_upon_leaving",
        "qualification_upon_leaving",
        "employed_upon_leaving",
        "employed_6_months",
        "improved_situation_6_months",
    ]
    assert all(set(v) == {"women", "men", "total"} for v in values.values())
    assert values["total_participants"] == {"women": 4, "men": 2, "total": 8}
    assert values["inactive"] == {"women": 2, "men": 0, "total": 4}
    # P1 (17, twice), P2 (18), P6 (19), P8 (21), P9 (21, non-binary); not P3 (25) or P4 (30).
    assert values["below_25"] == {"women": 3, "men": 2, "total": 6}
    # ESF 2014–2020 counts only those inactive at entry as newly job searching: P9, not P8.
    assert values["job_searching_upon_leaving"] == {"women": 0, "men": 0, "total": 1}
    assert values["employed_6_months"] == {"women": 0, "men": 2, "total": 2}


def test_missing_data_is_listed_per_indicator_and_never_counted():
    report = ind.indicator_report(_records(), framework="esfplus", start=START, end=END)

    def rows(key):
        return [(m.participation_id, m.field) for m in report.missing[key]]

    # P4's education is unknown: in none of the three ISCED counts, listed under each.
    for key in ("isced_0_2", "isced_3_4", "isced_5_8"):
        assert rows(key) == [(5, "education_level")]
    # P3's foreign background is blank on the first entry (the re-entry's "yes" is not used);
    # "prefer not to say" on disability is an answer, not a gap.
    assert rows("foreign_background") == [(3, "foreign_background")]
    assert rows("with_disabilities") == []
    # P5 left on 1 February without a recorded situation: missing from every leaving count.
    # P4 left on 20 December: the four weeks are not over on 31 December, so pending.
    for key in ind.LEAVING_KEYS:
        assert rows(key) == [(6, "exit_status")]
    # P1's six-month day (2025-12-30) is in the period, the follow-up is not recorded.
    for key in ind.SIX_MONTH_KEYS:
        assert rows(key) == [(1, "followup_6m_status")]
    assert rows("total_participants") == []
    assert report.missing_count() == 4


def test_re_entry_counts_once_with_first_entry_and_last_exit():
    people = ind.participants(_records())
    p3 = [p for p in people if p.person_id == 3]
    assert len(p3) == 1
    assert (p3[0].entry_date, p3[0].entry_status, p3[0].education_level) == (
        D(2025, 2, 1),
        "inactive",
        "isced_0_2",
    )
    assert (p3[0].exit_date, p3[0].exit_status) == (D(2025, 9, 1), "qualification")
    assert (p3[0].first_participation_id, p3[0].last_participation_id) == (3, 4)
    # The same person in two sub-projects is two participants.
    assert len([p for p in people if p.person_id == 1]) == 2


def test_a_re_entry_still_open_has_no_exit_and_no_result():
    first = _records()[2]
    again = R(
        participation_id=99,
        person_id=3,
        subproject_id=1,
        date_of_birth=D(2000, 1, 1),
        gender="nonbinary",
        entry_date=D(2025, 10, 1),
        entry_status="employed",
    )
    (person,) = ind.participants([first, again])
    assert person.exit_date is None and person.exit_status == ""
    report = ind.indicator_report([first, again], framework="esfplus", start=START, end=END)
    assert report.values["job_searching_upon_leaving"].total == 0
    assert all(report.missing[key] == [] for key in ind.LEAVING_KEYS)


def test_missing_exit_status_counts_as_missing_only_after_four_weeks():
    record = R(
        participation_id=1,
        person_id=1,
        subproject_id=1,
        date_of_birth=D(2005, 1, 1),
        gender="woman",
        entry_date=D(2025, 1, 1),
        entry_status="inactive",
        education_level="isced_3_4",
        disability="no",
        foreign_background="no",
        exit_date=D(2025, 6, 1),
    )

    def missing(as_of):
        report = ind.indicator_report(
            [record], framework="esfplus", start=START, end=END, as_of=as_of
        )
        return [m.participation_id for m in report.missing["employed_upon_leaving"]]

    assert missing(D(2025, 6, 28)) == []  # 27 days after the exit
    assert missing(D(2025, 6, 29)) == [1]  # 28 days: the four weeks are over


def test_six_month_results_fall_in_the_period_of_the_six_month_day():
    record = R(
        participation_id=1,
        person_id=1,
        subproject_id=1,
        date_of_birth=D(2005, 1, 1),
        gender="man",
        entry_date=D(2024, 1, 1),
        entry_status="unemployed",
        exit_date=D(2024, 8, 31),
        exit_status="in_education",
        followup_6m_status="employed",
    )
    # 31 August + 6 months is 28 February (2025 is a common year).
    assert ind.add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    in_period = ind.indicator_report(
        [record], framework="esfplus", start=D(2025, 2, 28), end=D(2025, 3, 31)
    )
    before = ind.indicator_report(
        [record], framework="esfplus", start=D(2025, 1, 1), end=D(2025, 2, 27)
    )
    assert in_period.values["employed_6_months"].men == 1
    assert in_period.values["total_participants"].total == 0  # entered in 2024
    assert in_period.values["in_education_upon_leaving"].total == 0  # left in 2024
    assert before.values["employed_6_months"].total == 0


@pytest.mark.parametrize(
    ("born", "entry", "age"),
    [
        (D(2008, 3, 10), D(2026, 3, 10), 18),  # birthday on the entry date: reached
        (D(2008, 3, 10), D(2026, 3, 9), 17),
        (D(1996, 5, 1), D(2026, 5, 1), 30),
        (D(1996, 5, 1), D(2026, 4, 30), 29),
        (D(2008, 2, 29), D(2026, 2, 28), 17),  # born on a leap day: a year older on 1 March
        (D(2008, 2, 29), D(2026, 3, 1), 18),
        (D(2008, 2, 29), D(2028, 2, 29), 20),
    ],
)
def test_age_at_entry(born, entry, age):
    assert ind.age_on(born, entry) == age


@pytest.mark.parametrize(
    ("born", "esfplus_band", "below_25"),
    [
        (D(2008, 6, 1), "below_18", True),  # 17 on 2026-05-31
        (D(2008, 5, 31), "age_18_29", True),  # 18 on the entry date
        (D(2001, 6, 1), "age_18_29", True),  # 24
        (D(2001, 5, 31), "age_18_29", False),  # 25 on the entry date
        (D(1996, 6, 1), "age_18_29", False),  # 29
        (D(1996, 5, 31), None, False),  # 30 on the entry date
    ],
)
def test_age_bands_are_taken_at_entry(born, esfplus_band, below_25):
    record = R(
        participation_id=1,
        person_id=1,
        subproject_id=1,
        date_of_birth=born,
        gender="woman",
        entry_date=D(2026, 5, 31),
        entry_status="inactive",
    )
    plus = ind.indicator_report([record], framework="esfplus", start=START, end=D(2026, 12, 31))
    for band in ("below_18", "age_18_29"):
        assert plus.values[band].women == (1 if band == esfplus_band else 0)
    old = ind.indicator_report([record], framework="esf2014", start=START, end=D(2026, 12, 31))
    assert old.values["below_25"].women == (1 if below_25 else 0)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        ind.indicator_report([], framework="esf2030", start=START, end=END)
    with pytest.raises(ValueError):
        ind.indicator_report([], framework="esfplus", start=END, end=START)


def test_empty_input_gives_zeros_for_every_key():
    report = ind.indicator_report([], framework="esfplus", start=START, end=END)
    assert report.as_dict() == {key: _c() for key in EXPECTED_ESF_PLUS}
    assert report.missing_count() == 0


# --- Suppression -----------------------------------------------------------------------


def test_suppressed_report_hides_small_counts_and_their_complements():
    report = ind.indicator_report(_records(), framework="esfplus", start=START, end=END)
    public = ind.suppressed(report)
    assert set(public) == set(EXPECTED_ESF_PLUS)
    assert public["total_participants"] == {
        "women": "<5",
        "men": "<5",
        "nonbinary": "<5",
        "total": "8",
    }
    for key, cells in public.items():
        for column, text in cells.items():
            value = EXPECTED_ESF_PLUS[key][column]
            if 0 < value < 5:
                assert text == "<5", (key, column)
            else:
                assert text in (str(value), ".."), (key, column)


def test_esf_2014_suppression_keeps_the_nonbinary_count_underivable():
    # Ten women, six men and two non-binary participants: ESF 2014–2020 shows women, men and
    # the total, so total − women − men would reveal the two; one more cell must go.
    records = []
    for i, gender in enumerate(["woman"] * 10 + ["man"] * 6 + ["nonbinary"] * 2):
        records.append(
            R(
                participation_id=i,
                person_id=i,
                subproject_id=1,
                date_of_birth=D(2005, 1, 1),
                gender=gender,
                entry_date=D(2025, 3, 1),
                entry_status="inactive",
                education_level="isced_0_2",
            )
        )
    report = ind.indicator_report(records, framework="esf2014", start=START, end=END)
    row = ind.suppressed(report)["total_participants"]
    assert set(row) == {"women", "men", "total"}
    assert ".." in row.values()


_genders = st.sampled_from(ind.GENDERS)
_statuses = st.sampled_from(ind.ENTRY_STATUSES)
_dates = st.dates(min_value=D(2023, 1, 1), max_value=D(2026, 12, 31))


@st.composite
def _record_lists(draw):
    n = draw(st.integers(min_value=0, max_value=40))
    records = []
    for i in range(n):
        entry = draw(_dates)
        exit_date = draw(st.one_of(st.none(), st.dates(min_value=entry, max_value=D(2027, 6, 1))))
        records.append(
            R(
                participation_id=i,
                person_id=draw(st.integers(min_value=1, max_value=12)),
                subproject_id=draw(st.integers(min_value=1, max_value=3)),
                date_of_birth=draw(st.dates(min_value=D(1990, 1, 1), max_value=D(2012, 12, 31))),
                gender=draw(_genders),
                entry_date=entry,
                entry_status=draw(_statuses),
                education_level=draw(st.sampled_from(["", *ind.EDUCATION_LEVELS])),
                disability=draw(st.sampled_from(["", "yes", "no", "prefer_not_to_say"])),
                foreign_background=draw(st.sampled_from(["", "yes", "no", "prefer_not_to_say"])),
                exit_date=exit_date,
                exit_status=draw(st.sampled_from(["", *ind.EXIT_STATUSES])) if exit_date else "",
                followup_6m_status=draw(st.sampled_from(["", *ind.FOLLOWUP_STATUSES]))
                if exit_date
                else "",
            )
        )
    return records


@settings(max_examples=150, deadline=None)
@given(_record_lists(), st.sampled_from(ind.FRAMEWORKS))
def test_properties_of_every_report(records, framework):
    report = ind.indicator_report(records, framework=framework, start=START, end=END)
    v = report.values
    total = v["total_participants"]
    # Exactly one status at entry: the three groups add up to the total, gender by gender.
    for column in ("women", "men", "nonbinary"):
        assert getattr(total, column) == sum(
            getattr(v[k], column) for k in ("unemployed", "inactive", "employed")
        )
    assert v["long_term_unemployed"].total <= v["unemployed"].total
    # Gender parts add up to the total (ESF 2014–2020 shows two of the three parts).
    for key, counts in report.as_dict().items():
        if framework == "esfplus":
            assert counts["women"] + counts["men"] + counts["nonbinary"] == counts["total"]
        else:
            assert counts["women"] + counts["men"] <= counts["total"], key
    # Once per person and sub-project.
    assert total.total <= len({(r.person_id, r.subproject_id) for r in records})
    # Every entering participant is in exactly one education group or listed as missing.
    isced = sum(v[k].total for k in ind.EDUCATION_LEVELS)
    assert isced + len(report.missing["isced_0_2"]) == total.total
    # Nobody in two leaving results.
    leaving = sum(v[k].total for k in ind.LEAVING_KEYS)
    exits = sum(1 for p in ind.participants(records) if p.exit_date and START <= p.exit_date <= END)
    assert leaving + len(report.missing["employed_upon_leaving"]) <= exits
    # Suppression: no count from 1 to 4 shown, and never a single hidden cell in a row.
    public = ind.suppressed(report)
    for key, cells in public.items():
        exact = report.as_dict()[key]
        for column, text in cells.items():
            assert text in ("<5", "..") or text == str(exact[column])
            if 0 < exact[column] < 5:
                assert text == "<5"
        if framework == "esfplus":
            assert sum(1 for t in cells.values() if t in ("<5", "..")) != 1, key
