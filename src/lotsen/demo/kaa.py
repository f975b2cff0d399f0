"""The demo municipality's activity responsibility: population register data, the cohort,
and a realistic amount of work done on it.

Run after the demo generator (``lotsen demo``) has created persons and enrolments:
``kaa_demo_seed()`` (or ``lotsen demo-seed kaa``). It is a function of the data, ``seed``
and ``today``, and does nothing the second time.

Calibration (domain/swedish_calibration_stats.json, kaa_counts):
- the cohort is about 9 % of the 16–19-year-olds registered in the municipality
  (Skolverket, H2 2022). The demo's school outcomes alone give a little more; young adults
  who moved away in the last months bring it to 9 %, and some of them leave the cohort
  with the reason "moved away", as in the national statistics;
- about 45 % of the cohort has been reached (H2 2021: 21,000 of 46,300 contacted) and
  about one in five is or has been in a measure (10,000 of 46,300), so about half has
  status unknown: the headline number for a coordinator to drive down;
- occupation at contact: work about 30 %, no occupation about a quarter, studies about
  15 % (2021/22), the rest unknown.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.accounts.models import Membership, Role
from lotsen.ingest.upsert import tables_analyze
from lotsen.kaa import cohort
from lotsen.kaa.models import (
    CohortMembership,
    Contact,
    ContactKind,
    ContactMethod,
    EquivalentEducation,
    EquivalentKind,
    FollowUp,
    Measure,
    MeasureEndReason,
    MeasureStatus,
    MeasureType,
    Notice,
    NoticeKind,
    Occupation,
    Plan,
    Qualification,
    QualificationKind,
    ResidencePeriod,
)
from lotsen.kaa.services import kaa_cohort_refresh, notice_send
from lotsen.people.identity import age_on
from lotsen.people.models import Person

TARGET_SHARE = 0.09
# Where people moved from and to: codes of real, large municipalities (Stockholm,
# Göteborg, Malmö, Uppsala); only the codes are used.
OTHER_MUNICIPALITIES = ("0180", "1480", "1280", "0380")
MOVED_IN_SHARE = 0.15
OCCUPATION_WEIGHTS = (
    (Occupation.WORK, 30),
    (Occupation.NONE, 27),
    (Occupation.STUDIES, 15),
    (Occupation.UNKNOWN, 10),
)
MEASURE_WEIGHTS = (
    ("guidance", 30),
    ("coaching", 25),
    ("work_experience", 15),
    ("studies", 15),
    ("employment_service", 10),
    ("other", 5),
)
PLANS = (
    (
        "Samtal varannan vecka. Undersöka praktik inom handel och vilka kurser som saknas.",
        "Börja studera igen till hösten.",
    ),
    (
        "Kartlägga intressen tillsammans med studie- och yrkesvägledare. Besöka komvux.",
        "Ha en plan för studier eller arbete inom tre månader.",
    ),
    (
        "Stöd att skriva cv och söka arbete. Kontakt med Arbetsförmedlingen.",
        "Få ett arbete eller en praktikplats.",
    ),
)


@dataclass
class KaaDemoSummary:
    already_seeded: bool = False
    residence_periods: int = 0
    moved_in: int = 0
    moved_away: int = 0
    started_studies: int = 0
    qualified: int = 0
    asylum_seekers: int = 0
    young_16_19: int = 0
    members: int = 0
    contacts: int = 0
    attempts: int = 0
    measures: int = 0
    notices: int = 0

    @property
    def share(self) -> float:
        return self.members / self.young_16_19 if self.young_16_19 else 0.0


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _coordinator(municipality_code: str) -> Actor | None:
    membership = (
        Membership.objects.filter(
            role=Role.KAA_COORDINATOR, organisation__municipality_code=municipality_code
        )
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    return Actor.for_membership(membership) if membership else None


def kaa_demo_seed(
    *, municipality_code: str = "1999", today: dt.date | None = None, seed: int = 2026
) -> KaaDemoSummary:
    """Population data, the cohort and the work on it for the demo municipality."""
    today = today or timezone.localdate()
    summary = KaaDemoSummary()
    if ResidencePeriod.objects.filter(municipality_code=municipality_code).exists():
        summary.already_seeded = True
        return summary
    rng = random.Random(seed)
    with transaction.atomic():
        _residences_create(
            municipality_code=municipality_code, today=today, rng=rng, summary=summary
        )
        # The refreshes below are planned on these tables' statistics, which were taken
        # when they were empty (``demo_tables_analyze``): at 200,000 persons the first
        # refresh's read of the residences ran for more than six minutes as a nested loop.
        tables_analyze(ResidencePeriod)
        kaa_cohort_refresh(municipality_code=municipality_code, today=today)
        tables_analyze(CohortMembership)
        _returns_to_studies(
            municipality_code=municipality_code, today=today, rng=rng, summary=summary
        )
        kaa_cohort_refresh(municipality_code=municipality_code, today=today)
        _moves_away(municipality_code=municipality_code, today=today, rng=rng, summary=summary)
        kaa_cohort_refresh(municipality_code=municipality_code, today=today)
        _work_create(municipality_code=municipality_code, today=today, rng=rng, summary=summary)
        _notices_create(municipality_code=municipality_code, today=today, summary=summary)
    summary.young_16_19 = _young_registered(municipality_code=municipality_code, today=today)
    summary.members = CohortMembership.objects.filter(
        municipality_code=municipality_code, left_on__isnull=True, person__isnull=False
    ).count()
    return summary


def _young_registered(*, municipality_code: str, today: dt.date) -> int:
    """16–19-year-olds registered in the municipality today (asylum seekers are not)."""
    births = (
        ResidencePeriod.objects.filter(
            municipality_code=municipality_code, asylum_seeker=False, moved_in__lte=today
        )
        .filter(moved_out__isnull=True)
        .values_list("person__date_of_birth", flat=True)
    )
    return sum(1 for born in births if 16 <= age_on(born, today) <= 19)


def _residences_create(
    *, municipality_code: str, today: dt.date, rng: random.Random, summary: KaaDemoSummary
) -> None:
    """Every demo resident gets a registration period; some moved here during their life,
    some with a coordination number are asylum seekers (not covered by the KAA)."""
    periods = []
    persons = Person.objects.filter(home_municipality_code=municipality_code).order_by("pk")
    for pk, born, coordination in persons.values_list(
        "pk", "date_of_birth", "is_coordination_number"
    ):
        age = age_on(born, today)
        if coordination and 16 <= age <= 19 and rng.random() < 0.5:
            arrived = today - dt.timedelta(days=rng.randint(60, 500))
            periods.append(
                ResidencePeriod(
                    person_id=pk,
                    municipality_code=municipality_code,
                    moved_in=arrived,
                    asylum_seeker=True,
                )
            )
            summary.asylum_seekers += 1
            continue
        if rng.random() < MOVED_IN_SHARE:
            moved = _between(rng, born + dt.timedelta(days=365), today - dt.timedelta(days=30))
            periods.append(
                ResidencePeriod(
                    person_id=pk,
                    municipality_code=rng.choice(OTHER_MUNICIPALITIES),
                    moved_in=born,
                    moved_out=moved,
                )
            )
            periods.append(
                ResidencePeriod(person_id=pk, municipality_code=municipality_code, moved_in=moved)
            )
            summary.moved_in += 1
        else:
            periods.append(
                ResidencePeriod(person_id=pk, municipality_code=municipality_code, moved_in=born)
            )
    ResidencePeriod.objects.bulk_create(periods, batch_size=1000)
    summary.residence_periods = len(periods)


def _returns_to_studies(
    *, municipality_code: str, today: dt.date, rng: random.Random, summary: KaaDemoSummary
) -> None:
    """Some leave the cohort for studies: municipal adult education at upper-secondary
    level counts as equivalent education, and a few complete a gymnasieexamen there
    (about half of those who leave the KAA go on to studies: PM H2 2018)."""
    members = list(
        CohortMembership.objects.filter(
            municipality_code=municipality_code, left_on__isnull=True, person__isnull=False
        ).order_by("person_id")
    )
    educations, qualifications = [], []
    for membership in members:
        if (today - membership.entered_on).days < 60:
            continue
        roll = rng.random()
        start = _between(
            rng, membership.entered_on + dt.timedelta(days=30), today - dt.timedelta(days=5)
        )
        if roll < 0.10:
            educations.append(
                EquivalentEducation(
                    person_id=membership.person_id,
                    kind=EquivalentKind.ADULT_EDUCATION,
                    start_date=start,
                )
            )
        elif roll < 0.12:
            qualifications.append(
                Qualification(
                    person_id=membership.person_id, kind=QualificationKind.EXAMEN, awarded_on=start
                )
            )
    EquivalentEducation.objects.bulk_create(educations)
    Qualification.objects.bulk_create(qualifications)
    summary.started_studies = len(educations)
    summary.qualified = len(qualifications)


def _moves_away(
    *, municipality_code: str, today: dt.date, rng: random.Random, summary: KaaDemoSummary
) -> None:
    """Some young adults in the cohort move away, as young adults do; enough of them to
    bring the cohort to about 9 % of the 16–19-year-olds."""
    members = list(
        CohortMembership.objects.filter(
            municipality_code=municipality_code, left_on__isnull=True, person__isnull=False
        )
        .select_related("person")
        .order_by("person_id")
    )
    young = _young_registered(municipality_code=municipality_code, today=today)
    # Movers leave both the cohort and the age group: (members - k) / (young - k) = target.
    excess = max(0, round((len(members) - TARGET_SHARE * young) / (1 - TARGET_SHARE)))
    candidates = [
        m for m in members if (today - m.entered_on).days > 40 and not m.person.is_protected
    ]
    rng.shuffle(candidates)
    # A few move every year whatever the calibration needs, so that moving away is among
    # the reasons for leaving, as it is nationally.
    movers = candidates[: min(max(excess, round(0.04 * len(members))), len(members) // 4)]
    for membership in movers:
        person = membership.person
        moved = _between(
            rng,
            max(membership.entered_on + dt.timedelta(days=20), today - dt.timedelta(days=200)),
            today - dt.timedelta(days=5),
        )
        new_home = rng.choice(OTHER_MUNICIPALITIES)
        current = ResidencePeriod.objects.get(
            person=person, municipality_code=municipality_code, moved_out__isnull=True
        )
        current.moved_out = moved
        current.save(update_fields=["moved_out"])
        ResidencePeriod.objects.create(person=person, municipality_code=new_home, moved_in=moved)
        person.home_municipality_code = new_home
        person.save(update_fields=["home_municipality_code"])
    summary.moved_away = len(movers)


def _work_create(
    *, municipality_code: str, today: dt.date, rng: random.Random, summary: KaaDemoSummary
) -> None:
    """Contacts and measures for a part of everyone in the cohort in the last year."""
    actor = _coordinator(municipality_code)
    user = actor.user if actor else None
    types = {t.code: t for t in MeasureType.objects.filter(active=True)}
    since = today - dt.timedelta(days=365)
    memberships = (
        CohortMembership.objects.filter(municipality_code=municipality_code, person__isnull=False)
        .exclude(left_on__lte=since)
        .order_by("person_id", "entered_on")
    )
    contacts, plans, follow_ups = [], [], []
    for membership in memberships:
        last_day = (membership.left_on - dt.timedelta(days=1)) if membership.left_on else today
        first_day = max(membership.entered_on, since)
        if last_day < first_day:
            continue
        days_in = (last_day - first_day).days
        # The longer someone has been in the cohort, the likelier the municipality has
        # reached them; about 45 % in all.
        reached = rng.random() < 0.12 + 0.5 * min(1.0, days_in / 300)
        attempts = rng.randint(1, 3) if (not reached and rng.random() < 0.6) else rng.randint(0, 1)
        day = first_day
        for _ in range(attempts):
            day = _between(rng, day, min(last_day, day + dt.timedelta(days=30)))
            contacts.append(
                Contact(
                    person_id=membership.person_id,
                    municipality_code=municipality_code,
                    kind=ContactKind.ATTEMPT,
                    method=rng.choice(
                        [ContactMethod.LETTER, ContactMethod.PHONE, ContactMethod.TEXT]
                    ),
                    contact_date=day,
                    recorded_by=user,
                )
            )
            summary.attempts += 1
        if not reached:
            continue
        contact_day = _between(rng, day, last_day)
        occupation = _weighted(rng, OCCUPATION_WEIGHTS)
        contacts.append(
            Contact(
                person_id=membership.person_id,
                municipality_code=municipality_code,
                kind=ContactKind.CONTACT,
                method=rng.choice(
                    [ContactMethod.PHONE, ContactMethod.MEETING, ContactMethod.HOME_VISIT]
                ),
                contact_date=contact_day,
                occupation=occupation,
                recorded_by=user,
            )
        )
        summary.contacts += 1
        if occupation == Occupation.WORK or rng.random() < 0.3:
            continue
        offered = _between(rng, contact_day, min(last_day, contact_day + dt.timedelta(days=21)))
        roll = rng.random()
        measure = Measure(
            person_id=membership.person_id,
            municipality_code=municipality_code,
            measure_type=types[_weighted(rng, MEASURE_WEIGHTS)],
            status=MeasureStatus.OFFERED,
            offered_on=offered,
            recorded_by=user,
            responsible_individual="Komma till bokade samtal och höra av sig vid förhinder.",
            responsible_municipality="Boka samtal, ordna kontakter och följa upp.",
        )
        if roll < 0.15:
            measure.status = MeasureStatus.DECLINED
        elif roll < 0.85:
            start = _between(rng, offered, min(last_day, offered + dt.timedelta(days=14)))
            measure.status, measure.start_date = MeasureStatus.STARTED, start
            measure.planned_end_date = start + dt.timedelta(days=rng.choice([60, 90, 120]))
            ends = membership.left_on is not None or rng.random() < 0.3
            if ends and start < last_day:
                measure.status = MeasureStatus.ENDED
                measure.end_date = _between(rng, start + dt.timedelta(days=1), last_day)
                measure.end_reason = rng.choice(
                    [
                        MeasureEndReason.COMPLETED,
                        MeasureEndReason.STARTED_STUDIES,
                        MeasureEndReason.STARTED_WORK,
                        MeasureEndReason.INTERRUPTED,
                    ]
                )
                measure.occupation_after = {
                    MeasureEndReason.STARTED_STUDIES: Occupation.STUDIES,
                    MeasureEndReason.STARTED_WORK: Occupation.WORK,
                }.get(measure.end_reason, rng.choice([Occupation.NONE, Occupation.UNKNOWN]))
        goal_text = rng.choice(PLANS)
        measure.goal = goal_text[1]
        measure.save()
        summary.measures += 1
        follow_up_day = (measure.start_date or offered) + dt.timedelta(days=30)
        follow_ups.append(
            FollowUp(
                measure=measure,
                due_on=follow_up_day,
                done_on=follow_up_day if follow_up_day < today and rng.random() < 0.8 else None,
            )
        )
        plans.append(
            Plan(
                person_id=membership.person_id,
                municipality_code=municipality_code,
                planning=goal_text[0],
                goal=goal_text[1],
                coordinated_support_needed=rng.random() < 0.08,
                updated_by=user,
            )
        )
    for plan in plans:
        if plan.coordinated_support_needed:
            plan.coordinated_support_note = (
                "Socialtjänsten och ungdomsmottagningen behöver vara med."
            )
    Contact.objects.bulk_create(contacts, batch_size=1000)
    FollowUp.objects.bulk_create(follow_ups, batch_size=1000)
    unique_plans = {(p.person_id, p.municipality_code): p for p in plans}
    Plan.objects.bulk_create(unique_plans.values(), batch_size=1000)


def _notices_create(*, municipality_code: str, today: dt.date, summary: KaaDemoSummary) -> None:
    """Recent dropouts from the municipality's upper-secondary school, notified by its
    study and career counsellor; the older ones are handled."""
    membership = (
        Membership.objects.filter(
            role=Role.COUNSELLOR, organisation__municipality_code=municipality_code
        )
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return
    sender = Actor.for_membership(membership)
    recent = (
        CohortMembership.objects.filter(
            municipality_code=municipality_code,
            person__isnull=False,
            reason=cohort.REASON_DROPPED_OUT,
            person__home_municipality_code=municipality_code,
            entered_on__gte=today - dt.timedelta(days=300),
        )
        .select_related("person")
        .order_by("-entered_on")[:6]
    )
    for index, m in enumerate(recent):
        receipt = notice_send(
            actor=sender,
            kind=NoticeKind.DROPOUT,
            personal_identity_number=m.person.personal_identity_number,
            home_municipality_code=municipality_code,
            event_date=m.entered_on - dt.timedelta(days=1),
            message="Eleven har slutat och vill inte fortsätta på programmet.",
        )
        if index >= 3:
            Notice.objects.filter(receipt=receipt.receipt).update(
                handled_at=timezone.now(), handled_by=_coordinator(municipality_code).user
            )
        summary.notices += 1
