"""Writes for signals: computing them from school data, and the workflow a person takes
them through (assign, acknowledge, record an action, close with an outcome).

Every workflow step is a small action class: ``check()`` says whether the step is allowed
(and why not, in a module-constant message), ``execute()`` locks the signal, checks again
and writes the change, its history event and its access-log entry in one transaction. The
web pages, an API or the command line all call the same classes, and the detail page asks
``check()`` which buttons to show, so a page can never offer a step the service refuses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from lotsen.earlywarning import features as F
from lotsen.earlywarning import rules
from lotsen.earlywarning.models import (
    NOT_CLOSED,
    OutcomeCode,
    RuleSetting,
    Signal,
    SignalEvent,
    SignalEventKind,
    SignalReason,
    SignalStatus,
)
from lotsen.earlywarning.notifications import signals_notify
from lotsen.ingest.upsert import any_of, fetched_date, fetched_date_column, rows_fetched
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Purpose
from lotsen.school.models import AttendancePeriod, Enrolment, Grade

ERROR_NOT_PERMITTED = "Du kan inte hantera signaler för elever på den här skolan."
ERROR_CLOSED = "Signalen är redan avslutad."
ERROR_ASSIGNEE = "Personen arbetar inte med elever på den här skolan och kan inte få signalen."
ERROR_ALREADY_ASSIGNED = "Signalen är redan tilldelad den personen."
ERROR_ALREADY_ACKNOWLEDGED = "Signalen är redan kvitterad."
ERROR_NOT_ACKNOWLEDGED = "Kvittera signalen först, så att det syns att någon har tagit emot den."
ERROR_ACTION_TEXT = "Skriv vad du har gjort eller ska göra."
ERROR_OUTCOME_CODE = "Välj hur det gick."
ERROR_OUTCOME_TEXT = "Beskriv hur det gick."
ERROR_TEXT_TOO_LONG = "Texten får vara högst {limit} tecken."
ERROR_UNKNOWN_SCHOOL_UNIT = "Det finns ingen skolenhet med skolenhetskoden {code}."

TEXT_MAX_LENGTH = 4000
# Roles that work with a school's pupils and so may take a signal about one of them.
SCHOOL_ROLES = frozenset({Role.MENTOR, Role.STUDENT_HEALTH, Role.COUNSELLOR})
# How long a signal may wait for an action before it is overdue, unless the deployment says
# otherwise (LOTSEN_SIGNAL_DUE_DAYS).
DEFAULT_DUE_DAYS = 14
# A rule that still holds after a signal was closed raises a new signal only when the
# evidence has changed (new grades, new attendance) and the closed one is at least this
# old: closing "support is in place" must not bring the same prompt back the next night.
QUIET_DAYS = 28
# Pupils per batch in ``signals_compute``: the queries per batch are constant.
COMPUTE_BATCH_SIZE = 2000

TEXT_AUTO_ASSIGNED = "Tilldelad skolans mentor automatiskt."
TEXT_ASSIGNED_TO = "Tilldelad {name}."


def due_days() -> int:
    return int(getattr(settings, "LOTSEN_SIGNAL_DUE_DAYS", DEFAULT_DUE_DAYS))


def _name(user: User) -> str:
    return user.get_full_name() or user.username


# --- Computing signals ------------------------------------------------------------------


@dataclass
class ComputeSummary:
    pupils: int = 0
    raised: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0
    raised_by_rule: dict[str, int] = field(default_factory=dict)


def _current_enrolments(*, today: dt.date, school_unit: Organisation | None):
    enrolments = Enrolment.objects.filter(
        start_date__lte=today, school_unit__kind=OrganisationKind.SCHOOL_UNIT
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    if school_unit is not None:
        enrolments = enrolments.filter(school_unit=school_unit)
    return enrolments


def signals_compute(
    *, school_unit: Organisation | None = None, today: dt.date | None = None
) -> ComputeSummary:
    """Evaluate the rules for every current pupil (of one school unit, or all), raise new
    signals, refresh the evidence of signals that are not closed, and mark the ones whose
    rule no longer holds. Idempotent: a second run on the same data writes nothing.

    A system run, without a user: what it writes is recorded in each signal's history
    (``SignalEvent`` without actor), as imports and the demo record their own runs. The
    access log records people reading and changing data; each person who later opens a
    signal is logged then.
    """
    today = today or timezone.localdate()
    summary = ComputeSummary()
    unit_ids = sorted(
        _current_enrolments(today=today, school_unit=school_unit)
        .order_by()
        .values_list("school_unit_id", flat=True)
        .distinct()
    )
    units = Organisation.objects.in_bulk(unit_ids)
    configs, role_configs = _configs_for(units.values())
    members = _members_for(units.values())
    for unit_id in unit_ids:
        # One school unit's pupils at a time: a run for a whole country holds one school's
        # enrolments, never everyone's (at a million persons that list alone was gigabytes).
        pupils: dict[int, Enrolment] = {}
        for enrolment in _current_enrolments(today=today, school_unit=units[unit_id]).order_by(
            "person_id", "-start_date", "-id"
        ):
            enrolment.school_unit = units[unit_id]
            # One enrolment per pupil and school (the latest), should the source list two.
            pupils.setdefault(enrolment.person_id, enrolment)
        setting = UnitSetting(
            unit=units[unit_id],
            configs=configs[unit_id],
            role_configs=role_configs[unit_id],
            members=members.get(unit_id, {}),
        )
        chunk: list[Enrolment] = []
        for enrolment in pupils.values():
            chunk.append(enrolment)
            if len(chunk) == COMPUTE_BATCH_SIZE:
                _compute_batch(chunk, setting, today, summary)
                chunk = []
        if chunk:
            _compute_batch(chunk, setting, today, summary)
    return summary


@dataclass(frozen=True, kw_only=True)
class UnitSetting:
    """What a compute run needs to know about one school unit."""

    unit: Organisation
    configs: Mapping[str, rules.RuleConfig]
    role_configs: Mapping[str, Mapping[str, rules.RuleConfig]]
    members: Mapping[str, list[int]]


def _configs_for(
    units: Iterable[Organisation],
) -> tuple[
    dict[int, dict[str, rules.RuleConfig]], dict[int, dict[str, dict[str, rules.RuleConfig]]]
]:
    """Per school unit: the organiser's settings, overridden by the unit's own; and the
    same per role for the absence watch (unit → role → rule id → setting)."""
    units = list(units)
    org_ids = {u.pk for u in units} | {u.parent_id for u in units if u.parent_id}
    settings_by_org: dict[int, dict[tuple[str, str], RuleSetting]] = defaultdict(dict)
    for setting in RuleSetting.objects.filter(organisation_id__in=org_ids):
        settings_by_org[setting.organisation_id][(setting.rule_id, setting.role)] = setting
    result: dict[int, dict[str, rules.RuleConfig]] = {}
    by_role: dict[int, dict[str, dict[str, rules.RuleConfig]]] = {}
    for unit in units:
        roles = {
            role
            for org in (unit.parent_id, unit.pk)
            for (_rule, role) in settings_by_org.get(org, {})
            if role
        }
        result[unit.pk] = _merged(settings_by_org, unit, "")
        by_role[unit.pk] = {role: _merged(settings_by_org, unit, role) for role in sorted(roles)}
    return result, by_role


def _merged(
    settings_by_org: Mapping[int, Mapping[tuple[str, str], RuleSetting]],
    unit: Organisation,
    role: str,
) -> dict[str, rules.RuleConfig]:
    configs: dict[str, rules.RuleConfig] = {}
    for rule_id in rules.RULE_IDS:
        levels = [
            settings_by_org.get(unit.parent_id, {}).get((rule_id, role)),
            settings_by_org.get(unit.pk, {}).get((rule_id, role)),
        ]
        levels = [level for level in levels if level is not None]
        if not levels:
            continue
        thresholds: dict[str, Any] = {}
        for level in levels:
            thresholds.update(level.thresholds or {})
        configs[rule_id] = rules.RuleConfig(enabled=levels[-1].enabled, thresholds=thresholds)
    return configs


def _members_for(units: Iterable[Organisation]) -> dict[int, dict[str, list[int]]]:
    """Unit → school role → its members' user ids, in a stable order."""
    members: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    memberships = (
        Membership.objects.filter(organisation__in=[u.pk for u in units], role__in=SCHOOL_ROLES)
        .order_by("organisation_id", "role", "user_id")
        .values_list("organisation_id", "role", "user_id")
    )
    for organisation_id, role, user_id in memberships:
        members[organisation_id][role].append(user_id)
    return members


