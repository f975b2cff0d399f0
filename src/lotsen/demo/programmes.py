"""The demo programme, shaped like the seeds': an ESF+ programme led by Region Exempel with
30 sub-projects across five regions and 40 municipalities, some hundreds of participants
with entry, exit and follow-up data, budgets (``demo.finance``), events
(``demo.events``) and a youth survey (``demo.surveys``).

Run after the demo generator (``lotsen demo`` calls it; ``lotsen demo-seed programmes``
also works). It is a function of the seed and today's date, and does nothing the second
time (the finance and events seeds are idempotent themselves).

Distributions (plausible for projects with young people far from work or studies, as in
the seeds; not calibrated against a source): at entry about two in three are outside the
labour force, a third unemployed (a quarter of them long-term), a few employed; two in
three have at most compulsory school. About three in four who have taken part for a
while have left; upon leaving a third are studying, a quarter working, a quarter job
searching. A few participants lack data (education, exit situation, six-month follow-up)
so that the "missing data" list has something to show.

The 39 new municipalities have fictional names and codes 9801–9839: no Swedish
municipality code starts with 9 (county codes run 01–25), and the demo's own is 1999.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from lotsen.accounts.models import Organisation, OrganisationKind
from lotsen.demo import names
from lotsen.demo.events import events_demo_seed
from lotsen.demo.finance import finance_demo_seed
from lotsen.demo.insights import methods_demo_seed
from lotsen.demo.surveys import surveys_demo_seed
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Gender, Person
from lotsen.programmes.indicators import add_months, age_on
from lotsen.programmes.models import (
    Framework,
    Participation,
    Programme,
    SubProject,
    SubProjectGoal,
)
from lotsen.support.models import Method

DEMO_PROGRAMME_NAME = "Vägar vidare – unga i studier och arbete"
DEMO_REGION_NAME = "Region Exempel"
DEMO_MUNICIPALITY_CODE = "1999"
DEMO_SEED = 2026
MUNICIPALITY_CODE_BASE = 9800

REGIONS: dict[str, tuple[str, ...]] = {
    # Region Exempel has Exempelkommun from the demo generator and seven more.
    DEMO_REGION_NAME: (
        "Ekedals kommun",
        "Forsby kommun",
        "Granvik kommun",
        "Hagmarks kommun",
        "Ivarsbo kommun",
        "Jämtby kommun",
        "Kvarnsjö kommun",
    ),
    "Region Norrmark": (
        "Lillåns kommun",
        "Myrbacka kommun",
        "Norrfors kommun",
        "Ormsjö kommun",
        "Pålsträsk kommun",
        "Renbergs kommun",
        "Stenfjälls kommun",
        "Tjärnvikens kommun",
    ),
    "Region Västerdal": (
        "Ulvsby kommun",
        "Vallåkra kommun",
        "Västerdals kommun",
        "Ymsjö kommun",
        "Åbergs kommun",
        "Älvlunda kommun",
        "Önneby kommun",
        "Bäckaryds kommun",
    ),
    "Region Österslätt": (
        "Dalsgårds kommun",
        "Ekholma kommun",
        "Fåglums kommun",
        "Grönhults kommun",
        "Hässlebo kommun",
        "Ingelstads kommun",
        "Klövsjö kommun",
        "Lindåsa kommun",
    ),
    "Region Sydkust": (
        "Marstrands kommun",
        "Nyhamns kommun",
        "Oxelby kommun",
        "Pilkrogs kommun",
        "Revsuddens kommun",
        "Saltviks kommun",
        "Tångviks kommun",
        "Udde kommun",
    ),
}
SUBPROJECT_THEMES = (
    "Vägen tillbaka",
    "Unga in i arbete",
    "Studiestart",
    "Hälsa och framtid",
    "Praktik och handledning",
)
GENDERS = (("woman", 47), ("man", 50), ("nonbinary", 3))
ENTRY_STATUSES = (
    ("unemployed", 24),
    ("long_term_unemployed", 9),
    ("inactive", 35),
    ("inactive_not_in_education", 28),
    ("employed", 4),
)
EDUCATION = (("isced_0_2", 64), ("isced_3_4", 31), ("isced_5_8", 2), ("", 3))
DISABILITY = (("yes", 14), ("no", 66), ("prefer_not_to_say", 12), ("", 8))
FOREIGN = (("yes", 27), ("no", 59), ("prefer_not_to_say", 8), ("", 6))
EXIT_STATUSES = (
    ("job_searching", 24),
    ("in_education", 32),
    ("qualification", 9),
    ("employed", 26),
    ("other", 6),
    ("", 3),
)
FOLLOWUP = (("employed", 38), ("improved", 30), ("not_improved", 24), ("", 8))
PERSON_GENDER = {"woman": Gender.WOMAN, "man": Gender.MAN, "nonbinary": Gender.OTHER}


@dataclass
class ProgrammeDemoSummary:
    created: bool = False
    regions: int = 0
    municipalities: int = 0
    subprojects: int = 0
    participants: int = 0
    participations: int = 0
    from_demo_municipality: int = 0
    extras: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.created:
            text = f"Programmet {DEMO_PROGRAMME_NAME} fanns redan: inget nytt."
        else:
            text = (
                f"Program: {DEMO_PROGRAMME_NAME}: {self.regions} regioner, "
                f"{self.municipalities} kommuner, {self.subprojects} delprojekt, "
                f"{self.participants} deltagare ({self.participations} deltaganden, "
                f"varav {self.from_demo_municipality} unga från Exempelkommun)"
            )
        return "; ".join([text, *self.extras])


def _weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def programme_demo_seed(
    *, seed: int = DEMO_SEED, today: dt.date | None = None
) -> ProgrammeDemoSummary:
    today = today or timezone.localdate()
    summary = ProgrammeDemoSummary()
    programme = Programme.objects.filter(name=DEMO_PROGRAMME_NAME).first()
    if programme is None:
        with transaction.atomic():
            programme = _build(summary, seed=seed, today=today)
        summary.created = True
    _others_seed(programme, summary)
    return summary


def _others_seed(programme: Programme, summary: ProgrammeDemoSummary) -> None:
    """Budgets, events and a youth survey for the programme, each through the app's own models."""
    money = finance_demo_seed(programme)
    summary.extras.append(
        f"ekonomi: {money.budget_lines} budgetrader, {money.funding_sources} "
        f"finansieringskällor, {money.costs} kostnader"
    )
    events = events_demo_seed(programme)
    summary.extras.append(
        f"evenemang: {events.events_created} nya, {events.registrations_created} anmälningar"
    )
    surveys = surveys_demo_seed(programme)
    summary.extras.append(
        f"enkäter: {surveys.surveys_created} nya, {surveys.responses_created} svar"
    )


