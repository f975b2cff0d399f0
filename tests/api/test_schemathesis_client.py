"""Schemathesis against the OpenAPI schema as a machine client: no server error.

The same data and hooks as tests/api/test_schemathesis.py (a mentor's school owning a
case, a referral sent and one received), but every request carries a machine client's
bearer token instead of a session: a client of the school in the mentor role with every
scope, its token from the real token endpoint. No cookie and no CSRF token go with the
requests, so what is tested is the token path (lotsen.apiclients), and the answers to
the support endpoints must match the documented status codes and schemas.
"""

from __future__ import annotations

import base64

import pytest
import schemathesis
import werkzeug.test
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, Role
from lotsen.apiclients.areas import SCOPES
from lotsen.apiclients.services import api_client_create
from lotsen.privacy.models import AccessLogEntry
from tests.api.test_schemathesis import (
    APP,
    KNOWN_IDS,
    MAX_EXAMPLES,
    _served_schema,
    flatmap_body,
    flatmap_path_parameters,
    mentor_with_data,  # noqa: F401 (a fixture)
)
from tests.factories import UserFactory

schema = schemathesis.openapi.from_dict(_served_schema())
schema.app = APP
schema.location = "/api/schema/"
schema.hook(flatmap_path_parameters)
schema.hook(flatmap_body)


@pytest.fixture
def client_with_data(mentor_with_data):  # noqa: F811
    admin = Actor(user=UserFactory(is_superuser=True, is_staff=True), membership=None)
    school = Organisation.objects.get(pk=KNOWN_IDS["school"][0])
    client, secret = api_client_create(
        actor=admin,
        name="Skolans system",
        organisation=school,
        role=Role.MENTOR,
        scopes=list(SCOPES),
    )
    credentials = base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )
    assert response.status_code == 200, response.content
    # Django's test client connects close_old_connections again after its request: called
    # through WSGI, each request would then close the connection and, on PostgreSQL, end
    # the test's transaction (see mentor_with_data, which connects them again at the end).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "client": client,
        "headers": {"Authorization": f"Bearer {response.json()['access_token']}"},
    }


def test_the_generated_requests_carry_a_working_token(client_with_data):
    """Guards the guard: were the token refused, every request would end in 401."""
    client = werkzeug.test.Client(APP)
    listed = client.get("/api/v1/cases/", headers=client_with_data["headers"])
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json] == [KNOWN_IDS["cases"][0]]
    written = client.post("/api/v1/cases/", json={}, headers=client_with_data["headers"])
    assert written.status_code == 400, written.json  # past authentication, scope and CSRF
    assert "person" in written.json
    assert AccessLogEntry.objects.filter(api_client=client_with_data["client"]).exists()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_no_server_error_as_a_client(case, client_with_data):
    checks = [not_a_server_error]
    if case.path.startswith(("/api/v1/cases/", "/api/v1/referrals/")):
        checks += [status_code_conformance, response_schema_conformance]
    case.call_and_validate(headers=client_with_data["headers"], checks=checks)
