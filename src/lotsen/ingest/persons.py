"""Persons by personnummer: the one lookup every import makes before it writes.

Imports match a row to a person by the normalised personnummer (``people.identity``). The
numbers are looked up in batches of ``LOOKUP_BATCH``, below SQLite's 999 parameters per
query, so a file of any size needs one query per batch on either database.
"""

from __future__ import annotations

from collections.abc import Iterable

from lotsen.people.models import Person

LOOKUP_BATCH = 900


def persons_by_personnummer(numbers: Iterable[str]) -> dict[str, Person]:
    """The persons Lotsen holds for the normalised ``numbers``, keyed by number; a number
    Lotsen does not know is simply absent."""
    ordered = sorted(set(numbers))
    found: dict[str, Person] = {}
    for start in range(0, len(ordered), LOOKUP_BATCH):
        batch = ordered[start : start + LOOKUP_BATCH]
        for person in Person.objects.filter(personal_identity_number__in=batch):
            found[person.personal_identity_number] = person
    return found
