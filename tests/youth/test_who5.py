"""The WHO-5 maths: parsing one answer, and the 0–100 score (raw sum × 4)."""

import itertools

import pytest

from lotsen.youth import who5


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (5, 5), ("3", 3), (" 4 ", 4), (2, 2)],
)
def test_valid_answers_parse(value, expected):
    assert who5.parse_answer("item1", value) == expected


@pytest.mark.parametrize("value", [None, "", "  "])
def test_missing_answers_are_named_missing(value):
    with pytest.raises(who5.AnswerError) as error:
        who5.parse_answer("item2", value)
    assert error.value.key == "item2" and error.value.missing


@pytest.mark.parametrize("value", [6, -1, "6", "-1", "x", "2.5", 2.0, True, False, [3]])
def test_invalid_answers_are_named_invalid(value):
    with pytest.raises(who5.AnswerError) as error:
        who5.parse_answer("item4", value)
    assert error.value.key == "item4" and not error.value.missing


def test_parse_answers_reports_every_bad_item_in_order():
    parsed, errors = who5.parse_answers({"item1": "5", "item3": "9", "item5": "0"})
    assert parsed == {"item1": 5, "item5": 0}
    assert [(e.key, e.missing) for e in errors] == [
        ("item2", True),
        ("item3", False),
        ("item4", True),
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ((5, 5, 5, 5, 5), 100),
        ((0, 0, 0, 0, 0), 0),
        ((3, 3, 3, 3, 3), 60),
        ((5, 4, 3, 2, 1), 60),
        ((1, 0, 0, 0, 0), 4),
        ((2, 3, 2, 3, 3), 52),
        ((2, 2, 2, 3, 3), 48),
    ],
)
def test_score_is_raw_sum_times_four(answers, expected):
    mapping = dict(zip(who5.ITEM_KEYS, answers, strict=True))
    assert who5.score(mapping) == expected
    assert who5.raw_score(mapping) == expected // 4


def test_every_combination_scores_within_0_to_100_in_steps_of_4_and_rises_with_each_item():
    for answers in itertools.product(range(6), repeat=5):
        mapping = dict(zip(who5.ITEM_KEYS, answers, strict=True))
        value = who5.score(mapping)
        assert 0 <= value <= who5.MAX_SCORE == 100
        assert value % 4 == 0
        for key in who5.ITEM_KEYS:
            if mapping[key] < 5:
                assert who5.score({**mapping, key: mapping[key] + 1}) == value + 4
