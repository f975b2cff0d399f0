"""Writes for coordinated support: cases, the team, referrals, handovers, the plan,
interventions, contacts and notes.

Every write checks the case through ``CasePolicy`` first (a case the actor cannot see is
answered with 404, the same as a missing one) and writes its access-log entry in the same
transaction. Errors name the field they are about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from lotsen.accounts.roles import CASE_ROLES
from lotsen.people.models import Person
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Category, Consent, Purpose
from lotsen.privacy.policy import PersonPolicy, purpose_for
from lotsen.support.models import (
    Case,
    CaseCloseReason,
    CaseOrigin,
    CaseStatus,
    CaseTargetGroup,
    Contact,
    Goal,
    GoalStatus,
    Handover,
    HandoverKind,
    Intervention,
    LeadParty,
    Method,
    Note,
    NoteCategory,
    Plan,
    PlanAction,
    PlanRevision,
    Referral,
    ReferralStatus,
    TargetGroup,
    TeamMember,
    TeamMemberRole,
)
from lotsen.support.notifications import handover_notify, referral_notify
from lotsen.support.policy import CasePolicy

ERROR_ROLE = "Din roll arbetar inte i ärenden."
ERROR_NOTE_STEP_UP = "Styrk din inloggning för att skriva den här sortens anteckning."
ERROR_PERSON_NOT_VISIBLE = "Personen finns inte eller så har du inte tillgång till hen."
ERROR_CASE_EXISTS = "Er organisation har redan ett pågående ärende för den här personen."
ERROR_TARGET_GROUPS = "Välj minst en målgrupp."
ERROR_TARGET_GROUP_UNKNOWN = "Okänd målgrupp: {value}."
ERROR_OWNER_ONLY = "Bara den ansvariga organisationen kan göra det här."
ERROR_CASE_CLOSED = "Ärendet är avslutat."
ERROR_CLOSE_REASON = "Välj varför ärendet avslutas."
ERROR_DATE_FUTURE = "Datumet kan inte ligga i framtiden."
ERROR_CLOSE_BEFORE_OPEN = "Ärendet kan inte avslutas före datumet då det öppnades."
ERROR_NO_CONSENT = (
    "Det finns inget giltigt samtycke som ger {organisation} tillgång till uppgifter om stöd "
    "och insatser. Registrera samtycket först."
)
ERROR_USER_NOT_IN_ORG = "Personen arbetar inte i {organisation}."
ERROR_ALREADY_ON_TEAM = "{organisation} finns redan i teamet."
ERROR_REFERRAL_SELF = "Du kan inte skicka en remiss till din egen organisation."
ERROR_REFERRAL_CONSENT = (
    "Samtycket måste gälla {organisation} och stöd och insatser, och vara giltigt i dag."
)
ERROR_REFERRAL_MESSAGE = "Skriv vad remissen gäller."
ERROR_REFERRAL_PENDING = "Bara en remiss som väntar på svar kan ändras."
ERROR_REFERRAL_RECEIVER = "Bara mottagaren kan svara på remissen."
ERROR_REFERRAL_SENDER = "Bara avsändaren kan ta tillbaka remissen."
ERROR_DECLINE_REASON = "Skriv varför ni avböjer remissen."
ERROR_LINK_SAME = "Ett ärende kan inte länkas till sig självt."
ERROR_LINK_PERSON = "Bara ärenden om samma person kan länkas."
ERROR_TEXT_REQUIRED = "Fyll i {label}."
ERROR_TEXT_TOO_LONG = "{label} får vara högst {limit} tecken."
ERROR_GOAL_STATUS = "Välj en status för målet."
ERROR_RESPONSIBLE_ORG = "Den ansvariga organisationen måste finnas i teamet."
ERROR_GOAL_NOT_IN_PLAN = "Målet hör inte till den här planen."
ERROR_END_BEFORE_START = "Slutdatumet kan inte vara före startdatumet."
ERROR_END_REASON = "Ange varför insatsen slutade."
ERROR_HOURS = "Ange timmar per vecka som ett tal mellan 0 och 60."
ERROR_HANDOVER_SCHOOL = "Både den lämnande och den mottagande organisationen ska vara skolenheter."
ERROR_HANDOVER_SAME = "Den mottagande skolan kan inte vara samma som den lämnande."
ERROR_LEAD_PARTY = "Välj vem som leder arbetet."

TEXT_LIMIT = 4000
SHORT_TEXT_LIMIT = 300


def case_purpose(actor: Actor) -> str:
    return Purpose.SELF if actor.role == Role.YOUNG_PERSON else Purpose.SUPPORT


def _log(actor: Actor, action: str, case: Case, object_type: str, object_id=None) -> None:
    persons_written(
        actor=actor,
        action=action,
        purpose=case_purpose(actor),
        person_ids=[case.person_id],
        object_type=object_type,
        object_id=str(object_id if object_id is not None else case.pk),
    )


def _require_staff(actor: Actor) -> None:
    if actor.organisation is None or actor.role not in CASE_ROLES:
        raise PermissionDenied(ERROR_ROLE)


def _writable_case(actor: Actor, case: Case, *, owner_only: bool = False) -> Case:
    """The case, locked for the write, if the actor may work in it; 404 otherwise."""
    _require_staff(actor)
    locked = CasePolicy(actor).cases().select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise Http404
    if owner_only and locked.owner_id != actor.organisation.pk:
        raise PermissionDenied(ERROR_OWNER_ONLY)
    if locked.status == CaseStatus.CLOSED:
        raise ValidationError(ERROR_CASE_CLOSED)
    return locked


def _text(value: str, *, field: str, label: str, limit: int = TEXT_LIMIT, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: ERROR_TEXT_REQUIRED.format(label=label)})
    if len(value) > limit:
        raise ValidationError(
            {field: ERROR_TEXT_TOO_LONG.format(label=label.capitalize(), limit=limit)}
        )
    return value


def _not_future(value: dt.date, *, field: str) -> dt.date:
    if value > timezone.localdate():
        raise ValidationError({field: ERROR_DATE_FUTURE})
    return value


def _active_consents(*, person: Person, category: str, on: dt.date) -> QuerySet[Consent]:
    return Consent.objects.filter(
        person=person,
        categories__category=category,
        withdrawn_at__isnull=True,
        given_on__lte=on,
    ).exclude(expires_on__lt=on)


def consent_covers(
    *, person: Person, organisation: Organisation, category: str, on: dt.date | None = None
) -> Consent | None:
    """The newest active consent of ``person`` naming ``organisation`` and ``category``."""
    on = on or timezone.localdate()
    return (
        _active_consents(person=person, category=category, on=on)
        .filter(organisations=organisation)
        .order_by("-given_on", "-id")
        .first()
    )


def organisations_consented(
    *, person: Person, organisation_ids: Iterable[int], category: str, on: dt.date | None = None
) -> set[int]:
    """Which of these organisations an active consent of ``person`` names for ``category``:
    one query for a whole team (the case page asked ``consent_covers`` once per member)."""
    on = on or timezone.localdate()
    return set(
        Consent.organisations.through.objects.filter(
            organisation_id__in=list(organisation_ids),
            consent__in=_active_consents(person=person, category=category, on=on),
        ).values_list("organisation_id", flat=True)
    )


# --- Cases -------------------------------------------------------------------------------


def _plan_snapshot(plan: Plan) -> dict:
    return {
        "own_goal": plan.own_goal,
        "lead_party": plan.lead_party,
        "goals": {str(goal.pk): goal.status for goal in plan.goals.all()},
    }


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    person: Person,
    target_groups: Iterable[str],
    origin: str = CaseOrigin.MANUAL,
    signal=None,
    opened_on: dt.date | None = None,
) -> Case:
    """Open a case owned by the actor's organisation, with its (empty) plan.

    The person must be visible to the actor on their own basis; the caller has searched
    first, and an organisation keeps one open case per person (a second one is refused,
    the two would otherwise split the story).
    """
    _require_staff(actor)
    purpose = purpose_for(actor)
    if purpose is None or not PersonPolicy(actor).may_view(person, purpose=purpose):
        raise ValidationError({"person": ERROR_PERSON_NOT_VISIBLE})
    groups = sorted(set(target_groups))
    if not groups:
        raise ValidationError({"target_groups": ERROR_TARGET_GROUPS})
    for group in groups:
        if group not in TargetGroup.values:
            raise ValidationError({"target_groups": ERROR_TARGET_GROUP_UNKNOWN.format(value=group)})
    org = actor.organisation
    if Case.objects.filter(person=person, owner=org, status=CaseStatus.OPEN).exists():
        raise ValidationError({"person": ERROR_CASE_EXISTS})
    try:
        with transaction.atomic():
            case = Case.objects.create(
                person=person,
                owner=org,
                origin=origin,
                signal=signal,
                opened_on=opened_on or timezone.localdate(),
                opened_by=actor.user,
            )
    except IntegrityError as exc:  # a concurrent open won the race
        raise ValidationError({"person": ERROR_CASE_EXISTS}) from exc
    CaseTargetGroup.objects.bulk_create([CaseTargetGroup(case=case, group=g) for g in groups])
    TeamMember.objects.create(
        case=case,
        organisation=org,
        user=actor.user,
        role=TeamMemberRole.CONTACT_PERSON,
        added_by=actor.user,
    )
    plan = Plan.objects.create(case=case, updated_by=actor.user)
    PlanRevision.objects.create(
        plan=plan, version=plan.version, snapshot=_plan_snapshot(plan), saved_by=actor.user
    )
    _log(actor, Action.CREATE, case, "case")
    return case


# Signal rules that speak of eligibility point to the compulsory-school target group;
# the rest (absence, failing courses in upper secondary) to dropping out.
def _target_group_for_signal(signal) -> str:
    from lotsen.school.models import Enrolment

    enrolment = (
        Enrolment.objects.filter(person_id=signal.person_id, school_unit_id=signal.school_unit_id)
        .order_by("-start_date")
        .first()
    )
    if enrolment is not None and enrolment.school_type in ("GR", "GRS"):
        return TargetGroup.NOT_ELIGIBLE
    return TargetGroup.DROPOUT


@transaction.atomic
def case_open_from_signal(
    *, actor: Actor, signal, target_groups: Iterable[str] | None = None
) -> Case:
    """Open a case from a signal the actor sees; the signal's history records it."""
    from lotsen.earlywarning.services import (
        SignalAcknowledge,
        SignalActionRecord,
        signal_acknowledge,
        signal_action_record,
    )

    groups = list(target_groups or []) or [_target_group_for_signal(signal)]
    case = case_open(
        actor=actor,
        person=signal.person,
        target_groups=groups,
        origin=CaseOrigin.SIGNAL,
        signal=signal,
    )
    # Opening a case is taking the signal on: acknowledge it if nobody has, and record the
    # case as the action, so the signal does not keep waiting on the school's list.
    if SignalAcknowledge(actor=actor, signal=signal).allowed():
        signal = signal_acknowledge(actor=actor, signal=signal)
    text = "Ärende för samordnat stöd öppnat."
    if SignalActionRecord(actor=actor, signal=signal, text=text).allowed():
        signal_action_record(actor=actor, signal=signal, text=text)
    return case