def _facts_for(enrolments: list[Enrolment], today: dt.date) -> dict[int, rules.PupilFacts]:
    """Each pupil's facts as of ``today``, from two reads for the batch. The rows are read
    as plain tuples, not model instances, and equal grades share one ``GradeFact``: the
    pupils of a school get the same term's grades on the same days, so a batch with a
    hundred thousand grades holds a few thousand distinct facts (at 20,000 persons,
    building an instance and a fact per grade took two thirds of the signals' time)."""
    person_ids = [e.person_id for e in enrolments]
    grades: dict[int, list[rules.GradeFact]] = defaultdict(list)
    shared: dict[tuple, rules.GradeFact] = {}
    for person_id, *fields in F.grade_rows(person_ids, latest=today):
        key = tuple(fields)
        fact = shared.get(key)
        if fact is None:
            subject_code, course_code, points, value, kind, semester, year, day = key
            fact = shared[key] = rules.GradeFact(
                subject_code=subject_code,
                course_code=course_code,
                points=points,
                value=value,
                kind=kind,
                semester=semester,
                year=year,
                registered_on=fetched_date(day),
            )
        grades[person_id].append(fact)
    attendance: dict[int, list[rules.AttendanceFact]] = defaultdict(list)
    for person_id, start, end, offered, attended, valid, invalid in rows_fetched(
        AttendancePeriod.objects.filter(
            any_of("person_id", person_ids),
            end_date__lte=today,
            end_date__gt=today - dt.timedelta(days=rules.MAX_WINDOW_DAYS),
        )
        .annotate(start=fetched_date_column("start_date"), end=fetched_date_column("end_date"))
        .values_list(
            "person_id",
            "start",
            "end",
            "offered_minutes",
            "attended_minutes",
            "valid_absence_minutes",
            "invalid_absence_minutes",
        )
    ):
        attendance[person_id].append(
            rules.AttendanceFact(
                start_date=fetched_date(start),
                end_date=fetched_date(end),
                offered_minutes=offered,
                attended_minutes=attended,
                valid_absence_minutes=valid,
                invalid_absence_minutes=invalid,
            )
        )
    return {
        e.person_id: rules.PupilFacts(
            school_type=e.school_type,
            school_year=e.school_year,
            grades=tuple(grades[e.person_id]),
            attendance=tuple(attendance[e.person_id]),
        )
        for e in enrolments
    }


