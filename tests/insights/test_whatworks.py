"""The pure "what works" figures: Wilson intervals against hand-computed values, the
outcome rules, and suppression."""

from __future__ import annotations

import math

import pytest

from lotsen.insights.whatworks import (
    Interval,
    ParticipantOutcome,
    Share,
    figures,
    mean_interval,
    shown,
    wilson,
)


def _round(interval: Interval) -> tuple[float, float]:
    return round(interval.low, 3), round(interval.high, 3)


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        # p = 0.8, z = 1.96: centre (0.8 + 0.19207)/1.38415 = 0.71680, half
        # 1.96·√(0.016 + 0.009604)/1.38415 = 0.22658 → [0.490, 0.943].
        (8, 10, (0.490, 0.943)),
        # p = 0: the interval is [0, z²/(n + z²)] = [0, 3.8415/13.8415] = [0, 0.278].
        (0, 10, (0.0, 0.278)),
        (10, 10, (0.722, 1.0)),
        # p = 0.5, n = 100: 0.5 ± 1.96·√(0.0025 + 0.000096)/1.038415 = 0.5 ± 0.09617.
        (50, 100, (0.404, 0.596)),
        # 1 of 1: [1/(1 + z²), 1] = [0.207, 1].
        (1, 1, (0.207, 1.0)),
    ],
)
def test_wilson_matches_hand_computed_values(k, n, expected):
    assert _round(wilson(k, n)) == expected


def test_wilson_edge_cases():
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(3, 2)
    z = 1.959963984540054
    assert wilson(0, 10).high == pytest.approx(z * z / (10 + z * z))


def test_mean_interval():
    assert mean_interval([4.0]) is None
    mean, interval = mean_interval([10.0, 20.0, 30.0])
    # s = 10, half = 1.96 · 10/√3 = 11.316
    assert mean == 20.0
    assert interval.low == pytest.approx(20 - 1.959963984540054 * 10 / math.sqrt(3))
    assert interval.high == pytest.approx(20 + 1.959963984540054 * 10 / math.sqrt(3))


def test_figures_follow_the_rules():
    outcomes = [
        ParticipantOutcome(1, frozenset({1}), "employed", "employed", (40, 60)),
        ParticipantOutcome(2, frozenset({1, 2}), "in_education", "not_improved", (50,)),
        ParticipantOutcome(3, frozenset({1}), "qualification", "improved", (30, 20, 36)),
        ParticipantOutcome(4, frozenset({1}), "job_searching"),
        ParticipantOutcome(5, frozenset({1}), "other"),
        ParticipantOutcome(6, frozenset({1})),  # still taking part
        ParticipantOutcome(7, frozenset({2}), "employed"),
    ]
    result = figures(outcomes, [1, 2, 3])
    one = result[1]
    assert one.participants == 6
    assert one.on_exit == Share(3, 5)
    assert one.at_6_months == Share(2, 3)
    assert one.wellbeing_changes == (20, 6)
    assert one.wellbeing[0] == 13
    assert result[2].participants == 2 and result[2].on_exit == Share(2, 2)
    assert result[3].participants == 0 and result[3].on_exit.share is None
    assert result[3].wellbeing is None


def test_team_sees_all_and_outsiders_see_small_cells_hidden():
    outcomes = [ParticipantOutcome(i, frozenset({1}), "employed") for i in range(8)]
    outcomes += [ParticipantOutcome(100 + i, frozenset({1}), "job_searching") for i in range(2)]
    outcomes += [ParticipantOutcome(200 + i, frozenset({1}), "", "", (40, 52)) for i in range(6)]
    fig = figures(outcomes, [1])[1]
    team = shown(fig, suppress=False)
    assert (team.participants, team.on_exit.successes, team.on_exit.n) == ("16", "8", "10")
    assert _round(team.on_exit.interval) == (0.490, 0.943)
    outside = shown(fig, suppress=True)
    # Two did not get education or work: "<5"; then 8 of 10 would give it away.
    assert outside.participants == "16"
    assert (outside.on_exit.successes, outside.on_exit.n) == ("..", "10")
    assert outside.on_exit.share is None and outside.on_exit.interval is None
    assert outside.wellbeing_n == "6" and outside.wellbeing_mean == 12


def test_small_groups_hide_everything_computed_from_them():
    outcomes = [ParticipantOutcome(i, frozenset({1}), "employed", "", (10, 30)) for i in range(3)]
    outside = shown(figures(outcomes, [1])[1], suppress=True)
    assert outside.participants == "<5"
    assert outside.on_exit.n == "<5" and outside.on_exit.share is None
    assert outside.wellbeing_n == "<5" and outside.wellbeing_mean is None
    assert shown(figures(outcomes, [1])[1], suppress=False).wellbeing_mean == 20
