"""The OpenAPI schema describes every endpoint and field: only signed-in users read it."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, SchoolUnitFactory

pytestmark = pytest.mark.django_db


def test_the_schema_needs_a_login(client):
    url = reverse("api-schema")
    # 401: neither a session nor a machine client's token (lotsen.apiclients).
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_ACCEPT="application/vnd.oai.openapi+json").status_code == 401
    client.force_login(MembershipFactory(organisation=SchoolUnitFactory(), role="mentor").user)
    schema = client.get(url, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/cases/{id}/plan/" in schema.json()["paths"]
