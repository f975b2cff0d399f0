"""Levels of assurance: how sure Lotsen is of who logged in (issue 11).

Pure module: no Django. The level of a login is a short name ("loa3", "local_password"),
kept in the session and written on every access-log entry. An OpenID Connect login states
its level in ``acr`` (for example ``http://id.elegnamnden.se/loa/1.0/loa3`` from an e-ID
broker, or Sambi's ``http://id.sambi.se/loa/loa3``); the deployment maps those values to
levels, ranks the levels, and says which data categories need which level (settings
``LOTSEN_ASSURANCE_*``). Asking for a higher level (step-up) builds on ``level_meets``.
"""

from __future__ import annotations

from collections.abc import Mapping

# A password on a local account, and a local account's password with a second factor
# (TOTP, a recovery code or a passkey; lotsen.accounts.mfa), which ranks as level 3.
LOCAL_PASSWORD = "local_password"  # noqa: S105 (a level's name, not a password)
LOCAL_SECOND_FACTOR = "local_mfa"
# A login whose provider stated no level we know: ranks lowest, never guessed upward.
UNSPECIFIED = "unspecified"


def level_for_acr(acr: str | None, *, acr_levels: Mapping[str, str]) -> str:
    """The level an ``acr`` value stands for; ``UNSPECIFIED`` for a missing or unknown one."""
    if not acr:
        return UNSPECIFIED
    return acr_levels.get(acr, UNSPECIFIED)


def level_rank(level: str | None, *, ranks: Mapping[str, int]) -> int:
    """How strong a level is; an unknown or empty level ranks below every known one."""
    return ranks.get(level or "", -1)


def level_meets(level: str | None, required: str | None, *, ranks: Mapping[str, int]) -> bool:
    """Whether a login at ``level`` may reach data that needs ``required`` (None: any)."""
    if not required:
        return True
    return level_rank(level, ranks=ranks) >= level_rank(required, ranks=ranks) >= 0


# What a step-up guards: the keys of ``LOTSEN_ASSURANCE_REQUIRED``. Health-related notes,
# and notes written by social services (whatever their category: a social-services case
# note is sensitive in itself).
HEALTH = "health"
SOCIAL_SERVICES = "social_services"


def level_required(kind: str, *, required: Mapping[str, str]) -> str | None:
    """The level that data of ``kind`` needs, or None when the deployment asks for none."""
    return required.get(kind) or None


def level_reaches(
    level: str | None, kind: str, *, required: Mapping[str, str], ranks: Mapping[str, int]
) -> bool:
    """Whether a login at ``level`` may read and write data of ``kind``; when not, the user
    is asked to step up (never shown an error)."""
    return level_meets(level, level_required(kind, required=required), ranks=ranks)


def acr_values_for(
    required: str, *, acr_levels: Mapping[str, str], ranks: Mapping[str, int]
) -> list[str]:
    """The ``acr`` values to ask an identity provider for so that the login meets
    ``required``: every known value whose level is enough, the weakest enough first (the
    provider picks the first it can do, and a stronger e-ID than needed asks more of the
    user)."""
    enough = [
        (level_rank(level, ranks=ranks), acr)
        for acr, level in acr_levels.items()
        if level_meets(level, required, ranks=ranks)
    ]
    return [acr for _rank, acr in sorted(enough)]
