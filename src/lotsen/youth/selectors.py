"""Reads for the young person's own pages, and the two reads of what the young person
writes that the case team uses (check-ins and messages).

The young person reaches their cases through ``CasePolicy`` (which gives a young person
their own cases and nothing else) and their person record through ``PersonPolicy`` with
purpose "self". Every read is logged with purpose "self", as the person page does; the
page "Vem har läst om mig" leaves those entries out, because the young person knows that
they read their own data.

Staff reach check-ins and messages only for a case ``CasePolicy`` shows them, and
check-ins (WHO-5 is health-related) only in the owning organisation or with a consent
that names their organisation and the health category.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Role
from lotsen.people.models import Person
from lotsen.privacy.door import persons_shown
from lotsen.privacy.models import Action, Category, Consent, Purpose
from lotsen.privacy.policy import purpose_for
from lotsen.privacy.selectors import (
    access_log_entries_for_person,
    access_log_for_person,
    consent_list_for_person,
)
from lotsen.support.models import (
    Case,
    CaseStatus,
    Contact,
    Goal,
    PlanAction,
    TeamMember,
    TeamMemberRole,
    WellbeingCheckin,
    YouthMessage,
)
from lotsen.support.policy import CasePolicy
from lotsen.youth import phrases
from lotsen.youth.services import youth_self_person

ACCESS_LOG_LIMIT = 100
# Entries on one page of "who has read about me": a few months of an ordinary case.
ACCESS_LOG_PAGE_SIZE = 50
CONTACT_LIMIT = 50


def _require_young_person(actor: Actor) -> Person:
    """The young person's own record; a page of "mina sidor" is 404 for anyone else."""
    if actor is None or actor.role != Role.YOUNG_PERSON:
        raise Http404
    try:
        return youth_self_person(actor)
    except PermissionDenied as exc:  # a login with no person behind it
        raise Http404 from exc


def _log_self(actor: Actor, person: Person, object_type: str, object_id: object = "") -> None:
    # The person came through the policy for their own data (_require_young_person).
    persons_shown(
        actor=actor,
        purpose=Purpose.SELF,
        person_ids=[person.pk],
        object_type=object_type,
        object_id=str(object_id or person.pk),
    )


@dataclass
class TeamRow:
    organisation_name: str
    is_owner: bool
    # False when the organisation is on the team but no active consent lets it read the
    # case: the young person should see that their withdrawal worked.
    has_access: bool
    contact_persons: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)


@dataclass
class YouthCase:
    case: Case
    owner_name: str
    is_open: bool
    own_goal: str = ""
    lead_party: str = ""
    goals: list[Goal] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)
    team: list[TeamRow] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def has_plan(self) -> bool:
        return bool(self.own_goal or self.goals or self.actions)

    @property
    def contact_persons(self) -> list[tuple[str, str]]:
        return [(name, row.organisation_name) for row in self.team for name in row.contact_persons]

    @property
    def next_follow_up(self) -> PlanAction | None:
        waiting = [a for a in self.actions if a.done_on is None]
        return min(waiting, key=lambda a: a.follow_up_on) if waiting else None


def _own_cases(actor: Actor) -> QuerySet[Case]:
    return (
        CasePolicy(actor)
        .cases()
        .select_related("owner", "plan")
        .order_by("status", "-opened_on", "-id")
    )


def _support_orgs_with_consent(person: Person) -> set[int]:
    """Organisations an active consent of the person names for support data."""
    orgs: set[int] = set()
    consents = Consent.objects.filter(person=person, withdrawn_at__isnull=True).prefetch_related(
        "organisations", "categories"
    )
    for consent in consents:
        if consent.is_active() and any(
            c.category == Category.SUPPORT for c in consent.categories.all()
        ):
            orgs.update(org.pk for org in consent.organisations.all())
    return orgs


def _team_rows(case: Case, members: list[TeamMember], consented: set[int]) -> list[TeamRow]:
    rows: dict[int, TeamRow] = {
        case.owner_id: TeamRow(organisation_name=case.owner.name, is_owner=True, has_access=True)
    }
    for member in members:
        row = rows.setdefault(
            member.organisation_id,
            TeamRow(
                organisation_name=member.organisation.name,
                is_owner=False,
                has_access=member.organisation_id in consented,
            ),
        )
        if member.user is not None:
            name = member.user.get_full_name() or member.user.username
            target = (
                row.contact_persons if member.role == TeamMemberRole.CONTACT_PERSON else row.members
            )
            if name not in target:
                target.append(name)
    return list(rows.values())


