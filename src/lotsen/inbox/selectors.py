"""The inbox: one row per young person, ranked and paged inside the database.

A young person is in the actor's inbox when at least one source (``inbox.sources``) has a
row about them. The selector builds one Person queryset filtered by those sources and
annotated with what ranks it, orders and slices it in the database, and only then reads
the page's persons through the door (one access-log entry per person shown) and the
page's reasons (one query per source, for the page's ids only). The number of queries
does not depend on how many young people wait.

Priority ("Prioritet", the default order), documented on the page:

1. the learned model's latest risk band for the pupil (school roles only: high first);
2. the kind of item, in the order the role works them (KAA: status unknown, then notices,
   then follow-ups; school: signals, then objections, then handovers);
3. how long the oldest item has waited (longest first);
4. the earliest due date; then the name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_cte import CTE, with_cte

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Role
from lotsen.earlywarning.models import RULE_CHOICES, RiskBand
from lotsen.earlywarning.selectors import _unit_q, risk_scores_visible_to
from lotsen.earlywarning.services import SCHOOL_ROLES
from lotsen.inbox.sources import Kind, Source, sources_for
from lotsen.kaa.models import NoticeKind
from lotsen.kaa.selectors import kaa_scope, open_assignments
from lotsen.people.models import Person
from lotsen.privacy.door import persons_read
from lotsen.privacy.models import Category
from lotsen.privacy.policy import PersonPolicy, purpose_for
from lotsen.school.models import Enrolment
from lotsen.school.selectors import group_get_for, groups_for, in_group_q

PAGE_SIZE = 25
MAX_PAGE = 10_000
FAR_FUTURE = dt.date(9999, 12, 31)
FAR_PAST = dt.date(1900, 1, 1)

SORT_PRIORITY = "prioritet"
SORT_DUE = "forfaller"
SORT_WAITED = "vantat"
SORT_NAME = "namn"
SORTS = (SORT_PRIORITY, SORT_DUE, SORT_WAITED, SORT_NAME)

WHO_MINE = "mig"
WHO_TEAM = "team"
WHO_UNASSIGNED = "otilldelat"
WHOS = (WHO_MINE, WHO_TEAM, WHO_UNASSIGNED)

STATUS_NEW = "ny"
STATUS_ACKNOWLEDGED = "kvitterad"
STATUS_OVERDUE = "forsenad"
STATUSES = (STATUS_NEW, STATUS_ACKNOWLEDGED, STATUS_OVERDUE)

KIND_LABELS = {
    Kind.SIGNAL: "Signal",
    Kind.OBJECTION: "Invändning mot modellens bedömning",
    Kind.HANDOVER: "Överlämning till skolan",
    Kind.CASE_FOLLOW_UP: "Uppföljning i ärende",
    Kind.REFERRAL: "Remiss väntar på svar",
    Kind.CONSENT: "Samtycke upphör snart",
    Kind.KAA_UNKNOWN: "Okänd sysselsättning",
    Kind.KAA_NOTICE: "Anmälan från skola",
    Kind.KAA_FOLLOW_UP: "Uppföljning av insats",
}


def kind_label(kind: str) -> str:
    # The labels are marked for translation where they are shown (gettext of a constant).
    return _(KIND_LABELS.get(kind, kind))


def overdue_days() -> int:
    return int(getattr(settings, "LOTSEN_INBOX_OVERDUE_DAYS", 5))


@dataclass(frozen=True, kw_only=True)
class InboxFilters:
    kind: str = ""
    year: int | None = None
    unit: int | None = None
    group: int | None = None
    assigned: int | None = None
    status: str = ""
    who: str = ""
    sort: str = SORT_PRIORITY
    page: int = 1


@dataclass(frozen=True)
class Reason:
    kind: str
    text: str
    since: dt.date | None
    due: dt.date | None
    url: str


@dataclass
class InboxRow:
    person: Person
    reasons: list[Reason]
    waiting_since: dt.date | None
    due: dt.date | None
    risk: str
    school_year: int | None
    assigned_to_id: int | None
    assigned_role: str
    assignee: str
    follow_up_on: dt.date | None
    acknowledged: bool
    overdue: bool
    person_url: str


@dataclass
class InboxPage:
    rows: list[InboxRow]
    total: int
    page: int
    page_size: int
    filters: InboxFilters
    kinds: list[str]
    kind_counts: dict[str, int] = field(default_factory=dict)
    status_counts: dict[str, int] = field(default_factory=dict)
    who_counts: dict[str, int] = field(default_factory=dict)
    year_counts: list[tuple[int, int]] = field(default_factory=list)
    all_count: int = 0

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.page_size)


def _least(expressions: list, default: dt.date):
    wrapped = [Coalesce(e, Value(default), output_field=DateField()) for e in expressions]
    if not wrapped:
        return Value(default, output_field=DateField())
    return wrapped[0] if len(wrapped) == 1 else Least(*wrapped, output_field=DateField())


def _greatest(expressions: list, default: dt.date):
    wrapped = [Coalesce(e, Value(default), output_field=DateField()) for e in expressions]
    if not wrapped:
        return Value(default, output_field=DateField())
    return wrapped[0] if len(wrapped) == 1 else Greatest(*wrapped, output_field=DateField())


def _items_per_person(sources: list[Source]) -> tuple[CTE, CTE]:
    """Every waiting item of every source as one set, then one row per young person with,
    per source, when the first and the latest item started waiting and the earliest due
    date. Set-based: each source's query runs once for the whole inbox, where a subquery
    per person and source ran once per person (24,000 young people with an unknown status
    after a population import: minutes on SQLite, instead of under a second)."""
    parts = [
        source.rows.order_by().values(
            item_person=F("inbox_person"),
            item_kind=Value(index, output_field=IntegerField()),
            item_since=F("inbox_since"),
            item_due=F("inbox_due"),
        )
        for index, source in enumerate(sources)
    ]
    items = CTE(parts[0].union(*parts[1:], all=True), name="inbox_items")

    def of_kind(index: int, column: str):
        return Case(When(item_kind=index, then=F(column)), output_field=DateField())

    per_source = {}
    for index in range(len(sources)):
        per_source[f"since_{index}"] = Min(of_kind(index, "item_since"))
        per_source[f"latest_{index}"] = Max(of_kind(index, "item_since"))
        per_source[f"due_{index}"] = Min(of_kind(index, "item_due"))
    per_person = CTE(
        items.queryset().order_by().values("item_person").annotate(**per_source),
        name="inbox_per_person",
    )
    return items, per_person


def _current_enrolments(actor: Actor, today: dt.date) -> QuerySet[Enrolment]:
    units = _unit_q(actor)
    if units is None:
        return Enrolment.objects.none()
    return (
        Enrolment.objects.filter(units, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .order_by("-start_date", "-id")
    )


def _inbox_queryset(actor: Actor, *, today: dt.date) -> tuple[QuerySet[Person], list[Source]]:
    """Every person in the actor's inbox, annotated with what ranks and filters them;
    not yet filtered by the inbox's filters, not read."""
    sources = sources_for(actor, today=today)
    purpose = purpose_for(actor)
    if not sources or purpose is None:
        return Person.objects.none(), []
    # Only young people with at least one item are joined (an inner join on the items
    # per person), and only those the actor may see.
    items, per_person = _items_per_person(sources)
    n = range(len(sources))
    persons = with_cte(
        items,
        per_person,
        select=per_person.join(Person, id=per_person.col.item_person).filter(
            PersonPolicy(actor, today=today).visible_q(purpose=purpose, category=Category.IDENTITY)
        ),
    ).annotate(
        **{
            f"{column}_{i}": getattr(per_person.col, f"{column}_{i}")
            for i in n
            for column in ("since", "latest", "due")
        }
    )
    persons = persons.annotate(
        waiting_since=_least([F(f"since_{i}") for i in n], FAR_FUTURE),
        latest_since=_greatest([F(f"latest_{i}") for i in n], FAR_PAST),
        earliest_due=_least([F(f"due_{i}") for i in n], FAR_FUTURE),
        kind_rank=Case(
            *[When(**{f"since_{i}__isnull": False}, then=Value(i)) for i in n],
            default=Value(len(sources)),
            output_field=IntegerField(),
        ),
        box=FilteredRelation(
            "inbox_assignments", condition=Q(inbox_assignments__organisation=actor.organisation)
        ),
    ).annotate(
        assigned_to_id=_assigned_to(actor),
        assigned_role=Coalesce(F("box__assigned_role"), Value("")),
        follow_up_on=F("box__follow_up_on"),
        acknowledged_on=TruncDate("box__acknowledged_at"),
    )
    # Acknowledged means someone saw every item now waiting: an item that arrived after
    # the acknowledgement makes the row new again.
    persons = persons.annotate(
        acknowledged=ExpressionWrapper(
            Q(acknowledged_on__isnull=False) & Q(acknowledged_on__gte=F("latest_since")),
            output_field=BooleanField(),
        ),
    ).annotate(
        overdue=ExpressionWrapper(
            Q(acknowledged=False) & Q(waiting_since__lt=today - dt.timedelta(days=overdue_days())),
            output_field=BooleanField(),
        )
    )
    risk_rank = Value(0, output_field=IntegerField())
    risk_band = Value("", output_field=CharField())
    school_year = Value(None, output_field=IntegerField())
    if actor.role in SCHOOL_ROLES:
        latest_band = Subquery(
            risk_scores_visible_to(actor)
            .filter(person=OuterRef("pk"))
            .order_by("-scored_at", "-id")
            .values("band")[:1]
        )
        persons = persons.annotate(risk_band=latest_band)
        risk_band = F("risk_band")
        risk_rank = Case(
            When(risk_band=RiskBand.HIGH, then=Value(2)),
            When(risk_band=RiskBand.ELEVATED, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        school_year = Subquery(
            _current_enrolments(actor, today)
            .filter(person=OuterRef("pk"))
            .values("school_year")[:1],
            output_field=IntegerField(),
        )
    else:
        persons = persons.annotate(risk_band=risk_band)
    persons = persons.annotate(risk_rank=risk_rank, school_year=school_year)
    return persons, sources


def _assigned_to(actor: Actor):
    """Who answers for the row: the person the inbox names; for a KAA coordinator, when
    the inbox names nobody (neither a person nor a team), the coordinator whose caseload
    the young person is in. The caseload is the municipality's standing answer to "who
    works with whom"; an inbox assignment is the later, more specific decision, so it
    wins. Filters ("assigned to me", "responsible person") read the same value as the
    column, so a row never shows one name and filters under another."""
    in_inbox = F("box__assigned_to_id")
    scope = kaa_scope(actor) if actor.role == Role.KAA_COORDINATOR else None
    if scope is None:
        return in_inbox
    caseload = Subquery(
        open_assignments(municipality_code=scope.municipality_code)
        .filter(person_id=OuterRef("pk"))
        .values("coordinator_id")[:1],
        output_field=IntegerField(),
    )
    no_team = Q(box__assigned_role__isnull=True) | Q(box__assigned_role="")
    return Coalesce(
        in_inbox,
        Case(When(no_team, then=caseload), default=Value(None), output_field=IntegerField()),
        output_field=IntegerField(),
    )


def _who_q(actor: Actor, who: str) -> Q:
    if who == WHO_MINE:
        return Q(assigned_to_id=actor.user.pk)
    if who == WHO_TEAM:
        return Q(assigned_role=actor.role) | Q(
            assigned_to_id__in=Membership.objects.filter(
                organisation=actor.organisation, role=actor.role
            ).values("user_id")
        )
    if who == WHO_UNASSIGNED:
        return Q(assigned_to_id__isnull=True, assigned_role="")
    return Q()


def _status_q(status: str) -> Q:
    if status == STATUS_NEW:
        return Q(acknowledged=False)
    if status == STATUS_ACKNOWLEDGED:
        return Q(acknowledged=True)
    if status == STATUS_OVERDUE:
        return Q(overdue=True)
    return Q()


def _kind_q(kind: str, kinds: list[str]) -> Q:
    if kind in kinds:
        return Q(**{f"since_{kinds.index(kind)}__isnull": False})
    return Q()


ORDERINGS = {
    SORT_PRIORITY: ("-risk_rank", "kind_rank", "waiting_since", "earliest_due"),
    SORT_DUE: ("earliest_due", "waiting_since"),
    SORT_WAITED: ("waiting_since", "earliest_due"),
    SORT_NAME: (),
}


def _filtered(
    persons: QuerySet[Person],
    actor: Actor,
    filters: InboxFilters,
    kinds: list[str],
    today: dt.date,
):
    persons = persons.filter(_kind_q(filters.kind, kinds), _who_q(actor, filters.who))
    if filters.group is not None:
        # Only a class or group of the actor's own school units filters; any other id is
        # answered as a group with nobody in it.
        try:
            group = group_get_for(actor=actor, group_id=filters.group, today=today)
        except Http404:
            return persons.none()
        persons = persons.filter(in_group_q(group_id=group.pk, today=today))
    persons = persons.filter(_status_q(filters.status))
    if filters.year is not None:
        persons = persons.filter(school_year=filters.year)
    if filters.assigned is not None:
        persons = persons.filter(assigned_to_id=filters.assigned)
    if filters.unit is not None:
        persons = persons.filter(
            pk__in=Enrolment.objects.filter(school_unit_id=filters.unit).values("person_id")
        )
    return persons


@transaction.atomic
def inbox_page_for(
    *,
    actor: Actor,
    filters: InboxFilters | None = None,
    today: dt.date | None = None,
    page_size: int = PAGE_SIZE,
    with_counts: bool = True,
) -> InboxPage:
    """One page of the actor's inbox, with the counts its filters show. Reads and logs
    only the persons on the page."""
    filters = filters or InboxFilters()
    page_size = min(max(page_size, 1), PAGE_SIZE)
    today = today or timezone.localdate()
    persons, sources = _inbox_queryset(actor, today=today)
    kinds = [source.kind for source in sources]
    page = min(max(filters.page, 1), MAX_PAGE)
    if not sources:
        return InboxPage(rows=[], total=0, page=1, page_size=page_size, filters=filters, kinds=[])

    # The counts beside each filter value: numbers only, one query over the whole inbox.
    n = range(len(kinds))
    counts = {}
    if with_counts:
        counts = persons.aggregate(
            all=Count("pk"),
            **{f"kind_{i}": Count("pk", filter=Q(**{f"since_{i}__isnull": False})) for i in n},
            **{f"status_{s}": Count("pk", filter=_status_q(s)) for s in STATUSES},
            **{f"who_{w}": Count("pk", filter=_who_q(actor, w)) for w in WHOS},
        )
    year_counts = []
    if with_counts and actor.role in SCHOOL_ROLES:
        year_counts = sorted(
            (year, count)
            for year, count in persons.order_by()
            .values_list("school_year")
            .annotate(count=Count("pk"))
            .values_list("school_year", "count")
            if year is not None
        )

    chosen = _filtered(persons, actor, filters, kinds, today)
    ordering = ORDERINGS.get(filters.sort, ORDERINGS[SORT_PRIORITY])
    # The number of rows in all comes with the page (a window over the ranked rows), so
    # the inbox is worked out once per view, not once for the page and again to count it.
    ranked = chosen.order_by(*ordering, "family_name", "given_name", "pk").annotate(
        inbox_total=Window(Count("pk"))
    )
    offset = (page - 1) * page_size
    shown = persons_read(
        actor=actor,
        purpose=purpose_for(actor),
        category=Category.IDENTITY,
        queryset=ranked,
        window=slice(offset, offset + page_size),
        object_type="inbox",
        today=today,
    )
    # On a page past the last (a stale link) count what there is, for the pagination.
    total = shown[0].inbox_total if shown else (chosen.count() if offset else 0)
    reasons = _reasons_for(sources, [person.pk for person in shown], actor=actor)
    assignees = _assignee_names(actor, shown)
    rows = [
        InboxRow(
            person=person,
            reasons=reasons.get(person.pk, []),
            waiting_since=person.waiting_since if person.waiting_since != FAR_FUTURE else None,
            due=person.earliest_due if person.earliest_due != FAR_FUTURE else None,
            risk=person.risk_band or "",
            school_year=person.school_year,
            assigned_to_id=person.assigned_to_id,
            assigned_role=person.assigned_role,
            assignee=_assignee_label(person, assignees),
            follow_up_on=person.follow_up_on,
            acknowledged=bool(person.acknowledged),
            overdue=bool(person.overdue),
            person_url=_person_url(actor, person.pk),
        )
        for person in shown
    ]
    return InboxPage(
        rows=rows,
        total=total,
        page=page,
        page_size=page_size,
        filters=filters,
        kinds=kinds,
        kind_counts={kind: counts.get(f"kind_{i}", 0) for i, kind in enumerate(kinds)},
        status_counts={s: counts.get(f"status_{s}", 0) for s in STATUSES},
        who_counts={w: counts.get(f"who_{w}", 0) for w in WHOS},
        year_counts=year_counts,
        all_count=counts.get("all", total),
    )


START_ROWS = 10


def inbox_top_for(*, actor: Actor) -> InboxPage:
    """The start page's part of the inbox: the first rows in priority order and how many
    there are in all."""
    return inbox_page_for(actor=actor, page_size=START_ROWS, with_counts=False)


@dataclass(frozen=True)
class OverdueCount:
    role: str
    label: str
    count: int


def inbox_overdue_counts_for(*, actor: Actor) -> list[OverdueCount]:
    """For the team lead (the organisation's administrator): per team of the organisation,
    how many young people have waited unacknowledged past LOTSEN_INBOX_OVERDUE_DAYS.
    Numbers only: the administrator reaches no young person, and none is read or named."""
    if actor.role != Role.ORGANISATION_ADMIN or actor.organisation is None:
        return []
    today = timezone.localdate()
    result = []
    for role in team_roles_for(actor):
        # The team's view of the inbox, as a member of it would have it.
        member = Actor.for_membership(
            Membership(user=actor.user, organisation=actor.organisation, role=role)
        )
        persons, _sources = _inbox_queryset(member, today=today)
        count = persons.filter(overdue=True).count()
        if count:
            result.append(OverdueCount(role=role, label=str(Role(role).label), count=count))
    return result


def inbox_groups_for(*, actor: Actor) -> list[tuple[int, str]]:
    """The classes and mentor groups the inbox can be filtered to (school roles)."""
    if actor.role not in SCHOOL_ROLES:
        return []
    return [(group.pk, group.name) for group in groups_for(actor=actor)]


def _person_url(actor: Actor, person_id: int) -> str:
    if actor.role == Role.KAA_COORDINATOR:
        return reverse("kaa:person", args=[person_id])
    return reverse("web:person_detail", args=[person_id])


def colleagues_for(actor: Actor) -> list[tuple[int, str]]:
    """The people an inbox row can be assigned to: members of the actor's organisation in
    the roles that work with young people, by name."""
    if actor.organisation is None:
        return []
    members = (
        Membership.objects.filter(organisation=actor.organisation, role__in=_WORKING_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    seen: dict[int, str] = {}
    for membership in members:
        seen.setdefault(membership.user_id, _user_name(membership.user))
    return list(seen.items())


_WORKING_ROLES = (
    Role.MENTOR,
    Role.STUDENT_HEALTH,
    Role.COUNSELLOR,
    Role.KAA_COORDINATOR,
    Role.CASE_WORKER,
)


def team_roles_for(actor: Actor) -> list[str]:
    """The teams of the actor's organisation a row can be given to: the roles of its kind
    of work that someone holds there (a school's student-health team, a municipality's
    KAA coordinators)."""
    if actor.organisation is None:
        return []
    held = set(
        Membership.objects.filter(
            organisation=actor.organisation, role__in=_WORKING_ROLES
        ).values_list("role", flat=True)
    )
    return [role for role in _WORKING_ROLES if role in held]


def _user_name(user) -> str:
    return user.get_full_name() or user.username


def _assignee_names(actor: Actor, persons: list[Person]) -> dict[int, str]:
    ids = {p.assigned_to_id for p in persons if p.assigned_to_id}
    if not ids:
        return {}
    from django.contrib.auth import get_user_model

    return {u.pk: _user_name(u) for u in get_user_model().objects.filter(pk__in=ids)}


def _assignee_label(person: Person, names: dict[int, str]) -> str:
    if person.assigned_to_id:
        return names.get(person.assigned_to_id, "")
    if person.assigned_role:
        return str(Role(person.assigned_role).label)
    return ""


_RULE_LABELS = dict(RULE_CHOICES)
_NOTICE_LABELS = dict(NoticeKind.choices)


def _reason_text(kind: str, detail: str) -> str:
    if kind == Kind.SIGNAL and detail:
        return _("Signal: %(reason)s") % {"reason": _RULE_LABELS.get(detail, detail)}
    if kind == Kind.KAA_NOTICE and detail:
        return _("Anmälan från skola: %(kind)s") % {"kind": _NOTICE_LABELS.get(detail, detail)}
    return kind_label(kind)


def _reason_url(kind: str, pk: int, person_id: int) -> str:
    if kind == Kind.SIGNAL:
        return reverse("signals:detail", args=[pk])
    if kind == Kind.REFERRAL:
        return reverse("support:referral_detail", args=[pk])
    if kind == Kind.HANDOVER:
        return reverse("support:handover_detail", args=[pk])
    if kind == Kind.KAA_UNKNOWN:
        # What to do about an unknown status is to try to reach the person: the reason
        # opens the contact form directly.
        return reverse("kaa:contact_create", args=[person_id])
    if kind in (Kind.KAA_NOTICE, Kind.KAA_FOLLOW_UP):
        return reverse("kaa:person", args=[person_id])
    if kind == Kind.OBJECTION:
        # The objection is answered in the model's assessment on the person page.
        return reverse("web:person_detail", args=[person_id]) + "#modellens-bedomning"
    return reverse("web:person_detail", args=[person_id])


def _reasons_for(sources: list[Source], person_ids: list[int], *, actor: Actor):
    """Why each person on the page is here: one query per source, for the page's ids. The
    persons were read through the door already; these rows are the sources' own."""
    reasons: dict[int, list[Reason]] = {}
    if not person_ids:
        return reasons
    for source in sources:
        rows = (
            source.rows.filter(inbox_person__in=person_ids)
            .order_by()
            .values_list("pk", "inbox_person", "inbox_since", "inbox_due", "inbox_detail")
        )
        for pk, person_id, since, due, detail in rows:
            reasons.setdefault(person_id, []).append(
                Reason(
                    kind=source.kind,
                    text=_reason_text(source.kind, detail or ""),
                    since=since,
                    due=due,
                    url=_reason_url(source.kind, pk, person_id),
                )
            )
    for person_reasons in reasons.values():
        person_reasons.sort(key=lambda r: (r.due or FAR_FUTURE, r.since or FAR_FUTURE))
    return reasons


def inbox_reasons_for_person(*, actor: Actor, person: Person) -> list[Reason]:
    """Why this person is in the actor's inbox, in plain words (the person page's box).
    The caller has read the person through the door."""
    today = timezone.localdate()
    return _reasons_for(sources_for(actor, today=today), [person.pk], actor=actor).get(
        person.pk, []
    )


def inbox_person_ids_in_scope(*, actor: Actor, person_ids: list[int]) -> list[int]:
    """Of these ids, the persons in the actor's inbox that the actor may see: what a bulk
    action may touch. Numbers only; the service logs the write."""
    persons, _sources = _inbox_queryset(actor, today=timezone.localdate())
    return list(persons.filter(pk__in=person_ids).values_list("pk", flat=True))
