"""Reads for programmes.

Programmes, sub-projects and counts are open to project leaders and evaluators (counts are
suppressed for anyone outside the project team, see ``programmes.dashboard``). Anything
naming a participant is a ``ParticipantRecord``, read here through the door
(``privacy.door.records_read``) under the team rule of ``programmes.policy`` and logged
per person: a participation is shown only to project leaders of the team of its
sub-project (an organisation leading or taking part in it, or leading its programme).
Project leaders never get the ``Person`` itself: ``PersonPolicy`` grants them nobody, so
the person page, search and API are closed to them (ESF follow-up needs the record only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.people.identity import age_on
from lotsen.privacy.door import record_read, records_read
from lotsen.privacy.models import Purpose
from lotsen.programmes import indicators
from lotsen.programmes.models import (
    EntryStatus,
    ExitStatus,
    FollowupStatus,
    Participation,
    ParticipationGender,
    Programme,
    SubProject,
)
from lotsen.programmes.policy import ProgrammePolicy

FOLLOWUP_NOTICE_DAYS = 14


def programme_list_for(*, actor: Actor) -> list[Programme]:
    if not ProgrammePolicy(actor).may_read_programmes():
        return []
    return list(
        Programme.objects.select_related("lead_organisation").annotate(
            subproject_count=Count("subprojects", distinct=True)
        )
    )


def programme_get_for(*, actor: Actor, programme_id: int) -> Programme:
    if not ProgrammePolicy(actor).may_read_programmes():
        raise Http404
    programme = (
        Programme.objects.select_related("lead_organisation").filter(pk=programme_id).first()
    )
    if programme is None:
        raise Http404
    return programme


def subproject_get_for(*, actor: Actor, subproject_id: int) -> SubProject:
    if not ProgrammePolicy(actor).may_read_programmes():
        raise Http404
    subproject = (
        SubProject.objects.select_related("programme", "lead_organisation")
        .prefetch_related("organisations", "goals")
        .filter(pk=subproject_id)
        .first()
    )
    if subproject is None:
        raise Http404
    return subproject


def team_subproject_get_for(*, actor: Actor, subproject_id: int) -> SubProject:
    """A sub-project the actor is team for (its participant pages and forms); 404 for
    "missing" and "not yours" alike."""
    subproject = subproject_get_for(actor=actor, subproject_id=subproject_id)
    if not ProgrammePolicy(actor).is_team_for_subproject(subproject):
        raise Http404
    return subproject


# --- Regions ------------------------------------------------------------------------------


def _region_q(region: Organisation, prefix: str) -> Q:
    return (
        Q(**{prefix: region})
        | Q(**{f"{prefix}__parent": region})
        | Q(**{f"{prefix}__parent__parent": region})
    )


def subprojects_of(*, programme: Programme, region: Organisation | None = None) -> QuerySet:
    """The programme's sub-projects; with a region, those whose lead or participating
    organisations are the region or lie within it (as child or grandchild)."""
    qs = programme.subprojects.select_related("lead_organisation", "lead_organisation__parent")
    if region is not None:
        ids = SubProject.objects.filter(
            Q(programme=programme)
            & (_region_q(region, "lead_organisation") | _region_q(region, "organisations"))
        ).values("pk")
        qs = qs.filter(pk__in=ids)
    return qs.order_by("name")


def _region_of(org: Organisation | None) -> Organisation | None:
    for _depth in range(3):
        if org is None:
            return None
        if org.kind == OrganisationKind.REGION:
            return org
        org = org.parent
    return None


def regions_of(*, programme: Programme) -> list[Organisation]:
    """The regions a programme reaches: every region among its sub-projects' organisations
    and their parents and grandparents."""
    found: dict[int, Organisation] = {}
    subprojects = programme.subprojects.select_related(
        "lead_organisation__parent__parent"
    ).prefetch_related("organisations__parent__parent")
    for sub in subprojects:
        for org in [sub.lead_organisation, *sub.organisations.all()]:
            region = _region_of(org)
            if region is not None:
                found[region.pk] = region
    return sorted(found.values(), key=lambda r: r.name)


def region_of_subproject(subproject: SubProject) -> Organisation | None:
    return _region_of(subproject.lead_organisation)


# --- Aggregates ---------------------------------------------------------------------------


def participation_records(*, subprojects: Iterable[SubProject] | QuerySet) -> list:
    """The participation rows of these sub-projects as the indicator rules read them: ids,
    date of birth and project data, no names. Counting needs no access log."""
    ids = [s.pk for s in subprojects]
    rows = Participation.objects.filter(subproject_id__in=ids).values_list(
        "pk",
        "person_id",
        "subproject_id",
        "person__date_of_birth",
        "gender",
        "entry_date",
        "entry_status",
        "education_level",
        "disability",
        "foreign_background",
        "exit_date",
        "exit_status",
        "followup_6m_status",
    )
    return [
        indicators.ParticipationRecord(
            participation_id=r[0],
            person_id=r[1],
            subproject_id=r[2],
            date_of_birth=r[3],
            gender=r[4],
            entry_date=r[5],
            entry_status=r[6],
            education_level=r[7],
            disability=r[8],
            foreign_background=r[9],
            exit_date=r[10],
            exit_status=r[11],
            followup_6m_status=r[12],
        )
        for r in rows
    ]


def indicator_report_for(
    *,
    subprojects: Iterable[SubProject] | QuerySet,
    framework: str,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
) -> indicators.IndicatorReport:
    today = today or dt.date.today()
    return indicators.indicator_report(
        participation_records(subprojects=subprojects),
        framework=framework,
        start=start,
        end=end,
        as_of=min(end, today),
    )


# --- Participant records (personal data: the team rule and the log) ------------------------


@dataclass(frozen=True, kw_only=True)
class ParticipantRecord:
    """What ESF follow-up shows about a participant: the name the project gave, gender and
    age band at entry, and the participation's own entry, exit and follow-up data. Built
    from these
    columns only, so no page can reach the personnummer, address, phone, guardians, school,
    KAA or case data Lotsen may hold about the person."""

    participation_id: int
    subproject_id: int
    subproject_name: str
    name: str
    gender: str
    age_band: str
    entry_date: dt.date
    entry_status: str
    education_level: str
    disability: str
    foreign_background: str
    exit_date: dt.date | None
    exit_status: str
    followup_6m_status: str

    @property
    def gender_label(self) -> str:
        return _choice_label(ParticipationGender, self.gender)

    @property
    def age_band_label(self) -> str:
        return indicators.AGE_BAND_LABELS[self.age_band]

    @property
    def entry_status_label(self) -> str:
        return _choice_label(EntryStatus, self.entry_status)

    @property
    def exit_status_label(self) -> str:
        return _choice_label(ExitStatus, self.exit_status)

    @property
    def followup_6m_status_label(self) -> str:
        return _choice_label(FollowupStatus, self.followup_6m_status)


def _choice_label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, "")) if value else ""


# The only columns a participant record is read from. The name is the participation's own,
# as the project typed it, never the person's: otherwise enrolling a personnummer would
# show the name Lotsen holds (issue 10). The person's date of birth (which the number
# gives anyway) is read to compute the age band and is not kept; the person id only names
# the access-log entry. Every other column of the person stays deferred, and the row is
# dropped once the record is built.
_RECORD_COLUMNS = (
    "person",
    "person__date_of_birth",
    "subproject",
    "subproject__name",
    "subproject__programme",
    "subproject__programme__framework",
    "given_name",
    "family_name",
    "gender",
    "entry_date",
    "entry_status",
    "education_level",
    "disability",
    "foreign_background",
    "exit_date",
    "exit_status",
    "followup_6m_status",
)


def _team_participations(actor: Actor) -> QuerySet[Participation]:
    """Participations in the sub-projects the actor is team for (``programmes.policy``):
    an evaluator sees numbers, never a participant."""
    return Participation.objects.filter(ProgrammePolicy(actor).participations_q())


def _record(row: Participation) -> ParticipantRecord:
    return ParticipantRecord(
        participation_id=row.pk,
        subproject_id=row.subproject_id,
        subproject_name=row.subproject.name,
        name=f"{row.given_name} {row.family_name}",
        gender=row.gender,
        age_band=indicators.age_band(
            age_on(row.person.date_of_birth, row.entry_date),
            row.subproject.programme.framework,
        ),
        entry_date=row.entry_date,
        entry_status=row.entry_status,
        education_level=row.education_level,
        disability=row.disability,
        foreign_background=row.foreign_background,
        exit_date=row.exit_date,
        exit_status=row.exit_status,
        followup_6m_status=row.followup_6m_status,
    )


def _record_rows(participations: QuerySet[Participation]) -> QuerySet[Participation]:
    return participations.select_related("person", "subproject__programme").only(*_RECORD_COLUMNS)


def _records(
    actor: Actor, participations: QuerySet[Participation], object_type: str
) -> list[ParticipantRecord]:
    """The records of ``participations`` the team rule lets the actor see, read through
    the door, which logs one entry per person shown in the caller's transaction."""
    rows = records_read(
        _record_rows(participations),
        actor=actor,
        purpose=Purpose.PROGRAMME,
        visible=ProgrammePolicy(actor).participations_q(),
        object_type=object_type,
    )
    return [_record(row) for row in rows]


