"""What kaa tells other apps, as Django signals sent from ``kaa.services``.

(Not ``kaa/signals.py``: ``lotsen.earlywarning`` is the early-warning app.)

kaa knows no other app. An app that acts on these connects a receiver in its own
``AppConfig.ready()``; kaa works the same with nobody connected.

``plan_needs_more_actors``: a coordinator saved a plan marked "more actors needed"
(coordinated support) that has no case yet. Sent inside the plan's transaction with
``actor``, ``person`` and ``plan``; a receiver that opens (or finds) a case answers with the
case's reference, which kaa stores in ``Plan.support_case_ref``. A receiver that raises
rolls the plan back with it.
"""

from __future__ import annotations

from django.dispatch import Signal

plan_needs_more_actors = Signal()


def case_ref_from(responses: list[tuple[object, object]]) -> str:
    """The first case reference a receiver answered with, or "" when none did."""
    return next((str(answer) for _receiver, answer in responses if answer), "")
