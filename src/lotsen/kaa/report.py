"""The half-yearly national report (SCB's collection "Kommunernas aktivitetsansvar", on
behalf of Skolverket; skollagen 26 kap. 25 §, förordning 2006:39 § 3).

The file follows the collection's blocks (SCB, Instruktioner till Kommunernas
aktivitetsansvar; domain/swedish-rules-and-sources.md §1.4):

1. Obligatoriska uppgifter – every person in the cohort at some time in the half-year,
   with the registration date and the latest school-related occupation at registration;
2. Kontakt med individen – each contact in the half-year and the occupation then;
3. Åtgärd påbörjas – each measure started in the half-year, or declined;
4. Åtgärd avslutats – each measure ended in the half-year, why, and the occupation after;
5. Aktivitetsansvaret har upphört – each departure in the half-year and its reason.

Codes come from the period's code lists (``ReportCode``), so a new half-year's codes need
no code change. The column layout is ours until SCB's "Datafilsbeskrivning" for the
period has been checked against it (an open gap, see the rules document §8).

Protected identity: persons with skyddad folkbokföring or sekretessmarkering never appear
in lists exported outside the municipality (DESIGN.md, "The one door"), and the file
goes to SCB. They are left out of the file and counted on the export page, so the
coordinator can report them by the route SCB gives for them. A deployment whose legal
review concludes otherwise sets LOTSEN_KAA_REPORT_PROTECTED = True (the file carries no
names or addresses either way).

Before a file is produced, consistency checks run; any problem stops the export, and each
problem says in plain words what to fix and for whom.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from lotsen.accounts.actor import Actor
from lotsen.kaa import cohort
from lotsen.kaa.models import (
    CodeList,
    CohortMembership,
    Contact,
    ContactKind,
    Measure,
    MeasureStatus,
    ReportCode,
    ReportPeriod,
)
from lotsen.kaa.selectors import KaaScope, kaa_scope
from lotsen.people.identity import luhn_valid
from lotsen.people.models import Person
from lotsen.privacy.door import persons_shown
from lotsen.privacy.models import Action, Purpose
from lotsen.stats.tabular import Cell, Sheet, bold, csv_text, xlsx_bytes

CHECK_CONTACT_OCCUPATION = "contact_occupation"
CHECK_CONTACT_OUTSIDE = "contact_outside"
CHECK_MEASURE_START_MISSING = "measure_start_missing"
CHECK_MEASURE_END_INCOMPLETE = "measure_end_incomplete"
CHECK_MEASURE_DATE_ORDER = "measure_date_order"
CHECK_MEASURE_OUTSIDE = "measure_outside"
CHECK_DECLINED_WITH_START = "declined_with_start"
CHECK_LEFT_REASON_MISSING = "left_reason_missing"
CHECK_STILL_IN_AFTER_20 = "still_in_after_20"
CHECK_FUTURE_DATE = "future_date"
CHECK_IDENTITY_NUMBER = "identity_number"
CHECK_OVERLAP = "overlap"
CHECK_CODE_MISSING = "code_missing"
CHECKS = (
    CHECK_CONTACT_OCCUPATION,
    CHECK_CONTACT_OUTSIDE,
    CHECK_MEASURE_START_MISSING,
    CHECK_MEASURE_END_INCOMPLETE,
    CHECK_MEASURE_DATE_ORDER,
    CHECK_MEASURE_OUTSIDE,
    CHECK_DECLINED_WITH_START,
    CHECK_LEFT_REASON_MISSING,
    CHECK_STILL_IN_AFTER_20,
    CHECK_FUTURE_DATE,
    CHECK_IDENTITY_NUMBER,
    CHECK_OVERLAP,
    CHECK_CODE_MISSING,
)

MESSAGES = {
    CHECK_CONTACT_OCCUPATION: (
        "Kontakten {date} saknar sysselsättning vid kontakten. Ange vad personen gjorde då "
        "(arbete, studier, ingen sysselsättning eller okänd)."
    ),
    CHECK_CONTACT_OUTSIDE: (
        "Kontakten {date} ligger utanför tiden då personen fanns i aktivitetsansvaret. "
        "Kontrollera datumet."
    ),
    CHECK_MEASURE_START_MISSING: "Åtgärden {measure} har börjat men saknar startdatum.",
    CHECK_MEASURE_END_INCOMPLETE: (
        "Åtgärden {measure} är avslutad men saknar slutdatum eller orsak. Ange båda."
    ),
    CHECK_MEASURE_DATE_ORDER: (
        "Åtgärden {measure} har datum i fel ordning: den erbjuds, börjar och slutar i den "
        "ordningen."
    ),
    CHECK_MEASURE_OUTSIDE: (
        "Åtgärden {measure} började {date}, när personen inte fanns i aktivitetsansvaret. "
        "Kontrollera startdatumet."
    ),
    CHECK_DECLINED_WITH_START: (
        "Åtgärden {measure} är markerad som nekad men har ett startdatum. Ta bort "
        "startdatumet eller ändra status."
    ),
    CHECK_LEFT_REASON_MISSING: (
        "Aktivitetsansvaret upphörde {date} utan orsak. Räkna om aktivitetsansvaret."
    ),
    CHECK_STILL_IN_AFTER_20: (
        "Personen fyllde 20 år {date} men står kvar i aktivitetsansvaret. Räkna om "
        "aktivitetsansvaret (lotsen kaa cohort eller en ny import)."
    ),
    CHECK_FUTURE_DATE: "Datumet {date} ligger i framtiden. Rätta datumet.",
    CHECK_IDENTITY_NUMBER: (
        "Personnumret har fel kontrollsiffra. Rätta det i folkbokföringsuppgifterna."
    ),
    CHECK_OVERLAP: (
        "Personen har två perioder i aktivitetsansvaret som överlappar ({date}). Räkna om "
        "aktivitetsansvaret."
    ),
    CHECK_CODE_MISSING: (
        '{label} "{value}" har ingen kod för perioden {period}. Lägg till koden i '
        "periodens kodlista (Inställningar → Koder) innan filen tas fram."
    ),
}

BLOCK_TITLES = {
    1: "Block 1 – Obligatoriska uppgifter",
    2: "Block 2 – Kontakt med individen",
    3: "Block 3 – Åtgärd påbörjas",
    4: "Block 4 – Åtgärd avslutats",
    5: "Block 5 – Aktivitetsansvaret har upphört",
}
BLOCK_COLUMNS = {
    1: ["Kommunkod", "Personnummer", "Registreringsdatum", "Senaste skolrelaterade sysselsättning"],
    2: ["Kommunkod", "Personnummer", "Kontaktdatum", "Sysselsättning vid kontakt"],
    3: ["Kommunkod", "Personnummer", "Datum", "Åtgärd", "Påbörjad eller tackat nej"],
    4: [
        "Kommunkod",
        "Personnummer",
        "Slutdatum",
        "Åtgärd",
        "Orsak till att åtgärden avslutades",
        "Sysselsättning efter åtgärden",
    ],
    5: ["Kommunkod", "Personnummer", "Datum", "Orsak till att aktivitetsansvaret upphörde"],
}
CSV_COLUMNS = ["Block", "Kommunkod", "Personnummer", "Datum", "Kod1", "Kod2", "Kod3"]

ERROR_PERIOD_UNKNOWN = (
    "Perioden {period} finns inte. Lägg till den med lotsen kaa period-add {period}."
)


class ExportBlocked(Exception):
    """The checks found problems; nothing was exported."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem")
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    check: str
    message: str
    person_id: int | None = None
    person_name: str = ""


