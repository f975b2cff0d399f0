"""The inbox never shows a person the person page refuses, for every role.

The scenarios are the KAA property test's (organisations, persons registered anywhere,
enrolments current, former and future, consents in force or not, every role, KAA register
memberships and notices), with an open signal for each enrolment at its school unit, so
that the school roles' inboxes fill as well as the coordinator's. For every scenario and
whichever actor, every person on any page of the actor's inbox is one whose person page
the actor may open on their own basis (``person_get_for`` without emergency access), and
exactly the persons shown are logged.
"""

from __future__ import annotations

import os

from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis.extra.django import TestCase

from lotsen.accounts.models import Role
from lotsen.earlywarning.models import Signal
from lotsen.inbox.selectors import InboxFilters, inbox_page_for
from lotsen.people.selectors import person_get_for
from lotsen.school.models import Enrolment
from tests.property.test_access_properties import LogCounter, build
from tests.property.test_kaa_properties import build_kaa, kaa_scenarios

INBOX_SCENARIOS = int(os.environ.get("LOTSEN_INBOX_SCENARIOS", "60"))


def _signals_for_enrolments() -> None:
    today = timezone.localdate()
    seen = set()
    for enrolment in Enrolment.objects.select_related("school_unit"):
        key = (enrolment.person_id, enrolment.school_unit_id)
        if key in seen:
            continue
        seen.add(key)
        Signal.objects.create(
            person_id=enrolment.person_id,
            school_unit=enrolment.school_unit,
            rule_id="absence_invalid",
            reason="Ogiltig frånvaro",
            raised_on=today,
            due_on=today,
        )


class InboxAgreesWithThePersonPage(TestCase):
    @given(kaa_scenarios())
    @settings(
        max_examples=INBOX_SCENARIOS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def test_every_person_in_the_inbox_may_be_opened_on_the_person_page(self, scenario):
        orgs, persons, actor_spec, memberships, notices = scenario
        _org_rows, person_rows, actor = build(orgs, persons, actor_spec)
        build_kaa(person_rows, memberships, notices)
        _signals_for_enrolments()
        if actor.role == Role.YOUNG_PERSON:
            return
        log = LogCounter()
        shown: list[int] = []
        page_number = 1
        while True:
            page = inbox_page_for(actor=actor, filters=InboxFilters(page=page_number))
            shown += [row.person.pk for row in page.rows]
            if page_number >= page.page_count:
                break
            page_number += 1
        assert len(shown) == len(set(shown)), "a young person is on two rows"
        assert sorted(shown) == log.new_person_ids()
        for person_id in shown:
            try:
                access = person_get_for(actor=actor, person_id=person_id)
            except Http404:
                raise AssertionError(f"the person page refuses {person_id}") from None
            assert access.purpose != "emergency"
