"""The REST API goes through the same selectors, policy and log as the pages."""

import pytest
from rest_framework.test import APIClient

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.people.api import ERROR_NO_PERSON_ACCESS
from lotsen.privacy.models import AccessLogEntry, Action
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def kaa(api):
    membership = MembershipFactory(
        organisation=MunicipalityFactory(municipality_code="0180"), role=Role.KAA_COORDINATOR
    )
    api.force_login(membership.user)
    return membership


def test_anonymous_callers_are_refused(api):
    # No session and no token: 401, with the Bearer challenge (lotsen.apiclients).
    assert api.get("/api/v1/persons/").status_code == 401


def test_list_search_and_detail(api, kaa):
    mine = PersonFactory(home_municipality_code="0180", given_name="Vera", street_address="Gatan 1")
    PersonFactory(home_municipality_code="1480", given_name="Vera")
    listed = api.get("/api/v1/persons/", {"q": "vera"}).json()
    assert [row["id"] for row in listed] == [mine.pk]
    assert "personal_identity_number" not in listed[0]  # lists never carry the number
    detail = api.get(f"/api/v1/persons/{mine.pk}/").json()
    assert detail["personal_identity_number"] == mine.identity_number_display
    assert detail["contact"]["street_address"] == "Gatan 1"
    assert list(AccessLogEntry.objects.order_by("id").values_list("action", flat=True)) == [
        Action.SEARCH,
        Action.VIEW,
    ]


def test_foreign_and_missing_ids_are_the_same_404(api, kaa):
    foreign = PersonFactory(home_municipality_code="1480")
    a = api.get(f"/api/v1/persons/{foreign.pk}/")
    b = api.get(f"/api/v1/persons/{foreign.pk + 500}/")
    c = api.get("/api/v1/persons/abc/")
    assert a.status_code == b.status_code == c.status_code == 404
    assert a.json() == b.json()


def test_protected_contact_is_null_for_unnamed_roles(api, settings):
    settings.LOTSEN_PROTECTED_IDENTITY_ROLES = ["kaa_coordinator"]
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL_SERVICES)
    from tests.factories import consent_create

    person = PersonFactory(protected_identity=True, street_address="Hemlig 2")
    consent_create(person=person, organisations=[social], categories=["support"])
    coach = MembershipFactory(organisation=social, role=Role.CASE_WORKER)
    api.force_login(coach.user)
    assert api.get(f"/api/v1/persons/{person.pk}/").json()["contact"] is None


def test_openapi_schema_describes_the_person_endpoints(api, kaa):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/persons/", "/api/v1/persons/{id}/"} <= set(schema["paths"])


def test_production_settings_pass_the_deploy_check(monkeypatch):
    import subprocess
    import sys
    from pathlib import Path

    env = {
        "SECRET_KEY": "x" * 20 + "-production-key-with-enough-entropy-0123456789",
        "DJANGO_SETTINGS_MODULE": "lotsen.settings_production",
        "PATH": "/usr/bin:/bin",
    }
    lotsen = Path(sys.executable).with_name("lotsen")
    result = subprocess.run(
        [str(lotsen), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_personnummer_is_searched_by_post_never_in_a_url(api, kaa):
    mine = PersonFactory(home_municipality_code="0180")
    refused = api.get("/api/v1/persons/", {"q": mine.identity_number_display})
    assert refused.status_code == 400 and "POST" in refused.json()["q"][0]
    found = api.post("/api/v1/persons/search/", {"q": mine.personal_identity_number}, format="json")
    assert [row["id"] for row in found.json()] == [mine.pk]
    assert AccessLogEntry.objects.filter(person=mine, action=Action.SEARCH).count() == 1


@pytest.mark.parametrize(
    "role",
    [Role.ORGANISATION_ADMIN, Role.SYSTEM_ADMIN, Role.PROJECT_LEADER, Role.EVALUATOR],
)
def test_roles_that_reach_nobody_are_refused_the_collection(api, role):
    municipality = MunicipalityFactory(municipality_code="0180")
    person = PersonFactory(home_municipality_code="0180", given_name="Vera")
    api.force_login(MembershipFactory(organisation=municipality, role=role).user)
    for response in (
        api.get("/api/v1/persons/"),
        api.get("/api/v1/persons/", {"q": "vera"}),
        api.post("/api/v1/persons/search/", {"q": "vera"}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": ERROR_NO_PERSON_ACCESS}
    # One person: the same 404 as an id that does not exist.
    assert api.get(f"/api/v1/persons/{person.pk}/").json() == (
        api.get(f"/api/v1/persons/{person.pk + 1000}/").json()
    )
    assert api.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert not AccessLogEntry.objects.exists()
