"""Access to coordinated support as a property, over generated scenarios.

Hypothesis builds organisations of every kind, an actor in any role (a young person too,
with or without a membership), persons, consents (in force, expired, not yet given,
withdrawn; naming various organisations and data categories), cases owned by various
organisations (open and closed) with their team (active and removed members), notes in
every category written by various organisations, plans with goals and actions, referrals
in every status resting on various consents, handovers between schools, linked cases and
WHO-5 check-ins. It then asks the system, through every way in, what the actor sees and
may write to, and compares the answer with the rules of ``CasePolicy``, restated here in
plain Python from the scenario alone (the policy is never asked what to expect):

- staff in a case role see the cases their organisation owns;
- another organisation sees a case only while it is an active team member *and* a consent
  of the young person in force names it and the support category;
- a note is read by the organisation that wrote it and by others who see the case when a
  consent in force names them and the note's category (health stays inside without one);
- a referral is seen by its sender while the sender sees the case, and by its receiver
  while the consent it rests on is in force and names the receiver and support;
- a handover is seen by the school that wrote it, and by the receiving school while a
  consent in force names it and school data;
- WHO-5 answers (health-related) are seen on a visible case by the young person, the
  owner, and an organisation a consent in force names for health;
- the young person sees their own cases; every other role sees nothing.

Every case, referral and handover read leaves exactly one access-log entry for its
person; a refused read leaves none, and a refused write writes nothing.

Like the foundation's property test, the examples are random on each run (not
derandomized): every run looks at a thousand new scenarios, and a failure prints the
scenario and how to reproduce it. ``--hypothesis-show-statistics`` shows how often the
granting and refusing paths were taken (``record_events``).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.test import APIClient

from lotsen.accounts.actor import Actor
from lotsen.accounts.middleware import actor_for_request
from lotsen.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, Category, Consent, ConsentCategory
from lotsen.support import selectors, services
from lotsen.support.models import (
    Case,
    CaseCloseReason,
    CaseOrigin,
    CaseStatus,
    Contact,
    Goal,
    Handover,
    HandoverKind,
    Note,
    NoteCategory,
    Plan,
    PlanAction,
    Referral,
    TeamMember,
    WellbeingCheckin,
)
from lotsen.support.policy import CasePolicy
from lotsen.youth.selectors import wellbeing_for_case, youth_plans
from tests.factories import fresh_identity_number

# --- The rules, stated independently of lotsen.privacy.policy ----------------------------

SPEC_CASE_ROLES = frozenset(
    {"kaa_coordinator", "mentor", "student_health", "counsellor", "case_worker"}
)
ORG_KINDS = [kind.value for kind in OrganisationKind]
SPEC_CASE_ROLES_ORDERED = sorted(SPEC_CASE_ROLES)
OTHER_STAFF_ROLES = sorted({role.value for role in Role} - SPEC_CASE_ROLES - {"young_person"})
# The categories the case rules read come first; identity and programme grant nothing here.
CONSENT_CATEGORIES = ["support", "health", "school", "kaa", "identity", "programme"]
CONSENT_STATES = ["in_force", "in_force", "in_force", "expired", "future", "withdrawn"]
NOTE_CATEGORIES = ["support", "school", "health"]
REFERRAL_STATUSES = ["pending", "accepted", "declined", "revoked"]
WRITES = ["note", "contact", "goal", "action", "plan", "referral", "team", "close"]


@dataclass(frozen=True)
class ConsentSpec:
    person: int
    orgs: frozenset[int]
    categories: frozenset[str]
    given: int  # days from today
    expires: int | None
    withdrawn: bool

    @property
    def in_force(self) -> bool:
        return (
            not self.withdrawn and self.given <= 0 and (self.expires is None or self.expires >= 0)
        )

    def names(self, org: int, category: str) -> bool:
        return self.in_force and org in self.orgs and category in self.categories


@dataclass(frozen=True)
class CaseSpec:
    person: int
    owner: int
    open: bool
    team: tuple[tuple[int, bool], ...]  # (organisation, removed)
    notes: tuple[tuple[int, str], ...]  # (writing organisation, category)
    goals: int
    actions: tuple[tuple[int, str, int, bool], ...]  # (org, responsible user, follow-up, done)
    referrals: tuple[tuple[int, int, int, str], ...]  # (from, to, consent index, status)


@dataclass(frozen=True)
class HandoverSpec:
    person: int
    from_org: int
    to_org: int
    case: int | None


@dataclass(frozen=True)
class ActorSpec:
    """How the actor logs in. ``membership`` False: a young person's own login."""

    membership: bool
    org: int
    role: str
    person: int | None  # the person the actor's user is linked to, if any


