"""A question's answers as counts and shares, with small cells hidden for anyone outside
the project team. Pure module: no Django.

The rule is the one small-cell rule (``lotsen.stats.suppression``): a count from 1 to 4 is
shown as "<5", and because the options add up to the number who answered the question,
one more cell is hidden whenever a hidden count could be worked out from the others. A
share is shown only beside a count that is shown. Below ``MIN_RESPONSES`` responses in
all, nothing is shown but that there are too few.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lotsen.stats import suppression

MIN_RESPONSES = suppression.THRESHOLD
SCALE_VALUES = (1, 2, 3, 4, 5)
YES_NO_VALUES = (1, 0)


@dataclass(frozen=True)
class Cell:
    value: int
    count: int
    text: str
    share: float | None

    @property
    def hidden(self) -> bool:
        return not self.text.isdigit()


@dataclass(frozen=True)
class Distribution:
    answered: int
    answered_text: str
    cells: list[Cell]


def too_few(responses: int) -> bool:
    return responses < MIN_RESPONSES


def distribution(values: Sequence[int], options: Sequence[int], *, suppress: bool) -> Distribution:
    """Counts per option among ``values`` (answers outside ``options`` are ignored)."""
    counts = Counter(v for v in values if v in options)
    row = [sum(counts.values()), *(counts.get(o, 0) for o in options)]
    if suppress:
        sums = [suppression.Sum((0, 0), tuple((0, c) for c in range(1, len(row))))]
        text = suppression.suppress([row], sums)[0]
    else:
        text = [str(v) for v in row]
    answered, answered_text = row[0], text[0]
    total_shown = answered_text.isdigit() and answered > 0
    cells = [
        Cell(
            value=option,
            count=count,
            text=shown,
            share=count / answered if total_shown and shown.isdigit() else None,
        )
        for option, count, shown in zip(options, row[1:], text[1:], strict=True)
    ]
    return Distribution(answered=answered, answered_text=answered_text, cells=cells)
