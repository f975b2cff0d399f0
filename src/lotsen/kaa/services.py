"""Writes for the activity responsibility: the cohort recomputation, population register
data, notices from schools, contacts, measures, follow-ups and the plan.

Every write that touches a person's KAA record writes its access-log entry in the same
transaction. Callers get the person from a ``kaa.selectors`` function first, so the
policy has already said yes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Organisation, OrganisationKind, Role, User
from lotsen.ingest.upsert import rows_insert, rows_update
from lotsen.kaa import cohort
from lotsen.kaa.hooks import case_ref_from, plan_needs_more_actors
from lotsen.kaa.models import (
    CaseloadAssignment,
    CohortMembership,
    Contact,
    ContactKind,
    ContactMethod,
    EquivalentEducation,
    FollowUp,
    Measure,
    MeasureStatus,
    MeasureType,
    Notice,
    NoticeKind,
    NoticeSource,
    Occupation,
    Plan,
    Qualification,
    ResidencePeriod,
)
from lotsen.kaa.notifications import notice_notify
from lotsen.people.identity import InvalidIdentityNumber, parse_identity_number
from lotsen.people.models import Person
from lotsen.privacy.door import persons_written
from lotsen.privacy.models import Action, Purpose
from lotsen.school.models import Enrolment

ERROR_NOT_COORDINATOR = "Bara kommunens KAA-samordnare kan registrera detta."
ERROR_NOT_SCHOOL_STAFF = (
    "Bara mentorer, elevhälsa och studie- och yrkesvägledare på en skola kan skicka anmälningar."
)
ERROR_DATE_FUTURE = "Datumet kan inte ligga i framtiden."
ERROR_OCCUPATION_REQUIRED = "Ange vilken sysselsättning personen hade vid kontakten."
ERROR_OCCUPATION_ON_ATTEMPT = (
    "Ett kontaktförsök har ingen sysselsättning. Välj Okänd eller lämna tomt."
)
ERROR_MEASURE_TYPE = "Välj vilken åtgärd det gäller."
ERROR_START_REQUIRED = "Ange när åtgärden började."
ERROR_START_ON_DECLINED = "En åtgärd som den unga tackade nej till har inget startdatum."
ERROR_START_BEFORE_OFFER = "Åtgärden kan inte börja innan den erbjöds."
ERROR_PLANNED_END_ORDER = "Det planerade slutdatumet måste vara efter startdatumet."
ERROR_END_DATE_REQUIRED = "Ange när åtgärden slutade."
ERROR_END_BEFORE_START = "Slutdatumet kan inte vara före startdatumet."
ERROR_END_REASON_REQUIRED = "Ange varför åtgärden slutade."
ERROR_MEASURE_NOT_STARTED = "Bara en pågående åtgärd kan avslutas."
ERROR_FOLLOW_UP_BEFORE_OFFER = "Uppföljningen kan inte vara före datumet då åtgärden erbjöds."
ERROR_FOLLOW_UP_DONE = "Uppföljningen är redan gjord."
ERROR_MUNICIPALITY_CODE = "Kommunkoden ska vara fyra siffror, till exempel 0180."
ERROR_NOTICE_DATE_OLD = "Datumet kan inte vara mer än ett år bakåt i tiden."
ERROR_MESSAGE_TOO_LONG = "Meddelandet får vara högst {limit} tecken."
ERROR_SUPPORT_NOTE = "Skriv vilka fler aktörer som behövs och varför."
ERROR_NOTICE_KIND = "Välj vad anmälan gäller."
ERROR_MEASURE_STATUS = (
    "Välj om åtgärden är erbjuden, om den unga tackade nej eller om den har börjat."
)
ERROR_ONLY_OFFERED_STARTS = "Bara en erbjuden åtgärd kan börja."
ERROR_ONLY_OFFERED_DECLINED = "Bara en erbjuden åtgärd kan markeras som nekad."
ERROR_EDUCATION_END_REQUIRED = "Ange när utbildningen blev klar."
ERROR_CONTACT_METHOD = "Välj hur kontakten togs."

MESSAGE_MAX_LENGTH = 1000
NOTICE_MAX_AGE_DAYS = 366


def _today() -> dt.date:
    return timezone.localdate()


def _require_coordinator(actor: Actor) -> str:
    """The municipality code the coordinator acts for; PermissionDenied for anyone else."""
    org = actor.organisation
    if (
        actor.role != Role.KAA_COORDINATOR
        or org is None
        or org.kind != OrganisationKind.MUNICIPALITY
    ):
        raise PermissionDenied(ERROR_NOT_COORDINATOR)
    return org.municipality_code


# --- The cohort ----------------------------------------------------------------------------


@dataclass
class RefreshResult:
    municipality_code: str
    today: dt.date
    since: dt.date
    persons_examined: int = 0
    members_today: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


# How far back a refresh revisits memberships: the previous reporting half-year, so that
# data arriving late still corrects a report that may be sent again (a new file replaces
# the old one at SCB). Older history stays as it was recorded.
def default_since(today: dt.date) -> dt.date:
    return cohort.previous_half_year_start(today)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def candidates_q(*, municipality_code: str, today: dt.date, since: dt.date) -> Q:
    """Persons who may have been in the municipality's cohort at some time in
    [``since``, ``today``]: young enough to be under 20 on ``since``, old enough to have
    left compulsory school by ``today``, and registered there (by the population register,
    or by their current registration when no register data has been imported for them)."""
    residence_here = ResidencePeriod.objects.filter(
        person=OuterRef("pk"), municipality_code=municipality_code
    ).filter(Q(moved_out__isnull=True) | Q(moved_out__gt=since))
    any_residence = ResidencePeriod.objects.filter(person=OuterRef("pk"))
    return Q(
        date_of_birth__gt=_years_before(since, 20),
        date_of_birth__lte=_years_before(today, 13),
    ) & (
        Q(Exists(residence_here))
        | (Q(home_municipality_code=municipality_code) & ~Q(Exists(any_residence)))
    )


def facts_load(
    persons: Iterable[Person] | object, *, municipality_code: str | None = None
) -> dict[int, tuple[cohort.PersonFacts, str]]:
    """Load ``PersonFacts`` (and gender) for a Person queryset in five queries, whatever
    its size: persons, residences, enrolments, equivalent education, qualifications."""
    person_rows = list(
        persons.values_list("pk", "date_of_birth", "gender", "home_municipality_code")  # type: ignore[attr-defined]
    )
    ids_subquery = persons.values("pk")  # type: ignore[attr-defined]
    residences: dict[int, list[cohort.Residence]] = defaultdict(list)
    for pid, code, moved_in, moved_out, asylum in ResidencePeriod.objects.filter(
        person__in=ids_subquery
    ).values_list("person_id", "municipality_code", "moved_in", "moved_out", "asylum_seeker"):
        residences[pid].append(cohort.Residence(code, moved_in, moved_out, asylum))
    schooling: dict[int, list[cohort.Schooling]] = defaultdict(list)
    for pid, school_type, start, end, programme, year, end_reason in Enrolment.objects.filter(
        person__in=ids_subquery
    ).values_list(
        "person_id",
        "school_type",
        "start_date",
        "end_date",
        "programme",
        "school_year",
        "end_reason",
    ):
        schooling[pid].append(
            cohort.Schooling(
                school_type,
                start,
                end,
                programme or "",
                year,
                cohort.outcome_from_end_reason(end_reason),
            )
        )
    qualifications: dict[int, list[cohort.Qualification]] = defaultdict(list)
    for pid, kind, start, end, passed in EquivalentEducation.objects.filter(
        person__in=ids_subquery
    ).values_list("person_id", "kind", "start_date", "end_date", "completed_with_pass"):
        school_type = kind if kind in cohort.EQUIVALENT_SCHOOL_TYPES else cohort.EQUIVALENT
        schooling[pid].append(cohort.Schooling(school_type, start, end))
        if passed and end is not None:
            qualifications[pid].append(cohort.Qualification(cohort.QUALIFICATION_EQUIVALENT, end))
    for pid, kind, awarded_on in Qualification.objects.filter(person__in=ids_subquery).values_list(
        "person_id", "kind", "awarded_on"
    ):
        qualifications[pid].append(cohort.Qualification(kind, awarded_on))

    result = {}
    for pid, born, gender, home in person_rows:
        # Without population register data, the current registration stands in for it,
        # without a date: such a person can never have "moved in".
        periods = residences.get(pid) or [cohort.Residence(home)]
        result[pid] = (
            cohort.PersonFacts(
                birth_date=born,
                residences=tuple(periods),
                schooling=tuple(schooling.get(pid, ())),
                qualifications=tuple(qualifications.get(pid, ())),
            ),
            gender,
        )
    return result


_MEMBERSHIP_FIELDS = ("reason", "school_reason", "left_on", "left_reason", "gender", "birth_year")


@transaction.atomic
def kaa_cohort_refresh(
    *,
    municipality_code: str,
    today: dt.date | None = None,
    since: dt.date | None = None,
    rules: cohort.Rules = cohort.DEFAULT_RULES,
) -> RefreshResult:
    """Recompute the municipality's cohort memberships from ``since`` up to ``today`` and
    store them. Idempotent: a second run on the same data changes nothing.

    Memberships that ended before ``since`` are history and stay as recorded. Within the
    window, a stored membership that the data no longer supports is deleted (the data was
    corrected, e.g. a late enrolment shows the person was in school); the work recorded
    about the person (contacts, measures) is kept, as it hangs on the person.
    """
    today = today or _today()
    since = since or default_since(today)
    result = RefreshResult(municipality_code=municipality_code, today=today, since=since)
    # Stored memberships the window may change: every one still open or ended within it.
    # A person with one is examined even if the data no longer place them here, so that
    # a stale open membership is closed with its reason rather than lost.
    window = CohortMembership.objects.filter(
        municipality_code=municipality_code, person__isnull=False
    ).filter(Q(left_on__isnull=True) | Q(left_on__gt=since))
    candidates = Person.objects.filter(
        candidates_q(municipality_code=municipality_code, today=today, since=since)
        | Q(pk__in=window.values("person_id"))
    )
    stored = list(
        CohortMembership.objects.filter(
            municipality_code=municipality_code, person__in=candidates.values("pk")
        )
    )
    stored_keys = {(row.person_id, row.entered_on) for row in stored}
    facts = facts_load(candidates)
    result.persons_examined = len(facts)

    computed: dict[tuple[int, dt.date], CohortMembership] = {}
    for pid, (person_facts, gender) in facts.items():
        for interval in cohort.intervals(person_facts, municipality_code, until=today, rules=rules):
            key = (pid, interval.entered)
            in_window = interval.left is None or interval.left > since
            if not in_window and key not in stored_keys:
                continue
            computed[key] = CohortMembership(
                person_id=pid,
                municipality_code=municipality_code,
                entered_on=interval.entered,
                reason=interval.reason,
                school_reason=interval.school_reason,
                left_on=interval.left,
                left_reason=interval.left_reason,
                gender=gender,
                birth_year=person_facts.birth_date.year,
            )
            if interval.left is None:
                result.members_today += 1

    to_update, to_delete = [], []
    for row in stored:
        key = (row.person_id, row.entered_on)
        fresh = computed.pop(key, None)
        if fresh is None:
            if row.left_on is None or row.left_on > since:
                to_delete.append(row.pk)
            continue
        changed = False
        for name in _MEMBERSHIP_FIELDS:
            if getattr(row, name) != getattr(fresh, name):
                setattr(row, name, getattr(fresh, name))
                changed = True
        if changed:
            to_update.append(row)
        else:
            result.unchanged += 1
    if to_delete:
        CohortMembership.objects.filter(pk__in=to_delete).delete()
    # At the database's speed (COPY, one prepared UPDATE): bulk_create was a fifth of a
    # 200,000-person population import.
    rows_update(model=CohortMembership, rows=to_update, fields=_MEMBERSHIP_FIELDS)
    rows_insert(model=CohortMembership, rows=list(computed.values()))
    result.created, result.updated, result.deleted = len(computed), len(to_update), len(to_delete)
    return result


def municipality_codes_with_lotsen() -> list[str]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .exclude(municipality_code="")
        .order_by("municipality_code")
        .values_list("municipality_code", flat=True)
    )


def kaa_cohort_refresh_all(
    *, municipality_codes: Iterable[str] | None = None, today: dt.date | None = None
) -> list[RefreshResult]:
    """Refresh every municipality that uses Lotsen (or those named), e.g. after an import.
    Municipalities without a Lotsen organisation have nobody to work the cohort: skipped."""
    known = set(municipality_codes_with_lotsen())
    codes = known if municipality_codes is None else known & set(municipality_codes)
    return [kaa_cohort_refresh(municipality_code=code, today=today) for code in sorted(codes)]


# --- Population register -------------------------------------------------------------------


def person_registration_update(
    *, person: Person, residences: Sequence[ResidencePeriod], today: dt.date
) -> bool:
    """Keep ``Person.home_municipality_code`` the current registration. With no period
    covering today (emigrated, or moved to a municipality the extract does not name) it
    is cleared: no municipality's ordinary KAA access reaches the person any more, and the
    former municipality keeps only its register records (see kaa.selectors)."""
    current = next(
        (
            r.municipality_code
            for r in residences
            if (r.moved_in is None or r.moved_in <= today)
            and (r.moved_out is None or today < r.moved_out)
        ),
        "",
    )
    if person.home_municipality_code != current:
        person.home_municipality_code = current
        return True
    return False


# --- Notices from schools ------------------------------------------------------------------

SCHOOL_STAFF_ROLES = frozenset({Role.MENTOR, Role.COUNSELLOR, Role.STUDENT_HEALTH})


@dataclass(frozen=True)
class NoticeReceipt:
    receipt: str
    sent_at: dt.datetime


@transaction.atomic
def notice_send(
    *,
    actor: Actor,
    kind: str,
    personal_identity_number: str,
    home_municipality_code: str,
    event_date: dt.date,
    programme: str = "",
    message: str = "",
    source: str = NoticeSource.WEB,
) -> NoticeReceipt:
    """A school tells the pupil's home municipality about a dropout, significant unexcused
    absence (skollagen 15 kap. 15 §), a start or a stop.

    The notice goes to the municipality where the population register has the person; the
    sender's stated home municipality is used only when Lotsen does not know the person.
    The sender learns neither which: the answer is the same receipt either way, so the
    form cannot be used to probe who is registered where.
    """
    org = actor.organisation
    if (
        actor.role not in SCHOOL_STAFF_ROLES
        or org is None
        or org.kind != OrganisationKind.SCHOOL_UNIT
    ):
        raise PermissionDenied(ERROR_NOT_SCHOOL_STAFF)
    errors: dict[str, str] = {}
    number = None
    try:
        number = parse_identity_number(personal_identity_number)
    except InvalidIdentityNumber as exc:
        errors["personal_identity_number"] = str(exc)
    code = (home_municipality_code or "").strip()
    if not (len(code) == 4 and code.isdigit()):
        errors["home_municipality_code"] = ERROR_MUNICIPALITY_CODE
    today = _today()
    if event_date > today:
        errors["event_date"] = ERROR_DATE_FUTURE
    elif (today - event_date).days > NOTICE_MAX_AGE_DAYS:
        errors["event_date"] = ERROR_NOTICE_DATE_OLD
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        errors["message"] = ERROR_MESSAGE_TOO_LONG.format(limit=MESSAGE_MAX_LENGTH)
    if kind not in NoticeKind.values:
        errors["kind"] = ERROR_NOTICE_KIND
    if errors:
        raise ValidationError(errors)

    person = Person.objects.filter(personal_identity_number=number.normalized).first()
    municipality = (
        person.home_municipality_code if person and person.home_municipality_code else code
    )
    notice = Notice(
        kind=kind,
        personal_identity_number=number.normalized,
        person=person,
        municipality_code=municipality,
        event_date=event_date,
        programme=(programme or "").strip().upper()[:20],
        message=message,
        sender=actor.user,
        sender_organisation=org,
        sender_organisation_name=org.name,
        source=source,
        receipt=_receipt(),
    )
    notice.full_clean()
    notice.save()
    notice_notify(notice=notice)
    if person is not None:
        # The write is logged on the person; the sender reads nothing back.
        persons_written(
            actor=actor,
            action=Action.CREATE,
            purpose=Purpose.SCHOOL,
            person_ids=[person.pk],
            object_type="kaa_notice",
            object_id=str(notice.pk),
        )
    return NoticeReceipt(receipt=notice.receipt, sent_at=notice.sent_at)


def _receipt() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(10))
        if not Notice.objects.filter(receipt=value).exists():
            return value


def notices_link(*, numbers_to_person_ids: dict[str, int]) -> int:
    """Attach notices sent before the person was in Lotsen, once they are."""
    linked = 0
    for notice in Notice.objects.filter(
        person__isnull=True, personal_identity_number__in=list(numbers_to_person_ids)
    ):
        notice.person_id = numbers_to_person_ids[notice.personal_identity_number]
        notice.save(update_fields=["person"])
        linked += 1
    return linked


@transaction.atomic
def notice_mark_handled(*, actor: Actor, notice: Notice) -> Notice:
    code = _require_coordinator(actor)
    if notice.municipality_code != code:
        raise PermissionDenied(ERROR_NOT_COORDINATOR)
    if notice.handled_at is None:
        notice.handled_at = timezone.now()
        notice.handled_by = actor.user
        notice.save(update_fields=["handled_at", "handled_by"])
        if notice.person_id:
            persons_written(
                actor=actor,
                action=Action.UPDATE,
                purpose=Purpose.KAA,
                person_ids=[notice.person_id],
                object_type="kaa_notice",
                object_id=str(notice.pk),
            )
    return notice


# --- The work: contacts, measures, follow-ups, plan ----------------------------------------


@transaction.atomic
def contact_record(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    method: str,
    contact_date: dt.date,
    occupation: str = "",
    note: str = "",
) -> Contact:
    """A contact attempt, or a contact with the occupation the person had then."""
    code = _require_coordinator(actor)
    errors: dict[str, str] = {}
    if contact_date > _today():
        errors["contact_date"] = ERROR_DATE_FUTURE
    if kind == ContactKind.CONTACT and not occupation:
        errors["occupation"] = ERROR_OCCUPATION_REQUIRED
    if kind == ContactKind.ATTEMPT:
        if occupation and occupation != Occupation.UNKNOWN:
            errors["occupation"] = ERROR_OCCUPATION_ON_ATTEMPT
        occupation = ""
    if errors:
        raise ValidationError(errors)
    contact = Contact(
        person=person,
        municipality_code=code,
        kind=kind,
        method=method,
        contact_date=contact_date,
        occupation=occupation,
        note=(note or "").strip(),
        recorded_by=actor.user,
    )
    contact.full_clean()
    contact.save()
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.KAA,
        person_ids=[person.pk],
        object_type="kaa_contact",
        object_id=str(contact.pk),
    )
    return contact


def _measure_errors(
    *,
    status: str,
    offered_on: dt.date,
    start_date: dt.date | None,
    planned_end_date: dt.date | None,
    today: dt.date,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if offered_on > today:
        errors["offered_on"] = ERROR_DATE_FUTURE
    if status == MeasureStatus.DECLINED and start_date:
        errors["start_date"] = ERROR_START_ON_DECLINED
    if status == MeasureStatus.STARTED:
        if start_date is None:
            errors["start_date"] = ERROR_START_REQUIRED
        elif start_date < offered_on:
            errors["start_date"] = ERROR_START_BEFORE_OFFER
        elif start_date > today:
            errors["start_date"] = ERROR_DATE_FUTURE
    if planned_end_date and start_date and planned_end_date <= start_date:
        errors["planned_end_date"] = ERROR_PLANNED_END_ORDER
    return errors


@transaction.atomic
def measure_record(
    *,
    actor: Actor,
    person: Person,
    measure_type: MeasureType | None,
    status: str,
    offered_on: dt.date,
    start_date: dt.date | None = None,
    planned_end_date: dt.date | None = None,
    goal: str = "",
    responsible_individual: str = "",
    responsible_municipality: str = "",
    other_actor: str = "",
    responsible_other: str = "",
    follow_up_on: dt.date | None = None,
) -> Measure:
    """A measure offered, declined or started, with the documentation förordning 2006:39
    asks for: the goal, who is responsible for what, the dates and a follow-up."""
    code = _require_coordinator(actor)
    errors = _measure_errors(
        status=status,
        offered_on=offered_on,
        start_date=start_date,
        planned_end_date=planned_end_date,
        today=_today(),
    )
    if measure_type is None:
        errors["measure_type"] = ERROR_MEASURE_TYPE
    if status not in (MeasureStatus.OFFERED, MeasureStatus.DECLINED, MeasureStatus.STARTED):
        errors["status"] = ERROR_MEASURE_STATUS
    if follow_up_on and follow_up_on < offered_on:
        errors["follow_up_on"] = ERROR_FOLLOW_UP_BEFORE_OFFER
    if errors:
        raise ValidationError(errors)
    measure = Measure(
        person=person,
        municipality_code=code,
        measure_type=measure_type,
        status=status,
        offered_on=offered_on,
        start_date=start_date if status == MeasureStatus.STARTED else None,
        planned_end_date=planned_end_date,
        goal=goal.strip(),
        responsible_individual=responsible_individual.strip(),
        responsible_municipality=responsible_municipality.strip(),
        other_actor=other_actor.strip(),
        responsible_other=responsible_other.strip(),
        recorded_by=actor.user,
    )
    measure.full_clean()
    measure.save()
    if follow_up_on:
        FollowUp.objects.create(measure=measure, due_on=follow_up_on)
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.KAA,
        person_ids=[person.pk],
        object_type="kaa_measure",
        object_id=str(measure.pk),
    )
    return measure


@transaction.atomic
def measure_start(*, actor: Actor, measure: Measure, start_date: dt.date) -> Measure:
    """An offered measure begins."""
    _require_measure_owner(actor, measure)
    errors = _measure_errors(
        status=MeasureStatus.STARTED,
        offered_on=measure.offered_on,
        start_date=start_date,
        planned_end_date=measure.planned_end_date,
        today=_today(),
    )
    if measure.status != MeasureStatus.OFFERED:
        errors["start_date"] = ERROR_ONLY_OFFERED_STARTS
    if errors:
        raise ValidationError(errors)
    measure.status, measure.start_date = MeasureStatus.STARTED, start_date
    measure.save(update_fields=["status", "start_date", "updated_at"])
    _log_measure(actor, measure)
    return measure


@transaction.atomic
def measure_end(
    *,
    actor: Actor,
    measure: Measure,
    end_date: dt.date,
    end_reason: str,
    occupation_after: str = "",
) -> Measure:
    """A measure ends, with why (förordning 2006:39, point 6) and what the person went on to."""
    _require_measure_owner(actor, measure)
    errors: dict[str, str] = {}
    if measure.status != MeasureStatus.STARTED:
        errors["end_date"] = ERROR_MEASURE_NOT_STARTED
    elif end_date is None:
        errors["end_date"] = ERROR_END_DATE_REQUIRED
    elif measure.start_date and end_date < measure.start_date:
        errors["end_date"] = ERROR_END_BEFORE_START
    elif end_date > _today():
        errors["end_date"] = ERROR_DATE_FUTURE
    if not end_reason:
        errors["end_reason"] = ERROR_END_REASON_REQUIRED
    if errors:
        raise ValidationError(errors)
    measure.status = MeasureStatus.ENDED
    measure.end_date, measure.end_reason = end_date, end_reason
    measure.occupation_after = occupation_after or Occupation.UNKNOWN
    measure.full_clean()
    measure.save()
    _log_measure(actor, measure)
    return measure


@transaction.atomic
def measure_decline(*, actor: Actor, measure: Measure) -> Measure:
    _require_measure_owner(actor, measure)
    if measure.status != MeasureStatus.OFFERED:
        raise ValidationError(ERROR_ONLY_OFFERED_DECLINED)
    measure.status = MeasureStatus.DECLINED
    measure.save(update_fields=["status", "updated_at"])
    _log_measure(actor, measure)
    return measure


@transaction.atomic
def follow_up_add(*, actor: Actor, measure: Measure, due_on: dt.date) -> FollowUp:
    _require_measure_owner(actor, measure)
    if due_on < measure.offered_on:
        raise ValidationError({"due_on": ERROR_FOLLOW_UP_BEFORE_OFFER})
    follow_up = FollowUp.objects.create(measure=measure, due_on=due_on)
    _log_measure(actor, measure)
    return follow_up


@transaction.atomic
def follow_up_done(*, actor: Actor, follow_up: FollowUp, note: str = "") -> FollowUp:
    _require_measure_owner(actor, follow_up.measure)
    if follow_up.done_on is not None:
        raise ValidationError(ERROR_FOLLOW_UP_DONE)
    follow_up.done_on = _today()
    follow_up.note = (note or "").strip()
    follow_up.save(update_fields=["done_on", "note"])
    _log_measure(actor, follow_up.measure)
    return follow_up


def _require_measure_owner(actor: Actor, measure: Measure) -> None:
    if measure.municipality_code != _require_coordinator(actor):
        raise PermissionDenied(ERROR_NOT_COORDINATOR)


def _log_measure(actor: Actor, measure: Measure) -> None:
    persons_written(
        actor=actor,
        action=Action.UPDATE,
        purpose=Purpose.KAA,
        person_ids=[measure.person_id],
        object_type="kaa_measure",
        object_id=str(measure.pk),
    )


@transaction.atomic
def plan_save(
    *,
    actor: Actor,
    person: Person,
    planning: str,
    goal: str,
    coordinated_support_needed: bool = False,
    coordinated_support_note: str = "",
) -> Plan:
    """Save (revise) the person's individual planning and goal."""
    code = _require_coordinator(actor)
    if coordinated_support_needed and not coordinated_support_note.strip():
        raise ValidationError({"coordinated_support_note": ERROR_SUPPORT_NOTE})
    plan, created = Plan.objects.get_or_create(person=person, municipality_code=code)
    plan.planning = planning.strip()
    plan.goal = goal.strip()
    plan.coordinated_support_needed = coordinated_support_needed
    plan.coordinated_support_note = coordinated_support_note.strip()
    plan.updated_by = actor.user
    if coordinated_support_needed and not plan.support_case_ref:
        # The support app, when installed, opens a case and answers with its reference;
        # with nobody listening the mark is recorded and shown as waiting.
        plan.support_case_ref = case_ref_from(
            plan_needs_more_actors.send(sender=Plan, actor=actor, person=person, plan=plan)
        )
    plan.full_clean()
    plan.save()
    persons_written(
        actor=actor,
        action=Action.CREATE if created else Action.UPDATE,
        purpose=Purpose.KAA,
        person_ids=[person.pk],
        object_type="kaa_plan",
        object_id=str(plan.pk),
    )
    return plan


