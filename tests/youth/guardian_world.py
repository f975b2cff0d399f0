"""Guardians, minors and consent requests for the guardian tests (unit, property,
browser)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, OrganisationKind, Role
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Guardian, GuardianAccount, Person
from lotsen.privacy.models import Category
from lotsen.youth import guardians
from lotsen.youth.models import ConsentRequest
from tests.factories import OrganisationFactory, PersonFactory, UserFactory
from tests.oidc.server import GUARDIAN_NUMBER

# Synthetic guardians' numbers: born in the 1970s, far from the factories' young people;
# the first is the test identity provider's guardian.
OTHER_GUARDIAN_NUMBER = make_identity_number(dt.date(1975, 9, 21), 427)


def minor(*, age: int = 15, days: int = 30, **fields) -> Person:
    """A person ``age`` years old who has a birthday ``days`` days from now."""
    today = timezone.localdate()
    born = guardians.birthday(today + dt.timedelta(days=days), -(age + 1))
    number = make_identity_number(born, 500 + Person.objects.count() % 400)
    return PersonFactory(personal_identity_number=number, date_of_birth=born, **fields)


def guardian_of(person: Person, number: str = GUARDIAN_NUMBER, name: str = "Sara Förälder"):
    return Guardian.objects.create(person=person, name=name, personal_identity_number=number)


def guardian_actor(number: str = GUARDIAN_NUMBER, *, level: str = "loa3") -> Actor:
    account = GuardianAccount.objects.filter(personal_identity_number=number).first()
    if account is None:
        user = UserFactory(username=f"vh-{number[-6:]}", first_name="", last_name="")
        account = GuardianAccount.objects.create(user=user, personal_identity_number=number)
    return Actor.for_guardian(account.user, assurance_level=level)


def staff(org, role=Role.CASE_WORKER) -> Actor:
    user = UserFactory()
    return Actor.for_membership(Membership.objects.create(user=user, organisation=org, role=role))


def social_services(**fields):
    return OrganisationFactory(
        name=fields.pop("name", "Socialtjänsten i Exempelkommun"),
        kind=OrganisationKind.SOCIAL_SERVICES,
        **fields,
    )


def request_for(person: Person, *, asker: Actor, organisations=None, text=None) -> ConsentRequest:
    """A request made the way staff make it (the service), for a person the asker reaches."""
    return guardians.consent_request_create(
        actor=asker,
        person=person,
        organisations=organisations or [asker.organisation],
        categories=[Category.SUPPORT],
        purpose_text=text or "Vi vill planera stödet tillsammans med skolan.",
    )
