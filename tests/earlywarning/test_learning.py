"""The early-warning pipeline on small synthetic data whose signal is known.

No database and no Django: ``lotsen.earlywarning.learning`` is plain Python. Three folds instead of
five keep the suite quick; the code path is the same.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lotsen.earlywarning.fairness import MISSING_GROUP, group_metrics, rates
from lotsen.earlywarning.learning import (
    CSV_DUPLICATE_HEADER,
    CSV_RAGGED,
    DERIVE_FORBIDDEN,
    DERIVE_SYNTAX,
    IGNORED_CONSTANT,
    IGNORED_IDENTIFIER,
    ROLE_AUDIT,
    STAGE_UNCLAIMED,
    TARGET_VALUE_UNKNOWN,
    InvalidInput,
    audit_groups,
    dataset_prepare,
    derive_parse,
    evaluate,
    explain,
    model_fit,
    operating_point_choose,
    separator_detect,
    stage_parse,
    table_read_csv,
)


def csv_bytes(columns: dict[str, list], *, sep: str = ";", bom: bool = False) -> bytes:
    names = list(columns)
    lines = [sep.join(names)]
    for row in zip(*columns.values(), strict=True):
        lines.append(sep.join(str(value) for value in row))
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def synthetic(*, n: int = 600, seed: int = 1, signal: bool = True) -> dict[str, list]:
    """Columns x0..x3 (x0 and x1 carry the signal), a course code, gender, age, outcome.

    The outcome depends on x0 (strongly), x1 (less) and the course; gender and age carry
    no signal, except that ``leak`` is the outcome itself, to catch it ever being used.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    course = rng.choice([101, 205, 317], size=n)
    logit = 2.0 * x[:, 0] - 1.2 * x[:, 1] + np.where(course == 317, 1.0, 0.0) - 0.8
    if not signal:
        logit = np.full(n, -0.5)
    y = rng.random(n) < 1 / (1 + np.exp(-logit))
    return {
        "x0": np.round(x[:, 0], 3).tolist(),
        "x1": np.round(x[:, 1], 3).tolist(),
        "x2": np.round(x[:, 2], 3).tolist(),
        "x3": np.round(x[:, 3], 3).tolist(),
        "kurs": course.tolist(),
        "kön": rng.choice(["F", "M"], size=n).tolist(),
        "ålder": rng.integers(15, 20, size=n).tolist(),
        "leak": ["ja" if value else "nej" for value in y],
        "utfall": ["avbrott" if value else "fortsatt" for value in y],
    }


def prepare(columns: dict[str, list], **kwargs):
    table = table_read_csv(data=csv_bytes(columns))
    kwargs.setdefault("target", "utfall")
    kwargs.setdefault("positive", "avbrott")
    return dataset_prepare(table=table, **kwargs)


# --- Reading ---------------------------------------------------------------------------------


def test_csv_with_bom_semicolon_crlf_and_a_tab_in_the_header(tmp_path):
    # The UCI file's quirks: BOM, CRLF, ';', and one quoted header ending in a tab.
    path = tmp_path / "data.csv"
    path.write_bytes(
        b'\xef\xbb\xbfMarital status;"Daytime/evening attendance\t";Grade;Target\r\n'
        b"1;1;12,5;Dropout\r\n2;0;13.0;Graduate\r\n\r\n"
    )
    table = table_read_csv(data=path.read_bytes())
    assert table.separator == ";"
    assert table.columns == ["Marital status", "Daytime/evening attendance", "Grade", "Target"]
    assert table.rows == [["1", "1", "12,5", "Dropout"], ["2", "0", "13.0", "Graduate"]]
    assert table.lines == [2, 3]


def test_separator_is_detected_among_comma_tab_and_pipe():
    assert separator_detect("a,b,c\n1,2,3\n") == ","
    assert separator_detect("a\tb\n1\t2\n") == "\t"
    assert separator_detect("a|b|c\n1|2|3\n") == "|"
    # A comma inside values does not fool it when ';' splits every line the same way.
    assert separator_detect("namn;betyg\nAlva;12,5\nBo;13,0\n") == ";"


def test_decimal_comma_is_read_as_a_number_with_semicolons():
    dataset = prepare(
        {"betyg": ["12,5", "13,0", "9,5", "14"] * 5, "utfall": ["avbrott", "fortsatt"] * 10}
    )
    assert dataset.X[:4, 0].tolist() == [12.5, 13.0, 9.5, 14.0]


