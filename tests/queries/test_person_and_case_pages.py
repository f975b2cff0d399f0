"""Query counts of the person page, the KAA register's page about one young person and the
case page, pinned and flat in the number of rows they list (issue 16, must-show 4: "query
counts pinned and flat in the number of rows" for the person and case pages).

The person page is about one pupil, opened by every role that reaches them: the school's
mentor, student health and study counsellor (their own pupil), social services' case
worker (a consent names them) and the KAA coordinator (registered in the municipality).
``grow`` adds to that one person: a subject grade, a week of attendance, an earlier
enrolment, a closed signal with its reasons and history, an older risk score and an
objection to the latest, a guardian, and a consent and a case at one more organisation,
with every viewer's organisation on its team. The KAA coordinator's register page grows
by contacts, measures with follow-ups, notices, earlier periods in the register,
residences, qualifications and equivalent education. The case page grows by goals,
actions, contacts, notes, referrals, consents, team members, interventions, handovers,
linked cases and the young person's own messages and check-ins.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.earlywarning.models import (
    ModelVersion,
    RiskScore,
    ScoreObjection,
    SignalEvent,
    SignalReason,
)
from lotsen.kaa.models import (
    CohortMembership,
    Contact,
    EquivalentEducation,
    FollowUp,
    Measure,
    MeasureType,
    Notice,
    Plan,
    Qualification,
    ResidencePeriod,
)
from lotsen.people.models import Guardian
from lotsen.school.merit import SUBJECT_CODES
from lotsen.support.models import Handover, Intervention, Method, Note, Referral
from tests.factories import (
    AttendancePeriodFactory,
    EnrolmentFactory,
    GradeFactory,
    MembershipFactory,
    ModelVersionFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    SignalFactory,
    consent_create,
)
from tests.kaa.conftest import M, refresh, years_ago, young
from tests.queries.pinning import N, assert_flat_and_pinned
from tests.youth.factories import (
    CaseFactory,
    ContactFactory,
    GoalFactory,
    PlanActionFactory,
    PlanFactory,
    TeamMemberFactory,
    WellbeingCheckinFactory,
    YouthMessageFactory,
)

pytestmark = pytest.mark.django_db

CODE = "2480"


def _model_version() -> ModelVersion:
    return ModelVersionFactory(version="queries12345")


def _score(world, *, features_as_of: dt.date) -> RiskScore:
    # With the explanation stored, the page never loads the fitted model.
    return RiskScore.objects.create(
        person=world.pupil,
        model_version=world.model_version,
        school_unit=world.school,
        probability=0.41,
        band="high",
        explanation=[{"text": "Mycket frånvaro de senaste fyra veckorna"}],
        features_as_of=features_as_of,
        scored_at=timezone.now(),
    )


# --- The person page ---------------------------------------------------------------------


@pytest.fixture
def world(db):
    municipality = MunicipalityFactory(municipality_code=CODE, name="Kommunen")
    school = SchoolUnitFactory(name="Björkskolan", municipality_code=CODE)
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    members = {
        role: MembershipFactory(organisation=organisation, role=role)
        for role, organisation in [
            (Role.MENTOR, school),
            (Role.STUDENT_HEALTH, school),
            (Role.COUNSELLOR, school),
            (Role.CASE_WORKER, social),
            (Role.KAA_COORDINATOR, municipality),
        ]
    }
    pupil = PersonFactory(given_name="Sara", family_name="Lind", home_municipality_code=CODE)
    EnrolmentFactory(person=pupil, school_unit=school, school_type="GR", school_year=9)
    # An open signal, assigned to the mentor: the pupil is in the school roles' inbox.
    SignalFactory(
        person=pupil,
        school_unit=school,
        assigned_to=members[Role.MENTOR].user,
        status="acknowledged",
        raised_on=timezone.localdate() - dt.timedelta(days=5),
    )
    world = SimpleNamespace(
        municipality=municipality,
        school=school,
        social=social,
        members=members,
        pupil=pupil,
        model_version=_model_version(),
        rounds=itertools.count(),
    )
    # The latest risk assessment, the one the page shows; older ones come with ``grow``.
    world.latest_score = _score(world, features_as_of=timezone.localdate())
    return world


def grow_person(world, n: int) -> None:
    today = timezone.localdate()
    pupil, school = world.pupil, world.school
    mentor = world.members[Role.MENTOR].user
    for _ in range(n):
        i = next(world.rounds)
        # School: a grade in one more subject, one more week of attendance, an earlier
        # enrolment at another school.
        GradeFactory(
            person=pupil,
            school_unit=school,
            subject_code=SUBJECT_CODES[i],
            value="C",
            semester="VT",
            year=today.year,
            registered_on=today - dt.timedelta(days=150),
        )
        AttendancePeriodFactory(
            person=pupil,
            school_unit=school,
            end_date=today - dt.timedelta(days=7 * i + 1),
            invalid_absence_minutes=50,
        )
        started = today - dt.timedelta(days=500 + 100 * i)
        EnrolmentFactory(
            person=pupil,
            school_unit=SchoolUnitFactory(name=f"Tidigare skola {i}"),
            school_year=6,
            start_date=started,
            end_date=started + dt.timedelta(days=90),
            end_reason="Flyttat",
        )
        # Early warning: a closed signal with its reason and history, an older risk score,
        # and the young person's objection to the latest one.
        signal = SignalFactory(
            person=pupil,
            school_unit=school,
            status="closed",
            raised_on=today - dt.timedelta(days=60 + i),
            assigned_to=mentor,
            acknowledged_by=mentor,
            closed_by=mentor,
            closed_at=timezone.now(),
        )
        SignalReason.objects.create(
            signal=signal,
            rule_id=signal.rule_id,
            reason=signal.reason,
            evidence=signal.evidence,
            raised_on=signal.raised_on,
        )
        SignalEvent.objects.create(signal=signal, kind="raised")
        SignalEvent.objects.create(signal=signal, kind="closed", actor=mentor, text="Klart")
        _score(world, features_as_of=today - dt.timedelta(days=30 * (i + 1)))
        ScoreObjection.objects.create(score=world.latest_score, text=f"Invändning nummer {i}")
        # Identity: one more guardian.
        Guardian.objects.create(person=pupil, name=f"Vårdnadshavare nummer {i}", phone="070")
        # Coordinated support: a case at one more organisation, with every viewer's
        # organisation on its team, and the consent that lets them see it.
        owner = OrganisationFactory(
            name=f"Mottagning {i}", kind=OrganisationKind.HEALTH_CARE, municipality_code=CODE
        )
        organisations = [owner, school, world.social, world.municipality]
        consent_create(person=pupil, organisations=organisations, categories=["support"])
        case = CaseFactory(person=pupil, owner=owner)
        for organisation in organisations:
            TeamMemberFactory(case=case, organisation=organisation)
        case.target_groups.create(group="dropout")


# Pinned on SQLite; PostgreSQL makes one more (the access log's lock). Every role: session,
# user, memberships; the person through the door and whether their contact details may be
# shown (in a savepoint); the guardians, the access log, the cases (with their target
# groups, in a savepoint), the header's unread kinds, the consents (with their
# organisations and categories), and the access log's write (the chain's last hash, the
# insert). The inbox's box asks one query per kind of item the role works with: six for
# the school roles and the KAA coordinator, three for the case worker. The school section
# asks whether the basis covers school data (in a savepoint); for the school roles it then
# reads the enrolments, grades, attendance, the signals with their reasons and history,
# which organisations turned the learned model off (asked again by the inbox's box), the
# latest score, the latest "too little data", the school's capacity (two) and the
# objections to the score.
PERSON_PAGE_QUERIES = {
    Role.MENTOR: 41,
    Role.STUDENT_HEALTH: 41,
    Role.COUNSELLOR: 41,
    Role.CASE_WORKER: 25,
    Role.KAA_COORDINATOR: 28,
}
SCHOOL_ROLES = {Role.MENTOR, Role.STUDENT_HEALTH, Role.COUNSELLOR}


@pytest.mark.parametrize("role", list(PERSON_PAGE_QUERIES))
def test_person_page_queries_do_not_grow_with_rows(client, world, role):
    client.force_login(world.members[role].user)
    page = assert_flat_and_pinned(
        client,
        reverse("web:person_detail", args=[world.pupil.pk]),
        grow=lambda n: grow_person(world, n),
        pinned=PERSON_PAGE_QUERIES[role],
        names_persons=True,
    ).content.decode()
    # Every viewer's organisation is on the team of every case, and named by every consent.
    assert len(re.findall(r'href="/arenden/\d+/"', page)) == 3 * N
    assert page.count("Lämnat av") == 3 * N
    assert page.count("Vårdnadshavare nummer") == 3 * N
    if role in SCHOOL_ROLES:
        # The closed signals and the open one (linked twice: from the inbox's box too);
        # the objections to the latest score; the earlier schools.
        assert len(set(re.findall(r'href="/signaler/\d+/"', page))) == 3 * N + 1
        assert page.count("Invändning nummer") == 3 * N
        assert page.count("Tidigare skola") == 3 * N
    else:
        assert "signaler/" not in page


# --- The KAA register's page about one young person --------------------------------------

_receipts = itertools.count(1)


def grow_register(person, coordinator, rounds, n: int) -> None:
    today = timezone.localdate()
    guidance = MeasureType.objects.get(code="guidance")
    Plan.objects.get_or_create(
        person=person, municipality_code=M, defaults={"planning": "Praktik", "goal": "Jobb"}
    )
    for _ in range(n):
        i = next(rounds)
        Contact.objects.create(
            person=person,
            municipality_code=M,
            kind="contact",
            method="phone",
            contact_date=today - dt.timedelta(days=3 + i),
            occupation="none",
            note=f"Kontaktnummer {i}",
            recorded_by=coordinator.user,
        )
        measure = Measure.objects.create(
            person=person,
            municipality_code=M,
            measure_type=guidance,
            status="started",
            offered_on=today - dt.timedelta(days=20 + i),
            start_date=today - dt.timedelta(days=10 + i),
            recorded_by=coordinator.user,
        )
        FollowUp.objects.create(measure=measure, due_on=today - dt.timedelta(days=1))
        FollowUp.objects.create(measure=measure, due_on=today + dt.timedelta(days=30))
        Notice.objects.create(
            kind="dropout",
            personal_identity_number=person.personal_identity_number,
            person=person,
            municipality_code=M,
            event_date=today - dt.timedelta(days=5 + i),
            sender_organisation_name=f"Anmälande skola {i}",
            receipt=f"P{next(_receipts):07d}",
        )
        # An earlier period in the register, and an earlier residence here, both long
        # before the current ones.
        entered = years_ago(3) - dt.timedelta(days=60 * (i + 1))
        CohortMembership.objects.create(
            person=person,
            municipality_code=M,
            entered_on=entered,
            reason="dropped_out",
            school_reason="dropped_out",
            left_on=entered + dt.timedelta(days=30),
            left_reason="started_studies",
        )
        ResidencePeriod.objects.create(
            person=person,
            municipality_code=M,
            moved_in=entered,
            moved_out=entered + dt.timedelta(days=30),
        )
        Qualification.objects.create(person=person, kind="studiebevis", awarded_on=entered)
        EquivalentEducation.objects.create(
            person=person, kind="OTHER", start_date=entered, end_date=entered + dt.timedelta(20)
        )


def test_kaa_person_page_queries_do_not_grow_with_rows(client, coordinator, school):
    person = young(school, residences=[(M, years_ago(3), None)])
    refresh()
    rounds = itertools.count()
    client.force_login(coordinator.user)
    page = assert_flat_and_pinned(
        client,
        reverse("kaa:person", args=[person.pk]),
        grow=lambda n: grow_register(person, coordinator, rounds, n),
        # Session, user, memberships; in one transaction (a savepoint) the person through
        # the door, the register's periods with their status, whether contact details may
        # be shown, the contacts, the measures and their follow-ups, the plan, the notices,
        # the residences, the qualifications and the equivalent education; the header's
        # unread kinds and the access log's write.
        pinned=19,
        names_persons=True,
    ).content.decode()
    assert page.count("Kontaktnummer") == 3 * N
    assert page.count("Anmälande skola") == 3 * N
    assert page.count("Markera uppföljningen som gjord") == 2 * 3 * N
    # The earlier periods and the current one.
    assert len(re.findall(r"<td[^>]*>Avbrott från nationellt program", page)) >= 3 * N


# --- The case page -----------------------------------------------------------------------


@pytest.fixture
def case_world(db):
    school = SchoolUnitFactory(name="Björkskolan")
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    coach = MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    pupil = PersonFactory(given_name="Sara", family_name="Lind")
    EnrolmentFactory(person=pupil, school_unit=school)
    # Social services are on the team, and the young person's consent names them.
    consent_create(person=pupil, organisations=[social], categories=["support"])
    case = CaseFactory(person=pupil, owner=school, opened_by=mentor.user)
    case.target_groups.create(group="dropout")
    TeamMemberFactory(case=case, organisation=school, user=mentor.user, role="contact_person")
    TeamMemberFactory(case=case, organisation=social, user=coach.user)
    return SimpleNamespace(
        school=school,
        social=social,
        members={Role.MENTOR: mentor, Role.CASE_WORKER: coach},
        pupil=pupil,
        case=case,
        plan=PlanFactory(case=case),
        rounds=itertools.count(),
    )


def grow_case(world, n: int, *, team: bool = True) -> None:
    """``team``: each round also puts one more organisation on the case's team."""
    today = timezone.localdate()
    case, plan, school, social = world.case, world.plan, world.school, world.social
    mentor = world.members[Role.MENTOR].user
    coach = world.members[Role.CASE_WORKER].user
    for _ in range(n):
        i = next(world.rounds)
        # The plan: one more goal and one more action towards it.
        goal = GoalFactory(plan=plan, text=f"Målnummer {i}")
        PlanActionFactory(
            plan=plan,
            goal=goal,
            text=f"Insatsnummer {i}",
            responsible_organisation=social if i % 2 else school,
            responsible_user=coach if i % 2 else mentor,
        )
        # One more contact each, and a note from the school (support data, which the
        # consent lets social services read).
        ContactFactory(case=case, organisation=school, staff=mentor, outcome="Bra samtal")
        ContactFactory(case=case, organisation=social, staff=coach, outcome="Bokat möte")
        Note.objects.create(
            case=case,
            category="support",
            text=f"Anteckningsnummer {i}",
            organisation=school,
            written_by=mentor,
        )
        # One more organisation, with a consent that names it, the school and social
        # services; on the team (with ``team``), a referral to social services resting on
        # that consent, and a case of its own about the young person, linked to this one.
        other = OrganisationFactory(name=f"Mottagning {i}", kind=OrganisationKind.HEALTH_CARE)
        consent = consent_create(
            person=world.pupil, organisations=[other, school, social], categories=["support"]
        )
        if team:
            TeamMemberFactory(case=case, organisation=other)
        Referral.objects.create(
            case=case,
            from_organisation=school,
            to_organisation=social,
            consent=consent,
            message="Behöver stöd",
            sent_by=mentor,
        )
        linked = CaseFactory(person=world.pupil, owner=other)
        TeamMemberFactory(case=linked, organisation=school)
        TeamMemberFactory(case=linked, organisation=social)
        case.linked.add(linked)
        # One more intervention, a handover to the next school, and the young person's
        # own voice: a message to the team and a check-in.
        Intervention.objects.create(
            case=case,
            method=Method.objects.create(name=f"Metod {i}"),
            provider=social,
            start=today - dt.timedelta(days=20 + i),
        )
        Handover.objects.create(
            person=world.pupil,
            case=case,
            kind="gr_gy",
            from_school=school,
            to_school=SchoolUnitFactory(name=f"Nästa skola {i}"),
            strengths="Nyfiken",
            what_has_worked="Korta pass",
            support_needed="Läxhjälp",
            written_by=mentor,
        )
        YouthMessageFactory(person=world.pupil, text=f"Meddelandenummer {i}")
        WellbeingCheckinFactory(
            person=world.pupil, answered_at=timezone.now() - dt.timedelta(days=7 * i)
        )