def case_open_from_kaa(*, actor: Actor, person: Person, plan) -> str:
    """``kaa.services.SUPPORT_CASE_HOOK``: a KAA plan marked "more actors needed" opens a
    case in the municipality (or finds the open one) and returns its reference."""
    existing = Case.objects.filter(
        person=person, owner=actor.organisation, status=CaseStatus.OPEN
    ).first()
    if existing is not None:
        return str(existing.pk)
    case = case_open(
        actor=actor, person=person, target_groups=[TargetGroup.KAA], origin=CaseOrigin.KAA
    )
    return str(case.pk)


@transaction.atomic
def case_close(
    *, actor: Actor, case: Case, reason: str, outcome: str = "", closed_on: dt.date | None = None
) -> Case:
    case = _writable_case(actor, case, owner_only=True)
    if reason not in CaseCloseReason.values:
        raise ValidationError({"reason": ERROR_CLOSE_REASON})
    closed_on = _not_future(closed_on or timezone.localdate(), field="closed_on")
    if closed_on < case.opened_on:
        raise ValidationError({"closed_on": ERROR_CLOSE_BEFORE_OPEN})
    case.status = CaseStatus.CLOSED
    case.close_reason = reason
    case.outcome = _text(outcome, field="outcome", label="resultat", required=False)
    case.closed_on = closed_on
    case.save(update_fields=["status", "close_reason", "outcome", "closed_on"])
    _log(actor, Action.UPDATE, case, "case")
    return case


