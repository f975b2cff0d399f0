"""Reads of the activity responsibility's records, through the privacy door.

Who may read: the KAA coordinator of a municipality, for purpose "kaa", about the persons
``PersonPolicy`` grants for purpose "kaa" and category "kaa": those registered in the
municipality, those in its own KAA register (also after a move, until retention), and
those whose consent names it. The bases are kaa's own (``kaa.policy``), registered with
the door, so the person page and these pages give the same answer for the same person.

Every read of persons goes through ``lotsen.privacy.door``, which filters by the policy and
logs each person returned in the same call. A person outside the bases gets Http404, the
same answer as an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import OrganisationKind, Role, User
from lotsen.kaa.models import (
    KNOWN_OCCUPATIONS,
    CaseloadAssignment,
    CohortMembership,
    Contact,
    ContactKind,
    EquivalentEducation,
    FollowUp,
    Measure,
    MeasureStatus,
    Notice,
    Plan,
    Qualification,
    ResidencePeriod,
)
from lotsen.kaa.policy import actor_municipality_code
from lotsen.people.models import Person
from lotsen.privacy.door import person_read, persons_read, persons_shown, records_read
from lotsen.privacy.models import Action, Category, Purpose
from lotsen.privacy.policy import PersonPolicy, purpose_for

STATUS_UNKNOWN = "unknown"
STATUS_REACHED = "reached"
STATUS_IN_MEASURE = "in_measure"
STATUSES = (STATUS_UNKNOWN, STATUS_REACHED, STATUS_IN_MEASURE)
LIST_LIMIT = 50


@dataclass(frozen=True)
class KaaScope:
    """The municipality a coordinator works for and the persons they may read (the
    policy's filter, for what is counted or checked without showing persons; what is
    shown is read through the door)."""

    actor: Actor
    municipality_code: str
    person_q: Q

    def persons(self) -> QuerySet[Person]:
        return Person.objects.filter(self.person_q)


def kaa_scope(actor: Actor | None) -> KaaScope | None:
    if actor is None or purpose_for(actor) != Purpose.KAA:
        return None
    code = actor_municipality_code(actor)
    if not code:
        return None
    policy_q = PersonPolicy(actor).visible_q(purpose=Purpose.KAA, category=Category.KAA)
    return KaaScope(actor=actor, municipality_code=code, person_q=policy_q)


def _require_scope(actor: Actor | None) -> KaaScope:
    scope = kaa_scope(actor)
    if scope is None:
        raise Http404
    return scope


def current_memberships(*, municipality_code: str, today: dt.date) -> QuerySet[CohortMembership]:
    return CohortMembership.objects.filter(
        municipality_code=municipality_code, person__isnull=False, entered_on__lte=today
    ).filter(Q(left_on__isnull=True) | Q(left_on__gt=today))


def with_status(
    memberships: QuerySet[CohortMembership], *, municipality_code: str, today: dt.date
) -> QuerySet[CohortMembership]:
    """Annotate each membership with what the municipality knows about the person now.

    - in a measure: a measure has started and not ended;
    - reached: a contact since the person entered the cohort, with a known occupation
      (work, studies or none);
    - status unknown: neither. This is the number to drive down.
    """
    contacts = Contact.objects.filter(
        person_id=OuterRef("person_id"),
        municipality_code=municipality_code,
        kind=ContactKind.CONTACT,
        contact_date__gte=OuterRef("entered_on"),
        contact_date__lte=today,
    )
    active_measures = Measure.objects.filter(
        person_id=OuterRef("person_id"),
        municipality_code=municipality_code,
        status=MeasureStatus.STARTED,
        start_date__lte=today,
    )
    return memberships.annotate(
        has_known_contact=Exists(contacts.filter(occupation__in=KNOWN_OCCUPATIONS)),
        in_measure=Exists(active_measures),
        last_contact=Subquery(
            Contact.objects.filter(
                person_id=OuterRef("person_id"), municipality_code=municipality_code
            )
            .order_by("-contact_date", "-id")
            .values("contact_date")[:1]
        ),
    )


def status_of(membership: CohortMembership) -> str:
    if getattr(membership, "in_measure", False):
        return STATUS_IN_MEASURE
    if getattr(membership, "has_known_contact", False):
        return STATUS_REACHED
    return STATUS_UNKNOWN


def _status_filter(status: str) -> Q:
    if status == STATUS_IN_MEASURE:
        return Q(in_measure=True)
    if status == STATUS_REACHED:
        return Q(in_measure=False, has_known_contact=True)
    if status == STATUS_UNKNOWN:
        return Q(in_measure=False, has_known_contact=False)
    return Q()


@dataclass(frozen=True)
class CohortRow:
    person: Person
    membership: CohortMembership
    status: str
    last_contact: dt.date | None


@dataclass
class CohortPage:
    rows: list[CohortRow]
    total: int
    status: str
    offset: int
    limit: int
    today: dt.date

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@transaction.atomic
def kaa_cohort_list(
    *,
    actor: Actor,
    status: str = "",
    query: str = "",
    today: dt.date | None = None,
    limit: int = LIST_LIMIT,
    offset: int = 0,
) -> CohortPage:
    """The municipality's current cohort, optionally one status; logged per person shown."""
    scope = _require_scope(actor)
    today = today or timezone.localdate()
    status = status if status in STATUSES else ""
    memberships = with_status(
        current_memberships(municipality_code=scope.municipality_code, today=today),
        municipality_code=scope.municipality_code,
        today=today,
    ).filter(_status_filter(status))
    if query.strip():
        for word in query.split()[:5]:
            memberships = memberships.filter(
                Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
            )
    # The total is a number only; the rows shown are read (and logged) through the door,
    # which applies the same policy.
    total = memberships.filter(person__in=scope.persons().values("pk")).count()
    page = records_read(
        memberships.select_related("person").order_by(
            "person__family_name", "person__given_name", "person_id"
        ),
        actor=actor,
        purpose=Purpose.KAA,
        category=Category.KAA,
        window=slice(offset, offset + limit),
        action=Action.SEARCH if query.strip() else Action.VIEW,
        object_type="kaa_cohort_list",
    )
    return CohortPage(
        rows=[CohortRow(m.person, m, status_of(m), m.last_contact) for m in page],
        total=total,
        status=status,
        offset=offset,
        limit=limit,
        today=today,
    )


