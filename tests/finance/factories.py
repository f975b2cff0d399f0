"""Factories for programmes and sub-projects (rows created directly: the programmes app's
own services are not this app's concern)."""

from __future__ import annotations

import datetime as dt

import factory

from lotsen.programmes.models import Programme, SubProject
from tests.factories import OrganisationFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Program {n}")
    framework = "esfplus"
    start = dt.date(2022, 1, 1)
    end = dt.date(2024, 12, 31)
    lead_organisation = factory.SubFactory(OrganisationFactory, kind="region")


class SubProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubProject
        skip_postgeneration_save = True

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Delprojekt {n}")
    lead_organisation = factory.SubFactory(OrganisationFactory)
    start = factory.LazyAttribute(lambda o: o.programme.start)
    end = factory.LazyAttribute(lambda o: o.programme.end)

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisations.set(extracted)
