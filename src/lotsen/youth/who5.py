"""The WHO-5 wellbeing index, as numbers. Pure module.

Five statements about the last two weeks, each answered on a six-step scale from
"all of the time" (5) to "at no time" (0). The raw sum (0–25) times four gives the
0–100 score the index is reported on (WHO Regional Office for Europe, 1998; Topp et al.,
Psychother Psychosom 2015;84:167–176).
"""

from __future__ import annotations

from collections.abc import Mapping

ITEM_KEYS: tuple[str, ...] = ("item1", "item2", "item3", "item4", "item5")
MIN_ANSWER = 0
MAX_ANSWER = 5
SCORE_FACTOR = 4
MAX_SCORE = len(ITEM_KEYS) * MAX_ANSWER * SCORE_FACTOR


class AnswerError(ValueError):
    """One answer is missing or outside 0–5; ``key`` names it, ``missing`` says which."""

    def __init__(self, key: str, *, missing: bool) -> None:
        super().__init__(key)
        self.key = key
        self.missing = missing


def parse_answer(key: str, value: object) -> int:
    """An answer as an integer 0–5. Booleans are refused: True is not "1 of 5"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise AnswerError(key, missing=True)
    if isinstance(value, bool):
        raise AnswerError(key, missing=False)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise AnswerError(key, missing=False)
    if not MIN_ANSWER <= number <= MAX_ANSWER:
        raise AnswerError(key, missing=False)
    return number


def parse_answers(answers: Mapping[str, object]) -> tuple[dict[str, int], list[AnswerError]]:
    """All five answers, or the errors of those that are missing or invalid, in order."""
    parsed: dict[str, int] = {}
    errors: list[AnswerError] = []
    for key in ITEM_KEYS:
        try:
            parsed[key] = parse_answer(key, answers.get(key))
        except AnswerError as error:
            errors.append(error)
    return parsed, errors


def raw_score(answers: Mapping[str, int]) -> int:
    return sum(answers[key] for key in ITEM_KEYS)


def score(answers: Mapping[str, int]) -> int:
    """The 0–100 index: the raw sum times four."""
    return raw_score(answers) * SCORE_FACTOR