@dataclass
class KaaRecord:
    """Everything in the municipality's KAA register about one person."""

    person: Person
    municipality_code: str
    show_contact_details: bool
    memberships: list[CohortMembership]
    current: CohortMembership | None
    status: str | None
    contacts: list[Contact]
    measures: list[Measure]
    plan: Plan | None
    notices: list[Notice]
    residences: list[ResidencePeriod]
    qualifications: list[Qualification]
    equivalent_education: list[EquivalentEducation]
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def active_measures(self) -> list[Measure]:
        return [m for m in self.measures if m.status == MeasureStatus.STARTED]

    @property
    def offered_measures(self) -> list[Measure]:
        return [m for m in self.measures if m.status == MeasureStatus.OFFERED]

    @property
    def follow_ups_due(self) -> list[FollowUp]:
        return sorted(
            (f for m in self.measures for f in m.follow_ups.all() if f.done_on is None),
            key=lambda f: f.due_on,
        )


def _person_for(scope: KaaScope, person_id: int | str) -> Person:
    """The person, if the policy lets the coordinator reach them; not logged here."""
    person = scope.persons().filter(pk=_int(person_id)).first()
    if person is None:
        raise Http404
    return person


@transaction.atomic
def kaa_person_get_for(
    *, actor: Actor, person_id: int | str, today: dt.date | None = None
) -> KaaRecord:
    """Fetch and authorise in one call: 404 for "missing" and "not yours" alike."""
    scope = _require_scope(actor)
    today = today or timezone.localdate()
    person = person_read(
        actor=actor,
        person_id=_int(person_id),
        purpose=Purpose.KAA,
        category=Category.KAA,
        object_type="kaa_register",
    )
    code = scope.municipality_code
    memberships = list(
        with_status(
            CohortMembership.objects.filter(person=person, municipality_code=code),
            municipality_code=code,
            today=today,
        ).order_by("-entered_on")
    )
    current = next(
        (
            m
            for m in memberships
            if m.entered_on <= today and (m.left_on is None or m.left_on > today)
        ),
        None,
    )
    # The register basis outlives a move: the municipality keeps its own records about a
    # young person who moved away, but not their new address and contacts, nor where they
    # live now.
    registered_here = person.home_municipality_code == code
    record = KaaRecord(
        person=person,
        municipality_code=code,
        show_contact_details=registered_here
        and PersonPolicy(actor).may_see_contact_details(person),
        memberships=memberships,
        current=current,
        status=status_of(current) if current else None,
        contacts=list(
            Contact.objects.filter(person=person, municipality_code=code).select_related(
                "recorded_by"
            )
        ),
        measures=list(
            Measure.objects.filter(person=person, municipality_code=code)
            .select_related("measure_type", "recorded_by")
            .prefetch_related(Prefetch("follow_ups", queryset=FollowUp.objects.order_by("due_on")))
        ),
        plan=Plan.objects.filter(person=person, municipality_code=code).first(),
        notices=list(Notice.objects.filter(person=person, municipality_code=code)),
        residences=list(
            ResidencePeriod.objects.filter(person=person, municipality_code=code).order_by(
                "moved_in"
            )
        ),
        qualifications=list(Qualification.objects.filter(person=person)),
        equivalent_education=list(EquivalentEducation.objects.filter(person=person)),
        today=today,
    )
    return record