@dataclass
class EquivalentResult:
    education: EquivalentEducation
    refresh: RefreshResult | None = field(default=None)


@transaction.atomic
def equivalent_education_record(
    *,
    actor: Actor,
    person: Person,
    kind: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    completed_with_pass: bool = False,
) -> EquivalentResult:
    """The coordinator judges that the person is in (or completed) education equivalent
    to upper-secondary school; the cohort is recomputed at once."""
    code = _require_coordinator(actor)
    errors: dict[str, str] = {}
    if start_date > _today():
        errors["start_date"] = ERROR_DATE_FUTURE
    if end_date and end_date < start_date:
        errors["end_date"] = ERROR_END_BEFORE_START
    if completed_with_pass and not end_date:
        errors["end_date"] = ERROR_EDUCATION_END_REQUIRED
    if errors:
        raise ValidationError(errors)
    education = EquivalentEducation(
        person=person,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        completed_with_pass=completed_with_pass,
    )
    education.full_clean()
    education.save()
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.KAA,
        person_ids=[person.pk],
        object_type="kaa_equivalent_education",
        object_id=str(education.pk),
    )
    return EquivalentResult(education=education, refresh=kaa_cohort_refresh(municipality_code=code))


# --- The caseload ---------------------------------------------------------------------------

ERROR_ASSIGN_NOT_COORDINATOR = "Välj en KAA-samordnare i kommunen."
ERROR_ASSIGN_NOT_IN_COHORT = (
    "Bara unga som ingår i kommunens aktivitetsansvar kan fördelas ({count} av de valda gör "
    "inte det)."
)
ERROR_NONE_SELECTED = "Välj minst en ung person."
ERROR_TOO_MANY_SELECTED = "Välj högst {limit} unga åt gången."
ERROR_BULK_CONTACT_KIND = "Ett utskick till många är ett kontaktförsök: personen är ännu inte nådd."
# A bulk action is one transaction and one access-log write; this bounds both.
BULK_LIMIT = 500