def _methods() -> list:
    """The methods catalogue the participants' methods come from (the demo catalogue of
    ``demo.insights``, with its evidence notes)."""
    methods_demo_seed()
    return list(Method.objects.filter(active=True).order_by("name"))


def _organisations() -> tuple[dict[str, Organisation], dict[str, list[Organisation]]]:
    regions: dict[str, Organisation] = {}
    municipalities: dict[str, list[Organisation]] = {}
    code = MUNICIPALITY_CODE_BASE
    for region_name, municipality_names in REGIONS.items():
        region, _ = Organisation.objects.get_or_create(
            name=region_name, kind=OrganisationKind.REGION
        )
        regions[region_name] = region
        members = []
        if region_name == DEMO_REGION_NAME:
            exempel = Organisation.objects.filter(
                kind=OrganisationKind.MUNICIPALITY, municipality_code=DEMO_MUNICIPALITY_CODE
            ).first()
            if exempel is None:
                exempel = Organisation.objects.create(
                    name="Exempelkommun",
                    kind=OrganisationKind.MUNICIPALITY,
                    municipality_code=DEMO_MUNICIPALITY_CODE,
                    parent=region,
                )
            members.append(exempel)
        for name in municipality_names:
            code += 1
            org = Organisation.objects.filter(
                kind=OrganisationKind.MUNICIPALITY, municipality_code=f"{code:04d}"
            ).first()
            if org is None:
                org = Organisation.objects.create(
                    name=name,
                    kind=OrganisationKind.MUNICIPALITY,
                    municipality_code=f"{code:04d}",
                    parent=region,
                )
            members.append(org)
        municipalities[region_name] = members
    return regions, municipalities


