"""The half-yearly national report: a consistent register passes its checks and exports
as CSV and XLSX; each check catches the broken record it is there for."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from lotsen.kaa import cohort, report, services
from lotsen.kaa.models import (
    CohortMembership,
    Contact,
    Measure,
    MeasureStatus,
    MeasureType,
    ReportCode,
    ReportPeriod,
    ResidencePeriod,
)
from lotsen.privacy.models import AccessLogEntry, Action
from tests.kaa.conftest import OTHER, M, refresh, today, young

pytestmark = pytest.mark.django_db


def previous_period() -> ReportPeriod:
    """The last half-year that has ended: every date in it is in the past, whatever day
    the suite runs."""
    start, end = cohort.half_year_bounds(cohort.half_year_bounds(today())[0] - dt.timedelta(days=1))
    code = report.period_code_for(start)
    period, created = ReportPeriod.objects.get_or_create(
        code=code, defaults={"starts_on": start, "ends_on": end}
    )
    if created:
        source = ReportPeriod.objects.exclude(pk=period.pk).order_by("-starts_on").first()
        ReportCode.objects.bulk_create(
            ReportCode(
                period=period, code_list=c.code_list, value=c.value, code=c.code, label=c.label
            )
            for c in source.codes.all()
        )
    return period


class Register:
    """In the last half-year: A in the cohort, contacted, a measure started and ended,
    another declined. B contacted, then moved away. P with protected identity."""

    def __init__(self, coordinator, school):
        self.period = previous_period()
        start = self.period.starts_on + dt.timedelta(days=30)
        self.end = end = self.period.ends_on - dt.timedelta(days=10)
        before = (today() - self.period.starts_on).days + 60
        self.a = young(school, given_name="Ada", age=18, left_compulsory_days_ago=before)
        self.b = young(school, given_name="Bo", age=18, left_compulsory_days_ago=before)
        self.p = young(school, given_name="Pia", age=18, left_compulsory_days_ago=before)
        type(self.p).objects.filter(pk=self.p.pk).update(protected_identity=True)
        refresh()
        coaching, guidance = (MeasureType.objects.get(code=c) for c in ("coaching", "guidance"))
        for person in (self.a, self.b):
            services.contact_record(
                actor=coordinator, person=person, kind="contact", method="phone",
                contact_date=start, occupation="none",
            )  # fmt: skip
        self.ended = services.measure_record(
            actor=coordinator, person=self.a, measure_type=coaching, status="started",
            offered_on=start, start_date=start,
        )  # fmt: skip
        services.measure_end(
            actor=coordinator, measure=self.ended, end_date=end, end_reason="completed",
            occupation_after="work",
        )  # fmt: skip
        self.declined = services.measure_record(
            actor=coordinator,
            person=self.a,
            measure_type=guidance,
            status="declined",
            offered_on=start,
        )
        ResidencePeriod.objects.filter(person=self.b).update(moved_out=end)
        ResidencePeriod.objects.create(person=self.b, municipality_code=OTHER, moved_in=end)
        refresh()
        self.membership_a = CohortMembership.objects.get(person=self.a)
        self.membership_b = CohortMembership.objects.get(person=self.b)

    def build(self):
        return report.report_build(municipality_code=M, period=self.period, today=today())


@pytest.fixture
def register(municipality, school, coordinator):
    return Register(coordinator, school)


def test_a_consistent_register_passes_and_lays_out_every_block(register):
    data = register.build()
    assert data.problems == []
    assert data.protected_excluded == 1
    assert sorted(data.persons) == sorted([register.a.pk, register.b.pk])
    assert data.block_counts == {1: 2, 2: 2, 3: 2, 4: 1, 5: 1}
    number_a = register.a.personal_identity_number
    [block4] = data.rows[4]
    end = register.end.isoformat()
    assert block4 == [M, number_a, end, "2", "1", "1"]  # coaching, completed, work
    [block5] = data.rows[5]
    assert block5 == [M, register.b.personal_identity_number, end, "3"]
    assert sorted(row[4] for row in data.rows[3]) == ["1", "2"]  # started, declined


def _break(register, check):
    a, b = register.a, register.b
    if check == report.CHECK_CONTACT_OCCUPATION:
        Contact.objects.filter(person=a).update(occupation="")
    elif check == report.CHECK_CONTACT_OUTSIDE:
        Contact.objects.create(
            person=b,
            municipality_code=M,
            kind="contact",
            method="phone",
            contact_date=register.end,
            occupation="work",
        )
    elif check == report.CHECK_MEASURE_START_MISSING:
        Measure.objects.filter(pk=register.ended.pk).update(start_date=None)
    elif check == report.CHECK_MEASURE_END_INCOMPLETE:
        Measure.objects.filter(pk=register.ended.pk).update(end_reason="")
    elif check == report.CHECK_MEASURE_DATE_ORDER:
        measure = register.ended
        Measure.objects.filter(pk=measure.pk).update(
            end_date=measure.start_date - dt.timedelta(days=1)
        )
    elif check == report.CHECK_MEASURE_OUTSIDE:
        Measure.objects.create(
            person=b,
            municipality_code=M,
            measure_type=register.ended.measure_type,
            status=MeasureStatus.STARTED,
            offered_on=register.end,
            start_date=register.end,
        )
    elif check == report.CHECK_DECLINED_WITH_START:
        Measure.objects.filter(pk=register.declined.pk).update(
            start_date=register.declined.offered_on
        )
    elif check == report.CHECK_LEFT_REASON_MISSING:
        CohortMembership.objects.filter(pk=register.membership_b.pk).update(left_reason="")
    elif check == report.CHECK_STILL_IN_AFTER_20:
        turned_20 = register.end - dt.timedelta(days=1)
        type(a).objects.filter(pk=a.pk).update(
            date_of_birth=turned_20.replace(year=turned_20.year - 20)
        )
    elif check == report.CHECK_FUTURE_DATE:
        CohortMembership.objects.filter(pk=register.membership_a.pk).update(
            left_on=today() + dt.timedelta(days=5), left_reason="turned_20"
        )
    elif check == report.CHECK_IDENTITY_NUMBER:
        number = a.personal_identity_number
        type(a).objects.filter(pk=a.pk).update(
            personal_identity_number=number[:-1] + str((int(number[-1]) + 1) % 10)
        )
    elif check == report.CHECK_OVERLAP:
        CohortMembership.objects.create(
            person=a,
            municipality_code=M,
            entered_on=register.membership_a.entered_on + dt.timedelta(days=1),
            reason="dropped_out",
            school_reason="dropped_out",
        )
    elif check == report.CHECK_CODE_MISSING:
        ReportCode.objects.filter(
            period=register.period, code_list="measure_type", value="coaching"
        ).delete()


@pytest.mark.parametrize("check", report.CHECKS)
def test_each_check_catches_its_broken_record(register, check):
    _break(register, check)
    problems = register.build().problems
    assert [p.check for p in problems] == [check]
    problem = problems[0]
    assert problem.message and "{" not in problem.message
    if check != report.CHECK_CODE_MISSING:
        assert problem.person_id in (register.a.pk, register.b.pk)
        assert problem.person_name
    # The message never carries a personnummer.
    assert register.a.personal_identity_number[2:8] not in problem.message


def test_every_check_has_a_test():
    assert len(report.CHECKS) == len(set(report.CHECKS)) == 13


def test_the_export_files_and_the_log(register, coordinator):
    csv_file = report.kaa_report_export(
        actor=coordinator, period_code=register.period.code, file_format="csv", today=today()
    )
    assert csv_file.filename == f"kaa-{M}-{register.period.code}.csv"
    rows = list(csv.reader(io.StringIO(csv_file.content.decode()), delimiter=";"))
    assert rows[0] == report.CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ["1", "1", "2", "2", "3", "3", "4", "5"]
    assert register.p.personal_identity_number not in csv_file.content.decode()
    exports = AccessLogEntry.objects.filter(action=Action.EXPORT, object_type="kaa_national_report")
    assert sorted(exports.values_list("person_id", flat=True)) == sorted(
        [register.a.pk, register.b.pk]
    )

    xlsx = report.kaa_report_export(
        actor=coordinator, period_code=register.period.code, file_format="xlsx", today=today()
    )
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Om filen", "Block 1", "Block 2", "Block 3", "Block 4", "Block 5"]
    block4 = list(book["Block 4"].iter_rows(values_only=True))
    assert block4[1] == tuple(report.BLOCK_COLUMNS[4])
    assert block4[2][1] == register.a.personal_identity_number
    about = dict(row[:2] for row in book["Om filen"].iter_rows(min_row=2, values_only=True))
    assert about["Personer med skyddade personuppgifter som inte är med"] == 1


def test_the_csv_keeps_the_scb_format_exactly(register, coordinator):
    """Semicolons, CRLF, no byte-order mark, no quotes: the layout SCB reads."""
    data = register.build()
    expected = "Block;Kommunkod;Personnummer;Datum;Kod1;Kod2;Kod3\r\n"
    for block, rows in data.rows.items():
        for kommun, number, date, *codes in rows:
            cells = [str(block), kommun, number, date, *codes, *[""] * (3 - len(codes))]
            expected += ";".join(cells) + "\r\n"
    content = report.report_file(data, file_format="csv").content
    assert content == expected.encode("utf-8")
    assert b"'" not in content and b'"' not in content


def test_a_code_like_a_formula_stays_text_in_both_files(register, coordinator):
    """Issue 10: the codes come from a file an operator loads; none may become a formula."""
    ReportCode.objects.filter(period=register.period, code="3").update(code="=1+1")
    data = register.build()
    [block5] = data.rows[5]
    assert block5[-1] == "=1+1"
    rows = list(
        csv.reader(
            io.StringIO(report.report_file(data, file_format="csv").content.decode()),
            delimiter=";",
        )
    )
    assert ["5", *block5[:3], "'=1+1", "", ""] in rows
    book = load_workbook(io.BytesIO(report.report_file(data, file_format="xlsx").content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert book["Block 5"]["D3"].value == "'=1+1"
    assert book["Block 5"]["B3"].value == block5[1]


def test_problems_stop_the_export_and_nothing_is_logged(register, coordinator):
    _break(register, report.CHECK_CONTACT_OCCUPATION)
    with pytest.raises(report.ExportBlocked) as blocked:
        report.kaa_report_export(
            actor=coordinator, period_code=register.period.code, file_format="csv", today=today()
        )
    assert [p.check for p in blocked.value.problems] == [report.CHECK_CONTACT_OCCUPATION]
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


def test_protected_persons_can_be_included_by_setting(register, settings):
    settings.LOTSEN_KAA_REPORT_PROTECTED = True
    data = register.build()
    assert data.protected_excluded == 0
    assert register.p.pk in data.persons


def test_a_new_period_needs_only_data(register):
    """Codes changed for a period are used for that period; nothing in the code changes."""
    ReportCode.objects.filter(
        period=register.period, code_list="left_reason", value="moved_away"
    ).update(code="M7")
    assert register.build().rows[5][0][3] == "M7"
