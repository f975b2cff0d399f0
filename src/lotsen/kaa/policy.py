"""KAA's legal basis, registered with the privacy door at start-up (``KaaConfig.ready``).

The home municipality reaches the young people registered there for the activity
responsibility (skollagen 29 kap. 9 §), for purpose "kaa": identity and KAA data only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import LegalBasis, nothing


def home_municipality_q(actor: Actor, today: dt.date) -> Q:
    """Persons whose home municipality is the actor's municipality. Registration has no
    dates here, so ``today`` does not narrow it."""
    org = actor.organisation
    if org is None or org.kind != OrganisationKind.MUNICIPALITY:
        return nothing()
    return Q(home_municipality_code=org.municipality_code)


HOME_MUNICIPALITY = LegalBasis(
    name="kaa.home_municipality",
    purpose=Purpose.KAA,
    categories=frozenset({Category.IDENTITY, Category.KAA}),
    persons_q=home_municipality_q,
)