def grade_fact(grade: Grade) -> rules.GradeFact:
    return rules.GradeFact(
        subject_code=grade.subject_code,
        course_code=grade.course_code,
        points=grade.points,
        value=grade.value,
        kind=grade.kind,
        semester=grade.semester,
        year=grade.year,
        registered_on=grade.registered_on,
    )


def _json(value: Mapping[str, Any]) -> Any:
    # Evidence as the database gives it back, so that "unchanged" compares like with like.
    return json.loads(json.dumps(value))


def _applicable(facts: rules.PupilFacts, configs: Mapping[str, rules.RuleConfig]) -> set[str]:
    return {
        rule.id
        for rule in rules.RULES
        if facts.school_type in rule.school_types
        and (rule.id not in configs or configs[rule.id].enabled)
    }


def _rule_order(rule_id: str) -> int:
    return rules.RULE_IDS.index(rule_id) if rule_id in rules.RULE_IDS else len(rules.RULE_IDS)


def _lead(signal: Signal, reasons: Iterable[SignalReason]) -> None:
    """The signal's own rule, reason and evidence: those of its first reason that holds
    (in the rules' order), for the one-line views; unchanged when none holds."""
    holding = sorted((r for r in reasons if r.holds), key=lambda r: _rule_order(r.rule_id))
    if holding:
        signal.rule_id, signal.reason, signal.evidence = (
            holding[0].rule_id,
            holding[0].reason,
            holding[0].evidence,
        )
    signal.rule_holds = bool(holding)


