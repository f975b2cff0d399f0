"""The system admin makes, sees and revokes machine clients in Django admin; the secret is
shown once, on the answer to the creation, and works at the token endpoint."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client

from lotsen.apiclients.models import ApiClient
from tests.factories import SchoolUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/apiclients/apiclient/add/"
LIST = "/admin/apiclients/apiclient/"


def _token(client_id: str, secret: str):
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return Client().post(
        "/api/v1/oauth/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )


def test_the_system_admin_creates_sees_the_secret_once_and_revokes():
    school = SchoolUnitFactory(name="Norra gymnasiet")
    browser = Client()
    browser.force_login(UserFactory(is_superuser=True, is_staff=True))

    form = browser.get(ADD)
    assert form.status_code == 200
    assert "cases:read" in form.content.decode()
    created = browser.post(
        ADD,
        {
            "name": "Elevregistret",
            "organisation": school.pk,
            "role": "mentor",
            "scopes": ["cases:read", "persons:read"],
        },
    )
    assert created.status_code == 200
    client = ApiClient.objects.get()
    assert (client.name, client.organisation, client.role) == ("Elevregistret", school, "mentor")
    assert client.scopes == ["persons:read", "cases:read"]
    text = created.content.decode()
    assert client.client_id in text
    secret = re.search(r"<dt>Hemlighet</dt>\s*<dd><code>([^<]+)</code>", text).group(1)
    assert _token(client.client_id, secret).status_code == 200

    # Never again: not on the client's page, not in the list.
    page = browser.get(f"{LIST}{client.pk}/change/")
    assert page.status_code == 200
    assert secret not in page.content.decode()
    assert secret not in browser.get(LIST).content.decode()

    revoked = browser.post(LIST, {"action": "revoke", "_selected_action": [client.pk]}, follow=True)
    assert revoked.status_code == 200
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert _token(client.client_id, secret).status_code == 401


def test_the_admin_refuses_a_client_without_scopes_or_in_an_admin_role():
    school = SchoolUnitFactory()
    browser = Client()
    browser.force_login(UserFactory(is_superuser=True, is_staff=True))
    refused = browser.post(
        ADD,
        {"name": "X", "organisation": school.pk, "role": "organisation_admin", "scopes": []},
    )
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()
    assert not ApiClient.objects.exists()