def _build(summary: ProgrammeDemoSummary, *, seed: int, today: dt.date) -> Programme:
    rng = random.Random(seed)
    regions, municipalities = _organisations()
    summary.regions = len(regions)
    summary.municipalities = sum(len(m) for m in municipalities.values())
    start = dt.date(today.year - 2, 1, 1)
    end = dt.date(today.year + 1, 6, 30)
    programme = Programme.objects.create(
        name=DEMO_PROGRAMME_NAME,
        funder="Europeiska socialfonden+",
        framework=Framework.ESF_PLUS,
        start=start,
        end=end,
        lead_organisation=regions[DEMO_REGION_NAME],
        description=(
            "Ett regionalt program för att fler unga 15–29 år ska fullfölja gymnasiet eller "
            "komma i arbete och må bättre: 30 delprojekt i fem regioner och 40 kommuner, "
            "63 miljoner kronor från Europeiska socialfonden+ och 27 miljoner kronor i "
            "medfinansiering."
        ),
    )
    methods = _methods()

    subprojects: list[SubProject] = []
    for region_name, members in municipalities.items():
        region = regions[region_name]
        short = region_name.removeprefix("Region ")
        sub = SubProject.objects.create(
            programme=programme,
            name=f"Regional samordning {short}",
            lead_organisation=region,
            start=start,
            end=end,
            target_groups="Unga 15–29 år som varken arbetar eller studerar.",
            description="Samordning, kompetensutveckling och uppföljning för regionens kommuner.",
        )
        sub.organisations.set(members)
        subprojects.append(sub)
        leads = members[:5]
        for index, lead in enumerate(leads):
            theme = SUBPROJECT_THEMES[(index + len(subprojects)) % len(SUBPROJECT_THEMES)]
            sub_start = _random_day(rng, start, start + dt.timedelta(days=180))
            sub = SubProject.objects.create(
                programme=programme,
                name=f"{theme} {lead.name.removesuffix(' kommun')}",
                lead_organisation=lead,
                start=sub_start,
                end=end,
                target_groups="Unga 15–29 år som har avbrutit gymnasiet eller står utan arbete.",
            )
            partners = [m for m in members if m != lead]
            sub.organisations.set(rng.sample(partners, k=rng.randint(0, 2)))
            subprojects.append(sub)
    summary.subprojects = len(subprojects)

    goals = []
    for sub in subprojects:
        target = rng.randint(3, 6) * 10
        goals += [
            SubProjectGoal(
                subproject=sub,
                description="Antal deltagare",
                indicator="total_participants",
                target_value=target,
            ),
            SubProjectGoal(
                subproject=sub,
                description="Deltagare som studerar vid avslut",
                indicator="in_education_upon_leaving",
                target_value=round(target * 0.3),
            ),
            SubProjectGoal(
                subproject=sub,
                description="Deltagare som har arbete vid avslut",
                indicator="employed_upon_leaving",
                target_value=round(target * 0.25),
            ),
            SubProjectGoal(
                subproject=sub,
                description="Alla deltagare har en genomförandeplan inom en månad",
                target_value=100,
            ),
        ]
    SubProjectGoal.objects.bulk_create(goals)

    _participants(rng, summary, subprojects=subprojects, methods=methods, today=today)
    return programme