@transaction.atomic
def _compute_batch(
    enrolments: list[Enrolment],
    setting: UnitSetting,
    today: dt.date,
    summary: ComputeSummary,
) -> None:
    """One signal per pupil and school: every rule that holds is a reason of it.

    A pupil without an open signal gets one when a rule holds, unless each rule that
    holds was the reason of a signal closed lately (``QUIET_DAYS``) or with the same
    evidence. An open signal gains the reasons of rules that have come to hold, refreshes
    the evidence of those that still hold, and marks those that no longer hold; it stays
    open until a person closes it."""
    unit = setting.unit
    person_ids = [e.person_id for e in enrolments]
    facts = _facts_for(enrolments, today)
    open_signals = {
        s.person_id: s
        for s in Signal.objects.select_for_update()
        .filter(school_unit=unit, person_id__in=person_ids, status__in=NOT_CLOSED)
        .prefetch_related("reasons")
    }
    last_closed: dict[tuple[int, str], tuple[Any, dt.datetime]] = {}
    for person_id, rule_id, evidence, closed_at in (
        SignalReason.objects.filter(
            signal__school_unit=unit,
            signal__person_id__in=person_ids,
            signal__status=SignalStatus.CLOSED,
        )
        .order_by("signal__closed_at", "id")
        .values_list("signal__person_id", "rule_id", "evidence", "signal__closed_at")
    ):
        last_closed[(person_id, rule_id)] = (evidence, closed_at)
    unit_mentors = setting.members.get(Role.MENTOR, [])
    assignee = unit_mentors[0] if len(unit_mentors) == 1 else None
    now = timezone.now()
    quiet_since = today - dt.timedelta(days=QUIET_DAYS)

    new_signals: list[tuple[Signal, list[rules.RuleHit]]] = []
    changed: list[Signal] = []
    new_reasons: list[SignalReason] = []
    changed_reasons: list[SignalReason] = []
    events: list[SignalEvent] = []
    # Signal (or, for a new one, its position in new_signals) → users to tell.
    told: dict[int, set[int]] = defaultdict(set)
    for person_id in person_ids:
        pupil = facts[person_id]
        summary.pupils += 1
        hits = {
            hit.rule_id: hit
            for hit in rules.evaluate_with_roles(
                facts=pupil, on=today, configs=setting.configs, role_configs=setting.role_configs
            )
        }
        signal = open_signals.get(person_id)
        # A rule that was the reason of a signal closed lately, or closed on the same
        # evidence, keeps quiet: closing "support is in place" must not bring it back.
        fresh = {
            rule_id: hit
            for rule_id, hit in hits.items()
            if not _quiet(last_closed.get((person_id, rule_id)), hit, quiet_since)
        }
        summary.unchanged += len(hits) - len(fresh)
        if signal is None:
            if not fresh:
                continue
            ordered = sorted(fresh.values(), key=lambda h: _rule_order(h.rule_id))
            lead = ordered[0]
            new_signals.append(
                (
                    Signal(
                        person_id=person_id,
                        school_unit=unit,
                        rule_id=lead.rule_id,
                        reason=lead.reason,
                        evidence=_json(lead.evidence),
                        raised_on=today,
                        due_on=today + dt.timedelta(days=due_days()),
                        status=SignalStatus.ASSIGNED if assignee else SignalStatus.OPEN,
                        assigned_to_id=assignee,
                        created_at=now,
                    ),
                    ordered,
                )
            )
            summary.raised += 1
            for hit in ordered:
                summary.raised_by_rule[hit.rule_id] = summary.raised_by_rule.get(hit.rule_id, 0) + 1
            continue

        reasons = {r.rule_id: r for r in signal.reasons.all()}
        touched = False
        for rule_id in sorted(_applicable(pupil, setting.configs) | hits.keys(), key=_rule_order):
            hit = hits.get(rule_id)
            reason = reasons.get(rule_id)
            if reason is None:
                if rule_id not in fresh:
                    continue
                hit = fresh[rule_id]
                reason = SignalReason(
                    signal=signal,
                    rule_id=rule_id,
                    reason=hit.reason,
                    evidence=_json(hit.evidence),
                    holds=True,
                    raised_on=today,
                )
                reasons[rule_id] = reason
                new_reasons.append(reason)
                events.append(
                    SignalEvent(signal=signal, kind=SignalEventKind.REASON_ADDED, text=hit.reason)
                )
                told[signal.pk].update(_role_members(setting, hit))
                summary.updated += 1
                touched = True
            elif hit is None:
                if reason.holds:
                    reason.holds = False
                    changed_reasons.append(reason)
                    events.append(
                        SignalEvent(signal=signal, kind=SignalEventKind.CLEARED, text=reason.reason)
                    )
                    summary.cleared += 1
                    touched = True
                else:
                    summary.unchanged += 1
            elif _json(hit.evidence) != reason.evidence or not reason.holds:
                if rule_id not in fresh:
                    summary.unchanged -= 1  # counted as quiet above; it is an update
                reason.reason, reason.evidence, reason.holds = hit.reason, _json(hit.evidence), True
                changed_reasons.append(reason)
                events.append(
                    SignalEvent(signal=signal, kind=SignalEventKind.UPDATED, text=hit.reason)
                )
                summary.updated += 1
                touched = True
            elif rule_id in fresh:
                summary.unchanged += 1
        if touched:
            _lead(signal, reasons.values())
            changed.append(signal)

    if new_signals:
        Signal.objects.bulk_create([signal for signal, _hits in new_signals])
        for signal, ordered in new_signals:
            events.append(
                SignalEvent(signal=signal, kind=SignalEventKind.RAISED, text=signal.reason)
            )
            if assignee:
                events.append(
                    SignalEvent(
                        signal=signal, kind=SignalEventKind.ASSIGNED, text=TEXT_AUTO_ASSIGNED
                    )
                )
            for hit in ordered:
                new_reasons.append(
                    SignalReason(
                        signal=signal,
                        rule_id=hit.rule_id,
                        reason=hit.reason,
                        evidence=_json(hit.evidence),
                        holds=True,
                        raised_on=today,
                    )
                )
                told[signal.pk].update(_role_members(setting, hit))
            # To the one mentor it went to, or to the unit's mentors to choose among them.
            told[signal.pk].update([assignee] if assignee else unit_mentors)
    if new_reasons:
        SignalReason.objects.bulk_create(new_reasons)
    if changed_reasons:
        SignalReason.objects.bulk_update(changed_reasons, ["reason", "evidence", "holds"])
    if changed:
        for signal in changed:
            signal.updated_at = now
        Signal.objects.bulk_update(
            changed, ["rule_id", "reason", "evidence", "rule_holds", "updated_at"]
        )
    if events:
        for event in events:
            event.at = now
        SignalEvent.objects.bulk_create(events)
    recipients = {signal_id: sorted(users) for signal_id, users in told.items() if users}
    if recipients:
        signals_notify(recipients=recipients)