def _participation_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@transaction.atomic
def participation_list(*, actor: Actor, subproject: SubProject) -> list[ParticipantRecord]:
    """The sub-project's participant records the actor may see, logged per person."""
    return _records(
        actor,
        Participation.objects.filter(subproject=subproject).order_by(
            "family_name", "given_name", "entry_date", "pk"
        ),
        "participation_list",
    )


@transaction.atomic
def participation_get_for(*, actor: Actor, participation_id: int | str) -> ParticipantRecord:
    """One participant record, or 404 for both "does not exist" and "not yours"."""
    row = record_read(
        _record_rows(Participation.objects.filter(pk=_participation_id(participation_id))),
        actor=actor,
        purpose=Purpose.PROGRAMME,
        visible=ProgrammePolicy(actor).participations_q(),
        object_type="participation",
    )
    return _record(row)


def participation_for_update(*, actor: Actor, participation_id: int | str) -> Participation:
    """The participation row a team member completes or corrects, for the services (which
    log the write); 404 as ``participation_get_for``. Its person is not loaded: the page
    shows the ``ParticipantRecord``."""
    participation = (
        _team_participations(actor)
        .select_related("subproject", "subproject__programme")
        .prefetch_related("methods")
        .filter(pk=_participation_id(participation_id))
        .first()
    )
    if participation is None:
        raise Http404
    return participation


