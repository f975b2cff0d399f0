"""The model's pages show calibration (issues 13 and 14): for the version in use, the
predicted risk beside the share that dropped out per risk bin, with counts, and a short
reading in plain Swedish written from the figures (change them, the words change)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from lotsen.accounts.models import Role
from lotsen.earlywarning.governance import CALIBRATION_MIN_ROWS, calibration_view
from lotsen.earlywarning.models import ModelVersion
from tests.factories import MembershipFactory, ModelVersionFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _version(bins, *, version="kal123456", active=True) -> ModelVersion:
    return ModelVersionFactory(
        version=version,
        n=sum(b["n"] for b in bins),
        positives=40,
        metrics={"calibration": bins, "roc_auc": 0.8},
        activated_at=timezone.now() if active else None,
    )


def _bin(low, predicted, observed, n):
    return {"from": low, "predicted": predicted, "observed": observed, "n": n}


WELL = [_bin(0.0, 0.05, 0.06, 200), _bin(0.1, 0.14, 0.12, 80), _bin(0.5, 0.55, 0.2, 5)]
TOO_HIGH = [_bin(0.0, 0.08, 0.02, 200), _bin(0.3, 0.35, 0.15, 60)]


def test_the_reading_follows_the_figures():
    well = calibration_view(_version(WELL, version="a1"))
    assert [row["n"] for row in well["rows"]] == [200, 80, 5]
    assert [row["few"] for row in well["rows"]] == [False, False, True]
    text = " ".join(well["reading"])
    assert "Det stämmer bra." in text
    # The bin of five is shown, but not read: the largest gap is read among the others.
    assert "risk 10 %–20 %" in text and "(80 elever)" in text
    assert f"En grupp har färre än {CALIBRATION_MIN_ROWS} elever" in text

    high = " ".join(calibration_view(_version(TOO_HIGH, version="a2"))["reading"])
    assert "för hög risk, med 9 procentenheter" in high
    assert "risk 30 %–40 %" in high and "modellen sa 35 %, 15 % hoppade av (60 elever)" in high

    low = [_bin(0.0, 0.02, 0.1, 100)]
    assert "för låg risk, med 8 procentenheter" in " ".join(
        calibration_view(_version(low, version="a3"))["reading"]
    )
    assert "ingen mätning" in calibration_view(_version([], version="a4"))["reading"][0]


def test_the_owner_sees_the_active_versions_calibration_on_the_model_pages(client):
    membership = MembershipFactory(organisation=OrganisationFactory(), role=Role.SYSTEM_ADMIN)
    client.force_login(membership.user)
    version = _version(TOO_HIGH)

    for url in (
        reverse("signals:model_versions"),
        reverse("signals:model_version", args=[version.version]),
    ):
        body = client.get(url).content.decode()
        assert "Stämmer risken? (kalibrering)" in body
        assert "för hög risk, med 9 procentenheter" in body
        # Both bins with their counts: 30–40 %, said 35 %, observed 15 %, 60 pupils.
        assert "30–40 %" in body and ">60<" in body.replace(" ", "")


def test_no_calibration_on_the_list_when_no_version_is_in_use(client):
    membership = MembershipFactory(organisation=OrganisationFactory(), role=Role.SYSTEM_ADMIN)
    client.force_login(membership.user)
    _version(TOO_HIGH, active=False)
    body = client.get(reverse("signals:model_versions")).content.decode()
    assert "Stämmer risken?" not in body
