"""Governing the learned risk model (EU AI Act, Regulation 2024/1689, high-risk under Annex
III point 3): which version is in use, how a new one gets there, and its documents.

- A trained version scores nobody until a person activates it (Art. 14 human oversight).
  Before that it is compared with the version in use on the same outcomes: the new one's
  cross-validated risks (it never saw the row it scores) beside the old one's predictions.
  Activation is refused without a comparison, or with one made against another version
  than the one in use now. Who activated, when and why are kept on the version.
- The model card and the impact-assessment draft are written from the version's facts
  (``modelcard``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from lotsen.accounts.models import User
from lotsen.earlywarning import features as F
from lotsen.earlywarning.fairness import gaps_find, group_metrics
from lotsen.earlywarning.modelcard import CardFacts
from lotsen.earlywarning.models import ModelVersion, RiskScore
from lotsen.earlywarning.switch import organisations_switched_off

NO_COMPARISON = (
    "Versionen {version} har inte jämförts med den som används. Jämför först: "
    "lotsen signals compare {version}"
)
STALE_COMPARISON = (
    "Jämförelsen för {version} gjordes mot {against}, men nu används {active}. Jämför igen: "
    "lotsen signals compare {version}"
)
ALREADY_ACTIVE = "Versionen {version} används redan."
PERSON_REQUIRED = "En person aktiverar en modellversion: ange vem."
NOTE_TOO_LONG = "Motiveringen får vara högst 500 tecken."

STAGE_LABELS = {
    7: "årskurs 7",
    8: "årskurs 8",
    9: "årskurs 9",
    10: "gymnasiet år 1",
    11: "gymnasiet år 2",
    12: "gymnasiet år 3",
}
PRODUCT_USERS = (
    "mentorer, elevhälsa och studie- och yrkesvägledare på elevens skolenhet och hos dess huvudman"
)
PRODUCT_EXCLUDED = [
    "kön (bara i rättvisegranskningen)",
    "födelseland",
    "ålder",
    "skyddade personuppgifter",
    "skolform anpassad skola",
]
PRODUCT_LIMITATIONS = [
    "Elever i anpassad grundskola och anpassad gymnasieskola bedöms inte.",
    "Elever som aldrig började gymnasiet ingår inte i historiken.",
    "Modellen har lärt sig av den här huvudmannens historia; förändras skolan eller "
    "registreringen ändras också träffsäkerheten. Träna om när ny utfallshistorik finns.",
]


class ActivationRefused(Exception):
    """The version may not be activated; the message says why, in Swedish."""


def active_version() -> ModelVersion | None:
    """The version that scores pupils now, or None (only the transparent rules)."""
    return (
        ModelVersion.objects.filter(activated_at__isnull=False, retired_at__isnull=True)
        .defer("model_blob")
        .order_by("-activated_at", "-id")
        .first()
    )


# --- Comparison -------------------------------------------------------------------------------


def _measured(*, y: np.ndarray, p: np.ndarray, threshold: float, genders: list[str]) -> dict:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    from lotsen.earlywarning.fairness import rates
    from lotsen.earlywarning.scoring import SMALL_GROUP

    flagged = p >= threshold
    groups = group_metrics(y=y, p=p, flagged=flagged, groups=genders, resamples=300)
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "pr_auc": round(float(average_precision_score(y, p)), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "threshold": round(float(threshold), 4),
        "flagged": int(flagged.sum()),
        **{key: _round(value) for key, value in rates(y=y, flagged=flagged).items()},
        # Group figures under the privacy floor are hidden, as in the model card.
        "groups": {
            label: (g if g["n"] >= SMALL_GROUP else {"n": None, "suppressed": True})
            for label, g in groups.items()
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def comparison_compute(
    *,
    candidate: ModelVersion,
    candidate_p: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    genders: list[str],
) -> dict[str, Any]:
    """The candidate beside the version in use, on the candidate's rows (rows in
    ``features.FEATURE_NAMES`` order, labels, genders).

    ``candidate_p`` are the candidate's out-of-fold risks. The version in use predicts the
    same rows as it would score them; it may have been trained on some of them, which
    favours it: the comparison leans towards keeping what is in use.
    """
    from lotsen.earlywarning.scoring import ScoringError, model_load

    active = ModelVersion.objects.filter(
        activated_at__isnull=False, retired_at__isnull=True
    ).first()
    result: dict[str, Any] = {
        "computed_at": timezone.now().isoformat(),
        "rows": int(len(y)),
        "positives": int(np.sum(y)),
        "outcomes_known_to": candidate.trained_as_of.isoformat(),
        "against_id": active.pk if active else None,
        "against": active.version if active else None,
        "candidate": _measured(y=y, p=candidate_p, threshold=candidate.threshold, genders=genders),
        "in_use": None,
        "note": "",
    }
    if active is None:
        result["note"] = "Ingen version används: bara de regelbaserade signalerna gäller i dag."
        return result
    try:
        scoring = model_load(version=active)
    except ScoringError as error:
        result["note"] = f"Versionen som används kan inte läsas in: {error}"
        return result
    in_use_p = scoring.model.predict_proba(scoring.prepare(X))
    result["in_use"] = _measured(y=y, p=in_use_p, threshold=active.threshold, genders=genders)
    result["note"] = (
        "Den nya versionens risker är korsvaliderade; versionen som används kan ha tränats "
        "på en del av raderna, vilket gynnar den."
    )
    return result


def comparison_make(candidate: ModelVersion, *, jobs: int = 2) -> dict[str, Any]:
    """Compare ``candidate`` with the version in use now and store the result on it."""
    from lotsen.earlywarning import learning as pipeline
    from lotsen.earlywarning.scoring import training_set

    metrics = candidate.metrics
    data = training_set(
        as_of=candidate.trained_as_of,
        horizon_years=candidate.horizon_years,
        seed=metrics.get("seed", 0),
    )
    X = F.features_for(requests=data.requests).X
    used = [F.FEATURE_NAMES.index(name) for name in candidate.features]
    candidate_p, _parts = pipeline.cross_validate(
        X=X[:, used],
        y=data.y,
        categorical=(),
        folds=metrics.get("folds", 5),
        seed=metrics.get("seed", 0),
        jobs=jobs,
    )
    comparison = comparison_compute(
        candidate=candidate, candidate_p=candidate_p, X=X, y=data.y, genders=data.genders
    )
    candidate.comparison = comparison
    candidate.save(update_fields=["comparison"])
    return comparison


# --- Activation -------------------------------------------------------------------------------


def model_activate(candidate: ModelVersion, *, by: User | None, note: str = "") -> ModelVersion:
    """Make ``candidate`` the version in use; the one before it is retired.

    Refused without a comparison made against the version in use now. Rows are locked on
    PostgreSQL, and SQLite runs one write transaction at a time, so two administrators
    activating at once end with one active version.
    """
    if by is None:
        raise ActivationRefused(PERSON_REQUIRED)
    note = (note or "").strip()
    if len(note) > 500:
        raise ActivationRefused(NOTE_TOO_LONG)
    with transaction.atomic():
        locked = list(
            ModelVersion.objects.select_for_update().filter(pk=candidate.pk).defer("model_blob")
        )
        if not locked:
            raise ModelVersion.DoesNotExist
        candidate = locked[0]
        active = (
            ModelVersion.objects.select_for_update()
            .filter(activated_at__isnull=False, retired_at__isnull=True)
            .defer("model_blob")
            .first()
        )
        if active is not None and active.pk == candidate.pk:
            raise ActivationRefused(ALREADY_ACTIVE.format(version=candidate.version))
        comparison = candidate.comparison or {}
        if not comparison:
            raise ActivationRefused(NO_COMPARISON.format(version=candidate.version))
        if comparison.get("against_id") != (active.pk if active else None):
            raise ActivationRefused(
                STALE_COMPARISON.format(
                    version=candidate.version,
                    against=comparison.get("against") or "ingen version",
                    active=active.version if active else "ingen version",
                )
            )
        now = timezone.now()
        if active is not None:
            active.retired_at = now
            active.save(update_fields=["retired_at"])
        candidate.activated_at = now
        candidate.activated_by = by
        candidate.activation_note = note
        candidate.retired_at = None
        candidate.save(
            update_fields=["activated_at", "activated_by", "activation_note", "retired_at"]
        )
    return candidate


# --- Documents ------------------------------------------------------------------------------


def _schedule_text() -> str:
    entry = getattr(settings, "CELERY_BEAT_SCHEDULE", {}).get("signals.compute")
    schedule = entry.get("schedule") if entry else None
    hours = sorted(getattr(schedule, "hour", []) or [])
    minutes = sorted(getattr(schedule, "minute", []) or [])
    if len(hours) == 1 and len(minutes) == 1:
        return (
            f"Varje natt kl. {hours[0]:02d}.{minutes[0]:02d} (standardschemat, kan ändras per "
            "installation) räknas signalerna om och därefter alla bedömningar, och dessutom "
            "efter varje import av skoluppgifter."
        )
    return "Bedömningarna räknas om enligt installationens schema och efter varje import."


def deployment_facts(version: ModelVersion) -> dict[str, Any]:
    """Where and how much the version is used: aggregated counts only, never a person."""
    scored = RiskScore.objects.filter(model_version=version).aggregate(
        pupils=Count("person", distinct=True), units=Count("school_unit", distinct=True)
    )
    by_band = dict(
        RiskScore.objects.filter(model_version=version)
        .values_list("band")
        .annotate(n=Count("id"))
        .values_list("band", "n")
    )
    if scored["pupils"]:
        affected = (
            f"Versionen har bedömt {scored['pupils']} elever på {scored['units']} skolenheter "
            f"(hög risk {by_band.get('high', 0)}, förhöjd {by_band.get('elevated', 0)}, låg "
            f"{by_band.get('low', 0)} bedömningar)."
        )
    else:
        affected = (
            "Versionen har inte bedömt några elever ännu. Den bedömer elever från årskurs 7 "
            "till år 3 i gymnasiet i grundskola och gymnasieskola."
        )
    facts: dict[str, Any] = {"frequency": _schedule_text(), "affected": affected}
    comparison = version.comparison or {}
    if comparison.get("against"):
        facts["previous"] = f"versionen {comparison['against']}"
    if version.activated_at:
        facts["activated"] = f"{timezone.localtime(version.activated_at):%Y-%m-%d}" + (
            f" av {version.activated_by.get_full_name() or version.activated_by.username}"
            if version.activated_by
            else ""
        )
        off = len(organisations_switched_off())
        facts["oversight"] = (
            f"Versionen aktiverades {facts['activated']}"
            + (
                f" efter jämförelse med {comparison['against']}"
                if comparison.get("against")
                else ""
            )
            + (f" ({version.activation_note})" if version.activation_note else "")
            + f". {off} organisationer har i dag stängt av den inlärda modellen."
        )
    return facts


def facts_from_version(version: ModelVersion) -> CardFacts:
    m = version.metrics
    cohorts = m.get("cohorts")
    period = (
        f"Elever som började gymnasiet {cohorts[0]}–{cohorts[1]}, utfall kända till och med "
        f"{version.trained_as_of:%Y-%m-%d}."
        if cohorts
        else f"Utfall kända till och med {version.trained_as_of:%Y-%m-%d}."
    )
    stages = [
        (
            STAGE_LABELS.get(int(stage), f"steg {stage}"),
            values["n"],
            values["positives"],
            values.get("roc_auc"),
        )
        for stage, values in sorted(m.get("by_stage", {}).items(), key=lambda kv: int(kv[0]))
    ]
    labels = {name: F.FEATURES_BY_NAME[name].label for name in F.FEATURE_NAMES}
    return CardFacts(
        name=version.name,
        version=version.version,
        trained=f"{timezone.localtime(version.trained_at):%Y-%m-%d}",
        libraries=version.libraries,
        predicts=(
            f"sannolikheten att en elev avbryter gymnasieskolan inom {version.horizon_years} "
            "år från gymnasiestarten, utifrån det skolan visste på bedömningsdagen"
        ),
        n=version.n,
        positives=version.positives,
        base_rate=version.base_rate,
        period=period,
        features=[labels.get(name, name) for name in version.features],
        ignored={labels.get(name, name): reason for name, reason in m.get("ignored", {}).items()},
        excluded=PRODUCT_EXCLUDED,
        folds=m.get("folds", 0),
        seed=m.get("seed", 0),
        roc_auc=m.get("roc_auc", 0.0),
        pr_auc=m.get("pr_auc", 0.0),
        brier=m.get("brier", 0.0),
        operating_point=m.get("operating_point", {}),
        stages=stages,
        calibration=m.get("calibration", []),
        groups=m.get("groups", {}),
        gaps=m.get("gaps", {}),
        users=PRODUCT_USERS,
        limitations=PRODUCT_LIMITATIONS,
        deployment=deployment_facts(version) if version.pk else {},
    )


def facts_from_evaluation(evaluation, *, source: str) -> CardFacts:
    """Facts of a CSV evaluation (``lotsen signals evaluate``): a method checked on a file."""
    from lotsen.earlywarning.learning import MODEL_NAME, calibration_bins, model_version

    data = evaluation.as_json()
    dataset = evaluation.dataset
    y = dataset.y
    stages = [
        (stage.name, int(len(y)), int(y.sum()), round(stage.roc_auc, 4))
        for stage in evaluation.stages
    ]
    return CardFacts(
        name=MODEL_NAME,
        version=f"utvärdering, frö {evaluation.seed}",
        trained=dt.date.today().isoformat(),
        libraries=model_version(),
        predicts=f"sannolikheten att {dataset.target} blir {dataset.positive}",
        n=data["n"],
        positives=data["positives"],
        base_rate=data["base_rate"],
        period=f"Filen {source}.",
        features=list(data["features"]),
        ignored=dict(data["ignored"]),
        excluded=list(data["excluded"])
        + [f"{c} (bara i rättvisegranskningen)" for c in data["audit"]],
        folds=evaluation.folds,
        seed=evaluation.seed,
        roc_auc=data["roc_auc"],
        pr_auc=data["pr_auc"],
        brier=data["brier"],
        operating_point=data["operating_point"],
        stages=stages,
        calibration=[
            {"from": low, "predicted": mean, "observed": rate, "n": count}
            for low, mean, rate, count in calibration_bins(y=y, p=evaluation.overall.p)
        ],
        groups=evaluation.groups,
        gaps=evaluation.gaps,
        users="de som prövar metoden på en egen fil",
        limitations=[
            "Utvärderad med korsvalidering på en fil; en modell i drift ska också prövas på "
            "senare utfall än dem den tränades på."
        ],
    )


def gaps_for_groups(groups: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[dict]]:
    """Gaps per audit column, over the measurable groups only."""
    return {
        column: gaps_find({label: g for label, g in by_value.items() if not g.get("suppressed")})
        for column, by_value in groups.items()
    }


def comparison_summary(comparison: dict[str, Any], *, version: ModelVersion) -> str:
    """The comparison in a few lines for the command line."""
    if not comparison:
        return f"Versionen {version.version} är inte jämförd."

    def line(name: str, m: dict[str, Any]) -> str:
        return (
            f"  {name}: ROC-AUC {m['roc_auc']:.3f}, PR-AUC {m['pr_auc']:.3f}, Brier "
            f"{m['brier']:.3f}, flaggade {m['flagged']}, precision {_pct(m['precision'])}, "
            f"täckning {_pct(m['recall'])}"
        )

    lines = [
        f"Jämförelse på {comparison['rows']} elever med känt utfall "
        f"({comparison['positives']} avbrott):",
        line(f"ny version {version.version}", comparison["candidate"]),
    ]
    if comparison.get("in_use"):
        lines.append(line(f"används nu {comparison['against']}", comparison["in_use"]))
    if comparison.get("note"):
        lines.append(comparison["note"])
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(100 * value)} %"


# --- Calibration, read in plain Swedish ----------------------------------------------------

# A risk bin with fewer rows than this says little about how well the risk matches: it is
# shown with its count but left out of the reading.
CALIBRATION_MIN_ROWS = 20
# Within this many percentage points the model is said to hit the level.
CALIBRATION_CLOSE_POINTS = 3


def calibration_view(version: ModelVersion) -> dict[str, Any]:
    """The version's reliability table (predicted vs observed per risk bin, with counts,
    from its cross-validated risks) and a short reading of it in plain Swedish."""
    bins = version.metrics.get("calibration") or []
    rows = [
        {
            "low": b["from"],
            "high": min(1.0, b["from"] + 0.1),
            "predicted": b["predicted"],
            "observed": b["observed"],
            "n": b["n"],
            "few": b["n"] < CALIBRATION_MIN_ROWS,
        }
        for b in bins
    ]
    return {"rows": rows, "reading": calibration_reading(rows)}


def calibration_reading(rows: list[dict[str, Any]]) -> list[str]:
    """A few sentences: how to read the table, whether the model over- or underestimates on
    the whole, and where it misses most. Bins with few rows are not read."""
    if not rows:
        return ["Versionen har ingen mätning av hur väl risken stämmer."]
    sentences = [
        "Tabellen visar om risken stämmer. Ta en rad: om modellen sa 30 % och ungefär 30 av "
        "100 elever sedan hoppade av, så stämmer risken där."
    ]
    measured = [row for row in rows if not row["few"]]
    if not measured:
        sentences.append(
            f"Alla grupper har färre än {CALIBRATION_MIN_ROWS} elever. Det går inte att säga "
            "om risken stämmer."
        )
        return sentences
    total = sum(row["n"] for row in measured)
    # Weighted by rows: the average risk said against the share that dropped out.
    said = sum(row["predicted"] * row["n"] for row in measured) / total
    came = sum(row["observed"] * row["n"] for row in measured) / total
    points = round(100 * (said - came))
    if abs(points) < CALIBRATION_CLOSE_POINTS:
        sentences.append(
            f"I snitt sa modellen {_pct(said)} och {_pct(came)} hoppade av. Det stämmer bra."
        )
    elif points > 0:
        sentences.append(
            f"I snitt sa modellen {_pct(said)} men bara {_pct(came)} hoppade av. Modellen tror "
            f"alltså på för hög risk, med {points} procentenheter."
        )
    else:
        sentences.append(
            f"I snitt sa modellen {_pct(said)} men {_pct(came)} hoppade av. Modellen tror "
            f"alltså på för låg risk, med {-points} procentenheter."
        )
    worst = max(measured, key=lambda row: abs(row["predicted"] - row["observed"]))
    sentences.append(
        f"Störst skillnad bland elever med risk {_pct(worst['low'])}–{_pct(worst['high'])}: "
        f"modellen sa {_pct(worst['predicted'])}, {_pct(worst['observed'])} hoppade av "
        f"({worst['n']} elever)."
    )
    few = len(rows) - len(measured)
    if few:
        groups = "En grupp" if few == 1 else f"{few} grupper"
        sentences.append(f"{groups} har färre än {CALIBRATION_MIN_ROWS} elever och läses inte här.")
    return sentences


# --- Human oversight: what staff made of the scores -----------------------------------------

# Below this many reviews at a school the share is not shown: a few people's views would be
# readable, and the share would mean little.
DISAGREEMENT_MIN_REVIEWS = 5
REASON_REQUIRED = "Skriv varför du inte håller med, så att modellens ägare kan lära av det."


class ReviewRefused(ValueError):
    pass


def score_review_record(*, user: User, score: RiskScore, verdict: str, reason: str = ""):
    """Record what a member of staff made of a score they were shown (the caller found the
    score through ``risk_scores_visible_to``)."""
    from lotsen.earlywarning.models import ScoreReview, ScoreVerdict

    reason = (reason or "").strip()[:500]
    if verdict not in ScoreVerdict.values:
        raise ReviewRefused(REASON_REQUIRED)
    if verdict != ScoreVerdict.AGREE and not reason:
        raise ReviewRefused(REASON_REQUIRED)
    return ScoreReview.objects.create(score=score, user=user, verdict=verdict, reason=reason)


def disagreement_by_school(version: ModelVersion) -> list[dict[str, Any]]:
    """Per school unit: reviews of this version's scores (each person's latest per score)
    and the share that disagreed, highest first. Counts only; a school with few reviews
    gets no share."""
    from lotsen.earlywarning.models import ScoreReview, ScoreVerdict

    latest: dict[tuple[int, int | None], tuple[str, str]] = {}
    for score_id, user_id, verdict, unit in (
        ScoreReview.objects.filter(score__model_version=version)
        .order_by("at", "id")
        .values_list("score_id", "user_id", "verdict", "score__school_unit__name")
    ):
        latest[(score_id, user_id)] = (verdict, unit)
    per_unit: dict[str, list[int]] = {}
    for verdict, unit in latest.values():
        counts = per_unit.setdefault(unit, [0, 0])
        counts[0] += 1
        counts[1] += verdict != ScoreVerdict.AGREE
    rows = []
    for unit, (reviews, disagree) in per_unit.items():
        shown = reviews >= DISAGREEMENT_MIN_REVIEWS
        rows.append(
            {
                "school_unit": unit,
                "reviews": reviews,
                "share": round(disagree / reviews, 3) if shown else None,
            }
        )
    return sorted(rows, key=lambda row: (row["share"] is None, -(row["share"] or 0)))


# --- The young person's side: what the model said, and "this is wrong" -----------------------

OBJECTION_REQUIRED = "Skriv vad som inte stämmer."
OBJECTION_TOO_LONG = "Skriv högst 1000 tecken."
ANSWER_REQUIRED = "Skriv ett svar till eleven."
ANSWER_TOO_LONG = "Skriv högst 2000 tecken."


class ObjectionRefused(ValueError):
    pass


def own_latest_score(person_id: int) -> RiskScore | None:
    """The latest score about this person that their school sees (none where the school's
    organisation turned the model off). For the person themselves only: the caller is
    the young person's own page, which logs the read."""
    from lotsen.earlywarning.switch import units_switched_off

    scores = RiskScore.objects.filter(person_id=person_id)
    off = units_switched_off()
    if off:
        scores = scores.exclude(school_unit_id__in=off)
    return (
        scores.select_related("model_version")
        .defer("model_version__model_blob", "model_version__metrics")
        .order_by("-features_as_of", "-model_version__trained_at", "-id")
        .first()
    )


def objection_record(*, person_id: int, text: str):
    """The young person's "this is wrong" about their latest score."""
    from lotsen.earlywarning.models import ScoreObjection

    text = (text or "").strip()
    if not text:
        raise ObjectionRefused(OBJECTION_REQUIRED)
    if len(text) > 1000:
        raise ObjectionRefused(OBJECTION_TOO_LONG)
    score = own_latest_score(person_id)
    if score is None:
        raise ObjectionRefused(OBJECTION_REQUIRED)
    return ScoreObjection.objects.create(score=score, text=text)


def objection_answer(*, user: User, objection, text: str):
    """Staff answer an objection (the caller found it through a score they may see)."""
    text = (text or "").strip()
    if not text:
        raise ObjectionRefused(ANSWER_REQUIRED)
    if len(text) > 2000:
        raise ObjectionRefused(ANSWER_TOO_LONG)
    objection.answer = text
    objection.answered_by = user
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    return objection
