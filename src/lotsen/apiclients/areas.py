"""The API's areas and the scopes a machine client may be given in them.

Pure module: no Django. Scopes are per area, ``<area>:read`` and, where the API has
writes, ``<area>:write``. Which area a view belongs to is said once, here, by the route
basename DRF's router gives its viewset; a view of no known area is closed to clients
(tests/api/test_clients.py checks that every API view is named).
"""

from __future__ import annotations

from dataclasses import dataclass

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class ApiArea:
    name: str
    title: str
    # The route basenames of the area's viewsets.
    basenames: tuple[str, ...]
    # The URL name of the area's list, for the API root.
    url_name: str
    writes: bool
    # Actions answered to POST that only read (a search with the query in the body, so
    # that a personnummer never stands in a URL).
    read_actions: tuple[str, ...] = ()


AREAS: tuple[ApiArea, ...] = (
    ApiArea("persons", "Personer", ("person",), "person-list", False, ("search",)),
    ApiArea("cases", "Ärenden, planer och kontakter", ("case",), "case-list", True),
    ApiArea("referrals", "Remisser", ("referral",), "referral-list", True),
    ApiArea(
        "kaa", "Anmälningar till aktivitetsansvaret (KAA)", ("notice",), "kaa:notice-list", True
    ),
)
AREA_BY_BASENAME = {basename: area for area in AREAS for basename in area.basenames}


def _scopes() -> dict[str, str]:
    scopes = {}
    for area in AREAS:
        scopes[f"{area.name}:read"] = f"Läsa: {area.title}"
        if area.writes:
            scopes[f"{area.name}:write"] = f"Skriva: {area.title}"
    return scopes


SCOPES: dict[str, str] = _scopes()


def scope_required(*, basename: str | None, action: str | None, method: str) -> str | None:
    """The scope a request needs, or None for a view of no known area (closed to clients)."""
    area = AREA_BY_BASENAME.get(basename or "")
    if area is None:
        return None
    reads = method.upper() in SAFE_METHODS or (action or "") in area.read_actions
    return f"{area.name}:{'read' if reads else 'write'}"
