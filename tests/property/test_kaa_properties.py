"""The KAA pages and the person page agree, as a property over generated scenarios.

The scenarios are the access property test's (organisations, persons registered in any
municipality, enrolments, consents, emergency grants, every role), with what the KAA
pages read added on top: memberships in municipalities' KAA registers (current, ended,
not yet begun; the person registered there or elsewhere, as after a move) and notices
from schools (open or handled, naming a person or nobody Lotsen knows). The actor is
often made a KAA coordinator at a municipality, or the KAA pages would seldom open.

For every scenario and whichever actor:

- every person on a KAA page (the cohort list, the register page, the notice inbox) is a
  person whose person page the actor may open: ``PersonPolicy.may_view`` for purpose
  "kaa", and the person page's own read (``person_get_for``) under that purpose;
- the register page opens exactly for the persons the policy grants for purpose and
  category "kaa", and the lists show exactly those of them the page is about;
- those persons are what the rules in DESIGN.md say, computed here from the scenario
  alone: registered in the coordinator's municipality, in its KAA register (also after a
  move), or named by a consent in force that covers KAA data. Anybody else never
  appears, and is never logged.
"""

from __future__ import annotations

import datetime as dt
import os

from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from lotsen.kaa.models import CohortMembership, Notice
from lotsen.kaa.selectors import kaa_cohort_list, kaa_notice_inbox, kaa_person_get_for
from lotsen.people.selectors import person_get_for
from lotsen.privacy.models import Category, Purpose
from lotsen.privacy.policy import PersonPolicy
from tests.property.test_access_properties import (
    MUNICIPALITY_CODES,
    LogCounter,
    OrgSpec,
    build,
    scenarios,
)

# 200 scenarios; a slower database pass may ask for fewer (LOTSEN_KAA_SCENARIOS).
KAA_SCENARIOS = int(os.environ.get("LOTSEN_KAA_SCENARIOS", "200"))

# Days from today: a membership that is current, ended, or not yet begun, or any dates.
MEMBERSHIP_DATES = st.one_of(
    st.tuples(st.integers(-400, 0), st.one_of(st.none(), st.integers(1, 30))),  # current
    st.tuples(st.integers(-400, -31), st.integers(-30, 0)),  # ended (left today included)
    st.tuples(st.integers(1, 20), st.none()),  # not yet begun
)


def _municipality_code(orgs, actor) -> str:
    org = orgs[actor["org"]]
    return org.municipality_code if org.kind == "municipality" else ""


@st.composite
def kaa_scenarios(draw):
    orgs, persons, actor, _query, _programme = draw(scenarios())
    orgs = list(orgs)
    # Half the time the actor is (made) a KAA coordinator at a municipality, keeping the
    # young-person actors as they are.
    if actor["role"] != "young_person" and draw(st.booleans()):
        municipalities = [i for i, o in enumerate(orgs) if o.kind == "municipality"]
        if municipalities:
            me = draw(st.sampled_from(municipalities))
        else:
            used = {o.municipality_code for o in orgs}
            orgs.append(
                OrgSpec(
                    kind="municipality",
                    municipality_code=draw(
                        st.sampled_from([c for c in MUNICIPALITY_CODES if c not in used])
                    ),
                )
            )
            me = len(orgs) - 1
        actor = {**actor, "org": me, "role": "kaa_coordinator"}
    my_code = _municipality_code(orgs, actor)
    # The actor's own municipality half the time, any municipality (or one with no
    # organisation in the scenario) otherwise.
    any_code = st.sampled_from([*MUNICIPALITY_CODES, "2584"])
    codes = st.one_of(st.just(my_code), any_code) if my_code else any_code
    memberships = []  # (person, code, entered, left)
    notices = []  # (person or None, code, handled)
    for i in range(len(persons)):
        seen = set()
        for _ in range(draw(st.integers(0, 2))):
            code = draw(codes)
            entered, left = draw(MEMBERSHIP_DATES)
            # One period per municipality: the cohort never has a person twice at once.
            if code not in seen:
                seen.add(code)
                memberships.append((i, code, entered, left))
        for _ in range(draw(st.integers(0, 1))):
            notices.append((i, draw(codes), draw(st.booleans())))
    for _ in range(draw(st.integers(0, 1))):
        notices.append((None, draw(codes), draw(st.booleans())))
    return orgs, persons, actor, memberships, notices


def _current(entered: int, left: int | None) -> bool:
    """In the cohort today: entered on or before today, not yet left (left_on is the
    first day outside)."""
    return entered <= 0 and (left is None or left > 0)