def _build(
    actor: Actor,
    person: Person,
    *,
    case_id: int | None,
    with_plan: bool,
    with_team: bool,
    with_contacts: bool,
) -> list[YouthCase]:
    cases = _own_cases(actor)
    if case_id is not None:
        cases = cases.filter(pk=case_id)
    if with_plan:
        # Each case's goals and actions come with the cases, not two queries per case.
        cases = cases.prefetch_related(
            "plan__goals",
            Prefetch(
                "plan__actions",
                queryset=PlanAction.objects.select_related(
                    "responsible_organisation", "responsible_user"
                ),
            ),
        )
    if with_team:
        cases = cases.prefetch_related(
            Prefetch(
                "team",
                queryset=TeamMember.objects.filter(removed_at__isnull=True).select_related(
                    "organisation", "user"
                ),
                to_attr="active_team",
            )
        )
    if with_contacts:
        cases = cases.prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.select_related("organisation").order_by("-date", "-id"),
                to_attr="contact_rows",
            )
        )
    cases = list(cases)
    if case_id is not None and not cases:
        raise Http404
    consented = _support_orgs_with_consent(person) if with_team else set()
    result = []
    for case in cases:
        row = YouthCase(
            case=case, owner_name=case.owner.name, is_open=case.status == CaseStatus.OPEN
        )
        plan = getattr(case, "plan", None) if with_plan else None
        if plan is not None:
            row.own_goal = plan.own_goal
            row.lead_party = plan.get_lead_party_display() if plan.lead_party else ""
            row.goals = list(plan.goals.all())
            row.actions = list(plan.actions.all())
        if with_team:
            row.team = _team_rows(case, case.active_team, consented)
        if with_contacts:
            row.contacts = case.contact_rows[:CONTACT_LIMIT]
        result.append(row)
    return result


@dataclass
class YouthStart:
    person: Person
    cases: list[YouthCase]
    latest_checkin: WellbeingCheckin | None
    message_count: int

    @property
    def contact_persons(self) -> list[tuple[str, str]]:
        """Named contact persons on the open cases, each once."""
        seen: list[tuple[str, str]] = []
        for row in self.cases:
            if row.is_open:
                seen.extend(pair for pair in row.contact_persons if pair not in seen)
        return seen


@transaction.atomic
def youth_start(*, actor: Actor) -> YouthStart:
    person = _require_young_person(actor)
    cases = _build(actor, person, case_id=None, with_plan=True, with_team=True, with_contacts=False)
    latest = WellbeingCheckin.objects.filter(person=person).order_by("-answered_at", "-id").first()
    _log_self(actor, person, "youth_start")
    return YouthStart(
        person=person,
        cases=cases,
        latest_checkin=latest,
        message_count=YouthMessage.objects.filter(person=person).count(),
    )


@transaction.atomic
def youth_plans(*, actor: Actor, case_id: int | None = None) -> list[YouthCase]:
    """My plan(s): one per case, open cases first. Another person's case id is 404."""
    person = _require_young_person(actor)
    cases = _build(
        actor, person, case_id=case_id, with_plan=True, with_team=False, with_contacts=False
    )
    for row in cases:
        _log_self(actor, person, "plan", row.case.pk)
    return cases


@transaction.atomic
def youth_contacts(*, actor: Actor, case_id: int | None = None) -> list[YouthCase]:
    """My team and contact persons, and the contacts the team has had with me."""
    person = _require_young_person(actor)
    cases = _build(
        actor, person, case_id=case_id, with_plan=False, with_team=True, with_contacts=True
    )
    for row in cases:
        _log_self(actor, person, "contact", row.case.pk)
    return cases


@transaction.atomic
def youth_checkins(*, actor: Actor) -> list[WellbeingCheckin]:
    """My WHO-5 check-ins, oldest first (the order of the chart and the table)."""
    person = _require_young_person(actor)
    checkins = list(WellbeingCheckin.objects.filter(person=person).order_by("answered_at", "id"))
    _log_self(actor, person, "wellbeing")
    return checkins


@transaction.atomic
def youth_messages(*, actor: Actor) -> list[YouthMessage]:
    person = _require_young_person(actor)
    messages = list(YouthMessage.objects.filter(person=person).order_by("-written_at", "-id"))
    _log_self(actor, person, "youth_message")
    return messages


@transaction.atomic
def youth_consents(*, actor: Actor) -> list[Consent]:
    person = _require_young_person(actor)
    consents = list(consent_list_for_person(actor=actor, person=person))
    _log_self(actor, person, "consent_list")
    return consents


def youth_consent_get(*, actor: Actor, consent_id: int) -> Consent:
    person = _require_young_person(actor)
    consent = consent_list_for_person(actor=actor, person=person).filter(pk=consent_id).first()
    if consent is None:
        raise Http404
    return consent


@dataclass(frozen=True)
class AccessRow:
    at: object
    who: str
    staff_name: str
    sentence: str
    is_emergency: bool