@dataclass
class ReportData:
    period: ReportPeriod
    municipality_code: str
    today: dt.date
    persons: dict[int, Person]
    memberships: dict[int, list[CohortMembership]]
    contacts: list[Contact]
    measures: list[Measure]
    protected_excluded: int
    codes: dict[str, dict[str, str]]
    rows: dict[int, list[list[str]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def block_counts(self) -> dict[int, int]:
        return {block: len(self.rows.get(block, [])) for block in BLOCK_TITLES}


def period_for(code: str) -> ReportPeriod:
    period = ReportPeriod.objects.filter(code=code).first()
    if period is None:
        raise Http404(ERROR_PERIOD_UNKNOWN.format(period=code))
    return period


def period_code_for(day: dt.date) -> str:
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def report_build(
    *,
    municipality_code: str,
    period: ReportPeriod,
    person_q: Q | None = None,
    today: dt.date | None = None,
) -> ReportData:
    """Collect the period's records, run every check and lay out the rows (no logging:
    the callers log what they show or export)."""
    today = today or timezone.localdate()
    start, end = period.starts_on, period.ends_on
    memberships_q = CohortMembership.objects.filter(
        municipality_code=municipality_code, person__isnull=False, entered_on__lte=end
    ).filter(Q(left_on__isnull=True) | Q(left_on__gt=start))
    if person_q is not None:
        memberships_q = memberships_q.filter(
            person__in=Person.objects.filter(person_q).values("pk")
        )
    in_period = list(memberships_q.select_related("person"))
    include_protected = getattr(settings, "LOTSEN_KAA_REPORT_PROTECTED", False)
    persons: dict[int, Person] = {}
    protected: set[int] = set()
    for membership in in_period:
        if membership.person.is_protected and not include_protected:
            protected.add(membership.person_id)
        else:
            persons[membership.person_id] = membership.person
    ids = list(persons)
    memberships: dict[int, list[CohortMembership]] = defaultdict(list)
    for membership in CohortMembership.objects.filter(
        municipality_code=municipality_code, person_id__in=ids
    ).order_by("entered_on"):
        memberships[membership.person_id].append(membership)
    contacts = list(
        Contact.objects.filter(
            municipality_code=municipality_code,
            person_id__in=ids,
            kind=ContactKind.CONTACT,
            contact_date__range=(start, end),
        ).order_by("person_id", "contact_date", "id")
    )
    measures = list(
        Measure.objects.filter(municipality_code=municipality_code, person_id__in=ids)
        .filter(
            Q(start_date__range=(start, end))
            | Q(end_date__range=(start, end))
            | Q(status=MeasureStatus.DECLINED, offered_on__range=(start, end))
            | Q(
                status__in=[MeasureStatus.STARTED, MeasureStatus.ENDED],
                start_date__isnull=True,
                offered_on__range=(start, end),
            )
        )
        .select_related("measure_type")
        .order_by("person_id", "offered_on", "id")
    )
    codes: dict[str, dict[str, str]] = defaultdict(dict)
    for code in ReportCode.objects.filter(period=period):
        codes[code.code_list][code.value] = code.code
    data = ReportData(
        period=period,
        municipality_code=municipality_code,
        today=today,
        persons=persons,
        memberships=memberships,
        contacts=contacts,
        measures=measures,
        protected_excluded=len(protected),
        codes=codes,
    )
    data.problems = report_check(data)
    data.rows = _rows(data)
    return data


def _covered(memberships: list[CohortMembership], day: dt.date) -> bool:
    return any(m.entered_on <= day and (m.left_on is None or day < m.left_on) for m in memberships)


def report_check(data: ReportData) -> list[Problem]:
    """Every consistency check, in the order of the blocks."""
    problems: list[Problem] = []
    start, end = data.period.starts_on, data.period.ends_on

    def add(check: str, person_id: int | None, **values: object) -> None:
        person = data.persons.get(person_id) if person_id else None
        problems.append(
            Problem(
                check=check,
                message=MESSAGES[check].format(**values),
                person_id=person_id,
                person_name=person.full_name if person else "",
            )
        )

    def future(person_id: int, *days: dt.date | None) -> None:
        for day in days:
            if day is not None and day > data.today:
                add(CHECK_FUTURE_DATE, person_id, date=day.isoformat())

    for pid, person in data.persons.items():
        if not luhn_valid(person.personal_identity_number[2:]):
            add(CHECK_IDENTITY_NUMBER, pid)
        rows = data.memberships.get(pid, [])
        turns_20 = cohort.turns(person.date_of_birth, 20)
        for index, membership in enumerate(rows):
            future(pid, membership.entered_on, membership.left_on)
            overlaps_period = membership.entered_on <= end and (
                membership.left_on is None or membership.left_on > start
            )
            left = membership.left_on
            if left and start <= left <= end and not membership.left_reason:
                add(CHECK_LEFT_REASON_MISSING, pid, date=left.isoformat())
            if (
                overlaps_period
                and turns_20 < (left or dt.date.max)
                and turns_20 <= min(end, data.today)
            ):
                add(CHECK_STILL_IN_AFTER_20, pid, date=turns_20.isoformat())
            previous = rows[index - 1] if index else None
            if previous and (previous.left_on is None or previous.left_on > membership.entered_on):
                add(CHECK_OVERLAP, pid, date=membership.entered_on.isoformat())

    for contact in data.contacts:
        pid = contact.person_id
        future(pid, contact.contact_date)
        if not contact.occupation:
            add(CHECK_CONTACT_OCCUPATION, pid, date=contact.contact_date.isoformat())
        if not _covered(data.memberships.get(pid, []), contact.contact_date):
            add(CHECK_CONTACT_OUTSIDE, pid, date=contact.contact_date.isoformat())

    for measure in data.measures:
        pid = measure.person_id
        name = f"{measure.measure_type.name} ({measure.offered_on.isoformat()})"
        future(pid, measure.offered_on, measure.start_date, measure.end_date)
        started = measure.status in (MeasureStatus.STARTED, MeasureStatus.ENDED)
        if started and measure.start_date is None:
            add(CHECK_MEASURE_START_MISSING, pid, measure=name)
        if measure.status == MeasureStatus.ENDED and (
            measure.end_date is None or not measure.end_reason
        ):
            add(CHECK_MEASURE_END_INCOMPLETE, pid, measure=name)
        if (measure.start_date and measure.start_date < measure.offered_on) or (
            measure.start_date and measure.end_date and measure.end_date < measure.start_date
        ):
            add(CHECK_MEASURE_DATE_ORDER, pid, measure=name)
        if measure.status == MeasureStatus.DECLINED and measure.start_date:
            add(CHECK_DECLINED_WITH_START, pid, measure=name)
        if (
            started
            and measure.start_date
            and start <= measure.start_date <= end
            and not _covered(data.memberships.get(pid, []), measure.start_date)
        ):
            add(CHECK_MEASURE_OUTSIDE, pid, measure=name, date=measure.start_date.isoformat())

    problems.extend(_missing_codes(data))
    return problems


_CODE_LIST_LABELS = {
    CodeList.REGISTRATION_REASON: "Orsaken till registrering",
    CodeList.OCCUPATION: "Sysselsättningen",
    CodeList.MEASURE_TYPE: "Åtgärden",
    CodeList.MEASURE_OFFER: "Svaret på erbjudandet",
    CodeList.MEASURE_END_REASON: "Orsaken till att åtgärden avslutades",
    CodeList.LEFT_REASON: "Orsaken till att aktivitetsansvaret upphörde",
}


def _needed_codes(data: ReportData) -> set[tuple[str, str]]:
    start, end = data.period.starts_on, data.period.ends_on
    needed: set[tuple[str, str]] = set()
    for rows in data.memberships.values():
        for m in rows:
            if m.entered_on <= end and (m.left_on is None or m.left_on > start):
                needed.add((CodeList.REGISTRATION_REASON, m.school_reason))
            if m.left_on and start <= m.left_on <= end and m.left_reason:
                needed.add((CodeList.LEFT_REASON, m.left_reason))
    for c in data.contacts:
        if c.occupation:
            needed.add((CodeList.OCCUPATION, c.occupation))
    for m in data.measures:
        needed.add((CodeList.MEASURE_TYPE, m.measure_type.code))
        if m.status == MeasureStatus.DECLINED:
            needed.add((CodeList.MEASURE_OFFER, MeasureStatus.DECLINED))
        elif m.start_date and start <= m.start_date <= end:
            needed.add((CodeList.MEASURE_OFFER, MeasureStatus.STARTED))
        if m.end_date and start <= m.end_date <= end:
            if m.end_reason:
                needed.add((CodeList.MEASURE_END_REASON, m.end_reason))
            needed.add((CodeList.OCCUPATION, m.occupation_after or "unknown"))
    return needed


def _missing_codes(data: ReportData) -> list[Problem]:
    return [
        Problem(
            check=CHECK_CODE_MISSING,
            message=MESSAGES[CHECK_CODE_MISSING].format(
                label=_CODE_LIST_LABELS[code_list], value=value, period=data.period.code
            ),
        )
        for code_list, value in sorted(_needed_codes(data))
        if value not in data.codes.get(code_list, {})
    ]


def _rows(data: ReportData) -> dict[int, list[list[str]]]:
    start, end = data.period.starts_on, data.period.ends_on
    code = data.municipality_code

    def c(code_list: str, value: str) -> str:
        return data.codes.get(code_list, {}).get(value, "")

    rows: dict[int, list[list[str]]] = {block: [] for block in BLOCK_TITLES}
    for pid, person in sorted(data.persons.items(), key=lambda p: p[1].personal_identity_number):
        number = person.personal_identity_number
        for m in data.memberships.get(pid, []):
            if m.entered_on <= end and (m.left_on is None or m.left_on > start):
                rows[1].append(
                    [
                        code,
                        number,
                        m.entered_on.isoformat(),
                        c(CodeList.REGISTRATION_REASON, m.school_reason),
                    ]
                )
            if m.left_on and start <= m.left_on <= end:
                rows[5].append(
                    [code, number, m.left_on.isoformat(), c(CodeList.LEFT_REASON, m.left_reason)]
                )
    numbers = {pid: p.personal_identity_number for pid, p in data.persons.items()}
    for contact in data.contacts:
        rows[2].append(
            [
                code,
                numbers[contact.person_id],
                contact.contact_date.isoformat(),
                c(CodeList.OCCUPATION, contact.occupation),
            ]
        )
    for m in data.measures:
        number = numbers[m.person_id]
        type_code = c(CodeList.MEASURE_TYPE, m.measure_type.code)
        if m.status == MeasureStatus.DECLINED and start <= m.offered_on <= end:
            rows[3].append(
                [
                    code,
                    number,
                    m.offered_on.isoformat(),
                    type_code,
                    c(CodeList.MEASURE_OFFER, "declined"),
                ]
            )
        elif m.start_date and start <= m.start_date <= end:
            rows[3].append(
                [
                    code,
                    number,
                    m.start_date.isoformat(),
                    type_code,
                    c(CodeList.MEASURE_OFFER, "started"),
                ]
            )
        if m.status == MeasureStatus.ENDED and m.end_date and start <= m.end_date <= end:
            rows[4].append(
                [
                    code,
                    number,
                    m.end_date.isoformat(),
                    type_code,
                    c(CodeList.MEASURE_END_REASON, m.end_reason),
                    c(CodeList.OCCUPATION, m.occupation_after or "unknown"),
                ]
            )
    return rows


# --- Through the door ----------------------------------------------------------------------


def _scope(actor: Actor) -> KaaScope:
    scope = kaa_scope(actor)
    if scope is None:
        raise Http404
    return scope


@transaction.atomic
def kaa_report_check(*, actor: Actor, period_code: str, today: dt.date | None = None) -> ReportData:
    """Run the checks for the coordinator's municipality. The persons named in problems
    are shown to the coordinator, so they are logged as read."""
    scope = _scope(actor)
    data = report_build(
        municipality_code=scope.municipality_code,
        period=period_for(period_code),
        person_q=scope.person_q,
        today=today,
    )
    # report_build read only the persons the scope's policy filter lets through.
    named = sorted({p.person_id for p in data.problems if p.person_id})
    persons_shown(
        actor=actor,
        action=Action.VIEW,
        purpose=Purpose.KAA,
        person_ids=named,
        object_type="kaa_report_check",
        object_id=data.period.code,
    )
    return data


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    persons: int


FORMAT_CSV = "csv"
FORMAT_XLSX = "xlsx"


@transaction.atomic
def kaa_report_export(
    *, actor: Actor, period_code: str, file_format: str, today: dt.date | None = None
) -> ExportFile:
    """The file for SCB, after the checks pass; one export entry per person in it."""
    scope = _scope(actor)
    data = report_build(
        municipality_code=scope.municipality_code,
        period=period_for(period_code),
        person_q=scope.person_q,
        today=today,
    )
    if data.problems:
        raise ExportBlocked(data.problems)
    file = report_file(data, file_format=file_format)
    # Every person in the file passed the scope's policy filter in report_build.
    persons_shown(
        actor=actor,
        action=Action.EXPORT,
        purpose=Purpose.KAA,
        person_ids=sorted(data.persons),
        object_type="kaa_national_report",
        object_id=data.period.code,
    )
    return file


def report_file(data: ReportData, *, file_format: str) -> ExportFile:
    stem = f"kaa-{data.municipality_code}-{data.period.code}"
    if file_format == FORMAT_XLSX:
        return ExportFile(
            filename=f"{stem}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            content=_xlsx(data),
            persons=len(data.persons),
        )
    return ExportFile(
        filename=f"{stem}.csv",
        content_type="text/csv; charset=utf-8",
        content=_csv(data).encode("utf-8"),
        persons=len(data.persons),
    )


def _csv(data: ReportData) -> str:
    """One file, one row per record: the block number, then the block's fields in the
    order Kommunkod, Personnummer, Datum and up to three codes (see BLOCK_COLUMNS)."""
    rows: list[list] = [CSV_COLUMNS]
    for block, block_rows in data.rows.items():
        for row in block_rows:
            kommun, number, date, *codes = row
            rows.append([block, kommun, number, date, *codes, *[""] * (3 - len(codes))])
    return csv_text(rows=rows, delimiter=";", lineterminator="\r\n")


def _xlsx(data: ReportData) -> bytes:
    about = [
        [Cell("Kommunernas aktivitetsansvar", bold=True)],
        ["Kommunkod", data.municipality_code],
        ["Period", data.period.code],
        ["Från", data.period.starts_on.isoformat()],
        ["Till", data.period.ends_on.isoformat()],
        ["Framtagen", data.today.isoformat()],
        ["Personer i filen", len(data.persons)],
        ["Personer med skyddade personuppgifter som inte är med", data.protected_excluded],
        ["Koderna kontrollerade mot SCB", "ja" if data.period.codes_verified else "nej"],
    ]
    sheets = [Sheet(title="Om filen", rows=about)]
    widths = dict(enumerate((11, 15, 14, 14, 14, 14), start=1))
    for block, title in BLOCK_TITLES.items():
        rows = [[Cell(title, bold=True)], bold(BLOCK_COLUMNS[block]), *data.rows.get(block, [])]
        sheets.append(Sheet(title=f"Block {block}", rows=rows, widths=widths))
    return xlsx_bytes(sheets=sheets)