@dataclass(frozen=True)
class BulkResult:
    count: int
    changed: int


def _cohort_person_ids(
    *, municipality_code: str, person_ids: Sequence[int], today: dt.date
) -> set[int]:
    return set(
        CohortMembership.objects.filter(
            municipality_code=municipality_code,
            person_id__in=person_ids,
            entered_on__lte=today,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=today))
        .values_list("person_id", flat=True)
    )


def _bulk_persons(
    *, actor: Actor, person_ids: Iterable[int], field_name: str = "person_ids"
) -> tuple[str, list[int], dt.date]:
    """The municipality, the distinct ids (in the order given) and today, after the
    checks every bulk action shares: a coordinator, at least one and at most
    ``BULK_LIMIT`` persons, all in the municipality's current cohort."""
    code = _require_coordinator(actor)
    ids = list(dict.fromkeys(int(pk) for pk in person_ids))
    if not ids:
        raise ValidationError({field_name: ERROR_NONE_SELECTED})
    if len(ids) > BULK_LIMIT:
        raise ValidationError({field_name: ERROR_TOO_MANY_SELECTED.format(limit=BULK_LIMIT)})
    today = _today()
    outside = set(ids) - _cohort_person_ids(municipality_code=code, person_ids=ids, today=today)
    if outside:
        raise ValidationError({field_name: ERROR_ASSIGN_NOT_IN_COHORT.format(count=len(outside))})
    return code, ids, today