def _quiet(closed: tuple[Any, dt.datetime] | None, hit: rules.RuleHit, quiet_since) -> bool:
    """Whether a rule that holds again was the reason of a signal closed lately, or closed
    on the same evidence: then it does not raise a signal on its own."""
    if closed is None:
        return False
    evidence, closed_at = closed
    return evidence == _json(hit.evidence) or timezone.localdate(closed_at) > quiet_since


def _role_members(setting: UnitSetting, hit: rules.RuleHit) -> list[int]:
    """The members of the roles whose own absence-watch thresholds the pupil reached."""
    return [
        user_id
        for role in hit.evidence.get("roles", ())
        for user_id in setting.members.get(role, [])
    ]


def compute_command(
    *, school_unit_code: str | None = None, on: dt.date | None = None
) -> ComputeSummary:
    """What ``lotsen signals compute`` does: find the school unit by its code, compute."""
    unit = None
    if school_unit_code:
        unit = Organisation.objects.filter(
            school_unit_code=school_unit_code, kind=OrganisationKind.SCHOOL_UNIT
        ).first()
        if unit is None:
            raise ValidationError(ERROR_UNKNOWN_SCHOOL_UNIT.format(code=school_unit_code))
    return signals_compute(school_unit=unit, today=on)


# --- The workflow -----------------------------------------------------------------------


