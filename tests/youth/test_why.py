"""'Varför?': the young person reads what the risk model said about them in plain words,
says it is wrong, and reads the answer of the staff at their school."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lotsen.earlywarning.models import RiskScore, ScoreObjection
from lotsen.inbox.selectors import InboxFilters, inbox_page_for
from lotsen.inbox.sources import Kind
from lotsen.privacy.models import AccessLogEntry
from lotsen.youth.lix import lix_of_html
from tests.factories import EnrolmentFactory, ModelVersionFactory

pytestmark = pytest.mark.django_db
LIX_LIMIT = 40


@pytest.fixture
def scored(world):
    """Alva goes to Björkskolan, whose active model scored her high (stored as scoring
    stores it: the band, and the reasons in words)."""
    EnrolmentFactory(person=world.person, school_unit=world.school)
    version = ModelVersionFactory(version="abcdef123456")
    return RiskScore.objects.create(
        person=world.person,
        model_version=version,
        school_unit=world.school,
        probability=0.41,
        band="high",
        explanation=[
            {"text": "Inte godkänt i matematik i höstas"},
            {"text": "Mycket frånvaro de senaste fyra veckorna"},
        ],
        features_as_of=timezone.localdate(),
        scored_at=timezone.now(),
    )


def _main(html: str) -> str:
    return re.search(r"<main\b.*?</main>", html, re.DOTALL).group(0)


def test_without_a_score_the_page_says_so_in_plain_words(young_client):
    response = young_client.get(reverse("youth:why"))
    assert response.status_code == 200
    assert "ingen riskmodell för dig" in response.text
    assert lix_of_html(_main(response.text)) < LIX_LIMIT


def test_the_young_person_reads_why_objects_and_reads_the_answer(
    world, young_client, client, scored
):
    page = young_client.get(reverse("youth:why")).text
    assert "Modellen tror att du kan behöva mer stöd i skolan." in page
    assert "Inte godkänt i matematik i höstas" in page
    assert "Modellen bestämmer ingenting" in page
    assert lix_of_html(_main(page)) < LIX_LIMIT
    assert AccessLogEntry.objects.filter(
        person_id=world.person.pk, object_type="risk_score", actor_user=world.young_user
    ).exists()

    # Nothing written: the field is named, nothing stored.
    refused = young_client.post(reverse("youth:why"), {"text": "  "})
    assert refused.status_code == 200 and "Skriv vad som inte stämmer" in refused.text
    assert not ScoreObjection.objects.exists()
    young_client.post(reverse("youth:why"), {"text": "Jag har fått hjälp i matte nu."})
    objection = ScoreObjection.objects.get()
    assert objection.score == scored

    # It lands in the inbox of the mentor at her school, who answers on her person page.
    objections = InboxFilters(kind=Kind.OBJECTION)
    [row] = inbox_page_for(actor=world.mentor, filters=objections).rows
    assert row.person.pk == world.person.pk
    staff = Client()
    staff.force_login(world.mentor.user)
    person_page = staff.get(reverse("web:person_detail", args=[world.person.pk])).text
    assert "Jag har fått hjälp i matte nu." in person_page
    staff.post(
        reverse("signals:objection_answer", args=[objection.pk]),
        {"answer": "Bra! Vi pratar om det på mentorstiden."},
    )
    assert inbox_page_for(actor=world.mentor, filters=objections).total == 0

    page = young_client.get(reverse("youth:why")).text
    assert "Bra! Vi pratar om det på mentorstiden." in page


def test_staff_who_cannot_see_the_score_cannot_answer(world, scored, client):
    objection = ScoreObjection.objects.create(score=scored, text="Fel")
    client.force_login(world.coach.user)  # social services: never sees school scores
    response = client.post(
        reverse("signals:objection_answer", args=[objection.pk]), {"answer": "x"}
    )
    missing = client.post(reverse("signals:objection_answer", args=[10**9]), {"answer": "x"})
    assert response.status_code == missing.status_code == 404
    objection.refresh_from_db()
    assert objection.answered_at is None
    assert client.get(reverse("youth:why")).status_code == 404