def test_every_structural_error_is_reported_with_its_line():
    with pytest.raises(InvalidInput) as raised:
        table_read_csv(data=b"a;b;a\n1;2;3\n1;2\n4;5;6;7\n")
    message = str(raised.value)
    assert CSV_DUPLICATE_HEADER.format(column="a") in message
    assert CSV_RAGGED.format(line=3, found=2, expected=3) in message
    assert CSV_RAGGED.format(line=4, found=4, expected=3) in message


def test_unknown_positive_value_names_the_values_present():
    with pytest.raises(InvalidInput) as raised:
        prepare(synthetic(n=60), positive="Avbrott")
    assert str(raised.value) == TARGET_VALUE_UNKNOWN.format(
        positive="Avbrott", target="utfall", values="'avbrott', 'fortsatt'"
    )


# --- Roles of columns ------------------------------------------------------------------------


def test_audit_and_excluded_columns_and_the_target_are_never_features():
    dataset = prepare(synthetic(), audit=["kön", "ålder"], exclude=["leak"])
    assert dataset.feature_names == ["x0", "x1", "x2", "x3", "kurs"]
    assert set(dataset.audit) == {"kön", "ålder"}
    assert "leak" not in dataset.audit
    assert dataset.X.shape == (600, 5)


def test_a_column_equal_to_the_outcome_used_only_for_audit_does_not_leak():
    # If the audit column reached the model, the AUC would be 1.0.
    columns = synthetic(signal=False)
    dataset = prepare(columns, audit=["leak"], exclude=["kön", "ålder"])
    evaluation = evaluate(dataset=dataset, folds=3, seed=0)
    assert "leak" not in evaluation.as_json()["features"]
    assert evaluation.overall.roc_auc < 0.7
    groups = evaluation.as_json()["groups"]["leak"]
    assert groups["ja"]["recall"] is not None
    assert groups["nej"]["recall"] is None  # no positives there: recall is undefined


def test_derived_features_may_not_use_audit_columns():
    with pytest.raises(InvalidInput) as raised:
        prepare(synthetic(n=60), audit=["ålder"], derive=[("x", "[x0]/[ålder]")])
    assert str(raised.value) == DERIVE_FORBIDDEN.format(name="x", column="ålder", role=ROLE_AUDIT)


def test_constant_and_identifier_columns_are_ignored_with_a_reason():
    columns = synthetic(n=100)
    columns["löpnummer"] = list(range(1000, 1100))
    columns["skola"] = ["Ekskolan"] * 100
    dataset = prepare(columns, exclude=["leak"])
    assert dataset.ignored == {"löpnummer": IGNORED_IDENTIFIER, "skola": IGNORED_CONSTANT}
    assert "löpnummer" not in dataset.feature_names


def test_derived_feature_is_arithmetic_and_division_by_zero_is_missing():
    columns = {
        "godkända": [3, 0, 4, 2] * 5,
        "registrerade": [4, 0, 4, 8] * 5,
        "utfall": ["avbrott", "fortsatt"] * 10,
    }
    dataset = prepare(columns, derive=[derive_parse("andel = [godkända] / [registrerade]")])
    values = dataset.X[:4, dataset.feature_names.index("andel")]
    assert values[0] == 0.75 and math.isnan(values[1]) and values[2] == 1.0 and values[3] == 0.25


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("__import__('os')", "Call"),
        ("[x0].real", "Attribute"),
        ("[x0] ** 2", "Pow"),
        ("x0", "Name"),
    ],
)
def test_derived_feature_rejects_anything_but_arithmetic(expression, reason):
    with pytest.raises(InvalidInput) as raised:
        prepare(synthetic(n=60), derive=[("d", expression)])
    assert str(raised.value) == DERIVE_SYNTAX.format(name="d", reason=reason)


# --- Stages ----------------------------------------------------------------------------------


