"""The kill switch: an organisation turns the learned model off for itself and every school
unit under it, and the transparent rules go on alone (EU AI Act Art. 14(4)(e): the deployer
can stop the system).

The latest change per organisation decides; nothing is deleted, so the history of who
turned it off or on and why stays readable.
"""

from __future__ import annotations

from django.db import transaction

from lotsen.accounts.models import Organisation, User
from lotsen.earlywarning.models import LearnedModelSwitch

REASON_REQUIRED = "Skriv varför modellen stängs av eller slås på."
REASON_TOO_LONG = "Skälet får vara högst 500 tecken."


class SwitchRefused(ValueError):
    pass


def organisations_switched_off() -> set[int]:
    """Organisations whose latest switch says off (not yet spread to units under them)."""
    latest: dict[int, bool] = {}
    for organisation_id, on in LearnedModelSwitch.objects.order_by(
        "organisation_id", "changed_at", "id"
    ).values_list("organisation_id", "learned_model_on"):
        latest[organisation_id] = on
    return {organisation_id for organisation_id, on in latest.items() if not on}


def units_switched_off() -> set[int]:
    """Every organisation that is off itself or lies under one that is off. Two queries."""
    off = organisations_switched_off()
    if not off:
        return set()
    parent_of = dict(Organisation.objects.values_list("pk", "parent_id"))
    result = set()
    for organisation_id in parent_of:
        seen: set[int] = set()
        current: int | None = organisation_id
        while current is not None and current not in seen:
            if current in off:
                result.add(organisation_id)
                break
            seen.add(current)
            current = parent_of.get(current)
    return result


def learned_model_on_for(organisation: Organisation) -> bool:
    return organisation.pk not in units_switched_off()


@transaction.atomic
def switch_set(
    *, organisation: Organisation, on: bool, reason: str, by: User | None
) -> LearnedModelSwitch:
    reason = (reason or "").strip()
    if not reason:
        raise SwitchRefused(REASON_REQUIRED)
    if len(reason) > 500:
        raise SwitchRefused(REASON_TOO_LONG)
    return LearnedModelSwitch.objects.create(
        organisation=organisation, learned_model_on=on, reason=reason, changed_by=by
    )
