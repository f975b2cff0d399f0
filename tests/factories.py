"""Test factories (factory_boy). Persons get valid, unique synthetic personnummer."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, OrganisationKind, User
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import Consent, ConsentCategory
from lotsen.school.models import Enrolment

_serials = itertools.count(1)
_codes = itertools.count(10000000)
_municipality_codes = itertools.count(2000)


def fresh_identity_number(born: dt.date | None = None) -> str:
    born = born or dt.date(2009, 5, 17)
    n = next(_serials)
    # Vary the birth date as well as the serial so that numbers never run out.
    return make_identity_number(born + dt.timedelta(days=n // 900), n % 900 + 10)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.OTHER


class MunicipalityFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Kommun {n}")
    kind = OrganisationKind.MUNICIPALITY
    municipality_code = factory.LazyFunction(lambda: f"{next(_municipality_codes) % 10000:04d}")


class SchoolUnitFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Skola {n}")
    kind = OrganisationKind.SCHOOL_UNIT
    school_unit_code = factory.LazyFunction(lambda: f"{next(_codes):08d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Anna"
    last_name = factory.Sequence(lambda n: f"Testsson{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "case_worker"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    personal_identity_number = factory.LazyFunction(fresh_identity_number)
    date_of_birth = factory.LazyAttribute(
        lambda o: dt.date(
            int(o.personal_identity_number[:4]),
            int(o.personal_identity_number[4:6]),
            int(o.personal_identity_number[6:8]) % 60 or 1,
        )
    )
    given_name = factory.Sequence(lambda n: f"Elin{n}")
    family_name = factory.Sequence(lambda n: f"Berg{n}")
    home_municipality_code = "0180"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    person = factory.SubFactory(PersonFactory)
    school_unit = factory.SubFactory(SchoolUnitFactory)
    school_type = "GR"
    school_year = 9
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))


def consent_create(
    *, person, organisations, categories, given_on=None, expires_on=None, withdrawn=False
) -> Consent:
    consent = Consent.objects.create(
        person=person,
        given_by="young_person",
        given_on=given_on or timezone.localdate() - dt.timedelta(days=10),
        expires_on=expires_on,
        withdrawn_at=timezone.now() if withdrawn else None,
    )
    consent.organisations.set(organisations)
    ConsentCategory.objects.bulk_create(
        ConsentCategory(consent=consent, category=c) for c in categories
    )
    return consent


class ActorFactory:
    @staticmethod
    def build_actor(*, organisation: Organisation, role: str) -> Actor:
        return Actor.for_membership(MembershipFactory(organisation=organisation, role=role))


# --- School data and signals -------------------------------------------------------------


class GradeFactory(factory.django.DjangoModelFactory):
    """A compulsory-school term grade; pass ``course_code`` and ``points`` for upper
    secondary."""

    class Meta:
        model = "school.Grade"

    person = factory.SubFactory(PersonFactory)
    subject_code = "MA"
    value = "C"
    kind = "term"
    semester = "HT"
    year = 2025
    registered_on = dt.date(2026, 1, 9)


class AttendancePeriodFactory(factory.django.DjangoModelFactory):
    """One week of attendance, 1 000 minutes offered, no absence unless told."""

    class Meta:
        model = "school.AttendancePeriod"

    person = factory.SubFactory(PersonFactory)
    end_date = factory.LazyFunction(timezone.localdate)
    start_date = factory.LazyAttribute(lambda o: o.end_date - dt.timedelta(days=6))
    offered_minutes = 1000
    valid_absence_minutes = 0
    invalid_absence_minutes = 0
    attended_minutes = factory.LazyAttribute(
        lambda o: o.offered_minutes - o.valid_absence_minutes - o.invalid_absence_minutes
    )


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "signals.Signal"

    person = factory.SubFactory(PersonFactory)
    school_unit = factory.SubFactory(SchoolUnitFactory)
    rule_id = "absence_invalid"
    reason = "Ogiltig frånvaro 7 % de senaste fyra veckorna (gräns 5 %)"
    evidence = factory.LazyFunction(lambda: {"invalid_percent": 7.0})
    raised_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda o: o.raised_on + dt.timedelta(days=14))
    status = "open"


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """An active learned-model version with no fitted model in it: for pages and scores
    that read what scoring stored (band, probability, reasons in words), never the model."""

    class Meta:
        model = "signals.ModelVersion"
        django_get_or_create = ("version",)

    name = "Avbrott i gymnasieskolan"
    version = factory.Sequence(lambda n: f"{n:012x}")
    trained_at = factory.LazyFunction(timezone.now)
    trained_as_of = factory.LazyFunction(timezone.localdate)
    horizon_years = 3
    n = 500
    positives = 60
    threshold = 0.3
    base_rate = 0.12
    libraries = "test"
    model_card = ""
    model_blob = b""
    model_sha256 = "0" * 64
    activated_at = factory.LazyFunction(timezone.now)