def youth_access_log(*, actor: Actor, limit: int = ACCESS_LOG_LIMIT) -> list[AccessRow]:
    """Who has read or changed my data, newest first, in plain words. My own reads are
    left out. Reading the log is not itself logged: it holds no data about me beyond
    the fact that others read it, and logging it would only fill the list."""
    person = _require_young_person(actor)
    # The selector gives every entry to the young person; fetch more than shown so that
    # their own reads, left out here, do not crowd out the others.
    entries = access_log_for_person(actor=actor, person=person, limit=limit * 5)
    rows = []
    for entry in entries:
        if entry.actor_user_id == actor.user.pk:
            continue
        rows.append(_access_row(entry))
        if len(rows) >= limit:
            break
    return rows


def _access_row(entry) -> AccessRow:
    if entry.organisation:
        who = entry.organisation.name
    elif entry.purpose == Purpose.GUARDIAN:
        who = phrases.guardian()  # a guardian answering a consent request
    else:
        who = phrases.someone()
    staff = entry.actor_user.get_full_name() or entry.actor_user.username
    if entry.purpose == Purpose.GUARDIAN and not entry.organisation:
        staff = ""  # a guardian's account has a made-up name that says nothing
    return AccessRow(
        at=entry.at,
        who=who,
        staff_name=staff,
        sentence=phrases.access_sentence(
            who=who, action=entry.action, object_type=entry.object_type
        ),
        is_emergency=entry.action == Action.EMERGENCY or entry.purpose == Purpose.EMERGENCY,
    )


@dataclass(frozen=True)
class AccessMonth:
    month: dt.date  # the first day of the month, in local time
    rows: list[AccessRow]


@dataclass(frozen=True)
class AccessLogPage:
    months: list[AccessMonth]
    page: Page


def youth_access_log_page(*, actor: Actor, page_number: object = 1) -> AccessLogPage:
    """One page of who has read or changed my data, newest first, grouped by month (in
    local time). Paged at the database: a young person with years of case work has
    thousands of entries. My own reads are left out in the query, so every page is full.
    A page number that is not a page gives the nearest page (the first or the last).
    Not itself logged, as ``youth_access_log`` says."""
    person = _require_young_person(actor)
    entries = access_log_entries_for_person(actor=actor, person=person).exclude(
        actor_user=actor.user
    )
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(page_number)
    months: list[AccessMonth] = []
    for entry in page.object_list:
        month = timezone.localtime(entry.at).date().replace(day=1)
        if not months or months[-1].month != month:
            months.append(AccessMonth(month=month, rows=[]))
        months[-1].rows.append(_access_row(entry))
    return AccessLogPage(months=months, page=page)


# --- Reads for the case team -------------------------------------------------------------


def _case_visible(policy: CasePolicy, case: Case) -> bool:
    return policy.cases().filter(pk=case.pk).exists()


@transaction.atomic
def wellbeing_for_case(*, actor: Actor, case: Case) -> list[WellbeingCheckin] | None:
    """The young person's WHO-5 check-ins for a case page, oldest first.

    None when the actor may not see them: the case must be visible to the actor, and
    since WHO-5 answers are health-related, the actor's organisation must own the case or
    be named by an active consent that covers the health category. The young person
    always sees their own. A returned list is logged (one entry, the case as object).
    """
    policy = CasePolicy(actor)
    if not _case_visible(policy, case):
        return None
    if actor.role == Role.YOUNG_PERSON:
        if actor.user.person_id != case.person_id:
            return None
        purpose = Purpose.SELF
    else:
        org = actor.organisation
        owner = org is not None and org.pk == case.owner_id
        consented = (
            org is not None
            and policy.consented_persons(Category.HEALTH).filter(person_id=case.person_id).exists()
        )
        if not (owner or consented):
            return None
        purpose = purpose_for(actor) or Purpose.SUPPORT
    checkins = list(
        WellbeingCheckin.objects.filter(person_id=case.person_id).order_by("answered_at", "id")
    )
    if checkins:
        # The case and the health consent were checked above: the door logs what is shown.
        persons_shown(
            actor=actor,
            purpose=purpose,
            person_ids=[case.person_id],
            object_type="wellbeing",
            object_id=str(case.pk),
        )
    return checkins


@transaction.atomic
def youth_messages_for_case(*, actor: Actor, case: Case) -> list[YouthMessage]:
    """What the young person wants the team to know, newest first: for everyone who sees
    the case (support data, which the case policy already requires a consent for)."""
    policy = CasePolicy(actor)
    if not _case_visible(policy, case):
        return []
    messages = list(
        YouthMessage.objects.filter(person_id=case.person_id).order_by("-written_at", "-id")
    )
    if messages:
        persons_shown(
            actor=actor,
            purpose=Purpose.SELF if actor.role == Role.YOUNG_PERSON else purpose_for(actor),
            person_ids=[case.person_id],
            object_type="youth_message",
            object_id=str(case.pk),
        )
    return messages
