"""The fairness audit of a risk model: per-group rates with their uncertainty, and the
largest gaps between groups said in words.

A rate over a handful of pupils says almost nothing, and a table that prints it anyway
invites someone to act on noise (a group of two with 100 % false alarms). So every rate
comes with a bootstrap 95 % interval, and a group below a minimum size gets no figure at
all, only "too small". A gap between two groups is flagged only when it is large and the
two intervals do not overlap, so the words point at differences the data can carry.

The bootstrap resamples the rows of each group with replacement and recomputes every
measure; the interval is the 2.5th and 97.5th percentile. A seed makes it reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

# Below this many rows a group is reported as too small to measure, never as a figure.
MIN_GROUP_SIZE = 20
BOOTSTRAP_RESAMPLES = 1000
# A gap is worth a sentence when the rates differ by at least this much (10 percentage
# points) and the groups' intervals do not overlap.
GAP_FLAG = 0.10
# Resampled rows drawn at a time: bounds memory whatever the group's size.
_DRAW_CELLS = 2_000_000
MISSING_GROUP = "(saknas)"

# (key, Swedish name) of the measures that get an interval and are compared across groups.
MEASURES: tuple[tuple[str, str], ...] = (
    ("recall", "täckning"),
    ("precision", "precision"),
    ("fpr", "andel falsklarm"),
    ("fnr", "andel missade"),
    ("calibration_gap", "kalibreringsavvikelse"),
)


def rates(*, y: np.ndarray, flagged: np.ndarray) -> dict[str, float | None]:
    """Precision, recall and false-positive rate; None where the denominator is zero."""
    y = np.asarray(y).astype(bool)
    flagged = np.asarray(flagged).astype(bool)
    tp = int(np.sum(flagged & y))
    fp = int(np.sum(flagged & ~y))
    positives = int(y.sum())
    negatives = int((~y).sum())
    return {
        "precision": tp / (tp + fp) if tp + fp else None,
        "recall": tp / positives if positives else None,
        "fpr": fp / negatives if negatives else None,
    }


def group_order(label: str) -> tuple[int, float, str]:
    """Numeric ranges in order, then words, then the missing group last."""
    if label == MISSING_GROUP:
        return (2, 0.0, label)
    head = label.split("–")[0]
    try:
        return (0, float(head), label)
    except ValueError:
        return (1, 0.0, label)


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1), np.nan)


def _measures(y: np.ndarray, p: np.ndarray, flagged: np.ndarray) -> dict[str, np.ndarray]:
    """Every measure for each row of 2-D arrays (one resample per row)."""
    tp = np.sum(flagged & y, axis=1)
    fp = np.sum(flagged & ~y, axis=1)
    positives = np.sum(y, axis=1)
    negatives = y.shape[1] - positives
    recall = _ratio(tp, positives)
    return {
        "recall": recall,
        "precision": _ratio(tp, tp + fp),
        "fpr": _ratio(fp, negatives),
        "fnr": 1 - recall,
        # Mean predicted risk minus the observed rate: above zero the model overstates the
        # group's risk, below it understates it.
        "calibration_gap": p.mean(axis=1) - y.mean(axis=1),
    }


def bootstrap_intervals(
    *, y: np.ndarray, p: np.ndarray, flagged: np.ndarray, resamples: int, seed: int
) -> dict[str, tuple[float, float] | None]:
    """95 % percentile intervals of every measure over ``resamples`` resamples of the rows.

    None for a measure that cannot be computed in most resamples (no one in the group has
    the outcome, say): an interval over the few resamples where it can would mislead.
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    per_draw = max(1, _DRAW_CELLS // max(n, 1))
    collected: dict[str, list[np.ndarray]] = {key: [] for key, _ in MEASURES}
    done = 0
    while done < resamples:
        size = min(per_draw, resamples - done)
        index = rng.integers(0, n, size=(size, n))
        for key, values in _measures(y[index], p[index], flagged[index]).items():
            collected[key].append(values)
        done += size
    intervals: dict[str, tuple[float, float] | None] = {}
    for key, parts in collected.items():
        values = np.concatenate(parts)
        known = values[~np.isnan(values)]
        if len(known) < resamples / 2:
            intervals[key] = None
            continue
        low, high = np.percentile(known, [2.5, 97.5])
        intervals[key] = (round(float(low), 4), round(float(high), 4))
    return intervals


def group_metrics(
    *,
    y: np.ndarray,
    p: np.ndarray,
    flagged: np.ndarray,
    groups: Sequence[str],
    min_size: int = MIN_GROUP_SIZE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Per group: size, outcomes, recall, precision, false-positive and false-negative rate
    when flagged as given, mean calibrated risk beside the observed rate (calibration within
    the group), and a bootstrap 95 % interval for each rate.

    A group with fewer than ``min_size`` rows gets only its size and ``too_small``.
    """
    y = np.asarray(y).astype(bool)
    p = np.asarray(p, dtype=float)
    flagged = np.asarray(flagged).astype(bool)
    labels = np.asarray(groups, dtype=object)
    result: dict[str, dict[str, Any]] = {}
    for number, label in enumerate(sorted(set(groups), key=group_order)):
        inside = labels == label
        n = int(inside.sum())
        if n < min_size:
            result[str(label)] = {"n": n, "too_small": True}
            continue
        metrics = rates(y=y[inside], flagged=flagged[inside])
        recall = metrics["recall"]
        mean_risk = float(p[inside].mean())
        observed = float(y[inside].mean())
        result[str(label)] = {
            "n": n,
            "positives": int(y[inside].sum()),
            "flagged": int(flagged[inside].sum()),
            "recall": _round(recall),
            "precision": _round(metrics["precision"]),
            "fpr": _round(metrics["fpr"]),
            "fnr": _round(None if recall is None else 1 - recall),
            "mean_risk": _round(mean_risk),
            "observed_rate": _round(observed),
            "calibration_gap": _round(mean_risk - observed),
            # Each group its own stream, so adding a group does not move another's interval.
            "intervals": bootstrap_intervals(
                y=y[inside],
                p=p[inside],
                flagged=flagged[inside],
                resamples=resamples,
                seed=seed * 1000 + number,
            ),
        }
    return result


def gaps_find(by_value: dict[str, dict[str, Any]], *, flag: float = GAP_FLAG) -> list[dict]:
    """The largest gap between two measurable groups for each measure, largest first.

    ``flagged`` is True when the gap is at least ``flag`` and the two groups' intervals do
    not overlap: a difference the data can carry, to be explained before the model is used.
    """
    measurable = {label: g for label, g in by_value.items() if not g.get("too_small")}
    found = []
    for key, name in MEASURES:
        known = [(label, g) for label, g in measurable.items() if g.get(key) is not None]
        if len(known) < 2:
            continue
        low_label, low = min(known, key=lambda item: item[1][key])
        high_label, high = max(known, key=lambda item: item[1][key])
        gap = high[key] - low[key]
        low_interval = low["intervals"].get(key)
        high_interval = high["intervals"].get(key)
        apart = (
            low_interval is not None
            and high_interval is not None
            and low_interval[1] < high_interval[0]
        )
        found.append(
            {
                "measure": key,
                "name": name,
                "high": high_label,
                "high_value": high[key],
                "low": low_label,
                "low_value": low[key],
                "gap": round(gap, 4),
                "flagged": bool(apart and gap >= flag),
            }
        )
    return sorted(found, key=lambda item: (not item["flagged"], -item["gap"]))


def gap_sentence(gap: dict[str, Any], *, column: str) -> str:
    """One gap in plain Swedish, with the share as percent."""

    def percent(value: float) -> str:
        return f"{value * 100:.0f} %".replace(".", ",")

    points = round(gap["gap"] * 100)
    sentence = (
        f"{column}: störst skillnad i {gap['name']} är mellan {gap['high']} "
        f"({percent(gap['high_value'])}) och {gap['low']} ({percent(gap['low_value'])}), "
        f"{points} procentenheter."
    )
    if gap["flagged"]:
        return sentence + (
            " Intervallen överlappar inte: förklara skillnaden innan modellen används."
        )
    return sentence + " Skillnaden är liten eller osäker."


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)
