"""The bad-input corpus against every API write endpoint (tests/badinput/api/payloads.py).

Each payload is sent by a mentor who may write there: the school's mentor owns a case
(with a goal and an action), has sent a referral to social services and received one
from them, and may send notices and search persons. What must hold for every payload:

- the answer is the designed one (400, 404, 409, 413 or 415), never a 500;
- the body is JSON and names what was wrong: the field, the JSON path, the line or byte;
- no traceback anywhere, and no error logged as a server error;
- nothing is written: no row in any of Lotsen's tables, no changed case, plan or referral,
  no access-log entry.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.earlywarning.models import Signal
from lotsen.support import services
from lotsen.support.models import Case, Goal, Plan, PlanAction, Referral
from tests.badinput.api.payloads import (
    ENDPOINTS,
    FORGED_PATHS,
    IDS,
    PAYLOADS,
    QUERY_PROBES,
    Payload,
    changed,
    valid_body,
)
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db

# Every table of Lotsen's, the many-to-many tables included, counted in one query.
LOTSEN_TABLES = sorted(
    {
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_config.name.startswith("lotsen.") and not m._meta.proxy
    }
)


@pytest.fixture
def world():
    """A mentor at a school with everything every write endpoint needs, and another
    school's records for the forged ids."""
    school = SchoolUnitFactory(name="Norra gymnasiet")
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    clinic = OrganisationFactory(name="Ungdomsmottagningen", kind=OrganisationKind.HEALTH_CARE)
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    me = Actor.for_membership(mentor)
    social_actor = Actor.for_membership(
        MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    )
    pupil = EnrolmentFactory(school_unit=school, school_type="GY", school_year=1).person
    to_social = consent_create(person=pupil, organisations=[social], categories=["support"])
    to_clinic = consent_create(person=pupil, organisations=[clinic], categories=["support"])
    case = services.case_open(actor=me, person=pupil, target_groups=["dropout"])
    goal = services.goal_add(actor=me, case=case, text="Godkänt i matematik")
    action = services.plan_action_add(
        actor=me,
        case=case,
        text="Läxhjälp",
        responsible_organisation=school,
        follow_up_on=timezone.localdate() + dt.timedelta(days=14),
        goal=goal,
    )
    sent = services.referral_send(
        actor=me, case=case, to_organisation=social, consent=to_social, message="Stöd hemma"
    )
    other = PersonFactory()
    to_school = consent_create(person=other, organisations=[social, school], categories=["support"])
    their_case = services.case_open(actor=social_actor, person=other, target_groups=["neet"])
    received = services.referral_send(
        actor=social_actor,
        case=their_case,
        to_organisation=school,
        consent=to_school,
        message="Kan skolan ta del?",
    )
    new_person = EnrolmentFactory(school_unit=school, school_type="GY", school_year=2).person

    # Another school, its pupil, case, goal, action and a referral it sent.
    elsewhere = SchoolUnitFactory(name="Södra gymnasiet")
    them = Actor.for_membership(MembershipFactory(organisation=elsewhere, role=Role.MENTOR))
    foreign_pupil = EnrolmentFactory(school_unit=elsewhere, school_type="GY").person
    foreign_case = services.case_open(actor=them, person=foreign_pupil, target_groups=["dropout"])
    foreign_goal = services.goal_add(actor=them, case=foreign_case, text="Ett annat mål")
    foreign_action = services.plan_action_add(
        actor=them,
        case=foreign_case,
        text="Samtal",
        responsible_organisation=elsewhere,
        follow_up_on=timezone.localdate() + dt.timedelta(days=7),
    )
    foreign_consent = consent_create(
        person=foreign_pupil, organisations=[social], categories=["support"]
    )
    foreign_referral = services.referral_send(
        actor=them,
        case=foreign_case,
        to_organisation=social,
        consent=foreign_consent,
        message="Stöd",
    )
    ids = {
        "case": case.pk,
        "action": action.pk,
        "goal": goal.pk,
        "plan_version": Plan.objects.get(case=case).version,
        "received": received.pk,
        "sent": sent.pk,
        "school": school.pk,
        "clinic": clinic.pk,
        "clinic_consent": to_clinic.pk,
        "new_person": new_person.pk,
        "foreign_case": foreign_case.pk,
        "foreign_person": foreign_pupil.pk,
        "foreign_action": foreign_action.pk,
        "foreign_referral": foreign_referral.pk,
        "foreign_goal": foreign_goal.pk,
    }
    assert set(ids) == set(IDS)
    client = APIClient()
    client.force_login(mentor.user)
    return client, ids