@dataclass(frozen=True)
class Scenario:
    orgs: tuple[str, ...]
    persons: int
    consents: tuple[ConsentSpec, ...]
    cases: tuple[CaseSpec, ...]
    handovers: tuple[HandoverSpec, ...]
    links: tuple[tuple[int, int], ...]
    checkins: frozenset[int]  # persons who have done a WHO-5 check-in
    actor: ActorSpec
    writes: tuple[str, ...]


def consented(s: Scenario, person: int, org: int, category: str) -> bool:
    return any(c.person == person and c.names(org, category) for c in s.consents)


def staff_org(s: Scenario) -> int | None:
    """The actor's organisation when the actor works in cases there; None otherwise."""
    a = s.actor
    # An account linked to a young person acts as that young person only: a staff
    # membership it holds anyway (an old row, a shell) gives it no staff role.
    if a.person is not None:
        return None
    return a.org if a.membership and a.role in SPEC_CASE_ROLES else None


def own_person(s: Scenario) -> int | None:
    a = s.actor
    return a.person if a.role == "young_person" or a.person is not None else None


def expected_cases(s: Scenario) -> set[int]:
    me, me_self = staff_org(s), own_person(s)
    if me_self is not None:
        return {i for i, c in enumerate(s.cases) if c.person == me_self}
    if me is None:
        return set()
    visible = set()
    for i, c in enumerate(s.cases):
        on_team = any(org == me and not removed for org, removed in c.team)
        if c.owner == me or (on_team and consented(s, c.person, me, "support")):
            visible.add(i)
    return visible


def expected_notes(s: Scenario, case: int) -> set[int]:
    """Indices into the case's notes."""
    me, c = staff_org(s), s.cases[case]
    if me is None or case not in expected_cases(s):
        return set()
    return {
        j
        for j, (org, category) in enumerate(c.notes)
        if org == me or consented(s, c.person, me, category)
    }


def expected_referral(s: Scenario, case: int, referral: tuple[int, int, int, str]) -> bool:
    """The sender while it sees the case; the receiver while the consent the referral rests
    on is in force and names it and support."""
    me = staff_org(s)
    if me is None:
        return False
    sender, receiver, consent_index, _status = referral
    person = s.cases[case].person
    consent = [c for c in s.consents if c.person == person][consent_index]
    return (sender == me and case in expected_cases(s)) or (
        receiver == me and consent.names(me, "support")
    )


def expected_wellbeing(s: Scenario, case: int) -> bool:
    """WHO-5 answers are health-related: on a visible case, for the young person, the
    owner, or an organisation a consent names for health."""
    c = s.cases[case]
    if case not in expected_cases(s):
        return False
    if own_person(s) is not None:
        return True
    me = staff_org(s)
    return c.owner == me or consented(s, c.person, me, "health")


def expected_handover(s: Scenario, h: HandoverSpec) -> bool:
    me = staff_org(s)
    if me is None:
        return False
    return h.from_org == me or (h.to_org == me and consented(s, h.person, me, "school"))


def record_events(s: Scenario) -> None:
    """Name the interesting paths a scenario takes, for --hypothesis-show-statistics: the
    property is only as good as how often the granting and refusing paths are exercised."""
    me = staff_org(s)
    if me is None:
        event("actor: young person" if own_person(s) is not None else "actor: no case role")
        return
    visible = expected_cases(s)
    for i, c in enumerate(s.cases):
        on_team = any(org == me and not removed for org, removed in c.team)
        if c.owner != me and i in visible:
            event("case seen through team and consent")
        if c.owner != me and on_team and i not in visible:
            event("team member without a consent in force: refused")
        if c.owner != me and not on_team and consented(s, c.person, me, "support"):
            event("consent without team membership: refused")
        for org, category in c.notes:
            if i in visible and org != me:
                seen = consented(s, c.person, me, category)
                event(f"{category} note of another organisation: {'read' if seen else 'refused'}")
        for referral in c.referrals:
            if referral[1] == me and referral[0] != me:
                seen = expected_referral(s, i, referral)
                event(f"referral to the actor: {'seen' if seen else 'refused'}")
    for h in s.handovers:
        if h.to_org == me and h.from_org != me:
            event(f"handover to the actor: {'seen' if expected_handover(s, h) else 'refused'}")


# --- Scenarios -----------------------------------------------------------------------------


