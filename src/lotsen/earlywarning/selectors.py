"""Reads of signals, through the policy.

A signal is school data about a young person, so it is shown only when the policy grants
the actor the SCHOOL category for their purpose, and only to the school that acts on it:
staff in a school role at the signal's school unit (or at its organiser). Each person
returned produces exactly one access-log entry; a signal the actor may not see is answered
with Http404, the same as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind
from lotsen.earlywarning import rules
from lotsen.earlywarning.models import (
    NOT_CLOSED,
    WAITING,
    RiskBand,
    RiskScore,
    ScoreObjection,
    ScoreReview,
    ScoreVerdict,
    Signal,
    SignalEvent,
    UnscoredPupil,
)
from lotsen.earlywarning.reasons import feature_reason
from lotsen.earlywarning.scoring import capacities_for, risk_score_reasons
from lotsen.earlywarning.services import SCHOOL_ROLES, grade_fact
from lotsen.earlywarning.switch import units_switched_off
from lotsen.people.models import Person
from lotsen.privacy.door import persons_shown, record_read
from lotsen.privacy.models import Action, Category, Purpose
from lotsen.privacy.policy import PersonPolicy, purpose_for
from lotsen.school.merit import PROGRAMME_NAMES, Assessment, assess
from lotsen.school.models import Enrolment, Grade

LIST_LIMIT = 200


def _unit_q(actor: Actor, prefix: str = "") -> Q | None:
    """The school units whose signals this actor works with, or None for none."""
    org = actor.organisation
    if org is None or actor.role not in SCHOOL_ROLES or purpose_for(actor) != Purpose.SCHOOL:
        return None
    if org.kind == OrganisationKind.SCHOOL_UNIT:
        return Q(**{f"{prefix}school_unit": org})
    if org.kind == OrganisationKind.SCHOOL_ORGANISER:
        return Q(**{f"{prefix}school_unit__parent": org})
    return None


def _signals_at_own_units(actor: Actor, *, purpose: str | None = None) -> QuerySet[Signal]:
    """Signals of the school units the actor works at, before the person policy: only for
    a door call, which adds the policy's filter for the SCHOOL category and logs."""
    purpose = purpose or purpose_for(actor)
    units = _unit_q(actor)
    if units is None or purpose != Purpose.SCHOOL:
        return Signal.objects.none()
    return Signal.objects.filter(units)


def signals_visible_to(actor: Actor, *, purpose: str | None = None) -> QuerySet[Signal]:
    """Signals the actor may see, without logging: for selectors that log what they return."""
    purpose = purpose or purpose_for(actor)
    signals = _signals_at_own_units(actor, purpose=purpose)
    persons = PersonPolicy(actor).persons(purpose=purpose, category=Category.SCHOOL)
    return signals.filter(person__in=persons.values("pk"))


@dataclass(frozen=True, kw_only=True)
class PupilSignals:
    """One pupil on the school's list: their open signals, and what eligibility lacks."""

    person: Person
    school_year: int | None
    signals: list[Signal]
    waiting: bool
    eligibility_gap: str = ""

    @property
    def oldest_due(self) -> dt.date:
        return min(s.due_on for s in self.signals)


