"""Early warning's background jobs: the rules, then the model's scores."""

from __future__ import annotations

import datetime as dt

from lotsen.jobs.models import JobTrigger
from lotsen.jobs.runs import RunContext, job, job_start


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@job("signals.compute")
def compute_job(
    run: RunContext, school_unit: str | None = None, on: str | None = None
) -> dict[str, int]:
    """The rule-based signals for every current pupil (or one school unit's); then the
    scores, which read the same school data, as a job of their own."""
    from lotsen.earlywarning.services import compute_command

    summary = compute_command(school_unit_code=school_unit, on=_date(on))
    job_start(
        "signals.score",
        params={key: value for key, value in (("school_unit", school_unit), ("on", on)) if value},
        trigger=JobTrigger.SYSTEM,
    )
    return {
        "pupils": summary.pupils,
        "raised": summary.raised,
        "updated": summary.updated,
        "cleared": summary.cleared,
        "unchanged": summary.unchanged,
    }


@job("signals.score")
def score_job(
    run: RunContext, school_unit: str | None = None, on: str | None = None
) -> dict[str, int]:
    """The learned model's score for every current pupil. With no model trained yet there
    is nothing to score: that is a count, not a failure to retry."""
    from lotsen.earlywarning.scoring import (
        NO_ACTIVE_MODEL,
        NO_MODEL,
        ScoringError,
        score_command,
    )

    try:
        summary = score_command(school_unit_code=school_unit, on=_date(on))
    except ScoringError as error:
        # No model trained, or none activated by a person yet: the rules go on alone.
        if str(error) in (NO_MODEL, NO_ACTIVE_MODEL):
            return {"pupils": 0, "no_model": 1}
        raise
    return {
        "pupils": summary.pupils,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "too_little_data": summary.too_little_data,
        **{f"band_{band}": count for band, count in summary.bands.items()},
    }


@job("signals.compare")
def compare_job(run: RunContext, version: str) -> dict[str, int]:
    """Compare a trained version with the one in use now (``governance.comparison_make``):
    a cross-validation, too long for a web request."""
    from lotsen.earlywarning.governance import comparison_make
    from lotsen.earlywarning.models import ModelVersion

    candidate = ModelVersion.objects.defer("model_blob").get(version=version)
    comparison = comparison_make(candidate)
    return {"rows": comparison["rows"], "positives": comparison["positives"]}