def snapshot() -> dict:
    """Rows in every table of Lotsen, and the fields a rejected update could have
    changed."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in LOTSEN_TABLES)
        )
        counts = dict(zip(LOTSEN_TABLES, cursor.fetchone(), strict=True))
    return {
        "counts": counts,
        "cases": sorted(Case.objects.values_list("pk", "status", "closed_on", "outcome")),
        "plans": sorted(Plan.objects.values_list("pk", "version", "own_goal", "lead_party")),
        "goals": sorted(Goal.objects.values_list("pk", "status", "text", "target_date")),
        "actions": sorted(PlanAction.objects.values_list("pk", "done_on", "follow_up_on")),
        "referrals": sorted(Referral.objects.values_list("pk", "status", "decline_reason")),
        "signals": sorted(Signal.objects.values_list("pk", "status")),
    }


def send(client: APIClient, method: str, url: str, body: bytes, content_type: str):
    return getattr(client, method)(url, data=body, content_type=content_type)


def assert_clean_error(response, *, expect, names, caplog) -> str:
    assert response.status_code != 500
    assert response.status_code in expect, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    text = response.content.decode()
    for name in names:
        assert name in text, (name, text[:300])
    assert "Traceback" not in text and 'File "' not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records
    ]
    return text


def test_the_corpus_is_large_and_covers_every_write_endpoint():
    assert len(PAYLOADS) >= 200
    assert {p.endpoint for p in PAYLOADS} == set(ENDPOINTS)
    assert len({p.id for p in PAYLOADS}) == len(PAYLOADS)


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_the_valid_body_is_accepted(world, endpoint):
    """Guards the corpus: each payload spoils one part of a body that otherwise works,
    so a refusal is about that part."""
    client, ids = world
    method, url = ENDPOINTS[endpoint]
    body = changed(endpoint)(ids, timezone.localdate())
    before = snapshot()
    response = send(client, method, url.format(**ids), body, "application/json")
    assert response.status_code in (200, 201), response.content[:500]
    assert valid_body(endpoint, ids, timezone.localdate()) is not None
    # The snapshot sees what a write leaves (a search leaves its access-log entry), so
    # "unchanged" below means nothing was written.
    assert snapshot() != before


@pytest.mark.parametrize("payload", PAYLOADS, ids=[p.id for p in PAYLOADS])
def test_bad_input_is_refused_cleanly_and_writes_nothing(world, payload: Payload, caplog):
    client, ids = world
    method, url = ENDPOINTS[payload.endpoint]
    body = payload.body(ids, timezone.localdate())
    before = snapshot()
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        response = send(client, method, url.format(**ids), body, payload.content_type)
    assert_clean_error(response, expect=payload.expect, names=payload.names, caplog=caplog)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("endpoint", "template", "forged"), FORGED_PATHS, ids=[f"{e}-{k}" for e, _, k in FORGED_PATHS]
)
def test_a_foreign_id_in_the_path_is_the_same_404_as_a_missing_one(
    world, endpoint, template, forged, caplog
):
    client, ids = world
    method, _ = ENDPOINTS[endpoint]
    body = changed(endpoint)(ids, timezone.localdate())
    foreign = {"case": "foreign_case", "action": "foreign_action", "referral": "foreign_referral"}
    fill = {"case": ids["case"], "action": ids["action"]}
    before = snapshot()
    answers = []
    for value in (ids[foreign[forged]], ids[foreign[forged]] + 10_000):
        url = template.format(**{**fill, "id": value})
        answers.append(send(client, method, url, body, "application/json"))
    for answer in answers:
        assert_clean_error(answer, expect={404}, names=("detail",), caplog=caplog)
    assert answers[0].json() == answers[1].json()
    assert snapshot() == before


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "forged" in p.tags], ids=lambda p: p.id)
def test_a_foreign_id_in_the_body_is_answered_like_a_missing_one(world, payload, caplog):
    client, ids = world
    method, url = ENDPOINTS[payload.endpoint]
    today = timezone.localdate()
    foreign_body = payload.body(ids, today)
    missing_ids = {**ids, **{k: v + 10_000 for k, v in ids.items() if k.startswith("foreign")}}
    missing_body = payload.body(missing_ids, today)
    foreign = send(client, method, url.format(**ids), foreign_body, "application/json")
    missing = send(client, method, url.format(**ids), missing_body, "application/json")
    assert_clean_error(foreign, expect=payload.expect, names=payload.names, caplog=caplog)
    assert foreign.status_code == missing.status_code
    assert foreign.json() == missing.json()


@pytest.mark.parametrize(
    ("name", "url", "parameter"), QUERY_PROBES, ids=[name for name, _, _ in QUERY_PROBES]
)
def test_bad_query_parameters_are_refused_naming_the_parameter(world, name, url, parameter, caplog):
    client, _ = world
    before = snapshot()
    response = client.get(url)
    text = assert_clean_error(response, expect={400}, names=(), caplog=caplog)
    assert f'"{parameter}"' in text, text[:300]
    assert snapshot() == before  # not even an access-log entry: nothing was read
