"""What works: for each method in the catalogue, how the participants who received it were
doing when they left, six months later, and how their own wellbeing changed. Pure module:
no Django.

These are descriptions of the people who happened to receive a method, not estimates of
what the method caused: the people given one method differ from those given another
(need, age, motivation, the municipality they live in), so two methods' figures cannot be
compared as if the methods were the cause of the difference. The page says so in words.

- A participant "received" a method when it is among the methods of one of their
  participations, or when they had a support intervention with it.
- On leaving: of the participants who received the method and have left (the last exit
  is kept, as in the indicator counting), the share in education or work: exit status
  in education, gained a qualification or employed.
- At six months: of those with a six-month follow-up, the share employed or with an
  improved situation.
- Wellbeing: WHO-5 (0–100), the last check-in minus the first, among those with two or
  more check-ins.

Every share comes with its count and a 95 % Wilson score interval; the mean change with a
95 % interval from the normal approximation (mean ± 1.96 · s / √n). Outside the project
team, counts from 1 to 4 are hidden with the KAA suppression rule, and so is anything
computed from a hidden count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lotsen.stats import suppression

# The 97.5th percentile of the standard normal distribution.
Z95 = 1.959963984540054
SUCCESS_ON_EXIT = frozenset({"in_education", "qualification", "employed"})
SUCCESS_AT_6_MONTHS = frozenset({"employed", "improved"})


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson(successes: int, n: int, z: float = Z95) -> Interval | None:
    """The Wilson score interval for a proportion (Wilson 1927). None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, Interval] | None:
    """The mean and its normal-approximation interval; None below two values."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    variance = sum((v - mean) ** 2 for v in values) / (n - 1)
    half = z * math.sqrt(variance / n)
    return mean, Interval(mean - half, mean + half)


@dataclass(frozen=True)
class ParticipantOutcome:
    person_id: int
    methods: frozenset[int]
    exit_status: str = ""  # "" while still taking part
    followup_6m: str = ""
    wellbeing: tuple[float, ...] = ()  # WHO-5 scores in the order they were given


@dataclass(frozen=True)
class Share:
    successes: int
    n: int

    @property
    def share(self) -> float | None:
        return self.successes / self.n if self.n else None

    @property
    def interval(self) -> Interval | None:
        return wilson(self.successes, self.n)


@dataclass(frozen=True)
class MethodFigures:
    method_id: int
    participants: int
    on_exit: Share
    at_6_months: Share
    wellbeing_changes: tuple[float, ...]

    @property
    def wellbeing_n(self) -> int:
        return len(self.wellbeing_changes)

    @property
    def wellbeing(self) -> tuple[float, Interval] | None:
        return mean_interval(self.wellbeing_changes)


def figures(
    outcomes: Iterable[ParticipantOutcome], method_ids: Iterable[int]
) -> dict[int, MethodFigures]:
    """Figures for every method in ``method_ids`` (methods nobody received get zeros)."""
    outcomes = list(outcomes)
    result = {}
    for method_id in method_ids:
        received = [o for o in outcomes if method_id in o.methods]
        left = [o for o in received if o.exit_status]
        followed = [o for o in received if o.followup_6m]
        result[method_id] = MethodFigures(
            method_id=method_id,
            participants=len(received),
            on_exit=Share(sum(o.exit_status in SUCCESS_ON_EXIT for o in left), len(left)),
            at_6_months=Share(
                sum(o.followup_6m in SUCCESS_AT_6_MONTHS for o in followed), len(followed)
            ),
            wellbeing_changes=tuple(
                o.wellbeing[-1] - o.wellbeing[0] for o in received if len(o.wellbeing) >= 2
            ),
        )
    return result


@dataclass(frozen=True)
class ShownShare:
    successes: str
    n: str
    share: float | None
    interval: Interval | None


@dataclass(frozen=True)
class ShownFigures:
    """What may be shown: counts as text ("<5" and ".." when hidden), and shares, means and
    intervals only when every count they come from is shown."""

    participants: str
    on_exit: ShownShare
    at_6_months: ShownShare
    wellbeing_n: str
    wellbeing_mean: float | None
    wellbeing_interval: Interval | None


# Cells of a method's row for the suppression rule: the successes and the others add up
# to the number who left (and who were followed up).
_PARTICIPANTS, _EXIT_K, _EXIT_OTHER, _EXIT_N, _FU_K, _FU_OTHER, _FU_N, _WB_N = range(8)
_SUMS = (
    suppression.Sum((0, _EXIT_N), ((0, _EXIT_K), (0, _EXIT_OTHER))),
    suppression.Sum((0, _FU_N), ((0, _FU_K), (0, _FU_OTHER))),
)


def _shown_share(share: Share, k: str, n: str) -> ShownShare:
    visible = k.isdigit() and n.isdigit() and share.n > 0
    return ShownShare(
        successes=k,
        n=n,
        share=share.share if visible else None,
        interval=share.interval if visible else None,
    )


def shown(fig: MethodFigures, *, suppress: bool) -> ShownFigures:
    row = [
        fig.participants,
        fig.on_exit.successes,
        fig.on_exit.n - fig.on_exit.successes,
        fig.on_exit.n,
        fig.at_6_months.successes,
        fig.at_6_months.n - fig.at_6_months.successes,
        fig.at_6_months.n,
        fig.wellbeing_n,
    ]
    text = suppression.suppress([row], _SUMS)[0] if suppress else [str(v) for v in row]
    wellbeing = fig.wellbeing if text[_WB_N].isdigit() else None
    return ShownFigures(
        participants=text[_PARTICIPANTS],
        on_exit=_shown_share(fig.on_exit, text[_EXIT_K], text[_EXIT_N]),
        at_6_months=_shown_share(fig.at_6_months, text[_FU_K], text[_FU_N]),
        wellbeing_n=text[_WB_N],
        wellbeing_mean=wellbeing[0] if wellbeing else None,
        wellbeing_interval=wellbeing[1] if wellbeing else None,
    )
