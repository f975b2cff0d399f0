"""Factories for the support records the young person's pages read (the support app's
own factories are the lead's; these stay small and local)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from lotsen.support.models import (
    Case,
    Contact,
    Goal,
    Plan,
    PlanAction,
    TeamMember,
    WellbeingCheckin,
    YouthMessage,
)
from tests.factories import OrganisationFactory, PersonFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    owner = factory.SubFactory(OrganisationFactory)
    origin = "manual"
    opened_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMember

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    case = factory.SubFactory(CaseFactory)
    own_goal = "Jag vill gå klart skolan och få ett jobb."


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(PlanFactory)
    text = "Klara matten i vår"
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(PlanFactory)
    text = "Läxhjälp två dagar i veckan"
    responsible_organisation = factory.SubFactory(OrganisationFactory)
    follow_up_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    case = factory.SubFactory(CaseFactory)
    date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=3))
    channel = "phone"
    reached = True
    organisation = factory.SubFactory(OrganisationFactory)


class WellbeingCheckinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WellbeingCheckin

    person = factory.SubFactory(PersonFactory)
    item1 = 3
    item2 = 3
    item3 = 3
    item4 = 3
    item5 = 3
    score = factory.LazyAttribute(lambda o: (o.item1 + o.item2 + o.item3 + o.item4 + o.item5) * 4)


class YouthMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YouthMessage

    person = factory.SubFactory(PersonFactory)
    text = "Jag sover dåligt före prov."
