"""Reads for coordinated support, all through ``CasePolicy`` and logged.

A case the actor may not see is answered with Http404, the same as a missing one. Each
read that returns a case writes one access-log entry for its person, so the young person
can see who read their case.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, Role
from lotsen.people.models import Person
from lotsen.privacy.door import person_read, record_read, records_read
from lotsen.privacy.models import Category, Consent
from lotsen.privacy.selectors import consent_list_for_person
from lotsen.support.models import (
    Case,
    CaseStatus,
    Contact,
    Handover,
    Intervention,
    Note,
    PlanAction,
    Referral,
    ReferralStatus,
    TeamMember,
)
from lotsen.support.policy import CasePolicy
from lotsen.support.services import case_purpose, organisations_consented

CASE_LIST_LIMIT = 200
REFERRAL_LIST_LIMIT = 200
# Tasks look this far ahead, so a follow-up can be prepared before the day.
TASK_HORIZON_DAYS = 7
CONSENT_EXPIRY_HORIZON_DAYS = 30


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def cases_visible_to(actor: Actor) -> QuerySet[Case]:
    """Without logging: for selectors and services that log what they return."""
    return CasePolicy(actor).cases()


@transaction.atomic
def case_list_for(
    *, actor: Actor, status: str | None = CaseStatus.OPEN, person: Person | None = None
) -> list[Case]:
    cases = Case.objects.select_related("person", "owner").prefetch_related("target_groups")
    if status:
        cases = cases.filter(status=status)
    if person is not None:
        cases = cases.filter(person=person)
    return records_read(
        cases.order_by("-opened_on", "-id"),
        actor=actor,
        purpose=case_purpose(actor),
        visible=CasePolicy(actor).cases_q(),
        window=slice(0, CASE_LIST_LIMIT),
        object_type="case_list",
    )


@transaction.atomic
def case_get_for(*, actor: Actor, case_id) -> Case:
    return record_read(
        Case.objects.select_related("person", "owner", "plan", "signal").filter(pk=_id(case_id)),
        actor=actor,
        purpose=case_purpose(actor),
        visible=CasePolicy(actor).cases_q(),
        object_type="case",
    )


@dataclass
class CaseDetail:
    """Everything on a case that this actor may read. Built from a case already fetched
    (and logged) through ``case_get_for``."""

    case: Case
    is_owner: bool
    team: list[TeamMember]
    goals: list
    actions: list[PlanAction]
    interventions: list[Intervention]
    contacts: list[Contact]
    notes: list[Note]
    referrals: list[Referral]
    handovers: list[Handover]
    linked: list[Case]
    consents: list[Consent] = field(default_factory=list)
    withdrawn_consents: list[Consent] = field(default_factory=list)
    # Team organisations that no longer see the case: their consent was withdrawn or ran
    # out. The team already knows they took part; that they no longer can is shown.
    without_consent: list[TeamMember] = field(default_factory=list)
    # Notes this actor may read but not at the level of this login (health-related,
    # social services'): the page asks for a step-up in their place (issue 11).
    notes_withheld: frozenset[str] = frozenset()


def case_detail_for(*, actor: Actor, case: Case) -> CaseDetail:
    policy = CasePolicy(actor)
    is_owner = actor.organisation is not None and case.owner_id == actor.organisation.pk
    plan = case.plan
    team = list(
        TeamMember.objects.filter(case=case, removed_at__isnull=True).select_related(
            "organisation", "user"
        )
    )
    notes = []
    withheld: set[str] = set()
    if policy.is_staff():
        for note in Note.objects.filter(policy.notes_q(), case=case).select_related(
            "organisation", "written_by"
        ):
            kinds = policy.note_withheld_kinds(
                category=note.category, organisation_kind=note.organisation.kind
            )
            if kinds:
                withheld |= kinds
            else:
                notes.append(note)
    referrals = list(
        Referral.objects.filter(policy.referrals_q(), case=case).select_related(
            "from_organisation", "to_organisation", "sent_by"
        )
    )
    handovers = list(
        Handover.objects.filter(policy.handovers_q(), person_id=case.person_id).select_related(
            "from_school", "to_school"
        )
    )
    # The same consents the person page shows this actor: those naming or recorded in the
    # actor's organisation (the young person sees all of theirs).
    consents = list(consent_list_for_person(actor=actor, person=case.person))
    consented = organisations_consented(
        person=case.person,
        organisation_ids={m.organisation_id for m in team if m.organisation_id != case.owner_id},
        category=Category.SUPPORT,
    )
    return CaseDetail(
        case=case,
        is_owner=is_owner,
        team=team,
        goals=list(plan.goals.all()),
        actions=list(
            plan.actions.select_related("responsible_organisation", "responsible_user", "goal")
        ),
        interventions=list(case.interventions.select_related("method", "provider")),
        contacts=contacts_for(actor=actor, case=case),
        notes=notes,
        notes_withheld=frozenset(withheld),
        referrals=referrals,
        handovers=handovers,
        linked=list(policy.cases().filter(pk__in=case.linked.values("pk")).select_related("owner")),
        consents=[c for c in consents if c.is_active()],
        withdrawn_consents=[c for c in consents if c.withdrawn_at is not None],
        without_consent=[
            member
            for member in team
            if member.organisation_id != case.owner_id and member.organisation_id not in consented
        ],
    )


def contacts_for(*, actor: Actor, case: Case) -> list[Contact]:
    """Contacts on a case already read through ``case_get_for``. Their free text (outcome,
    note) has no data category, so it stays with the organisation that wrote it, the way a
    health note does; others see the date, the channel, who, and whether the young person
    was reached."""
    contacts = list(case.contacts.select_related("organisation", "staff"))
    if actor.role != Role.YOUNG_PERSON:
        own = actor.organisation.pk if actor.organisation else None
        for contact in contacts:
            if contact.organisation_id != own:
                contact.outcome = contact.note = ""
    return contacts


def referral_get_for(*, actor: Actor, referral_id) -> Referral:
    """A referral the actor sees (sender, or receiver while the consent holds); logged."""
    return record_read(
        Referral.objects.filter(pk=_id(referral_id)).select_related(
            "case__person", "from_organisation", "to_organisation", "consent"
        ),
        actor=actor,
        purpose=case_purpose(actor),
        person_field="case__person",
        visible=CasePolicy(actor).referrals_q(),
        object_type="referral",
    )


def referrals_pending_for(*, actor: Actor) -> list[Referral]:
    """Referrals waiting for the actor's organisation's answer, oldest first. Not logged
    per person: the list shows no names until a referral is opened."""
    if actor.organisation is None:
        return []
    return list(
        Referral.objects.filter(
            CasePolicy(actor).referrals_q(),
            to_organisation=actor.organisation,
            status=ReferralStatus.PENDING,
        )
        .select_related("from_organisation")
        .order_by("sent_at", "id")
    )


@transaction.atomic
def referral_list_for(
    *, actor: Actor, box: str | None = None, referral_status: str | None = None
) -> list[Referral]:
    """Referrals the actor's organisation sent or received, through the policy, logged.
    A receiver sees a referral only while the consent it relies on holds, exactly as
    ``referral_get_for``."""
    referrals = Referral.objects.all()
    if box == "received":
        referrals = referrals.filter(to_organisation=actor.organisation)
    elif box == "sent":
        referrals = referrals.filter(from_organisation=actor.organisation)
    if referral_status:
        referrals = referrals.filter(status=referral_status)
    return records_read(
        referrals.select_related("case__person", "from_organisation", "to_organisation").order_by(
            "-sent_at", "-id"
        ),
        actor=actor,
        purpose=case_purpose(actor),
        person_field="case__person",
        visible=CasePolicy(actor).referrals_q(),
        window=slice(0, REFERRAL_LIST_LIMIT),
        object_type="referral_list",
    )


def handover_get_for(*, actor: Actor, handover_id) -> Handover:
    return record_read(
        Handover.objects.filter(pk=_id(handover_id)).select_related(
            "person", "from_school", "to_school"
        ),
        actor=actor,
        purpose=case_purpose(actor),
        visible=CasePolicy(actor).handovers_q(),
        object_type="handover",
    )


def team_organisations_with_consent(*, case: Case) -> list[tuple[Organisation, Consent]]:
    """Organisations an active consent of the case's person names for support data: the
    ones that may be added to the team or sent a referral."""
    consents = (
        Consent.objects.filter(
            person_id=case.person_id,
            categories__category=Category.SUPPORT,
            withdrawn_at__isnull=True,
            given_on__lte=timezone.localdate(),
        )
        .exclude(expires_on__lt=timezone.localdate())
        .prefetch_related("organisations")
        .distinct()
    )
    pairs = {}
    for consent in consents:
        for organisation in consent.organisations.all():
            if organisation.pk != case.owner_id:
                pairs.setdefault(organisation.pk, (organisation, consent))
    return sorted(pairs.values(), key=lambda pair: pair[0].name)


def case_for_person_of_org(*, actor: Actor, person: Person) -> Case | None:
    """The actor's organisation's open case for this person, if any (duplicate guard)."""
    return (
        cases_visible_to(actor)
        .filter(person=person, owner=actor.organisation, status=CaseStatus.OPEN)
        .first()
    )


# --- Tasks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    kind: str
    title: str
    detail: str
    due: dt.date | None
    url: str
    age_days: int | None = None

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < timezone.localdate()


def case_tasks_for(*, actor: Actor, today: dt.date | None = None) -> list[Task]:
    """Support's part of the actor's "to do" list: plan follow-ups due, referrals waiting
    for an answer and consents about to expire on the organisation's cases, in that order.
    Shows only what the actor may see. The start page adds signals and participants'
    follow-ups and orders the whole list (``lotsen.web.tasks``)."""
    today = today or timezone.localdate()
    tasks: list[Task] = []
    org = actor.organisation
    if org is None or actor.role == Role.YOUNG_PERSON:
        return tasks
    policy = CasePolicy(actor)
    if policy.is_staff():
        visible = policy.cases().filter(status=CaseStatus.OPEN)
        horizon = today + dt.timedelta(days=TASK_HORIZON_DAYS)
        # The list names these young people: each read below logs the persons it shows.
        actions = records_read(
            PlanAction.objects.filter(
                Q(responsible_user__isnull=True) | Q(responsible_user=actor.user),
                done_on__isnull=True,
                follow_up_on__lte=horizon,
                responsible_organisation=org,
            ).select_related("plan__case__person"),
            actor=actor,
            purpose=case_purpose(actor),
            person_field="plan__case__person",
            visible=Q(plan__case__in=visible.values("pk")),
            object_type="task_list",
        )
        for action in actions:
            case = action.plan.case
            tasks.append(
                Task(
                    kind="follow_up",
                    title=_("Följ upp: %(text)s") % {"text": action.text},
                    detail=case.person.full_name,
                    due=action.follow_up_on,
                    url=reverse("support:case_detail", args=[case.pk]),
                )
            )
        for referral in referrals_pending_for(actor=actor):
            tasks.append(
                Task(
                    kind="referral",
                    title=_("Remiss från %(org)s väntar på svar")
                    % {"org": referral.from_organisation.name},
                    detail="",
                    due=None,
                    url=reverse("support:referral_detail", args=[referral.pk]),
                    age_days=(today - timezone.localtime(referral.sent_at).date()).days,
                )
            )
        expiring = records_read(
            Consent.objects.filter(
                withdrawn_at__isnull=True,
                expires_on__gte=today,
                expires_on__lte=today + dt.timedelta(days=CONSENT_EXPIRY_HORIZON_DAYS),
            )
            .filter(organisations=org)
            .select_related("person")
            .distinct(),
            actor=actor,
            purpose=case_purpose(actor),
            visible=Q(person__in=visible.filter(owner=org).values("person_id")),
            object_type="task_list",
        )
        expiring = list(expiring)
        # The open case each task links to, for all the consents in one query rather than
        # one per consent (a person has at most one open case per organisation).
        open_cases = visible.filter(owner=org, person_id__in={c.person_id for c in expiring})
        case_by_person = dict(open_cases.values_list("person_id", "pk"))
        for consent in expiring:
            case_id = case_by_person.get(consent.person_id)
            tasks.append(
                Task(
                    kind="consent",
                    title=_("Samtycket upphör snart"),
                    detail=consent.person.full_name,
                    due=consent.expires_on,
                    url=reverse("support:case_detail", args=[case_id]) if case_id else "",
                )
            )
    return tasks


def person_visible_for_case(*, actor: Actor, person_id) -> Person:
    """The person a new case would be about: visible on the actor's own basis, or 404."""
    from lotsen.privacy.policy import purpose_for

    purpose = purpose_for(actor)
    if purpose is None:
        raise Http404
    # The form shows who the case or handover would be about: that is a read.
    return person_read(actor=actor, person_id=person_id, purpose=purpose)
