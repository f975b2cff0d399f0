"""The guardian of a minor sees the minor's "Varför?": what the risk model said and why,
the minor's objections and the school's answers. Only through the guardian's risk basis
(a stored guardian with the login's personnummer, a minor under 18 whom the model has
assessed), every read logged with the purpose "guardian"; anybody else gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.oidc import LOGIN_GUARDIAN, SESSION_LOGIN_KIND
from lotsen.earlywarning.models import RiskScore, ScoreObjection
from lotsen.privacy.models import AccessLogEntry, Category, Purpose
from lotsen.privacy.policy import PersonPolicy
from lotsen.youth.risk import guardian_minors_assessed
from tests.factories import ModelVersionFactory, SchoolUnitFactory
from tests.youth.guardian_world import (
    OTHER_GUARDIAN_NUMBER,
    guardian_actor,
    guardian_of,
    minor,
)

pytestmark = pytest.mark.django_db

REASONS = ["Inte godkänt i matematik i höstas", "Mycket frånvaro de senaste fyra veckorna"]


def _score(person, *, band="high", reasons=REASONS) -> RiskScore:
    version = ModelVersionFactory(version="guardian12345")
    return RiskScore.objects.create(
        person=person,
        model_version=version,
        school_unit=SchoolUnitFactory(),
        probability=0.41,
        band=band,
        explanation=[{"text": text} for text in reasons],
        features_as_of=timezone.localdate(),
        scored_at=timezone.now(),
    )


def _login_as_guardian(client, number=None):
    actor = guardian_actor(number) if number else guardian_actor()
    client.force_login(actor.user)
    session = client.session
    session[SESSION_LOGIN_KIND] = LOGIN_GUARDIAN
    session.save()
    return actor


def _school_visible(actor, today=None):
    return set(
        PersonPolicy(actor, today=today)
        .persons(purpose=Purpose.GUARDIAN, category=Category.SCHOOL)
        .values_list("pk", flat=True)
    )


def test_the_guardian_reads_the_minors_why_and_the_read_is_logged(client):
    child = minor(age=15)
    guardian_of(child)
    score = _score(child)
    ScoreObjection.objects.create(
        score=score,
        text="Jag var sjuk i två veckor.",
        answer="Vi har sett det. Frånvaron räknas inte mot dig.",
        answered_at=timezone.now(),
    )
    actor = _login_as_guardian(client)

    start = client.get(reverse("guardians:start")).content.decode()
    url = reverse("guardians:why", args=[child.pk])
    assert url in start
    # The start page no longer says the guardian sees only the consent requests.
    assert "riskmodell har sagt om ditt barn" in start and "Du ser bara frågorna" not in start
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    for text in [*REASONS, "ditt barn kan behöva mer stöd", "Jag var sjuk i två veckor."]:
        assert text in body
    assert "Frånvaron räknas inte mot dig." in body
    logged = AccessLogEntry.objects.filter(
        actor_user=actor.user, purpose=Purpose.GUARDIAN, object_type="risk_score"
    )
    assert list(logged.values_list("person_id", "object_id")) == [(child.pk, str(score.pk))]


def test_the_guardian_reaches_only_their_own_assessed_minors(client):
    child, unassessed, stranger = minor(), minor(), minor()
    guardian_of(child)
    guardian_of(unassessed)
    guardian_of(stranger, OTHER_GUARDIAN_NUMBER, "Annan Förälder")
    _score(child)
    _score(stranger)
    actor = _login_as_guardian(client)

    assert _school_visible(actor) == {child.pk}
    assert [p.pk for p in guardian_minors_assessed(actor=actor)] == [child.pk]
    for person in (unassessed, stranger):
        assert client.get(reverse("guardians:why", args=[person.pk])).status_code == 404
    # The basis grants the school category only: nothing else about the minor.
    for category in (Category.KAA, Category.SUPPORT, Category.HEALTH, Category.IDENTITY):
        assert PersonPolicy(actor).persons(purpose=Purpose.GUARDIAN, category=category).count() == 0


def test_nothing_once_the_minor_turns_18():
    child = minor(age=17, days=10)
    guardian_of(child)
    _score(child)
    actor = guardian_actor()
    today = timezone.localdate()

    assert _school_visible(actor, today=today) == {child.pk}
    assert _school_visible(actor, today=today + dt.timedelta(days=10)) == set()


def test_anybody_but_a_guardian_gets_404(client):
    child = minor()
    guardian_of(child)
    _score(child)
    actor = guardian_actor()
    url = reverse("guardians:why", args=[child.pk])
    # The same user, logged in without the guardian's e-ID login kind.
    client.force_login(actor.user)
    assert client.get(url).status_code == 404