@transaction.atomic
def case_link(*, actor: Actor, case: Case, other: Case) -> None:
    """Link two cases about the same person that the actor sees: never merge them."""
    case = _writable_case(actor, case)
    if other.pk == case.pk:
        raise ValidationError({"other": ERROR_LINK_SAME})
    if not CasePolicy(actor).cases().filter(pk=other.pk).exists():
        raise Http404
    if other.person_id != case.person_id:
        raise ValidationError({"other": ERROR_LINK_PERSON})
    case.linked.add(other)
    _log(actor, Action.UPDATE, case, "case")


# --- The team ----------------------------------------------------------------------------


def _require_member_of(user: User | None, organisation: Organisation) -> None:
    if (
        user is not None
        and not Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        raise ValidationError({"user": ERROR_USER_NOT_IN_ORG.format(organisation=organisation)})


@transaction.atomic
def team_member_add(
    *,
    actor: Actor,
    case: Case,
    organisation: Organisation,
    user: User | None = None,
    role: str = TeamMemberRole.MEMBER,
) -> TeamMember:
    """Put an organisation (and optionally a named person in it) on the team.

    Another organisation joins only through a consent naming it and support data; the
    owner's own staff need none.
    """
    case = _writable_case(actor, case, owner_only=True)
    if (
        organisation.pk != case.owner_id
        and consent_covers(person=case.person, organisation=organisation, category=Category.SUPPORT)
        is None
    ):
        raise ValidationError({"organisation": ERROR_NO_CONSENT.format(organisation=organisation)})
    _require_member_of(user, organisation)
    active = TeamMember.objects.filter(
        case=case, organisation=organisation, removed_at__isnull=True
    )
    if active.filter(user=user).exists():
        raise ValidationError(
            {"organisation": ERROR_ALREADY_ON_TEAM.format(organisation=organisation)}
        )
    member = TeamMember.objects.create(
        case=case, organisation=organisation, user=user, role=role, added_by=actor.user
    )
    _log(actor, Action.UPDATE, case, "case_team", member.pk)
    return member


@transaction.atomic
def team_member_remove(*, actor: Actor, case: Case, member: TeamMember) -> None:
    case = _writable_case(actor, case, owner_only=True)
    if member.case_id != case.pk:
        raise Http404
    member.removed_at = timezone.now()
    member.save(update_fields=["removed_at"])
    _log(actor, Action.UPDATE, case, "case_team", member.pk)


# --- Referrals ---------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *, actor: Actor, case: Case, to_organisation: Organisation, consent: Consent, message: str
) -> Referral:
    case = _writable_case(actor, case)
    if to_organisation.pk == actor.organisation.pk:
        raise ValidationError({"to_organisation": ERROR_REFERRAL_SELF})
    message = _text(message, field="message", label="meddelandet")
    valid = consent_covers(
        person=case.person, organisation=to_organisation, category=Category.SUPPORT
    )
    covered = Consent.objects.filter(
        pk=consent.pk,
        person=case.person,
        organisations=to_organisation,
        categories__category=Category.SUPPORT,
    ).exists()
    if valid is None or not covered or not consent.is_active():
        raise ValidationError(
            {"consent": ERROR_REFERRAL_CONSENT.format(organisation=to_organisation)}
        )
    referral = Referral.objects.create(
        case=case,
        from_organisation=actor.organisation,
        to_organisation=to_organisation,
        consent=consent,
        message=message,
        sent_by=actor.user,
    )
    _log(actor, Action.CREATE, case, "referral", referral.pk)
    referral_notify(referral=referral)
    return referral