@st.composite
def actors(draw, org_index, person_index) -> ActorSpec:
    way = draw(st.sampled_from(["staff"] * 5 + ["young_login", "young_member"]))
    if way == "staff":
        # Mostly the roles that work in cases (where a leak would be), every other role too.
        role = draw(st.sampled_from([*SPEC_CASE_ROLES_ORDERED * 3, *OTHER_STAFF_ROLES]))
        # Now and then a member of staff who is also a young person in the system.
        linked = draw(st.one_of(st.none(), person_index)) if draw(st.booleans()) else None
        return ActorSpec(membership=True, org=draw(org_index), role=role, person=linked)
    if way == "young_login":
        return ActorSpec(membership=False, org=0, role="young_person", person=draw(person_index))
    # A young-person membership, with or without the link to the person's record.
    return ActorSpec(
        membership=True,
        org=draw(org_index),
        role="young_person",
        person=draw(st.one_of(st.none(), person_index)),
    )


@st.composite
def scenarios(draw) -> Scenario:
    n_orgs = draw(st.integers(1, 4))
    org_index = st.integers(0, n_orgs - 1)
    orgs = tuple(draw(st.sampled_from(ORG_KINDS)) for _ in range(n_orgs))
    n_persons = draw(st.integers(1, 2))
    person_index = st.integers(0, n_persons - 1)
    actor = draw(actors(org_index, person_index))
    # The actor's organisation turns up often among those named, on teams and receiving:
    # the paths that grant access (and so could leak) are then exercised in most scenarios,
    # and every other organisation still appears.
    near_actor = st.one_of(st.just(actor.org), org_index)

    consents = []
    for _ in range(draw(st.integers(0, 5))):
        # The state is drawn first so that consents in force are common; the dates, around
        # today so that the boundaries are hit often, are what the rules above read.
        state = draw(st.sampled_from(CONSENT_STATES))
        given_on = draw(st.integers(1, 2) if state == "future" else st.integers(-3, 0))
        if state == "expired":
            expires = draw(st.integers(-3, -1))
        else:
            expires = draw(st.one_of(st.none(), st.integers(max(given_on, 0), 3)))
        named = set(draw(st.sets(org_index, max_size=3)))
        if draw(st.booleans()):
            named.add(actor.org)
        categories = set(draw(st.sets(st.sampled_from(CONSENT_CATEGORIES), min_size=1, max_size=3)))
        if draw(st.booleans()):
            categories.add("support")
        if draw(st.booleans()):
            categories.add(draw(st.sampled_from(["health", "school"])))
        consents.append(
            ConsentSpec(
                person=draw(person_index),
                orgs=frozenset(named),
                categories=frozenset(categories),
                given=given_on,
                expires=expires,
                withdrawn=state == "withdrawn",
            )
        )
    consents_of = [[c for c in consents if c.person == p] for p in range(n_persons)]

    cases: list[CaseSpec] = []
    open_pairs: set[tuple[int, int]] = set()
    for _ in range(draw(st.integers(1, 3))):
        person, owner = draw(person_index), draw(org_index)
        # One open case per person and owner (a database constraint): a second is closed.
        is_open = draw(st.booleans()) and (person, owner) not in open_pairs
        if is_open:
            open_pairs.add((person, owner))
        team = tuple(
            (draw(near_actor), draw(st.booleans())) for _ in range(draw(st.integers(0, 3)))
        )
        notes = tuple(
            (draw(org_index), draw(st.sampled_from(NOTE_CATEGORIES)))
            for _ in range(draw(st.integers(0, 3)))
        )
        actions = tuple(
            (
                draw(near_actor),
                draw(st.sampled_from(["none", "actor", "colleague"])),
                draw(st.integers(-5, 12)),
                draw(st.booleans()),
            )
            for _ in range(draw(st.integers(0, 2)))
        )
        referrals = ()
        if consents_of[person]:
            referrals = tuple(
                (
                    draw(org_index),
                    draw(near_actor),
                    draw(st.integers(0, len(consents_of[person]) - 1)),
                    draw(st.sampled_from(REFERRAL_STATUSES)),
                )
                for _ in range(draw(st.integers(0, 2)))
            )
        cases.append(
            CaseSpec(
                person=person,
                owner=owner,
                open=is_open,
                team=team,
                notes=notes,
                goals=draw(st.integers(0, 2)),
                actions=actions,
                referrals=referrals,
            )
        )

    handovers = []
    for _ in range(draw(st.integers(0, 2))):
        person = draw(person_index)
        about = [i for i, c in enumerate(cases) if c.person == person]
        handovers.append(
            HandoverSpec(
                person=person,
                from_org=draw(org_index),
                to_org=draw(near_actor),
                case=draw(st.one_of(st.none(), st.sampled_from(about))) if about else None,
            )
        )
    same_person = [
        (i, j)
        for i in range(len(cases))
        for j in range(i + 1, len(cases))
        if cases[i].person == cases[j].person
    ]
    links = tuple(draw(st.sets(st.sampled_from(same_person), max_size=2))) if same_person else ()

    return Scenario(
        orgs=orgs,
        persons=n_persons,
        consents=tuple(consents),
        cases=tuple(cases),
        handovers=tuple(handovers),
        links=links,
        checkins=frozenset(draw(st.sets(person_index))),
        actor=actor,
        writes=tuple(draw(st.sampled_from(WRITES)) for _ in range(len(cases) + 1)),
    )


