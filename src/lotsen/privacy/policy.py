"""The access policy: the one door to personal data.

``PersonPolicy`` answers both questions with the same logic, so a list and a detail page
can never disagree: ``persons()`` is the queryset of persons an actor may see for a
purpose and data category, and ``may_view()`` asks whether one person is in it. Anything
not granted by a legal basis is denied: with no basis registered, nobody sees anybody.

The door knows no room behind it. It holds the bases that belong to privacy itself:
- the young person, for their own data;
- a consent from the young person that names the actor's organisation and the category,
  for everything shared across organisations (OSL 10 kap. 1 §, 12 kap. 2 §);
- emergency access, opened with a reason, time-limited and reviewed afterwards.

Every other legal basis belongs to the app whose law grants it, and that app registers it
here at start-up (``register_basis`` in its ``AppConfig.ready()``): the school unit and its
organiser for their current pupils (school), the home municipality for the activity
responsibility, skollagen 29 kap. 9 § (kaa). A basis names the purpose it serves, the
categories it covers and a function that returns the persons it grants as a ``Q`` on
``Person``; this module imports no domain app.

Project leaders and evaluators never come through this door. ESF follow-up needs the
participation record (name, gender, age band at entry, entry, exit and follow-up data),
not the person: ``programmes.selectors`` reads those records under the sub-project team
rule and logs them, and nothing here grants them a ``Person``, for any purpose or category.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from lotsen.accounts.actor import GUARDIAN, Actor
from lotsen.accounts.models import Organisation, Role
from lotsen.accounts.roles import CASE_ROLES
from lotsen.people.models import Person
from lotsen.privacy.models import Category, Consent, EmergencyAccess, Purpose

# The purpose a role reaches persons under. Roles missing here (system and organisation
# admins, project leaders, evaluators) reach no person through this door: admins see no
# young people at all, and project leaders read participation records only (see the
# module docstring).
ROLE_PURPOSE: dict[str, str] = {
    Role.KAA_COORDINATOR: Purpose.KAA,
    Role.MENTOR: Purpose.SCHOOL,
    Role.STUDENT_HEALTH: Purpose.SCHOOL,
    Role.COUNSELLOR: Purpose.SCHOOL,
    Role.CASE_WORKER: Purpose.SUPPORT,
    Role.YOUNG_PERSON: Purpose.SELF,
}

# Roles that may open emergency access: those who meet young people in their work, the
# same people who work in cases.
EMERGENCY_ROLES = CASE_ROLES

# Health-related notes are never reached through emergency access: they stay with the
# organisation that wrote them unless a consent names the category.
EMERGENCY_CATEGORIES = frozenset(
    {Category.IDENTITY, Category.SCHOOL, Category.KAA, Category.SUPPORT}
)
CONSENT_PURPOSES = frozenset({Purpose.KAA, Purpose.SCHOOL, Purpose.SUPPORT})

BASIS_ALREADY_REGISTERED = "En annan rättslig grund är redan registrerad med namnet {name!r}."


@dataclass(frozen=True)
class LegalBasis:
    """A legal basis an app grants access under.

    ``persons_q(actor, today)`` returns the persons the basis grants the actor as a ``Q`` on
    ``Person``. The policy calls it only for an actor with an organisation whose role
    reaches persons for ``purpose``, and only when the category asked for is in
    ``categories``; anything else the basis does not have to think about.

    ``contact_details`` says whether the basis also grants where the person lives and how
    to reach them. A basis that outlives the relationship (the KAA register keeps a young
    person who moved away) grants the record, not the new address.
    """

    name: str
    purpose: str
    categories: frozenset[str]
    persons_q: Callable[[Actor, dt.date], Q]
    contact_details: bool = True


# Name -> basis. Keyed by name so that a ready() run twice (the test runner may) registers
# the same basis once, and a second app cannot take over a name by accident.
_BASES: dict[str, LegalBasis] = {}


def register_basis(basis: LegalBasis) -> None:
    """Register ``basis`` with the door; called from an app's ``AppConfig.ready()``."""
    existing = _BASES.get(basis.name)
    if existing is not None and existing != basis:
        raise ValueError(BASIS_ALREADY_REGISTERED.format(name=basis.name))
    _BASES[basis.name] = basis


def registered_bases() -> tuple[LegalBasis, ...]:
    return tuple(_BASES.values())


def purpose_for(actor: Actor) -> str | None:
    return ROLE_PURPOSE.get(actor.role) if actor.role else None


def reaches_persons(actor: Actor | None) -> bool:
    """Whether the actor's role reaches young people through this door at all. Person
    search, the persons API and the person pages belong to these roles only; the others
    are answered as if those pages did not exist."""
    return actor is not None and purpose_for(actor) is not None