def _may_handle(actor: Actor, signal: Signal) -> bool:
    org = actor.organisation
    if org is None or actor.role not in SCHOOL_ROLES:
        return False
    return org.pk == signal.school_unit_id or (
        org.kind == OrganisationKind.SCHOOL_ORGANISER and signal.school_unit.parent_id == org.pk
    )


def _clean_text(value: str, *, field_name: str, required_message: str | None) -> str:
    value = (value or "").strip()
    if required_message and not value:
        raise ValidationError({field_name: required_message})
    if len(value) > TEXT_MAX_LENGTH:
        raise ValidationError({field_name: ERROR_TEXT_TOO_LONG.format(limit=TEXT_MAX_LENGTH)})
    return value


class SignalAction:
    """One step in the workflow. ``check()`` raises PermissionDenied or ValidationError
    with a module-constant message; ``execute()`` does the step in one transaction."""

    event_kind: str = ""

    def __init__(self, *, actor: Actor, signal: Signal) -> None:
        self.actor = actor
        self.signal = signal

    def check(self) -> None:
        if not _may_handle(self.actor, self.signal):
            raise PermissionDenied(ERROR_NOT_PERMITTED)
        if self.signal.is_closed:
            raise ValidationError(ERROR_CLOSED)
        self._check_state()
        self._check_input()

    def allowed(self) -> bool:
        """Whether the step is open to this actor now, whatever the input will be."""
        try:
            if not _may_handle(self.actor, self.signal) or self.signal.is_closed:
                return False
            self._check_state()
        except (PermissionDenied, ValidationError):
            return False
        return True

    def _check_state(self) -> None:
        pass

    def _check_input(self) -> None:
        pass

    def _apply(self, now: dt.datetime) -> str:
        """Change ``self.signal``; return the history text."""
        raise NotImplementedError

    def execute(self) -> Signal:
        with transaction.atomic():
            self.signal = (
                Signal.objects.select_for_update()
                .select_related("school_unit")
                .get(pk=self.signal.pk)
            )
            self.check()
            now = timezone.now()
            text = self._apply(now)
            self.signal.save()
            SignalEvent.objects.create(
                signal=self.signal, actor=self.actor.user, kind=self.event_kind, text=text, at=now
            )
            persons_written(
                actor=self.actor,
                action=Action.UPDATE,
                purpose=Purpose.SCHOOL,
                person_ids=[self.signal.person_id],
                object_type="signal",
                object_id=str(self.signal.pk),
            )
        return self.signal


class SignalAssign(SignalAction):
    event_kind = SignalEventKind.ASSIGNED

    def __init__(self, *, actor: Actor, signal: Signal, assignee: User) -> None:
        super().__init__(actor=actor, signal=signal)
        self.assignee = assignee

    def _check_input(self) -> None:
        if self.signal.assigned_to_id == self.assignee.pk:
            raise ValidationError(ERROR_ALREADY_ASSIGNED)
        works_here = Membership.objects.filter(
            user=self.assignee, organisation_id=self.signal.school_unit_id, role__in=SCHOOL_ROLES
        ).exists()
        if not works_here:
            raise ValidationError({"assignee": ERROR_ASSIGNEE})

    def _apply(self, now: dt.datetime) -> str:
        self.signal.assigned_to = self.assignee
        signals_notify(recipients={self.signal.pk: [self.assignee.pk]})
        # Who holds a signal does not undo what has been done with it: only a new signal
        # changes status when it gets someone responsible.
        if self.signal.status == SignalStatus.OPEN:
            self.signal.status = SignalStatus.ASSIGNED
        return TEXT_ASSIGNED_TO.format(name=_name(self.assignee))