# --- Building the scenario in the database ------------------------------------------------


@dataclass
class Built:
    actor: Actor
    colleague: User
    orgs: list[Organisation]
    persons: list[Person]
    consents: list[Consent]
    cases: list[Case]
    notes: list[list[int]]  # note ids per case, in scenario order
    goals: list[list[int]]
    actions: list[list[int]]
    referrals: list[list[Referral]]
    handovers: list[Handover]


def build(s: Scenario) -> Built:
    today = timezone.localdate()
    now = timezone.now()

    def day(offset: int) -> dt.date:
        return today + dt.timedelta(days=offset)

    orgs = Organisation.objects.bulk_create(
        Organisation(
            name=f"Org {i}",
            kind=kind,
            municipality_code=f"{1900 + i}" if kind == "municipality" else "",
            school_unit_code=f"{90000000 + i}" if kind == "school_unit" else "",
        )
        for i, kind in enumerate(s.orgs)
    )
    persons = Person.objects.bulk_create(
        Person(
            personal_identity_number=fresh_identity_number(),
            date_of_birth=dt.date(2008, 1, 1),
            given_name=f"Ung{i}",
            family_name="Test",
            home_municipality_code="1999",
        )
        for i in range(s.persons)
    )
    consents = Consent.objects.bulk_create(
        Consent(
            person=persons[c.person],
            given_by="young_person",
            given_on=day(c.given),
            expires_on=None if c.expires is None else day(c.expires),
            withdrawn_at=now if c.withdrawn else None,
        )
        for c in s.consents
    )
    Consent.organisations.through.objects.bulk_create(
        Consent.organisations.through(consent_id=row.pk, organisation_id=orgs[org].pk)
        for row, c in zip(consents, s.consents, strict=True)
        for org in c.orgs
    )
    ConsentCategory.objects.bulk_create(
        ConsentCategory(consent=row, category=category)
        for row, c in zip(consents, s.consents, strict=True)
        for category in c.categories
    )
    consents_of = [
        [row for row, c in zip(consents, s.consents, strict=True) if c.person == p]
        for p in range(s.persons)
    ]

    user = User.objects.create(username="actor")
    colleague = User.objects.create(username="colleague")
    a = s.actor
    if a.person is not None:
        user.person = persons[a.person]
        user.save(update_fields=["person"])
    if a.membership:
        # Written directly, past the grant services that refuse a staff role to an account
        # linked to a young person: the rules must hold even for such a row.
        Membership.objects.create(user=user, organisation=orgs[a.org], role=a.role)
    actor = actor_for_request(SimpleNamespace(user=user, session={}))

    cases = Case.objects.bulk_create(
        Case(
            person=persons[c.person],
            owner=orgs[c.owner],
            status=CaseStatus.OPEN if c.open else CaseStatus.CLOSED,
            origin=CaseOrigin.MANUAL,
            opened_on=day(-60),
            closed_on=None if c.open else day(-1),
            close_reason="" if c.open else CaseCloseReason.OTHER,
        )
        for c in s.cases
    )
    plans = Plan.objects.bulk_create(Plan(case=case) for case in cases)
    TeamMember.objects.bulk_create(
        TeamMember(case=case, organisation=orgs[org], removed_at=now if removed else None)
        for case, c in zip(cases, s.cases, strict=True)
        for org, removed in c.team
    )
    note_rows = Note.objects.bulk_create(
        Note(case=case, organisation=orgs[org], category=category, text=note_marker(i, k))
        for i, (case, c) in enumerate(zip(cases, s.cases, strict=True))
        for k, (org, category) in enumerate(c.notes)
    )
    goal_rows = Goal.objects.bulk_create(
        Goal(plan=plan, text=f"Mål {k}")
        for plan, c in zip(plans, s.cases, strict=True)
        for k in range(c.goals)
    )
    users = {"none": None, "actor": user, "colleague": colleague}
    action_rows = PlanAction.objects.bulk_create(
        PlanAction(
            plan=plan,
            text=f"Insats {k}",
            responsible_organisation=orgs[org],
            responsible_user=users[who],
            follow_up_on=day(follow_up),
            done_on=day(-1) if done else None,
        )
        for plan, c in zip(plans, s.cases, strict=True)
        for k, (org, who, follow_up, done) in enumerate(c.actions)
    )
    referral_rows = Referral.objects.bulk_create(
        Referral(
            case=case,
            from_organisation=orgs[sender],
            to_organisation=orgs[receiver],
            consent=consents_of[c.person][consent_index],
            message="Remiss",
            status=status,
        )
        for case, c in zip(cases, s.cases, strict=True)
        for sender, receiver, consent_index, status in c.referrals
    )
    handovers = Handover.objects.bulk_create(
        Handover(
            person=persons[h.person],
            case=None if h.case is None else cases[h.case],
            kind=HandoverKind.TO_UPPER_SECONDARY,
            from_school=orgs[h.from_org],
            to_school=orgs[h.to_org],
            strengths="s",
            what_has_worked="w",
            support_needed="n",
        )
        for h in s.handovers
    )
    for i, j in s.links:
        cases[i].linked.add(cases[j])
    WellbeingCheckin.objects.bulk_create(
        WellbeingCheckin(person=persons[p], item1=3, item2=3, item3=3, item4=3, item5=3, score=60)
        for p in sorted(s.checkins)
    )

    def split(rows, counts):
        out, start = [], 0
        for n in counts:
            out.append(rows[start : start + n])
            start += n
        return out

    return Built(
        actor=actor,
        colleague=colleague,
        orgs=orgs,
        persons=persons,
        consents=consents,
        cases=cases,
        notes=[[n.pk for n in ns] for ns in split(note_rows, [len(c.notes) for c in s.cases])],
        goals=[[g.pk for g in gs] for gs in split(goal_rows, [c.goals for c in s.cases])],
        actions=[
            [x.pk for x in xs] for xs in split(action_rows, [len(c.actions) for c in s.cases])
        ],
        referrals=split(referral_rows, [len(c.referrals) for c in s.cases]),
        handovers=handovers,
    )