def test_stages_are_cumulative_and_derived_features_join_their_latest_source():
    columns = {
        "antagningspoäng": [10, 12, 14, 11] * 5,
        "T1 godkända": [3, 0, 4, 2] * 5,
        "T1 registrerade": [4, 1, 4, 8] * 5,
        "T2 godkända": [1, 2, 3, 4] * 5,
        "utfall": ["avbrott", "fortsatt"] * 10,
    }
    dataset = prepare(
        columns,
        derive=[("utveckling", "[T2 godkända] - [T1 godkända]")],
        stages=[stage_parse("start="), stage_parse("t1=T1 "), stage_parse("t2=T2")],
    )
    assert dataset.stages == {
        "start": ["antagningspoäng"],
        "t1": ["antagningspoäng", "T1 godkända", "T1 registrerade"],
        "t2": ["antagningspoäng", "T1 godkända", "T1 registrerade", "T2 godkända", "utveckling"],
    }


def test_a_column_no_stage_claims_is_an_error():
    with pytest.raises(InvalidInput) as raised:
        prepare(synthetic(n=60), exclude=["leak"], stages=[("a", "x"), ("b", "kurs")])
    assert str(raised.value) == STAGE_UNCLAIMED.format(columns="'kön', 'ålder'")


def test_later_stages_see_more_and_score_better():
    columns = synthetic()
    dataset = prepare(
        columns, audit=["kön", "ålder"], exclude=["leak"], stages=[("tidigt", ""), ("sent", "x0")]
    )
    evaluation = evaluate(dataset=dataset, folds=3, seed=0)
    early, late = evaluation.stages
    assert early.features == ["x1", "x2", "x3", "kurs"]
    assert late.features == ["x0", "x1", "x2", "x3", "kurs"]
    assert late.roc_auc > early.roc_auc + 0.05
    assert evaluation.overall is late


# --- Model quality ---------------------------------------------------------------------------


def test_known_signal_is_found():
    dataset = prepare(synthetic(), audit=["kön", "ålder"], exclude=["leak"])
    evaluation = evaluate(dataset=dataset, folds=3, seed=0)
    # The true model's AUC on this data is about 0.87.
    assert evaluation.overall.roc_auc > 0.8
    assert evaluation.overall.pr_auc > dataset.y.mean() + 0.2
    assert 0 <= evaluation.overall.brier < 0.2
    p = evaluation.overall.p
    assert p.min() >= 0 and p.max() <= 1


def test_noise_scores_near_chance():
    dataset = prepare(synthetic(signal=False), audit=["kön", "ålder"], exclude=["leak"])
    evaluation = evaluate(dataset=dataset, folds=3, seed=0)
    # 600 rows: the AUC of pure noise has a standard deviation of about 0.025.
    assert abs(evaluation.overall.roc_auc - 0.5) < 0.1


def test_the_same_seed_gives_the_same_result():
    dataset = prepare(synthetic(n=300), audit=["kön", "ålder"], exclude=["leak"])
    first = evaluate(dataset=dataset, folds=3, seed=7, jobs=1)
    second = evaluate(dataset=dataset, folds=3, seed=7, jobs=2)
    np.testing.assert_allclose(first.overall.p, second.overall.p)


# --- Operating point and fairness audit ------------------------------------------------------


def test_operating_point_flags_the_top_of_the_list_within_the_caseload():
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0, 0, 0])
    point = operating_point_choose(y=y, p=p, caseload=0.2)
    assert point.threshold == 0.8
    assert point.flagged == 2
    assert point.caseload == 0.2
    assert point.precision == 0.5
    assert point.recall == pytest.approx(1 / 3)
    assert point.fpr == pytest.approx(1 / 7)


def test_operating_point_never_exceeds_the_caseload_when_scores_tie():
    rng = np.random.default_rng(3)
    p = np.round(rng.random(1000), 2)  # many ties
    y = (rng.random(1000) < p).astype(int)
    for caseload in (0.05, 0.1, 0.2, 0.33):
        point = operating_point_choose(y=y, p=p, caseload=caseload)
        assert point.flagged <= math.floor(caseload * 1000)
        assert point.flagged == int(np.sum(p >= point.threshold))
        assert point.caseload > caseload - 0.03