@transaction.atomic
def signal_list_for(
    *,
    actor: Actor,
    school_year: int | None = None,
    overdue_only: bool = False,
    today: dt.date | None = None,
    limit: int = LIST_LIMIT,
) -> list[PupilSignals]:
    """Pupils with signals that are not closed, those waiting for action past their due
    date first (oldest first), then by name. Logged once per pupil returned."""
    today = today or timezone.localdate()
    signals = signals_visible_to(actor).filter(status__in=NOT_CLOSED)
    units = _unit_q(actor)
    current = (
        Enrolment.objects.filter(units, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("person_id", "-start_date", "-id")
        if units is not None
        else Enrolment.objects.none()
    )
    if school_year is not None:
        signals = signals.filter(
            person__in=current.filter(school_year=school_year).values("person_id")
        )
    if overdue_only:
        signals = signals.filter(status__in=WAITING, due_on__lt=today)
    by_person: dict[int, list[Signal]] = defaultdict(list)
    persons: dict[int, Person] = {}
    for signal in (
        signals.select_related("person", "assigned_to")
        .prefetch_related("reasons")
        .order_by("due_on", "id")
    ):
        by_person[signal.person_id].append(signal)
        persons[signal.person_id] = signal.person
    if not persons:
        return []

    rows = [
        PupilSignals(
            person=persons[person_id],
            school_year=None,
            signals=person_signals,
            waiting=any(s.is_waiting(today) for s in person_signals),
        )
        for person_id, person_signals in by_person.items()
    ]
    rows.sort(
        key=lambda r: (
            not r.waiting,
            r.oldest_due if r.waiting else dt.date.max,
            r.person.family_name,
            r.person.given_name,
            r.person.pk,
        )
    )
    rows = rows[:limit]
    returned = [r.person.pk for r in rows]

    years: dict[int, int | None] = {}
    compulsory: list[int] = []
    for person_id, year, school_type in current.filter(person_id__in=returned).values_list(
        "person_id", "school_year", "school_type"
    ):
        if person_id not in years and school_type in rules.COMPULSORY:
            compulsory.append(person_id)
        years.setdefault(person_id, year)
    gaps = _eligibility_gaps(compulsory, today)
    rows = [
        PupilSignals(
            person=r.person,
            school_year=years.get(r.person.pk),
            signals=r.signals,
            waiting=r.waiting,
            eligibility_gap=gaps.get(r.person.pk, ""),
        )
        for r in rows
    ]
    # The signals were read through the person policy (signals_visible_to); the list shows
    # their pupils up to the limit, and exactly those are logged.
    persons_shown(
        actor=actor,
        action=Action.VIEW,
        purpose=Purpose.SCHOOL,
        person_ids=returned,
        object_type="signal_list",
    )
    return rows


def _eligibility_gaps(person_ids: list[int], today: dt.date) -> dict[int, str]:
    """What the latest term grades lack for a vocational programme, per compulsory-school
    pupil (none when eligible or without term grades). One query for all pupils."""
    if not person_ids:
        return {}
    grades: dict[int, list[rules.GradeFact]] = defaultdict(list)
    for grade in Grade.objects.filter(
        person_id__in=person_ids, registered_on__lte=today, points__isnull=True
    ):
        grades[grade.person_id].append(grade_fact(grade))
    gaps: dict[int, str] = {}
    for person_id, person_grades in grades.items():
        facts = rules.PupilFacts(school_type="GR", grades=tuple(person_grades))
        projection = projected_assessment(facts)
        if projection is None:
            continue
        label, assessment = projection
        vocational = assessment.eligibility["yrkesprogram"]
        if not vocational.eligible:
            gaps[person_id] = (
                f"{PROGRAMME_NAMES['yrkesprogram'].capitalize()} ({label}): {vocational.reason}"
            )
    return gaps


def projected_assessment(facts: rules.PupilFacts) -> tuple[str, Assessment] | None:
    """(term label, Assessment) on the latest term grades completed with the final grades
    of finished subjects, as the rules see them; None without term grades."""
    projection = rules.latest_projection(facts)
    if projection is None:
        return None
    term, grades = projection
    return term.label, assess(grades=grades, basis="projected")


def _with_history(signals: QuerySet[Signal]) -> QuerySet[Signal]:
    return signals.select_related(
        "person", "school_unit", "assigned_to", "acknowledged_by", "closed_by"
    ).prefetch_related(
        "reasons",
        Prefetch(
            "events", queryset=SignalEvent.objects.select_related("actor").order_by("at", "id")
        ),
    )


@transaction.atomic
def signal_get_for(*, actor: Actor, signal_id: int | str) -> Signal:
    """Fetch and authorise in one call: 404 for "missing" and for "not yours" alike."""
    try:
        signal_id = int(signal_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    return record_read(
        _with_history(_signals_at_own_units(actor)).filter(pk=signal_id),
        actor=actor,
        purpose=Purpose.SCHOOL,
        category=Category.SCHOOL,
        action=Action.VIEW,
        object_type="signal",
    )


def signals_for_person(*, actor: Actor, person: Person, purpose: str) -> list[Signal]:
    """All signals about one person that the actor may see, newest first, with history.
    Not logged here: the caller (the school overview) logs the read once."""
    return list(
        _with_history(signals_visible_to(actor, purpose=purpose).filter(person=person)).order_by(
            "-raised_on", "-id"
        )
    )


def signal_school_years_for(*, actor: Actor, today: dt.date | None = None) -> list[int]:
    """School years that occur among the actor's current pupils, for the filter. Numbers
    only, so nothing to log."""
    today = today or timezone.localdate()
    units = _unit_q(actor)
    if units is None:
        return []
    years = (
        Enrolment.objects.filter(units, start_date__lte=today, school_year__isnull=False)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("school_year", flat=True)
        .distinct()
    )
    return sorted(set(years))


# --- The learned model's scores ---------------------------------------------------------


def risk_scores_visible_to(
    actor: Actor, *, purpose: str | None = None, off: set[int] | None = None
) -> QuerySet[RiskScore]:
    """Risk scores the actor may see, without logging. The same people as for signals:
    staff in a school role at the school unit the pupil attended when scored (or at its
    organiser), for the school purpose, and only pupils the policy grants them school data
    about. A score is a prompt for the school; nobody else is shown it."""
    purpose = purpose or purpose_for(actor)
    units = _unit_q(actor)
    if units is None or purpose != Purpose.SCHOOL:
        return RiskScore.objects.none()
    persons = PersonPolicy(actor).persons(purpose=purpose, category=Category.SCHOOL)
    scores = RiskScore.objects.filter(units, person__in=persons.values("pk"))
    # Where the organisation turned the learned model off, no score is shown, old or new.
    off = units_switched_off() if off is None else off
    return scores.exclude(school_unit_id__in=off) if off else scores


@dataclass(frozen=True, kw_only=True)
class RiskView:
    """The learned model's latest assessment of one pupil, as the school section shows it."""

    probability: float
    band: str
    reasons: list[str]
    model_name: str
    model_version: str
    horizon_years: int
    features_as_of: dt.date
    scored_at: dt.datetime
    threshold: float
    base_rate: float
    score_id: int = 0
    # What the viewer said about this score last time ("" if nothing yet).
    my_verdict: str = ""
    objections: list = field(default_factory=list)
    # The school's capacity behind the band (``scoring.capacity_bands``).
    close_percent: float = 0.0
    high_percent: float = 0.0
    # Too little data for a score: no probability and no band, only "för lite underlag".
    insufficient: bool = False

    @property
    def verdict_choices(self) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in ScoreVerdict.choices]

    @property
    def my_verdict_label(self) -> str:
        return str(ScoreVerdict(self.my_verdict).label) if self.my_verdict else ""

    @property
    def band_label(self) -> str:
        return str(RiskBand(self.band).label) if self.band else ""

    @property
    def percent(self) -> int:
        return round(100 * self.probability)

    @property
    def threshold_percent(self) -> int:
        return round(100 * self.threshold)

    @property
    def base_rate_percent(self) -> int:
        return round(100 * self.base_rate)

    @property
    def is_high(self) -> bool:
        return self.band == RiskBand.HIGH


def unscored_visible_to(
    actor: Actor, *, purpose: str | None = None, off: set[int] | None = None
) -> QuerySet[UnscoredPupil]:
    """Pupils the model left without a score for too little data, under the same rule as
    the scores themselves (``risk_scores_visible_to``)."""
    purpose = purpose or purpose_for(actor)
    units = _unit_q(actor)
    if units is None or purpose != Purpose.SCHOOL:
        return UnscoredPupil.objects.none()
    persons = PersonPolicy(actor).persons(purpose=purpose, category=Category.SCHOOL)
    unscored = UnscoredPupil.objects.filter(units, person__in=persons.values("pk"))
    off = units_switched_off() if off is None else off
    return unscored.exclude(school_unit_id__in=off) if off else unscored


def risk_view_for_person(*, actor: Actor, person: Person, purpose: str) -> RiskView | None:
    """The latest risk assessment about one person that the actor may see, or None: a
    score, or "för lite underlag" when the latest run found too little data. Not logged
    here: the caller (the school overview) logs the read once."""
    my_review = ScoreReview.objects.filter(score=OuterRef("pk"), user=actor.user).order_by(
        "-at", "-id"
    )
    # Which organisations turned the model off: read once for the score and "too little".
    off = units_switched_off()
    score = (
        risk_scores_visible_to(actor, purpose=purpose, off=off)
        .filter(person=person)
        .annotate(my_verdict=Subquery(my_review.values("verdict")[:1]))
        .select_related("model_version")
        # The fitted model and its report are large and not needed to show a score.
        .defer("model_version__model_blob", "model_version__metrics", "model_version__model_card")
        .order_by("-features_as_of", "-model_version__trained_at", "-id")
        .first()
    )
    unscored = (
        unscored_visible_to(actor, purpose=purpose, off=off)
        .filter(person=person)
        .select_related("model_version")
        .only(
            "features_as_of",
            "scored_at",
            "model_version__name",
            "model_version__version",
            "model_version__horizon_years",
            "model_version__threshold",
            "model_version__base_rate",
        )
        .order_by("-features_as_of", "-id")
        .first()
    )
    if unscored is not None and (score is None or unscored.features_as_of >= score.features_as_of):
        version = unscored.model_version
        return RiskView(
            probability=0.0,
            band="",
            reasons=[],
            model_name=version.name,
            model_version=version.version,
            horizon_years=version.horizon_years,
            features_as_of=unscored.features_as_of,
            scored_at=unscored.scored_at,
            threshold=version.threshold,
            base_rate=version.base_rate,
            insufficient=True,
        )
    if score is None:
        return None
    version = score.model_version
    capacity = capacities_for([score.school_unit_id])[score.school_unit_id]
    return RiskView(
        probability=score.probability,
        band=score.band,
        reasons=[feature_reason(reason) for reason in risk_score_reasons(score=score)[:3]],
        model_name=version.name,
        model_version=version.version,
        horizon_years=version.horizon_years,
        features_as_of=score.features_as_of,
        scored_at=score.scored_at,
        threshold=version.threshold,
        base_rate=version.base_rate,
        score_id=score.pk,
        my_verdict=score.my_verdict or "",
        # The young person's objections to this score, answered or not (one query, only
        # when there is a score to show).
        objections=list(ScoreObjection.objects.filter(score=score).order_by("created_at", "id")),
        close_percent=capacity.close_percent,
        high_percent=capacity.high_percent,
    )


def objections_waiting_for(actor: Actor) -> QuerySet[ScoreObjection]:
    """Young people's objections to scores the actor may see, not yet answered. Not logged
    here: the task list reads them through the door."""
    return ScoreObjection.objects.filter(
        answered_at__isnull=True, score__in=risk_scores_visible_to(actor).values("pk")
    )


def objection_get_for(*, actor: Actor, objection_id: int) -> ScoreObjection:
    objection = (
        ScoreObjection.objects.filter(
            pk=objection_id, score__in=risk_scores_visible_to(actor).values("pk")
        )
        .select_related("score")
        .first()
    )
    if objection is None:
        raise Http404
    return objection
