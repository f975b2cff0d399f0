"""Governing the learned model: comparison before activation, a person activates, the kill
switch, and the model card and impact assessment written from the version's facts."""

from __future__ import annotations

import copy
import zipfile

import pytest
from django.core.management import CommandError, call_command

from lotsen.earlywarning.governance import (
    ActivationRefused,
    active_version,
    comparison_make,
    facts_from_version,
    model_activate,
)
from lotsen.earlywarning.modelcard import (
    IMPACT_FILE,
    MODEL_CARD_FILE,
    impact_assessment_sections,
    model_card_sections,
)
from lotsen.earlywarning.models import ModelVersion, RiskScore
from lotsen.earlywarning.scoring import ScoringError, model_train, risk_scores_compute
from lotsen.earlywarning.selectors import risk_scores_visible_to
from lotsen.earlywarning.switch import SwitchRefused, switch_set, units_switched_off
from tests.earlywarning.conftest import TODAY, enrol, term_grades, uniform
from tests.earlywarning.test_scoring import build_history
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


_TRAINED: list[dict] = []


@pytest.fixture
def two_versions():
    """Two versions trained on the same history with different seeds: A, then B. Trained
    once per run; each test gets them back as stored, as training would leave them."""
    build_history()
    if not _TRAINED:
        version = model_train(as_of=TODAY, folds=3, seed=0)
        fields = {
            field.attname: getattr(version, field.attname)
            for field in ModelVersion._meta.concrete_fields
            if not field.primary_key
        }
        # The second is the same fitted model under another version, as a retraining on the
        # same history would give: what governs it is the same (one training fewer).
        _TRAINED.extend([fields, dict(fields, version="b" + version.version[1:])])
        ModelVersion.objects.all().delete()
    first, second = (ModelVersion.objects.create(**fields) for fields in _TRAINED)
    assert first.version != second.version
    return first, second


def test_a_version_is_used_only_once_a_person_activates_it_after_a_comparison(two_versions):
    first, second = two_versions
    admin = UserFactory(username="modellagare")
    # Trained, compared with nothing in use, but not active: nobody is scored yet.
    assert active_version() is None
    assert first.comparison["against_id"] is None and first.comparison["in_use"] is None
    with pytest.raises(ScoringError, match="Ingen modellversion är aktiverad"):
        risk_scores_compute(as_of=TODAY)
    with pytest.raises(ActivationRefused, match="person"):
        model_activate(first, by=None)

    model_activate(first, by=admin, note="första versionen")
    first.refresh_from_db()
    assert active_version().pk == first.pk
    assert first.activated_by == admin and first.activation_note == "första versionen"

    # B was compared when nothing was in use: that comparison no longer holds.
    with pytest.raises(ActivationRefused, match="Jämför igen"):
        model_activate(second, by=admin)
    with pytest.raises(CommandError, match="Jämför igen"):
        call_command("signals", "activate", second.version, "--user", admin.username)

    comparison = comparison_make(second)
    # Both versions on the same outcomes.
    assert comparison["against"] == first.version
    assert comparison["in_use"] is not None and comparison["candidate"] is not None
    assert comparison["rows"] == second.n and comparison["positives"] == second.positives
    for side in ("candidate", "in_use"):
        assert 0.5 < comparison[side]["roc_auc"] <= 1
        assert set(comparison[side]["groups"]) == {"Kvinna", "Man"}

    call_command("signals", "activate", second.version, "--user", admin.username)
    first.refresh_from_db()
    second.refresh_from_db()
    assert active_version().pk == second.pk
    assert first.retired_at is not None and second.retired_at is None
    assert second.activated_by == admin
    with pytest.raises(ActivationRefused, match="används redan"):
        model_activate(second, by=admin)


def test_activation_without_any_comparison_is_refused(two_versions):
    first, _second = two_versions
    ModelVersion.objects.filter(pk=first.pk).update(comparison={})
    first.refresh_from_db()
    with pytest.raises(ActivationRefused, match="inte jämförts"):
        model_activate(first, by=UserFactory())
    assert active_version() is None