# Pinned on SQLite; PostgreSQL makes one more (the access log's lock). Session, user,
# memberships; the case through the door (in a savepoint); the team, the notes, the
# referrals, the handovers, the consents (with their organisations and categories), the
# goals, the actions, the interventions, the contacts, the linked cases; whether each team
# organisation other than the owner still has a consent (one query per organisation: with
# a fixed team, one for social services); the young person's check-ins (the owner: the
# case's visibility and the check-ins; social services: the case's visibility and whether
# a consent covers health data, which it does not) and messages (the case's visibility and
# the messages), each in a savepoint; the header's unread kinds, the case's target groups
# and the access log's write.
CASE_PAGE_QUERIES = {
    Role.MENTOR: 32,
    Role.CASE_WORKER: 31,
}


@pytest.mark.parametrize("role", list(CASE_PAGE_QUERIES))
def test_case_page_queries_do_not_grow_with_rows(client, case_world, role):
    """Everything on the page grows except the team, which has its own test below."""
    client.force_login(case_world.members[role].user)
    response = assert_flat_and_pinned(
        client,
        reverse("support:case_detail", args=[case_world.case.pk]),
        grow=lambda n: grow_case(case_world, n, team=False),
        pinned=CASE_PAGE_QUERIES[role],
        names_persons=True,
    )
    page = response.content.decode()
    for text in ["Målnummer", "Anteckningsnummer", "Meddelandenummer"]:
        assert page.count(text) == 3 * N, text
    detail = response.context["detail"]
    assert len(detail.actions) == len(detail.interventions) == 3 * N
    assert len(detail.contacts) == 2 * 3 * N
    # The school does not see the consent that names social services only.
    assert len(detail.consents) == (1 + 3 * N if role == Role.CASE_WORKER else 3 * N)
    assert len(detail.referrals) == len(detail.linked) == 3 * N
    assert len(re.findall(r'href="/arenden/remiss/\d+/"', page)) == 3 * N


@pytest.mark.parametrize("role", list(CASE_PAGE_QUERIES))
def test_case_page_queries_do_not_grow_with_team(client, case_world, role):
    """The same page with one more organisation on the team each round. Pinned at what the
    page costs with a fixed team: asking for every organisation's consent at once would
    cost what asking for social services' alone does now."""
    client.force_login(case_world.members[role].user)
    assert_flat_and_pinned(
        client,
        reverse("support:case_detail", args=[case_world.case.pk]),
        grow=lambda n: grow_case(case_world, n),
        pinned=CASE_PAGE_QUERIES[role],
        names_persons=True,
    )
