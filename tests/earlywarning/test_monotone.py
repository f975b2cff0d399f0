"""Known directions hold in the learned model (issue 14, method): more absence never lowers
the risk, a higher merit value never raises it, whatever the training sample says, in the
trees and in the linear part of the blend alike. Missing values stay missing (NaN for the
trees, an indicator column for the linear part), never silently filled in."""

from __future__ import annotations

import numpy as np
import pytest

from lotsen.earlywarning import learning
from lotsen.earlywarning.learning import NUMERIC, Dataset, Feature, InvalidInput

ABSENCE, MERIT, NOISE = 0, 1, 2
GRID = np.linspace(0, 60, 61)


def _sample(rows: int = 1500, seed: int = 3):
    """Absence in %, merit value and a noise column. The planted risk rises with absence
    up to 30 % and falls again above it (a quirk of the sample, as a few long-sick pupils
    who all graduated would give), and falls with merit. A tenth of merit values missing."""
    rng = np.random.default_rng(seed)
    absence = rng.uniform(0, 60, rows)
    merit = rng.uniform(50, 320, rows)
    noise = rng.normal(size=rows)
    bump = np.where(absence <= 30, absence / 10, (60 - absence) / 10)
    logit = -1.0 + bump - (merit - 185) / 60
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    merit[rng.random(rows) < 0.1] = np.nan
    return np.column_stack([absence, merit, noise]), y


def _dataset(X, y, *, absence=0, merit=0) -> Dataset:
    return Dataset(
        X=X,
        y=y,
        features=[
            Feature(name="absence", kind=NUMERIC, monotone=absence),
            Feature(name="merit", kind=NUMERIC, monotone=merit),
            Feature(name="noise", kind=NUMERIC),
        ],
        target="utfall",
        positive="avbrott",
        audit={},
        excluded=[],
        ignored={},
        decimal_comma=False,
    )


def _along(model, column: int, grid: np.ndarray, base: np.ndarray) -> np.ndarray:
    rows = np.repeat(base[None, :], len(grid), axis=0)
    rows[:, column] = grid
    return model.predict_proba(rows)


@pytest.fixture(scope="module")
def sample():
    return _sample()


def test_a_model_with_the_known_directions_is_monotone_on_a_grid(sample):
    X, y = sample
    model = learning.model_fit(dataset=_dataset(X, y, absence=1, merit=-1), seed=0)
    rng = np.random.default_rng(11)
    bases = X[rng.choice(len(X), 25, replace=False)].copy()
    bases[0, MERIT] = np.nan  # a pupil without a merit value
    for base in bases:
        risk = _along(model, ABSENCE, GRID, base)
        assert np.all(np.diff(risk) >= -1e-12), risk
        merit_risk = _along(model, MERIT, np.linspace(50, 320, 55), base)
        assert np.all(np.diff(merit_risk) <= 1e-12), merit_risk


def test_without_the_directions_the_sample_quirk_shows(sample):
    """The same data unconstrained: the risk falls again at high absence, which is what
    the constraint is there to stop (so the test above tests something)."""
    X, y = sample
    model = learning.model_fit(dataset=_dataset(X, y), seed=0)
    base = np.nanmedian(X, axis=0)
    risk = _along(model, ABSENCE, GRID, base)
    assert risk[-1] < risk.max() - 0.05


def test_the_linear_part_drops_a_column_whose_sign_would_break_the_direction(sample):
    X, y = sample
    # Claim the opposite of what the data say about absence below 30 %: absence may only
    # lower the risk. The linear part must then give absence no weight of the wrong sign.
    model = learning.model_fit(dataset=_dataset(X[X[:, ABSENCE] <= 30], y[X[:, ABSENCE] <= 30],
                                                absence=-1), seed=0)  # fmt: skip
    blend = model.blend
    value_columns = [
        i
        for i, name in enumerate(blend.prepare_.get_feature_names_out())
        if blend.z_source_[i] == ABSENCE and "missingindicator" not in name
    ]
    assert value_columns and all(blend.logreg_.coef_[0][i] <= 0 for i in value_columns)


def test_missing_values_get_an_indicator_not_a_silent_fill(sample):
    X, y = sample
    model = learning.model_fit(dataset=_dataset(X, y, absence=1, merit=-1), seed=0)
    names = list(model.blend.prepare_.get_feature_names_out())
    # Merit has missing values: the linear part sees whether it was missing.
    assert any("missingindicator" in n and model.blend.z_source_[i] == MERIT
               for i, n in enumerate(names))  # fmt: skip
    row = np.nanmedian(X, axis=0)
    missing = row.copy()
    missing[MERIT] = np.nan
    # A missing merit value is not read as the median one.
    assert model.predict_proba(missing[None, :])[0] != model.predict_proba(row[None, :])[0]


def test_a_direction_must_name_a_numeric_feature_and_be_plus_or_minus_one():
    table = learning.table_read_csv(data=b"a,b,utfall\n1,x,1\n2,y,0\n3,x,1\n4,y,0\n")
    with pytest.raises(InvalidInput, match="'b' är ingen numerisk prediktor"):
        learning.dataset_prepare(table=table, target="utfall", positive="1", monotone={"b": 1})
    with pytest.raises(InvalidInput, match="'c' är ingen numerisk prediktor"):
        learning.dataset_prepare(table=table, target="utfall", positive="1", monotone={"c": 1})
    with pytest.raises(InvalidInput, match="ska vara \\+1 eller -1"):
        learning.dataset_prepare(table=table, target="utfall", positive="1", monotone={"a": 2})
    dataset = learning.dataset_prepare(
        table=table, target="utfall", positive="1", monotone={"a": -1}
    )
    assert [(f.name, f.monotone) for f in dataset.features] == [("a", -1), ("b", 0)]