def test_group_metrics_by_hand():
    # Group a: tp 2, fp 1, fn 1, tn 0. Group b: tp 1, fp 1, fn 1, tn 2. Group c: tn 2.
    y = [1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0]
    flagged = [1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0]
    groups = ["a", "a", "a", "a", "b", "b", "b", "b", "b", "c", "c"]
    p = [0.9, 0.8, 0.4, 0.7, 0.9, 0.6, 0.1, 0.2, 0.3, 0.1, 0.3]
    result = group_metrics(
        y=np.array(y), p=np.array(p), flagged=np.array(flagged), groups=groups, min_size=1
    )
    assert {key: value for key, value in result["a"].items() if key != "intervals"} == {
        "n": 4,
        "positives": 3,
        "flagged": 3,
        "recall": round(2 / 3, 4),
        "precision": round(2 / 3, 4),
        "fpr": 1.0,
        "fnr": round(1 / 3, 4),
        "mean_risk": 0.7,
        "observed_rate": 0.75,
        "calibration_gap": -0.05,
    }
    assert result["b"]["recall"] == 0.5
    assert result["b"]["precision"] == 0.5
    assert result["b"]["fpr"] == round(1 / 3, 4)
    assert result["c"]["recall"] is None  # nobody in c had the outcome
    assert result["c"]["precision"] is None  # and nobody was flagged
    assert result["c"]["fpr"] == 0.0
    assert rates(y=np.array(y), flagged=np.array(flagged)) == {
        "precision": 3 / 5,
        "recall": 3 / 5,
        "fpr": 2 / 6,
    }


def test_audit_groups_cut_a_spread_out_number_and_keep_codes():
    ages = [str(17 + (i % 40)) for i in range(400)]
    labels = audit_groups(ages)
    assert 3 <= len(set(labels)) <= 6
    assert all("–" in label or label.isdigit() for label in labels)
    # Mostly one value with a long tail of codes: kept as the codes they are.
    codes = ["1"] * 380 + [str(c) for c in range(2, 22)]
    assert set(audit_groups(codes)) == {str(c) for c in range(1, 22)}
    assert audit_groups(["F", "", "M"]) == ["F", MISSING_GROUP, "M"]


# --- Explanations ----------------------------------------------------------------------------


def test_explanation_ranks_the_informative_feature_first():
    columns = synthetic()
    dataset = prepare(columns, audit=["kön", "ålder"], exclude=["leak"])
    model = model_fit(dataset=dataset, seed=0)
    row = {"x0": "2,5", "x1": "0", "x2": "0.1", "x3": "-0.2", "kurs": "101", "kön": "F"}
    reasons = explain(model, row)
    assert reasons[0][0] == "x0"
    assert reasons[0][1] > 0.5
    assert {name for name, _ in reasons} == {"x0", "x1", "x2", "x3", "kurs"}
    # The same row as a model input vector gives the same answer.
    vector = model.matrix([row])[0]
    assert explain(model, vector) == reasons
    # A low x0 pulls the risk down: x0 is then the most negative part.
    low = explain(model, {**row, "x0": "-2.5"})
    assert low[-1][0] == "x0" and low[-1][1] < 0


def test_explanation_parts_add_up_to_the_score():
    dataset = prepare(synthetic(n=300), audit=["kön", "ålder"], exclude=["leak"])
    model = model_fit(dataset=dataset, seed=0)
    parts, base = model.blend.contributions(dataset.X[:20])
    np.testing.assert_allclose(
        parts.sum(axis=1) + base, model.blend.decision_function(dataset.X[:20])
    )
    # Calibration is monotone: a higher score is a higher calibrated risk.
    order = np.argsort(model.blend.decision_function(dataset.X))
    assert np.all(np.diff(model.predict_proba(dataset.X)[order]) >= -1e-12)


def test_words_are_categories_for_both_models():
    rng = np.random.default_rng(5)
    programme = rng.choice(["El", "Bygg", "Natur", "Samhäll"], size=500)
    risk = {"El": 0.6, "Bygg": 0.45, "Natur": 0.1, "Samhäll": 0.2}
    y = rng.random(500) < np.array([risk[p] for p in programme])
    columns = {
        "program": programme.tolist(),
        "brus": np.round(rng.normal(size=500), 3).tolist(),
        "utfall": ["avbrott" if v else "fortsatt" for v in y],
    }
    dataset = prepare(columns)
    assert dataset.features[0].levels == ("Bygg", "El", "Natur", "Samhäll")
    evaluation = evaluate(dataset=dataset, folds=3, seed=0)
    assert evaluation.overall.roc_auc > 0.7
    model = model_fit(dataset=dataset, seed=0)
    assert explain(model, {"program": "El", "brus": "0"})[0][0] == "program"
    # A programme never seen in training is unknown, not an error.
    assert len(explain(model, {"program": "Teknik", "brus": "0"})) == 2