def _pending_referral_for(actor: Actor, referral: Referral) -> Referral:
    _require_staff(actor)
    locked = (
        Referral.objects.select_for_update()
        .filter(CasePolicy(actor).referrals_q(), pk=referral.pk)
        .select_related("case")
        .first()
    )
    if locked is None:
        raise Http404
    if locked.status != ReferralStatus.PENDING:
        raise ValidationError(ERROR_REFERRAL_PENDING)
    return locked


@transaction.atomic
def referral_accept(*, actor: Actor, referral: Referral, user: User | None = None) -> Referral:
    """The receiver accepts: the receiving organisation joins the team, with the person
    who accepted as its contact person unless someone else is named."""
    referral = _pending_referral_for(actor, referral)
    if referral.to_organisation_id != actor.organisation.pk:
        raise PermissionDenied(ERROR_REFERRAL_RECEIVER)
    contact = user or actor.user
    _require_member_of(contact, actor.organisation)
    referral.status = ReferralStatus.ACCEPTED
    referral.answered_by = actor.user
    referral.answered_at = timezone.now()
    referral.save(update_fields=["status", "answered_by", "answered_at"])
    TeamMember.objects.create(
        case=referral.case,
        organisation=actor.organisation,
        user=contact,
        role=TeamMemberRole.CONTACT_PERSON,
        added_by=actor.user,
    )
    _log(actor, Action.UPDATE, referral.case, "referral", referral.pk)
    referral_notify(referral=referral)
    return referral