def expected_kaa(orgs, persons, actor, memberships) -> set[int]:
    """Indices of the persons the KAA pages may name for this actor (category KAA)."""
    code = _municipality_code(orgs, actor)
    if actor["role"] != "kaa_coordinator" or not code:
        return set()
    me = actor["org"]
    reached = {i for i, p in enumerate(persons) if p.home == code}
    reached |= {i for i, member_code, _e, _l in memberships if member_code == code}
    for i, p in enumerate(persons):
        for named, categories, given_on, expires, withdrawn in p.consents:
            in_force = not withdrawn and given_on <= 0 and (expires is None or expires >= 0)
            if me in named and "kaa" in categories and in_force:
                reached.add(i)
    return reached


def build_kaa(person_rows, memberships, notices) -> None:
    today = timezone.localdate()
    day = lambda offset: today + dt.timedelta(days=offset)  # noqa: E731
    for i, code, entered, left in memberships:
        CohortMembership.objects.create(
            person=person_rows[i],
            municipality_code=code,
            entered_on=day(entered),
            reason="never_started",
            left_on=None if left is None else day(left),
            left_reason="" if left is None else "moved_away",
        )
    for k, (i, code, handled) in enumerate(notices):
        person = person_rows[i] if i is not None else None
        Notice.objects.create(
            kind="dropout",
            personal_identity_number=person.personal_identity_number if person else "200801019999",
            person=person,
            municipality_code=code,
            event_date=today,
            sender_organisation_name="Skolan",
            receipt=f"R{k:09d}",
            handled_at=timezone.now() if handled else None,
        )


class KaaPagesAgreeWithThePersonPage(TestCase):
    # hypothesis.extra.django.TestCase runs each example in its own transaction.
    @given(kaa_scenarios())
    @settings(
        max_examples=KAA_SCENARIOS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def test_every_person_on_a_kaa_page_may_be_opened_on_the_person_page(self, scenario):
        orgs, persons, actor_spec, memberships, notices = scenario
        _org_rows, person_rows, actor = build(orgs, persons, actor_spec)
        build_kaa(person_rows, memberships, notices)
        ids = [p.pk for p in person_rows]
        allowed = {ids[i] for i in expected_kaa(orgs, persons, actor_spec, memberships)}
        code = _municipality_code(orgs, actor_spec)
        opens_kaa = actor_spec["role"] == "kaa_coordinator" and bool(code)
        policy = PersonPolicy(actor)
        # The person page's question, and the KAA pages' own category.
        may_open = {p.pk for p in person_rows if policy.may_view(p, purpose=Purpose.KAA)}
        may_read_kaa = {
            p.pk
            for p in person_rows
            if policy.may_view(p, purpose=Purpose.KAA, category=Category.KAA)
        }
        log = LogCounter()

        # The cohort list: the persons in the municipality's cohort today.
        in_cohort = {
            ids[i]
            for i, member_code, e, left in memberships
            if member_code == code and _current(e, left)
        }
        try:
            page = kaa_cohort_list(actor=actor)
        except Http404:
            assert not opens_kaa
            listed = set()
        else:
            assert opens_kaa
            listed = {row.person.pk for row in page.rows}
            assert page.total == len(listed)
            assert log.new_person_ids() == sorted(listed)
        assert listed == allowed & in_cohort
        assert listed <= may_open

        # The register page of every person in the scenario, and of an id that does not
        # exist: it opens exactly for the persons the policy grants for KAA data.
        for pk in [*ids, max(ids, default=0) + 1]:
            try:
                record = kaa_person_get_for(actor=actor, person_id=pk)
            except Http404:
                assert pk not in allowed
                assert log.new_person_ids() == []
            else:
                assert record.person.pk == pk
                assert pk in allowed and pk in may_read_kaa and pk in may_open
                assert log.new_person_ids() == [pk]

        # The notice inbox: every open notice to the municipality, naming its person only
        # when the policy lets the coordinator reach them.
        try:
            rows = kaa_notice_inbox(actor=actor)
        except Http404:
            assert not opens_kaa
        else:
            expected_notices = [n for n in notices if n[1] == code and not n[2]]
            assert len(rows) == len(expected_notices)
            named = {row.person.pk for row in rows if row.person is not None}
            wanted = {ids[i] for i, _c, _h in expected_notices if i is not None}
            assert named == allowed & wanted
            assert named <= may_open
            assert log.new_person_ids() == sorted(named)

        # Whoever a KAA page named opens on the person page too, under purpose "kaa".
        for pk in listed | (allowed if opens_kaa else set()):
            access = person_get_for(actor=actor, person_id=pk)
            assert (access.person.pk, access.purpose) == (pk, Purpose.KAA)
        # And the policy itself grants a coordinator exactly what the rules say.
        if opens_kaa:
            assert may_read_kaa == allowed
