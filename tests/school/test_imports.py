"""CSV import for schools without an SS 12000 API: `lotsen import school-csv`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from lotsen.accounts.models import OrganisationKind
from lotsen.ingest.models import ImportRun
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry, Action
from lotsen.school import imports
from lotsen.school.imports import school_csv_import
from lotsen.school.models import AttendancePeriod, Enrolment, Grade
from tests.factories import OrganisationFactory, PersonFactory

ANNA = make_identity_number(dt.date(2010, 4, 2), 234)
BO = make_identity_number(dt.date(2009, 11, 30), 567)
CARL = make_identity_number(dt.date(2010, 1, 9), 345, coordination=True)
BAD = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
SCHOOL_CODE = "19990001"


def _dashed(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


@pytest.fixture
def school(db):
    organiser = OrganisationFactory(kind=OrganisationKind.SCHOOL_ORGANISER)
    return OrganisationFactory(
        name="Björkskolan",
        kind=OrganisationKind.SCHOOL_UNIT,
        parent=organiser,
        school_unit_code=SCHOOL_CODE,
    )


def _snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Person, Enrolment, Grade, AttendancePeriod)
    }


ENROLMENTS = f"""personnummer,given_name,family_name,school_unit_code,school_type,school_year,programme,start_date,end_date,end_reason
{_dashed(ANNA)},Anna,Andersson,{SCHOOL_CODE},GR,9,,2024-08-19,,
{BO},Bo,Berg,{SCHOOL_CODE},GR,9,,2023-08-21,2026-06-12,Avslutat årskurs 9
{CARL[2:8]}-{CARL[8:]},Carl,Ceder,{SCHOOL_CODE},GRS,8,,2025-08-18,,
"""  # noqa: E501


def test_enrolments_create_pupils_and_a_second_import_changes_nothing(school):
    existing = PersonFactory(personal_identity_number=BO, given_name="Bo", family_name="Berg")
    run = school_csv_import(kind="enrolments", data=ENROLMENTS.encode(), filename="uploads/in.csv")
    assert run.status == "done", run.rejects
    assert run.source == "csv:enrolments"
    assert run.counts["file"] == "in.csv"
    assert run.counts["enrolments"]["created"] == 3
    assert run.counts["persons"]["created"] == 2
    carl = Person.objects.get(personal_identity_number=CARL)
    assert carl.is_coordination_number and carl.given_name == "Carl"
    ended = Enrolment.objects.get(person=existing)
    assert (ended.end_date, ended.end_reason) == (dt.date(2026, 6, 12), "Avslutat årskurs 9")
    # No personnummer in the keys.
    assert not any(
        number in key
        for key in Enrolment.objects.values_list("external_id", flat=True)
        for number in (ANNA, BO, CARL)
    )

    before = _snapshot()
    again = school_csv_import(kind="enrolments", data=ENROLMENTS.encode())
    assert again.status == "done"
    assert again.counts["enrolments"] == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0}
    assert _snapshot() == before

    entries = AccessLogEntry.objects.filter(object_type="import", object_id=str(run.pk))
    assert sorted(entries.values_list("action", flat=True)) == sorted(
        [Action.CREATE, Action.CREATE, Action.UPDATE]
    )
    assert not AccessLogEntry.objects.filter(object_id=str(again.pk)).exists()


GRADES = f"""personnummer;subject;grade;kind;semester;year;registered_on;course_code;points;school_unit_code
{ANNA};MA;C;term;HT;2025;2025-12-18;;;{SCHOOL_CODE}
{ANNA};sv;a;term;HT;2025;2025-12-18;;;
{ANNA};EN;–;term;HT;2025;2025-12-18;;;
{BO};MA;E;final;VT;2026;2026-06-10;;;
{BO};SVE;F;final;VT;2026;2026-06-10;SVESVE01;100;
"""  # noqa: E501


def test_grades_with_a_semicolon_and_a_bom_and_a_correction_updates_one_row(school):
    PersonFactory(personal_identity_number=ANNA)
    PersonFactory(personal_identity_number=BO)
    run = school_csv_import(kind="grades", data=("\ufeff" + GRADES).encode())
    assert run.status == "done", run.rejects
    assert run.counts["grades"]["created"] == 5
    values = dict(Grade.objects.values_list("subject_code", "value").filter(kind="term"))
    assert values == {"MA": "C", "SV": "A", "EN": "-"}
    course = Grade.objects.get(course_code="SVESVE01")
    assert (course.subject_code, course.points, course.kind) == ("SVE", 100, "final")
    assert Grade.objects.get(subject_code="MA", kind="term").school_unit == school

    corrected = GRADES.replace(f"{ANNA};MA;C;", f"{ANNA};MA;B;")
    before = {g.pk: g for g in Grade.objects.all()}
    run = school_csv_import(kind="grades", data=corrected.encode())
    assert run.counts["grades"] == {"created": 0, "updated": 1, "unchanged": 4, "rejected": 0}
    after = {g.pk: g for g in Grade.objects.all()}
    assert before.keys() == after.keys()
    changed = [pk for pk in before if before[pk].value != after[pk].value]
    assert len(changed) == 1 and after[changed[0]].value == "B"


ATTENDANCE = f"""personnummer,start_date,end_date,offered_minutes,attended_minutes,valid_absence_minutes,invalid_absence_minutes,school_unit_code
{ANNA},2026-08-17,2026-09-13,5800,5000,600,200,{SCHOOL_CODE}
{ANNA},2026-09-14,2026-10-11,5800,5800,,,{SCHOOL_CODE}
"""  # noqa: E501


def test_attendance_is_imported_and_idempotent(school):
    PersonFactory(personal_identity_number=ANNA)
    assert school_csv_import(kind="attendance", data=ATTENDANCE.encode()).status == "done"
    first = AttendancePeriod.objects.get(start_date=dt.date(2026, 8, 17))
    assert (first.offered_minutes, first.valid_absence_minutes, first.invalid_absence_minutes) == (
        5800,
        600,
        200,
    )
    assert AttendancePeriod.objects.get(start_date=dt.date(2026, 9, 14)).valid_absence_minutes == 0
    before = _snapshot()
    school_csv_import(kind="attendance", data=ATTENDANCE.encode())
    assert _snapshot() == before


BAD_GRADES = f"""personnummer,subject,grade,kind,semester,year,registered_on
{ANNA},MA,C,term,HT,2025,2025-12-18
{BAD},MA,C,term,HT,2025,2025-12-18
{ANNA},XY,C,term,HT,2025,2025-12-18
{ANNA},EN,G,final,,,2026-06-10
{ANNA},SV,C,term,,2025,2025-12-18
{ANNA},MA,D,term,HT,2025,2025-12-18
{BO},MA,C,final,,,2026-06-10
{ANNA},BI,C,term,HT,2025,18/12/2025
{ANNA},FY,C,term,HT,2025,2025-12-18,extra
"""


def test_a_file_with_errors_writes_nothing_and_names_every_line_and_column(school):
    PersonFactory(personal_identity_number=ANNA)
    before = _snapshot()
    run = school_csv_import(kind="grades", data=BAD_GRADES.encode())
    assert run.status == "failed"
    assert _snapshot() == before
    where = {(r["line"], r["column"]) for r in run.rejects}
    assert where == {
        (3, "personnummer"),  # the check digit
        (4, "subject"),  # no such subject
        (5, "grade"),  # G is not a grade
        (6, "semester"),  # a term grade needs its term
        (7, ""),  # the same grade as on line 2
        (8, "personnummer"),  # not in Lotsen
        (9, "registered_on"),  # not a date
        (10, ""),  # too many fields
    }
    reasons = {r["line"]: r["reason"] for r in run.rejects}
    assert "Kontrollsiffran" in reasons[3]
    assert reasons[7] == imports.ERROR_DUPLICATE_ROW.format(what="betyg", line=2)
    assert reasons[8] == imports.ERROR_UNKNOWN_PERSON
    recorded = json.dumps([run.counts, run.rejects], ensure_ascii=False)
    assert ANNA not in recorded and BAD not in recorded and BO not in recorded
    assert run.counts["grades"]["rejected"] == 8


@pytest.mark.parametrize(
    ("content", "line", "column", "reason"),
    [
        (b"", 1, "", imports.ERROR_EMPTY),
        (b"personnummer,subject,grade\n", 1, "kind", imports.ERROR_MISSING_COLUMN),
        (
            b"personnummer,subject,grade,kind,registered_on,registred\n",
            1,
            "registred",
            None,
        ),
        (
            b"personnummer,subject,grade,kind,registered_on\n\xff\xfe\n",
            2,
            "",
            imports.ERROR_NOT_UTF8,
        ),
    ],
)
def test_header_and_encoding_errors(school, content, line, column, reason):
    run = school_csv_import(kind="grades", data=content)
    assert run.status == "failed"
    (reject,) = [r for r in run.rejects if r["column"] == column]
    assert reject["line"] == line
    if reason:
        assert reject["reason"] == reason


def test_enrolment_rows_are_checked(school):
    data = f"""personnummer,school_unit_code,school_type,start_date,end_date,given_name,family_name
{ANNA},99999999,GR,2024-08-19,,Anna,A
{BO},{SCHOOL_CODE},FS,2024-08-19,,Bo,B
{CARL},{SCHOOL_CODE},GR,2024-08-19,2024-01-01,Carl,C
{make_identity_number(dt.date(2010, 6, 6), 11)},{SCHOOL_CODE},GR,2024-08-19,,,
"""
    run = school_csv_import(kind="enrolments", data=data.encode())
    assert run.status == "failed"
    assert {(r["line"], r["column"]) for r in run.rejects} == {
        (2, "school_unit_code"),
        (3, "school_type"),
        (4, "end_date"),
        (5, "given_name"),
    }
    assert not Person.objects.exists()


def test_the_command_imports_and_fails_on_errors_without_echoing_numbers(school, tmp_path):
    PersonFactory(personal_identity_number=ANNA)
    good = tmp_path / "betyg.csv"
    good.write_text(GRADES.split("\n", 1)[0] + "\n" + GRADES.splitlines()[1] + "\n")
    out = StringIO()
    call_command("import", "school-csv", "--kind", "grades", str(good), stdout=out)
    assert "Klart" in out.getvalue()
    assert ImportRun.objects.get().status == "done"

    bad = tmp_path / "fel.csv"
    bad.write_text(BAD_GRADES)
    out = StringIO()
    with pytest.raises(CommandError, match="misslyckades"):
        call_command("import", "school-csv", "--kind", "grades", str(bad), stdout=out)
    text = out.getvalue()
    assert "rad 3, kolumn personnummer" in text
    assert ANNA not in text and BAD not in text


def test_the_help_lists_every_column():
    for kind, (required, optional) in imports._COLUMNS.items():
        assert f"--kind {kind}" in imports.COLUMN_HELP
        for column in (*required, *optional):
            assert column in imports.COLUMN_HELP, column


def test_a_run_left_running_by_a_killed_process_is_marked_failed_by_the_next(school):
    # A process that no longer exists: a child that has already exited and been reaped.
    import subprocess
    import sys

    from django.utils import timezone

    from lotsen.ingest.runs import ERROR_STALE, _process_id

    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    host = _process_id().rpartition(":")[0]
    killed = ImportRun.objects.create(
        source="csv:grades",
        started_at=timezone.now(),
        counts={"process": f"{host}:{child.stdout.strip()}"},
    )
    elsewhere = ImportRun.objects.create(
        source="ss12000",
        started_at=timezone.now() - dt.timedelta(hours=25),
        counts={"process": "another-host:1"},
    )
    live = ImportRun.objects.create(
        source="ss12000", started_at=timezone.now(), counts={"process": _process_id()}
    )
    school_csv_import(kind="grades", data=b"personnummer,subject,grade,kind,registered_on\n")
    killed.refresh_from_db()
    elsewhere.refresh_from_db()
    live.refresh_from_db()
    assert (killed.status, killed.counts["error"]) == ("failed", ERROR_STALE)
    assert killed.finished_at is not None
    assert elsewhere.status == "failed"
    assert live.status == "running"


def test_bad_values_are_named_by_line_and_column(school):
    PersonFactory(personal_identity_number=ANNA)
    header = "personnummer,subject,grade,kind,registered_on\n"
    cases = {
        "nul": header + f"{ANNA},MA,C,final,2026-06-1\x000\n",
        "long": header + f'{ANNA},MA,C,final,"{"x" * 1_000_000}"\n',
        "cr": header.replace("\n", "\r") + f"{ANNA},MA,C,final,0001-01-01\r",
        "extra": header + f"{ANNA},MA,C,final,2026-06-10,extra\n",
    }
    for name, content in cases.items():
        before = _snapshot()
        run = school_csv_import(kind="grades", data=content.encode())
        assert run.status == "failed", name
        where = [(r["line"], r["column"]) for r in run.rejects]
        assert where == [(2, "" if name == "extra" else "registered_on")], name
        assert _snapshot() == before


def test_what_runs_after_the_rows_is_part_of_their_transaction(school):
    # `lotsen import school-csv` refreshes the KAA cohort here; if that fails (or the
    # process dies) the enrolments are not left behind without it.
    def refresh_fails() -> None:
        raise RuntimeError("the cohort refresh failed")

    before = _snapshot()
    with pytest.raises(RuntimeError):
        school_csv_import(kind="enrolments", data=ENROLMENTS.encode(), on_written=refresh_fails)
    assert _snapshot() == before
    assert ImportRun.objects.get().status == "failed"


def test_a_line_names_every_error_not_only_the_first(school):
    data = (
        "personnummer,school_unit_code,school_type,start_date,end_date,school_year,given_name\n"
        f"{BAD},1234,FS,2024-13-01,19/06/2025,12,{'x' * 101}\n"
    )
    run = school_csv_import(kind="enrolments", data=data.encode())
    assert run.status == "failed"
    assert {(r["column"], r["reason"]) for r in run.rejects if r["line"] == 2} >= {
        ("school_unit_code", imports.ERROR_SCHOOL_UNIT_FORMAT),
        ("school_type", imports.ERROR_SCHOOL_TYPE),
        ("start_date", imports.ERROR_DATE),
        ("end_date", imports.ERROR_DATE),
        ("school_year", imports.ERROR_RANGE.format(low=0, high=10)),
        ("given_name", imports.ERROR_TOO_LONG.format(limit=100)),
    }
    assert "personnummer" in {r["column"] for r in run.rejects}
    assert run.counts["enrolments"]["rejected"] == 1  # one line, however many errors


def test_the_same_fault_has_the_same_wording_in_the_school_and_kaa_imports():
    from lotsen.kaa import imports as kaa_imports

    for name in ("ERROR_REQUIRED", "ERROR_DATE", "ERROR_DATE_RANGE", "ERROR_TOO_LONG"):
        assert getattr(imports, name) == getattr(kaa_imports, name), name
    assert imports.ERROR_END_BEFORE_START == kaa_imports.ERROR_END_ORDER
    assert imports.ERROR_MUNICIPALITY == kaa_imports.ERROR_MUNICIPALITY
    assert imports.ERROR_SCHOOL_UNIT_FORMAT == kaa_imports.ERROR_SCHOOL_UNIT


def test_lines_with_the_same_text_each_name_their_own_errors(school):
    # The reader checks each distinct text once (a personnummer, the rest of a line) and
    # reuses the outcome: every line that repeats a fault must still be named.
    PersonFactory(personal_identity_number=ANNA)
    PersonFactory(personal_identity_number=BO)
    content = (
        "personnummer,subject,grade,kind,semester,year,registered_on\n"
        f"{ANNA},MA,C,term,HT,2025,18/12/2025\n"
        f"{BO},MA,C,term,HT,2025,18/12/2025\n"
        f"{BAD},EN,C,term,HT,2025,2025-12-18\n"
        f"{BAD},SV,C,term,HT,2025,2025-12-18\n"
        f"{ANNA},EN,C,term,HT,2025,2025-12-18\n"
        f"{ANNA},EN,C,term,HT,2025,2025-12-18\n"
    )
    run = school_csv_import(kind="grades", data=content.encode())
    assert run.status == "failed"
    assert [(r["line"], r["column"]) for r in run.rejects] == [
        (2, "registered_on"),
        (3, "registered_on"),
        (4, "personnummer"),
        (5, "personnummer"),
        (7, ""),
    ]
    assert not Grade.objects.exists()


def test_grades_log_the_persons_whose_grades_were_written_and_only_them(school):
    anna = PersonFactory(personal_identity_number=ANNA)
    bo = PersonFactory(personal_identity_number=BO)
    first = school_csv_import(kind="grades", data=GRADES.encode())
    logged = AccessLogEntry.objects.filter(object_type="import", object_id=str(first.pk))
    assert sorted(logged.values_list("person_id", flat=True)) == sorted([anna.pk, bo.pk])

    corrected = GRADES.replace(f"{BO};MA;E;", f"{BO};MA;D;")
    second = school_csv_import(kind="grades", data=corrected.encode())
    assert second.counts["grades"] == {"created": 0, "updated": 1, "unchanged": 4, "rejected": 0}
    logged = AccessLogEntry.objects.filter(object_type="import", object_id=str(second.pk))
    assert list(logged.values_list("person_id", "action")) == [(bo.pk, Action.UPDATE)]


def test_the_grade_import_takes_the_same_queries_for_more_rows(school, django_assert_num_queries):
    def grades_of(numbers: list[str]) -> bytes:
        lines = ["personnummer,subject,grade,kind,semester,year,registered_on"]
        lines += [f"{n},{s},C,final,VT,2026,2026-06-10" for n in numbers for s in ("MA", "SV")]
        return "\n".join(lines).encode()

    few = [PersonFactory().personal_identity_number for _ in range(2)]
    many = [PersonFactory().personal_identity_number for _ in range(30)]
    # A first import creates the import user and its first log entries.
    school_csv_import(kind="grades", data=grades_of(few[:1]))
    # Measured: persons by one query, the school units by one, the grades merged per chunk
    # (SQLite: the keys looked up, one INSERT … ON CONFLICT; PostgreSQL: staging table,
    # COPY, INSERT … ON CONFLICT … RETURNING, DROP: two more), the run and the log.
    pinned = 14 if connection.vendor == "sqlite" else 16
    with django_assert_num_queries(pinned):
        assert school_csv_import(kind="grades", data=grades_of(few)).status == "done"
    with django_assert_num_queries(pinned):
        assert school_csv_import(kind="grades", data=grades_of(many)).status == "done"


def test_the_grade_table_keeps_only_the_indexes_a_query_needs(db):
    def indexed(model) -> list[tuple[list[str], bool]]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        return sorted(
            (c["columns"], bool(c["unique"]))
            for c in found.values()
            if (c["index"] or c["unique"]) and not c["primary_key"] and not c["foreign_key"]
        )

    grade = indexed(Grade)
    assert (["external_id"], True) in grade
    assert (["person_id", "registered_on"], False) in grade
    # No index of the person alone: the pair above serves a lookup by person.
    assert (["person_id"], False) not in grade
    # One index on the key: the unique one (PostgreSQL's LIKE index is gone).
    assert [columns for columns, _unique in grade].count(["external_id"]) == 1
    enrolment = indexed(Enrolment)
    assert (["person_id", "school_unit_id"], False) in enrolment
    assert (["person_id"], False) not in enrolment
