"""The fairness audit: bootstrap intervals, groups too small to measure, and gaps in words."""

from __future__ import annotations

import csv
import io

import numpy as np

from lotsen.earlywarning.evaluation_report import report_write
from lotsen.earlywarning.fairness import (
    MIN_GROUP_SIZE,
    bootstrap_intervals,
    gap_sentence,
    gaps_find,
    group_metrics,
)
from lotsen.earlywarning.learning import dataset_prepare, evaluate, table_read_csv


def _scored(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = rng.random(n) < p
    return y, p, p >= 0.7


def test_intervals_are_reproducible_with_a_seed_and_move_with_it():
    y, p, flagged = _scored(400, seed=1)
    first = bootstrap_intervals(y=y, p=p, flagged=flagged, resamples=300, seed=5)
    again = bootstrap_intervals(y=y, p=p, flagged=flagged, resamples=300, seed=5)
    other = bootstrap_intervals(y=y, p=p, flagged=flagged, resamples=300, seed=6)
    assert first == again
    assert first != other
    point = group_metrics(y=y, p=p, flagged=flagged, groups=["a"] * 400, resamples=300)["a"]
    for key in ("recall", "precision", "fpr", "fnr", "calibration_gap"):
        low, high = first[key]
        # The interval surrounds the measure on all rows and has a width the data allows.
        assert low <= point[key] <= high
        assert 0 < high - low < 0.3


def test_a_larger_group_gets_a_narrower_interval():
    widths = {}
    for n in (60, 3000):
        y, p, flagged = _scored(n, seed=n)
        intervals = bootstrap_intervals(y=y, p=p, flagged=flagged, resamples=400, seed=0)
        widths[n] = {key: intervals[key][1] - intervals[key][0] for key in ("recall", "fpr")}
    for key in ("recall", "fpr"):
        assert widths[3000][key] < widths[60][key]


def test_a_group_of_three_is_too_small_and_carries_no_figure():
    y, p, flagged = _scored(203, seed=2)
    groups = ["stor"] * 200 + ["liten"] * 3
    result = group_metrics(y=y, p=p, flagged=flagged, groups=groups, resamples=200)
    assert result["liten"] == {"n": 3, "too_small": True}
    assert result["stor"]["n"] == 200 and result["stor"]["intervals"]["recall"] is not None
    # A gap is never measured against a group too small to measure.
    assert all("liten" not in (gap["high"], gap["low"]) for gap in gaps_find(result))
    assert MIN_GROUP_SIZE > 3


def test_the_report_shows_a_small_group_as_too_few_never_as_a_figure(tmp_path):
    evaluation = evaluate(dataset=_biased_dataset(leak=0.0, small_group=3), folds=3, seed=0)
    small = evaluation.groups["kön"]["X"]
    assert small == {"n": 3, "too_small": True}
    report_write(evaluation, out=tmp_path, source="test", command="test")
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    row = html[html.index('<th scope="row">X</th>') :].split("</tr>")[0]
    assert "för få" in row and "%" not in row


def test_a_planted_bias_is_flagged_and_said_in_words():
    # A feature that carries gender into the labels: among pupils with the same real risk,
    # girls got the outcome recorded more often, and the model learns it through a proxy.
    fair = evaluate(dataset=_biased_dataset(leak=0.0), folds=3, seed=0)
    biased = evaluate(dataset=_biased_dataset(leak=0.35), folds=3, seed=0)
    fair_flags = [gap for gap in fair.gaps["kön"] if gap["flagged"]]
    biased_flags = [gap for gap in biased.gaps["kön"] if gap["flagged"]]
    assert not fair_flags, fair_flags
    assert biased_flags
    flagged_measures = {gap["measure"] for gap in biased_flags}
    assert flagged_measures & {"fpr", "recall", "fnr", "precision"}
    top = biased_flags[0]
    assert {top["high"], top["low"]} == {"F", "M"}
    sentence = gap_sentence(top, column="kön")
    assert "Intervallen överlappar inte" in sentence and "procentenheter" in sentence
    assert biased.as_json()["gaps"]["kön"][0] == top


def _biased_dataset(*, leak: float, small_group: int = 0):
    rng = np.random.default_rng(11)
    n = 1200
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["betyg", "frånvaro", "proxy", "kön", "avbrott"])
    for i in range(n + small_group):
        gender = "X" if i >= n else ("F" if i % 2 else "M")
        grade = rng.normal(0, 1)
        absence = rng.normal(0, 1)
        proxy = (1.0 if gender == "F" else 0.0) + rng.normal(0, 0.3)
        risk = 1 / (1 + np.exp(-(-1.2 - 1.1 * grade + 0.9 * absence)))
        dropped = rng.random() < risk or (gender == "F" and rng.random() < leak)
        writer.writerow(
            [f"{grade:.3f}", f"{absence:.3f}", f"{proxy:.3f}", gender, "ja" if dropped else "nej"]
        )
    table = table_read_csv(data=out.getvalue().encode("utf-8"), sep=",")
    return dataset_prepare(table=table, target="avbrott", positive="ja", audit=["kön"])
