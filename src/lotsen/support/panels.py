"""Panels that other rooms put on the case page, registered at start-up.

The case page shows the young person's own voice next to the case (their WHO-5 check-ins,
what they want the team to know), but those are youth's records and support does not
import youth. So the top floor, which composes the rooms, registers a reader per panel
here in its ``AppConfig.ready()``, and the case page asks for every registered panel.

A reader is called as ``read(actor=..., case=...)`` and must go through the policy and
the door itself: what it returns is put in the page's context under the panel's name as
it is, so it answers for what the actor may see (``None`` or an empty list when nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lotsen.accounts.actor import Actor
from lotsen.support.models import Case

CasePanelReader = Callable[..., Any]

PANEL_ALREADY_REGISTERED = "Panelen {name} på ärendesidan är redan registrerad med en annan läsare."

# Name -> reader. Keyed by name so that a ready() run twice (the test runner may)
# registers the same reader once, and a second app cannot take over a name by accident.
_PANELS: dict[str, CasePanelReader] = {}


def register_case_panel(name: str, read: CasePanelReader) -> None:
    """Register ``read`` as the case page's panel ``name``; called from ``ready()``."""
    existing = _PANELS.get(name)
    if existing is not None and existing is not read:
        raise ValueError(PANEL_ALREADY_REGISTERED.format(name=name))
    _PANELS[name] = read


def registered_case_panels() -> tuple[str, ...]:
    return tuple(_PANELS)


def case_panels_for(*, actor: Actor, case: Case) -> dict[str, Any]:
    """Every registered panel for this case as this actor may see it, by name, in the
    order they were registered."""
    return {name: read(actor=actor, case=case) for name, read in _PANELS.items()}
