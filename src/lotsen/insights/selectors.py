"""Reads for "what works": aggregates over the participants an actor's organisation
follows up, per method in the catalogue. Nothing returned names a person.

Who sees what (``programmes.policy.ProgrammePolicy``):
- project leaders see the figures in full for the participants of the sub-projects they
  are team for (their organisation leads or takes part in the sub-project, or leads its
  programme): the team rule of the participant records, counted and never listed
  (project leaders reach no person through ``PersonPolicy``);
- evaluators see the figures of the sub-projects the same organisation works in, with
  small cells hidden;
- exports always have small cells hidden, whoever downloads them;
- every other staff member (a mentor, the student-health team, a coach, a KAA
  coordinator, an administrator) reads the catalogue itself, without figures: it is what
  interventions are chosen from, and it says nothing about anyone;
- a young person or a guardian gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from lotsen.accounts.actor import Actor
from lotsen.insights import whatworks
from lotsen.programmes.models import Participation, Programme
from lotsen.programmes.policy import ProgrammePolicy
from lotsen.support.models import Intervention, Method, WellbeingCheckin

TEAM = "team"
OUTSIDE = "outside"


def _access(policy: ProgrammePolicy) -> str:
    """TEAM or OUTSIDE for an actor who reads figures. Every sub-project counted here is
    one the actor's organisation works in, so a project leader is team for all of them."""
    if not policy.reads:
        raise Http404
    return TEAM if policy.is_project_leader else OUTSIDE


def reads_figures(actor: Actor) -> bool:
    """Whether the actor sees the outcome figures beside the catalogue."""
    return ProgrammePolicy(actor).reads


def _catalogue_access(actor: Actor) -> None:
    # Staff act in an organisation through a membership; a young person or a guardian
    # has none, and has no use for the catalogue staff choose interventions from.
    if actor.membership is None:
        raise Http404


def method_catalogue_for(*, actor: Actor) -> list[Method]:
    """The methods in use, for any staff member: no figures, nothing about a person."""
    _catalogue_access(actor)
    return list(Method.objects.filter(active=True).order_by("name"))


def participations_for(actor: Actor, *, programme: Programme | None = None) -> QuerySet:
    policy = ProgrammePolicy(actor)
    _access(policy)
    # The sub-projects the organisation works in (programmes.policy); only counts leave
    # this module, so nobody's person record is read.
    participations = Participation.objects.filter(
        subproject__in=policy.works_in_subprojects().values("pk")
    )
    if programme is not None:
        participations = participations.filter(subproject__programme=programme)
    return participations


def programmes_for(actor: Actor) -> QuerySet[Programme]:
    policy = ProgrammePolicy(actor)
    _access(policy)
    return policy.works_in_programmes().order_by("name")


def outcomes_for(participations: QuerySet) -> list[whatworks.ParticipantOutcome]:
    """One outcome per person: methods from every participation and every support
    intervention; the last exit (and its follow-up) kept; WHO-5 scores in time order."""
    rows = list(
        participations.order_by("person_id", "exit_date", "id").values(
            "id", "person_id", "exit_date", "exit_status", "followup_6m_status"
        )
    )
    persons = participations.values("person_id")
    methods: dict[int, set[int]] = {}
    owner = {r["id"]: r["person_id"] for r in rows}
    for participation_id, method_id in Participation.methods.through.objects.filter(
        participation_id__in=participations.values("pk")
    ).values_list("participation_id", "method_id"):
        methods.setdefault(owner[participation_id], set()).add(method_id)
    for person_id, method_id in Intervention.objects.filter(
        case__person_id__in=persons
    ).values_list("case__person_id", "method_id"):
        methods.setdefault(person_id, set()).add(method_id)
    scores: dict[int, list[float]] = {}
    for person_id, score in (
        WellbeingCheckin.objects.filter(person_id__in=persons)
        .order_by("person_id", "answered_at", "id")
        .values_list("person_id", "score")
    ):
        scores.setdefault(person_id, []).append(float(score))
    last_exit: dict[int, dict] = {}
    for row in rows:
        last_exit.setdefault(row["person_id"], {})
        if row["exit_date"] is not None:
            # Rows come in exit order: the last exit is kept, as in the indicators.
            last_exit[row["person_id"]] = row
    return [
        whatworks.ParticipantOutcome(
            person_id=person_id,
            methods=frozenset(methods.get(person_id, ())),
            exit_status=exit_row.get("exit_status", ""),
            followup_6m=exit_row.get("followup_6m_status", ""),
            wellbeing=tuple(scores.get(person_id, ())),
        )
        for person_id, exit_row in last_exit.items()
    ]


@dataclass(frozen=True)
class MethodRow:
    method: Method
    figures: whatworks.MethodFigures
    shown: whatworks.ShownFigures


@dataclass
class WhatWorks:
    access: str
    programme: Programme | None
    rows: list[MethodRow]
    participants: int

    @property
    def suppressed(self) -> bool:
        return self.access != TEAM


def what_works(
    *,
    actor: Actor,
    programme: Programme | None = None,
    method: Method | None = None,
    export: bool = False,
) -> WhatWorks:
    """Figures per method for the actor's participants. ``export`` gives the version that
    may leave the project team: small cells hidden, whoever asks."""
    access = _access(ProgrammePolicy(actor))
    participations = participations_for(actor, programme=programme)
    outcomes = outcomes_for(participations)
    methods = (
        [method]
        if method is not None
        else list(Method.objects.filter(active=True).order_by("name"))
    )
    figures = whatworks.figures(outcomes, [m.pk for m in methods])
    suppress = export or access != TEAM
    rows = [
        MethodRow(m, figures[m.pk], whatworks.shown(figures[m.pk], suppress=suppress))
        for m in methods
    ]
    return WhatWorks(
        access=OUTSIDE if export else access,
        programme=programme,
        rows=rows,
        participants=len(outcomes),
    )


def method_get_for(*, actor: Actor, method_id: int | str) -> Method:
    """One method of the catalogue (also one no longer in use: figures still name it)."""
    _catalogue_access(actor)
    try:
        method_id = int(method_id)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    method = Method.objects.filter(pk=method_id).first()
    if method is None:
        raise Http404
    return method
