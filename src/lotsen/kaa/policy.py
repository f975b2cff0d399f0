"""KAA's legal bases, registered with the privacy door at start-up (``KaaConfig.ready``).

Both serve purpose "kaa" and cover identity and KAA data only, for the KAA coordinator of
a municipality (the policy asks a basis only for an actor whose role reaches persons for
its purpose):

- the home municipality reaches the young people registered there, for the activity
  responsibility (skollagen 29 kap. 9 §);
- the municipality's own KAA register (a ``CohortMembership`` there, current or past) is
  kept under skollagen 29 kap. 9 § and förordning (2006:39) and outlives a move until its
  retention time is over (``kaa.retention``), so that the municipality can report the
  half-year in which someone moved away and answer for the work it did.

Both are here, and not in ``kaa.selectors``, so that every page agrees: the person page,
the person search and the KAA pages all ask ``PersonPolicy`` the same question.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind
from lotsen.kaa.models import CohortMembership
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import LegalBasis, nothing, person_in

KAA_CATEGORIES = frozenset({Category.IDENTITY, Category.KAA})


def actor_municipality_code(actor: Actor) -> str:
    """The code of the municipality the actor works for, or "" for any other organisation
    (and for a municipality without a code, which reaches nobody)."""
    org = actor.organisation
    if org is None or org.kind != OrganisationKind.MUNICIPALITY:
        return ""
    return org.municipality_code or ""


def home_municipality_q(actor: Actor, today: dt.date) -> Q:
    """Persons whose home municipality is the actor's municipality. Registration has no
    dates here, so ``today`` does not narrow it."""
    code = actor_municipality_code(actor)
    if not code:
        return nothing()
    return Q(home_municipality_code=code)


def register_q(actor: Actor, today: dt.date) -> Q:
    """Persons in the actor's municipality's KAA register, whether they are in the cohort
    today or were earlier: the register is kept until retention removes the membership (an
    anonymised membership names no person, and so grants nobody)."""
    code = actor_municipality_code(actor)
    if not code:
        return nothing()
    members = CohortMembership.objects.filter(municipality_code=code, person__isnull=False)
    return person_in(members)


HOME_MUNICIPALITY = LegalBasis(
    name="kaa.home_municipality",
    purpose=Purpose.KAA,
    categories=KAA_CATEGORIES,
    persons_q=home_municipality_q,
)

REGISTER = LegalBasis(
    name="kaa.register",
    purpose=Purpose.KAA,
    categories=KAA_CATEGORIES,
    persons_q=register_q,
    # The register outlives a move away: the municipality keeps its record of the young
    # person, not where they live now nor how to reach them there.
    contact_details=False,
)

BASES = (HOME_MUNICIPALITY, REGISTER)