def nothing() -> Q:
    """A filter that matches no row: what a missing basis grants."""
    return Q(pk__in=[])


def person_in(rows: QuerySet, *, person_field: str = "person_id") -> Q:
    """The persons that ``rows`` name in ``person_field``, as a filter on ``Person``.

    ``EXISTS`` over the rows of this one person rather than ``pk IN (every such row)``: a
    basis is OR-ed with the others, and under an OR PostgreSQL cannot join an ``IN``
    subquery, so it read every current pupil (or consent) to answer for one person (issue
    16). A correlated ``EXISTS`` looks the person up by the rows' index on the person, and
    the planner may still hash it for a long list. Same persons either way."""
    return Q(Exists(rows.filter(**{person_field: OuterRef("pk")})))


def consents_covering(
    organisation: Organisation, category: str, *, today: dt.date
) -> QuerySet[Consent]:
    """The active consents on ``today`` that name ``organisation`` and ``category``."""
    consents = Consent.objects.filter(
        organisations=organisation,
        withdrawn_at__isnull=True,
        given_on__lte=today,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    # Identity is part of every consent: data cannot be shared about nobody.
    if category != Category.IDENTITY:
        consents = consents.filter(categories__category=category)
    return consents


class PersonPolicy:
    def __init__(self, actor: Actor, *, today: dt.date | None = None) -> None:
        self.actor = actor
        self.today = today or timezone.localdate()

    def visible_q(
        self, *, purpose: str, category: str = Category.IDENTITY, contact_details: bool = False
    ) -> Q:
        """The filter on Person for what this actor may see for ``purpose`` in ``category``;
        with ``contact_details``, only through bases that grant address and contacts too."""
        actor, org = self.actor, self.actor.organisation
        if purpose == Purpose.SELF:
            if actor.role == Role.YOUNG_PERSON and actor.user.person_id:
                return Q(pk=actor.user.person_id)
            return nothing()
        if purpose == Purpose.EMERGENCY:
            if (
                org is None
                or actor.role not in EMERGENCY_ROLES
                or category not in EMERGENCY_CATEGORIES
            ):
                return nothing()
            open_grants = EmergencyAccess.objects.filter(
                actor_user=actor.user, organisation=org, expires_at__gt=timezone.now()
            )
            return person_in(open_grants)
        if purpose == Purpose.GUARDIAN:
            # A guardian has no organisation: only the bases registered for guardians
            # (youth.guardians) grant them anything, and only to a guardian's login.
            if actor.role != GUARDIAN:
                return nothing()
            return self._bases_q(purpose=purpose, category=category, contact_details=False)
        if org is None or ROLE_PURPOSE.get(actor.role) != purpose:
            return nothing()

        q = self._bases_q(purpose=purpose, category=category, contact_details=contact_details)
        if purpose in CONSENT_PURPOSES:
            consents = consents_covering(org, category, today=self.today)
            q |= person_in(consents)
        return q

    def _bases_q(self, *, purpose: str, category: str, contact_details: bool) -> Q:
        q = nothing()
        for basis in _BASES.values():
            if basis.purpose == purpose and category in basis.categories:
                if contact_details and not basis.contact_details:
                    continue
                q |= basis.persons_q(self.actor, self.today)
        return q

    def persons(self, *, purpose: str, category: str = Category.IDENTITY) -> QuerySet[Person]:
        return Person.objects.filter(self.visible_q(purpose=purpose, category=category))

    def may_view(self, person: Person, *, purpose: str, category: str = Category.IDENTITY) -> bool:
        return self.persons(purpose=purpose, category=category).filter(pk=person.pk).exists()

    def may_see_contact_details(self, person: Person) -> bool:
        """Address and contacts are shown only to an actor who reaches the person through a
        basis that grants them (not the register a municipality keeps after a move), by
        consent or emergency access; a protected person's to named roles only, and
        nobody's to a role that reaches no persons (a project leader, say)."""
        if not reaches_persons(self.actor):
            return False
        purpose = purpose_for(self.actor)
        reached = self.visible_q(purpose=purpose, contact_details=True) | self.visible_q(
            purpose=Purpose.EMERGENCY
        )
        if not Person.objects.filter(reached, pk=person.pk).exists():
            return False
        if not person.is_protected:
            return True
        if self.actor.role == Role.YOUNG_PERSON and self.actor.user.person_id == person.pk:
            return True
        return self.actor.role in settings.LOTSEN_PROTECTED_IDENTITY_ROLES
