"""Every read of a young person goes through here, and through the policy.

Each person returned produces exactly one access-log entry, written in the same
transaction as the read. A person the actor may not see is answered with Http404, the
same answer as for an id that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Person
from lotsen.privacy.door import person_read, persons_read
from lotsen.privacy.models import Action, Category, Purpose
from lotsen.privacy.policy import PersonPolicy, purpose_for

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class PersonAccess:
    """A person as one actor may see them, and on what footing."""

    person: Person
    purpose: str
    show_contact_details: bool

    @property
    def is_emergency(self) -> bool:
        return self.purpose == Purpose.EMERGENCY


def _visible(actor: Actor) -> tuple[QuerySet[Person], str | None]:
    purpose = purpose_for(actor)
    if purpose is None:
        return Person.objects.none(), None
    return PersonPolicy(actor).persons(purpose=purpose, category=Category.IDENTITY), purpose


def person_search_filter(query: str) -> Q:
    """A full personnummer matches exactly; otherwise every word must match a name."""
    query = (query or "").strip()
    try:
        number = parse_identity_number(query)
    except InvalidIdentityNumber:
        number = None
    if number is not None:
        return Q(personal_identity_number=number.normalized)
    q = Q()
    for word in query.split()[:5]:
        q &= Q(given_name__icontains=word) | Q(family_name__icontains=word)
    return q


@transaction.atomic
def person_list(
    *, actor: Actor, query: str = "", limit: int = SEARCH_LIMIT, offset: int = 0
) -> list[Person]:
    """Persons the actor may see, optionally narrowed by a search; logged per person."""
    purpose = purpose_for(actor)
    if purpose is None:
        return []
    persons = Person.objects.order_by("family_name", "given_name", "id")
    if query.strip():
        persons = persons.filter(person_search_filter(query))
    return persons_read(
        actor=actor,
        purpose=purpose,
        queryset=persons,
        window=slice(offset, offset + limit),
        action=Action.SEARCH if query.strip() else Action.VIEW,
        object_type="person_list",
    )


def person_count(*, actor: Actor) -> int:
    """How many persons the actor may see. A number only, so nothing to log."""
    persons, purpose = _visible(actor)
    return persons.count() if purpose else 0


@transaction.atomic
def person_get_for(*, actor: Actor, person_id: int | str) -> PersonAccess:
    """Fetch and authorise in one call: 404 for "missing" and for "not yours" alike. A
    person out of reach on the actor's own basis may be reached by emergency access."""
    purpose = purpose_for(actor)
    person = None
    if purpose is not None:
        try:
            person = person_read(actor=actor, person_id=person_id, purpose=purpose)
        except Http404:
            person = None
    if person is None:
        purpose = Purpose.EMERGENCY
        person = person_read(
            actor=actor, person_id=person_id, purpose=purpose, action=Action.EMERGENCY
        )
    return PersonAccess(
        person=person,
        purpose=purpose,
        show_contact_details=PersonPolicy(actor).may_see_contact_details(person),
    )


def person_find_for_emergency(*, identity_number: str) -> Person | None:
    """Look up one person by full personnummer for emergency access; the caller logs the
    access once the reason is recorded. Never used to list anybody."""
    number = parse_identity_number(identity_number)
    return Person.objects.filter(personal_identity_number=number.normalized).first()