@transaction.atomic
def caseload_assign(
    *, actor: Actor, person_ids: Iterable[int], coordinator_id: int | None
) -> BulkResult:
    """Assign young people of the municipality's current cohort to one of its KAA
    coordinators (``coordinator_id=None``: to nobody). All or nothing: one person outside
    the cohort, or a coordinator of another municipality, and nothing is written.

    A person already assigned to that coordinator keeps their row; anyone else's open row
    is closed and a new one opened, so the rows are the history."""
    code, ids, _day = _bulk_persons(actor=actor, person_ids=person_ids)
    coordinator = None
    if coordinator_id is not None:
        coordinator = (
            User.objects.filter(
                pk=coordinator_id,
                memberships__role=Role.KAA_COORDINATOR,
                memberships__organisation__kind=OrganisationKind.MUNICIPALITY,
                memberships__organisation__municipality_code=code,
            )
            .distinct()
            .first()
        )
        if coordinator is None:
            raise ValidationError({"coordinator": ERROR_ASSIGN_NOT_COORDINATOR})
    now = timezone.now()
    # Locked, so that two coordinators sharing out the same young people at once queue
    # instead of both opening a row (the unique constraint would fail the second).
    current = {
        a.person_id: a
        for a in CaseloadAssignment.objects.select_for_update().filter(
            municipality_code=code, person_id__in=ids, ended_at__isnull=True
        )
    }
    changed = [
        pk
        for pk in ids
        if (current[pk].coordinator_id if pk in current else None)
        != (coordinator.pk if coordinator else None)
    ]
    CaseloadAssignment.objects.filter(
        pk__in=[current[pk].pk for pk in changed if pk in current]
    ).update(ended_at=now, ended_by=actor.user)
    if coordinator is not None:
        CaseloadAssignment.objects.bulk_create(
            CaseloadAssignment(
                person_id=pk,
                municipality_code=code,
                coordinator=coordinator,
                assigned_by=actor.user,
                assigned_at=now,
            )
            for pk in changed
        )
    if changed:
        persons_written(
            actor=actor,
            action=Action.UPDATE,
            purpose=Purpose.KAA,
            person_ids=changed,
            object_type="kaa_caseload_assignment",
            object_id=str(coordinator.pk if coordinator else ""),
        )
    return BulkResult(count=len(ids), changed=len(changed))