def kaa_person_for_write(*, actor: Actor, person_id: int | str) -> Person:
    """The person a coordinator is about to write about, if the policy lets them; the
    write logs itself (``persons_written``), and a form shown instead logs its read with
    ``kaa_person_shown``."""
    return _person_for(_require_scope(actor), person_id)


def kaa_person_shown(*, actor: Actor, person: Person) -> None:
    """Log that a page showed this person (a form about them, with their name); the person
    comes from ``kaa_person_for_write``, so the policy has said yes."""
    persons_shown(actor=actor, purpose=Purpose.KAA, person_ids=[person.pk], object_type="kaa_form")


def kaa_plan_for(*, actor: Actor, person: Person) -> Plan | None:
    scope = _require_scope(actor)
    return Plan.objects.filter(person=person, municipality_code=scope.municipality_code).first()


def kaa_measure_get_for(*, actor: Actor, person: Person, measure_id: int | str) -> Measure:
    scope = _require_scope(actor)
    measure = (
        Measure.objects.filter(
            person=person, municipality_code=scope.municipality_code, pk=_int(measure_id)
        )
        .select_related("measure_type")
        .first()
    )
    if measure is None:
        raise Http404
    return measure


def kaa_follow_up_get_for(*, actor: Actor, person: Person, follow_up_id: int | str) -> FollowUp:
    scope = _require_scope(actor)
    follow_up = (
        FollowUp.objects.filter(
            measure__person=person,
            measure__municipality_code=scope.municipality_code,
            pk=_int(follow_up_id),
        )
        .select_related("measure")
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


def _int(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class InboxRow:
    notice: Notice
    person: Person | None


@transaction.atomic
def kaa_notice_inbox(
    *, actor: Actor, include_handled: bool = False, limit: int = 100
) -> list[InboxRow]:
    """Notices from schools to the coordinator's municipality, newest first; the persons
    they name are logged as read."""
    scope = _require_scope(actor)
    notices = Notice.objects.filter(municipality_code=scope.municipality_code)
    if not include_handled:
        notices = notices.filter(handled_at__isnull=True)
    rows = list(notices.order_by("-sent_at", "-id")[:limit])
    # Every notice to the municipality is listed; the person it names only when the
    # policy lets the coordinator reach them (a notice may name someone registered
    # elsewhere: the school guessed the municipality wrong).
    named = Person.objects.filter(pk__in={n.person_id for n in rows if n.person_id})
    visible = {
        person.pk: person
        for person in persons_read(
            actor=actor,
            purpose=Purpose.KAA,
            category=Category.KAA,
            queryset=named.order_by("pk"),
            object_type="kaa_notice_inbox",
        )
    }
    return [InboxRow(n, visible.get(n.person_id)) for n in rows]


def kaa_notice_count_open(*, actor: Actor) -> int:
    scope = kaa_scope(actor)
    if scope is None:
        return 0
    return Notice.objects.filter(
        municipality_code=scope.municipality_code, handled_at__isnull=True
    ).count()


def kaa_notice_get_for(*, actor: Actor, notice_id: int | str) -> Notice:
    scope = _require_scope(actor)
    notice = Notice.objects.filter(
        municipality_code=scope.municipality_code, pk=_int(notice_id)
    ).first()
    if notice is None:
        raise Http404
    return notice


# --- The caseload: who works with whom -------------------------------------------------------

# A caseload row's place in the coordinator's work, in this order (a documented priority:
# the law's first duty is to know what the young person does, so status unknown comes
# first; a school's notice waits for an answer next; then follow-ups that are due).
PRIORITY_STATUS_UNKNOWN = 0
PRIORITY_OPEN_NOTICE = 1
PRIORITY_FOLLOW_UP_DUE = 2
PRIORITY_REST = 3
CASELOAD_LIMIT = 50
UNASSIGNED = "unassigned"


def kaa_coordinators_q(municipality_code: str) -> Q:
    """Users who are KAA coordinators of the municipality (a filter on users)."""
    return Q(
        memberships__role=Role.KAA_COORDINATOR,
        memberships__organisation__kind=OrganisationKind.MUNICIPALITY,
        memberships__organisation__municipality_code=municipality_code,
    )


def kaa_coordinators_for(*, actor: Actor) -> list[User]:
    """The KAA coordinators of the actor's municipality, by name: the people a young
    person in its cohort can be assigned to."""
    scope = _require_scope(actor)
    return list(
        User.objects.filter(kaa_coordinators_q(scope.municipality_code))
        .distinct()
        .order_by("last_name", "first_name", "username", "pk")
    )


def open_assignments(*, municipality_code: str) -> QuerySet[CaseloadAssignment]:
    return CaseloadAssignment.objects.filter(
        municipality_code=municipality_code, ended_at__isnull=True
    )


def assigned_to_q(
    *, municipality_code: str, coordinator_id: int | None, person_ref: str = "pk"
) -> Q:
    """A filter for the persons (or rows about a person, ``person_ref="person_id"``)
    assigned to the coordinator in the municipality now; ``coordinator_id=None`` means
    assigned to nobody. An Exists, so it adds no join; it filters, it does not authorise."""
    assignments = open_assignments(municipality_code=municipality_code).filter(
        person_id=OuterRef(person_ref)
    )
    if coordinator_id is None:
        return ~Q(Exists(assignments))
    return Q(Exists(assignments.filter(coordinator_id=coordinator_id)))


def with_caseload(
    memberships: QuerySet[CohortMembership], *, municipality_code: str, today: dt.date
) -> QuerySet[CohortMembership]:
    """``with_status`` plus what the caseload ranks by: the assigned coordinator, the
    number of open notices, the earliest follow-up not done, and the priority (above)."""
    open_notices = (
        Notice.objects.filter(
            person_id=OuterRef("person_id"),
            municipality_code=municipality_code,
            handled_at__isnull=True,
        )
        .order_by()
        .values("person_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    next_follow_up = (
        FollowUp.objects.filter(
            measure__person_id=OuterRef("person_id"),
            measure__municipality_code=municipality_code,
            done_on__isnull=True,
        )
        .order_by("due_on")
        .values("due_on")[:1]
    )
    annotated = with_status(memberships, municipality_code=municipality_code, today=today)
    return annotated.annotate(
        coordinator_id=Subquery(
            open_assignments(municipality_code=municipality_code)
            .filter(person_id=OuterRef("person_id"))
            .values("coordinator_id")[:1]
        ),
        open_notices=Coalesce(Subquery(open_notices), 0),
        next_follow_up=Subquery(next_follow_up),
    ).annotate(
        priority=Case(
            When(_status_filter(STATUS_UNKNOWN), then=Value(PRIORITY_STATUS_UNKNOWN)),
            When(open_notices__gt=0, then=Value(PRIORITY_OPEN_NOTICE)),
            When(next_follow_up__lte=today, then=Value(PRIORITY_FOLLOW_UP_DUE)),
            default=Value(PRIORITY_REST),
            output_field=IntegerField(),
        )
    )


@dataclass(frozen=True)
class CaseloadRow:
    person: Person
    membership: CohortMembership
    status: str
    priority: int
    coordinator_id: int | None
    open_notices: int
    next_follow_up: dt.date | None
    last_contact: dt.date | None


@dataclass
class CaseloadPage:
    rows: list[CaseloadRow]
    total: int
    offset: int
    limit: int
    today: dt.date

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


@transaction.atomic
def kaa_caseload(
    *,
    actor: Actor,
    coordinator_id: int | str | None = None,
    status: str = "",
    today: dt.date | None = None,
    limit: int = CASELOAD_LIMIT,
    offset: int = 0,
) -> CaseloadPage:
    """The young people of the municipality's current cohort assigned to one coordinator
    (the actor when ``coordinator_id`` is None; ``UNASSIGNED`` for those assigned to
    nobody), optionally of one status: status unknown first, then open notices, then
    follow-ups due, then the rest, by name within each. Paged in the database; the rows
    shown are read through the door and logged."""
    scope = _require_scope(actor)
    today = today or timezone.localdate()
    limit = min(max(int(limit), 1), CASELOAD_LIMIT * 4)
    offset = max(int(offset), 0)
    code = scope.municipality_code
    if coordinator_id == UNASSIGNED:
        who: int | None = None
    elif coordinator_id in (None, ""):
        who = actor.user.pk
    else:
        who = _int(coordinator_id)
    memberships = with_caseload(
        current_memberships(municipality_code=code, today=today).filter(
            assigned_to_q(municipality_code=code, coordinator_id=who, person_ref="person_id")
        ),
        municipality_code=code,
        today=today,
    )
    if status in STATUSES:
        memberships = memberships.filter(_status_filter(status))
    total = memberships.filter(person__in=scope.persons().values("pk")).count()
    page = records_read(
        memberships.select_related("person").order_by(
            "priority", "person__family_name", "person__given_name", "person_id"
        ),
        actor=actor,
        purpose=Purpose.KAA,
        category=Category.KAA,
        window=slice(offset, offset + limit),
        object_type="kaa_caseload",
        today=today,
    )
    return CaseloadPage(
        rows=[
            CaseloadRow(
                person=m.person,
                membership=m,
                status=status_of(m),
                priority=m.priority,
                coordinator_id=m.coordinator_id,
                open_notices=m.open_notices,
                next_follow_up=m.next_follow_up,
                last_contact=m.last_contact,
            )
            for m in page
        ],
        total=total,
        offset=offset,
        limit=limit,
        today=today,
    )


@dataclass(frozen=True)
class CoordinatorLoad:
    """One coordinator's caseload in numbers (``coordinator`` None: assigned to nobody)."""

    coordinator: User | None
    total: int
    unknown: int


def kaa_caseload_per_coordinator(
    *, actor: Actor, today: dt.date | None = None
) -> list[CoordinatorLoad]:
    """For the overview: how many young people of the current cohort each coordinator of
    the municipality has, and how many of them have status unknown, counted in one
    grouped query; coordinators without anyone are listed with zero, and the unassigned
    last. Numbers only: no person is shown, so nothing is logged."""
    scope = _require_scope(actor)
    today = today or timezone.localdate()
    code = scope.municipality_code
    counted = (
        with_status(
            current_memberships(municipality_code=code, today=today).filter(
                person__in=scope.persons().values("pk")
            ),
            municipality_code=code,
            today=today,
        )
        .annotate(
            coordinator_id=Subquery(
                open_assignments(municipality_code=code)
                .filter(person_id=OuterRef("person_id"))
                .values("coordinator_id")[:1]
            )
        )
        .order_by()
        .values("coordinator_id")
        .annotate(
            total=Count("pk"),
            unknown=Count("pk", filter=_status_filter(STATUS_UNKNOWN)),
        )
    )
    counts = {row["coordinator_id"]: (row["total"], row["unknown"]) for row in counted}
    coordinators = kaa_coordinators_for(actor=actor)
    # Someone assigned to a person who has since stopped being a coordinator still has a
    # caseload: they are listed too, so nobody disappears from the overview.
    known = {user.pk for user in coordinators}
    former = [pk for pk in counts if pk is not None and pk not in known]
    if former:
        coordinators += list(User.objects.filter(pk__in=former).order_by("last_name", "pk"))
    loads = [CoordinatorLoad(user, *counts.get(user.pk, (0, 0))) for user in coordinators]
    loads.append(CoordinatorLoad(None, *counts.get(None, (0, 0))))
    return loads


def notices_waiting_for(*, actor: Actor, limit: int = 20) -> list[InboxRow]:
    """The notices from schools that wait for the actor's municipality, newest first,
    for a start page or an inbox; nothing for an actor who is no KAA coordinator."""
    if kaa_scope(actor) is None:
        return []
    return kaa_notice_inbox(actor=actor, include_handled=False, limit=limit)
