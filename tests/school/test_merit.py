"""Merit value and eligibility, checked by hand against domain/swedish-rules-and-sources.md §2.

Every expected value in the tables below was worked out from the rules, not copied from a
run of the code; the arithmetic is in the comment or the id where it is not obvious.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotsen.school.merit import (
    CORE_SUBJECTS,
    DUPLICATE_SUBJECT,
    GRADE_ORDER,
    INVALID_BASIS,
    INVALID_GRADE,
    MISSING_GRADE,
    PASSING_GRADES,
    PROGRAMMES,
    REASON_ELIGIBLE,
    SUBJECT_CODES,
    SUBJECT_NAMES,
    UNKNOWN_SUBJECT,
    VALUE_HIDDEN,
    DuplicateSubject,
    InvalidGrade,
    MeritError,
    Missing,
    UnknownSubject,
    assess,
    eligibility,
    merit_value,
    parse_grade,
    parse_subject,
)

# The 16 subjects every year-9 pupil is graded in, with svenska as the Swedish subject.
COMPULSORY = (
    "SV",
    "EN",
    "MA",
    "BI",
    "FY",
    "KE",
    "GE",
    "HI",
    "RE",
    "SH",
    "TK",
    "BL",
    "HKK",
    "IDH",
    "MU",
    "SL",
)

ALL = frozenset(PROGRAMMES)
NONE: frozenset[str] = frozenset()
Y = "yrkesprogram"
P = "programinriktat_val"
SO_PROGRAMMES = frozenset({"EK", "HU", "SA"})
NO_PROGRAMMES = frozenset({"NA", "TE"})


def uniform(
    grade: str,
    subjects: tuple[str, ...] = COMPULSORY,
    *,
    without: tuple[str, ...] = (),
    **changes: str,
) -> dict[str, str]:
    """The same grade in ``subjects``, minus ``without``, then ``changes`` applied."""
    grades = {subject: grade for subject in subjects if subject not in without}
    grades.update(changes)
    return grades


def passes(*subjects: str) -> dict[str, str]:
    return dict.fromkeys(subjects, "E")


MERIT_AND_ELIGIBILITY_CASES = [
    pytest.param({}, 0.0, NONE, id="no-grades"),
    pytest.param(uniform("A"), 320.0, ALL, id="all-A-16"),
    pytest.param(uniform("A", M2="A"), 340.0, ALL, id="all-A-16-plus-M2-is-the-max-340"),
    # 18 subjects outside M2 at A: only 16 count (320), then M2 (20).
    pytest.param(uniform("A", ML="A", M1="A", M2="A"), 340.0, ALL, id="all-A-19-subjects-340"),
    pytest.param(uniform("F", M2="F"), 0.0, NONE, id="all-F"),
    pytest.param(uniform("-", M2="-"), 0.0, NONE, id="all-streck"),
    pytest.param(uniform("E"), 160.0, ALL, id="all-E-16"),
    pytest.param(uniform("E", M2="E"), 170.0, ALL, id="all-E-plus-M2-E"),
    # 16 × 15 + 20.
    pytest.param(uniform("C", M2="A"), 260.0, ALL, id="all-C-plus-M2-A"),
    # 16 × 20 + 17.5: the 17th grade takes the value above 320.
    pytest.param(uniform("A", M2="B"), 337.5, ALL, id="M2-as-17th-above-320"),
    # 16 × 17.5; a failed M2 adds nothing and costs nothing.
    pytest.param(uniform("B", M2="F"), 280.0, ALL, id="M2-F-adds-0"),
    pytest.param(uniform("D", M2="-"), 200.0, ALL, id="M2-streck-adds-0"),
    # 18 grades outside M2: two A (40) and the 14 best E (140); two E are dropped.
    pytest.param(uniform("E", ML="A", M1="A"), 180.0, ALL, id="weakest-dropped-above-16"),
    # M2 is outside the 16: 17 E give 160 from the best 16, plus M2 A (20). Taking M2 into
    # the pool would give 170; taking all 18 would give 190.
    pytest.param(uniform("E", M1="E", M2="A"), 180.0, ALL, id="M2-added-not-pooled"),
    # 14 B (245) + C (15) + D (12.5); the two F are the dropped ones. TK and BL failed still
    # leave 11 compulsory others + ML + M1 = 13 others with GE-SH and BI-KE intact.
    pytest.param(
        uniform("B", TK="F", BL="F", ML="C", M1="D"), 272.5, ALL, id="two-F-dropped-of-18"
    ),
    pytest.param({"M2": "A"}, 20.0, NONE, id="only-M2"),
    pytest.param({"SV": "A", "EN": "A", "MA": "A"}, 60.0, NONE, id="fewer-than-16-core-only"),
    pytest.param(uniform("C", without=("SV",), SVA="C"), 240.0, ALL, id="SVA-instead-of-SV"),
    # Swedish is one slot: the better of SV (C) and SVA (A) = 20, plus 15 E = 150.
    # Counting both would give 20 + 15 + 14 × 10 = 175.
    pytest.param(uniform("E", SV="C", SVA="A"), 170.0, ALL, id="SV-and-SVA-better-counts-once"),
    # Swedish passed through SVA; 5 others: yrkesprogram and programinriktat val.
    pytest.param(
        {"SV": "F", "SVA": "E", **passes("EN", "MA", "BI", "FY", "KE", "GE", "HI")},
        80.0,
        {Y, P},
        id="SV-F-SVA-E-passes-Swedish",
    ),
    # Both Swedish subjects passed: one Swedish, and SVA is not a 5th other subject.
    # Merit: one Swedish slot (10) + 6 × 10.
    pytest.param(
        {"SV": "E", "SVA": "E", **passes("EN", "MA", "BI", "FY", "KE", "GE")},
        70.0,
        {P},
        id="SV-and-SVA-never-count-twice",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI"),
        80.0,
        {Y, P},
        id="yrkes-exactly-5-others",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "BI", "FY", "KE", "GE"), 70.0, {P}, id="yrkes-only-4-others"
    ),
    pytest.param(
        passes("SV", "EN", "MA", "BI", "FY", "KE", "GE", "M2"),
        80.0,
        {Y, P},
        id="M2-counts-as-other-subject",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "BI", "FY", "KE", "GE", "ML"),
        80.0,
        {Y, P},
        id="ML-counts-as-other-subject",
    ),
    # 15 E + F + M2 E = 160. Swedish, maths and 14 others: programinriktat val only.
    pytest.param(uniform("E", EN="F", M2="E"), 160.0, {P}, id="failing-EN-only"),
    pytest.param(uniform("E", MA="-", M2="E"), 160.0, {P}, id="streck-in-MA-only"),
    pytest.param(uniform("E", SV="F", M2="E"), 160.0, NONE, id="failing-SV-only"),
    pytest.param(
        uniform("E", without=("SV",), SVA="F", M2="E"), 160.0, NONE, id="failing-SVA-only"
    ),
    pytest.param(uniform("E", without=("SV",), M2="E"), 160.0, NONE, id="no-Swedish-grade-at-all"),
    # One social science failed: 12 others + M2 = 13 others, so NA/TE/ES still eligible.
    pytest.param(uniform("E", GE="F", M2="E"), 160.0, ALL - SO_PROGRAMMES, id="SO-missing-GE"),
    pytest.param(uniform("E", HI="F", M2="E"), 160.0, ALL - SO_PROGRAMMES, id="SO-missing-HI"),
    pytest.param(uniform("E", RE="-", M2="E"), 160.0, ALL - SO_PROGRAMMES, id="SO-missing-RE"),
    pytest.param(uniform("E", SH="F", M2="E"), 160.0, ALL - SO_PROGRAMMES, id="SO-missing-SH"),
    pytest.param(uniform("E", BI="F", M2="E"), 160.0, ALL - NO_PROGRAMMES, id="NO-missing-BI"),
    pytest.param(uniform("E", FY="-", M2="E"), 160.0, ALL - NO_PROGRAMMES, id="NO-missing-FY"),
    pytest.param(uniform("E", KE="F", M2="E"), 160.0, ALL - NO_PROGRAMMES, id="NO-missing-KE"),
    # The nine subjects outside sv/en/ma and the SO and NO subjects: ES takes any nine.
    # Merit: 11 outside M2 (110) + M2 (10).
    pytest.param(
        passes("SV", "EN", "MA", "TK", "BL", "HKK", "IDH", "MU", "SL", "ML", "M1", "M2"),
        120.0,
        {Y, "ES", P},
        id="ES-any-9-others",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "TK", "BL", "HKK", "IDH", "MU", "SL", "ML", "M1"),
        110.0,
        {Y, P},
        id="ES-only-8-others",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "GE", "HI", "RE", "SH", "TK", "BL", "HKK", "IDH", "MU"),
        120.0,
        {Y, "EK", "HU", "SA", "ES", P},
        id="EK-HU-SA-exactly-9-others",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "GE", "HI", "RE", "SH", "TK", "BL", "HKK", "IDH"),
        110.0,
        {Y, P},
        id="EK-HU-SA-only-8-others",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "BI", "FY", "KE", "TK", "BL", "HKK", "IDH", "MU", "SL"),
        120.0,
        {Y, "NA", "TE", "ES", P},
        id="NA-TE-exactly-9-others",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "BI", "FY", "KE", "TK", "BL", "HKK", "IDH", "MU"),
        110.0,
        {Y, P},
        id="NA-TE-only-8-others",
    ),
    pytest.param(passes("SV", "EN", "MA", "BI", "FY", "KE"), 60.0, {P}, id="PIV-sv-en-ma-plus-3"),
    pytest.param(passes("SV", "EN", "MA", "BI", "FY"), 50.0, NONE, id="PIV-sv-en-ma-plus-2"),
    pytest.param(passes("SV", "EN", "BI", "FY", "KE", "GE"), 60.0, {P}, id="PIV-sv-en-plus-4"),
    pytest.param(passes("SVA", "MA", "BI", "FY", "KE", "GE"), 60.0, {P}, id="PIV-sva-ma-plus-4"),
    pytest.param(passes("SV", "EN", "BI", "FY", "KE"), 50.0, NONE, id="PIV-sv-en-plus-3"),
    pytest.param(
        passes("SV", "BI", "FY", "KE", "GE", "HI", "RE"), 70.0, NONE, id="PIV-neither-en-nor-ma"
    ),
    # A realistic pupil. Outside M2: C B E D E F C C B C E A B A C B = 227.5; M2 D = 12.5.
    # KE failed: every programme but NA and TE.
    pytest.param(
        {
            **{"SV": "C", "EN": "B", "MA": "E", "BI": "D", "FY": "E", "KE": "F", "GE": "C"},
            **{"HI": "C", "RE": "B", "SH": "C", "TK": "E", "BL": "A", "HKK": "B", "IDH": "A"},
            **{"MU": "C", "SL": "B", "M2": "D"},
        },
        240.0,
        ALL - NO_PROGRAMMES,
        id="realistic-pupil",
    ),
    pytest.param({"sv": " a ", "En": "b"}, 37.5, NONE, id="codes-and-grades-normalised"),
    pytest.param({"SV": "\u2013"}, 0.0, NONE, id="en-dash-is-streck"),
]


@pytest.mark.parametrize(("grades", "merit", "eligible"), MERIT_AND_ELIGIBILITY_CASES)
def test_merit_and_eligibility(grades, merit, eligible):
    assert merit_value(grades=grades) == merit
    result = eligibility(grades=grades)
    assert list(result) == list(PROGRAMMES)
    assert {programme for programme, item in result.items() if item.eligible} == set(eligible)


def test_case_table_is_large_enough():
    assert len(MERIT_AND_ELIGIBILITY_CASES) >= 40


# --- What is missing, in words --------------------------------------------------------

WORDING_CASES = [
    pytest.param(
        passes("SV", "EN", "BI", "FY", "KE", "GE"),
        Y,
        Missing(core=("matematik",), further_subjects=1),
        ["matematik", "ett ämne till"],
        "behöver godkänt i matematik och ett ämne till",
        id="yrkes-maths-and-one-more",
    ),
    pytest.param(
        passes("SV", "MA", "BI", "FY", "KE"),
        Y,
        Missing(core=("engelska",), further_subjects=2),
        ["engelska", "två ämnen till"],
        "behöver godkänt i engelska och två ämnen till",
        id="yrkes-english-and-two-more",
    ),
    pytest.param(
        {},
        Y,
        Missing(
            core=("svenska/svenska som andraspråk", "engelska", "matematik"), further_subjects=5
        ),
        ["svenska/svenska som andraspråk", "engelska", "matematik", "fem ämnen till"],
        "behöver godkänt i svenska/svenska som andraspråk, engelska och matematik"
        " samt fem ämnen till",
        id="yrkes-nothing",
    ),
    # Nothing passed: Swedish, one of en/ma, and 6 − 2 = 4 more.
    pytest.param(
        {},
        P,
        Missing(
            core=("svenska/svenska som andraspråk", "engelska eller matematik"),
            further_subjects=4,
        ),
        ["svenska/svenska som andraspråk", "engelska eller matematik", "fyra ämnen till"],
        "behöver godkänt i svenska/svenska som andraspråk och i engelska eller matematik"
        " samt fyra ämnen till",
        id="PIV-nothing",
    ),
    # Swedish and six others: seven passed, so only the English-or-maths requirement is open.
    pytest.param(
        passes("SV", "BI", "FY", "KE", "GE", "HI", "RE"),
        P,
        Missing(core=("engelska eller matematik",)),
        ["engelska eller matematik"],
        "behöver godkänt i engelska eller matematik",
        id="PIV-english-or-maths",
    ),
    # Only Swedish passed, en and ma streck: 1 passed + 1 for en/ma, so 4 more make six.
    pytest.param(
        {"SV": "B", "EN": "-", "MA": "-"},
        P,
        Missing(core=("engelska eller matematik",), further_subjects=4),
        ["engelska eller matematik", "fyra ämnen till"],
        "behöver godkänt i engelska eller matematik och fyra ämnen till",
        id="PIV-english-or-maths-and-four-more",
    ),
    pytest.param(
        {"SV": "B", "EN": "-", "MA": "-"},
        Y,
        Missing(core=("engelska", "matematik"), further_subjects=5),
        ["engelska", "matematik", "fem ämnen till"],
        "behöver godkänt i engelska och matematik samt fem ämnen till",
        id="yrkes-english-maths-and-five-more",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "TK", "BL", "HKK", "IDH", "MU", "SL", "ML", "M1", "M2"),
        "EK",
        Missing(required=("geografi", "historia", "religionskunskap", "samhällskunskap")),
        ["geografi", "historia", "religionskunskap", "samhällskunskap"],
        "behöver godkänt i geografi, historia, religionskunskap och samhällskunskap",
        id="EK-four-social-sciences",
    ),
    pytest.param(
        passes("SV", "EN", "MA", "TK", "BL", "HKK", "IDH", "MU", "SL", "ML", "M1", "M2"),
        "NA",
        Missing(required=("biologi", "fysik", "kemi")),
        ["biologi", "fysik", "kemi"],
        "behöver godkänt i biologi, fysik och kemi",
        id="NA-three-natural-sciences",
    ),
    # One other (BI); FY and KE make three; six more make nine.
    pytest.param(
        passes("SV", "EN", "MA", "BI"),
        "TE",
        Missing(required=("fysik", "kemi"), further_subjects=6),
        ["fysik", "kemi", "sex ämnen till"],
        "behöver godkänt i fysik och kemi samt sex ämnen till",
        id="TE-two-sciences-and-six-more",
    ),
    pytest.param(
        uniform("E", GE="F", M2="E"),
        "SA",
        Missing(required=("geografi",)),
        ["geografi"],
        "behöver godkänt i geografi",
        id="SA-geography-only",
    ),
    pytest.param(
        uniform("E", without=("SV",), SVA="F"),
        Y,
        Missing(core=("svenska som andraspråk",)),
        ["svenska som andraspråk"],
        "behöver godkänt i svenska som andraspråk",
        id="named-SVA-when-pupil-reads-SVA",
    ),
    pytest.param(
        uniform("E", SV="-"),
        Y,
        Missing(core=("svenska",)),
        ["svenska"],
        "behöver godkänt i svenska",
        id="named-SV-when-pupil-reads-SV",
    ),
    pytest.param(
        uniform("E", SV="F", SVA="F"),
        Y,
        Missing(core=("svenska/svenska som andraspråk",)),
        ["svenska/svenska som andraspråk"],
        "behöver godkänt i svenska/svenska som andraspråk",
        id="both-Swedish-subjects-failed",
    ),
    pytest.param(
        {"SV": "E", "SVA": "E", **passes("EN", "MA", "BI", "FY", "KE", "GE")},
        Y,
        Missing(further_subjects=1),
        ["ett ämne till"],
        "behöver godkänt i ett ämne till",
        id="one-more-subject-only",
    ),
    pytest.param(
        {
            **{"SV": "F", "EN": "F", "MA": "F"},
            **passes("TK", "BL", "HKK", "IDH", "MU", "SL", "ML", "M1", "M2"),
        },
        "ES",
        Missing(core=("svenska", "engelska", "matematik")),
        ["svenska", "engelska", "matematik"],
        "behöver godkänt i svenska, engelska och matematik",
        id="ES-core-only",
    ),
    pytest.param(
        uniform("E"),
        "HU",
        Missing(),
        [],
        REASON_ELIGIBLE,
        id="eligible-has-nothing-missing",
    ),
]


@pytest.mark.parametrize(("grades", "programme", "missing", "items", "reason"), WORDING_CASES)
def test_missing_wording(grades, programme, missing, items, reason):
    result = eligibility(grades=grades)[programme]
    assert result.missing == missing
    assert result.missing.items() == items
    assert result.reason == reason
    assert result.eligible == (reason == REASON_ELIGIBLE)


# --- Parsing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grade"),
    [("A", "A"), ("b", "B"), (" e ", "E"), ("F", "F"), ("-", "-"), ("\u2013", "-"), ("—", "-")],
)
def test_parse_grade_accepts(text, grade):
    assert parse_grade(text=text) == grade


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("G", INVALID_GRADE.format(value="'G'")),
        ("MVG", INVALID_GRADE.format(value="'MVG'")),
        ("A+", INVALID_GRADE.format(value="'A+'")),
        ("5", INVALID_GRADE.format(value="'5'")),
        ("", MISSING_GRADE),
        ("  ", MISSING_GRADE),
        ("199901011234", INVALID_GRADE.format(value=VALUE_HIDDEN)),
    ],
)
def test_parse_grade_rejects(text, message):
    with pytest.raises(InvalidGrade) as raised:
        parse_grade(text=text)
    assert str(raised.value) == message


def test_parse_subject():
    assert parse_subject(text=" hkk ") == "HKK"
    assert parse_subject(text="m2") == "M2"
    with pytest.raises(UnknownSubject) as raised:
        parse_subject(text="XX")
    assert str(raised.value) == UNKNOWN_SUBJECT.format(value="'XX'")


def test_unknown_subject_in_mapping_is_rejected():
    with pytest.raises(UnknownSubject):
        merit_value(grades={"SV": "A", "NO": "B"})


def test_same_subject_twice_in_mapping_is_rejected():
    with pytest.raises(DuplicateSubject) as raised:
        eligibility(grades={"sv": "A", "SV": "B"})
    assert str(raised.value) == DUPLICATE_SUBJECT.format(subject="SV")


def test_every_subject_has_a_swedish_name():
    assert len(SUBJECT_CODES) == 20
    assert SUBJECT_NAMES["ML"] == "modersmål"
    assert SUBJECT_NAMES["M2"] == "moderna språk (språkval)"


# --- assess and the basis flag ----------------------------------------------------------


@pytest.mark.parametrize("basis", ["final", "projected"])
def test_assess_carries_basis_and_bundles_results(basis):
    grades = uniform("C", M2="A")
    result = assess(grades=grades, basis=basis)
    assert result.basis == basis
    assert result.merit_value == 260.0
    assert result.eligibility == eligibility(grades=grades)


def test_assess_labels_a_projection():
    assert assess(grades={}, basis="projected").basis_label == "prognos utifrån terminsbetyg"
    assert assess(grades={}, basis="final").basis_label == "slutbetyg"


def test_assess_rejects_unknown_basis():
    with pytest.raises(MeritError) as raised:
        assess(grades={}, basis="guess")
    assert str(raised.value) == INVALID_BASIS.format(value="'guess'")


# --- Properties -------------------------------------------------------------------------

grade_maps = st.dictionaries(st.sampled_from(SUBJECT_CODES), st.sampled_from(GRADE_ORDER))


def _eligible(grades: dict[str, str]) -> set[str]:
    return {key for key, item in eligibility(grades=grades).items() if item.eligible}


@given(grades=grade_maps)
def test_merit_value_is_between_0_and_340(grades):
    assert 0.0 <= merit_value(grades=grades) <= 340.0


@given(data=st.data(), grades=grade_maps.filter(bool))
def test_raising_one_grade_never_lowers_merit_or_removes_eligibility(data, grades):
    subject = data.draw(st.sampled_from(sorted(grades)))
    position = GRADE_ORDER.index(grades[subject])
    higher = data.draw(st.sampled_from(GRADE_ORDER[position:]))
    raised = {**grades, subject: higher}
    assert merit_value(grades=raised) >= merit_value(grades=grades)
    assert _eligible(raised) >= _eligible(grades)


@given(data=st.data(), grades=grade_maps)
def test_adding_a_subject_never_lowers_merit_or_removes_eligibility(data, grades):
    unused = [code for code in SUBJECT_CODES if code not in grades]
    if not unused:
        return
    subject = data.draw(st.sampled_from(unused))
    added = {**grades, subject: data.draw(st.sampled_from(GRADE_ORDER))}
    assert merit_value(grades=added) >= merit_value(grades=grades)
    assert _eligible(added) >= _eligible(grades)


@given(data=st.data(), grades=grade_maps)
def test_order_of_input_does_not_matter(data, grades):
    shuffled = dict(data.draw(st.permutations(list(grades.items()))))
    for basis in ("final", "projected"):
        assert assess(grades=shuffled, basis=basis) == assess(grades=grades, basis=basis)


@given(grades=grade_maps)
def test_eligibility_is_consistent_across_programmes(grades):
    result = eligibility(grades=grades)
    for item in result.values():
        assert item.eligible == item.missing.is_empty == (item.missing.items() == [])
        assert (item.reason == REASON_ELIGIBLE) == item.eligible
    # Same requirements, same answer.
    assert result["EK"] == result["HU"] == result["SA"]
    assert result["NA"] == result["TE"]
    # Every higher-education preparatory programme asks more than a vocational one, which
    # asks more than programinriktat val (sv, en, ma + 5 ≥ sv, en, ma + 3).
    for programme in ("EK", "NA", "ES"):
        if result[programme].eligible:
            assert result["yrkesprogram"].eligible
    if result["yrkesprogram"].eligible:
        assert result["programinriktat_val"].eligible


@given(grades=grade_maps)
def test_programinriktat_val_matches_the_two_alternatives_as_written(grades):
    # §2.3 read literally, independent of the module's "six in all" reformulation.
    passed = {code for code, grade in grades.items() if grade in PASSING_GRADES}
    swedish = bool(passed & {"SV", "SVA"})
    others = len(passed - CORE_SUBJECTS)
    english, maths = "EN" in passed, "MA" in passed
    first = swedish and english and maths and others >= 3
    # In the second alternative the one of en/ma not chosen may be among the "other" four.
    second = swedish and ((english and others + maths >= 4) or (maths and others + english >= 4))
    assert eligibility(grades=grades)["programinriktat_val"].eligible == (first or second)


_NAME_TO_CODE = {name: code for code, name in SUBJECT_NAMES.items()}
_NAME_TO_CODE |= {"svenska/svenska som andraspråk": "SV", "engelska eller matematik": "EN"}


def _supply(grades: dict[str, str], missing: Missing, further: int) -> dict[str, str]:
    """Pass what ``missing`` names, then ``further`` not yet passed non-core subjects."""
    supplied = dict(grades)
    for name in (*missing.core, *missing.required):
        supplied[_NAME_TO_CODE[name]] = "E"
    spare = [
        code
        for code in SUBJECT_CODES
        if code not in CORE_SUBJECTS and supplied.get(code) not in PASSING_GRADES
    ]
    assert len(spare) >= further
    for code in spare[:further]:
        supplied[code] = "E"
    return supplied


@given(grades=grade_maps)
def test_what_is_missing_is_exactly_enough(grades):
    for programme, item in eligibility(grades=grades).items():
        if item.eligible:
            continue
        missing = item.missing
        # Enough: passing everything named makes the pupil eligible.
        enough = _supply(grades, missing, missing.further_subjects)
        assert eligibility(grades=enough)[programme].eligible, programme
        # Not more than needed: one subject fewer is not enough.
        if missing.further_subjects:
            short = _supply(grades, missing, missing.further_subjects - 1)
            assert not eligibility(grades=short)[programme].eligible, programme


@given(grades=grade_maps)
def test_sentence_names_every_missing_item(grades):
    for item in eligibility(grades=grades).values():
        for name in item.missing.items():
            assert name in item.reason
