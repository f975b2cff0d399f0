"""Machine clients of the API (issue 11): OAuth2 client credentials, the client as actor.

The people: a mentor at Norra gymnasiet with a pupil's case, and a case worker at social
services with a case of their own. The clients are made by a system admin (a superuser
without memberships) through the service the admin page calls, and get their tokens from
the real token endpoint.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.contrib.auth.backends import ModelBackend
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.apiclients.areas import AREA_BY_BASENAME, SCOPES
from lotsen.apiclients.auth import ERROR_SCOPE
from lotsen.apiclients.models import ApiClient
from lotsen.apiclients.services import (
    ASSURANCE_API_CLIENT,
    ERROR_NOT_ALLOWED,
    ERROR_ROLE,
    api_client_create,
    api_client_revoke,
)
from lotsen.privacy.accesslog import access_log_verify
from lotsen.privacy.models import AccessLogEntry, Action
from lotsen.support import services
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolUnitFactory,
    UserFactory,
    consent_create,
)

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/oauth/token/"
CASES = "/api/v1/cases/"


@pytest.fixture
def system_admin():
    user = UserFactory(is_superuser=True, is_staff=True)
    return Actor(user=user, membership=None)


@pytest.fixture
def school():
    return SchoolUnitFactory(name="Norra gymnasiet")


@pytest.fixture
def social():
    return OrganisationFactory(name="Socialtjänsten", kind=OrganisationKind.SOCIAL_SERVICES)


@pytest.fixture
def case(school):
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    pupil = EnrolmentFactory(school_unit=school, school_type="GY", school_year=1).person
    return services.case_open(
        actor=Actor.for_membership(mentor), person=pupil, target_groups=["dropout"]
    )


@pytest.fixture
def foreign_case(social):
    worker = MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    person = PersonFactory()
    consent_create(person=person, organisations=[social], categories=["support"])
    return services.case_open(
        actor=Actor.for_membership(worker), person=person, target_groups=["neet"]
    )


def make_client(admin, organisation, scopes, role=Role.MENTOR):
    return api_client_create(
        actor=admin, name="Elevregistret", organisation=organisation, role=role, scopes=scopes
    )


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def token_for(client: ApiClient, secret: str, **extra) -> dict:
    response = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", **extra},
        HTTP_AUTHORIZATION=basic(client.client_id, secret),
    )
    assert response.status_code == 200, response.content
    return response.json()


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


# --- The token ---------------------------------------------------------------------------


def test_the_token_endpoint_gives_an_hour_long_token_with_the_clients_scopes(system_admin, school):
    client, secret = make_client(system_admin, school, ["cases:read", "persons:read"])
    response = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(client.client_id, secret),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"cases:read", "persons:read"}
    # Client credentials: no refresh token, and no session for the client.
    assert "refresh_token" not in body
    assert "sessionid" not in response.cookies
    # Only the secret's hash is stored, and the token only as a checksum.
    application = Application.objects.get(client_id=client.client_id)
    assert application.client_secret != secret
    assert application.client_secret.startswith(("md5$", "pbkdf2_", "argon2", "bcrypt", "scrypt"))
    stored = AccessToken.objects.get(application=application)
    assert stored.token != body["access_token"]


def test_a_client_asks_for_some_of_its_scopes_never_for_others(system_admin, school):
    client, secret = make_client(system_admin, school, ["cases:read", "persons:read"])
    assert token_for(client, secret, scope="cases:read")["scope"] == "cases:read"
    refused = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "scope": "cases:write"},
        HTTP_AUTHORIZATION=basic(client.client_id, secret),
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"


def test_a_wrong_secret_or_another_grant_gets_no_token(system_admin, school):
    client, secret = make_client(system_admin, school, ["cases:read"])
    # The last character changed (a secret that already ended in "x" once made this pass
    # the right secret).
    wrong_secret = secret[:-1] + ("y" if secret.endswith("x") else "x")
    wrong = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(client.client_id, wrong_secret),
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    password = Client().post(
        TOKEN_URL,
        {"grant_type": "password", "username": client.user.username, "password": secret},
        HTTP_AUTHORIZATION=basic(client.client_id, secret),
    )
    assert password.status_code in (400, 401)
    assert password.json()["error"] in (
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_grant",
    )
    assert not AccessToken.objects.exists()


def test_the_clients_account_never_signs_in(system_admin, school):
    client, secret = make_client(system_admin, school, ["cases:read"])
    account = client.user
    assert not account.is_active
    assert not account.has_usable_password()
    backend = ModelBackend()
    assert backend.authenticate(None, username=account.username, password=secret) is None
    assert not backend.user_can_authenticate(account)
    # No membership: the client is not among the organisation's members.
    assert not account.memberships.exists()


# --- Reading as the client ---------------------------------------------------------------


def test_a_client_reads_its_organisations_cases_logged_with_the_client_as_actor(
    system_admin, school, case
):
    client, secret = make_client(system_admin, school, ["cases:read"])
    api = bearer(token_for(client, secret)["access_token"])

    listed = api.get(CASES)
    assert listed.status_code == 200, listed.content
    assert [row["id"] for row in listed.json()] == [case.pk]
    assert "sessionid" not in listed.cookies
    detail = api.get(f"{CASES}{case.pk}/")
    assert detail.status_code == 200
    assert detail.json()["case"]["id"] == case.pk

    entries = list(AccessLogEntry.objects.filter(api_client=client).order_by("id"))
    # One entry per request for the one person read.
    assert len(entries) == 2
    for entry in entries:
        assert entry.person_id == case.person_id
        assert entry.actor_user_id == client.user_id
        assert entry.organisation_id == school.pk
        assert entry.assurance_level == ASSURANCE_API_CLIENT
        assert entry.action == Action.VIEW
    assert {e.person_id for e in AccessLogEntry.objects.filter(actor_user=client.user)} == {
        case.person_id
    }
    # The client is part of the hashed entry: the chain verifies, and names it.
    assert access_log_verify().ok


def test_a_case_of_another_organisation_is_the_same_404_as_a_missing_one(
    system_admin, school, case, foreign_case
):
    client, secret = make_client(system_admin, school, ["cases:read"])
    api = bearer(token_for(client, secret)["access_token"])
    foreign = api.get(f"{CASES}{foreign_case.pk}/")
    missing = api.get(f"{CASES}{foreign_case.pk + 1000}/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert [row["id"] for row in api.get(CASES).json()] == [case.pk]
    assert not AccessLogEntry.objects.filter(person_id=foreign_case.person_id, api_client=client)


def test_a_client_of_another_organisation_reads_none_of_ours(
    system_admin, social, case, foreign_case
):
    client, secret = make_client(system_admin, social, ["cases:read"], role=Role.CASE_WORKER)
    api = bearer(token_for(client, secret)["access_token"])
    assert [row["id"] for row in api.get(CASES).json()] == [foreign_case.pk]
    assert api.get(f"{CASES}{case.pk}/").status_code == 404


# --- 401 and 403 -------------------------------------------------------------------------


def test_without_a_valid_token_the_answer_is_401(system_admin, school, case):
    client, secret = make_client(system_admin, school, ["cases:read"])
    token = token_for(client, secret)["access_token"]

    none = Client().get(CASES)
    assert none.status_code == 401
    assert none["WWW-Authenticate"].startswith("Bearer")
    assert bearer("not-a-token").get(CASES).status_code == 401
    # A token in the query string is not taken: it would stand in every log.
    assert Client().get(CASES, {"access_token": token}).status_code == 401

    AccessToken.objects.filter(application__client_id=client.client_id).update(
        expires=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = bearer(token).get(f"{CASES}{case.pk}/")
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired["WWW-Authenticate"]
    assert not AccessLogEntry.objects.filter(api_client=client).exists()


def test_without_the_areas_scope_the_answer_is_403(system_admin, school, case):
    client, secret = make_client(system_admin, school, ["persons:read"])
    api = bearer(token_for(client, secret)["access_token"])
    for path in (CASES, f"{CASES}{case.pk}/", f"{CASES}{case.pk + 1000}/"):
        refused = api.get(path)
        assert refused.status_code == 403
        assert refused.json()["detail"] == ERROR_SCOPE.format(scope="cases:read")
    # Reading is not writing.
    reader, reader_secret = make_client(system_admin, school, ["cases:read"])
    write = bearer(token_for(reader, reader_secret)["access_token"]).post(
        CASES, {}, content_type="application/json"
    )
    assert write.status_code == 403
    assert write.json()["detail"] == ERROR_SCOPE.format(scope="cases:write")
    assert not AccessLogEntry.objects.filter(api_client__isnull=False).exists()


def test_a_scope_taken_away_is_gone_at_once(system_admin, school, case):
    client, secret = make_client(system_admin, school, ["cases:read", "persons:read"])
    api = bearer(token_for(client, secret)["access_token"])
    assert api.get(CASES).status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(scopes=["persons:read"])
    assert api.get(CASES).status_code == 403


def test_a_person_search_is_a_read(system_admin):
    kaa = OrganisationFactory(kind=OrganisationKind.MUNICIPALITY, municipality_code="0180")
    client, secret = make_client(system_admin, kaa, ["persons:read"], role=Role.KAA_COORDINATOR)
    api = bearer(token_for(client, secret)["access_token"])
    response = api.post("/api/v1/persons/search/", {"q": "Elin"}, content_type="application/json")
    assert response.status_code == 200


def test_a_revoked_client_is_refused_at_once(system_admin, school, case):
    client, secret = make_client(system_admin, school, ["cases:read"])
    api = bearer(token_for(client, secret)["access_token"])
    assert api.get(CASES).status_code == 200
    api_client_revoke(actor=system_admin, client=client)
    assert api.get(CASES).status_code == 401
    again = Client().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(client.client_id, secret),
    )
    assert again.status_code == 401
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert client.revoked_by == system_admin.user
    # The log still names the client that read.
    assert AccessLogEntry.objects.filter(api_client=client).count() == 1


def test_a_person_signed_in_is_not_concerned_by_scopes(school, case):
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    browser = Client()
    browser.force_login(mentor.user)
    assert browser.get(CASES).status_code == 200


# --- Who may make clients ----------------------------------------------------------------


def test_an_organisation_admin_makes_clients_for_their_own_organisation_only(school, social):
    admin = Actor.for_membership(
        MembershipFactory(organisation=school, role=Role.ORGANISATION_ADMIN)
    )
    client, _secret = make_client(admin, school, ["cases:read"])
    assert client.organisation == school
    with pytest.raises(Exception, match=ERROR_NOT_ALLOWED):
        make_client(admin, social, ["cases:read"])
    mentor = Actor.for_membership(MembershipFactory(organisation=school, role=Role.MENTOR))
    with pytest.raises(Exception, match=ERROR_NOT_ALLOWED):
        make_client(mentor, school, ["cases:read"])


@pytest.mark.parametrize(
    ("role", "scopes", "field"),
    [
        (Role.ORGANISATION_ADMIN, ["cases:read"], "role"),
        (Role.YOUNG_PERSON, ["cases:read"], "role"),
        (Role.MENTOR, [], "scopes"),
        (Role.MENTOR, ["persons:write"], "scopes"),
        (Role.MENTOR, ["everything"], "scopes"),
    ],
)
def test_bad_clients_are_refused_and_nothing_is_written(system_admin, school, role, scopes, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        make_client(system_admin, school, scopes, role=role)
    assert field in caught.value.message_dict
    if field == "role":
        assert caught.value.message_dict["role"] == [ERROR_ROLE]
    assert not ApiClient.objects.exists()
    assert not Application.objects.exists()


# --- Every API view has an area ----------------------------------------------------------


def _api_viewsets():
    found = {}

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
                continue
            callback = pattern.callback
            cls = getattr(callback, "cls", None)
            basename = getattr(callback, "initkwargs", {}).get("basename")
            if cls is not None and basename:
                found[basename] = prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_viewset_belongs_to_an_area():
    viewsets = _api_viewsets()
    assert viewsets, "no DRF viewsets found"
    assert set(viewsets) <= set(AREA_BY_BASENAME), set(viewsets) - set(AREA_BY_BASENAME)
    # And every scope names a real area.
    assert all(
        scope.split(":")[0] in {a.name for a in AREA_BY_BASENAME.values()} for scope in SCOPES
    )


# --- The schema, the root and the documentation ------------------------------------------


def test_the_schema_documents_client_credentials_and_each_operations_scope(system_admin, school):
    client, secret = make_client(system_admin, school, ["cases:read"])
    api = bearer(token_for(client, secret)["access_token"])
    response = api.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    scheme = schema["components"]["securitySchemes"]["oauth2"]
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == TOKEN_URL
    assert set(flow["scopes"]) == set(SCOPES)
    assert {"oauth2": ["cases:read"]} in schema["paths"]["/api/v1/cases/"]["get"]["security"]
    assert {"oauth2": ["cases:write"]} in schema["paths"]["/api/v1/cases/"]["post"]["security"]
    search = schema["paths"]["/api/v1/persons/search/"]["post"]["security"]
    assert {"oauth2": ["persons:read"]} in search


def test_the_api_root_lists_the_areas_for_a_client_of_any_scope(system_admin, school):
    client, secret = make_client(system_admin, school, ["kaa:read"])
    response = bearer(token_for(client, secret)["access_token"]).get("/api/v1/")
    assert response.status_code == 200
    body = response.json()
    assert [a["name"] for a in body["areas"]] == ["persons", "cases", "referrals", "kaa"]
    assert body["areas"][1]["url"] == "http://testserver/api/v1/cases/"
    assert body["areas"][1]["scopes"] == ["cases:read", "cases:write"]
    assert body["token_url"] == "http://testserver" + TOKEN_URL
    assert Client().get("/api/v1/").status_code == 401


def test_the_documentation_pages_for_people_signed_in(school):
    anonymous = Client()
    assert anonymous.get("/api/v1/docs/").status_code == 302
    assert anonymous.get("/api/v1/docs/swagger/").status_code == 302
    browser = Client()
    browser.force_login(MembershipFactory(organisation=school, role=Role.MENTOR).user)
    page = browser.get("/api/v1/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "API för andra system" in text
    assert "cases:read" in text
    assert "http://testserver" + TOKEN_URL in text
    swagger = browser.get("/api/v1/docs/swagger/")
    assert swagger.status_code == 200
    html = swagger.content.decode()
    # Swagger UI from Lotsen's own static files, its start script a file, nothing inline.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html
    assert "<style" not in html
    script = browser.get("/api/v1/docs/swagger/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()