@dataclass(frozen=True)
class MissingRow:
    participation: ParticipantRecord
    fields: list[str]
    indicators: list[str]
    form: str  # which form completes it: "edit" (entry data), "exit" or "followup"


FIELD_LABELS = {
    "education_level": _("Utbildningsnivå"),
    "disability": _("Funktionsnedsättning"),
    "foreign_background": _("Utländsk bakgrund"),
    "exit_status": _("Situation vid avslut"),
    "followup_6m_status": _("Situation sex månader efter avslut"),
}


@transaction.atomic
def missing_data_list(*, actor: Actor, report: indicators.IndicatorReport) -> list[MissingRow]:
    """The participants the report could not count for lack of data, for the team to
    complete; only rows the actor may see, logged per person."""
    wanted: dict[int, tuple[set[str], set[str]]] = {}
    for key, entries in report.missing.items():
        for m in entries:
            fields, keys = wanted.setdefault(m.participation_id, (set(), set()))
            fields.add(m.field)
            keys.add(key)
    if not wanted:
        return []
    rows = _records(
        actor,
        Participation.objects.filter(pk__in=list(wanted)).order_by(
            "subproject__name", "family_name", "given_name", "pk"
        ),
        "participation_missing_data",
    )
    order = list(indicators.LABELS)
    return [
        MissingRow(
            participation=p,
            fields=[str(FIELD_LABELS[f]) for f in sorted(wanted[p.participation_id][0])],
            indicators=sorted(wanted[p.participation_id][1], key=order.index),
            form=_form_for(wanted[p.participation_id][0]),
        )
        for p in rows
    ]


def _form_for(fields: set[str]) -> str:
    if "exit_status" in fields:
        return "exit"
    if "followup_6m_status" in fields:
        return "followup"
    return "edit"


@transaction.atomic
def followups_due_for(*, actor: Actor, today: dt.date) -> list[ParticipantRecord]:
    """Six-month follow-ups that fall due: exit date + 6 months on or before two weeks
    from today, not yet recorded. For the actor's task list; logged per person."""
    horizon = today + dt.timedelta(days=FOLLOWUP_NOTICE_DAYS)
    # Six months before the horizon, with a few days' slack for month ends (31 August + 6
    # months is 28 February); the exact rule is applied below, before anything is read.
    latest_exit = indicators.add_months(horizon, -6) + dt.timedelta(days=3)
    candidates = _team_participations(actor).filter(
        exit_date__isnull=False, exit_date__lte=latest_exit, followup_6m_status=""
    )
    due = [
        pk
        for pk, exit_date in candidates.values_list("pk", "exit_date")
        if indicators.add_months(exit_date, 6) <= horizon
    ]
    return _records(
        actor,
        Participation.objects.filter(pk__in=due).order_by("exit_date", "pk"),
        "participation_followups_due",
    )