def note_marker(case: int, note: int) -> str:
    """A text that names one note and no other, to look for on pages."""
    return f"[anteckning {case}.{note}]"


class LogCounter:
    """The access-log entries written since the last call, as sorted person ids.

    Plain SQL: it runs after every read, and the ORM's query building would otherwise be
    a good part of the test's running time."""

    SQL = f"SELECT id, person_id FROM {AccessLogEntry._meta.db_table} WHERE id > %s ORDER BY id"

    def __init__(self):
        self.seen = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new_person_ids(self) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(self.SQL, [self.seen])
            rows = cursor.fetchall()
        if rows:
            self.seen = rows[-1][0]
        return sorted(person_id for _, person_id in rows)


def _rows(payload) -> list[dict]:
    """A DRF list, paginated or not."""
    return payload["results"] if isinstance(payload, dict) and "results" in payload else payload


def _snapshot() -> tuple:
    """Everything a write on a case could change, to prove a refused write wrote nothing."""
    return (
        Note.objects.count(),
        Contact.objects.count(),
        Goal.objects.count(),
        PlanAction.objects.count(),
        Referral.objects.count(),
        list(TeamMember.objects.order_by("pk").values_list("pk", "removed_at")),
        list(Plan.objects.order_by("pk").values_list("pk", "version", "own_goal", "lead_party")),
        list(Case.objects.order_by("pk").values_list("pk", "status", "closed_on")),
        list(Referral.objects.order_by("pk").values_list("pk", "status")),
    )


def attempt_write(kind: str, actor: Actor, case: Case, b: Built) -> None:
    """One write on ``case`` with otherwise valid input: only the policy can refuse it."""
    today = timezone.localdate()
    if kind == "note":
        services.note_add(actor=actor, case=case, category=NoteCategory.HEALTH, text="Hemligt")
    elif kind == "contact":
        services.contact_record(actor=actor, case=case, date=today, channel="phone", reached=True)
    elif kind == "goal":
        services.goal_add(actor=actor, case=case, text="Nytt mål")
    elif kind == "action":
        services.plan_action_add(
            actor=actor,
            case=case,
            text="Ny insats",
            responsible_organisation=b.orgs[0],
            follow_up_on=today,
        )
    elif kind == "plan":
        services.plan_update(actor=actor, case=case, version=1, own_goal="Mitt mål", lead_party="")
    elif kind == "referral":
        services.referral_send(
            actor=actor,
            case=case,
            to_organisation=b.orgs[-1],
            consent=b.consents[0] if b.consents else Consent(pk=0),
            message="Remiss",
        )
    elif kind == "team":
        services.team_member_add(actor=actor, case=case, organisation=b.orgs[-1])
    else:
        services.case_close(actor=actor, case=case, reason=CaseCloseReason.OTHER)


def test_every_consent_category_and_role_is_generated():
    assert set(CONSENT_CATEGORIES) == set(Category.values)
    assert {*SPEC_CASE_ROLES, *OTHER_STAFF_ROLES, "young_person"} == set(Role.values)


