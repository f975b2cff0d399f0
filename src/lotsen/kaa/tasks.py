"""KAA's background jobs: population imports, the nightly cohort refresh and retention."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lotsen.jobs.runs import RunContext, job


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@job("kaa.population_import")
def population_import_job(run: RunContext, path: str, today: str | None = None) -> dict[str, int]:
    """A population register extract (one transaction, with the cohort refresh it calls
    for): run again after a killed worker, it leaves the same register."""
    from lotsen.kaa.imports import population_import

    with Path(path).open("rb") as handle:
        result = population_import(file=handle, today=_date(today))
    return {"rows": result.rows, "rejected": len(result.errors), **result.counts}


@job("kaa.cohort_refresh")
def cohort_refresh_job(run: RunContext, today: str | None = None) -> dict[str, int]:
    """Every municipality's cohort, recomputed from the register (nightly)."""
    from lotsen.kaa.services import kaa_cohort_refresh_all

    results = kaa_cohort_refresh_all(today=_date(today))
    return {
        "municipalities": len(results),
        "members": sum(r.members_today for r in results),
        "created": sum(r.created for r in results),
        "updated": sum(r.updated for r in results),
        "deleted": sum(r.deleted for r in results),
    }


@job("kaa.retention")
def retention_job(run: RunContext, today: str | None = None) -> dict[str, int]:
    """KAA records whose retention time is over, deleted or anonymised (nightly)."""
    from lotsen.kaa.retention import kaa_retention_run

    return dict(kaa_retention_run(today=_date(today)).counts)
