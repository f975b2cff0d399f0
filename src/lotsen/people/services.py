"""Writes to young people's records."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from lotsen.accounts.actor import Actor
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Gender, Person
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action

ERROR_PERSON_EXISTS = "Det finns redan en person med det personnumret."


@transaction.atomic
def person_create(
    *,
    actor: Actor | None,
    purpose: str,
    personal_identity_number: str,
    given_name: str,
    family_name: str,
    home_municipality_code: str,
    gender: str = Gender.NOT_STATED,
    protected_identity: bool = False,
    confidentiality_marking: bool = False,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    phone: str = "",
    email: str = "",
) -> Person:
    """Create a person; ``actor`` is None only for imports and the demo generator, whose
    runs are recorded by the import itself."""
    try:
        number = parse_identity_number(personal_identity_number)
    except InvalidIdentityNumber as exc:
        raise ValidationError({"personal_identity_number": str(exc)}) from exc
    if Person.objects.filter(personal_identity_number=number.normalized).exists():
        raise ValidationError({"personal_identity_number": ERROR_PERSON_EXISTS})
    person = Person(
        personal_identity_number=number.normalized,
        is_coordination_number=number.is_coordination_number,
        date_of_birth=number.date_of_birth,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        gender=gender,
        home_municipality_code=home_municipality_code,
        protected_identity=protected_identity,
        confidentiality_marking=confidentiality_marking,
        street_address=street_address,
        postal_code=postal_code,
        city=city,
        phone=phone,
        email=email,
    )
    person.full_clean()
    person.save()
    if actor is not None:
        persons_written(actor=actor, action=Action.CREATE, purpose=purpose, person_ids=[person.pk])
    return person
