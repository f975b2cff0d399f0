"""The model's pages: versions, documents, activation, the kill switch, and staff's verdicts
on scores. Only those who govern the model reach them; everyone else gets a plain 404."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from lotsen.accounts.models import Role
from lotsen.earlywarning.governance import active_version, disagreement_by_school
from lotsen.earlywarning.models import (
    LearnedModelSwitch,
    ModelVersion,
    RiskScore,
    ScoreReview,
)
from lotsen.earlywarning.scoring import risk_scores_compute
from tests.earlywarning.conftest import TODAY, enrol, term_grades, uniform
from tests.earlywarning.test_governance import two_versions  # noqa: F401 (fixture)
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    membership = MembershipFactory(organisation=OrganisationFactory(), role=Role.SYSTEM_ADMIN)
    client.force_login(membership.user)
    return membership


def test_the_owner_compares_and_activates_and_reads_both_documents(owner, client, two_versions):  # noqa: F811
    first, _second = two_versions
    page = client.get(reverse("signals:model_versions"))
    assert page.status_code == 200
    assert first.version in page.content.decode()

    url = reverse("signals:model_version", args=[first.version])
    body = client.get(url).content.decode()
    for heading in ("Modellkort", "Prestanda per informationssteg", "d) Risker för skada"):
        assert heading in body

    # Activation needs a reason; with one, the first version (compared with nothing in
    # use) becomes the one in use, activated by this person.
    refused = client.post(reverse("signals:model_activate", args=[first.version]), {"note": ""})
    assert refused.status_code == 200 and active_version() is None
    done = client.post(
        reverse("signals:model_activate", args=[first.version]), {"note": "Bättre än inget"}
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert active_version().pk == first.pk and first.activated_by == owner.user

    # The second was compared when nothing was in use: refused, with the reason shown.
    second_url = reverse("signals:model_activate", args=[_second.version])
    page = client.post(second_url, {"note": "Nyare"})
    assert page.status_code == 200
    assert "Jämför igen" in page.content.decode()
    assert active_version().pk == first.pk

    odt = client.get(
        reverse("signals:model_document", args=[first.version, "konsekvensbedomning", "odt"])
    )
    assert odt["Content-Type"] == "application/vnd.oasis.opendocument.text"
    content = b"".join(odt.streaming_content) if odt.streaming else odt.content
    with zipfile.ZipFile(io.BytesIO(content)) as document:
        assert "e) Mänsklig tillsyn" in document.read("content.xml").decode()
    html = client.get(reverse("signals:model_document", args=[first.version, "modellkort", "html"]))
    assert html.status_code == 200 and first.version in html.content.decode()


def test_nobody_else_reaches_the_model_pages(client, two_versions, mentor):  # noqa: F811
    first, _ = two_versions
    client.force_login(mentor.user)
    missing = client.get(reverse("signals:model_version", args=["finnsinte"]))
    for url in (
        reverse("signals:model_versions"),
        reverse("signals:model_version", args=[first.version]),
        reverse("signals:model_document", args=[first.version, "modellkort", "odt"]),
        reverse("signals:model_switch"),
    ):
        response = client.get(url)
        assert response.status_code == 404 == missing.status_code
    response = client.post(reverse("signals:model_activate", args=[first.version]), {"note": "x"})
    assert response.status_code == 404
    assert ModelVersion.objects.filter(activated_at__isnull=False).count() == 0


def test_the_organisation_admin_turns_the_model_off_with_a_reason(client, school):
    admin = MembershipFactory(organisation=school.parent, role=Role.ORGANISATION_ADMIN)
    client.force_login(admin.user)
    url = reverse("signals:model_switch_set")
    refused = client.post(url, {"on": "0", "reason": ""})
    assert refused.status_code == 200 and not LearnedModelSwitch.objects.exists()
    assert client.post(url, {"on": "0", "reason": "Vi granskar modellen"}).status_code == 302
    change = LearnedModelSwitch.objects.get()
    assert not change.learned_model_on and change.changed_by == admin.user
    page = client.get(reverse("signals:model_switch")).content.decode()
    assert "Vi granskar modellen" in page and "avstängd" in page


def test_staff_say_what_they_make_of_a_score_and_owners_see_how_often_they_disagree(
    client,
    two_versions,  # noqa: F811
    school,
    mentor,
):
    from lotsen.earlywarning.governance import model_activate

    first, _ = two_versions
    model_activate(first, by=mentor.user)
    pupils = []
    for _index in range(5):
        pupil = enrol(school, school_year=9)
        term_grades(pupil, uniform("C", MA="F"))
        pupils.append(pupil)
    risk_scores_compute(as_of=TODAY)
    scores = list(RiskScore.objects.filter(person__in=pupils))
    assert len(scores) == 5

    client.force_login(mentor.user)
    page = client.get(reverse("web:person_detail", args=[pupils[0].pk])).content.decode()
    assert "Stämmer bedömningen med din bild av eleven?" in page
    url = reverse("signals:score_review", args=[scores[0].pk])
    # Disagreeing needs a reason.
    client.post(url, {"verdict": "too_high", "reason": ""})
    assert not ScoreReview.objects.exists()
    client.post(url, {"verdict": "too_high", "reason": "Hen har precis fått stöd i matte"})
    for score in scores[1:]:
        client.post(reverse("signals:score_review", args=[score.pk]), {"verdict": "agree"})
    assert ScoreReview.objects.count() == 5
    page = client.get(reverse("web:person_detail", args=[pupils[0].pk])).content.decode()
    assert "Ditt senaste omdöme" in page

    (row,) = disagreement_by_school(first)
    assert row == {"school_unit": school.name, "reviews": 5, "share": 0.2}

    # A score the user cannot see: the same 404 as a score that does not exist.
    other = MembershipFactory(organisation=OrganisationFactory(), role=Role.MENTOR)
    client.force_login(other.user)
    hidden = client.post(url, {"verdict": "agree"})
    missing = client.post(reverse("signals:score_review", args=[10**9]), {"verdict": "agree"})
    assert hidden.status_code == missing.status_code == 404
    assert ScoreReview.objects.count() == 5