@transaction.atomic
def referral_decline(*, actor: Actor, referral: Referral, reason: str) -> Referral:
    referral = _pending_referral_for(actor, referral)
    if referral.to_organisation_id != actor.organisation.pk:
        raise PermissionDenied(ERROR_REFERRAL_RECEIVER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": ERROR_DECLINE_REASON})
    referral.status = ReferralStatus.DECLINED
    referral.decline_reason = _text(reason, field="decline_reason", label="skälet")
    referral.answered_by = actor.user
    referral.answered_at = timezone.now()
    referral.save(update_fields=["status", "decline_reason", "answered_by", "answered_at"])
    _log(actor, Action.UPDATE, referral.case, "referral", referral.pk)
    referral_notify(referral=referral)
    return referral


@transaction.atomic
def referral_revoke(*, actor: Actor, referral: Referral) -> Referral:
    referral = _pending_referral_for(actor, referral)
    if referral.from_organisation_id != actor.organisation.pk:
        raise PermissionDenied(ERROR_REFERRAL_SENDER)
    referral.status = ReferralStatus.REVOKED
    referral.answered_by = actor.user
    referral.answered_at = timezone.now()
    referral.save(update_fields=["status", "answered_by", "answered_at"])
    _log(actor, Action.UPDATE, referral.case, "referral", referral.pk)
    return referral


# --- Handover between schools ------------------------------------------------------------


@transaction.atomic
def handover_create(
    *,
    actor: Actor,
    person: Person,
    to_school: Organisation,
    kind: str,
    strengths: str,
    what_has_worked: str,
    support_needed: str,
    own_words: str = "",
    case: Case | None = None,
) -> Handover:
    """A structured handover from the actor's school to the next one. The receiving
    school reads it only while a consent names it and school data (see CasePolicy)."""
    _require_staff(actor)
    school = actor.organisation
    if (
        school.kind != OrganisationKind.SCHOOL_UNIT
        or to_school.kind != OrganisationKind.SCHOOL_UNIT
    ):
        raise ValidationError({"to_school": ERROR_HANDOVER_SCHOOL})
    if to_school.pk == school.pk:
        raise ValidationError({"to_school": ERROR_HANDOVER_SAME})
    if not PersonPolicy(actor).may_view(person, purpose=Purpose.SCHOOL, category=Category.SCHOOL):
        raise ValidationError({"person": ERROR_PERSON_NOT_VISIBLE})
    if kind not in HandoverKind.values:
        raise ValidationError({"kind": "Välj vilken övergång det gäller."})
    if case is not None and not CasePolicy(actor).cases().filter(pk=case.pk).exists():
        raise Http404
    handover = Handover.objects.create(
        person=person,
        case=case,
        kind=kind,
        from_school=school,
        to_school=to_school,
        strengths=_text(strengths, field="strengths", label="styrkor"),
        what_has_worked=_text(what_has_worked, field="what_has_worked", label="vad som fungerat"),
        support_needed=_text(support_needed, field="support_needed", label="stöd som behövs"),
        own_words=_text(own_words, field="own_words", label="den ungas egna ord", required=False),
        written_by=actor.user,
    )
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.SCHOOL,
        person_ids=[person.pk],
        object_type="handover",
        object_id=str(handover.pk),
    )
    handover_notify(handover=handover)
    return handover


