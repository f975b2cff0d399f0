"""A guardian never sees a person who is not their minor (issue 11), as a property over
generated scenarios.

Hypothesis builds young people of 10 to 20 with zero to two stored guardians (three
possible guardians' numbers, some stored without a number), consent requests from
organisations with and without their own age rule, in every status, and asks, as one of
the guardians: whom the person policy grants for purpose "guardian", whom the guardian's
page lists, and which request the guardian may open. The answer must equal the rule,
computed here in plain Python: their own minor (a stored guardian with their number),
under 18, with a request that is not withdrawn and that the organisations named still ask
the guardian about at the minor's age. Nothing for any other purpose or category, and
every person shown leaves a log entry.
"""

from __future__ import annotations

import datetime as dt
import os

from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Guardian, GuardianAccount, Person
from lotsen.privacy.models import AccessLogEntry, Category, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.youth import guardians
from lotsen.youth.models import ConsentRequest
from tests.factories import UserFactory, fresh_identity_number

GUARDIAN_SCENARIOS = int(os.environ.get("LOTSEN_GUARDIAN_SCENARIOS", "150"))
NUMBERS = [
    make_identity_number(dt.date(1979, 1, 5), 111),
    make_identity_number(dt.date(1981, 6, 30), 222),
    make_identity_number(dt.date(1972, 11, 2), 333),
]
LIMITS = [None, 13, 15, 16, 18, 21]
STATUSES = ["open", "given", "refused", "cancelled"]

requests_st = st.lists(
    st.tuples(st.lists(st.sampled_from(LIMITS), min_size=1, max_size=2), st.sampled_from(STATUSES)),
    max_size=2,
)
person_st = st.fixed_dictionaries(
    {
        "age": st.integers(min_value=10, max_value=20),
        "days": st.integers(min_value=0, max_value=364),
        # An index into NUMBERS, or None: a guardian stored without a number.
        "guardians": st.lists(st.sampled_from([0, 1, 2, None]), max_size=2),
        "requests": requests_st,
    }
)
scenario_st = st.tuples(st.lists(person_st, min_size=1, max_size=5), st.sampled_from([0, 1, 2]))


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return dt.date(born.year + years, 3, 1)


def _age(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _until(born: dt.date, limits: list) -> dt.date:
    named = [limit for limit in limits if limit is not None]
    return _birthday(born, min(max(named), 18) if named else 18)


class GuardianProperties(TestCase):
    @given(scenario_st)
    @settings(
        max_examples=GUARDIAN_SCENARIOS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def test_a_guardian_sees_exactly_their_minors_who_they_are_asked_about(self, scenario):
        specs, me = scenario
        today = timezone.localdate()
        orgs = {
            limit: Organisation.objects.create(
                name=f"Org {limit}", kind="social_services", guardian_consent_below_age=limit
            )
            for limit in LIMITS
        }
        expected_persons, expected_requests, all_requests = set(), set(), []
        for spec in specs:
            born = _birthday(today - dt.timedelta(days=spec["days"]), -spec["age"])
            born = min(born, today)
            person = Person.objects.create(
                personal_identity_number=fresh_identity_number(),
                date_of_birth=born,
                given_name="Ung",
                family_name="Person",
                home_municipality_code="0180",
            )
            for index in spec["guardians"]:
                Guardian.objects.create(
                    person=person,
                    name="Förälder",
                    personal_identity_number="" if index is None else NUMBERS[index],
                )
            mine = me in spec["guardians"]
            minor = _age(born, today) < 18
            for limits, status in spec["requests"]:
                until = _until(born, limits)
                request = ConsentRequest.objects.create(
                    person=person,
                    requested_in=orgs[limits[0]],
                    categories=["support"],
                    purpose_text="Samordnat stöd.",
                    guardian_until=until,
                    status=status,
                )
                request.organisations.set([orgs[limit] for limit in limits])
                all_requests.append(request)
                if mine and minor and status != "cancelled" and until > today:
                    expected_requests.add(request.pk)
                    expected_persons.add(person.pk)
        user = UserFactory()
        GuardianAccount.objects.create(user=user, personal_identity_number=NUMBERS[me])
        actor = Actor.for_guardian(user, assurance_level="loa3")
        policy = PersonPolicy(actor, today=today)

        granted = set(policy.persons(purpose=Purpose.GUARDIAN).values_list("pk", flat=True))
        assert granted == expected_persons

        for purpose in (Purpose.SELF, Purpose.SUPPORT, Purpose.KAA, Purpose.SCHOOL):
            assert not policy.persons(purpose=purpose).exists()
        for category in (Category.SCHOOL, Category.KAA, Category.SUPPORT, Category.HEALTH):
            assert not policy.persons(purpose=Purpose.GUARDIAN, category=category).exists()

        before = AccessLogEntry.objects.count()
        rows = guardians.guardian_overview(actor=actor, today=today)
        assert {row.person.pk for row in rows} == expected_persons
        assert {r.pk for row in rows for r in row.requests} == expected_requests
        logged = set(
            AccessLogEntry.objects.order_by("id")[before:].values_list("person_id", flat=True)
        )
        assert logged == expected_persons

        for request in all_requests:
            if request.pk in expected_requests:
                found = guardians.consent_request_get_for_guardian(
                    actor=actor, request_id=request.pk, today=today
                )
                assert found.pk == request.pk
            else:
                try:
                    guardians.consent_request_get_for_guardian(
                        actor=actor, request_id=request.pk, today=today
                    )
                except Http404:
                    pass
                else:
                    raise AssertionError("a guardian opened a request not about their minor")
