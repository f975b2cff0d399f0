"""The KAA cohort recomputation at the scale of a large region: 100,000 young people aged
14–21 registered in one municipality (BENCH_KAA_SIZE), with population register periods,
enrolments and qualifications drawn with realistic shares.

Times ``kaa_cohort_refresh`` (load the facts, apply the rules in ``kaa.cohort`` to every
person, store the memberships with entry dates and reasons), first on an empty register
and then again on unchanged data, against one SQL query that counts the same set of
people on the same day. The two counts must agree, so the query is a check on the rules
as well as a baseline. Prints times and ratios.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import best_of, django_setup  # noqa: E402

MUNICIPALITY = "1999"
OTHER = "0180"

# Education as the rules see it: enrolments, and education registered as equivalent.
SOURCES = {
    "enrolment": ("school_enrolment", "e.school_type IN ('GY', 'GYS')"),
    "equivalent": ("kaa_equivalenteducation", "1 = 1"),
}
BRIDGE_SQL = """
  AND NOT EXISTS (SELECT 1 FROM {later} e JOIN {earlier} b ON b.person_id = e.person_id
                  WHERE e.person_id = p.id AND {later_filter}
                    AND e.start_date > %(day)s AND b.end_date < %(day)s
                    AND {gap} <= %(bridge)s)"""
COUNT_SQL = """
SELECT COUNT(*) FROM people_person p
WHERE p.date_of_birth > %(turned_20_by)s
  -- registered in the municipality on the day, not as an asylum seeker
  AND (
    EXISTS (SELECT 1 FROM kaa_residenceperiod r
            WHERE r.person_id = p.id AND r.municipality_code = %(code)s
              AND (r.moved_in IS NULL OR r.moved_in <= %(day)s)
              AND (r.moved_out IS NULL OR r.moved_out > %(day)s)
              AND NOT r.asylum_seeker)
    OR (p.home_municipality_code = %(code)s
        AND NOT EXISTS (SELECT 1 FROM kaa_residenceperiod r WHERE r.person_id = p.id))
  )
  -- compulsory school completed
  AND NOT EXISTS (SELECT 1 FROM school_enrolment g
                  WHERE g.person_id = p.id AND g.school_type IN ('GR', 'GRS')
                    AND g.start_date <= %(day)s AND (g.end_date IS NULL OR g.end_date >= %(day)s))
  AND (p.date_of_birth <= %(turned_16_by)s
       OR EXISTS (SELECT 1 FROM school_enrolment g
                  WHERE g.person_id = p.id AND g.school_type IN ('GR', 'GRS')
                    AND g.end_date < %(day)s AND (g.school_year IS NULL OR g.school_year >= 9)))
  -- not in upper-secondary or equivalent education on the day...
  AND NOT EXISTS (SELECT 1 FROM school_enrolment e
                  WHERE e.person_id = p.id AND e.school_type IN ('GY', 'GYS')
                    AND e.start_date <= %(day)s AND (e.end_date IS NULL OR e.end_date >= %(day)s))
  AND NOT EXISTS (SELECT 1 FROM kaa_equivalenteducation e
                  WHERE e.person_id = p.id
                    AND e.start_date <= %(day)s AND (e.end_date IS NULL OR e.end_date >= %(day)s))
  -- ... nor between an enrolment's end and an upper-secondary start (the summer bridge)
  {bridges}
  -- no gymnasieexamen, gymnasiesärskolebevis or completed equivalent education
  AND NOT EXISTS (SELECT 1 FROM kaa_qualification q
                  WHERE q.person_id = p.id AND q.awarded_on <= %(day)s
                    AND q.kind IN ('gymnasieexamen', 'gymnasiesarskolebevis',
                                   'equivalent_completed'))
  AND NOT EXISTS (SELECT 1 FROM school_enrolment x
                  WHERE x.person_id = p.id AND x.end_date <= %(day)s
                    AND LOWER(x.end_reason) LIKE '%%examen%%'
                    AND LOWER(x.end_reason) NOT LIKE '%%studiebevis%%')
  AND NOT EXISTS (SELECT 1 FROM kaa_equivalenteducation q
                  WHERE q.person_id = p.id AND q.completed_with_pass AND q.end_date <= %(day)s)