# --- The plan ----------------------------------------------------------------------------


PLAN_FIELD_LABELS = {
    "own_goal": "den ungas eget mål",
    "lead_party": "vem som leder arbetet",
}


@dataclass(frozen=True)
class PlanChange:
    field: str
    label: str
    theirs: str


class PlanConflict(ValidationError):
    """Someone saved the plan after this user opened it. Carries what changed, who saved
    it and the version to start from, so the form can show it and let the user decide."""

    def __init__(self, *, changes: list[PlanChange], current: Plan):
        super().__init__(
            "Någon annan har sparat planen sedan du öppnade den. Dina ändringar är inte "
            "sparade. Se vad som ändrades och spara igen."
        )
        self.changes = changes
        self.current = current


def _plan_changes(before: Mapping, after: Mapping, plan: Plan) -> list[PlanChange]:
    changes = []
    for field, label in PLAN_FIELD_LABELS.items():
        if before.get(field) != after.get(field):
            value = after.get(field) or ""
            if field == "lead_party":
                value = LeadParty(value).label if value in LeadParty.values else value
            changes.append(PlanChange(field=field, label=label, theirs=str(value)))
    goals = {str(goal.pk): goal for goal in plan.goals.all()}
    for goal_id, status in after.get("goals", {}).items():
        if before.get("goals", {}).get(goal_id) != status and goal_id in goals:
            changes.append(
                PlanChange(
                    field=f"goal_{goal_id}",
                    label=f"status för målet ”{goals[goal_id].text}”",
                    theirs=str(GoalStatus(status).label),
                )
            )
    return changes


