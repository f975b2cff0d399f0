"""Scoring pupils with the learned risk model, against bare model prediction.

Generates BENCH_SCORING_SIZE (default 1,000,000) pupils' feature rows in the schema of
``lotsen.earlywarning.features`` with realistic ranges (merit value around the national mean
of 228.7 in year 9, about one pupil in seven absent 15 % or more, failed course points in
upper secondary; ``domain/swedish_calibration_stats.json``), trains the production model
once on 20,000 labelled synthetic pupils, and times on the same matrix:

  in-product   what ``risk_scores_compute`` does per batch of 2,000 once the features are
               built: select the model's columns, calibrated probability, band, and for
               risks at or above the average the three features that pushed the risk up
               most with their Swedish reasons (``ScoringModel.score``)
  bare         the fitted calibrated estimator's ``predict_proba`` on the prepared matrix

and, for BENCH_SCORING_DB_SIZE pupils (default 20,000), the in-product path with the
database writes (``_scores_write``: build the rows, bulk insert) against bare prediction.
Prints pupils per second and each path's time as a multiple of bare prediction's on the
same rows. The explanation is most of the cost: the
tree model's per-feature parts (TreeSHAP) take many times a prediction, which is why only
risks at or above the average are explained.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup  # noqa: E402

TRAINING_SIZE = 20_000
SEED = 2026


def synthetic_rows(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(feature rows in ``FEATURE_NAMES`` order, each pupil's latent ability)."""
    from lotsen.earlywarning import features as F

    ability = rng.normal(size=n)
    year = rng.integers(7, 13, size=n).astype(float)
    upper = year >= 10
    merit = np.clip(228.7 + 60 * ability + rng.normal(0, 15, n), 0, 340)
    # Year 7 in the autumn: no grades yet for some.
    merit[(year == 7) & (rng.random(n) < 0.3)] = np.nan
    failed = np.minimum(rng.poisson(np.exp(-1.2 - 1.3 * ability)), 16).astype(float)
    core = np.minimum(rng.binomial(np.minimum(failed, 3).astype(int), 0.45), failed)
    change = rng.normal(2, 12, n)
    change[rng.random(n) < 0.2] = np.nan
    no_grades = np.isnan(merit)
    failed[no_grades], core[no_grades], change[no_grades] = np.nan, np.nan, np.nan

    def absence(sd: float) -> np.ndarray:
        return np.exp(rng.normal(np.log(5.5) - 0.35 * ability, sd))

    absence_4w = np.clip(absence(0.85), 0, 100)
    absence_12w = np.clip(0.6 * absence_4w + 0.4 * absence(0.6), 0, 100)
    invalid_4w = absence_4w * rng.beta(1.5, 4, n)
    invalid_12w = absence_12w * rng.beta(1.5, 4, n)
    no_attendance = rng.random(n) < 0.03
    for column in (absence_4w, absence_12w, invalid_4w, invalid_12w):
        column[no_attendance] = np.nan

    years_in = np.where(upper, year - 9, 0)
    course_failed = np.where(
        upper, 50.0 * rng.poisson(years_in * np.exp(-0.7 - 1.2 * ability)), 0.0
    )
    graded = (years_in - 1) * 800 + 50 * rng.integers(0, 17, size=n)
    course_passed = np.where(upper, np.maximum(graded - course_failed, 0), 0.0)

    columns = {
        F.SCHOOL_YEAR: year,
        F.MERIT_VALUE: merit,
        F.FAILED_SUBJECTS: failed,
        F.CORE_SUBJECTS_FAILED: core,
        F.MERIT_CHANGE: change,
        F.ABSENCE_SHORT: absence_4w,
        F.INVALID_ABSENCE_SHORT: invalid_4w,
        F.ABSENCE_LONG: absence_12w,
        F.INVALID_ABSENCE_LONG: invalid_12w,
        F.COURSE_POINTS_FAILED: course_failed,
        F.COURSE_POINTS_PASSED: course_passed,
    }
    return np.column_stack([columns[name] for name in F.FEATURE_NAMES]), ability