"""
GAP = {
    "sqlite": "(julianday(e.start_date) - julianday(b.end_date) - 1)",
    "postgresql": "(e.start_date - b.end_date - 1)",
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def population_build(size: int, today: dt.date) -> None:
    """``size`` young people with registration periods, enrolments and qualifications."""
    from django.db import transaction

    from lotsen.accounts.models import Organisation, OrganisationKind
    from lotsen.kaa.models import EquivalentEducation, Qualification, ResidencePeriod
    from lotsen.people.identity import make_identity_number
    from lotsen.people.models import Person
    from lotsen.school.models import Enrolment

    rng = random.Random(7)
    with transaction.atomic():
        Organisation.objects.create(
            name="Benchkommun", kind=OrganisationKind.MUNICIPALITY, municipality_code=MUNICIPALITY
        )
        schools = [
            Organisation.objects.create(
                name=f"Skola {i}",
                kind=OrganisationKind.SCHOOL_UNIT,
                school_unit_code=f"1999{i:04d}",
            )
            for i in range(4)
        ]
        serials: dict[dt.date, int] = {}
        persons = []
        for _ in range(size):
            born = today - dt.timedelta(days=rng.randint(14 * 365, 21 * 365 + 250))
            serials[born] = serials.get(born, 0) + 1
            persons.append(
                Person(
                    personal_identity_number=make_identity_number(born, serials[born] % 999 + 1),
                    date_of_birth=born,
                    given_name="Bench",
                    family_name="Person",
                    gender=rng.choice(["woman", "man"]),
                    home_municipality_code=MUNICIPALITY,
                )
            )
        Person.objects.bulk_create(persons, batch_size=5000)
        rows = Person.objects.values_list("pk", "date_of_birth").order_by("pk")
        residences, enrolments, qualifications, equivalents = [], [], [], []
        for pk, born in rows:
            roll = rng.random()
            if roll < 0.02:
                moved = today - dt.timedelta(days=rng.randint(10, 700))
                residences += [
                    ResidencePeriod(
                        person_id=pk, municipality_code=OTHER, moved_in=born, moved_out=moved
                    ),
                    ResidencePeriod(person_id=pk, municipality_code=MUNICIPALITY, moved_in=moved),
                ]
            elif roll < 0.03:
                moved = today - dt.timedelta(days=rng.randint(10, 700))
                residences += [
                    ResidencePeriod(
                        person_id=pk, municipality_code=MUNICIPALITY, moved_in=born, moved_out=moved
                    ),
                    ResidencePeriod(person_id=pk, municipality_code=OTHER, moved_in=moved),
                ]
            else:
                residences.append(
                    ResidencePeriod(
                        person_id=pk,
                        municipality_code=MUNICIPALITY,
                        moved_in=born,
                        asylum_seeker=roll > 0.995,
                    )
                )
            school = rng.choice(schools)
            year = born.year + 16
            gr_end = dt.date(year, 6, 12)
            enrolments.append(
                Enrolment(
                    person_id=pk,
                    school_unit=school,
                    school_type="GR",
                    school_year=9,
                    start_date=dt.date(year - 3, 8, 18),
                    end_date=gr_end if gr_end < today else None,
                )
            )
            if gr_end >= today:
                continue
            start = dt.date(year, 8, 18)
            regular_end = dt.date(year + 3, 6, 10)
            outcome = rng.random()
            if outcome < 0.02:
                # Never started upper-secondary school; some are in adult education now.
                if rng.random() < 0.4:
                    begun = today - dt.timedelta(days=rng.randint(-30, 300))
                    done = rng.random() < 0.3
                    equivalents.append(
                        EquivalentEducation(
                            person_id=pk,
                            kind="VUXGY",
                            start_date=begun,
                            end_date=begun + dt.timedelta(days=200) if done else None,
                            completed_with_pass=done,
                        )
                    )
                continue
            if outcome < 0.03:
                start = today + dt.timedelta(days=rng.randint(20, 200))  # starts after the day
            programme = (
                rng.choice(["IMV", "IMS"])
                if outcome < 0.12
                else rng.choice(["SA", "EK", "BF", "NA"])
            )
            if outcome < 0.15 and start < today:
                end = start + dt.timedelta(days=rng.randint(30, 700))
                enrolments.append(
                    Enrolment(
                        person_id=pk,
                        school_unit=school,
                        school_type="GY",
                        programme=programme,
                        start_date=start,
                        end_date=end if end < today else None,
                        end_reason="Avbrott",
                    )
                )
                continue
            ended = regular_end < today
            examen = ended and rng.random() < 0.86
            enrolments.append(
                Enrolment(
                    person_id=pk, school_unit=school, school_type="GY", programme=programme,
                    start_date=start, end_date=regular_end if ended else None,
                    end_reason=("Gymnasieexamen" if examen else "Studiebevis") if ended else "",
                )
            )  # fmt: skip
            if examen and rng.random() < 0.3:
                qualifications.append(
                    Qualification(person_id=pk, kind="gymnasieexamen", awarded_on=regular_end)
                )
        ResidencePeriod.objects.bulk_create(residences, batch_size=5000)
        Enrolment.objects.bulk_create(enrolments, batch_size=5000)
        Qualification.objects.bulk_create(qualifications, batch_size=5000)
        EquivalentEducation.objects.bulk_create(equivalents, batch_size=5000)


def count_query(today: dt.date) -> int:
    from django.db import connection

    from lotsen.kaa.cohort import DEFAULT_RULES

    bridges = "".join(
        BRIDGE_SQL.format(
            later=later, later_filter=where, earlier=earlier, gap=GAP[connection.vendor]
        )
        for later, where in SOURCES.values()
        for earlier, _where in SOURCES.values()
    )
    sql = COUNT_SQL.format(bridges=bridges)
    params = {
        "code": MUNICIPALITY,
        "day": today,
        "turned_20_by": _years_before(today, 20),
        "turned_16_by": _years_before(today, 16),
        "bridge": DEFAULT_RULES.bridge_days,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def main() -> None:
    django_setup()
    from django.utils import timezone

    from lotsen.kaa.models import CohortMembership
    from lotsen.kaa.services import kaa_cohort_refresh

    size = int(os.environ.get("BENCH_KAA_SIZE", "100000"))
    today = timezone.localdate()
    population_build(size, today)
    # Fresh tables have no planner statistics; a database in use would have them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    start = time.perf_counter()
    first = kaa_cohort_refresh(municipality_code=MUNICIPALITY, today=today)
    t_first = time.perf_counter() - start
    t_again = best_of(
        lambda: kaa_cohort_refresh(municipality_code=MUNICIPALITY, today=today), repeat=3
    )
    again = kaa_cohort_refresh(municipality_code=MUNICIPALITY, today=today)
    t_sql = best_of(lambda: count_query(today))
    counted = count_query(today)

    stored = CohortMembership.objects.filter(municipality_code=MUNICIPALITY).count()
    agree = "the same" if counted == first.members_today else "MISMATCH"
    print(
        f"{size} young people, {first.persons_examined} examined; in the cohort today: "
        f"{first.members_today} (one SQL query counts {counted}: {agree}); "
        f"{stored} memberships stored"
    )
    print(f"{'operation':46} {'time':>10} {'ratio to SQL count':>20}")
    for name, seconds in (
        ("recompute, empty register (writes all)", t_first),
        ("recompute, unchanged data (writes nothing)", t_again),
        ("one SQL query counting the same set", t_sql),
    ):
        print(f"{name:46} {seconds * 1000:7.0f} ms {seconds / t_sql:19.1f}x")
    assert again.created == again.updated == again.deleted == 0
    if counted != first.members_today:
        sys.exit(1)


if __name__ == "__main__":
    main()
