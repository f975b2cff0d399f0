"""Role sets that several apps decide on, kept beside ``Role`` so each set exists once."""

from __future__ import annotations

from lotsen.accounts.models import Role

# Roles that work in cases: those who meet young people. Project leaders and evaluators
# follow programmes, never cases. Support (``CasePolicy``), the pages that show case work
# and privacy's emergency access (the same people meet young people in a crisis) all
# decide on this one set.
CASE_ROLES: frozenset[str] = frozenset(
    {Role.KAA_COORDINATOR, Role.MENTOR, Role.STUDENT_HEALTH, Role.COUNSELLOR, Role.CASE_WORKER}
)
