"""The SS 12000 import: organisations, persons with enrolments, grades, aggregated attendance.

Order and reasons:

1. ``/organisations`` in full (it is small): the school units, matched on the school unit
   code and placed under the importing school organiser. Their uuids are needed to read
   enrolments, grades and attendance.
2. ``/syllabuses`` in full: a grade names its subject and course only through a syllabus.
3. ``/persons?relationship.entity.type=enrolment``: pupils, matched on the uuid we saw
   before or on the personnummer, created when new; their enrolments in GR, GRS, GY, GYS.
4. ``/grades``.
5. ``/groups?groupType=Klass&groupType=Mentor``: classes and mentor groups with their
   memberships. A group record holds all its members, so a group's memberships in Lotsen
   become the record's (members no longer listed are removed).
6. ``/aggregatedAttendance`` for each ended four-week period of the school year and each
   school unit (``organisation``), summed per pupil over the activities.

Each page is written in one transaction (attendance: each period and school unit), with
the run's counts and the access log. A run that stops half-way is recorded as failed with
the page it stopped at; the pages before it stay, and running again repeats the work
safely, since equal data changes nothing.

Incremental runs ask for ``meta.modified.after`` the previous successful run's start (less
an hour, against clock skew) on ``/persons`` and ``/grades``; the spec has no such filter
for aggregated attendance, which is fetched for the whole school year each time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from lotsen.accounts.codes import normalize_organisation_number
from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.ingest.models import ImportRun
from lotsen.ingest.persons import persons_by_personnummer
from lotsen.ingest.runs import ImportFailed, ImportRecorder, PageWork, import_actor
from lotsen.ingest.upsert import counts_add, rows_upsert
from lotsen.people.models import Gender, Person
from lotsen.school.models import (
    GRADE_IMPORT_FIELDS,
    AttendancePeriod,
    Enrolment,
    Grade,
    GradeKind,
    Group,
    GroupMembership,
    SourcePersonId,
)
from lotsen.school.ss12000 import mapping, spec
from lotsen.school.ss12000.client import Page, SS12000Client, SS12000Error
from lotsen.school.ss12000.mapping import RecordError
from lotsen.school.ss12000.periods import attendance_periods

SOURCE = "ss12000"
INCREMENTAL_OVERLAP = dt.timedelta(hours=1)
# Why an enrolment ended, when SS 12000 says it was broken off ("cancelled"). The same
# words as the demo uses for a pupil who dropped out.
END_REASON_CANCELLED = "Avbrott"

ERROR_NO_ORGANISER = (
    "Hittar ingen huvudman i Lotsen som stämmer med servern: ingen organisation av typen "
    "Huvudman i /organisations har ett organisationsnummer som en huvudman i Lotsen har. "
    "Ange huvudmannen med --organiser."
)
ERROR_MANY_ORGANISERS = (
    "Servern har flera huvudmän som finns i Lotsen. Ange vilken som importerar med --organiser."
)
REASON_OTHER_ORGANISER = "skolenhetskoden finns redan i Lotsen, under en annan organisation"
REASON_UNKNOWN_SCHOOL_UNIT = "skolenheten finns inte bland skolenheterna i /organisations"
REASON_UNKNOWN_STUDENT = "eleven finns inte i Lotsen (inte importerad, eller avvisad)"
REASON_UNKNOWN_SYLLABUS = "kursplanen finns inte i /syllabuses"
REASON_BAD_SYLLABUS = "kursplanen kan inte användas: {field} {reason}"
REASON_IDENTITY_CONFLICT = (
    "personnumret hör till en annan person i Lotsen än den som överförings-id:t pekar på"
)
REASON_DUPLICATE = "samma id förekommer två gånger på sidan"
REASON_DUPLICATE_ENROLMENT = "samma inskrivning (skolform, skolenhet, startdatum) finns två gånger"
REASON_OUTSIDE_PERIOD = "perioden ligger utanför den som efterfrågades ({start} – {end})"
REASON_TOO_LARGE = "summan är orimligt stor"

ENTITY_ORGANISATION = "organisations"
ENTITY_PERSON = "persons"
ENTITY_ENROLMENT = "enrolments"
ENTITY_GRADE = "grades"
ENTITY_ATTENDANCE = "attendance"
ENTITY_GROUP = "groups"
ENTITY_GROUP_MEMBERSHIP = "group_memberships"
REASON_UNKNOWN_MEMBER = "personen finns inte i Lotsen (inte importerad, eller avvisad)"
# The group types the import asks for: what schools filter their work by.
GROUP_TYPES_IMPORTED = (spec.GROUP_CLASS, spec.GROUP_MENTOR)

_GENDER_FROM_SEX = {"Kvinna": Gender.WOMAN, "Man": Gender.MAN}
_PERSON_FIELDS = (
    "personal_identity_number",
    "is_coordination_number",
    "date_of_birth",
    "given_name",
    "family_name",
    "home_municipality_code",
    "protected_identity",
    "confidentiality_marking",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
)
_ENROLMENT_FIELDS = (
    "person",
    "school_unit",
    "school_type",
    "school_year",
    "programme",
    "start_date",
    "end_date",
    "end_reason",
    "external_id",
)
_ATTENDANCE_FIELDS = (
    "person",
    "school_unit",
    "start_date",
    "end_date",
    "offered_minutes",
    "attended_minutes",
    "valid_absence_minutes",
    "invalid_absence_minutes",
)


@dataclass
class _Context:
    client: SS12000Client
    recorder: ImportRecorder
    today: dt.date
    max_pages: int | None
    organiser: Organisation | None = None
    school_units: dict[str, Organisation] = field(default_factory=dict)
    syllabuses: dict[str, mapping.SyllabusRecord | RecordError] = field(default_factory=dict)
    truncated: bool = False

    def pages(
        self, path: str, params: dict[str, Any] | None = None, *, entity: str, **where: Any
    ) -> Iterator[Page]:
        """The pages of a collection; the recorder knows which page is being fetched, so
        that a run that fails while fetching says where it stopped."""
        pages = self.client.pages(path, params, max_pages=self.max_pages)
        number = 0
        while True:
            number += 1
            self.recorder.position = {"entity": entity, **where, "page": number}
            try:
                page = next(pages)
            except StopIteration:
                return
            if self.max_pages is not None and page.number >= self.max_pages and page.next_token:
                self.truncated = True
            yield page


def previous_cursor(*, server: str) -> str:
    """Where the last successful run against ``server`` said the next one may start."""
    run = (
        ImportRun.objects.filter(source=SOURCE, status="done", counts__server=server)
        .exclude(cursor="")
        .order_by("-started_at")
        .first()
    )
    return run.cursor if run else ""


def ss12000_import(
    *,
    client: SS12000Client,
    organiser: Organisation | None = None,
    full: bool = False,
    today: dt.date | None = None,
    max_pages: int | None = None,
    stdout: Any = None,
) -> ImportRun:
    """Import from one SS 12000 server; returns the ImportRun (done or failed).

    ``organiser``: the school organiser (huvudman) the school units belong to; when None,
    the server's Huvudman is matched on organisation number. ``full`` ignores the previous
    run's cursor. ``max_pages`` stops each collection after that many pages (a trial run);
    such a run sets no cursor.
    """
    today = today or timezone.localdate()
    since = "" if full else previous_cursor(server=client.base_url)
    recorder = ImportRecorder(
        source=SOURCE,
        actor=import_actor(organisation=organiser),
        stdout=stdout,
        info={
            "server": client.base_url,
            "mode": "incremental" if since else "full",
            "since": since,
        },
    )
    started = recorder.run.started_at
    context = _Context(
        client=client, recorder=recorder, today=today, max_pages=max_pages, organiser=organiser
    )
    recorder.write(
        f"SS 12000-import från {client.base_url} "
        + (f"(ändringar efter {since})" if since else "(allt)")
    )
    try:
        _organisations_import(context)
        recorder.actor = import_actor(organisation=context.organiser)
        _syllabuses_load(context)
        modified = {spec.PARAM_MODIFIED_AFTER: since} if since else {}
        for page in context.pages(
            "/persons",
            {spec.PARAM_RELATIONSHIP_TYPE: spec.RELATIONSHIP_ENROLMENT, **modified},
            entity=ENTITY_PERSON,
        ):
            with recorder.batch(
                {"entity": ENTITY_PERSON, "page": page.number},
                label=f"Elever, sida {page.number}",
            ) as work:
                _persons_page(context, page.data, work)
        for page in context.pages("/grades", modified, entity=ENTITY_GRADE):
            with recorder.batch(
                {"entity": ENTITY_GRADE, "page": page.number},
                label=f"Betyg, sida {page.number}",
            ) as work:
                _grades_page(context, page.data, work)
        for page in context.pages(
            "/groups",
            {spec.PARAM_GROUP_TYPE: list(GROUP_TYPES_IMPORTED), **modified},
            entity=ENTITY_GROUP,
        ):
            with recorder.batch(
                {"entity": ENTITY_GROUP, "page": page.number},
                label=f"Grupper, sida {page.number}",
            ) as work:
                _groups_page(context, page.data, work)
        _attendance_import(context)
    except BaseException as error:
        run = recorder.fail(error)
        recorder.write(f"Importen avbröts: {run.counts.get('error')}")
        # What a server or the database can do to a run is recorded and returned; anything
        # else is a bug or an interrupt, recorded and raised.
        if not isinstance(error, SS12000Error | ImportFailed | DatabaseError):
            raise
        return run
    cursor = "" if context.truncated else (started - INCREMENTAL_OVERLAP).isoformat()
    run = recorder.finish(cursor=cursor, truncated=context.truncated)
    recorder.write(
        "Klart: "
        + "; ".join(
            f"{entity}: {counts.summary()}" for entity, counts in sorted(recorder.totals.items())
        )
    )
    return run


# --- Organisations -------------------------------------------------------------------------


def _organisations_import(context: _Context) -> None:
    pages = list(context.pages("/organisations", entity=ENTITY_ORGANISATION))
    records: list[tuple[int, mapping.OrganisationRecord | None, dict]] = []
    for page in pages:
        for raw in page.data:
            try:
                records.append((page.number, mapping.organisation_parse(raw), raw))
            except RecordError as error:
                records.append((page.number, None, {"error": error, "raw": raw}))
    if context.organiser is None:
        context.recorder.position = {"entity": ENTITY_ORGANISATION, "step": "huvudman"}
        context.organiser = _organiser_find(
            [record for _number, record, _raw in records if record is not None]
        )
    organiser = context.organiser
    for page in pages:
        with context.recorder.batch(
            {"entity": ENTITY_ORGANISATION, "page": page.number},
            label=f"Organisationer, sida {page.number}",
        ) as work:
            page_records = [(r, raw) for number, r, raw in records if number == page.number]
            _organisations_page(context, organiser, page_records, work)


def _organiser_find(records: list[mapping.OrganisationRecord]) -> Organisation:
    numbers = {
        normalize_organisation_number(record.organisation_number)
        for record in records
        if record.organisation_type == spec.ORGANISATION_ORGANISER and record.organisation_number
    } - {None}
    matches = list(
        Organisation.objects.filter(
            kind=OrganisationKind.SCHOOL_ORGANISER, organisation_number__in=numbers
        )
    )
    if not matches:
        raise ImportFailed(ERROR_NO_ORGANISER)
    if len(matches) > 1:
        raise ImportFailed(ERROR_MANY_ORGANISERS)
    return matches[0]


def _organisations_page(
    context: _Context,
    organiser: Organisation,
    records: list[tuple[mapping.OrganisationRecord | None, dict]],
    work: PageWork,
) -> None:
    counts = work.counts[ENTITY_ORGANISATION]
    codes = [
        record.school_unit_code for record, _raw in records if record and record.school_unit_code
    ]
    existing = {
        org.school_unit_code: org for org in Organisation.objects.filter(school_unit_code__in=codes)
    }
    for record, raw in records:
        if record is None:
            error = raw["error"]
            work.reject(
                ENTITY_ORGANISATION,
                record=mapping.record_id(raw["raw"]),
                field=error.field,
                reason=error.reason,
            )
            continue
        if not record.school_unit_code:
            work.skip(ENTITY_ORGANISATION, reason=mapping.REASON_NOT_SCHOOL_UNIT)
            continue
        org = existing.get(record.school_unit_code)
        if org is None:
            org = Organisation(
                name=record.name,
                kind=OrganisationKind.SCHOOL_UNIT,
                parent=organiser,
                municipality_code=record.municipality_code or organiser.municipality_code,
                school_unit_code=record.school_unit_code,
            )
            org.full_clean()
            org.save()
            existing[org.school_unit_code] = org
            counts.created += 1
        elif org.kind != OrganisationKind.SCHOOL_UNIT or org.parent_id != organiser.pk:
            work.reject(
                ENTITY_ORGANISATION,
                record=record.id,
                field="schoolUnitCode",
                reason=REASON_OTHER_ORGANISER,
            )
            continue
        else:
            changed = []
            if org.name != record.name:
                org.name = record.name
                changed.append("name")
            if record.municipality_code and org.municipality_code != record.municipality_code:
                org.municipality_code = record.municipality_code
                changed.append("municipality_code")
            if changed:
                org.save(update_fields=changed)
                counts.updated += 1
            else:
                counts.unchanged += 1
        context.school_units[record.id] = org


# --- Syllabuses ----------------------------------------------------------------------------


def _syllabuses_load(context: _Context) -> None:
    for page in context.pages("/syllabuses", entity="syllabuses"):
        for raw in page.data:
            key = mapping.record_id(raw)
            try:
                record = mapping.syllabus_parse(raw)
            except RecordError as error:
                if key:
                    context.syllabuses[key] = error
                continue
            context.syllabuses[record.id] = record
    context.recorder.write(f"Kursplaner: {len(context.syllabuses)}")


# --- Persons and enrolments ------------------------------------------------------------------


def _links(uuids: Iterable[str]) -> dict[str, int]:
    return dict(
        SourcePersonId.objects.filter(source=SOURCE, external_id__in=set(uuids)).values_list(
            "external_id", "person_id"
        )
    )


def _persons_page(context: _Context, data: list[Any], work: PageWork) -> None:
    parsed: list[mapping.PersonRecord] = []
    for raw in data:
        try:
            parsed.append(mapping.person_parse(raw, today=context.today))
        except RecordError as error:
            work.reject(
                ENTITY_PERSON, record=mapping.record_id(raw), field=error.field, reason=error.reason
            )
    links = _links(record.id for record in parsed)
    numbers = {record.identity.normalized for record in parsed}
    by_number = persons_by_personnummer(numbers)
    by_pk = {p.pk: p for p in by_number.values()}
    missing = set(links.values()) - set(by_pk)
    for person in Person.objects.filter(pk__in=missing):
        by_pk[person.pk] = person

    to_create: dict[int, Person] = {}
    to_update: dict[int, Person] = {}
    new_links: list[SourcePersonId] = []
    page_links: dict[str, Person] = {}
    accepted: list[tuple[mapping.PersonRecord, Person]] = []
    counts = work.counts[ENTITY_PERSON]
    for record in parsed:
        number = record.identity.normalized
        linked = page_links.get(record.id) or by_pk.get(links.get(record.id, -1))
        numbered = by_number.get(number)
        if linked is not None and numbered is not None and linked is not numbered:
            work.reject(
                ENTITY_PERSON,
                record=record.id,
                field="civicNo.value",
                reason=REASON_IDENTITY_CONFLICT,
            )
            continue
        person = linked or numbered
        if person is None:
            person = Person(gender=_GENDER_FROM_SEX.get(record.sex or "", Gender.NOT_STATED))
            _person_apply(person, record)
            to_create[id(person)] = person
            counts.created += 1
        else:
            if person.pk is not None and person.personal_identity_number != number:
                # The same pupil under a new number: a samordningsnummer replaced by a
                # personnummer keeps the transfer id.
                by_number.pop(person.personal_identity_number, None)
            changed = _person_apply(person, record)
            if id(person) in to_create:
                counts.unchanged += 1  # a second record for a person new on this page
            elif changed:
                to_update[id(person)] = person
                counts.updated += 1
            else:
                counts.unchanged += 1
        by_number[number] = person
        if record.id not in links and record.id not in page_links:
            new_links.append(SourcePersonId(person=person, source=SOURCE, external_id=record.id))
        page_links[record.id] = person
        accepted.append((record, person))

    Person.objects.bulk_create(list(to_create.values()))
    if to_update:
        now = timezone.now()
        for person in to_update.values():
            person.updated_at = now
        Person.objects.bulk_update(list(to_update.values()), [*_PERSON_FIELDS, "updated_at"])
    SourcePersonId.objects.bulk_create(new_links)
    for person in to_create.values():
        work.person_changed(person.pk, created=True)
    for person in to_update.values():
        work.person_changed(person.pk)
    _enrolments_write(context, accepted, work)


def _person_apply(person: Person, record: mapping.PersonRecord) -> bool:
    """Copy what the record says onto ``person``; True when a value changed.

    What the record leaves out stays as it is (a school system that sends no e-mail has
    not said the person has none). Gender is set only for a new person: the school's
    register holds legal sex, and what the person has told us comes first.
    """
    identity = record.identity
    values: dict[str, Any] = {
        "personal_identity_number": identity.normalized,
        "is_coordination_number": identity.is_coordination_number,
        "date_of_birth": identity.date_of_birth,
        "given_name": record.given_name,
        "family_name": record.family_name,
    }
    if record.security_marking is not None:
        values["protected_identity"] = record.security_marking == spec.SECURITY_PROTECTED
        values["confidentiality_marking"] = record.security_marking == spec.SECURITY_CONFIDENTIAL
    protected = values.get("protected_identity", person.protected_identity) or values.get(
        "confidentiality_marking", person.confidentiality_marking
    )
    address = record.address
    if address is not None and address.municipality_code:
        values["home_municipality_code"] = address.municipality_code
    if protected:
        # Skyddad folkbokföring and sekretessmarkering: the address is never stored, and
        # one stored before the marking came is removed.
        values.update(street_address="", postal_code="", city="")
    elif address is not None:
        values.update(
            street_address=address.street, postal_code=address.postal_code, city=address.city
        )
    if record.phone is not None:
        values["phone"] = record.phone
    if record.email is not None:
        values["email"] = record.email
    changed = False
    for name, value in values.items():
        if getattr(person, name) != value:
            setattr(person, name, value)
            changed = True
    return changed


def _enrolments_write(
    context: _Context, accepted: list[tuple[mapping.PersonRecord, Person]], work: PageWork
) -> None:
    counts = work.counts[ENTITY_ENROLMENT]
    rows: dict[str, Enrolment] = {}
    for record, person in accepted:
        for problem in record.enrolment_problems:
            if problem.skipped:
                work.skip(ENTITY_ENROLMENT, reason=problem.reason)
            else:
                work.reject(
                    ENTITY_ENROLMENT,
                    record=f"{record.id} enrolments[{problem.index}]",
                    field=problem.field,
                    reason=problem.reason,
                )
        for enrolment in record.enrolments:
            school_unit = context.school_units.get(enrolment.school_unit_id)
            where = f"{record.id} enrolments[{enrolment.index}]"
            if school_unit is None:
                work.reject(
                    ENTITY_ENROLMENT,
                    record=where,
                    field=f"enrolments[{enrolment.index}].enroledAt.id",
                    reason=REASON_UNKNOWN_SCHOOL_UNIT,
                )
                continue
            key = mapping.enrolment_key(
                person_id=record.id,
                school_type=enrolment.school_type,
                school_unit_id=enrolment.school_unit_id,
                start=enrolment.start_date,
            )
            if key in rows:
                work.reject(
                    ENTITY_ENROLMENT,
                    record=where,
                    field=f"enrolments[{enrolment.index}]",
                    reason=REASON_DUPLICATE_ENROLMENT,
                )
                continue
            rows[key] = Enrolment(
                person=person,
                school_unit=school_unit,
                school_type=enrolment.school_type,
                school_year=enrolment.school_year,
                programme=enrolment.programme,
                start_date=enrolment.start_date,
                end_date=enrolment.end_date,
                end_reason=(
                    END_REASON_CANCELLED if enrolment.cancelled and enrolment.end_date else ""
                ),
                external_id=key,
            )
    if not rows:
        return
    existing = Enrolment.objects.in_bulk(list(rows), field_name="external_id")
    # An enrolment recorded before this source knew it (by hand, from a CSV file, or by a
    # previous system) is adopted rather than doubled: same person, school unit, school
    # type and start date.
    person_ids = {
        row.person.pk for key, row in rows.items() if key not in existing and row.person.pk
    }
    unkeyed = {
        (row.person_id, row.school_unit_id, row.school_type, row.start_date): row
        for row in Enrolment.objects.filter(person_id__in=person_ids, external_id__isnull=True)
    }
    for key, row in rows.items():
        if key in existing:
            old = existing[key]
        else:
            old = unkeyed.pop(
                (row.person.pk, row.school_unit.pk, row.school_type, row.start_date), None
            )
            if old is None:
                continue
            existing[key] = old
        # The source tells only whether an enrolment was broken off; a reason recorded
        # in Lotsen (an examen, a studiebevis) stays while the enrolment stays ended.
        if row.end_date is not None and not row.end_reason:
            row.end_reason = old.end_reason
    result = rows_upsert(
        model=Enrolment, rows=list(rows.values()), fields=_ENROLMENT_FIELDS, existing=existing
    )
    counts_add(counts, result)
    for row in (*result.created, *result.updated):
        work.person_changed(row.person_id)


# --- Grades ----------------------------------------------------------------------------------


def _grades_page(context: _Context, data: list[Any], work: PageWork) -> None:
    parsed: list[mapping.GradeRecord] = []
    for raw in data:
        try:
            parsed.append(mapping.grade_parse(raw))
        except RecordError as error:
            work.reject(
                ENTITY_GRADE, record=mapping.record_id(raw), field=error.field, reason=error.reason
            )
    links = _links(record.student_id for record in parsed)
    rows: dict[str, Grade] = {}
    for record in parsed:
        person_id = links.get(record.student_id)
        if person_id is None:
            work.reject(
                ENTITY_GRADE, record=record.id, field="student.id", reason=REASON_UNKNOWN_STUDENT
            )
            continue
        syllabus = context.syllabuses.get(record.syllabus_id)
        if syllabus is None:
            work.reject(
                ENTITY_GRADE, record=record.id, field="syllabus.id", reason=REASON_UNKNOWN_SYLLABUS
            )
            continue
        if isinstance(syllabus, RecordError):
            work.reject(
                ENTITY_GRADE,
                record=record.id,
                field="syllabus.id",
                reason=REASON_BAD_SYLLABUS.format(field=syllabus.field, reason=syllabus.reason),
            )
            continue
        if record.id in rows:
            work.reject(ENTITY_GRADE, record=record.id, field="id", reason=REASON_DUPLICATE)
            continue
        school_unit = context.school_units.get(record.school_unit_id or "")
        rows[record.id] = Grade(
            person_id=person_id,
            school_unit=school_unit,
            subject_code=syllabus.subject_code,
            course_code=syllabus.course_code,
            points=syllabus.points,
            value=record.value,
            kind=GradeKind.FINAL if record.final else GradeKind.TERM,
            semester=record.semester,
            year=record.year,
            registered_on=record.registered_on,
            external_id=record.id,
        )
    result = rows_upsert(model=Grade, rows=list(rows.values()), fields=GRADE_IMPORT_FIELDS)
    counts_add(work.counts[ENTITY_GRADE], result)
    for row in (*result.created, *result.updated):
        work.person_changed(row.person_id)


# --- Groups ----------------------------------------------------------------------------------

_GROUP_FIELDS = (
    "school_unit",
    "name",
    "group_type",
    "school_type",
    "start_date",
    "end_date",
    "external_id",
)


def _groups_page(context: _Context, data: list[Any], work: PageWork) -> None:
    parsed: list[mapping.GroupRecord] = []
    seen: set[str] = set()
    for raw in data:
        try:
            record = mapping.group_parse(raw)
        except RecordError as error:
            work.reject(
                ENTITY_GROUP, record=mapping.record_id(raw), field=error.field, reason=error.reason
            )
            continue
        if record.id in seen:
            work.reject(ENTITY_GROUP, record=record.id, field="id", reason=REASON_DUPLICATE)
            continue
        school_unit = context.school_units.get(record.school_unit_id)
        if school_unit is None:
            work.reject(
                ENTITY_GROUP,
                record=record.id,
                field="organisation.id",
                reason=REASON_UNKNOWN_SCHOOL_UNIT,
            )
            continue
        seen.add(record.id)
        parsed.append(record)
    links = _links(member.person_id for record in parsed for member in record.members)
    rows = [
        Group(
            school_unit=context.school_units[record.school_unit_id],
            name=record.name,
            group_type=record.group_type,
            school_type=record.school_type,
            start_date=record.start_date,
            end_date=record.end_date,
            external_id=record.id,
        )
        for record in parsed
    ]
    result = rows_upsert(model=Group, rows=rows, fields=_GROUP_FIELDS)
    counts_add(work.counts[ENTITY_GROUP], result)
    groups = Group.objects.in_bulk([record.id for record in parsed], field_name="external_id")
    wanted: dict[int, set[tuple[int, dt.date | None, dt.date | None]]] = {}
    for record in parsed:
        for problem in record.member_problems:
            work.reject(
                ENTITY_GROUP_MEMBERSHIP,
                record=record.id,
                field=problem.field,
                reason=problem.reason,
            )
        members = wanted.setdefault(groups[record.id].pk, set())
        for member in record.members:
            person_id = links.get(member.person_id)
            if person_id is None:
                work.reject(
                    ENTITY_GROUP_MEMBERSHIP,
                    record=record.id,
                    field=f"groupMemberships[{member.index}].person.id",
                    reason=REASON_UNKNOWN_MEMBER,
                )
                continue
            members.add((person_id, member.start_date, member.end_date))
    group_memberships_sync(wanted, work)


def group_memberships_sync(
    wanted: dict[int, set[tuple[int, dt.date | None, dt.date | None]]],
    work: PageWork,
    *,
    entity: str = ENTITY_GROUP_MEMBERSHIP,
) -> None:
    """Make each group's memberships what the source says: the source lists all of a
    group's members, so a membership no longer listed is removed, and an equal one stays.
    ``wanted``: group pk → {(person pk, start, end)}."""
    counts = work.counts[entity]
    existing: dict[int, dict[tuple, int]] = {pk: {} for pk in wanted}
    for row in GroupMembership.objects.filter(group_id__in=list(wanted)):
        existing[row.group_id][(row.person_id, row.start_date, row.end_date)] = row.pk
    stale: list[int] = []
    new: list[GroupMembership] = []
    for group_id, members in wanted.items():
        have = existing[group_id]
        stale += [pk for key, pk in have.items() if key not in members]
        for key in members:
            if key in have:
                counts.unchanged += 1
            else:
                person_id, start, end = key
                new.append(
                    GroupMembership(
                        group_id=group_id, person_id=person_id, start_date=start, end_date=end
                    )
                )
    if stale:
        removed = GroupMembership.objects.filter(pk__in=stale)
        for person_id in set(removed.values_list("person_id", flat=True)):
            work.person_changed(person_id)
        removed.delete()
        # A run's counts know no "deleted": a removed membership is a change of its group.
        counts.updated += len(stale)
    GroupMembership.objects.bulk_create(new)
    counts.created += len(new)
    for person_id in {row.person_id for row in new}:
        work.person_changed(person_id)


# --- Aggregated attendance ---------------------------------------------------------------------


@dataclass
class _Sums:
    attended: int = 0
    valid: int = 0
    invalid: int = 0
    offered: int = 0


def _attendance_import(context: _Context) -> None:
    periods = attendance_periods(context.today)
    for start, end in periods:
        for school_uuid, school_unit in context.school_units.items():
            _attendance_period(context, start, end, school_uuid, school_unit)


def _attendance_period(
    context: _Context, start: dt.date, end: dt.date, school_uuid: str, school_unit: Organisation
) -> None:
    """All pages of one period at one school unit, then one transaction: a pupil's minutes
    are spread over activities, and those can span pages."""
    sums: dict[str, _Sums] = {}
    problems: list[tuple[str, str, str]] = []
    params = {
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "organisation": school_uuid,
    }
    where = {"period": start.isoformat(), "school_unit": school_unit.school_unit_code}
    for page in context.pages("/aggregatedAttendance", params, entity=ENTITY_ATTENDANCE, **where):
        for raw in page.data:
            try:
                record = mapping.attendance_parse(raw)
            except RecordError as error:
                problems.append((_student_id(raw), error.field, error.reason))
                continue
            if record.start_date < start or record.end_date > end:
                problems.append(
                    (
                        record.student_id,
                        "startDate",
                        REASON_OUTSIDE_PERIOD.format(start=start.isoformat(), end=end.isoformat()),
                    )
                )
                continue
            total = sums.setdefault(record.student_id, _Sums())
            total.attended += record.attended
            total.valid += record.valid_absence
            total.invalid += record.invalid_absence
            if record.offered is not None:
                total.offered += record.offered
            else:
                total.offered += record.attended + record.valid_absence + record.invalid_absence
    if not sums and not problems:
        return
    label = f"Närvaro {start.isoformat()} – {end.isoformat()}, {school_unit.name}"
    with context.recorder.batch(
        {
            "entity": ENTITY_ATTENDANCE,
            "period": start.isoformat(),
            "school_unit": school_unit.school_unit_code,
        },
        label=label,
    ) as work:
        for student_id, field_name, reason in problems:
            work.reject(ENTITY_ATTENDANCE, record=student_id, field=field_name, reason=reason)
        links = _links(sums)
        rows = []
        for student_id, total in sums.items():
            person_id = links.get(student_id)
            if person_id is None:
                work.reject(
                    ENTITY_ATTENDANCE,
                    record=student_id,
                    field="student.id",
                    reason=REASON_UNKNOWN_STUDENT,
                )
                continue
            if max(total.offered, total.attended) > mapping.MAX_MINUTES:
                work.reject(
                    ENTITY_ATTENDANCE,
                    record=student_id,
                    field="offeredSum",
                    reason=REASON_TOO_LARGE,
                )
                continue
            if total.valid + total.invalid > total.offered:
                work.reject(
                    ENTITY_ATTENDANCE,
                    record=student_id,
                    field="offeredSum",
                    reason=mapping.REASON_SUMS,
                )
                continue
            rows.append(
                AttendancePeriod(
                    person_id=person_id,
                    school_unit=school_unit,
                    start_date=start,
                    end_date=end,
                    offered_minutes=total.offered,
                    attended_minutes=total.attended,
                    valid_absence_minutes=total.valid,
                    invalid_absence_minutes=total.invalid,
                    external_id=mapping.attendance_key(
                        student_id=student_id,
                        school_unit_code=school_unit.school_unit_code,
                        start=start,
                        end=end,
                    ),
                )
            )
        result = rows_upsert(model=AttendancePeriod, rows=rows, fields=_ATTENDANCE_FIELDS)
        counts_add(work.counts[ENTITY_ATTENDANCE], result)
        for row in (*result.created, *result.updated):
            work.person_changed(row.person_id)


def _student_id(raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("student"), dict):
        return mapping.record_id(raw["student"])
    return ""
