"""The learned risk model on Lotsen's own data: training on outcome history, scoring pupils.

What is predicted: that a pupil leaves upper-secondary school without completing it
(``Avbrott``) within ``horizon_years`` of starting it. A score is a prompt for a person at
the school to talk with the pupil, never a decision about them.

Training (``model_train``)
  Labels come from history: pupils whose upper-secondary outcome is known on the training
  date, from the end reason of their GY enrolment (``OUTCOME_BY_END_REASON``). Each labelled
  pupil gives one row, with features as of a date when the outcome was not yet known: a
  stage is drawn for the pupil (``STAGES``: autumn of year 7 … year 3 of upper secondary,
  a day within that school year), and the row is built as of that date from what the school
  knew then (``signals.features``). A pupil who had already left by their drawn stage gives
  no row: for that stage the outcome was known. One row per pupil keeps cross-validation
  honest (no pupil in two folds), and drawing the stage at random keeps each stage's rows a
  fair sample of the pupils still in school then. The pipeline is ``earlywarning.learning``'s:
  cross-validation with the fairness audit by gender, then one calibrated model on all rows.
  Gender is read for the audit only; it is never a feature.

  Refused with too little history (fewer than ``MIN_LABELLED`` labelled pupils or
  ``MIN_POSITIVES`` dropouts), and when the cross-validated model ranks pupils little
  better than chance (ROC-AUC below ``MIN_ROC_AUC``): no model is better than a bad one.
  The fitted model is stored in the database with its version (``ModelVersion``).

Scoring (``risk_scores_compute``)
  Current pupils in year 7–9 of compulsory school and in upper-secondary school, in batches
  with a constant number of queries each: features as of the scoring date, the calibrated
  probability and the band (``RiskBand``). The model version is stored with every score, and
  scoring again with the same model on the same date updates rather than adds. A pupil whose
  features (and school unit) are the same as in their latest score by the same model is
  not scored again: that score is carried forward to the new date.

  The reasons (for a risk at or above the average, the features that pushed it up most, in
  plain Swedish) are worked out when a page first shows the score, from the exact feature
  values stored with it, and kept on the score (``risk_score_reasons``). They cost many
  times the prediction, and most scores are never opened; worked out later from the same
  numbers by the same model they are the same reasons.

Not scored: the anpassad school forms (they have their own grades and their own normal
end, and the school form stands for a disability, a ground of discrimination), and pupils
below year 7 (no grades yet).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import math
import random
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.earlywarning import features as F
from lotsen.earlywarning.models import (
    ModelVersion,
    RiskBand,
    RiskCapacity,
    RiskScore,
    UnscoredPupil,
)
from lotsen.ingest.upsert import (
    any_of,
    array_param,
    rows_fetched,
    values_insert,
    writers_serialized,
)
from lotsen.people.models import Gender, Person
from lotsen.school.models import Enrolment

if TYPE_CHECKING:
    from lotsen.earlywarning.learning import RiskModel

MODEL_NAME = "Avbrott i gymnasieskolan"

# --- Labels -----------------------------------------------------------------------------

DROPOUT = 1
COMPLETED = 0
# How the end of an upper-secondary enrolment reads as an outcome. Matched without regard
# to case or surrounding spaces; an end reason not listed here (moved away, changed school,
# blank) says nothing about the outcome, so that pupil is not labelled unless they were
# still enrolled at the end of the horizon. A studiebevis or a gymnasieintyg counts as
# completed: the pupil finished the programme, which is what the early warning is about
# (the activity responsibility, which turns on the examen, is another matter). The demo
# writes its end reasons with these words.
END_REASON_DROPPED_OUT = "Avbrott"
END_REASON_EXAMEN = "Gymnasieexamen"
END_REASON_STUDIEBEVIS = "Studiebevis"
END_REASON_GYMNASIEINTYG = "Gymnasieintyg"
OUTCOME_BY_END_REASON: Mapping[str, int] = {
    END_REASON_DROPPED_OUT.casefold(): DROPOUT,
    END_REASON_EXAMEN.casefold(): COMPLETED,
    END_REASON_STUDIEBEVIS.casefold(): COMPLETED,
    END_REASON_GYMNASIEINTYG.casefold(): COMPLETED,
}
LABEL_SCHOOL_TYPES = ("GY",)
SCORED_SCHOOL_TYPES = ("GR", "GY")
DEFAULT_HORIZON_YEARS = 3

# Stages a training row can stand for: (year group, years from the start of upper
# secondary). A row's date is the stage's start plus a drawn day within that school year,
# so the rows cover the whole year, as scoring does.
STAGES: tuple[tuple[int, int], ...] = ((7, -3), (8, -2), (9, -1), (10, 0), (11, 1), (12, 2))
STAGE_DAYS = 300

# Too little history: below these, cross-validated numbers mean little and a model would
# mostly have learnt noise.
MIN_LABELLED = 200
MIN_POSITIVES = 20
# A model that ranks pupils little better than chance would send staff to the wrong pupils
# and teach them to distrust every prompt. Below this cross-validated ROC-AUC nothing is
# stored. (Published early-warning models on grades and attendance reach 0.7–0.85.)
MIN_ROC_AUC = 0.6
DEFAULT_FOLDS = 5
DEFAULT_CASELOAD = 0.2
# Fairness groups smaller than this are reported without their numbers: a few pupils'
# outcomes must not be readable from the model card.
SMALL_GROUP = 10
AUDIT_COLUMN = "kön"

# Pupils per scoring batch: the queries per batch are constant.
SCORE_BATCH_SIZE = 2000
# One scoring batch at a time per model (``writers_serialized``), whoever runs it.
SCORES_TURN = "risk scores"
# LightGBM threads when scoring. Scoring runs as a batch job; the reasons for one score
# (worked out in a web request) are a single row. (Training keeps one thread per model and
# runs folds in parallel instead.)
SCORING_THREADS = 2
SCORE_FIELDS = (
    "school_unit",
    "probability",
    "explanation",
    "features",
    "features_hash",
    "scored_at",
)
REASONS_KEPT = 3

# --- Messages ---------------------------------------------------------------------------

TOO_LITTLE_HISTORY = (
    "För lite utfallshistorik för att träna en modell: {n} elever med känt utfall i "
    "gymnasieskolan (minst {min_n} behövs) och {positives} avbrott (minst {min_positives} "
    "behövs). Ingen modell är bättre än en dålig: de regelbaserade signalerna gäller som "
    "förut."
)
TOO_WEAK = (
    "Modellen blev inte bättre än slumpen och sparas inte: ROC-AUC {roc_auc} i "
    "korsvalidering (minst {minimum} behövs), PR-AUC {pr_auc} mot andelen avbrott "
    "{base_rate}, på {n} elever med känt utfall varav {positives} avbrott. Historiken visar "
    "inget samband mellan det skolan visste och avbrotten."
)
HORIZON_RANGE = "tidshorisonten ska vara 1–6 år, inte {horizon}"
NO_MODEL = "Det finns ingen tränad modell. Träna en först: lotsen signals train"
NO_ACTIVE_MODEL = (
    "Ingen modellversion är aktiverad. Jämför och aktivera en först: lotsen signals activate"
)
MODEL_CHANGED = (
    "Modellversionen {version} stämmer inte med sin kontrollsumma och används inte. "
    "Träna om modellen: lotsen signals train"
)
MODEL_LIBRARIES = (
    "Modellversionen {version} tränades med {trained}, men här finns {installed}. "
    "Träna om modellen: lotsen signals train"
)
TRAIN_SUMMARY = (
    "Modell {name}, version {version}: {n} elever med känt utfall, {positives} avbrott. "
    "ROC-AUC {roc_auc}, PR-AUC {pr_auc}, Brier {brier}. Arbetspunkt: risk från "
    "{threshold} % (precision {precision}, täckning {recall})."
)
SCORE_SUMMARY = (
    "{model}: {pupils} elever bedömda ({created} nya, {updated} uppdaterade, {unchanged} "
    "oförändrade). Hög risk: {high}, förhöjd: {elevated}, låg: {low}. "
    "För lite underlag: {too_little}."
)
UNKNOWN_SCHOOL_UNIT = "Det finns ingen skolenhet med skolenhetskoden {code}."


class TrainingRefused(Exception):
    """Training would not give a model worth using; the message says why, in Swedish."""


class ScoringError(Exception):
    """Scoring cannot run; the message says why, in Swedish."""


# --- Training data ----------------------------------------------------------------------


@dataclass
class TrainingSet:
    requests: list[F.FeatureRequest]
    y: np.ndarray
    genders: list[str]
    stage_counts: dict[int, int]
    cohorts: tuple[int, int] | None  # first and last year upper secondary started


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def outcome_label(
    *,
    start: dt.date,
    end: dt.date | None,
    end_reason: str,
    as_of: dt.date,
    horizon_years: int,
) -> int | None:
    """The label for one upper-secondary career, or None when it is not known on ``as_of``.

    Dropout (1): ended as ``Avbrott`` within the horizon. Not dropout (0): ended with a
    completion, or still enrolled when the horizon ran out. Anything ending after
    ``as_of`` is read as still going on: the training date is a point in time too.
    """
    horizon_end = _add_years(start, horizon_years)
    if horizon_end > as_of:
        return None
    if end is not None and end > as_of:
        end, end_reason = None, ""
    if end is None or end >= horizon_end:
        return COMPLETED
    return OUTCOME_BY_END_REASON.get(end_reason.strip().casefold())


def training_set(*, as_of: dt.date, horizon_years: int, seed: int = 0) -> TrainingSet:
    """One row request and label per pupil with a known outcome (see the module docstring).

    Two queries: the upper-secondary enrolments, and the gender of the labelled pupils for
    the fairness audit.
    """
    careers: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    for person_id, start, end, reason in (
        Enrolment.objects.filter(school_type__in=LABEL_SCHOOL_TYPES, start_date__lte=as_of)
        .order_by("person_id", "start_date", "id")
        .values_list("person_id", "start_date", "end_date", "end_reason")
    ):
        careers[person_id].append((start, end, reason))

    requests: list[F.FeatureRequest] = []
    labels: list[int] = []
    stage_counts: dict[int, int] = defaultdict(int)
    starts: list[int] = []
    # The stage is drawn by the pupil's place in the history, not by their id: the same
    # history loaded into another database (other ids) gives the same rows and model.
    for rank, (person_id, enrolments) in enumerate(careers.items()):
        # A change of school is one career: from the first start to the last enrolment's end.
        start = enrolments[0][0]
        _last_start, end, reason = enrolments[-1]
        label = outcome_label(
            start=start, end=end, end_reason=reason, as_of=as_of, horizon_years=horizon_years
        )
        if label is None:
            continue
        rng = random.Random(f"{seed}:{rank}")
        school_year, years = STAGES[rng.randrange(len(STAGES))]
        anchor = _add_years(start, years) + dt.timedelta(days=rng.randrange(STAGE_DAYS))
        if years >= 0:
            left = end if end is not None and end <= as_of else None
            if anchor >= _add_years(start, horizon_years) or (left is not None and left <= anchor):
                continue
        requests.append(
            F.FeatureRequest(person_id=person_id, as_of=anchor, school_year=school_year)
        )
        labels.append(label)
        stage_counts[school_year] += 1
        starts.append(start.year)

    gender_of = dict(
        Person.objects.filter(
            pk__in=Enrolment.objects.filter(
                school_type__in=LABEL_SCHOOL_TYPES, start_date__lte=as_of
            ).values("person_id")
        ).values_list("pk", "gender")
    )
    with translation.override("sv"):
        names = {value: str(label) for value, label in Gender.choices}
    return TrainingSet(
        requests=requests,
        y=np.asarray(labels, dtype=int),
        genders=[names.get(gender_of.get(r.person_id, ""), "(saknas)") for r in requests],
        stage_counts=dict(sorted(stage_counts.items())),
        cohorts=(min(starts), max(starts)) if starts else None,
    )


# --- Training ---------------------------------------------------------------------------


def version_hash(*, X: np.ndarray, y: np.ndarray, params: Mapping[str, Any]) -> str:
    """12 hex digits of a SHA-256 over the training rows, the labels and every setting."""
    digest = hashlib.sha256()
    digest.update(json.dumps(params, sort_keys=True, default=str).encode())
    # NaN has many bit patterns; one canonical missing value makes the hash stable.
    digest.update(np.nan_to_num(np.asarray(X, dtype=np.float64), nan=-1e300).tobytes())
    digest.update(np.asarray(y, dtype=np.int64).tobytes())
    return digest.hexdigest()[:12]


def _suppressed(groups: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        label: (dict(values) if values["n"] >= SMALL_GROUP else {"n": None, "suppressed": True})
        for label, values in groups.items()
    }


def model_train(
    *,
    as_of: dt.date | None = None,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    caseload: float = DEFAULT_CASELOAD,
    jobs: int = 2,
) -> ModelVersion:
    """Train, evaluate and store a model on the outcome history known on ``as_of``.

    Raises ``TrainingRefused`` with too little history. Training again on the same history
    with the same settings returns the stored version instead of adding a copy.
    """
    from lotsen.earlywarning import learning as pipeline

    as_of = as_of or timezone.localdate()
    if not 1 <= horizon_years <= 6:
        raise TrainingRefused(HORIZON_RANGE.format(horizon=horizon_years))
    started = time.perf_counter()
    data = training_set(as_of=as_of, horizon_years=horizon_years, seed=seed)
    n, positives = len(data.y), int(data.y.sum())
    if n < MIN_LABELLED or positives < MIN_POSITIVES:
        raise TrainingRefused(
            TOO_LITTLE_HISTORY.format(
                n=n,
                min_n=MIN_LABELLED,
                positives=positives,
                min_positives=MIN_POSITIVES,
            )
        )
    rows = F.features_for(requests=data.requests)

    # A feature that says nothing in this history (no attendance recorded years back, say)
    # is left out and named in the model card, as the CSV pipeline does with its columns.
    used: list[int] = []
    ignored: dict[str, str] = {}
    for index, name in enumerate(F.FEATURE_NAMES):
        column = rows.X[:, index]
        known = column[~np.isnan(column)]
        if len(known) == 0:
            ignored[name] = pipeline.IGNORED_EMPTY
        elif np.all(known == known[0]) and len(known) == len(column):
            ignored[name] = pipeline.IGNORED_CONSTANT
        else:
            used.append(index)
    X = rows.X[:, used]
    names = [F.FEATURE_NAMES[i] for i in used]
    dataset = pipeline.Dataset(
        X=X,
        y=data.y,
        features=[pipeline.Feature(name=name, kind=pipeline.NUMERIC) for name in names],
        target="utfall",
        positive="avbrott",
        audit={AUDIT_COLUMN: data.genders},
        excluded=[],
        ignored=ignored,
        decimal_comma=False,
    )
    params = {
        "name": MODEL_NAME,
        "libraries": pipeline.model_version(),
        "lgbm": pipeline.LGBM_PARAMS,
        "logreg_c": pipeline.LOGREG_C,
        "calibration_folds": pipeline.CALIBRATION_FOLDS,
        "features": names,
        "labels": dict(OUTCOME_BY_END_REASON),
        "stages": STAGES,
        "horizon_years": horizon_years,
        "as_of": as_of.isoformat(),
        "folds": folds,
        "seed": seed,
        "caseload": caseload,
    }
    version = version_hash(X=X, y=data.y, params=params)
    existing = ModelVersion.objects.filter(name=MODEL_NAME, version=version).first()
    if existing is not None:
        return existing

    evaluation = pipeline.evaluate(
        dataset=dataset, folds=folds, seed=seed, caseload=caseload, jobs=jobs
    )
    overall = evaluation.overall
    if overall.roc_auc < MIN_ROC_AUC:
        raise TrainingRefused(
            TOO_WEAK.format(
                roc_auc=_decimal(overall.roc_auc),
                minimum=_decimal(MIN_ROC_AUC),
                pr_auc=_decimal(overall.pr_auc),
                base_rate=_decimal(float(data.y.mean())),
                n=n,
                positives=positives,
            )
        )
    fitted = pipeline.model_fit(dataset=dataset, seed=seed)
    fitted.version = version
    metrics = {
        "n": n,
        "positives": positives,
        "base_rate": round(float(data.y.mean()), 4),
        "folds": folds,
        "seed": seed,
        "roc_auc": round(overall.roc_auc, 4),
        "pr_auc": round(overall.pr_auc, 4),
        "brier": round(overall.brier, 4),
        "log_loss": round(overall.log_loss, 4),
        "operating_point": overall.operating_point.as_json(),
        "groups": {AUDIT_COLUMN: _suppressed(evaluation.groups[AUDIT_COLUMN])},
        "by_stage": _by_stage(data=data, p=overall.p),
        "importance": [
            {"feature": name, "label": F.FEATURES_BY_NAME[name].label, "mean_abs": round(v, 4)}
            for name, v in overall.importance
        ],
        "calibration": [
            {"from": low, "predicted": round(mean, 4), "observed": round(rate, 4), "n": count}
            for low, mean, rate, count in pipeline.calibration_bins(y=data.y, p=overall.p)
        ],
        "ignored": ignored,
        "stages": {str(k): v for k, v in data.stage_counts.items()},
        "cohorts": list(data.cohorts) if data.cohorts else None,
        "seconds": round(time.perf_counter() - started, 1),
    }
    buffer = io.BytesIO()
    import joblib

    joblib.dump(fitted, buffer, compress=3)
    blob = buffer.getvalue()
    model_version = ModelVersion(
        name=MODEL_NAME,
        version=version,
        trained_at=timezone.now(),
        trained_as_of=as_of,
        horizon_years=horizon_years,
        n=n,
        positives=positives,
        features=names,
        threshold=overall.operating_point.threshold,
        base_rate=float(data.y.mean()),
        metrics=metrics,
        model_card="",
        libraries=pipeline.model_version(),
        model_blob=blob,
        model_sha256=hashlib.sha256(blob).hexdigest(),
    )
    from lotsen.earlywarning.governance import comparison_compute, gaps_for_groups

    metrics["gaps"] = gaps_for_groups(metrics["groups"])
    model_version.model_card = model_card(model_version)
    model_version.full_clean()
    with transaction.atomic():
        model_version.save()
    # Compared with the version in use on the same rows now, while the out-of-fold risks
    # are at hand: a person activates it later (governance.model_activate).
    model_version.comparison = comparison_compute(
        candidate=model_version, candidate_p=overall.p, X=rows.X, y=data.y, genders=data.genders
    )
    model_version.save(update_fields=["comparison"])
    return model_version


def _by_stage(*, data: TrainingSet, p: np.ndarray) -> dict[str, dict[str, Any]]:
    """Rows, outcomes and ROC-AUC per information stage (the pupil's year when scored)."""
    from sklearn.metrics import roc_auc_score

    stages = np.asarray([request.school_year for request in data.requests])
    result: dict[str, dict[str, Any]] = {}
    for stage in sorted(set(stages.tolist())):
        inside = stages == stage
        y = data.y[inside]
        positives = int(y.sum())
        auc = round(float(roc_auc_score(y, p[inside])), 4) if 0 < positives < len(y) else None
        result[str(stage)] = {"n": int(inside.sum()), "positives": positives, "roc_auc": auc}
    return result


def _decimal(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def model_card(version: ModelVersion) -> str:
    """The model card as plain text (``lotsen signals train --card``), from the same
    sections as the HTML and ODT documents."""
    from lotsen.earlywarning.governance import facts_from_version
    from lotsen.earlywarning.modelcard import MODEL_CARD_TITLE, model_card_sections, sections_text

    return sections_text(MODEL_CARD_TITLE, model_card_sections(facts_from_version(version)))


# --- Scoring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Explained:
    """Per-row results of one scoring batch."""

    probability: np.ndarray
    band: list[str]
    explanations: list[list[dict[str, Any]]]


@dataclass
class ScoringModel:
    """A fitted model ready to score rows in ``features.FEATURES`` order."""

    model: RiskModel
    version: str
    used: list[int]  # indices into features.FEATURE_NAMES, in the model's order
    threshold: float
    base_rate: float

    @classmethod
    def for_names(
        cls,
        *,
        model: RiskModel,
        names: Sequence[str],
        version: str,
        threshold: float,
        base_rate: float,
    ) -> ScoringModel:
        model.blend.booster_.set_params(n_jobs=SCORING_THREADS)
        return cls(
            model=model,
            version=version,
            used=[F.FEATURE_NAMES.index(name) for name in names],
            threshold=threshold,
            base_rate=base_rate,
        )

    def prepare(self, X: np.ndarray) -> np.ndarray:
        """The schema's rows as the model's input matrix."""
        return np.ascontiguousarray(np.asarray(X, dtype=np.float64)[:, self.used])

    def predict(self, X: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Calibrated probability and the model's own band for rows in ``FEATURES`` order.

        The calibrated probability is Platt's map of the blend's score, as
        ``RiskModel.predict_proba`` computes it.
        """
        Xm = self.prepare(X)
        calibrator = self.model.calibrated.calibrated_classifiers_[0].calibrators[0]
        p = calibrator.predict(self.model.blend.decision_function(Xm))
        bands = np.where(
            p >= self.threshold,
            RiskBand.HIGH.value,
            np.where(p >= self.base_rate, RiskBand.ELEVATED.value, RiskBand.LOW.value),
        )
        return p, bands.tolist()

    def explains(self, p: np.ndarray) -> np.ndarray:
        """Per row: whether its risk is explained. Only risks at or above the average are:
        for a low risk there is nothing to explain."""
        return np.asarray(p) >= self.base_rate

    def reasons(self, X: np.ndarray) -> list[list[dict[str, Any]]]:
        """The reasons for each row in ``FEATURES`` order: the features with the largest
        positive parts of the blend's score (``earlywarning.learning`` — the same parts
        ``explain`` ranks), at most ``REASONS_KEPT``, in plain Swedish. Each row's parts
        depend on that row alone, so a row explained alone gets what it got in a batch."""
        Xm = self.prepare(X)
        if not len(Xm):
            return []
        parts, _ = self.model.blend.contributions(Xm)
        order = np.argsort(-parts, axis=1, kind="stable")[:, :REASONS_KEPT]
        names = [F.FEATURE_NAMES[i] for i in self.used]
        explanations: list[list[dict[str, Any]]] = []
        for row, ranked in enumerate(order.tolist()):
            reasons = []
            for j in ranked:
                part = float(parts[row, j])
                if part <= 0:
                    break
                value = float(Xm[row, j])
                known = None if math.isnan(value) else value
                reasons.append(
                    {
                        "feature": names[j],
                        "label": F.FEATURES_BY_NAME[names[j]].label,
                        "value": known,
                        "contribution": round(part, 4),
                        "text": F.reason_text(names[j], known),
                    }
                )
            explanations.append(reasons)
        return explanations

    def score(self, X: np.ndarray) -> Explained:
        """Probability, band and reasons at once, for rows in ``FEATURES`` order (risks
        below the average get no reasons). Scoring runs store the first two and leave the
        reasons to ``risk_score_reasons``; this is for a whole set at hand, as the
        benchmark's and the tests' eager reference."""
        p, bands = self.predict(X)
        explanations: list[list[dict[str, Any]]] = [[] for _ in range(len(p))]
        rows = np.flatnonzero(self.explains(p))
        for row, reasons in zip(rows.tolist(), self.reasons(np.asarray(X)[rows]), strict=True):
            explanations[row] = reasons
        return Explained(probability=p, band=bands, explanations=explanations)


@functools.lru_cache(maxsize=4)
def _unpickle(sha256: str, blob: bytes) -> RiskModel:
    import joblib

    return joblib.load(io.BytesIO(blob))


def model_load(*, version: ModelVersion) -> ScoringModel:
    """The stored model, checked: the bytes must match their checksum (a changed or
    truncated blob is never loaded), and the learning libraries must be the ones it was
    trained with (a pickle from other versions may load and predict differently).

    Unpickling runs code, so the blob is trusted as far as the database is: only
    ``model_train`` writes it, and nothing from outside (an upload, an import) ever does.
    """
    from lotsen.earlywarning import learning as pipeline

    blob = bytes(version.model_blob)
    if hashlib.sha256(blob).hexdigest() != version.model_sha256:
        raise ScoringError(MODEL_CHANGED.format(version=version.version))
    if version.libraries != pipeline.model_version():
        raise ScoringError(
            MODEL_LIBRARIES.format(
                version=version.version,
                trained=version.libraries,
                installed=pipeline.model_version(),
            )
        )
    return ScoringModel.for_names(
        model=_unpickle(version.model_sha256, blob),
        names=version.features,
        version=version.version,
        threshold=version.threshold,
        base_rate=version.base_rate,
    )


@dataclass
class ScoreSummary:
    model: str = ""
    pupils: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bands: dict[str, int] = field(default_factory=lambda: {b.value: 0 for b in RiskBand})
    # Pupils with too little data for a score ("för lite underlag", ``F.enough_data``).
    too_little_data: int = 0


# --- Capacity: how many pupils a school can follow up closely ---------------------------


@dataclass(frozen=True)
class Capacity:
    """Per cent of a school unit's scored pupils marked high, and high or elevated."""

    close_percent: float = float(RiskCapacity.DEFAULT_CLOSE_PERCENT)
    high_percent: float = float(RiskCapacity.DEFAULT_HIGH_PERCENT)


def capacities_for(unit_ids: Sequence[int]) -> dict[int, Capacity]:
    """Each unit's capacity: its own setting, else its organiser's, else the default. Two
    queries for any number of units."""
    parents = dict(
        Organisation.objects.filter(pk__in=list(unit_ids)).values_list("pk", "parent_id")
    )
    settings = {
        c.organisation_id: Capacity(float(c.close_percent), float(c.high_percent))
        for c in RiskCapacity.objects.filter(
            organisation_id__in={*parents, *(p for p in parents.values() if p)}
        )
    }
    return {
        unit_id: settings.get(unit_id) or settings.get(parents.get(unit_id)) or Capacity()
        for unit_id in unit_ids
    }


def _top(p: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray:
    """At most ``k`` of the eligible rows with the highest ``p``. Rows tied at the cut are
    all left out rather than chosen among arbitrarily: equal risks get equal bands."""
    if k <= 0 or not eligible.any():
        return np.zeros(len(p), dtype=bool)
    candidates = np.where(eligible, p, -np.inf)
    if k >= int(eligible.sum()):
        return eligible.copy()
    cut = np.sort(candidates)[::-1][k - 1]
    chosen = candidates >= cut
    if int(chosen.sum()) > k:
        chosen = candidates > cut
    return chosen & eligible


def capacity_bands(
    probabilities: Sequence[float] | np.ndarray, *, capacity: Capacity, floor: float
) -> list[str]:
    """Bands for one school unit's scored pupils, from the capacity the school chose.

    The ``high_percent`` per cent with the highest calibrated risk are "high", the next up
    to ``close_percent`` per cent in all "elevated", the rest "low"; shares are of the
    pupils scored and rounded down, so never more than the school chose are marked. Nobody
    whose risk is below ``floor`` (the model's average) is marked: a school with little
    risk marks fewer. The probability itself is not changed: the band is the school's
    decision about whom to follow up, the probability the model's calibrated estimate.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    n = len(p)
    eligible = p >= floor
    close = _top(p, eligible, math.floor(n * capacity.close_percent / 100))
    high = _top(p, eligible, math.floor(n * capacity.high_percent / 100)) & close
    bands = np.full(n, RiskBand.LOW.value, dtype=object)
    bands[close] = RiskBand.ELEVATED.value
    bands[high] = RiskBand.HIGH.value
    return bands.tolist()


def _capacity_apply(
    *, version: ModelVersion, as_of: dt.date, unit_ids: Sequence[int], summary: ScoreSummary
) -> None:
    """Set the bands of each unit's scores for this model and date from its capacity, over
    all of the unit's pupils scored: one read per unit (one school's scores in memory at a
    time, however large the municipality) and an update only for the bands that move."""
    capacities = capacities_for(unit_ids)
    summary.bands = {b.value: 0 for b in RiskBand}
    for unit_id in unit_ids:
        rows = rows_fetched(
            RiskScore.objects.filter(
                model_version=version, features_as_of=as_of, school_unit_id=unit_id
            )
            .order_by("pk")
            .values_list("pk", "probability", "band")
        )
        if not rows:
            continue
        pks, probabilities, old_bands = zip(*rows, strict=True)
        bands = capacity_bands(probabilities, capacity=capacities[unit_id], floor=version.base_rate)
        moves: dict[str, list[int]] = defaultdict(list)
        for pk, old, new in zip(pks, old_bands, bands, strict=True):
            summary.bands[new] += 1
            if old != new:
                moves[new].append(pk)
        for band, moved in moves.items():
            for first in range(0, len(moved), SCORE_BATCH_SIZE):
                RiskScore.objects.filter(
                    any_of("pk", moved[first : first + SCORE_BATCH_SIZE])
                ).update(band=band)


def _current_pupils(
    *, as_of: dt.date, school_unit: Organisation | None
) -> list[tuple[int, int, int]]:
    """(person, school unit, year group) for each pupil the model scores on ``as_of``: the
    latest current enrolment per person, in a school form and year the model covers."""
    enrolments = (
        Enrolment.objects.filter(
            start_date__lte=as_of,
            school_type__in=SCORED_SCHOOL_TYPES,
            school_unit__kind=OrganisationKind.SCHOOL_UNIT,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=as_of))
        .order_by("person_id", "-start_date", "-id")
    )
    if school_unit is not None:
        enrolments = enrolments.filter(school_unit=school_unit)
    pupils: list[tuple[int, int, int]] = []
    seen: set[int] = set()
    # A handful of (school form, year) pairs among tens of thousands of pupils.
    years: dict[tuple[str, int | None], int | None] = {}
    for person_id, unit_id, school_type, school_year in rows_fetched(
        enrolments.values_list("person_id", "school_unit_id", "school_type", "school_year")
    ):
        if person_id in seen:
            continue
        seen.add(person_id)
        key = (school_type, school_year)
        if key not in years:
            years[key] = F.school_year_index(school_type=school_type, school_year=school_year)
        if years[key] is not None:
            pupils.append((person_id, unit_id, years[key]))
    return pupils


def risk_scores_compute(
    *,
    school_unit: Organisation | None = None,
    as_of: dt.date | None = None,
    model_version: ModelVersion | None = None,
) -> ScoreSummary:
    """Score every current pupil (of one school unit, or all) with the latest model (or the
    one given), as of ``as_of`` (today). Idempotent for the same model and date.

    A system run, like ``signals_compute``: no person reads anything here, so nothing is
    access-logged; each person who later sees a score is logged then.
    """
    from lotsen.earlywarning.governance import active_version
    from lotsen.earlywarning.switch import units_switched_off

    as_of = as_of or timezone.localdate()
    version = model_version or active_version()
    if version is None:
        raise ScoringError(NO_ACTIVE_MODEL if ModelVersion.objects.exists() else NO_MODEL)
    version = ModelVersion.objects.get(pk=version.pk)
    scoring = model_load(version=version)
    summary = ScoreSummary(model=f"{version.name} {version.version}")
    # An organisation that turned the learned model off gets no new scores (the kill switch).
    off = units_switched_off()
    pupils = [
        pupil
        for pupil in _current_pupils(as_of=as_of, school_unit=school_unit)
        if pupil[1] not in off
    ]
    for first in range(0, len(pupils), SCORE_BATCH_SIZE):
        batch = pupils[first : first + SCORE_BATCH_SIZE]
        X = F.features_for_scoring(
            person_ids=[person_id for person_id, _unit, _year in batch],
            school_years=[year for _person, _unit, year in batch],
            as_of=as_of,
        )
        enough = F.enough_data(X)
        _unscored_write(
            batch=[pupil for pupil, ok in zip(batch, enough.tolist(), strict=True) if not ok],
            version=version,
            as_of=as_of,
            summary=summary,
        )
        if not enough.any():
            continue
        scored = [pupil for pupil, ok in zip(batch, enough.tolist(), strict=True) if ok]
        _scores_write(
            batch=scored,
            X=X[enough],
            scoring=scoring,
            version=version,
            as_of=as_of,
            summary=summary,
        )
    _capacity_apply(
        version=version,
        as_of=as_of,
        unit_ids=sorted({unit_id for _p, unit_id, _y in pupils}),
        summary=summary,
    )
    return summary


@transaction.atomic
def _unscored_write(
    *,
    batch: Sequence[tuple[int, int, int]],
    version: ModelVersion,
    as_of: dt.date,
    summary: ScoreSummary,
) -> None:
    """Pupils with too little data: kept as such, and any score this model gave them on
    the same date removed (their data may have been withdrawn or corrected)."""
    if not batch:
        return
    person_ids = [person_id for person_id, _u, _y in batch]
    # Like ``_scores_write``: a second run waits, then finds these rows and adds none.
    writers_serialized(SCORES_TURN, version.pk)
    RiskScore.objects.filter(
        any_of("person_id", person_ids), model_version=version, features_as_of=as_of
    ).delete()
    known = set(
        UnscoredPupil.objects.filter(
            any_of("person_id", person_ids), model_version=version, features_as_of=as_of
        ).values_list("person_id", flat=True)
    )
    now = timezone.now()
    UnscoredPupil.objects.bulk_create(
        [
            UnscoredPupil(
                person_id=person_id,
                model_version=version,
                school_unit_id=unit_id,
                features_as_of=as_of,
                scored_at=now,
            )
            for person_id, unit_id, _y in batch
            if person_id not in known
        ]
    )
    summary.pupils += len(batch)
    summary.too_little_data += len(batch)


def _features_json(row: np.ndarray) -> dict[str, float | None]:
    """Every value the model saw, exactly (a float survives JSON unchanged): the reasons
    are worked out later from these numbers and must be the ones the model saw."""
    return {
        name: (None if math.isnan(value) else value)
        for name, value in zip(F.FEATURE_NAMES, row.tolist(), strict=True)
    }


def _digests(X: np.ndarray) -> list[str]:
    """``features_digest`` of each row of ``X``, with the missing values made canonical
    once for the whole batch."""
    canonical = np.ascontiguousarray(np.nan_to_num(np.asarray(X, dtype=np.float64), nan=-1e300))
    return [hashlib.sha256(row.tobytes()).hexdigest()[:16] for row in canonical]


def features_digest(row: np.ndarray) -> str:
    """16 hex digits of a SHA-256 over one row of features: equal rows, equal digests."""
    # NaN has many bit patterns; one canonical missing value makes the digest stable.
    canonical = np.nan_to_num(np.asarray(row, dtype=np.float64), nan=-1e300)
    return hashlib.sha256(canonical.tobytes()).hexdigest()[:16]


def _latest_scores(
    person_ids: list[int], *, version: ModelVersion, as_of: dt.date
) -> dict[int, tuple[int, int, dt.date, str]]:
    """Per person, (score, school unit, date, features digest) of the latest score this
    model gave them on or before ``as_of``."""
    if connection.vendor == "postgresql":
        # One index probe per pupil for their latest score (an index on the person and
        # the date, read backwards; one score per model and date). Filtered on the list
        # of pupils instead, the planner reads the whole table once a batch is a tenth of
        # it, as every batch of a small municipality is (5 ms against 40 for 2,000 pupils).
        table = connection.ops.quote_name(RiskScore._meta.db_table)
        sql = f"""
            SELECT s.id, s.person_id, s.school_unit_id, s.features_as_of, s.features_hash
            FROM unnest(%s::bigint[]) AS pupil (id)
            CROSS JOIN LATERAL (
                SELECT id, person_id, school_unit_id, features_as_of, features_hash
                FROM {table}
                WHERE person_id = pupil.id AND model_version_id = %s
                    AND features_as_of <= %s
                ORDER BY person_id DESC, model_version_id DESC, features_as_of DESC
                LIMIT 1
            ) AS s
        """  # noqa: S608 (a quoted table name)
        with connection.cursor() as cursor:
            cursor.execute(sql, [array_param(person_ids), version.pk, as_of])
            return {row[1]: (row[0], row[2], row[3], row[4]) for row in cursor.fetchall()}
    latest: dict[int, tuple[int, int, dt.date, str]] = {}
    for pk, person_id, unit_id, day, digest in (
        RiskScore.objects.filter(
            any_of("person_id", person_ids), model_version=version, features_as_of__lte=as_of
        )
        .order_by("person_id", "-features_as_of")
        .values_list("pk", "person_id", "school_unit_id", "features_as_of", "features_hash")
    ):
        latest.setdefault(person_id, (pk, unit_id, day, digest))
    return latest


@transaction.atomic
def _scores_write(
    *,
    batch: Sequence[tuple[int, int, int]],
    X: np.ndarray,
    scoring: ScoringModel,
    version: ModelVersion,
    as_of: dt.date,
    summary: ScoreSummary,
) -> None:
    """Score one batch of pupils with enough data: predict and write only the pupils whose
    features or school unit changed since their latest score by this model.

    A pupil whose latest score (on or before ``as_of``) saw the same features at the same
    school unit keeps it: on the same date nothing is written, on a later date the score is
    carried forward to ``as_of`` (it is what the model says today, and its reasons, if a
    page already worked them out, stay right). Everyone else is predicted; their reasons
    are left to the first page that shows them (``risk_score_reasons``).
    """
    person_ids = [person_id for person_id, _u, _y in batch]
    digests = _digests(X)
    # Another run with the same model (a second worker, the command by hand) waits for
    # this batch and then finds its scores: one lock for the batch, not one per score row.
    writers_serialized(SCORES_TURN, version.pk)
    latest = _latest_scores(person_ids, version=version, as_of=as_of)

    carried: list[int] = []
    changed_rows: list[int] = []
    for index, (person_id, unit_id, _year) in enumerate(batch):
        summary.pupils += 1
        known = latest.get(person_id)
        if known is not None and known[1] == unit_id and known[3] == digests[index]:
            summary.unchanged += 1
            if known[2] != as_of:
                carried.append(known[0])
        else:
            changed_rows.append(index)

    UnscoredPupil.objects.filter(
        any_of("person_id", person_ids), model_version=version, features_as_of=as_of
    ).delete()
    if carried:
        RiskScore.objects.filter(any_of("pk", carried)).update(features_as_of=as_of)
    if not changed_rows:
        return

    p, bands = scoring.predict(X[changed_rows])
    explained = scoring.explains(p).tolist()
    probabilities = [round(value, 6) for value in p.tolist()]
    now = timezone.now()
    new: list[tuple] = []
    changed: list[RiskScore] = []
    for position, index in enumerate(changed_rows):
        person_id, unit_id, _year = batch[index]
        # None: not worked out yet (a page does it); an empty list: nothing to explain.
        explanation = None if explained[position] else []
        features = _features_json(X[index])
        known = latest.get(person_id)
        if known is not None and known[2] == as_of:
            # The band is the capacity's (``_capacity_apply``, after every batch): an
            # existing score keeps its band until then.
            changed.append(
                RiskScore(
                    pk=known[0],
                    school_unit_id=unit_id,
                    probability=probabilities[position],
                    explanation=explanation,
                    features=features,
                    features_hash=digests[index],
                    scored_at=now,
                )
            )
        else:
            # A new score starts with the model's own band.
            new.append(
                (
                    person_id,
                    version.pk,
                    unit_id,
                    probabilities[position],
                    bands[position],
                    explanation,
                    features,
                    digests[index],
                    as_of,
                    now,
                )
            )
    if new:
        _scores_insert(new)
        summary.created += len(new)
    if changed:
        RiskScore.objects.bulk_update(changed, SCORE_FIELDS, batch_size=SCORE_BATCH_SIZE)
        summary.updated += len(changed)


# The columns ``_scores_insert`` writes, in the order of its rows.
INSERT_FIELDS = (
    "person",
    "model_version",
    "school_unit",
    "probability",
    "band",
    "explanation",
    "features",
    "features_hash",
    "features_as_of",
    "scored_at",
)


def _scores_insert(rows: Sequence[tuple]) -> None:
    """New scores written as plain tuples (``values_insert``: COPY on PostgreSQL), without
    a model instance and a compiled statement per score, which cost scoring more than the
    model did."""
    values_insert(model=RiskScore, fields=INSERT_FIELDS, rows=rows)


def risk_score_reasons(*, score: RiskScore) -> list[dict[str, Any]]:
    """The reasons behind a score, worked out the first time a page shows it and kept on
    the score: the same model on the same stored features gives what scoring all at once
    gave (``ScoringModel.score``). A risk below the average has none.

    The caller has already read the score through the door; this reads nothing more about
    the person. A model that can no longer be loaded (changed libraries) gives no reasons
    rather than a broken page; the score itself is shown as stored.
    """
    if score.explanation is not None:
        return score.explanation
    version = ModelVersion.objects.get(pk=score.model_version_id)
    try:
        scoring = model_load(version=version)
    except ScoringError:
        return []
    row = np.asarray(
        [
            [
                math.nan if score.features.get(name) is None else float(score.features[name])
                for name in F.FEATURE_NAMES
            ]
        ],
        dtype=np.float64,
    )
    # The probability again rather than the stored one, which is rounded: whether a risk
    # is explained must be decided on the number scoring decided it on.
    p, _bands = scoring.predict(row)
    reasons = scoring.reasons(row)[0] if scoring.explains(p)[0] else []
    # As the database gives it back, so that a later read compares like with like.
    reasons = json.loads(json.dumps(reasons))
    RiskScore.objects.filter(pk=score.pk).update(explanation=reasons)
    score.explanation = reasons
    return reasons


def train_summary(version: ModelVersion) -> str:
    """One paragraph on a stored model version, for the command line and the demo."""
    metrics = version.metrics
    point = metrics["operating_point"]
    return TRAIN_SUMMARY.format(
        name=version.name,
        version=version.version,
        n=version.n,
        positives=version.positives,
        roc_auc=_decimal(metrics["roc_auc"]),
        pr_auc=_decimal(metrics["pr_auc"]),
        brier=_decimal(metrics["brier"], 3),
        threshold=_decimal(100 * version.threshold, 1),
        precision=_decimal(point["precision"]),
        recall=_decimal(point["recall"]),
    )


def score_summary(summary: ScoreSummary) -> str:
    """One line on a scoring run, for the command line and the demo."""
    return SCORE_SUMMARY.format(
        model=summary.model,
        pupils=summary.pupils,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        high=summary.bands["high"],
        elevated=summary.bands["elevated"],
        low=summary.bands["low"],
        too_little=summary.too_little_data,
    )


def score_command(*, school_unit_code: str | None = None, on: dt.date | None = None):
    """What ``lotsen signals score`` does: find the school unit by its code, score."""
    unit = None
    if school_unit_code:
        unit = Organisation.objects.filter(
            school_unit_code=school_unit_code, kind=OrganisationKind.SCHOOL_UNIT
        ).first()
        if unit is None:
            raise ValidationError(UNKNOWN_SCHOOL_UNIT.format(code=school_unit_code))
    return risk_scores_compute(school_unit=unit, as_of=on)