def test_the_kill_switch_stops_new_scores_and_hides_old_ones(two_versions, school, mentor_actor):
    first, _ = two_versions
    model_activate(first, by=UserFactory())
    pupil = enrol(school, school_year=9)
    term_grades(pupil, uniform("C", MA="F"))
    assert risk_scores_compute(as_of=TODAY).pupils >= 1
    actor = mentor_actor
    assert risk_scores_visible_to(actor).filter(person=pupil).exists()

    with pytest.raises(SwitchRefused):
        switch_set(organisation=school.parent, on=False, reason="  ", by=None)
    # Off for the principal: off for the school unit under it.
    switch_set(organisation=school.parent, on=False, reason="Granskning pågår", by=None)
    assert school.pk in units_switched_off()
    assert not risk_scores_visible_to(actor).filter(person=pupil).exists()
    before = RiskScore.objects.count()
    assert risk_scores_compute(as_of=TODAY).pupils == 0
    assert RiskScore.objects.count() == before

    switch_set(organisation=school.parent, on=True, reason="Granskningen klar", by=None)
    assert risk_scores_visible_to(actor).filter(person=pupil).exists()


def _changed(version: ModelVersion) -> ModelVersion:
    """The same version with other training facts, as another history would give."""
    other = copy.deepcopy(version)
    m = other.metrics
    other.version = "0123456789ab"
    other.n, other.positives, other.base_rate = version.n + 111, version.positives + 7, 0.31
    other.horizon_years = version.horizon_years + 1
    other.features = version.features[:-1]
    m["cohorts"] = [2001, 2004]
    m["ignored"] = {}
    m["roc_auc"], m["pr_auc"], m["brier"] = 0.71, 0.42, 0.19
    m["operating_point"] = dict(m["operating_point"], precision=0.33, recall=0.55)
    m["by_stage"] = {"9": {"n": 50, "positives": 9, "roc_auc": 0.66}}
    m["calibration"] = [{"from": 0.1, "predicted": 0.15, "observed": 0.4, "n": 77}]
    m["groups"] = {
        "kön": {
            label: dict(g, n=(g["n"] or 0) + 3, recall=0.11)
            for label, g in m["groups"]["kön"].items()
        }
    }
    m["gaps"] = {}
    other.comparison = dict(version.comparison, against="fedcba987654")
    return other


def test_every_section_of_both_documents_is_written_from_the_version(two_versions, tmp_path):
    first, _ = two_versions
    model_activate(first, by=UserFactory(first_name="Maja", last_name="Berg"))
    first.refresh_from_db()
    facts, other = facts_from_version(first), facts_from_version(_changed(first))
    for build in (model_card_sections, impact_assessment_sections):
        sections, changed = build(facts), build(other)
        assert [s.title for s in sections] == [s.title for s in changed]
        for section, after in zip(sections, changed, strict=True):
            assert any(p.strip() for p in section.paragraphs), section.title
            # Not boilerplate: other facts give other text in every section.
            assert (section.paragraphs, section.table) != (after.paragraphs, after.table), (
                section.title
            )
    card = "\n".join(p for s in model_card_sections(facts) for p in s.paragraphs)
    assert first.version in card and str(first.n) in card
    impact = "\n".join(p for s in impact_assessment_sections(facts) for p in s.paragraphs)
    assert "Maja Berg" in impact

    call_command("signals", "train", "--date", TODAY.isoformat(), "--folds", "3", "--out", tmp_path)
    for stem in (MODEL_CARD_FILE, IMPACT_FILE):
        html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
        assert '<html lang="sv">' in html and first.version in html
        with zipfile.ZipFile(tmp_path / f"{stem}.odt") as odt:
            assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
            content = odt.read("content.xml").decode("utf-8")
        assert first.version in content and "text:h" in content
