"""Schemathesis against the app's own OpenAPI schema: no request, however odd, gets a 500.

Every operation in /api/schema/ is called in-process (WSGI) by a logged-in mentor at a
school whose data covers every id in the paths: a case the school owns (with a goal, an
action and a contact), a referral it sent to social services on the young person's
consent, and one it received. Ids in paths and bodies are drawn mostly from that data and
otherwise at random, so both the real work and the 404 door are exercised. For the
support endpoints the answers must also match the documented status codes and schemas.

Deterministic: derandomized Hypothesis, no example database, bounded examples per
operation; the same examples run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
import schemathesis
import werkzeug.test
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.earlywarning.services import signal_acknowledge
from lotsen.support import services
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    SignalFactory,
    consent_create,
)

APP = get_wsgi_application()


def _served_schema() -> dict:
    """The document /api/schema/ serves. That endpoint needs a login, and there is no
    user at import time: the same generator drf-spectacular's view uses builds it."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = APP
schema.location = "/api/schema/"

# Generated requests per operation, on top of schemathesis' own boundary cases.
MAX_EXAMPLES = 20

# The ids that exist for this test's mentor, by path parameter; set by the fixture.
KNOWN_IDS: dict[str, list[int]] = {}


def _known_for(path: str, name: str) -> list[int]:
    if name == "action_id":
        return KNOWN_IDS.get("action", [])
    for prefix in ("cases", "referrals", "persons"):
        if f"/{prefix}/" in path:
            return KNOWN_IDS.get(prefix, [])
    return []


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Mostly point the ids in the path at records that exist; sometimes keep the random
    ones, which must be answered 404."""
    if not path_parameters:
        return st.just(path_parameters)
    path = context.operation.path
    variants = [dict(path_parameters)]
    for name in path_parameters:
        ids = _known_for(path, name)
        variants = [{**v, name: known} for v in variants for known in ids] + variants
    return st.sampled_from(variants)


# Body fields that name a record, and the key in KNOWN_IDS of the records that exist.
BODY_REFERENCES = {
    "person": "new_person",
    "signal": "signal",
    "case": "cases",
    "to_organisation": "social",
    "consent": "consent",
    "responsible_organisation": "school",
    "responsible_user": "mentor",
    "goal": "goal",
}


@schema.hook
def flatmap_body(context, body):
    """Every other time, point the references in a JSON body at records that exist, so
    that writes get past "not found" and into the services."""
    if not isinstance(body, dict):
        return st.just(body)
    known = {
        key: KNOWN_IDS[BODY_REFERENCES[key]][0]
        for key in body
        if key in BODY_REFERENCES and KNOWN_IDS.get(BODY_REFERENCES[key])
    }
    return st.sampled_from([{**body, **known}, body] if known else [body])


@pytest.fixture
def mentor_with_data(db):
    """The demo personas: a mentor at a school owning a case, with consent for social
    services; social services with its own case that it referred to the school."""
    school = SchoolUnitFactory(name="Norra gymnasiet")
    social = OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    case_worker = MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    mentor_actor = Actor.for_membership(mentor)
    social_actor = Actor.for_membership(case_worker)

    pupil = EnrolmentFactory(school_unit=school, school_type="GY", school_year=1).person
    consent = consent_create(person=pupil, organisations=[social], categories=["support"])
    case = services.case_open(actor=mentor_actor, person=pupil, target_groups=["dropout"])
    goal = services.goal_add(actor=mentor_actor, case=case, text="Godkänt i matematik")
    action = services.plan_action_add(
        actor=mentor_actor,
        case=case,
        text="Läxhjälp",
        responsible_organisation=school,
        follow_up_on=timezone.localdate() + dt.timedelta(days=14),
        goal=goal,
    )
    services.contact_record(
        actor=mentor_actor, case=case, date=timezone.localdate(), channel="phone", reached=True
    )
    sent = services.referral_send(
        actor=mentor_actor, case=case, to_organisation=social, consent=consent, message="Stöd"
    )

    # Another young person, known to social services, who consented to the school.
    other = PersonFactory()
    consent_to_school = consent_create(
        person=other, organisations=[social, school], categories=["support"]
    )
    their_case = services.case_open(actor=social_actor, person=other, target_groups=["neet"])
    received = services.referral_send(
        actor=social_actor,
        case=their_case,
        to_organisation=school,
        consent=consent_to_school,
        message="Kan skolan ta del?",
    )
    signal = SignalFactory(person=pupil, school_unit=school)
    signal_acknowledge(actor=mentor_actor, signal=signal)

    KNOWN_IDS.clear()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    new_pupil = EnrolmentFactory(school_unit=school, school_type="GY", school_year=2).person
    KNOWN_IDS.update(
        cases=[case.pk, their_case.pk],
        referrals=[sent.pk, received.pk],
        persons=[pupil.pk, new_pupil.pk],
        action=[action.pk],
        new_person=[new_pupil.pk],
        signal=[signal.pk],
        social=[social.pk],
        school=[school.pk],
        consent=[consent.pk],
        mentor=[mentor.user.pk],
        goal=[goal.pk],
    )
    client = Client()
    client.force_login(mentor.user)
    # Called through WSGI rather than Django's test client, each request would close the
    # database connection when it finishes (close_old_connections): on PostgreSQL that
    # ends the test's transaction. Django's test client disconnects it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    csrf = secrets.token_hex(16)  # 32 characters: the form of an unmasked CSRF secret
    try:
        yield {
            "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf},
        }
    finally:
        KNOWN_IDS.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_generated_requests_are_authenticated(mentor_with_data):
    """Guards the guard: were the session or the CSRF token refused, every fuzzed request
    would end in 403 and the property below would hold without testing anything."""
    client = werkzeug.test.Client(APP)
    for key, value in mentor_with_data["cookies"].items():
        client.set_cookie(key, value, domain="localhost")
    listed = client.get("/api/v1/cases/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json] == [KNOWN_IDS["cases"][0]]
    written = client.post("/api/v1/cases/", json={}, headers=mentor_with_data["headers"])
    assert written.status_code == 400, written.json  # past authentication and CSRF
    assert "person" in written.json


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The data is made once per operation on purpose: requests build on each other.
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_server_error(case, mentor_with_data):
    checks = [not_a_server_error]
    if case.path.startswith(("/api/v1/cases/", "/api/v1/referrals/")):
        checks += [status_code_conformance, response_schema_conformance]
    case.call_and_validate(**mentor_with_data, checks=checks)