# A thousand scenarios per run on SQLite. The PostgreSQL pass of `make test` runs the same
# properties on fewer (LOTSEN_CASE_SCENARIOS, set in the Makefile): the cost is Django
# building the policy's queries, which the database does not change, and CI has a limit.
CASE_SCENARIOS = int(os.environ.get("LOTSEN_CASE_SCENARIOS", "1000"))
# Through the REST API and the pages: a tenth as many, since each goes through HTTP.
API_SCENARIOS = max(CASE_SCENARIOS // 10, 20)

SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


class CaseAccessProperties(TestCase):
    """hypothesis.extra.django.TestCase runs each example in its own transaction."""

    _client: APIClient | None = None

    @given(scenarios())
    @settings(max_examples=CASE_SCENARIOS, **SETTINGS)
    def test_no_case_data_crosses_organisations_without_consent(self, s: Scenario):
        """Through the selectors and services: every read, and a refused write."""
        record_events(s)
        b = build(s)
        actor = b.actor
        case_ids = [case.pk for case in b.cases]
        person_of = {case.pk: case.person_id for case in b.cases}
        visible = {case_ids[i] for i in expected_cases(s)}
        visible_open = {case_ids[i] for i in expected_cases(s) if s.cases[i].open}
        missing_id = max(case_ids, default=0) + 1
        log = LogCounter()

        # The case list: open cases by default, every status on request; one log entry per
        # person listed.
        listed = [case.pk for case in selectors.case_list_for(actor=actor)]
        assert set(listed) == visible_open
        assert log.new_person_ids() == sorted({person_of[pk] for pk in listed})
        listed_all = [case.pk for case in selectors.case_list_for(actor=actor, status=None)]
        assert set(listed_all) == visible
        assert log.new_person_ids() == sorted({person_of[pk] for pk in listed_all})

        # Every case, and one that does not exist: a case not visible is answered exactly as
        # a missing one, and leaves no trace in the log.
        for i, pk in enumerate([*case_ids, missing_id]):
            try:
                case = selectors.case_get_for(actor=actor, case_id=pk)
            except Http404:
                assert pk not in visible, f"case {i} refused, but the rules allow it"
                assert log.new_person_ids() == []
                continue
            assert pk in visible, f"case {i} leaked to {s.actor}"
            assert case.pk == pk
            assert log.new_person_ids() == [person_of[pk]]

            detail = selectors.case_detail_for(actor=actor, case=case)
            assert log.new_person_ids() == []  # built on the read just logged
            spec = s.cases[i]
            notes = {n.pk for n in detail.notes}
            expected = {b.notes[i][k] for k in expected_notes(s, i)}
            assert notes == expected, f"notes of case {i}: leaked {notes - expected}"
            assert {r.pk for r in detail.referrals} == {
                r.pk
                for r, r_spec in zip(b.referrals[i], spec.referrals, strict=True)
                if expected_referral(s, i, r_spec)
            }
            assert {h.pk for h in detail.handovers} == {
                h.pk
                for h, h_spec in zip(b.handovers, s.handovers, strict=True)
                if h_spec.person == spec.person and expected_handover(s, h_spec)
            }
            # The plan shown is this case's, and nothing of another case's.
            assert {g.pk for g in detail.goals} == set(b.goals[i])
            assert {x.pk for x in detail.actions} == set(b.actions[i])
            linked = {j for pair in s.links if i in pair for j in pair if j != i}
            assert {c.pk for c in detail.linked} == {case_ids[j] for j in linked} & visible

        # The young person's own pages: their own cases and plans, and nobody else's; for
        # everyone else (staff included) the pages do not exist.
        if own_person(s) is not None:
            plans = youth_plans(actor=actor)
            assert {row.case.pk for row in plans} == visible
            assert log.new_person_ids() == [actor.user.person_id] * len(plans)
            for row in plans:
                i = case_ids.index(row.case.pk)
                assert {g.pk for g in row.goals} == set(b.goals[i])
                assert {x.pk for x in row.actions} == set(b.actions[i])
            for pk in [*case_ids, missing_id]:
                if pk in visible:
                    continue
                with self.assertRaises(Http404):
                    youth_plans(actor=actor, case_id=pk)
                assert log.new_person_ids() == []
        else:
            with self.assertRaises(Http404):
                youth_plans(actor=actor)
            assert log.new_person_ids() == []

        # The young person's WHO-5 answers on a case page: health-related data.
        for i, case in enumerate(b.cases):
            checkins = wellbeing_for_case(actor=actor, case=case)
            if expected_wellbeing(s, i):
                assert checkins is not None, f"check-ins on case {i} refused"
                has = s.cases[i].person in s.checkins
                assert len(checkins) == int(has)
                assert log.new_person_ids() == ([case.person_id] if has else [])
            else:
                assert checkins is None, f"check-ins on case {i} leaked to {s.actor}"
                assert log.new_person_ids() == []

        # Referrals, one by one, and the receiver's "waiting for you" list.
        expected_pending = set()
        for i, spec in enumerate(s.cases):
            for referral, r_spec in zip(b.referrals[i], spec.referrals, strict=True):
                allowed = expected_referral(s, i, r_spec)
                if allowed and r_spec[1] == s.actor.org and r_spec[3] == "pending":
                    expected_pending.add(referral.pk)
                try:
                    got = selectors.referral_get_for(actor=actor, referral_id=referral.pk)
                except Http404:
                    assert not allowed, f"referral {r_spec} on case {i} refused"
                    assert log.new_person_ids() == []
                else:
                    assert allowed, f"referral {r_spec} on case {i} leaked to {s.actor}"
                    assert got.pk == referral.pk
                    assert log.new_person_ids() == [person_of[case_ids[i]]]
        with self.assertRaises(Http404):
            selectors.referral_get_for(actor=actor, referral_id=10**9)
        allowed_referrals = {
            referral.pk
            for i, spec in enumerate(s.cases)
            for referral, r_spec in zip(b.referrals[i], spec.referrals, strict=True)
            if expected_referral(s, i, r_spec)
        }
        referral_list = selectors.referral_list_for(actor=actor)
        assert {r.pk for r in referral_list} == allowed_referrals
        assert log.new_person_ids() == sorted({r.case.person_id for r in referral_list})
        pending = [r.pk for r in selectors.referrals_pending_for(actor=actor)]
        assert len(pending) == len(set(pending))
        assert set(pending) == expected_pending
        assert log.new_person_ids() == []  # the list names nobody until one is opened

        # Handovers, one by one.
        for handover, h_spec in zip(b.handovers, s.handovers, strict=True):
            allowed = expected_handover(s, h_spec)
            try:
                got = selectors.handover_get_for(actor=actor, handover_id=handover.pk)
            except Http404:
                assert not allowed, f"handover {h_spec} refused"
                assert log.new_person_ids() == []
            else:
                assert allowed, f"handover {h_spec} leaked to {s.actor}"
                assert got.pk == handover.pk
                assert log.new_person_ids() == [handover.person_id]

        # The door itself, asked for every note at once: the same answer as case by case
        # (a note is never read without its case, wherever a caller starts from).
        policy = CasePolicy(actor)
        assert set(Note.objects.filter(policy.notes_q()).values_list("pk", flat=True)) == {
            b.notes[i][k] for i in range(len(s.cases)) for k in expected_notes(s, i)
        }

        # Writes on every case the actor may not see (and a missing one): each is refused
        # like a missing case (or, for a role outside cases, for the role), and nothing at
        # all is written or logged.
        missing = Case(pk=missing_id, person=b.persons[0], owner=b.orgs[0])
        hidden = [case for case in b.cases if case.pk not in visible]
        before = _snapshot()
        for kind, case in zip(s.writes, [missing, *hidden], strict=False):
            refusal = Http404 if staff_org(s) is not None else PermissionDenied
            with self.assertRaises(refusal, msg=f"{kind} on hidden case {case.pk}"):
                attempt_write(kind, actor, case, b)
        # Answers to referrals the actor may not see.
        for i, spec in enumerate(s.cases):
            for referral, r_spec in zip(b.referrals[i], spec.referrals, strict=True):
                if expected_referral(s, i, r_spec):
                    continue
                refusal = Http404 if staff_org(s) is not None else PermissionDenied
                answer = services.referral_accept if referral.pk % 2 else services.referral_revoke
                with self.assertRaises(refusal):
                    answer(actor=actor, referral=referral)
        assert _snapshot() == before, "a refused write wrote something"
        assert log.new_person_ids() == []

        # A health note written on a visible open case: the writer reads it, logged once.
        writable = [i for i in sorted(expected_cases(s)) if s.cases[i].open]
        if staff_org(s) is not None and writable:
            case = b.cases[writable[0]]
            note = services.note_add(
                actor=actor, case=case, category=NoteCategory.HEALTH, text="Egen"
            )
            assert log.new_person_ids() == [case.person_id]
            detail = selectors.case_detail_for(actor=actor, case=case)
            assert note.pk in {n.pk for n in detail.notes}

    @given(scenarios())
    @settings(max_examples=API_SCENARIOS, **SETTINGS)
    def test_the_api_and_the_pages_agree_with_the_rules(self, s: Scenario):
        """Through HTTP, as the logged-in actor: the REST API and the staff pages; and the
        start page's "to do" list."""
        b = build(s)
        case_ids = [case.pk for case in b.cases]
        person_of = {case.pk: case.person_id for case in b.cases}
        visible = {case_ids[i] for i in expected_cases(s)}
        missing_id = max(case_ids, default=0) + 1
        log = LogCounter()
        # One client for every example: building its handler (the middleware, WhiteNoise's
        # scan of the static files) costs more than an example does.
        if CaseAccessProperties._client is None:
            CaseAccessProperties._client = APIClient()
        client = CaseAccessProperties._client
        client.force_login(b.actor.user)  # one membership at most: the middleware picks it
        # At level 3, as after a second factor: the rules below are about consent; what a
        # weaker login sees of the same notes is tests/accounts/test_mfa_step_up.py's.
        session = client.session
        session["lotsen_assurance_level"] = "loa3"
        session.save()

        response = client.get("/api/v1/cases/", {"status": "all"})
        assert response.status_code == 200
        api_listed = [row["id"] for row in _rows(response.json())]
        assert set(api_listed) == visible
        assert log.new_person_ids() == sorted({person_of[pk] for pk in api_listed})
        for pk in [*case_ids, missing_id]:
            response = client.get(f"/api/v1/cases/{pk}/")
            assert response.status_code == (200 if pk in visible else 404)
            if pk in visible:
                assert log.new_person_ids() == [person_of[pk]]
                row = response.json()
                assert set(row["linked_cases"]) <= visible
            else:
                assert log.new_person_ids() == []
        for pk in case_ids[:1]:
            response = client.get(f"/api/v1/cases/{pk}/plan/")
            assert response.status_code == (200 if pk in visible else 404)
            if pk in visible:
                assert {g["id"] for g in response.json()["goals"]} == set(b.goals[0])
            log.new_person_ids()

        allowed_referrals = {
            referral.pk
            for i, spec in enumerate(s.cases)
            for referral, r_spec in zip(b.referrals[i], spec.referrals, strict=True)
            if expected_referral(s, i, r_spec)
        }
        response = client.get("/api/v1/referrals/")
        assert response.status_code == 200
        assert {row["id"] for row in _rows(response.json())} == allowed_referrals
        log.new_person_ids()

        # The "to do" list on the start page: follow-ups only on visible open cases, for the
        # actor's organisation and not named to a colleague; referrals waiting for the
        # actor's organisation that it may see.
        expected_pending = {
            referral.pk
            for spec, referrals in zip(s.cases, b.referrals, strict=True)
            for referral, (_, receiver, _, status) in zip(referrals, spec.referrals, strict=True)
            if referral.pk in allowed_referrals and receiver == s.actor.org and status == "pending"
        }
        follow_ups = sorted(
            reverse("support:case_detail", args=[case_ids[i]])
            for i in expected_cases(s)
            if s.cases[i].open and staff_org(s) is not None
            for org, who, follow_up, done in s.cases[i].actions
            if org == s.actor.org and who != "colleague" and follow_up <= 7 and not done
        )
        tasks = selectors.case_tasks_for(actor=b.actor)
        assert sorted(t.url for t in tasks if t.kind == "follow_up") == follow_ups
        assert {t.url for t in tasks if t.kind == "referral"} == {
            reverse("support:referral_detail", args=[pk]) for pk in expected_pending
        }
        log.new_person_ids()  # consents on the list log on their own terms

        # The staff pages: a case page shows exactly the notes the rules allow (looked for
        # by their text), and a page the actor may not see is a plain 404.
        if staff_org(s) is None:
            # Outside the case roles, staff pages do not exist: a young person's session
            # gets 404 outside their own pages (youth.middleware), their own case's staff
            # page included (Mina sidor shows them their plan), as for anyone else's.
            for pk in [*case_ids, missing_id]:
                response = client.get(reverse("support:case_detail", args=[pk]))
                assert response.status_code == 404
            return
        for i, pk in enumerate([*case_ids, missing_id]):
            response = client.get(reverse("support:case_detail", args=[pk]))
            if pk not in visible:
                assert response.status_code == 404
                assert log.new_person_ids() == []
                continue
            assert response.status_code == 200
            page = response.content.decode()
            shown = {k for k in range(len(s.cases[i].notes)) if note_marker(i, k) in page}
            assert shown == expected_notes(s, i), f"case page {i} shows notes {shown}"
            log.new_person_ids()
        for referrals in b.referrals:
            for referral in referrals:
                response = client.get(reverse("support:referral_detail", args=[referral.pk]))
                assert response.status_code == (200 if referral.pk in allowed_referrals else 404)
        for handover, h_spec in zip(b.handovers, s.handovers, strict=True):
            response = client.get(reverse("support:handover_detail", args=[handover.pk]))
            assert response.status_code == (200 if expected_handover(s, h_spec) else 404)
