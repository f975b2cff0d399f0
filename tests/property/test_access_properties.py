"""Access control as a property, over generated scenarios.

Hypothesis builds organisations, memberships, persons with enrolments, consents (active,
expired, not yet given, withdrawn), emergency grants, and programmes whose sub-projects
have participants, then asks the system, through every way in (list, search, detail,
REST API, the person search page), what one actor sees. The answer must equal what the
rules in DESIGN.md say, computed here in plain Python from the scenario alone, and every
person returned must leave exactly one access-log entry.

The actor's role mostly fits its organisation (a KAA coordinator at a municipality, school
roles at a school unit or organiser, a case worker at social services), with mismatches
too; enrolments at the actor's school are current, former or future, and persons are
registered in other municipalities as well, so that the app bases (school, kaa) are
probed at their edges.

Project leaders and evaluators are drawn often: they never get a person through the
person door (for any purpose or category), never see contact details, and project leaders
read participant records only, of the sub-projects their organisation leads or takes part
in or whose programme it leads. Taking part in a sub-project grants nobody else anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from rest_framework.test import APIClient

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, Role, User
from lotsen.people.models import Guardian, Person
from lotsen.people.selectors import person_get_for, person_list
from lotsen.privacy.models import (
    AccessLogEntry,
    Category,
    Consent,
    ConsentCategory,
    EmergencyAccess,
    Purpose,
)
from lotsen.privacy.policy import PersonPolicy
from lotsen.programmes.models import Participation, Programme, SubProject
from lotsen.programmes.selectors import participation_get_for, participation_list
from lotsen.school.models import Enrolment
from tests.factories import fresh_identity_number

MUNICIPALITY_CODES = ["0180", "1480", "1999"]
ORG_KINDS = [
    "municipality",
    "school_unit",
    "school_organiser",
    "social_services",
    "health_care",
    "employment_service",
    "region",
    "other",
]
CATEGORIES = ["school", "kaa", "support", "health"]
NAMES = ["Alva", "Omar", "Saga", "Leo", "Nora", "Elias"]
# The kinds whose legal bases are worth probing: the actor's own organisation is one of
# them most of the time, or the app bases (kaa, school) would hardly ever be exercised.
ACTOR_ORG_KINDS = ["municipality", "school_unit", "school_organiser", "social_services"]
# The roles that fit an organisation kind, drawn most of the time, so a KAA coordinator
# sits at a municipality and a mentor at a school; any staff role still comes up as a
# mismatch.
ROLES_FOR_KIND = {
    "municipality": ["kaa_coordinator"],
    "school_unit": ["mentor", "student_health", "counsellor"],
    "school_organiser": ["mentor", "student_health", "counsellor"],
    "social_services": ["case_worker"],
    "health_care": ["case_worker", "student_health"],
    "employment_service": ["case_worker", "project_leader"],
    "region": ["project_leader", "evaluator"],
    "other": ["project_leader", "evaluator"],
}

# The specification, stated independently of lotsen.privacy.policy.
SPEC_PURPOSE = {
    "kaa_coordinator": "kaa",
    "mentor": "school",
    "student_health": "school",
    "counsellor": "school",
    "case_worker": "support",
    "young_person": "self",
}
SPEC_EMERGENCY_ROLES = {"kaa_coordinator", "mentor", "student_health", "counsellor", "case_worker"}
SPEC_PROGRAMME_ROLES = {"project_leader", "evaluator"}
# 500 scenarios; a slower database pass may ask for fewer (LOTSEN_ACCESS_SCENARIOS).
ACCESS_SCENARIOS = int(os.environ.get("LOTSEN_ACCESS_SCENARIOS", "500"))
STAFF_ROLES = [r.value for r in Role if r != Role.YOUNG_PERSON]
# What a participant record may hold: the name, gender and age band at entry, and the
# participation's own data. Nothing else Lotsen knows about the person.
SPEC_RECORD_FIELDS = {
    "participation_id",
    "subproject_id",
    "subproject_name",
    "name",
    "gender",
    "age_band",
    "entry_date",
    "entry_status",
    "education_level",
    "disability",
    "foreign_background",
    "exit_date",
    "exit_status",
    "followup_6m_status",
}
ADDRESS, PHONE, GUARDIAN = "Kontaktvägen 3", "070-9998877", "Vårdnadshavare Test"


@dataclass
class OrgSpec:
    kind: str
    municipality_code: str = ""
    parent: int | None = None  # index of an earlier organisation


@dataclass
class PersonSpec:
    home: str
    given_name: str
    enrolments: list[tuple[int, int, int | None]] = field(default_factory=list)  # org, start, end
    consents: list[tuple[frozenset[int], frozenset[str], int, int | None, bool]] = field(
        default_factory=list
    )


@st.composite
def scenarios(draw):
    n_orgs = draw(st.integers(1, 6))
    me = draw(st.integers(0, n_orgs - 1))  # the actor's organisation
    orgs: list[OrgSpec] = []
    used_codes: set[str] = set()
    for i in range(n_orgs):
        kind = draw(
            st.one_of(st.sampled_from(ACTOR_ORG_KINDS), st.sampled_from(ORG_KINDS))
            if i == me
            else st.sampled_from(ORG_KINDS)
        )
        code = ""
        if kind == "municipality":
            free = [c for c in MUNICIPALITY_CODES if c not in used_codes]
            if not free:
                kind = "other"
            else:
                code = draw(st.sampled_from(free))
                used_codes.add(code)
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        orgs.append(OrgSpec(kind=kind, municipality_code=code, parent=parent))
    # An organiser actor usually has a unit of its own (units only point to earlier orgs).
    if orgs[me].kind == "school_organiser" and draw(st.booleans()):
        orgs.append(OrgSpec(kind="school_unit", parent=me))
    n_orgs = len(orgs)
    my_units = [
        i
        for i, o in enumerate(orgs)
        if (i == me and o.kind == "school_unit")
        or (orgs[me].kind == "school_organiser" and o.parent == me)
    ]

    # Enrolments: anywhere, or at the actor's school; current, former (ended), future (not
    # started), or any dates at all (an end before the start included).
    enrolment_unit = (
        st.one_of(st.sampled_from(my_units), st.integers(0, n_orgs - 1))
        if my_units
        else st.integers(0, n_orgs - 1)
    )
    enrolment_dates = st.one_of(
        st.tuples(st.integers(-400, 0), st.one_of(st.none(), st.integers(0, 30))),  # current
        st.tuples(st.integers(-400, -31), st.integers(-30, -1)),  # former
        st.tuples(st.integers(1, 20), st.one_of(st.none(), st.integers(21, 30))),  # future
        st.tuples(st.integers(-400, 20), st.one_of(st.none(), st.integers(-30, 30))),
    )
    persons = []
    for _ in range(draw(st.integers(0, 7))):
        # Registered in any municipality, also one no organisation in the scenario has.
        p = PersonSpec(
            home=draw(st.sampled_from([*MUNICIPALITY_CODES, "2584"])),
            given_name=draw(st.sampled_from(NAMES)),
        )
        for _ in range(draw(st.integers(0, 2))):
            start, end = draw(enrolment_dates)
            p.enrolments.append((draw(enrolment_unit), start, end))
        for _ in range(draw(st.integers(0, 2))):
            p.consents.append(
                (
                    frozenset(draw(st.sets(st.integers(0, n_orgs - 1), max_size=3))),
                    frozenset(draw(st.sets(st.sampled_from(CATEGORIES), min_size=1))),
                    draw(st.integers(-30, 3)),  # given, days from today
                    draw(st.one_of(st.none(), st.integers(-10, 30))),  # expires
                    draw(st.booleans()),  # withdrawn
                )
            )
        persons.append(p)

    actor_is_young_person = bool(persons) and draw(st.booleans()) and draw(st.booleans())
    actor = {
        "org": me,
        "role": "young_person"
        if actor_is_young_person
        # A role fitting the organisation about half the time, otherwise any staff role
        # or (often) a project leader or evaluator.
        else draw(
            st.one_of(
                st.sampled_from(ROLES_FOR_KIND[orgs[me].kind]),
                st.sampled_from(ROLES_FOR_KIND[orgs[me].kind]),
                st.sampled_from(STAFF_ROLES),
                st.sampled_from(sorted(SPEC_PROGRAMME_ROLES)),
            )
        ),
        "self": draw(st.integers(0, len(persons) - 1)) if actor_is_young_person else None,
        # An emergency grant on some person, open or expired.
        "grant": (draw(st.integers(0, len(persons) - 1)), draw(st.booleans()))
        if persons and draw(st.booleans())
        else None,
    }
    query = draw(
        st.one_of(st.sampled_from(NAMES), st.integers(0, max(len(persons) - 1, 0)), st.just("zz"))
    )
    # Programmes (their lead organisation), sub-projects (programme, lead organisation,
    # taking part) and participations (person, sub-project, days before today at entry).
    programmes = draw(st.lists(st.integers(0, n_orgs - 1), max_size=2))
    subprojects = []
    if programmes:
        for _ in range(draw(st.integers(1, 3))):
            subprojects.append(
                (
                    draw(st.integers(0, len(programmes) - 1)),
                    draw(st.integers(0, n_orgs - 1)),
                    frozenset(draw(st.sets(st.integers(0, n_orgs - 1), max_size=2))),
                )
            )
    participations = []
    if subprojects and persons:
        for _ in range(draw(st.integers(0, 6))):
            participations.append(
                (
                    draw(st.integers(0, len(persons) - 1)),
                    draw(st.integers(0, len(subprojects) - 1)),
                    draw(st.integers(0, 800)),
                )
            )
    programme = {
        "programmes": programmes,
        "subprojects": subprojects,
        "participations": participations,
    }
    return orgs, persons, actor, query, programme


def expected_visible(orgs, persons, actor) -> set[int]:
    """Indices of persons the rules let the actor list and search (identity category)."""
    role = actor["role"]
    if role == "young_person":
        return {actor["self"]}
    purpose = SPEC_PURPOSE.get(role)
    if purpose is None:
        return set()
    me = actor["org"]
    org = orgs[me]
    visible = set()
    for i, p in enumerate(persons):
        if purpose == "kaa" and org.kind == "municipality" and p.home == org.municipality_code:
            visible.add(i)
        if purpose == "school" and org.kind in ("school_unit", "school_organiser"):
            for unit, start, end in p.enrolments:
                at_my_school = (unit == me and org.kind == "school_unit") or (
                    org.kind == "school_organiser" and orgs[unit].parent == me
                )
                current = start <= 0 and (end is None or end >= 0)
                if at_my_school and current:
                    visible.add(i)
        for named, _categories, given_on, expires, withdrawn in p.consents:
            in_force = not withdrawn and given_on <= 0 and (expires is None or expires >= 0)
            if me in named and in_force:
                visible.add(i)
    return visible


def expected_detail(orgs, persons, actor) -> set[int]:
    """List and search, plus a person under an open emergency grant of an emergency role."""
    visible = expected_visible(orgs, persons, actor)
    if actor["grant"] and actor["role"] in SPEC_EMERGENCY_ROLES and actor["grant"][1]:
        visible.add(actor["grant"][0])
    return visible


def expected_records(orgs, programme, actor) -> set[int]:
    """Indices of participations whose record the actor reads: project leaders only, in
    sub-projects their organisation leads or takes part in, or whose programme it leads."""
    if actor["role"] != "project_leader":
        return set()
    me = actor["org"]
    leads = programme["programmes"]
    return {
        k
        for k, (_person, sub, _days) in enumerate(programme["participations"])
        if programme["subprojects"][sub][1] == me
        or me in programme["subprojects"][sub][2]
        or leads[programme["subprojects"][sub][0]] == me
    }


def expected_age_band(born: dt.date, entry: dt.date) -> str:
    """ESF+ age bands at entry: under 18, 18–29, 30 and above."""
    age = entry.year - born.year - ((entry.month, entry.day) < (born.month, born.day))
    if age < 18:
        return "below_18"
    return "age_18_29" if age <= 29 else "age_30_and_above"


def build_programmes(org_rows, person_rows, programme):
    today = timezone.localdate()
    programme_rows = [
        Programme.objects.create(
            name=f"Program {i}",
            framework="esfplus",
            start=today - dt.timedelta(days=1000),
            end=today + dt.timedelta(days=365),
            lead_organisation=org_rows[lead],
        )
        for i, lead in enumerate(programme["programmes"])
    ]
    sub_rows = []
    for i, (prog, lead, taking_part) in enumerate(programme["subprojects"]):
        sub = SubProject.objects.create(
            programme=programme_rows[prog],
            name=f"Delprojekt {i}",
            lead_organisation=org_rows[lead],
            start=today - dt.timedelta(days=1000),
            end=today + dt.timedelta(days=365),
        )
        sub.organisations.set([org_rows[o] for o in taking_part])
        sub_rows.append(sub)
    part_rows = [
        Participation.objects.create(
            person=person_rows[person],
            subproject=sub_rows[sub],
            # The project's own name for the participant, never the person's (issue 10).
            given_name=f"Deltagare{k}",
            family_name="Projektnamn",
            gender="woman",
            entry_date=today - dt.timedelta(days=days),
            entry_status="unemployed",
        )
        for k, (person, sub, days) in enumerate(programme["participations"])
    ]
    return sub_rows, part_rows


def build(orgs, persons, actor):
    today = timezone.localdate()
    day = lambda offset: today + dt.timedelta(days=offset)  # noqa: E731
    org_rows: list[Organisation] = []
    for i, o in enumerate(orgs):
        org_rows.append(
            Organisation.objects.create(
                name=f"Org {i}",
                kind=o.kind,
                municipality_code=o.municipality_code,
                school_unit_code=f"{90000000 + i}" if o.kind == "school_unit" else "",
                parent=org_rows[o.parent] if o.parent is not None else None,
            )
        )
    person_rows = []
    for p in persons:
        number = fresh_identity_number()
        row = Person.objects.create(
            personal_identity_number=number,
            date_of_birth=dt.date(2008, 1, 1),
            given_name=p.given_name,
            family_name="Test",
            home_municipality_code=p.home,
            street_address=ADDRESS,
            phone=PHONE,
        )
        Guardian.objects.create(person=row, name=GUARDIAN, phone=PHONE)
        person_rows.append(row)
        for unit, start, end in p.enrolments:
            Enrolment.objects.create(
                person=row,
                school_unit=org_rows[unit],
                school_type="GR",
                start_date=day(start),
                end_date=None if end is None else day(end),
            )
        for named, categories, given_on, expires, withdrawn in p.consents:
            consent = Consent.objects.create(
                person=row,
                given_by="young_person",
                given_on=day(given_on),
                expires_on=None if expires is None else day(expires),
                withdrawn_at=timezone.now() if withdrawn else None,
            )
            consent.organisations.set([org_rows[i] for i in named])
            ConsentCategory.objects.bulk_create(
                ConsentCategory(consent=consent, category=c) for c in categories
            )

    user = User.objects.create(username="actor")
    if actor["role"] == "young_person":
        user.person = person_rows[actor["self"]]
        user.save()
        actor_obj = Actor.for_young_person(user)
    else:
        membership = Membership.objects.create(
            user=user, organisation=org_rows[actor["org"]], role=actor["role"]
        )
        actor_obj = Actor.for_membership(membership)
    if actor["grant"]:
        target, open_ = actor["grant"]
        now = timezone.now()
        EmergencyAccess.objects.create(
            actor_user=user,
            organisation=org_rows[actor["org"]],
            person=person_rows[target],
            reason="generated",
            expires_at=now + dt.timedelta(minutes=30 if open_ else -1),
        )
    return org_rows, person_rows, actor_obj


class LogCounter:
    """The access-log entries written since the last call, as person ids."""

    def __init__(self):
        self.seen = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def new_person_ids(self) -> list[int]:
        rows = list(
            AccessLogEntry.objects.filter(id__gt=self.seen)
            .order_by("id")
            .values_list("id", "person_id")
        )
        if rows:
            self.seen = rows[-1][0]
        return sorted(person_id for _, person_id in rows)


class AccessProperties(TestCase):
    # hypothesis.extra.django.TestCase runs each example in its own transaction.
    @given(scenarios())
    @settings(
        max_examples=ACCESS_SCENARIOS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def test_every_way_in_agrees_with_the_rules(self, scenario):
        orgs, persons, actor_spec, query, programme = scenario
        org_rows, person_rows, actor = build(orgs, persons, actor_spec)
        sub_rows, part_rows = build_programmes(org_rows, person_rows, programme)
        ids = [p.pk for p in person_rows]
        allowed = {ids[i] for i in expected_visible(orgs, persons, actor_spec)}
        allowed_detail = {ids[i] for i in expected_detail(orgs, persons, actor_spec)}
        log = LogCounter()

        # List.
        listed = [p.pk for p in person_list(actor=actor)]
        assert set(listed) == allowed
        assert log.new_person_ids() == sorted(listed)

        # Search, by a name or by a full personnummer (of anybody in the scenario).
        if isinstance(query, int) and person_rows:
            text, target = person_rows[query].personal_identity_number, {person_rows[query].pk}
        else:
            text = str(query)
            target = {p.pk for p in person_rows if p.given_name.lower().find(text.lower()) >= 0}
        found = [p.pk for p in person_list(actor=actor, query=text)]
        assert set(found) == allowed & target
        assert log.new_person_ids() == sorted(found)

        # Detail: every person in the scenario, and an id that does not exist.
        for pk in [*ids, max(ids, default=0) + 1]:
            try:
                access = person_get_for(actor=actor, person_id=pk)
            except Http404:
                assert pk not in allowed_detail
                assert log.new_person_ids() == []
            else:
                assert pk in allowed_detail and access.person.pk == pk
                assert log.new_person_ids() == [pk]

        # The REST API, as a logged-in client. A role that reaches nobody is refused the
        # collection; a single person is the same 404 as a missing one.
        client = APIClient()
        client.force_login(actor.user)
        reaches = actor_spec["role"] in SPEC_PURPOSE
        response = client.get("/api/v1/persons/")
        if reaches:
            assert response.status_code == 200
            api_listed = [row["id"] for row in response.json()]
            assert set(api_listed) == allowed
            assert log.new_person_ids() == sorted(api_listed)
        else:
            assert response.status_code == 403
            assert log.new_person_ids() == []
        for pk in ids[:3]:
            detail = client.get(f"/api/v1/persons/{pk}/")
            assert detail.status_code == (200 if pk in allowed_detail else 404)
            assert log.new_person_ids() == ([pk] if pk in allowed_detail else [])
        # The person search page is not there for a role that reaches nobody.
        if actor_spec["role"] != "young_person":
            assert client.get("/personer/").status_code == (200 if reaches else 404)

        if actor_spec["role"] in SPEC_PROGRAMME_ROLES:
            self.assert_the_person_door_is_shut(actor, person_rows, client)
        self.assert_participant_records(actor, orgs, programme, actor_spec, sub_rows, part_rows)

    def assert_the_person_door_is_shut(self, actor, person_rows, client):
        policy = PersonPolicy(actor)
        for purpose in Purpose:
            for category in Category:
                assert not policy.persons(purpose=purpose, category=category).exists()
        for person in person_rows:
            assert not policy.may_see_contact_details(person)
            body = client.get(f"/api/v1/persons/{person.pk}/").content.decode()
            for text in (person.personal_identity_number, ADDRESS, PHONE, GUARDIAN):
                assert text not in body

    def assert_participant_records(self, actor, orgs, programme, actor_spec, sub_rows, part_rows):
        """Through the participant-record door: exactly the team's participations, each
        record holding nothing but the allowed fields, one log entry per person shown."""
        log = LogCounter()
        wanted = expected_records(orgs, programme, actor_spec)
        for s, sub in enumerate(sub_rows):
            records = participation_list(actor=actor, subproject=sub)
            here = {k for k in wanted if programme["participations"][k][1] == s}
            assert {r.participation_id for r in records} == {part_rows[k].pk for k in here}
            assert log.new_person_ids() == sorted({part_rows[k].person_id for k in here})
        for k, row in enumerate(part_rows):
            try:
                record = participation_get_for(actor=actor, participation_id=row.pk)
            except Http404:
                assert k not in wanted
                assert log.new_person_ids() == []
            else:
                assert k in wanted
                assert log.new_person_ids() == [row.person_id]
                assert {f.name for f in dataclasses.fields(record)} == SPEC_RECORD_FIELDS
                assert record.name == f"Deltagare{k} Projektnamn" != row.person.full_name
                assert record.age_band == expected_age_band(
                    row.person.date_of_birth, row.entry_date
                )