@transaction.atomic
def contact_attempt_record_many(
    *,
    actor: Actor,
    person_ids: Iterable[int],
    method: str,
    contact_date: dt.date,
    note: str = "",
) -> BulkResult:
    """One contact attempt per young person (a letter sent to the whole status-unknown
    group, say), in one transaction: all are recorded or none, and the write is logged
    for each person. An attempt reaches nobody yet, so it has no occupation and the
    status stays unknown until someone answers."""
    code, ids, today = _bulk_persons(actor=actor, person_ids=person_ids)
    errors: dict[str, str] = {}
    if contact_date > today:
        errors["contact_date"] = ERROR_DATE_FUTURE
    if method not in ContactMethod.values:
        errors["method"] = ERROR_CONTACT_METHOD
    note = (note or "").strip()
    if len(note) > MESSAGE_MAX_LENGTH:
        errors["note"] = ERROR_MESSAGE_TOO_LONG.format(limit=MESSAGE_MAX_LENGTH)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    created = Contact.objects.bulk_create(
        Contact(
            person_id=pk,
            municipality_code=code,
            kind=ContactKind.ATTEMPT,
            method=method,
            contact_date=contact_date,
            note=note,
            recorded_by=actor.user,
            recorded_at=now,
        )
        for pk in ids
    )
    persons_written(
        actor=actor,
        action=Action.CREATE,
        purpose=Purpose.KAA,
        person_ids=ids,
        object_type="kaa_contact",
        object_id="bulk",
    )
    return BulkResult(count=len(created), changed=len(created))