@transaction.atomic
def plan_update(
    *,
    actor: Actor,
    case: Case,
    version: int,
    own_goal: str,
    lead_party: str,
    goal_statuses: Mapping[int, str] | None = None,
) -> Plan:
    """Save the plan if nobody else has since ``version``; otherwise raise PlanConflict.

    The compare-and-set runs as one UPDATE ... WHERE version = N, so two saves that both
    started from N cannot both win, on SQLite and PostgreSQL alike.
    """
    case = _writable_case(actor, case)
    if lead_party not in LeadParty.values:
        raise ValidationError({"lead_party": ERROR_LEAD_PARTY})
    own_goal = _text(own_goal, field="own_goal", label="den ungas eget mål", required=False)
    goal_statuses = dict(goal_statuses or {})
    goals = {goal.pk: goal for goal in Goal.objects.filter(plan__case=case)}
    for goal_id, status in goal_statuses.items():
        if goal_id not in goals:
            raise ValidationError({f"goal_{goal_id}": ERROR_GOAL_NOT_IN_PLAN})
        if status not in GoalStatus.values:
            raise ValidationError({f"goal_{goal_id}": ERROR_GOAL_STATUS})
    updated = Plan.objects.filter(case=case, version=version).update(
        own_goal=own_goal,
        lead_party=lead_party,
        version=F("version") + 1,
        updated_at=timezone.now(),
        updated_by=actor.user,
    )
    plan = Plan.objects.get(case=case)
    if not updated:
        before = (
            PlanRevision.objects.filter(plan=plan, version=version)
            .values_list("snapshot", flat=True)
            .first()
            or {}
        )
        raise PlanConflict(changes=_plan_changes(before, _plan_snapshot(plan), plan), current=plan)
    for goal_id, status in goal_statuses.items():
        if goals[goal_id].status != status:
            Goal.objects.filter(pk=goal_id).update(status=status)
    PlanRevision.objects.create(
        plan=plan, version=plan.version, snapshot=_plan_snapshot(plan), saved_by=actor.user
    )
    _log(actor, Action.UPDATE, case, "plan", plan.pk)
    return plan


def _bump_plan(actor: Actor, plan: Plan) -> None:
    """Adding a goal changes what a concurrent plan form would overwrite: new version."""
    Plan.objects.filter(pk=plan.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=actor.user
    )
    plan.refresh_from_db()
    PlanRevision.objects.create(
        plan=plan, version=plan.version, snapshot=_plan_snapshot(plan), saved_by=actor.user
    )


@transaction.atomic
def goal_add(*, actor: Actor, case: Case, text: str, target_date: dt.date | None = None) -> Goal:
    case = _writable_case(actor, case)
    goal = Goal.objects.create(
        plan=case.plan,
        text=_text(text, field="text", label="målet", limit=SHORT_TEXT_LIMIT),
        target_date=target_date,
    )
    _bump_plan(actor, case.plan)
    _log(actor, Action.UPDATE, case, "plan", case.plan.pk)
    return goal