def _participants(rng, summary, *, subprojects, methods, today) -> None:
    used = set(Person.objects.values_list("personal_identity_number", flat=True))
    plans: list[tuple[SubProject, Person | None, str, dt.date]] = []

    # Young people from Exempelkommun's own demo population take part in its sub-projects.
    exempel_subs = [
        s for s in subprojects if s.lead_organisation.municipality_code == DEMO_MUNICIPALITY_CODE
    ]
    existing = [
        p
        for p in Person.objects.filter(home_municipality_code=DEMO_MUNICIPALITY_CODE).order_by("pk")
        if 16 <= age_on(p.date_of_birth, today) <= 29
    ]
    chosen = rng.sample(existing, k=min(40, len(existing))) if exempel_subs else []
    for person in chosen:
        sub = rng.choice(exempel_subs)
        last = min(today, sub.end)
        # The person must be at least 15 at entry.
        first = max(sub.start, _years_after(person.date_of_birth, 15))
        if first > last:
            continue
        gender = {"woman": "woman", "man": "man", "other": "nonbinary"}.get(
            person.gender, rng.choice(["woman", "man"])
        )
        plans.append((sub, person, gender, _random_day(rng, first, last)))
    summary.from_demo_municipality = len(plans)

    # Synthetic participants live in the programme's fictional municipalities, never in
    # Exempelkommun: there they would join its activity-responsibility cohort, which the
    # KAA demo is calibrated on. Exempelkommun's sub-projects take them from neighbours.
    homes: dict[int, list[str]] = {}
    for sub in subprojects:
        orgs = [sub.lead_organisation, *sub.organisations.all()]
        codes = [o.municipality_code for o in orgs if o.municipality_code]
        codes = [c for c in codes if c != DEMO_MUNICIPALITY_CODE]
        if not codes:
            region = sub.lead_organisation.parent or sub.lead_organisation
            codes = [
                c
                for c in region.children.filter(kind=OrganisationKind.MUNICIPALITY)
                .exclude(municipality_code=DEMO_MUNICIPALITY_CODE)
                .values_list("municipality_code", flat=True)
            ]
        homes[sub.pk] = codes or [f"{MUNICIPALITY_CODE_BASE + 1:04d}"]

    new_persons: list[Person] = []
    for sub in subprojects:
        count = rng.randint(8, 22)
        last = min(today - dt.timedelta(days=7), sub.end)
        for _ in range(count):
            entry = _random_day(rng, sub.start, last)
            gender = _weighted(rng, GENDERS)
            age = rng.choices(
                range(15, 30), weights=[3, 6, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 3, 2]
            )[0]
            born = entry - dt.timedelta(days=365 * age + rng.randint(0, 360))
            number = _fresh_number(rng, born, used)
            person_gender = PERSON_GENDER[gender]
            given = rng.choice(
                names.GIVEN_NAMES_WOMEN
                if gender == "woman"
                else names.GIVEN_NAMES_MEN
                if gender == "man"
                else names.GIVEN_NAMES_ANY
            )
            person = Person(
                personal_identity_number=number,
                date_of_birth=dt.date(int(number[:4]), int(number[4:6]), int(number[6:8])),
                given_name=given,
                family_name=rng.choice(names.FAMILY_NAMES),
                gender=person_gender,
                home_municipality_code=rng.choice(homes[sub.pk]),
            )
            new_persons.append(person)
            plans.append((sub, person, gender, entry))
    Person.objects.bulk_create(new_persons)
    # bulk_create sets primary keys on PostgreSQL and SQLite 3.35+; fetch to be sure.
    ids = dict(
        Person.objects.filter(
            personal_identity_number__in=[p.personal_identity_number for p in new_persons]
        ).values_list("personal_identity_number", "pk")
    )
    for p in new_persons:
        p.pk = ids[p.personal_identity_number]
    summary.participants = len(plans)

    rows: list[Participation] = []
    for sub, person, gender, entry in plans:
        rows += _participation_rows(
            rng, sub=sub, person=person, gender=gender, entry=entry, today=today
        )
    Participation.objects.bulk_create(rows)
    summary.participations = len(rows)
    saved = list(
        Participation.objects.filter(subproject__in=subprojects)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    through = Participation.methods.through
    links = []
    for pk in saved:
        for method in rng.sample(methods, k=rng.randint(1, 3)):
            links.append(through(participation_id=pk, method_id=method.pk))
    through.objects.bulk_create(links)


def _participation_rows(rng, *, sub, person, gender, entry, today) -> list[Participation]:
    base = {
        "person_id": person.pk,
        "subproject": sub,
        # The project's own record of the name: in the demo, the one the person has.
        "given_name": person.given_name,
        "family_name": person.family_name,
        "gender": gender,
        "entry_status": _weighted(rng, ENTRY_STATUSES),
        "education_level": _weighted(rng, EDUCATION),
        "disability": _weighted(rng, DISABILITY),
        "foreign_background": _weighted(rng, FOREIGN),
    }
    if person.date_of_birth and age_on(person.date_of_birth, entry) >= 20:
        base["education_level"] = (
            base["education_level"].replace("isced_0_2", "isced_3_4")
            if rng.random() < 0.3
            else base["education_level"]
        )
    rows = []
    first = Participation(entry_date=entry, **base)
    rows.append(first)
    days_in = (today - entry).days
    if days_in > 60 and rng.random() < 0.78:
        exit_date = min(
            entry + dt.timedelta(days=rng.randint(60, 360)), today - dt.timedelta(days=1)
        )
        _exit(rng, first, exit_date, today)
        # A few come back to the same sub-project: counted once, last exit kept.
        if rng.random() < 0.04 and (today - exit_date).days > 90:
            again = exit_date + dt.timedelta(days=rng.randint(30, 80))
            if again <= min(today, sub.end):
                second = Participation(entry_date=again, **base)
                if (today - again).days > 60 and rng.random() < 0.6:
                    _exit(
                        rng,
                        second,
                        min(again + dt.timedelta(days=rng.randint(40, 200)), today),
                        today,
                    )
                rows.append(second)
    return rows


def _exit(rng, row: Participation, exit_date: dt.date, today: dt.date) -> None:
    row.exit_date = exit_date
    row.exit_status = _weighted(rng, EXIT_STATUSES)
    if add_months(exit_date, 6) <= today:
        row.followup_6m_status = _weighted(rng, FOLLOWUP)


def _years_after(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return born.replace(year=born.year + years, day=28)


def _fresh_number(rng: random.Random, born: dt.date, used: set[str]) -> str:
    day = born
    while True:
        for _ in range(20):
            number = make_identity_number(day, rng.randint(700, 989))
            if number not in used:
                used.add(number)
                return number
        day += dt.timedelta(days=1)