def outcomes(X: np.ndarray, ability: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dropout within three years, about one in seven, driven by what the rows hold."""
    from lotsen.earlywarning import features as F

    def column(name: str) -> np.ndarray:
        return np.nan_to_num(X[:, F.FEATURE_NAMES.index(name)])

    logit = (
        -2.4
        - 0.7 * ability
        + 0.45 * column(F.CORE_SUBJECTS_FAILED)
        + 0.05 * (column(F.INVALID_ABSENCE_SHORT) - 1.5)
        + 0.03 * (column(F.ABSENCE_LONG) - 6)
        + 0.004 * column(F.COURSE_POINTS_FAILED)
    )
    return (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)


def main() -> None:
    django_setup()
    from lotsen.earlywarning import features as F
    from lotsen.earlywarning import learning as pipeline
    from lotsen.earlywarning.scoring import SCORE_BATCH_SIZE, SCORING_THREADS, ScoringModel

    size = int(os.environ.get("BENCH_SCORING_SIZE", "1000000"))
    db_size = int(os.environ.get("BENCH_SCORING_DB_SIZE", "20000"))
    rng = np.random.default_rng(SEED)

    X_train, ability = synthetic_rows(TRAINING_SIZE, rng)
    y = outcomes(X_train, ability, rng)
    dataset = pipeline.Dataset(
        X=X_train,
        y=y,
        features=[pipeline.Feature(name=name, kind=pipeline.NUMERIC) for name in F.FEATURE_NAMES],
        target="utfall",
        positive="avbrott",
        audit={},
        excluded=[],
        ignored={},
        decimal_comma=False,
    )
    started = time.perf_counter()
    fitted = pipeline.model_fit(dataset=dataset, seed=0)
    train_seconds = time.perf_counter() - started
    p_train = fitted.predict_proba(X_train)
    scoring = ScoringModel.for_names(
        model=fitted,
        names=F.FEATURE_NAMES,
        version="bench",
        threshold=float(np.quantile(p_train, 0.8)),
        base_rate=float(y.mean()),
    )

    X, _ability = synthetic_rows(size, rng)
    print(
        f"{size:,} synthetic pupils, {len(F.FEATURE_NAMES)} features; model trained on "
        f"{TRAINING_SIZE:,} ({y.mean():.1%} dropouts) in {train_seconds:.1f} s; "
        f"{SCORING_THREADS} LightGBM threads, batches of {SCORE_BATCH_SIZE:,}"
    )

    started = time.perf_counter()
    explained = 0
    for first in range(0, size, SCORE_BATCH_SIZE):
        result = scoring.score(X[first : first + SCORE_BATCH_SIZE])
        explained += sum(1 for reasons in result.explanations if reasons)
    product = time.perf_counter() - started

    prepared = scoring.prepare(X)
    started = time.perf_counter()
    fitted.calibrated.predict_proba(prepared)
    bare = time.perf_counter() - started

    print(f"{'path':44} {'pupils/s':>12} {'time vs bare':>13}")
    print(f"{'bare predict_proba':44} {size / bare:12,.0f} {1:12.1f}x")
    print(
        f"{'in-product (probability, band, reasons)':44} {size / product:12,.0f} "
        f"{product / bare:12.1f}x"
    )
    print(f"  explained (risk at or above the average): {explained / size:.1%} of pupils")

    if db_size:
        _with_writes(scoring=scoring, X=X[:db_size], fitted=fitted)


def _with_writes(*, scoring, X: np.ndarray, fitted) -> None:
    """The in-product path with the database writes, on pupils that exist in the database."""
    import hashlib

    from django.db import connection
    from django.utils import timezone

    from lotsen.accounts.models import Organisation, OrganisationKind
    from lotsen.earlywarning.models import ModelVersion, RiskScore
    from lotsen.earlywarning.scoring import SCORE_BATCH_SIZE, ScoreSummary, _scores_write
    from lotsen.people.identity import make_identity_number
    from lotsen.people.models import Person

    n = len(X)
    unit = Organisation.objects.create(
        name="Benchskolan", kind=OrganisationKind.SCHOOL_UNIT, school_unit_code="99999999"
    )
    born = dt.date(2009, 1, 1)
    persons = Person.objects.bulk_create(
        (
            Person(
                personal_identity_number=make_identity_number(
                    born + dt.timedelta(days=index // 900), index % 900 + 10
                ),
                date_of_birth=born + dt.timedelta(days=index // 900),
                given_name="Bench",
                family_name=f"Elev{index}",
                home_municipality_code="0180",
            )
            for index in range(n)
        ),
        batch_size=5000,
    )
    version = ModelVersion.objects.create(
        name="bench",
        version="bench",
        trained_at=timezone.now(),
        trained_as_of=timezone.localdate(),
        horizon_years=3,
        n=0,
        positives=0,
        threshold=scoring.threshold,
        base_rate=scoring.base_rate,
        model_card="",
        libraries="",
        model_blob=b"",
        model_sha256=hashlib.sha256(b"").hexdigest(),
    )
    as_of = timezone.localdate()
    pupils = [(p.pk, unit.pk, int(X[i, 0])) for i, p in enumerate(persons)]

    started = time.perf_counter()
    summary = ScoreSummary()
    for first in range(0, n, SCORE_BATCH_SIZE):
        rows = X[first : first + SCORE_BATCH_SIZE]
        _scores_write(
            batch=pupils[first : first + SCORE_BATCH_SIZE],
            X=rows,
            result=scoring.score(rows),
            version=version,
            as_of=as_of,
            summary=summary,
        )
    with_writes = time.perf_counter() - started
    assert RiskScore.objects.count() == n

    prepared = scoring.prepare(X)
    started = time.perf_counter()
    fitted.calibrated.predict_proba(prepared)
    bare = time.perf_counter() - started
    print(
        f"{'in-product with writes (' + connection.vendor + f', {n:,} pupils)':44} "
        f"{n / with_writes:12,.0f} {with_writes / bare:12.1f}x"
    )


if __name__ == "__main__":
    main()
