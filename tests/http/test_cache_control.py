"""No browser or proxy keeps a copy of anything Lotsen answers past its static files:
pages, downloads and API answers carry ``Cache-Control: no-store, private``; the static
files WhiteNoise serves keep their caching."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.cache import get_max_age

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.support.services import case_open
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    MunicipalityFactory,
    SchoolUnitFactory,
)

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def test_pages_downloads_and_api_answers_are_never_stored(client):
    assert {"no-store", "private"} <= directives(client.get(reverse("accounts:login")))
    school = SchoolUnitFactory()
    mentor = MembershipFactory(organisation=school, role=Role.MENTOR)
    pupil = EnrolmentFactory(school_unit=school).person
    case = case_open(actor=Actor.for_membership(mentor), person=pupil, target_groups=["dropout"])
    client.force_login(mentor.user)
    for url in (
        reverse("web:person_detail", args=[pupil.pk]),
        reverse("support:case_detail", args=[case.pk]),
        f"/api/v1/cases/{case.pk}/plan/",
        "/api/v1/does-not-exist/",
    ):
        response = client.get(url)
        assert {"no-store", "private"} <= directives(response), url
        assert "public" not in directives(response), url
    client.force_login(
        MembershipFactory(organisation=MunicipalityFactory(), role=Role.KAA_COORDINATOR).user
    )
    download = client.get(reverse("kaa:statistics_csv"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert {"no-store", "private"} <= directives(download)


def test_static_files_keep_their_caching(client):
    static = Path(settings.STATIC_ROOT)
    assert (static / "staticfiles.json").exists(), "run `make setup` (collectstatic) first"
    hashed = next(static.glob("lotsen/lotsen.*.css"))
    response = client.get(f"{settings.STATIC_URL}lotsen/{hashed.name}")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert get_max_age(response) > 0