class SignalAcknowledge(SignalAction):
    """ "I have seen this and will look into it": the one who acknowledges becomes the
    person responsible for the signal."""

    event_kind = SignalEventKind.ACKNOWLEDGED

    def _check_state(self) -> None:
        if self.signal.status not in (SignalStatus.OPEN, SignalStatus.ASSIGNED):
            raise ValidationError(ERROR_ALREADY_ACKNOWLEDGED)

    def _apply(self, now: dt.datetime) -> str:
        self.signal.status = SignalStatus.ACKNOWLEDGED
        self.signal.acknowledged_by = self.actor.user
        self.signal.acknowledged_at = now
        self.signal.assigned_to = self.actor.user
        return ""


class SignalActionRecord(SignalAction):
    """What was done: a talk with the pupil, a call home, a referral to student health.
    May be recorded more than once."""

    event_kind = SignalEventKind.ACTION_RECORDED

    def __init__(self, *, actor: Actor, signal: Signal, text: str) -> None:
        super().__init__(actor=actor, signal=signal)
        self.text = text

    def _check_state(self) -> None:
        if self.signal.status not in (SignalStatus.ACKNOWLEDGED, SignalStatus.ACTION_RECORDED):
            raise ValidationError(ERROR_NOT_ACKNOWLEDGED)

    def _check_input(self) -> None:
        self.text = _clean_text(self.text, field_name="text", required_message=ERROR_ACTION_TEXT)

    def _apply(self, now: dt.datetime) -> str:
        self.signal.status = SignalStatus.ACTION_RECORDED
        return self.text


class SignalClose(SignalAction):
    event_kind = SignalEventKind.CLOSED

    def __init__(self, *, actor: Actor, signal: Signal, outcome_code: str, outcome: str = ""):
        super().__init__(actor=actor, signal=signal)
        self.outcome_code = outcome_code
        self.outcome = outcome

    def _check_state(self) -> None:
        if self.signal.status not in (SignalStatus.ACKNOWLEDGED, SignalStatus.ACTION_RECORDED):
            raise ValidationError(ERROR_NOT_ACKNOWLEDGED)

    def _check_input(self) -> None:
        errors: dict[str, str] = {}
        if self.outcome_code not in OutcomeCode.values:
            errors["outcome_code"] = ERROR_OUTCOME_CODE
        try:
            self.outcome = _clean_text(
                self.outcome,
                field_name="outcome",
                required_message=ERROR_OUTCOME_TEXT
                if self.outcome_code == OutcomeCode.OTHER
                else None,
            )
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
        if errors:
            raise ValidationError(errors)

    def _apply(self, now: dt.datetime) -> str:
        self.signal.status = SignalStatus.CLOSED
        self.signal.closed_by = self.actor.user
        self.signal.closed_at = now
        self.signal.outcome_code = self.outcome_code
        self.signal.outcome = self.outcome
        label = OutcomeCode(self.outcome_code).label
        return f"{label}. {self.outcome}".strip() if self.outcome else str(label)


def signal_assign(*, actor: Actor, signal: Signal, assignee: User) -> Signal:
    return SignalAssign(actor=actor, signal=signal, assignee=assignee).execute()


def signal_acknowledge(*, actor: Actor, signal: Signal) -> Signal:
    return SignalAcknowledge(actor=actor, signal=signal).execute()


def signal_action_record(*, actor: Actor, signal: Signal, text: str) -> Signal:
    return SignalActionRecord(actor=actor, signal=signal, text=text).execute()


def signal_close(*, actor: Actor, signal: Signal, outcome_code: str, outcome: str = "") -> Signal:
    return SignalClose(
        actor=actor, signal=signal, outcome_code=outcome_code, outcome=outcome
    ).execute()


def signal_steps_for(*, actor: Actor, signal: Signal) -> dict[str, bool]:
    """Which workflow steps this actor may take on this signal now (for the page)."""
    return {
        # Only someone who works at the signal's own school unit can hold it.
        "assign_to_me": SignalAssign(actor=actor, signal=signal, assignee=actor.user).allowed()
        and actor.organisation is not None
        and actor.organisation.pk == signal.school_unit_id
        and signal.assigned_to_id != actor.user.pk,
        "acknowledge": SignalAcknowledge(actor=actor, signal=signal).allowed(),
        "record_action": SignalActionRecord(actor=actor, signal=signal, text="").allowed(),
        "close": SignalClose(actor=actor, signal=signal, outcome_code="").allowed(),
    }
