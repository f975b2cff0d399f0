"""Accounts' scheduled jobs."""

from __future__ import annotations

from lotsen.accounts.invitations import user_invitations_retention
from lotsen.jobs.runs import RunContext, job


@job("accounts.invitations_retention")
def invitations_retention_job(run: RunContext) -> dict[str, int]:
    """Invitations by e-mail past their time are deleted nightly; the trail stays."""
    return {"deleted": user_invitations_retention()}
