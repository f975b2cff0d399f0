"""Synthetic demo data: one fictional municipality with its schools, partners, staff and
young people, so that every role has something real-looking to work with.

Everything here is made up. The municipality code 1999 and its neighbour 1998 belong to
no Swedish municipality, phone numbers come from the range PTS reserves for fiction, and
e-mail addresses use the reserved domain example.com. Personnummer are valid (checksum,
date) because the rest of the system rejects anything else, so the same number could
belong to a real person: demo data never leaves a demo installation.

The demo also holds the school data a school system would have delivered over SS 12000:
term and final grades in compulsory school, course grades in upper-secondary school,
aggregated attendance per four-week period, and the SS 12000 ids of pupils, enrolments
and grades. ``lotsen ss12000 serve`` serves exactly the same data (see "School data"
below), so importing from it into the demo changes nothing.

The output is a function of ``seed``, ``size`` and ``today`` only. Persons are generated
lazily and written batch by batch, and their grades in chunks, so a national-scale run
(``size=1_000_000``) uses the same memory as the default one.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import random
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from lotsen.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from lotsen.accounts.services import organisation_create
from lotsen.demo import names
from lotsen.earlywarning.scoring import (
    END_REASON_DROPPED_OUT,
    END_REASON_EXAMEN,
    END_REASON_GYMNASIEINTYG,
    END_REASON_STUDIEBEVIS,
)
from lotsen.ingest.upsert import tables_analyze, values_insert
from lotsen.people.identity import luhn_check_digit, make_identity_number
from lotsen.people.models import Gender, Guardian, Person
from lotsen.privacy.models import Category, Consent, ConsentCategory, ConsentGiver
from lotsen.school.models import (
    AttendancePeriod,
    Enrolment,
    Grade,
    Group,
    GroupMembership,
    GroupType,
    SchoolType,
    SourcePersonId,
)
from lotsen.school.ss12000.mapping import attendance_key, enrolment_key
from lotsen.school.ss12000.periods import (
    PERIOD_DAYS,
    attendance_periods,
    school_weeks,
    school_year_end,
    school_year_start,
)

DEMO_MUNICIPALITY_NAME = "Exempelkommun"
DEMO_MUNICIPALITY_CODE = "1999"
# Pupils who live in the neighbouring municipality but go to school here: the activity
# responsibility for them lies with their home municipality, not with ours.
DEMO_NEIGHBOUR_MUNICIPALITY_CODE = "1998"
DEMO_REGION_NAME = "Region Exempel"
DEMO_ORGANISER_NAME = "Exempelkommuns skolförvaltning"
DEMO_COMPULSORY_SCHOOLS = ("Björkskolan", "Ekbackens skola", "Tallåsskolan")
DEMO_UPPER_SECONDARY_SCHOOLS = ("Exempelgymnasiet", "Kunskapsgymnasiet Exempel")
# A larger municipality has more school units, not larger ones: one compulsory school per
# this many persons of the demo (its years 7–9 then hold about 500 pupils) and one
# upper-secondary school per twice as many (about 1,000 pupils), beyond the named schools.
# Without them every pupil of a 50,000-person municipality went to five schools, and every
# school's page (a mentor's inbox, the signals of a school) grew with the municipality.
DEMO_PERSONS_PER_COMPULSORY_SCHOOL = 3_000
DEMO_PERSONS_PER_UPPER_SECONDARY_SCHOOL = 6_000
DEMO_SOCIAL_SERVICES_NAME = "Socialtjänsten i Exempelkommun"
DEMO_HEALTH_CARE_NAME = "Ungdomsmottagningen Region Exempel"
DEMO_EMPLOYMENT_SERVICE_NAME = "Arbetsförmedlingen Exempel"
DEMO_CITY = "Exempelstad"
DEMO_NEIGHBOUR_CITY = "Grannby"

DEFAULT_SIZE = 2000
DEFAULT_SEED = 2026
DEFAULT_BATCH_SIZE = 5000

# (username, role, organisation, what the login shows). The young person logs in without
# a membership: their link to their own record is what gives them their role.
DEMO_USERS: list[tuple[str, str, str, str]] = [
    (
        "admin",
        Role.SYSTEM_ADMIN.value,
        DEMO_MUNICIPALITY_NAME,
        "Systemadministratör: sköter organisationer och användare, ser inga uppgifter om unga.",
    ),
    (
        "orgadmin",
        Role.ORGANISATION_ADMIN.value,
        DEMO_MUNICIPALITY_NAME,
        "Administratör i Exempelkommun: delar ut roller till kommunens medarbetare.",
    ),
    (
        "kaa",
        Role.KAA_COORDINATOR.value,
        DEMO_MUNICIPALITY_NAME,
        "KAA-samordnare: ser alla unga som är folkbokförda i Exempelkommun.",
    ),
    (
        "mentor",
        Role.MENTOR.value,
        "Björkskolan",
        "Mentor på Björkskolan: ser skolans inskrivna elever.",
    ),
    (
        "elevhalsa",
        Role.STUDENT_HEALTH.value,
        "Björkskolan",
        "Elevhälsan på Björkskolan: ser skolans inskrivna elever.",
    ),
    (
        "mentorgy",
        Role.MENTOR.value,
        "Exempelgymnasiet",
        "Mentor på Exempelgymnasiet: ser skolans elever, bland dem den unga i demon, "
        "och öppnar ärenden för samordnat stöd.",
    ),
    (
        "syv",
        Role.COUNSELLOR.value,
        "Exempelgymnasiet",
        "Studie- och yrkesvägledare på Exempelgymnasiet: ser skolans inskrivna elever.",
    ),
    (
        "coach",
        Role.CASE_WORKER.value,
        DEMO_SOCIAL_SERVICES_NAME,
        "Coach på socialtjänsten: ser bara unga som har samtyckt till det.",
    ),
    (
        "projektledare",
        Role.PROJECT_LEADER.value,
        DEMO_REGION_NAME,
        "Projektledare i Region Exempel: följer upp programmet, ser bara deltagarnas "
        "projektuppgifter.",
    ),
    (
        "utvarderare",
        Role.EVALUATOR.value,
        DEMO_REGION_NAME,
        "Utvärderare: ser bara pseudonymiserade uppgifter, aldrig namn.",
    ),
    (
        "ung",
        Role.YOUNG_PERSON.value,
        "",
        "En ung person, 17 år, på Exempelgymnasiet: ser sina egna uppgifter och vem som läst dem.",
    ),
]
DEMO_USERNAMES = tuple(user[0] for user in DEMO_USERS)

_STAFF_NAMES: dict[str, tuple[str, str]] = {
    "admin": ("Sara", "Lindvall"),
    "orgadmin": ("Johan", "Ekstedt"),
    "kaa": ("Leila", "Haddad"),
    "mentor": ("Per", "Holmgren"),
    "elevhalsa": ("Karin", "Nyblom"),
    "mentorgy": ("Maja", "Sundin"),
    "syv": ("Ahmed", "Yusuf"),
    "coach": ("Emma", "Falkner"),
    "projektledare": ("Lars", "Wennberg"),
    "utvarderare": ("Ingrid", "Dahlén"),
}

ERROR_DEMO_EXISTS = (
    "Demodata finns redan (Exempelkommun, kommunkod 1999). "
    "Använd --if-empty för att hoppa över, eller börja med en tom databas."
)
ERROR_USERS_EXIST = "Demoanvändarna finns redan: {usernames}. Börja med en tom databas."
ERROR_SIZE = "Antalet unga (--size) måste vara mellan 1 och {capacity}."
ERROR_BATCH_SIZE = "Batchstorleken (--batch-size) måste vara minst 1."

# Ordinals with fixed traits, so every demo (whatever the seed and size) has the young
# person who logs in, a protected person the KAA coordinator sees, and a pupil at the
# mentor's school.
_YOUNG_PERSON_ORDINAL = 0
_PROTECTED_ORDINAL = 1
_MENTOR_PUPIL_ORDINAL = 2
_FIXED_ORDINALS = 3

_GENDER_WEIGHTS = (
    (Gender.WOMAN, 49),
    (Gender.MAN, 49),
    (Gender.OTHER, 1),
    (Gender.NOT_STATED, 1),
)

_HF, _YP, _IM = "HF", "YP", "IM"
# Programme type in year 1 by gender: Skolverket, pupils leaving year 9 in spring 2021 who
# went straight on (calibration stats, transition_after_grade9_2021). Those outside the
# two-gender statistics get the shares of all pupils in 2023/24
# (gymnasieskolan_pupils_2023_24_prelim: 222,700 HF, 107,300 YP, 36,600 IM).
_TRACK_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    Gender.WOMAN: ((_HF, 67), (_YP, 22), (_IM, 10)),
    Gender.MAN: ((_HF, 56), (_YP, 30), (_IM, 11)),
}
_TRACK_WEIGHTS_ALL = ((_HF, 222.7), (_YP, 107.3), (_IM, 36.6))
# Rough relative sizes of the national programmes; enough for a plausible mix, not sourced.
_HF_PROGRAMMES = (("SA", 30), ("EK", 25), ("NA", 22), ("TE", 15), ("ES", 5), ("HU", 3))
_YP_PROGRAMMES = (
    ("EE", 14),
    ("VO", 12),
    ("FT", 11),
    ("BA", 10),
    ("BF", 10),
    ("HA", 9),
    ("HV", 6),
    ("NB", 6),
    ("RL", 5),
    ("IN", 5),
    ("VF", 5),
    ("HT", 3),
)
_IM_PROGRAMME = "IM"
# Kunskapsgymnasiet offers only the large higher-education preparatory programmes;
# Exempelgymnasiet offers every programme, including the introduction programmes.
_SECOND_SCHOOL_PROGRAMMES = frozenset({"NA", "SA", "EK", "TE"})
_COMPULSORY_WEIGHTS = (40, 35, 25)

# Share of each year group not in upper-secondary school, by grade index (10 = the year
# group in year 1). Just under 2 % do not go straight on from year 9 (Skolverket 2021);
# dropping out adds to that in later years.
_NOT_IN_UPPER_SECONDARY = {10: 0.02, 11: 0.03, 12: 0.04}
_NEVER_STARTED_SHARE = 0.35
# Of those who would have finished by now: never started upper secondary.
_NEVER_STARTED_EARLIER = 0.02
# Of the same: left upper secondary without finishing, about 7 % on average. Who leaves
# depends on what the school knew (``_Population._dropout_chance``):
# log-odds −0.9 per standard deviation of ability and +0.8 with a habit of high absence,
# with the intercept chosen so that the average chance stays 0.07 / 0.98 among those who
# started (the average over the ability distribution and the high-absence share, computed
# numerically once).
_DROPOUT_SHARE = 0.07
_DROPOUT_ABILITY = -0.9
_DROPOUT_HIGH_ABSENCE = 0.8
_DROPOUT_INTERCEPT = -3.078

# Why an enrolment ended. The activity responsibility turns on the difference: a
# gymnasieexamen ends it, a studiebevis or a gymnasieintyg (introduction programmes) does
# not (skollagen 29 kap. 9 §; SKR: "Studiebevis är inte tillräckligt").
# The upper-secondary words are the early-warning model's outcome words, taken from it so
# that the demo's history labels as the model reads it.
END_REASON_YEAR_9 = "Avslutat årskurs 9"
# Of those on a national programme who are still there at the end of year 3, the share
# leaving with an examen: 78 % take one within three years (SKR, Öppna jämförelser 2021)
# and about 9 % have already dropped out here, so 0.78 / 0.91.
_EXAMEN_SHARE = 0.86

_SERIALS_PER_DAY = 999
# Walking the serials with a step coprime to 999 spreads them over the whole range, so
# the demo does not show rows of consecutive numbers.
_SERIAL_STEP = 401

# PTS reserves 070-174 06 05 – 070-174 06 99 for fiction: no demo number can ring anyone.
_PHONE_FIRST, _PHONE_LAST = 5, 99

_EVIDENCE = (
    "Skriftligt samtycke på blankett, inskannat.",
    "Muntligt samtycke vid möte, antecknat av handläggaren.",
    "Samtycke i e-tjänst med e-legitimation.",
)


class DemoError(Exception):
    """The demo cannot be built; ``str()`` says why, in Swedish."""


class _Writer(Protocol):
    def write(self, text: str) -> object: ...


@dataclass
class DemoSummary:
    organisations: int = 0
    users: int = 0
    persons: int = 0
    protected: int = 0
    coordination_numbers: int = 0
    guardians: int = 0
    enrolments_current: int = 0
    enrolments_ended: int = 0
    kaa_cohort: int = 0
    consents_active: int = 0
    consents_expired: int = 0
    consents_withdrawn: int = 0
    grades: int = 0
    attendance_periods: int = 0


@dataclass(frozen=True)
class _DemoOrganisations:
    region: Organisation
    municipality: Organisation
    organiser: Organisation
    compulsory: tuple[Organisation, ...]
    upper_secondary: tuple[Organisation, ...]
    social_services: Organisation
    health_care: Organisation
    employment_service: Organisation

    def all(self) -> list[Organisation]:
        return [
            self.region,
            self.municipality,
            self.organiser,
            *self.compulsory,
            *self.upper_secondary,
            self.social_services,
            self.health_care,
            self.employment_service,
        ]

    def by_name(self, name: str) -> Organisation:
        return next(org for org in self.all() if org.name == name)


@dataclass
class _Draft:
    """One young person and the rows that hang on them, before anything has a pk."""

    person: Person
    guardians: list[Guardian]
    enrolments: list[Enrolment]
    consent: Consent | None = None
    consent_state: str = ""
    consent_organisation_ids: tuple[int, ...] = ()
    consent_categories: tuple[str, ...] = ()
    in_kaa_cohort: bool = False
    facts: SchoolFacts | None = None


@dataclass
class _Schooling:
    enrolments: list[Enrolment] = field(default_factory=list)
    in_school_now: bool = False
    has_examen: bool = False


def demo_exists() -> bool:
    return Organisation.objects.filter(
        kind=OrganisationKind.MUNICIPALITY, municipality_code=DEMO_MUNICIPALITY_CODE
    ).exists()


# Up to this size the whole demo is one transaction, so a crash leaves nothing behind and
# `lotsen demo --if-empty` never mistakes a half-built demo for a finished one. Larger,
# benchmark-sized runs commit batch by batch to keep memory and locks bounded.
WHOLE_TRANSACTION_LIMIT = 50_000


def demo_build(*, size: int = DEFAULT_SIZE, **kwargs) -> DemoSummary:
    if size <= WHOLE_TRANSACTION_LIMIT:
        with transaction.atomic():
            return _demo_build(size=size, **kwargs)
    return _demo_build(size=size, **kwargs)


def _demo_build(
    *,
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    batch_size: int = DEFAULT_BATCH_SIZE,
    stdout: _Writer | None = None,
    today: dt.date | None = None,
    school_data: bool = True,
) -> DemoSummary:
    """Build the demo in an empty database: organisations and staff in one transaction,
    then the young people in transactions of ``batch_size`` persons each.

    ``school_data`` adds what a school system would have sent over SS 12000: the pupils'
    transfer ids, the ids of their enrolments, grades and aggregated attendance. Without
    it the demo looks like a municipality that has not imported school data yet."""
    today = today or timezone.localdate()
    capacity = _capacity(today)
    if not 1 <= size <= capacity:
        raise DemoError(ERROR_SIZE.format(capacity=capacity))
    if batch_size < 1:
        raise DemoError(ERROR_BATCH_SIZE)
    if demo_exists():
        raise DemoError(ERROR_DEMO_EXISTS)
    taken = sorted(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    if taken:
        raise DemoError(ERROR_USERS_EXIST.format(usernames=", ".join(taken)))

    # One hash for every demo login: hashing is deliberately slow, and they share a password.
    password_hash = make_password(settings.LOTSEN_DEMO_PASSWORD)
    summary = DemoSummary()
    with transaction.atomic():
        organisations = _organisations_create(size=size)
        staff = _staff_create(organisations=organisations, password_hash=password_hash)
    summary.organisations = len(organisations.all())
    summary.users = len(staff)

    population = _Population(
        seed=seed,
        size=size,
        today=today,
        organisations=organisations,
        coach_id=staff["coach"].pk,
    )
    drafts = population.drafts()
    while batch := list(islice(drafts, batch_size)):
        with transaction.atomic():
            _batch_save(batch, summary, school_data=school_data, today=today)
            if summary.persons == 0:
                _young_person_user_create(person=batch[0].person, password_hash=password_hash)
                summary.users += 1
        summary.persons += len(batch)
        if stdout is not None:
            stdout.write(f"Personer: {summary.persons}/{size}\n")
    demo_tables_analyze()
    return summary


def demo_tables_analyze() -> None:
    """PostgreSQL's planner statistics for every table the demo filled. Without them the
    signals and scoring that follow, and every page until autovacuum catches up (never,
    where it is off), are planned for empty tables: the mentor's start page on 50,000
    persons took 1.5 s instead of 0.3 s."""
    tables_analyze(*apps.get_models())


def demo_schools(size: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names of the demo's compulsory and upper-secondary school units for a
    municipality of ``size`` persons: the named schools, and for a large municipality
    numbered ones besides (``DEMO_PERSONS_PER_COMPULSORY_SCHOOL``). The school unit codes
    follow this order (``demo_school_unit_code``)."""
    compulsory = max(len(DEMO_COMPULSORY_SCHOOLS), size // DEMO_PERSONS_PER_COMPULSORY_SCHOOL)
    upper = max(len(DEMO_UPPER_SECONDARY_SCHOOLS), size // DEMO_PERSONS_PER_UPPER_SECONDARY_SCHOOL)
    return (
        DEMO_COMPULSORY_SCHOOLS
        + tuple(
            f"Skolenhet {number}"
            for number in range(len(DEMO_COMPULSORY_SCHOOLS) + 1, compulsory + 1)
        ),
        DEMO_UPPER_SECONDARY_SCHOOLS
        + tuple(
            f"Gymnasieenhet {number}"
            for number in range(len(DEMO_UPPER_SECONDARY_SCHOOLS) + 1, upper + 1)
        ),
    )


def demo_school_unit_code(index: int) -> str:
    """The school unit code of the demo's ``index``-th school (from 1: the compulsory
    schools, then the upper-secondary ones, as ``demo_schools`` lists them)."""
    return f"1999{index:04d}"


def _organisations_create(*, size: int) -> _DemoOrganisations:
    region = organisation_create(
        name=DEMO_REGION_NAME,
        kind=OrganisationKind.REGION,
        organisation_number=_organisation_number("232100999"),
    )
    municipality = organisation_create(
        name=DEMO_MUNICIPALITY_NAME,
        kind=OrganisationKind.MUNICIPALITY,
        municipality_code=DEMO_MUNICIPALITY_CODE,
        parent=region,
    )
    organiser = organisation_create(
        name=DEMO_ORGANISER_NAME,
        kind=OrganisationKind.SCHOOL_ORGANISER,
        parent=municipality,
        municipality_code=DEMO_MUNICIPALITY_CODE,
        organisation_number=_organisation_number(ORGANISER_NUMBER_FIRST_NINE),
    )
    compulsory, upper_secondary = demo_schools(size)
    schools = [
        organisation_create(
            name=name,
            kind=OrganisationKind.SCHOOL_UNIT,
            parent=organiser,
            municipality_code=DEMO_MUNICIPALITY_CODE,
            school_unit_code=demo_school_unit_code(index),
        )
        for index, name in enumerate(compulsory + upper_secondary, 1)
    ]
    return _DemoOrganisations(
        region=region,
        municipality=municipality,
        organiser=organiser,
        compulsory=tuple(schools[: len(compulsory)]),
        upper_secondary=tuple(schools[len(compulsory) :]),
        social_services=organisation_create(
            name=DEMO_SOCIAL_SERVICES_NAME,
            kind=OrganisationKind.SOCIAL_SERVICES,
            parent=municipality,
            municipality_code=DEMO_MUNICIPALITY_CODE,
            guardian_consent_below_age=15,
        ),
        health_care=organisation_create(
            name=DEMO_HEALTH_CARE_NAME,
            kind=OrganisationKind.HEALTH_CARE,
            parent=region,
        ),
        employment_service=organisation_create(
            name=DEMO_EMPLOYMENT_SERVICE_NAME,
            kind=OrganisationKind.EMPLOYMENT_SERVICE,
        ),
    )


def _organisation_number(first_nine: str) -> str:
    digits = first_nine + str(luhn_check_digit(first_nine))
    return f"{digits[:6]}-{digits[6:]}"


def _staff_create(*, organisations: _DemoOrganisations, password_hash: str) -> dict[str, User]:
    users: dict[str, User] = {}
    for username, role, organisation_name, _description in DEMO_USERS:
        if role == Role.YOUNG_PERSON:
            continue
        first_name, last_name = _STAFF_NAMES[username]
        is_admin = role == Role.SYSTEM_ADMIN
        user = User.objects.create(
            username=username,
            first_name=first_name,
            last_name=last_name,
            password=password_hash,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        Membership.objects.create(
            user=user, organisation=organisations.by_name(organisation_name), role=role
        )
        users[username] = user
    return users


def _young_person_user_create(*, person: Person, password_hash: str) -> User:
    return User.objects.create(
        username="ung",
        first_name=person.given_name.split()[0],
        last_name=person.family_name,
        password=password_hash,
        person=person,
    )


def _batch_save(
    batch: Sequence[_Draft], summary: DemoSummary, *, school_data: bool, today: dt.date
) -> None:
    # Related rows hold the unsaved Person instances; bulk_create sets their pks (SQLite
    # and PostgreSQL both return them), and Django copies each pk into the foreign key.
    Person.objects.bulk_create([draft.person for draft in batch])
    if school_data:
        for draft in batch:
            assert draft.facts is not None
            for enrolment in draft.enrolments:
                enrolment.external_id = enrolment_key(
                    person_id=draft.facts.person_uuid,
                    school_type=enrolment.school_type,
                    school_unit_id=organisation_uuid(enrolment.school_unit.school_unit_code),
                    start=enrolment.start_date,
                )
    guardians = [guardian for draft in batch for guardian in draft.guardians]
    Guardian.objects.bulk_create(guardians)
    enrolments = [enrolment for draft in batch for enrolment in draft.enrolments]
    Enrolment.objects.bulk_create(enrolments)
    with_consent = [draft for draft in batch if draft.consent is not None]
    Consent.objects.bulk_create([draft.consent for draft in with_consent])
    through = Consent.organisations.through
    through.objects.bulk_create(
        [
            through(consent_id=draft.consent.pk, organisation_id=organisation_id)
            for draft in with_consent
            for organisation_id in draft.consent_organisation_ids
        ]
    )
    ConsentCategory.objects.bulk_create(
        [
            ConsentCategory(consent=draft.consent, category=category)
            for draft in with_consent
            for category in draft.consent_categories
        ]
    )

    if school_data:
        _school_data_save(batch, summary, today=today)
    summary.guardians += len(guardians)
    for enrolment in enrolments:
        if enrolment.end_date is None:
            summary.enrolments_current += 1
        else:
            summary.enrolments_ended += 1
    for draft in batch:
        summary.protected += draft.person.is_protected
        summary.coordination_numbers += draft.person.is_coordination_number
        summary.kaa_cohort += draft.in_kaa_cohort
        if draft.consent_state == "active":
            summary.consents_active += 1
        elif draft.consent_state == "expired":
            summary.consents_expired += 1
        elif draft.consent_state == "withdrawn":
            summary.consents_withdrawn += 1


# Grades are written in chunks of this many rows, so memory stays bounded however many
# persons a batch holds.
_SCHOOL_ROWS_CHUNK = 20_000


_GRADE_COLUMNS = (
    "person",
    "school_unit",
    "subject_code",
    "course_code",
    "points",
    "value",
    "kind",
    "semester",
    "year",
    "registered_on",
    "external_id",
)
_ATTENDANCE_COLUMNS = (
    "person",
    "school_unit",
    "start_date",
    "end_date",
    "offered_minutes",
    "attended_minutes",
    "valid_absence_minutes",
    "invalid_absence_minutes",
    "external_id",
)


def _school_data_save(batch: Sequence[_Draft], summary: DemoSummary, *, today: dt.date) -> None:
    schools = {
        enrolment.school_unit.school_unit_code: enrolment.school_unit.pk
        for draft in batch
        for enrolment in draft.enrolments
    }
    SourcePersonId.objects.bulk_create(
        [
            SourcePersonId(
                person=draft.person, source=DEMO_SOURCE, external_id=draft.facts.person_uuid
            )
            for draft in batch
            if draft.facts is not None
        ]
    )
    _groups_save(batch, schools, today=today)
    grades: list[tuple] = []
    attendance: list[tuple] = []

    def flush(final: bool = False) -> None:
        if grades and (final or len(grades) >= _SCHOOL_ROWS_CHUNK):
            values_insert(model=Grade, fields=_GRADE_COLUMNS, rows=grades)
            summary.grades += len(grades)
            grades.clear()
        if attendance and (final or len(attendance) >= _SCHOOL_ROWS_CHUNK):
            values_insert(model=AttendancePeriod, fields=_ATTENDANCE_COLUMNS, rows=attendance)
            summary.attendance_periods += len(attendance)
            attendance.clear()

    for draft in batch:
        assert draft.facts is not None
        person_id = draft.person.pk
        person_uuid = draft.facts.person_uuid
        demo_grades, demo_attendance = school_records(draft.facts, today=today)
        demo_attendance += school_attendance_history(draft.facts, today=today)
        grades.extend(
            (
                person_id,
                schools[grade.school_unit_code],
                grade.subject_code,
                grade.course_code,
                grade.points,
                grade.value,
                grade.kind,
                grade.semester,
                grade.year,
                grade.registered_on,
                grade.id,
            )
            for grade in demo_grades
        )
        attendance.extend(
            (
                person_id,
                schools[row.school_unit_code],
                row.start_date,
                row.end_date,
                row.offered,
                row.attended,
                row.valid_absence,
                row.invalid_absence,
                attendance_key(
                    student_id=person_uuid,
                    school_unit_code=row.school_unit_code,
                    start=row.start_date,
                    end=row.end_date,
                ),
            )
            for row in demo_attendance
        )
        flush()
    flush(final=True)


def _groups_save(batch: Sequence[_Draft], schools: dict[str, int], *, today: dt.date) -> None:
    """The batch's pupils in their class and mentor group (``school_groups``). A group
    spans batches, so the groups already written are looked up by their SS 12000 id."""
    memberships = [
        (draft.person.pk, group)
        for draft in batch
        if draft.facts is not None
        for group in school_groups(draft.facts, today=today)
    ]
    if not memberships:
        return
    wanted = {group.id: group for _pk, group in memberships}
    saved = Group.objects.in_bulk(list(wanted), field_name="external_id")
    Group.objects.bulk_create(
        [
            Group(
                school_unit_id=schools[group.school_unit_code],
                name=group.name,
                group_type=group.group_type,
                school_type=group.school_type,
                school_year=group.school_year,
                start_date=group.start_date,
                end_date=group.end_date,
                external_id=group.id,
            )
            for group_id, group in wanted.items()
            if group_id not in saved
        ]
    )
    saved = Group.objects.in_bulk(list(wanted), field_name="external_id")
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(
                group=saved[group.id], person_id=person_id, start_date=group.member_start
            )
            for person_id, group in memberships
        ]
    )


@dataclass(frozen=True)
class DemoPupil:
    """One young person of the demo, as a school system would hold them (no database)."""

    person: Person  # unsaved
    guardians: list[Guardian]
    facts: SchoolFacts


def demo_population(*, seed: int, size: int, today: dt.date) -> Iterator[DemoPupil]:
    """The demo's young people, drawn exactly as ``demo_build`` draws them, without a
    database: the SS 12000 test server serves them. Organisations are unsaved."""
    capacity = _capacity(today)
    if not 1 <= size <= capacity:
        raise DemoError(ERROR_SIZE.format(capacity=capacity))
    population = _Population(
        seed=seed,
        size=size,
        today=today,
        organisations=demo_organisations_unsaved(size=size),
        coach_id=None,
    )
    for draft in population.drafts():
        assert draft.facts is not None
        yield DemoPupil(person=draft.person, guardians=draft.guardians, facts=draft.facts)


def demo_population_register(*, seed: int, rows: int, today: dt.date) -> Iterator[dict[str, str]]:
    """``rows`` of the demo's young people as a population register extract holds them
    (``lotsen import population``'s columns): only those registered in the demo
    municipality, since an extract is one municipality's. About 3 % of the generator's
    pupils live in the neighbouring municipality, hence the margin drawn."""
    pupils = demo_population(seed=seed, size=rows + rows // 10 + 10, today=today)
    residents = (
        pupil.person
        for pupil in pupils
        if pupil.person.home_municipality_code == DEMO_MUNICIPALITY_CODE
    )
    for person in itertools.islice(residents, rows):
        yield {
            "personnummer": person.personal_identity_number,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "municipality_code": person.home_municipality_code,
            "moved_in": "",
            "moved_out": "",
            "protected_identity": "1" if person.protected_identity else "0",
            "asylum_seeker": "0",
        }


def demo_organisations_unsaved(*, size: int = 0) -> _DemoOrganisations:
    """The demo's organisations as unsaved objects, with the names and codes
    ``_organisations_create`` gives them for a municipality of ``size`` persons (the named
    schools only, when no size is given)."""
    organiser = Organisation(
        name=DEMO_ORGANISER_NAME,
        kind=OrganisationKind.SCHOOL_ORGANISER,
        municipality_code=DEMO_MUNICIPALITY_CODE,
        organisation_number=_organisation_number(ORGANISER_NUMBER_FIRST_NINE),
    )
    compulsory, upper_secondary = demo_schools(size)
    schools = [
        Organisation(
            name=name,
            kind=OrganisationKind.SCHOOL_UNIT,
            municipality_code=DEMO_MUNICIPALITY_CODE,
            school_unit_code=demo_school_unit_code(index),
        )
        for index, name in enumerate(compulsory + upper_secondary, 1)
    ]

    def other(name: str, kind: str) -> Organisation:
        return Organisation(name=name, kind=kind)

    return _DemoOrganisations(
        region=other(DEMO_REGION_NAME, OrganisationKind.REGION),
        municipality=other(DEMO_MUNICIPALITY_NAME, OrganisationKind.MUNICIPALITY),
        organiser=organiser,
        compulsory=tuple(schools[: len(compulsory)]),
        upper_secondary=tuple(schools[len(compulsory) :]),
        social_services=other(DEMO_SOCIAL_SERVICES_NAME, OrganisationKind.SOCIAL_SERVICES),
        health_care=other(DEMO_HEALTH_CARE_NAME, OrganisationKind.HEALTH_CARE),
        employment_service=other(DEMO_EMPLOYMENT_SERVICE_NAME, OrganisationKind.EMPLOYMENT_SERVICE),
    )


class _Population:
    """Draws young people one at a time from a seeded generator.

    Its only state besides the generator is one serial counter per birth date (about
    3,000 small integers), which is what keeps memory flat however many are drawn.
    """

    def __init__(
        self,
        *,
        seed: int,
        size: int,
        today: dt.date,
        organisations: _DemoOrganisations,
        coach_id: int | None,
    ) -> None:
        self.rng = random.Random(seed)
        self.key = demo_key(seed=seed, size=size, today=today)
        self.size = size
        self.today = today
        self.organisations = organisations
        # The named compulsory schools keep their shares of each other; a numbered school
        # (a large municipality) takes the average share of a named one.
        extra = len(organisations.compulsory) - len(_COMPULSORY_WEIGHTS)
        average = sum(_COMPULSORY_WEIGHTS) / len(_COMPULSORY_WEIGHTS)
        self._compulsory_weights = (*_COMPULSORY_WEIGHTS, *[average] * extra)
        self.coach_id = coach_id
        # The school year starts in August, so autumn and spring belong to different years.
        self.academic_year = today.year if today.month >= 8 else today.year - 1
        self.earliest_birth = _years_before(today, 21) + dt.timedelta(days=1)
        self.latest_birth = _years_before(today, 13)
        self.birth_span = (self.latest_birth - self.earliest_birth).days + 1
        self.used_serials: dict[tuple[int, bool], int] = {}
        # A small demo still needs enough consents for the coach to have a caseload.
        self.consent_share = max(0.04, min(1.0, 40 / size))
        self.consents_drawn = 0

    def drafts(self) -> Iterator[_Draft]:
        for ordinal in range(self.size):
            yield self._draft(ordinal)

    def _upper_secondary_school(self, programme: str) -> Organisation:
        """Kunskapsgymnasiet takes half of the pupils of its programmes, Exempelgymnasiet
        the rest; in a large municipality a numbered school takes as many as a named one
        (and the named schools' draw stays the same: a small demo is unchanged)."""
        rng, schools = self.rng, self.organisations.upper_secondary
        named = len(DEMO_UPPER_SECONDARY_SCHOOLS)
        if len(schools) > named and rng.random() >= named / len(schools):
            return schools[rng.randrange(named, len(schools))]
        second = programme in _SECOND_SCHOOL_PROGRAMMES and rng.random() < 0.5
        return schools[1 if second else 0]

    def _draft(self, ordinal: int) -> _Draft:
        rng = self.rng
        fixed = ordinal < _FIXED_ORDINALS
        gender = _weighted(rng, _GENDER_WEIGHTS)
        if ordinal == _YOUNG_PERSON_ORDINAL:
            born = _years_before(self.today, 17) - dt.timedelta(days=rng.randint(30, 300))
        elif ordinal == _MENTOR_PUPIL_ORDINAL:
            # Grade index 8: in year 8 this school year.
            born = dt.date(self.academic_year - 14, rng.randint(1, 12), rng.randint(1, 28))
        else:
            born = self.earliest_birth + dt.timedelta(days=rng.randrange(self.birth_span))
        coordination = not fixed and rng.random() < 0.01
        number, born = self._identity_number(born, coordination=coordination)
        neighbour = not fixed and rng.random() < 0.03
        international = rng.random() < 0.27
        given_name, family_name = self._name(gender, international=international)
        street_address, postal_code, city = self._address(neighbour=neighbour)

        person = Person(
            personal_identity_number=number,
            is_coordination_number=coordination,
            date_of_birth=born,
            given_name=given_name,
            family_name=family_name,
            gender=gender,
            home_municipality_code=(
                DEMO_NEIGHBOUR_MUNICIPALITY_CODE if neighbour else DEMO_MUNICIPALITY_CODE
            ),
            protected_identity=(
                ordinal == _PROTECTED_ORDINAL or (not fixed and rng.random() < 0.005)
            ),
            confidentiality_marking=not fixed and rng.random() < 0.003,
            street_address=street_address,
            postal_code=postal_code,
            city=city,
            phone=_phone(rng),
            email=_email(rng, given_name, family_name) if rng.random() < 0.3 else "",
        )
        if person.protected_identity:
            # One marking per person, as the population register has it.
            person.confidentiality_marking = False
        if person.is_protected:
            # The address of a person with skyddad folkbokföring or sekretessmarkering is
            # never stored (the SS 12000 import does not store it either).
            person.street_address = person.postal_code = person.city = ""
        age = _age(born, self.today)
        guardians = self._guardians(person, international=international) if age < 18 else []
        grade = self.academic_year - born.year - 6
        schooling = self._schooling(
            person,
            ordinal=ordinal,
            grade=grade,
            gender=gender,
            neighbour=neighbour,
            compulsory=(
                self.organisations.by_name("Björkskolan")
                if ordinal == _MENTOR_PUPIL_ORDINAL
                else None
            ),
            upper_secondary=(
                self.organisations.by_name("Exempelgymnasiet")
                if ordinal == _YOUNG_PERSON_ORDINAL
                else None
            ),
        )
        draft = _Draft(
            person=person,
            guardians=guardians,
            enrolments=schooling.enrolments,
            # The activity responsibility: 16–19, registered here, not in school and
            # without a gymnasieexamen.
            in_kaa_cohort=(
                not neighbour
                and 16 <= age <= 19
                and not schooling.in_school_now
                and not schooling.has_examen
            ),
        )
        if ordinal == _YOUNG_PERSON_ORDINAL or rng.random() < self.consent_share:
            self._consent(draft, age=age, grade=grade, fixed=ordinal == _YOUNG_PERSON_ORDINAL)
        draft.facts = SchoolFacts(
            key=self.key,
            ordinal=ordinal,
            gender=gender,
            grade=grade,
            international=international,
            enrolments=tuple(
                DemoEnrolment(
                    school_unit_code=e.school_unit.school_unit_code,
                    school_type=e.school_type,
                    school_year=e.school_year,
                    programme=e.programme,
                    start_date=e.start_date,
                    end_date=e.end_date,
                    end_reason=e.end_reason,
                )
                for e in schooling.enrolments
            ),
        )
        return draft

    def _identity_number(self, born: dt.date, *, coordination: bool) -> tuple[str, dt.date]:
        """A number never used before in this run; when a birth date has used all its
        serials, the next date takes over (only near the capacity checked up front)."""
        day = born
        for _ in range(self.birth_span):
            key = (day.toordinal(), coordination)
            used = self.used_serials.get(key, 0)
            if used < _SERIALS_PER_DAY:
                self.used_serials[key] = used + 1
                serial = 1 + (day.toordinal() * 7 + used * _SERIAL_STEP) % _SERIALS_PER_DAY
                return make_identity_number(day, serial, coordination=coordination), day
            day += dt.timedelta(days=1)
            if day > self.latest_birth:
                day = self.earliest_birth
        raise DemoError(ERROR_SIZE.format(capacity=_capacity(self.today)))

    def _name(self, gender: str, *, international: bool) -> tuple[str, str]:
        rng = self.rng
        family = rng.choice(
            names.FAMILY_NAMES_INTERNATIONAL if international else names.FAMILY_NAMES
        )
        # Many families choose a name from the other list, in both directions.
        from_international = international != (rng.random() < 0.15)
        if gender == Gender.WOMAN:
            pool = (
                names.GIVEN_NAMES_WOMEN_INTERNATIONAL
                if from_international
                else names.GIVEN_NAMES_WOMEN
            )
        elif gender == Gender.MAN:
            pool = (
                names.GIVEN_NAMES_MEN_INTERNATIONAL if from_international else names.GIVEN_NAMES_MEN
            )
        else:
            pool = rng.choice(
                (names.GIVEN_NAMES_ANY, names.GIVEN_NAMES_WOMEN, names.GIVEN_NAMES_MEN)
            )
        given = rng.choice(pool)
        # Swedes often carry a second given name; search and sorting must cope with it.
        if rng.random() < 0.15:
            second = rng.choice(pool)
            if second != given:
                given = f"{given} {second}"
        return given, family

    def _address(self, *, neighbour: bool) -> tuple[str, str, str]:
        rng = self.rng
        street = f"{rng.choice(names.STREET_NAMES)} {rng.randint(1, 60)}"
        if rng.random() < 0.4:
            street += f" lgh {rng.randint(1, 5)}{rng.randint(1, 3):03d}"
        if neighbour:
            return street, f"198 {rng.randint(30, 99):02d}", DEMO_NEIGHBOUR_CITY
        return street, f"{rng.randint(195, 197)} {rng.randint(30, 99):02d}", DEMO_CITY

    def _guardians(self, person: Person, *, international: bool) -> list[Guardian]:
        rng = self.rng
        count = 2 if rng.random() < 0.75 else 1
        women_first = rng.random() < 0.5
        guardians = []
        for index in range(count):
            is_woman = women_first == (index == 0)
            pool = names.GUARDIAN_NAMES_WOMEN if is_woman else names.GUARDIAN_NAMES_MEN
            given = rng.choice(pool)
            family = person.family_name
            if rng.random() < 0.25:
                family = rng.choice(
                    names.FAMILY_NAMES_INTERNATIONAL if international else names.FAMILY_NAMES
                )
            guardians.append(
                Guardian(
                    person=person,
                    name=f"{given} {family}",
                    phone=_phone(rng),
                    email=_email(rng, given, family) if rng.random() < 0.5 else "",
                )
            )
        return guardians

    def _schooling(
        self,
        person: Person,
        *,
        ordinal: int,
        grade: int,
        gender: str,
        neighbour: bool,
        compulsory: Organisation | None,
        upper_secondary: Organisation | None,
    ) -> _Schooling:
        """Enrolments from the grade index: the year group the person belongs to by
        birth year (year 7 in the autumn of the year they turn 13)."""
        rng = self.rng
        year = self.academic_year
        school = compulsory or _weighted_pick(
            rng, self.organisations.compulsory, self._compulsory_weights
        )
        if grade <= 9:
            # The compulsory schools run F–9, so the youngest 13-year-olds are still in year 6.
            stage_first_grade = 7 if grade >= 7 else 4
            return _Schooling(
                enrolments=[
                    Enrolment(
                        person=person,
                        school_unit=school,
                        school_type=SchoolType.GR,
                        school_year=grade,
                        start_date=_term_start(year - (grade - stage_first_grade)),
                    )
                ],
                in_school_now=True,
            )

        schooling = _Schooling(
            enrolments=[
                Enrolment(
                    person=person,
                    school_unit=school,
                    school_type=SchoolType.GR,
                    school_year=9,
                    start_date=_term_start(year - (grade - 7)),
                    end_date=_term_end(year - (grade - 10)),
                    end_reason=END_REASON_YEAR_9,
                )
            ]
        )
        outcome = (
            "current"
            if upper_secondary is not None
            else self._outcome(grade, neighbour, dropout=self._dropout_chance(ordinal, gender))
        )
        if outcome == "never":
            return schooling

        programme = self._programme(gender)
        if upper_secondary is None:
            upper_secondary = self._upper_secondary_school(programme)
        start = _term_start(year - (grade - 10))
        regular_end = _term_end(start.year + 3)
        end: dt.date | None = None
        end_reason = ""
        if outcome == "current":
            school_year = min(grade - 9, 4)
            schooling.in_school_now = True
        elif outcome == "graduated":
            school_year, end = 3, regular_end
            if programme == _IM_PROGRAMME:
                end_reason = END_REASON_GYMNASIEINTYG
            elif rng.random() < _EXAMEN_SHARE:
                end_reason = END_REASON_EXAMEN
                schooling.has_examen = True
            else:
                end_reason = END_REASON_STUDIEBEVIS
        else:
            end = _random_date(
                rng,
                start + dt.timedelta(days=30),
                min(self.today, regular_end) - dt.timedelta(days=1),
            )
            if end is None:
                # Too early in the autumn for anyone in year 1 to have left already.
                return schooling
            school_year = min(3, (end - start).days // 365 + 1)
            end_reason = END_REASON_DROPPED_OUT
        schooling.enrolments.append(
            Enrolment(
                person=person,
                school_unit=upper_secondary,
                school_type=SchoolType.GY,
                school_year=school_year,
                programme=programme,
                start_date=start,
                end_date=end,
                end_reason=end_reason,
            )
        )
        return schooling

    def _dropout_chance(self, ordinal: int, gender: str) -> float:
        """The chance that a pupil who started upper secondary left without finishing, from
        what the school could have known: weaker grades (the base ability, before the
        programme's shift) and a habit of high absence. The intercept keeps the overall
        share at about 7 % of those who started (see ``_DROPOUT_INTERCEPT``)."""
        ability = _base_ability(self.key, ordinal, gender)
        logit = (
            _DROPOUT_INTERCEPT
            + _DROPOUT_ABILITY * ability
            + (_DROPOUT_HIGH_ABSENCE if _high_absence(self.key, ordinal, ability) else 0.0)
        )
        return 1.0 / (1.0 + math.exp(-logit))

    def _outcome(self, grade: int, neighbour: bool, *, dropout: float) -> str:
        roll = self.rng.random()
        if grade <= 12:
            # Pupils from next door are here because they go to school here.
            share = 0.0 if neighbour else _NOT_IN_UPPER_SECONDARY[grade]
            if roll < share * _NEVER_STARTED_SHARE:
                return "never"
            return "dropped_out" if roll < share else "current"
        if roll < _NEVER_STARTED_EARLIER:
            return "never"
        # The rest of the roll, uniform again, decides between leaving (by the pupil's own
        # chance), a fourth or fifth year and finishing.
        rest = (roll - _NEVER_STARTED_EARLIER) / (1.0 - _NEVER_STARTED_EARLIER)
        if rest < dropout:
            return "dropped_out"
        # A few take a fourth year to finish, fewer still a fifth.
        still = (0.07 if grade == 13 else 0.02) / (1.0 - _DROPOUT_SHARE)
        if rest < dropout + (1.0 - dropout) * still:
            return "current"
        return "graduated"

    def _programme(self, gender: str) -> str:
        track = _weighted(self.rng, _TRACK_WEIGHTS.get(gender, _TRACK_WEIGHTS_ALL))
        if track == _HF:
            return _weighted(self.rng, _HF_PROGRAMMES)
        if track == _YP:
            return _weighted(self.rng, _YP_PROGRAMMES)
        return _IM_PROGRAMME

    def _consent(self, draft: _Draft, *, age: int, grade: int, fixed: bool) -> None:
        rng = self.rng
        organisations = self.organisations
        ordinal = self.consents_drawn
        self.consents_drawn += 1
        if fixed:
            state = "active"
            chosen = [organisations.social_services]
            categories = [Category.SUPPORT, Category.SCHOOL]
        else:
            # Every sixteenth consent has run out and every sixteenth is withdrawn, so the
            # demo shows all three states even with a handful of consents.
            state = {7: "expired", 15: "withdrawn"}.get(ordinal % 16, "active")
            chosen = [
                org
                for org, share in (
                    (organisations.social_services, 0.75),
                    (organisations.health_care, 0.35),
                    (organisations.employment_service, 0.3 if age >= 16 else 0.0),
                )
                if rng.random() < share
            ] or [organisations.social_services]
            categories = [
                category
                for category, share in (
                    (Category.SUPPORT, 0.9),
                    (Category.SCHOOL, 0.6),
                    (Category.KAA, 0.35 if grade >= 10 else 0.0),
                    (Category.HEALTH, 0.3 if organisations.health_care in chosen else 0.0),
                )
                if rng.random() < share
            ] or [Category.SUPPORT]

        # From 15 many young people consent on their own; below that a guardian joins in.
        with_guardian = bool(draft.guardians) and (age < 15 or rng.random() < 0.5)
        given_on, expires_on, withdrawn_at = self._consent_dates(state)
        draft.consent = Consent(
            person=draft.person,
            given_by=ConsentGiver.BOTH if with_guardian else ConsentGiver.YOUNG_PERSON,
            guardian_name=draft.guardians[0].name if with_guardian else "",
            given_on=given_on,
            expires_on=expires_on,
            withdrawn_at=withdrawn_at,
            evidence=rng.choice(_EVIDENCE),
            recorded_by_id=(self.coach_id if organisations.social_services in chosen else None),
        )
        draft.consent_state = state
        draft.consent_organisation_ids = tuple(org.pk for org in chosen)
        draft.consent_categories = tuple(categories)

    def _consent_dates(self, state: str) -> tuple[dt.date, dt.date | None, dt.datetime | None]:
        rng, today = self.rng, self.today
        if state == "expired":
            given_on = today - dt.timedelta(days=rng.randint(400, 700))
            return given_on, given_on + dt.timedelta(days=365), None
        given_on = today - dt.timedelta(days=rng.randint(2, 300))
        expires_on = given_on + dt.timedelta(days=365) if rng.random() < 0.7 else None
        if state == "withdrawn":
            withdrawn_on = given_on + dt.timedelta(days=rng.randint(1, (today - given_on).days - 1))
            withdrawn_at = timezone.make_aware(
                dt.datetime.combine(withdrawn_on, dt.time(rng.randint(8, 16), rng.randint(0, 59)))
            )
            return given_on, expires_on, withdrawn_at
        return given_on, expires_on, None


def _capacity(today: dt.date) -> int:
    # Most persons draw from the ordinary serials; a margin keeps probing for a free
    # birth date short even close to the limit.
    days = (_years_before(today, 13) - _years_before(today, 21)).days
    return days * _SERIALS_PER_DAY * 9 // 10


def _weighted(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    values = [value for value, _weight in weighted]
    weights = [weight for _value, weight in weighted]
    return rng.choices(values, weights=weights)[0]


def _weighted_pick(
    rng: random.Random, items: Sequence[Organisation], weights: Sequence[float]
) -> Organisation:
    return rng.choices(items, weights=weights)[0]


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        # 29 February in a year without one.
        return day.replace(year=day.year - years, day=28)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _term_start(year: int) -> dt.date:
    return dt.date(year, 8, 1)


def _term_end(year: int) -> dt.date:
    return dt.date(year, 6, 15)


def _random_date(rng: random.Random, first: dt.date, last: dt.date) -> dt.date | None:
    if first > last:
        return None
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _phone(rng: random.Random) -> str:
    return f"070-174 06 {rng.randint(_PHONE_FIRST, _PHONE_LAST):02d}"


def _email(rng: random.Random, given: str, family: str) -> str:
    local = f"{_ascii(given.split()[0])}.{_ascii(family)}{rng.randint(1, 99)}"
    return f"{local}@example.com"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


# --- School data: grades and aggregated attendance ------------------------------------------
#
# The demo and the SS 12000 test server (lotsen.demo.ss12000server) draw the same
# school data from here, so that importing from the test server into the demo changes
# nothing. Each young person's school data comes from a generator of its own, seeded with
# the demo's key and the person's ordinal: the main generator's sequence, and with it every
# person, is the same with or without school data, and the test server can redraw one
# person's grades without drawing anyone else's.

# Fixed for Lotsen's demo: the namespace of every SS 12000 id the demo hands out.
DEMO_NAMESPACE = uuid.UUID("3f6c1d0e-8a4b-5c1f-9e2d-7b5a4c3d2e10")
DEMO_SOURCE = "ss12000"


def demo_key(*, seed: int, size: int, today: dt.date) -> str:
    """What the demo's data is a function of; part of every id and per-person seed."""
    return f"{seed}/{size}/{today.isoformat()}"


def demo_uuid(*parts: object) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, "/".join(str(part) for part in parts)))


@functools.cache
def organisation_uuid(school_unit_code: str) -> str:
    """The SS 12000 id of a demo school unit (the same whatever the seed)."""
    return demo_uuid("organisation", school_unit_code)


ORGANISER_UUID = demo_uuid("organisation", "organiser")
ORGANISER_NUMBER_FIRST_NINE = "212000999"


@dataclass(frozen=True, slots=True)
class DemoEnrolment:
    school_unit_code: str
    school_type: str
    school_year: int | None
    programme: str
    start_date: dt.date
    end_date: dt.date | None
    end_reason: str


@dataclass(frozen=True, slots=True)
class SchoolFacts:
    """What one young person's school data depends on."""

    key: str
    ordinal: int
    gender: str
    grade: int  # the year group by birth year (7 = year 7 this school year)
    international: bool
    enrolments: tuple[DemoEnrolment, ...]

    @property
    def person_uuid(self) -> str:
        return demo_uuid(self.key, "person", self.ordinal)


@dataclass(frozen=True, slots=True)
class DemoSyllabus:
    key: str
    school_type: str
    subject_designation: str
    subject_code: str
    subject_name: str
    course_code: str = ""
    course_name: str = ""
    points: int | None = None
    language_code: str = ""

    @property
    def uuid(self) -> str:
        return _syllabus_uuid(self.key)


@dataclass(frozen=True, slots=True)
class DemoGrade:
    id: str
    syllabus: str  # DemoSyllabus.key
    subject_code: str
    course_code: str
    points: int | None
    value: str
    kind: str  # GradeKind values
    semester: str
    year: int
    registered_on: dt.date
    school_unit_code: str


@dataclass(frozen=True, slots=True)
class DemoAttendance:
    start_date: dt.date
    end_date: dt.date
    offered: int
    attended: int
    valid_absence: int
    invalid_absence: int
    school_unit_code: str


# Compulsory school: the 16 subjects of the merit value (Swedish or Swedish as a second
# language), plus a modern language as språkval for most and mother tongue for some.
_GR_SUBJECTS = (
    "SV", "EN", "MA", "BI", "FY", "KE", "GE", "HI", "RE", "SH", "TK", "BL", "HKK", "IDH",
    "MU", "SL",
)  # fmt: skip
_GR_SUBJECT_CODES = {
    "SV": "SVE", "SVA": "SVA", "EN": "ENG", "MA": "MAT", "BI": "BIO", "FY": "FYS",
    "KE": "KEM", "GE": "GEO", "HI": "HIS", "RE": "REL", "SH": "SAM", "TK": "TEK",
    "BL": "BIL", "HKK": "HKK", "IDH": "IDH", "MU": "MUS", "SL": "SLJ", "M2": "MSP",
    "ML": "MOD",
}  # fmt: skip
_MODERN_LANGUAGES = (("spa", 45), ("deu", 30), ("fra", 25))
_MOTHER_TONGUES = (("ara", 35), ("som", 20), ("bos", 15), ("fas", 15), ("pol", 15))

# A pupil's grades come from one latent ability; a subject's grade from the ability, the
# subject's difficulty and noise, cut at fixed thresholds. The shifts are calibrated so
# that final grades in year 9 come close to Skolverket's national figures for 2017/18
# (calibration stats, grade9_riket): mean merit value 228.7 (girls 243.2, boys 215.3),
# 84.4 % eligible for a vocational programme, 75.6 % with a pass in every subject. The
# calibration is checked in tests/school/test_demo_school_data.py.
_ABILITY_SD = 1.0
_GENDER_SHIFT = {Gender.WOMAN: 0.21, Gender.MAN: -0.21}
# Pupils who went on to a higher-education preparatory programme had on average better
# grades than those on a vocational programme, who had better grades than those on an
# introduction programme (who are not eligible for a national one).
_TRACK_SHIFT = {_HF: 0.45, _YP: -0.25, _IM: -1.7, "never": -1.5}
_SUBJECT_NOISE = 0.6
_SUBJECT_SHIFT = {
    "MA": -0.3, "SVA": -0.45, "EN": 0.2, "IDH": 0.35, "BL": 0.25, "MU": 0.25, "HKK": 0.3,
    "SL": 0.2, "FY": -0.1, "KE": -0.1, "M2": -0.05, "ML": 0.3,
}  # fmt: skip
# Latent cut points for E, D, C, B, A (below the first: F).
_THRESHOLDS = (-1.95, -0.85, -0.1, 0.75, 1.5)
_GRADE_LADDER = ("F", "E", "D", "C", "B", "A")
_STRECK_SHARE = 0.15  # of failing grades, given as "-" (no grounds to grade)
_TERM_DRIFT = 0.25  # term grades rise towards the final grade
_TERM_NOISE = 0.3
_HT_GRADE_DAY = (12, 18)
_VT_GRADE_DAY = (6, 10)

# Upper secondary (Gy11): a handful of courses per year, by programme; gymnasiearbete in
# year 3. (course code, course name, points)
_Course = tuple[str, str, int]
_COURSES_HF = (
    (("SVESVE01", "Svenska 1", 100), ("ENGENG05", "Engelska 5", 100),
     ("MATMAT01b", "Matematik 1b", 100), ("IDRIDR01", "Idrott och hälsa 1", 100),
     ("HISHIS01b", "Historia 1b", 100), ("SAMSAM01b", "Samhällskunskap 1b", 100),
     ("NAKNAK01b", "Naturkunskap 1b", 100)),
    (("SVESVE02", "Svenska 2", 100), ("ENGENG06", "Engelska 6", 100),
     ("MATMAT02b", "Matematik 2b", 100), ("RELREL01", "Religionskunskap 1", 50),
     ("GEOGEO01", "Geografi 1", 100)),
    (("SVESVE03", "Svenska 3", 100), ("PSKPSY01", "Psykologi 1", 50)),
)  # fmt: skip
_COURSES_NA = (
    (("SVESVE01", "Svenska 1", 100), ("ENGENG05", "Engelska 5", 100),
     ("MATMAT01c", "Matematik 1c", 100), ("IDRIDR01", "Idrott och hälsa 1", 100),
     ("BIOBIO01", "Biologi 1", 100), ("FYSFYS01a", "Fysik 1a", 150),
     ("KEMKEM01", "Kemi 1", 100)),
    (("SVESVE02", "Svenska 2", 100), ("ENGENG06", "Engelska 6", 100),
     ("MATMAT02c", "Matematik 2c", 100), ("RELREL01", "Religionskunskap 1", 50),
     ("KEMKEM02", "Kemi 2", 100)),
    (("SVESVE03", "Svenska 3", 100), ("MATMAT03c", "Matematik 3c", 100)),
)  # fmt: skip
_COURSES_YP = (
    (("SVESVE01", "Svenska 1", 100), ("ENGENG05", "Engelska 5", 100),
     ("MATMAT01a", "Matematik 1a", 100), ("IDRIDR01", "Idrott och hälsa 1", 100),
     ("HISHIS01a1", "Historia 1a1", 50), ("SAMSAM01a1", "Samhällskunskap 1a1", 50),
     ("NAKNAK01a1", "Naturkunskap 1a1", 50)),
    (("SVESVE02", "Svenska 2", 100), ("ENGENG06", "Engelska 6", 100),
     ("RELREL01", "Religionskunskap 1", 50), ("NAKNAK01a2", "Naturkunskap 1a2", 50),
     ("SAMSAM01a2", "Samhällskunskap 1a2", 50)),
    (("SVESVE03", "Svenska 3", 100),),
)  # fmt: skip
_COURSE_SHIFT = {"MAT": -0.25, "FYS": -0.15, "KEM": -0.15, "IDR": 0.35, "ENG": 0.15}
_DROPOUT_SHIFT = -0.9  # in the year a pupil left

# Aggregated attendance: offered minutes per school week (compulsory school years 7–9
# have about 30 lessons a week; upper secondary guarantees 23 hours and schedules more).
_WEEKLY_MINUTES = {"low": 1300, "GR": 1450, "GY": 1400}
# About 1 in 7 compulsory school pupils were absent 15 % or more (Skolverket, HT 2019,
# calibration stats school_absence); weaker pupils more often.
_HIGH_ABSENCE_SHARE = 0.14
_HIGH_ABSENCE_SLOPE = 0.05
# Before leaving upper secondary without finishing: extra absence (share of offered time)
# at the leaving date, rising linearly over this many days before it.
_DROPOUT_ABSENCE_RISE = 0.15
_DROPOUT_RAMP_DAYS = 365


@functools.cache
def _syllabus_uuid(key: str) -> str:
    return demo_uuid("syllabus", key)


def _gr_syllabus_key(subject: str, language: str = "") -> str:
    return f"GR/{subject}/{language}" if language else f"GR/{subject}"


def _syllabuses() -> dict[str, DemoSyllabus]:
    from lotsen.school.merit import SUBJECT_NAMES

    catalogue: dict[str, DemoSyllabus] = {}

    def add(syllabus: DemoSyllabus) -> None:
        catalogue[syllabus.key] = syllabus

    for subject in (*_GR_SUBJECTS, "SVA"):
        add(
            DemoSyllabus(
                key=_gr_syllabus_key(subject),
                school_type=SchoolType.GR,
                subject_designation=subject,
                subject_code=f"GRGR{_GR_SUBJECT_CODES[subject]}01",
                subject_name=SUBJECT_NAMES[subject].capitalize(),
            )
        )
    for subject, languages in (("M2", _MODERN_LANGUAGES), ("ML", _MOTHER_TONGUES)):
        for language, _weight in languages:
            add(
                DemoSyllabus(
                    key=_gr_syllabus_key(subject, language),
                    school_type=SchoolType.GR,
                    subject_designation=subject,
                    subject_code=f"GRGR{_GR_SUBJECT_CODES[subject]}01",
                    subject_name=SUBJECT_NAMES[subject].capitalize(),
                    language_code=language,
                )
            )
    for table in (_COURSES_HF, _COURSES_NA, _COURSES_YP):
        for year in table:
            for code, name, points in year:
                add(_course_syllabus(code, name, points))
    for programme, _weight in (*_HF_PROGRAMMES, *_YP_PROGRAMMES):
        add(_course_syllabus(f"GYAR{programme}", "Gymnasiearbete", 100))
    return catalogue


def _course_syllabus(code: str, name: str, points: int) -> DemoSyllabus:
    subject = "GYAR" if code.startswith("GYAR") else code[:3]
    return DemoSyllabus(
        key=f"GY/{code}",
        school_type=SchoolType.GY,
        subject_designation=subject,
        subject_code=subject,
        subject_name=name.rsplit(" ", 1)[0] if subject != "GYAR" else name,
        course_code=code,
        course_name=name,
        points=points,
    )


DEMO_SYLLABUSES: dict[str, DemoSyllabus] = {}


def demo_syllabuses() -> dict[str, DemoSyllabus]:
    """The syllabuses (subjects and courses) that the demo's grades refer to."""
    if not DEMO_SYLLABUSES:
        DEMO_SYLLABUSES.update(_syllabuses())
    return DEMO_SYLLABUSES


def _track(facts: SchoolFacts) -> str | None:
    """The upper-secondary track a pupil went on to; None while in compulsory school."""
    upper = [e for e in facts.enrolments if e.school_type == SchoolType.GY]
    if not upper:
        return "never" if facts.grade >= 10 else None
    programme = upper[-1].programme
    if programme == _IM_PROGRAMME:
        return _IM
    return _HF if programme in {code for code, _w in _HF_PROGRAMMES} else _YP


def _base_ability(key: str, ordinal: int, gender: str) -> float:
    """A pupil's ability before the programme's shift: known before the outcome is drawn,
    so that the outcome can depend on it."""
    rng = random.Random(f"{key}/ability/{ordinal}")
    return rng.gauss(0.0, _ABILITY_SD) + _GENDER_SHIFT.get(gender, 0.0)


def _ability(facts: SchoolFacts) -> float:
    track = _track(facts)
    return _base_ability(facts.key, facts.ordinal, facts.gender) + (
        _TRACK_SHIFT[track] if track else 0.0
    )


def _high_share(ability: float) -> float:
    return _HIGH_ABSENCE_SHARE - _HIGH_ABSENCE_SLOPE * max(-1.5, min(1.5, ability))


def _high_absence(key: str, ordinal: int, ability: float) -> bool:
    """Whether a pupil of the history had a habit of high absence (a draw of its own)."""
    return random.Random(f"{key}/absence/{ordinal}").random() < _high_share(ability)


def _grade_from(latent: float, rng: random.Random, *, streck: bool = True) -> str:
    index = sum(latent >= threshold for threshold in _THRESHOLDS)
    value = _GRADE_LADDER[index]
    if value == "F" and streck and rng.random() < _STRECK_SHARE:
        return "-"
    return value


def school_records(
    facts: SchoolFacts, *, today: dt.date
) -> tuple[list[DemoGrade], list[DemoAttendance]]:
    """One young person's grades and aggregated attendance, as far as they exist today."""
    return school_grades(facts, today=today), school_attendance(facts, today=today)


def _person_ability(facts: SchoolFacts) -> float:
    return _ability(facts)


def school_grades(facts: SchoolFacts, *, today: dt.date) -> list[DemoGrade]:
    rng = random.Random(f"{facts.key}/grades/{facts.ordinal}")
    ability = _person_ability(facts)
    grades = _compulsory_grades(facts, rng, ability=ability, today=today)
    return grades + _course_grades(facts, rng, ability=ability, today=today, start=len(grades))


def school_attendance(facts: SchoolFacts, *, today: dt.date) -> list[DemoAttendance]:
    # A generator of its own, so that attendance can be drawn without the grades.
    rng = random.Random(f"{facts.key}/attendance/{facts.ordinal}")
    return _attendance(facts, rng, ability=_person_ability(facts), today=today)


@functools.lru_cache(maxsize=16)
def _grades_base(key: str, ordinal: int) -> str:
    return demo_uuid(key, "grades", ordinal)


def _grade_id(facts: SchoolFacts, number: int) -> str:
    # One uuid5 per person, and the person's grades numbered in its last 48 bits: hashing
    # once per grade took longer than drawing the grades.
    base = _grades_base(facts.key, facts.ordinal)
    node = (int(base[24:], 16) + number) % (1 << 48)
    return f"{base[:24]}{node:012x}"


def _compulsory_grades(
    facts: SchoolFacts, rng: random.Random, *, ability: float, today: dt.date
) -> list[DemoGrade]:
    """Term grades for every finished term of years 7–9; final grades at the end of 9."""
    compulsory = next((e for e in facts.enrolments if e.school_type == SchoolType.GR), None)
    if compulsory is None or facts.grade < 7:
        return []
    swedish = "SVA" if facts.international and rng.random() < 0.3 else "SV"
    subjects = [(swedish if s == "SV" else s, "") for s in _GR_SUBJECTS]
    roll = rng.random()
    if roll < 0.8:
        subjects.append(("M2", _weighted(rng, _MODERN_LANGUAGES)))
    elif roll < (0.92 if facts.international else 0.84):
        subjects.append(("ML", _weighted(rng, _MOTHER_TONGUES)))
    latents = {
        subject: ability + _SUBJECT_SHIFT.get(subject, 0.0) + rng.gauss(0.0, _SUBJECT_NOISE)
        for subject, _language in subjects
    }
    # The autumn term of year 7 began in this calendar year.
    year7 = academic_year_of(today) - (facts.grade - 7)
    grades: list[DemoGrade] = []
    for term in range(6):  # HT7, VT7, HT8, VT8, HT9, VT9
        autumn = term % 2 == 0
        year = year7 + term // 2 + (0 if autumn else 1)
        month, day = _HT_GRADE_DAY if autumn else _VT_GRADE_DAY
        registered = dt.date(year, month, day)
        if registered >= today:
            break
        final = term == 5
        for subject, language in subjects:
            latent = latents[subject]
            if not final:
                latent += -_TERM_DRIFT * (5 - term) / 5 + rng.gauss(0.0, _TERM_NOISE)
            grades.append(
                DemoGrade(
                    id=_grade_id(facts, len(grades)),
                    syllabus=_gr_syllabus_key(subject, language),
                    subject_code=subject,
                    course_code="",
                    points=None,
                    value=_grade_from(latent, rng),
                    kind="final" if final else "term",
                    semester="HT" if autumn else "VT",
                    year=year,
                    registered_on=registered,
                    school_unit_code=compulsory.school_unit_code,
                )
            )
    return grades


def _course_grades(
    facts: SchoolFacts, rng: random.Random, *, ability: float, today: dt.date, start: int
) -> list[DemoGrade]:
    upper = next((e for e in facts.enrolments if e.school_type == SchoolType.GY), None)
    if upper is None or upper.programme == _IM_PROGRAMME:
        # Introduction programmes read compulsory-school subjects or an individual plan:
        # no national course grades.
        return []
    if upper.programme in ("NA", "TE"):
        table = _COURSES_NA
    elif upper.programme in {code for code, _w in _HF_PROGRAMMES}:
        table = _COURSES_HF
    else:
        table = _COURSES_YP
    dropped_out = upper.end_reason == END_REASON_DROPPED_OUT
    grades: list[DemoGrade] = []
    for index, courses in enumerate(table):
        year = upper.start_date.year + index + 1
        registered = dt.date(year, *_VT_GRADE_DAY)
        if registered >= today or (upper.end_date is not None and registered > upper.end_date):
            break
        leaving_soon = dropped_out and (
            upper.end_date is None or upper.end_date < dt.date(year + 1, *_VT_GRADE_DAY)
        )
        if index == 2:
            courses = (*courses, (f"GYAR{upper.programme}", "Gymnasiearbete", 100))
        for code, _name, points in courses:
            latent = (
                ability
                + _COURSE_SHIFT.get(code[:3], 0.0)
                + rng.gauss(0.0, _SUBJECT_NOISE)
                + (_DROPOUT_SHIFT if leaving_soon else 0.0)
            )
            value = _grade_from(latent, rng, streck=False)
            if code.startswith("GYAR"):
                value = "F" if value == "F" else "E"  # gymnasiearbete: E or F only
            grades.append(
                DemoGrade(
                    id=_grade_id(facts, start + len(grades)),
                    syllabus=f"GY/{code}",
                    subject_code="GYAR" if code.startswith("GYAR") else code[:3],
                    course_code=code,
                    points=points,
                    value=value,
                    kind="final",
                    semester="VT",
                    year=year,
                    registered_on=registered,
                    school_unit_code=upper.school_unit_code,
                )
            )
    return grades


def _attendance(
    facts: SchoolFacts, rng: random.Random, *, ability: float, today: dt.date
) -> list[DemoAttendance]:
    current = next((e for e in facts.enrolments if e.end_date is None), None)
    if current is None:
        return []
    if current.school_type == SchoolType.GY:
        weekly = _WEEKLY_MINUTES["GY"]
    else:
        weekly = _WEEKLY_MINUTES["GR" if (current.school_year or 0) >= 7 else "low"]
    if rng.random() < _high_share(ability):
        base, invalid_share = rng.uniform(0.16, 0.45), rng.uniform(0.15, 0.5)
    else:
        base, invalid_share = 0.01 + 0.11 * rng.random() ** 1.5, rng.uniform(0.0, 0.35)
    rows = []
    for start, end in attendance_periods(today):
        if start < current.start_date:
            continue
        offered = round(weekly * school_weeks(start, end) * rng.uniform(0.95, 1.0) / 5) * 5
        rate = min(0.9, base * rng.uniform(0.7, 1.3))
        absent = round(offered * rate)
        invalid = round(absent * invalid_share)
        rows.append(
            DemoAttendance(
                start_date=start,
                end_date=end,
                offered=offered,
                attended=offered - absent,
                valid_absence=absent - invalid,
                invalid_absence=invalid,
                school_unit_code=current.school_unit_code,
            )
        )
    return rows


def school_attendance_history(facts: SchoolFacts, *, today: dt.date) -> list[DemoAttendance]:
    """Aggregated attendance of past school years, for the pupils of the history: those who
    started upper secondary and have left it, or started it three or more years ago. Four-week
    periods (the calendar of ``attendance_periods``) from year 7 until the pupil left, or
    until the current school year, whose periods ``school_attendance`` gives. This is what
    the learned risk model reads as of a date years back: a pupil who was often absent stays
    so, and absence rises over the last year before a pupil leaves without finishing.

    Not served by the SS 12000 test server (the import reads the current school year only).
    """
    upper = next((e for e in facts.enrolments if e.school_type == SchoolType.GY), None)
    compulsory = next((e for e in facts.enrolments if e.school_type == SchoolType.GR), None)
    if upper is None or compulsory is None or (upper.end_date is None and facts.grade < 13):
        return []
    rng = random.Random(f"{facts.key}/attendance-history/{facts.ordinal}")
    ability = _base_ability(facts.key, facts.ordinal, facts.gender)
    if _high_absence(facts.key, facts.ordinal, ability):
        base, invalid_share = rng.uniform(0.16, 0.45), rng.uniform(0.15, 0.5)
    else:
        base, invalid_share = 0.01 + 0.11 * rng.random() ** 1.5, rng.uniform(0.0, 0.35)
    left = upper.end_date
    dropped_out = upper.end_reason == END_REASON_DROPPED_OUT
    # Up to the period before the current school year's first: those are the current ones.
    last = min(left or today, school_year_start(academic_year_of(today)) - dt.timedelta(days=1))
    period = dt.timedelta(days=PERIOD_DAYS)
    rows: list[DemoAttendance] = []
    for year in range(compulsory.start_date.year, upper.start_date.year + 3):
        start, end_of_year = school_year_start(year), school_year_end(year)
        if start > last:
            break
        in_upper = year >= upper.start_date.year
        weekly = _WEEKLY_MINUTES["GY" if in_upper else "GR"]
        code = (upper if in_upper else compulsory).school_unit_code
        # Each year drifts a little from the pupil's habit.
        level = base * rng.uniform(0.8, 1.2)
        while start <= end_of_year:
            end = min(start + period - dt.timedelta(days=1), end_of_year)
            if end > last:
                break
            rate = level * rng.uniform(0.7, 1.3)
            invalid_rate = invalid_share
            if dropped_out and left is not None:
                # Over the last year before leaving, absence climbs, most of it unexcused.
                closeness = 1.0 - (left - end).days / _DROPOUT_RAMP_DAYS
                if closeness > 0:
                    rate += _DROPOUT_ABSENCE_RISE * closeness * rng.uniform(0.5, 1.5)
                    invalid_rate = min(0.8, invalid_share + 0.3 * closeness)
            offered = round(weekly * school_weeks(start, end) * rng.uniform(0.95, 1.0) / 5) * 5
            first, start = start, start + period
            if offered == 0:
                continue
            absent = round(offered * min(0.9, rate))
            invalid = round(absent * invalid_rate)
            rows.append(
                DemoAttendance(
                    start_date=first,
                    end_date=end,
                    offered=offered,
                    attended=offered - absent,
                    valid_absence=absent - invalid,
                    invalid_absence=invalid,
                    school_unit_code=code,
                )
            )
    return rows


@dataclass(frozen=True, slots=True)
class DemoGroup:
    """A class or mentor group this school year, as SS 12000 ``/groups`` holds it, with
    the date one pupil's membership starts."""

    id: str
    school_unit_code: str
    name: str
    group_type: str  # school.models.GroupType
    school_type: str
    school_year: int | None
    start_date: dt.date
    end_date: dt.date
    member_start: dt.date


# Parallel classes per year group and school (9A, 9B, 9C), and mentor groups per class.
_CLASS_LETTERS = "ABC"
_MENTOR_GROUPS_PER_CLASS = 2


def school_groups(facts: SchoolFacts, *, today: dt.date) -> list[DemoGroup]:
    """The pupil's class and mentor group at their current school this school year, or none
    for someone not in school. A function of the pupil alone (their ordinal picks the
    letter), so that the demo and the SS 12000 test server agree without a database."""
    current = next((e for e in facts.enrolments if e.end_date is None), None)
    if current is None:
        return []
    year = academic_year_of(today)
    start, end = school_year_start(year), school_year_end(year)
    letter = _CLASS_LETTERS[facts.ordinal % len(_CLASS_LETTERS)]
    grade = current.school_year or ""
    if current.school_type in ("GY", "GYS"):
        # Upper-secondary classes are named by programme and year (NA2A).
        class_name = f"{current.programme or current.school_type}{grade}{letter}"
    else:
        class_name = f"{grade}{letter}"
    mentor = 1 + (facts.ordinal // len(_CLASS_LETTERS)) % _MENTOR_GROUPS_PER_CLASS
    member_start = max(start, current.start_date)
    groups = []
    for name, group_type in (
        (class_name, GroupType.CLASS),
        (f"Mentor {class_name}-{mentor}", GroupType.MENTOR),
    ):
        groups.append(
            DemoGroup(
                id=demo_uuid("group", current.school_unit_code, year, name),
                school_unit_code=current.school_unit_code,
                name=name,
                group_type=str(group_type),
                school_type=current.school_type,
                school_year=current.school_year,
                start_date=start,
                end_date=end,
                member_start=member_start,
            )
        )
    return groups


def academic_year_of(today: dt.date) -> int:
    return today.year if today.month >= 8 else today.year - 1