def _team_organisation_ids(case: Case) -> set[int]:
    ids = set(
        TeamMember.objects.filter(case=case, removed_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
    )
    return ids | {case.owner_id}


@transaction.atomic
def plan_action_add(
    *,
    actor: Actor,
    case: Case,
    text: str,
    responsible_organisation: Organisation,
    follow_up_on: dt.date,
    responsible_user: User | None = None,
    goal: Goal | None = None,
) -> PlanAction:
    """Who does what, and when it is followed up (the follow-up becomes a task)."""
    case = _writable_case(actor, case)
    if responsible_organisation.pk not in _team_organisation_ids(case):
        raise ValidationError({"responsible_organisation": ERROR_RESPONSIBLE_ORG})
    _require_member_of(responsible_user, responsible_organisation)
    if goal is not None and goal.plan_id != case.plan.pk:
        raise ValidationError({"goal": ERROR_GOAL_NOT_IN_PLAN})
    action = PlanAction.objects.create(
        plan=case.plan,
        goal=goal,
        text=_text(text, field="text", label="insatsen", limit=SHORT_TEXT_LIMIT),
        responsible_organisation=responsible_organisation,
        responsible_user=responsible_user,
        follow_up_on=follow_up_on,
    )
    _log(actor, Action.UPDATE, case, "plan", case.plan.pk)
    return action


@transaction.atomic
def plan_action_done(
    *, actor: Actor, case: Case, action: PlanAction, done_on: dt.date | None = None
) -> PlanAction:
    case = _writable_case(actor, case)
    if action.plan_id != case.plan.pk:
        raise Http404
    action.done_on = _not_future(done_on or timezone.localdate(), field="done_on")
    action.save(update_fields=["done_on"])
    _log(actor, Action.UPDATE, case, "plan", case.plan.pk)
    return action


# --- Interventions, contacts, notes -------------------------------------------------------


@transaction.atomic
def intervention_add(
    *,
    actor: Actor,
    case: Case,
    method: Method,
    provider: Organisation,
    start: dt.date,
    hours_per_week=None,
    end: dt.date | None = None,
    end_reason: str = "",
) -> Intervention:
    case = _writable_case(actor, case)
    if hours_per_week is not None and not (0 <= hours_per_week <= 60):
        raise ValidationError({"hours_per_week": ERROR_HOURS})
    if end is not None and end < start:
        raise ValidationError({"end": ERROR_END_BEFORE_START})
    if end is not None and not end_reason:
        raise ValidationError({"end_reason": ERROR_END_REASON})
    intervention = Intervention.objects.create(
        case=case,
        method=method,
        provider=provider,
        start=start,
        end=end,
        hours_per_week=hours_per_week,
        end_reason=end_reason,
    )
    _log(actor, Action.UPDATE, case, "intervention", intervention.pk)
    return intervention


@transaction.atomic
def intervention_end(
    *, actor: Actor, case: Case, intervention: Intervention, end: dt.date, end_reason: str
) -> Intervention:
    case = _writable_case(actor, case)
    if intervention.case_id != case.pk:
        raise Http404
    if end < intervention.start:
        raise ValidationError({"end": ERROR_END_BEFORE_START})
    if not end_reason:
        raise ValidationError({"end_reason": ERROR_END_REASON})
    intervention.end = end
    intervention.end_reason = end_reason
    intervention.save(update_fields=["end", "end_reason"])
    _log(actor, Action.UPDATE, case, "intervention", intervention.pk)
    return intervention


@transaction.atomic
def contact_record(
    *,
    actor: Actor,
    case: Case,
    date: dt.date,
    channel: str,
    reached: bool,
    outcome: str = "",
    note: str = "",
) -> Contact:
    case = _writable_case(actor, case)
    contact = Contact.objects.create(
        case=case,
        date=_not_future(date, field="date"),
        channel=channel,
        reached=reached,
        outcome=_text(outcome, field="outcome", label="resultat", limit=200, required=False),
        note=_text(note, field="note", label="anteckningen", limit=500, required=False),
        organisation=actor.organisation,
        staff=actor.user,
    )
    contact.full_clean()
    _log(actor, Action.CREATE, case, "contact", contact.pk)
    return contact


@transaction.atomic
def note_add(*, actor: Actor, case: Case, category: str, text: str) -> Note:
    """A journal note. Its category decides who beyond the writing organisation reads it."""
    case = _writable_case(actor, case)
    if category not in NoteCategory.values:
        raise ValidationError({"category": "Välj vilken sorts anteckning det är."})
    # Writing a health-related or a social-services note needs the same level of assurance
    # as reading one; the page asks for a step-up before it gets here.
    if CasePolicy(actor).note_withheld_kinds(
        category=category, organisation_kind=actor.organisation.kind
    ):
        raise ValidationError({"category": ERROR_NOTE_STEP_UP})
    note = Note.objects.create(
        case=case,
        category=category,
        text=_text(text, field="text", label="anteckningen"),
        organisation=actor.organisation,
        written_by=actor.user,
    )
    _log(actor, Action.CREATE, case, "note", note.pk)
    return note
