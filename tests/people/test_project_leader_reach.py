"""Project leaders and evaluators never reach a young person through the person door.

ESF follow-up works with participant records (name, gender, age band at entry and the
participation's entry, exit and follow-up data). Everything else Lotsen knows about a
participant (personnummer, address, phone, guardians, school, KAA, cases) stays behind the
person door, which answers these roles as if the person did not exist.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role
from lotsen.people.api import ERROR_NO_PERSON_ACCESS
from lotsen.people.models import Guardian
from lotsen.people.selectors import person_count, person_list
from lotsen.privacy.models import AccessLogEntry, Category, Consent, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.programmes.models import Participation, Programme, SubProject
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PersonFactory,
    consent_create,
    fresh_identity_number,
)

pytestmark = pytest.mark.django_db

D = dt.date
ADDRESS, PHONE, EMAIL, GUARDIAN = "Deltagarvägen 7", "070-7654321", "ung@example.se", "Gun Förälder"


@pytest.fixture
def world():
    region = OrganisationFactory(name="Region Nord", kind=OrganisationKind.REGION)
    municipality = MunicipalityFactory(municipality_code="0180", name="Kommun A", parent=region)
    programme = Programme.objects.create(
        name="Programmet",
        framework="esfplus",
        start=D(2024, 1, 1),
        end=D(2027, 12, 31),
        lead_organisation=region,
    )
    subproject = SubProject.objects.create(
        programme=programme,
        name="Delprojekt A",
        lead_organisation=municipality,
        start=D(2024, 1, 1),
        end=D(2027, 12, 31),
    )
    # A participant who lives in the project leader's own municipality and has consented
    # to sharing with it: neither is a ground for a project leader.
    person = PersonFactory(
        personal_identity_number=fresh_identity_number(D(2009, 5, 17)),
        date_of_birth=D(2009, 5, 17),
        given_name="Siri",
        family_name="Deltagarsson",
        home_municipality_code="0180",
        street_address=ADDRESS,
        postal_code="11122",
        city="Norrby",
        phone=PHONE,
        email=EMAIL,
    )
    Guardian.objects.create(person=person, name=GUARDIAN, phone="070-1111111")
    consent_create(person=person, organisations=[municipality], categories=["support", "kaa"])
    participation = Participation.objects.create(
        person=person,
        subproject=subproject,
        given_name="Siri",  # the project's own name for the participant
        family_name="Deltagarsson",
        gender="woman",
        entry_date=D(2025, 2, 1),
        entry_status="unemployed",
        education_level="",
        exit_date=D(2025, 6, 1),
        exit_status="in_education",
    )
    leader = MembershipFactory(organisation=municipality, role=Role.PROJECT_LEADER)
    evaluator = MembershipFactory(organisation=region, role=Role.EVALUATOR)
    region_leader = MembershipFactory(organisation=region, role=Role.PROJECT_LEADER)
    return {
        "person": person,
        "participation": participation,
        "subproject": subproject,
        "programme": programme,
        "memberships": {"leader": leader, "evaluator": evaluator, "region_leader": region_leader},
    }


ROLES = ["leader", "evaluator", "region_leader"]


def _client(client, world, who):
    client.force_login(world["memberships"][who].user)
    return client


def _forbidden_text(person) -> list[str]:
    n = person.personal_identity_number
    return [n, f"{n[:8]}-{n[8:]}", n[2:], ADDRESS, PHONE, EMAIL, GUARDIAN, "Norrby"]


@pytest.mark.parametrize("who", ROLES)
def test_the_policy_grants_them_nobody_for_any_purpose_or_category(world, who):
    actor = Actor.for_membership(world["memberships"][who])
    policy = PersonPolicy(actor)
    for purpose in Purpose:
        for category in Category:
            assert not policy.persons(purpose=purpose, category=category).exists(), (
                purpose,
                category,
            )
            assert not policy.may_view(world["person"], purpose=purpose, category=category)
    assert person_list(actor=actor) == []
    assert person_list(actor=actor, query="Siri") == []
    assert person_count(actor=actor) == 0


@pytest.mark.parametrize("who", ROLES)
def test_a_participants_person_page_is_the_same_404_as_a_missing_one(client, world, who):
    c = _client(client, world, who)
    AccessLogEntry.objects.all().delete()
    seen = c.get(reverse("web:person_detail", args=[world["person"].pk]))
    missing = c.get(reverse("web:person_detail", args=[world["person"].pk + 1000]))
    assert seen.status_code == missing.status_code == 404
    # Byte for byte, apart from the language switch's CSRF token (masked anew every time).
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')
    assert csrf.sub(b"", seen.content) == csrf.sub(b"", missing.content)
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("who", ROLES)
def test_person_search_is_not_their_page(client, world, who):
    c = _client(client, world, who)
    assert c.get(reverse("web:person_search")).status_code == 404
    found = c.post(reverse("web:person_search"), {"q": "Siri"})
    assert found.status_code == 404
    assert "Deltagarsson" not in found.text
    start = c.get(reverse("web:start"))
    assert start.status_code == 200
    assert reverse("web:person_search") not in start.text
    assert "Sök person" not in start.text


@pytest.mark.parametrize("who", ROLES)
def test_the_persons_api_gives_them_no_persons(world, who):
    api = APIClient()
    api.force_login(world["memberships"][who].user)
    listed = api.get("/api/v1/persons/")
    assert listed.status_code == 403
    assert listed.json() == {"detail": ERROR_NO_PERSON_ACCESS}
    paged = api.get("/api/v1/persons/", {"offset": 50})
    assert paged.status_code == 403
    searched = api.post("/api/v1/persons/search/", {"q": "Siri"}, format="json")
    assert searched.status_code == 403
    pk = world["person"].pk
    detail, missing = api.get(f"/api/v1/persons/{pk}/"), api.get(f"/api/v1/persons/{pk + 1000}/")
    assert detail.status_code == missing.status_code == 404
    assert detail.json() == missing.json()
    for text in _forbidden_text(world["person"]):
        assert text not in listed.text + searched.text + detail.text


@pytest.mark.parametrize("who", ROLES)
def test_they_cannot_record_or_withdraw_a_consent(client, world, who):
    c = _client(client, world, who)
    person = world["person"]
    before = Consent.objects.count()
    url = reverse("web:consent_create", args=[person.pk])
    assert c.get(url).status_code == 404
    posted = c.post(
        url,
        {
            "given_by": "young_person",
            "given_on": "2026-01-01",
            "organisations": [world["memberships"][who].organisation.pk],
            "categories": ["support"],
        },
    )
    assert posted.status_code == 404
    assert Consent.objects.count() == before
    consent = Consent.objects.get(person=person)
    withdrawn = c.post(reverse("web:consent_withdraw", args=[person.pk, consent.pk]))
    assert withdrawn.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_the_team_sees_the_participant_record_and_nothing_else(client, world):
    c = _client(client, world, "leader")
    participation = world["participation"]
    pages = [
        reverse("programmes:participants", args=[world["subproject"].pk]),
        reverse("programmes:participation_edit", args=[participation.pk]),
        reverse("programmes:participation_exit", args=[participation.pk]),
        reverse("programmes:participation_followup", args=[participation.pk]),
        reverse("programmes:report", args=[world["programme"].pk]),
    ]
    for url in pages:
        page = c.get(url)
        assert page.status_code == 200, url
        assert "Siri Deltagarsson" in page.text, url
        for text in _forbidden_text(world["person"]):
            assert text not in page.text, (url, text)
        assert "/personer/" not in page.text, url
    listing = c.get(pages[0]).text
    # The record: gender and age band at entry (15 years on 2025-02-01), entry and exit.
    assert "Under 18 år" in listing
    assert "Kvinna" in listing
    assert "2025-02-01" in listing and "2025-06-01" in listing


def test_programme_pages_show_no_participant_to_an_evaluator(client, world):
    c = _client(client, world, "evaluator")
    participation = world["participation"]
    assert c.get(reverse("programmes:participants", args=[world["subproject"].pk])).status_code == (
        404
    )
    assert (
        c.get(reverse("programmes:participation_edit", args=[participation.pk])).status_code == 404
    )
    report = c.get(reverse("programmes:report", args=[world["programme"].pk]))
    assert report.status_code == 200
    assert "Deltagarsson" not in report.text
