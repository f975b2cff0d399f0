"""The learned model on Lotsen's own data: training on outcome history, scoring pupils,
and showing a score only to the school that acts on it.

The history is small and built for the test: pupils who began upper secondary in 2020,
whose risk of dropping out depends on one thing the school knew, a failed maths grade.
Training takes a few seconds, so it runs once; later tests get a copy of the stored model
version (it does not depend on anything but its own fields).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.earlywarning import features as F
from lotsen.earlywarning import scoring
from lotsen.earlywarning.governance import model_activate
from lotsen.earlywarning.models import ModelVersion, RiskCapacity, RiskScore
from lotsen.earlywarning.scoring import (
    COMPLETED,
    DROPOUT,
    NO_MODEL,
    TOO_LITTLE_HISTORY,
    ScoringError,
    TrainingRefused,
    model_load,
    model_train,
    outcome_label,
    risk_score_reasons,
    risk_scores_compute,
    training_set,
)
from lotsen.earlywarning.selectors import risk_view_for_person
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry
from lotsen.school.models import Enrolment, Grade
from tests.earlywarning.conftest import SIXTEEN, TODAY, enrol, term_grades, uniform
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    SchoolUnitFactory,
    UserFactory,
    consent_create,
    fresh_identity_number,
)

GY_START = dt.date(2020, 8, 17)
HORIZON_END = dt.date(2023, 8, 17)
OTHERS = tuple(s for s in SIXTEEN if s not in ("SV", "EN", "MA"))
# Grade sets: (semester, year, registered on, kind).
TERMS = (
    ("HT", 2018, dt.date(2018, 12, 18), "term"),
    ("VT", 2019, dt.date(2019, 6, 10), "term"),
    ("HT", 2019, dt.date(2019, 12, 18), "term"),
    ("VT", 2020, dt.date(2020, 6, 10), "final"),
)


def build_history(*, pupils: int = 260, seed: int = 7) -> list[Person]:
    """Pupils through year 8–9 and into upper secondary in 2020, with known outcomes.

    A third fail maths in every grade set, and three in four of them drop out; of the rest,
    one in 25 does. Other subjects are drawn at random (some fail art or technology), so
    the merit value and the number of failed subjects carry the signal only blurred; the
    failed core subject carries it clean.
    """
    rng = random.Random(seed)
    compulsory, upper = SchoolUnitFactory(), SchoolUnitFactory()
    persons = Person.objects.bulk_create(
        Person(
            personal_identity_number=fresh_identity_number(dt.date(2004, 3, 1)),
            date_of_birth=dt.date(2004, 3, 1),
            given_name=f"Historia{index}",
            family_name="Elev",
            gender="woman" if index % 2 else "man",
            home_municipality_code="0180",
        )
        for index in range(pupils)
    )
    enrolments, grades = [], []
    for person in persons:
        risky = rng.random() < 1 / 3
        dropout = rng.random() < (0.75 if risky else 0.04)
        base = {subject: rng.choice("ABCDE") for subject in ("SV", "EN", "MA", *OTHERS)}
        if risky:
            base["MA"] = "F"
        if rng.random() < 0.3:
            base[rng.choice(("BL", "TK"))] = "F"
        for semester, year, registered_on, kind in TERMS:
            for subject, value in base.items():
                grades.append(
                    Grade(
                        person=person, subject_code=subject, value=value, kind=kind,
                        semester=semester, year=year, registered_on=registered_on,
                    )
                )  # fmt: skip
        enrolments.append(
            Enrolment(
                person=person, school_unit=compulsory, school_type="GR", school_year=9,
                start_date=dt.date(2017, 8, 15), end_date=dt.date(2020, 6, 10),
                end_reason="Avslutat årskurs 9",
            )
        )  # fmt: skip
        if dropout:
            end = GY_START + dt.timedelta(days=rng.randrange(40, 1000))
            reason = "Avbrott"
        else:
            end, reason = dt.date(2023, 6, 9), rng.choice(("Gymnasieexamen", "Studiebevis"))
        enrolments.append(
            Enrolment(
                person=person, school_unit=upper, school_type="GY", school_year=3,
                programme="SA", start_date=GY_START, end_date=end, end_reason=reason,
            )
        )  # fmt: skip
    Enrolment.objects.bulk_create(enrolments)
    Grade.objects.bulk_create(grades, batch_size=2000)
    return persons


_TRAINED: dict[str, dict] = {}


def _remember(version: ModelVersion) -> None:
    _TRAINED["fields"] = {
        field.attname: getattr(version, field.attname)
        for field in ModelVersion._meta.concrete_fields
        if not field.primary_key
    }


@pytest.fixture
def trained(db) -> ModelVersion:
    """The trained model, activated by a person (it scores nobody before that)."""
    if "fields" not in _TRAINED:
        build_history()
        _remember(model_train(as_of=TODAY, folds=3))
        ModelVersion.objects.all().delete()
    version = ModelVersion.objects.create(**_TRAINED["fields"])
    return model_activate(version, by=UserFactory(), note="i bruk för testerna")


@pytest.fixture
def pupils(school, mentor):
    """Two year-9 pupils at the mentor's school: one failing maths, one passing it all.

    The school can follow up half its pupils closely and marks half as high (the most a
    school may choose): with two pupils that is one, so the band shows the capacity's
    decision on the smallest school possible."""
    RiskCapacity.objects.create(organisation=school, close_percent=50, high_percent=50)
    risky = enrol(school, school_year=9)
    term_grades(risky, uniform("C", MA="F"))
    safe = enrol(school, school_year=9)
    term_grades(safe, uniform("C"))
    return SimpleNamespace(risky=risky, safe=safe)


# --- Labels -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "reason", "label"),
    [
        (dt.date(2021, 3, 1), "Avbrott", DROPOUT),
        (dt.date(2021, 3, 1), " avbrott ", DROPOUT),
        (dt.date(2023, 6, 9), "Gymnasieexamen", COMPLETED),
        (dt.date(2023, 6, 9), "Studiebevis", COMPLETED),
        (dt.date(2023, 6, 9), "Gymnasieintyg", COMPLETED),
        # Still enrolled when the horizon ran out: no dropout within it.
        (None, "", COMPLETED),
        (dt.date(2024, 2, 1), "Avbrott", COMPLETED),
        # Moved away or changed school before the horizon: the outcome is not known.
        (dt.date(2021, 3, 1), "Flyttat", None),
        (dt.date(2021, 3, 1), "", None),
    ],
)
def test_outcome_labels(end, reason, label):
    assert (
        outcome_label(start=GY_START, end=end, end_reason=reason, as_of=TODAY, horizon_years=3)
        == label
    )


def test_no_label_before_the_horizon_has_run_out():
    assert (
        outcome_label(
            start=GY_START, end=None, end_reason="", as_of=dt.date(2023, 8, 1), horizon_years=3
        )
        is None
    )


def test_an_end_after_the_training_date_is_not_known_on_it():
    # Dropped out in 2023, but training as of 2022-12-31 on a two-year horizon: on that
    # day the pupil was still enrolled after the horizon, so not a dropout within it.
    assert (
        outcome_label(
            start=GY_START,
            end=dt.date(2023, 3, 1),
            end_reason="Avbrott",
            as_of=dt.date(2022, 12, 31),
            horizon_years=2,
        )
        == COMPLETED
    )


def test_the_label_words_are_the_demo_s():
    from lotsen.demo import generator

    demo = {
        generator.END_REASON_DROPPED_OUT.casefold(): DROPOUT,
        generator.END_REASON_EXAMEN.casefold(): COMPLETED,
        generator.END_REASON_STUDIEBEVIS.casefold(): COMPLETED,
        generator.END_REASON_GYMNASIEINTYG.casefold(): COMPLETED,
    }
    assert dict(scoring.OUTCOME_BY_END_REASON) == demo


# --- Training data: one row per pupil, from before the outcome was known ----------------


@pytest.mark.django_db
def test_training_rows_come_from_before_the_outcome_was_known():
    persons = build_history(pupils=120)
    data = training_set(as_of=TODAY, horizon_years=3)
    ends = dict(Enrolment.objects.filter(school_type="GY").values_list("person_id", "end_date"))
    assert len(data.requests) == len(data.y) == len(data.genders)
    assert len({r.person_id for r in data.requests}) == len(data.requests)
    assert set(data.genders) == {"Kvinna", "Man"}
    for request, label in zip(data.requests, data.y, strict=True):
        assert request.as_of < HORIZON_END
        if request.school_year >= 10:
            # In upper secondary on the row's date, and not yet left.
            assert GY_START <= request.as_of < ends[request.person_id]
        else:
            assert request.as_of < GY_START
        if label == DROPOUT:
            assert request.as_of < ends[request.person_id]
    assert {r.school_year for r in data.requests} == {7, 8, 9, 10, 11, 12}
    # Pupils who had left before their drawn stage give no row.
    assert len(data.requests) < len(persons)


@pytest.mark.django_db
def test_the_same_history_gives_the_same_rows_whatever_ids_the_database_gave():
    # On PostgreSQL a sequence never goes back, so the same history loaded later (or into
    # another database) gets other ids; the rows, and so the model, must not change.
    def rows():
        return [
            (label, request.as_of, request.school_year)
            for request, label in zip(
                training_set(as_of=TODAY, horizon_years=3).requests,
                training_set(as_of=TODAY, horizon_years=3).y,
                strict=True,
            )
        ]

    build_history(pupils=60)
    first = rows()
    first_ids = set(Person.objects.values_list("pk", flat=True))
    Grade.objects.all().delete()
    Enrolment.objects.all().delete()
    Person.objects.all().delete()
    Person.objects.bulk_create(
        Person(
            personal_identity_number=fresh_identity_number(dt.date(2004, 3, 1)),
            date_of_birth=dt.date(2004, 3, 1),
        )
        for _ in range(37)
    )
    Person.objects.all().delete()
    build_history(pupils=60)
    assert first_ids.isdisjoint(Person.objects.values_list("pk", flat=True))
    assert rows() == first


@pytest.mark.django_db
def test_no_history_is_known_before_the_horizon_has_run_out():
    build_history(pupils=30)
    assert training_set(as_of=dt.date(2023, 8, 1), horizon_years=3).requests == []
    assert len(training_set(as_of=dt.date(2023, 8, 1), horizon_years=2).requests) > 0


# --- Training ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_training_stores_a_calibrated_explained_audited_model():
    build_history()
    version = model_train(as_of=TODAY, folds=3)
    _remember(version)

    assert version.name == scoring.MODEL_NAME and len(version.version) == 12
    assert version.n >= scoring.MIN_LABELLED and version.positives >= scoring.MIN_POSITIVES
    metrics = version.metrics
    assert metrics["roc_auc"] > 0.8
    assert 0 < metrics["brier"] < 0.25
    assert 0 < version.threshold < 1 and 0 < version.base_rate < 1
    assert metrics["operating_point"]["caseload_target"] == 0.2
    # Gender is never a feature; it is in the fairness audit, per group.
    assert "gender" not in version.features and not set(version.features) & F.NEVER_FEATURES
    groups = metrics["groups"]["kön"]
    assert set(groups) == {"Kvinna", "Man"}
    assert all(group["recall"] is not None for group in groups.values())
    assert sum(group["n"] for group in groups.values()) == version.n
    # Nothing here records attendance or upper-secondary grades: said, and left out.
    assert "absence_4w" in metrics["ignored"] and "absence_4w" not in version.features
    assert metrics["importance"][0]["feature"] in {"core_subjects_failed", "merit_value"}
    card = version.model_card
    assert "kön (bara i rättvisegranskningen); födelseland; ålder" in card
    assert "aldrig som prediktorer" in card
    assert "Kvinna" in card and f"version {version.version}" in card
    assert "uppmaning till ett samtal" in card

    # The same history and settings give the same version, stored once.
    assert model_train(as_of=TODAY, folds=3).pk == version.pk
    assert ModelVersion.objects.count() == 1


@pytest.mark.django_db
def test_too_little_history_is_refused_and_nothing_is_stored():
    build_history(pupils=40)
    data = training_set(as_of=TODAY, horizon_years=3)
    with pytest.raises(TrainingRefused) as refused:
        model_train(as_of=TODAY, folds=3)
    assert str(refused.value) == TOO_LITTLE_HISTORY.format(
        n=len(data.y),
        min_n=scoring.MIN_LABELLED,
        positives=int(data.y.sum()),
        min_positives=scoring.MIN_POSITIVES,
    )
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_a_model_little_better_than_chance_is_refused(monkeypatch):
    from lotsen.earlywarning import learning as pipeline

    build_history()
    data = training_set(as_of=TODAY, horizon_years=3)
    weak = SimpleNamespace(overall=SimpleNamespace(roc_auc=0.58, pr_auc=0.12))
    monkeypatch.setattr(pipeline, "evaluate", lambda **kwargs: weak)
    monkeypatch.setattr(pipeline, "model_fit", pytest.fail)
    with pytest.raises(TrainingRefused) as refused:
        model_train(as_of=TODAY, folds=3)
    assert str(refused.value) == scoring.TOO_WEAK.format(
        roc_auc="0,58",
        minimum="0,60",
        pr_auc="0,12",
        base_rate=f"{data.y.mean():.2f}".replace(".", ","),
        n=len(data.y),
        positives=int(data.y.sum()),
    )
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_the_train_command_says_why_it_refuses():
    build_history(pupils=20)
    with pytest.raises(CommandError, match="För lite utfallshistorik"):
        call_command("signals", "train", "--folds", "3")


# --- Scoring ----------------------------------------------------------------------------


def test_scores_are_calibrated_explained_and_carry_the_model_version(trained, pupils):
    summary = risk_scores_compute(as_of=TODAY)
    assert summary.pupils == summary.created == 2
    scores = {s.person_id: s for s in RiskScore.objects.all()}
    risky, safe = scores[pupils.risky.pk], scores[pupils.safe.pk]
    assert all(0 <= s.probability <= 1 for s in scores.values())
    assert risky.probability > safe.probability
    assert (risky.band, safe.band) == ("high", "low")
    assert all(s.model_version_id == trained.pk for s in scores.values())
    assert all(s.features_as_of == TODAY for s in scores.values())
    assert set(risky.features) == set(F.FEATURE_NAMES)
    # Scoring leaves the reasons to the first page that shows the score; a risk below the
    # average has nothing to explain.
    assert risky.explanation is None
    assert safe.explanation == []
    reasons = risk_score_reasons(score=risky)
    # The failed core subject drove the risk up, and says so in plain Swedish.
    first = reasons[0]
    assert first["feature"] == "core_subjects_failed" and first["value"] == 1
    assert first["text"] == "Inte godkänt i 1 av svenska, engelska och matematik"
    assert all(reason["contribution"] > 0 for reason in reasons)
    assert len(reasons) <= 3
    # Worked out once, kept on the score.
    assert RiskScore.objects.get(pk=risky.pk).explanation == reasons


def test_reasons_on_demand_are_the_ones_scoring_all_at_once_gives(trained, school, pupils):
    """The same model on the same pupils: the reasons a page works out later from the
    stored score equal those of the eager path (``ScoringModel.score`` on the feature rows,
    which is what scoring stored before reasons were put off)."""
    extra = []
    for failed in ({"MA": "F", "EN": "F"}, {"BL": "F"}, {}, {"SV": "F", "MA": "E"}):
        person = enrol(school, school_year=9)
        term_grades(person, uniform("C", **failed))
        extra.append(person)
    everyone = [pupils.risky, pupils.safe, *extra]
    risk_scores_compute(as_of=TODAY)

    model = model_load(version=trained)
    rows = F.features_for(
        requests=[F.FeatureRequest(person_id=p.pk, as_of=TODAY, school_year=9) for p in everyone]
    )
    eager = model.score(rows.X)
    scores = {s.person_id: s for s in RiskScore.objects.filter(model_version=trained)}
    on_demand = [risk_score_reasons(score=scores[p.pk]) for p in everyone]
    assert on_demand == [json.loads(json.dumps(r)) for r in eager.explanations]
    # Both kinds are in the comparison: pupils with reasons and pupils without.
    assert any(on_demand) and not all(on_demand)
    np.testing.assert_allclose(
        [scores[p.pk].probability for p in everyone], eager.probability, atol=1e-6
    )


def test_scoring_matches_the_pipeline_s_prediction_and_explanation(trained, pupils):
    from lotsen.earlywarning.learning import explain

    model = model_load(version=trained)
    rows = F.features_for(
        requests=[
            F.FeatureRequest(person_id=p.pk, as_of=TODAY, school_year=9)
            for p in (pupils.risky, pupils.safe)
        ]
    )
    result = model.score(rows.X)
    Xm = model.prepare(rows.X)
    np.testing.assert_allclose(result.probability, model.model.predict_proba(Xm), rtol=1e-12)
    ranked = [name for name, part in explain(model.model, Xm[0]) if part > 0][:3]
    assert [reason["feature"] for reason in result.explanations[0]] == ranked


def test_scoring_twice_on_the_same_day_changes_nothing(trained, pupils):
    risk_scores_compute(as_of=TODAY)
    before = list(RiskScore.objects.order_by("id").values())
    # A grade registered after the scoring date does not count for that date.
    term_grades(pupils.safe, {"MA": "F"}, registered_on=TODAY + dt.timedelta(days=1))
    summary = risk_scores_compute(as_of=TODAY)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 2)
    assert list(RiskScore.objects.order_by("id").values()) == before


def test_a_pupil_whose_data_did_not_change_is_carried_forward_not_scored_again(trained, pupils):
    risk_scores_compute(as_of=TODAY)
    risky = RiskScore.objects.get(person=pupils.risky)
    reasons = risk_score_reasons(score=risky)
    tomorrow = TODAY + dt.timedelta(days=1)
    # The safe pupil's maths grade turns F tomorrow; nothing changes for the risky one.
    term_grades(pupils.safe, {"MA": "F"}, registered_on=tomorrow)
    summary = risk_scores_compute(as_of=tomorrow)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 0, 1)
    carried = RiskScore.objects.get(person=pupils.risky)
    # The same row, now as of tomorrow, with the reasons a page already worked out.
    assert carried.pk == risky.pk and carried.features_as_of == tomorrow
    assert (carried.probability, carried.explanation) == (risky.probability, reasons)
    safe = RiskScore.objects.filter(person=pupils.safe).order_by("features_as_of")
    assert [s.features_as_of for s in safe] == [TODAY, tomorrow]
    assert safe[1].features["core_subjects_failed"] == 1


def test_a_correction_on_the_same_day_updates_the_score(trained, pupils):
    risk_scores_compute(as_of=TODAY)
    term_grades(pupils.safe, {"MA": "F"}, registered_on=TODAY)
    summary = risk_scores_compute(as_of=TODAY)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert RiskScore.objects.count() == 2
    # Now the two have the same grades and the same risk: equal risks get equal bands, and
    # as they cannot both be the one pupil the school marks, neither is singled out.
    safe, risky = (RiskScore.objects.get(person=p) for p in (pupils.safe, pupils.risky))
    assert safe.probability == risky.probability
    assert safe.band == risky.band


def test_gender_does_not_change_a_score(trained, pupils):
    risk_scores_compute(as_of=TODAY)
    before = RiskScore.objects.get(person=pupils.risky).probability
    for gender in ("woman", "man", "other"):
        Person.objects.filter(pk=pupils.risky.pk).update(gender=gender)
        assert risk_scores_compute(as_of=TODAY).unchanged == 2
    assert RiskScore.objects.get(person=pupils.risky).probability == before


def test_only_pupils_the_model_covers_are_scored(trained, school, pupils):
    enrol(school, school_year=6)
    enrol(school, school_type="GRS", school_year=9)
    enrol(school, school_type="GYS", school_year=2)
    gymnasium = SchoolUnitFactory()
    upper = enrol(gymnasium, school_type="GY", school_year=2)
    # Grades to score on: a pupil the school knows nothing about gets no score at all.
    term_grades(upper, uniform("C"))
    assert risk_scores_compute(as_of=TODAY).pupils == 3
    assert set(RiskScore.objects.values_list("person_id", flat=True)) == {
        pupils.risky.pk,
        pupils.safe.pk,
        upper.pk,
    }
    assert RiskScore.objects.get(person=upper).features["school_year"] == 11
    assert risk_scores_compute(as_of=TODAY, school_unit=gymnasium).pupils == 1


@pytest.mark.django_db
def test_no_score_without_a_model(school, pupils):
    with pytest.raises(ScoringError, match="ingen tränad modell"):
        risk_scores_compute(as_of=TODAY)
    with pytest.raises(CommandError) as error:
        call_command("signals", "score")
    assert str(error.value) == NO_MODEL


def test_a_changed_model_is_never_loaded(trained, pupils):
    ModelVersion.objects.filter(pk=trained.pk).update(model_blob=b"not the model")
    with pytest.raises(ScoringError, match="kontrollsumma"):
        risk_scores_compute(as_of=TODAY)
    assert not RiskScore.objects.exists()


def test_a_model_from_other_library_versions_is_not_used(trained, pupils):
    ModelVersion.objects.filter(pk=trained.pk).update(libraries="1 (lightgbm 0.1)")
    with pytest.raises(ScoringError, match="Träna om"):
        risk_scores_compute(as_of=TODAY)


def test_the_score_command(trained, pupils, capsys):
    call_command("signals", "score", "--date", TODAY.isoformat())
    out = capsys.readouterr().out
    assert f"{trained.name} {trained.version}: 2 elever bedömda (2 nya" in out
    assert "Hög risk: 1" in out


# --- Who sees a score -------------------------------------------------------------------


def test_the_school_s_mentor_sees_the_score_without_a_log_entry_of_its_own(
    trained, pupils, mentor_actor
):
    risk_scores_compute(as_of=TODAY)
    view = risk_view_for_person(actor=mentor_actor, person=pupils.risky, purpose="school")
    assert view.band == "high" and view.is_high and view.band_label == "Hög"
    assert view.model_version == trained.version
    assert view.features_as_of == TODAY
    assert view.reasons[0] == "Inte godkänt i 1 av svenska, engelska och matematik"
    # The school overview logs its read once; this part of it adds nothing.
    assert not AccessLogEntry.objects.exists()


def test_a_pupil_outside_the_actor_s_scope_never_shows_a_score(trained, pupils, school):
    risk_scores_compute(as_of=TODAY)
    other_school = Actor.for_membership(
        MembershipFactory(organisation=SchoolUnitFactory(), role=Role.MENTOR)
    )
    assert risk_view_for_person(actor=other_school, person=pupils.risky, purpose="school") is None
    # A KAA coordinator with the young person's consent to school data sees grades, but the
    # score is a prompt for the school and stays there, as signals do.
    municipality = MunicipalityFactory(municipality_code=pupils.risky.home_municipality_code)
    consent_create(person=pupils.risky, organisations=[municipality], categories=["school"])
    kaa = Actor.for_membership(
        MembershipFactory(organisation=municipality, role=Role.KAA_COORDINATOR)
    )
    assert risk_view_for_person(actor=kaa, person=pupils.risky, purpose="kaa") is None
    # Under emergency access, neither.
    nurse = Actor.for_membership(MembershipFactory(organisation=school, role=Role.STUDENT_HEALTH))
    assert risk_view_for_person(actor=nurse, person=pupils.risky, purpose="emergency") is None
    # Once the pupil has left the school, its staff no longer see the score.
    Enrolment.objects.filter(person=pupils.risky).update(end_date=TODAY - dt.timedelta(days=1))
    mentor = Actor.for_membership(MembershipFactory(organisation=school, role=Role.MENTOR))
    assert risk_view_for_person(actor=mentor, person=pupils.risky, purpose="school") is None


def test_the_school_section_shows_the_model_s_assessment(trained, pupils, mentor_actor):
    risk_scores_compute(as_of=TODAY)
    view = risk_view_for_person(actor=mentor_actor, person=pupils.risky, purpose="school")
    school = SimpleNamespace(
        enrolments=[], signals=[], risk=view, grade_rows=[], final=None, projected=None,
        courses=[], attendance=[],
    )  # fmt: skip
    html = render_to_string("signals/_school_section.html", {"school": school})
    assert "Modellens bedömning" in html
    assert "Hög risk" in html and f"{view.percent} % risk att avbryta gymnasieskolan" in html
    assert "Inte godkänt i 1 av svenska, engelska och matematik" in html
    assert "en uppmaning till ett samtal med eleven, inte ett beslut" in html
    assert f"version {trained.version}" in html and TODAY.isoformat() in html
    school.risk = None
    assert "Modellens bedömning" not in render_to_string(
        "signals/_school_section.html", {"school": school}
    )


def test_the_pupil_s_page_shows_the_score_to_the_school_and_logs_one_read(
    trained, pupils, mentor, mentor_actor, client
):
    from django.urls import reverse

    from lotsen.web.person_page import school_overview_for_person

    risk_scores_compute(as_of=TODAY)
    overview = school_overview_for_person(actor=mentor_actor, person=pupils.risky)
    assert overview.risk.band == "high" and overview.risk.model_version == trained.version
    assert AccessLogEntry.objects.filter(object_type="school_overview").count() == 1
    other = Actor.for_membership(
        MembershipFactory(organisation=SchoolUnitFactory(), role=Role.MENTOR)
    )
    assert school_overview_for_person(actor=other, person=pupils.risky) is None

    client.force_login(mentor.user)
    page = client.get(reverse("web:person_detail", args=[pupils.risky.pk])).text
    assert "Modellens bedömning" in page and "Hög risk" in page
    assert "Inte godkänt i 1 av svenska, engelska och matematik" in page
    assert "inte ett beslut" in page
