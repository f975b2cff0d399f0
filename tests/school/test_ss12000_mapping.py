"""From one SS 12000 record to values or a reason: the pure mapping."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lotsen.people.identity import luhn_check_digit, make_identity_number
from lotsen.school.ss12000 import mapping
from lotsen.school.ss12000.mapping import RecordError

TODAY = dt.date(2026, 11, 23)
PERSON_ID = "5f0c7e6a-3b1d-4c8e-9f2a-1b2c3d4e5f60"
SCHOOL_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
NUMBER = make_identity_number(dt.date(2010, 3, 15), 123)
COORDINATION = make_identity_number(dt.date(2010, 3, 15), 456, coordination=True)


def _bad_checksum(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def _person(**changes) -> dict:
    record = {
        "id": PERSON_ID,
        "meta": {"created": "2024-08-15T08:00:00+02:00", "modified": "2025-01-10T09:12:00+01:00"},
        "givenName": "Elin",
        "familyName": "Svensson",
        "civicNo": {"value": NUMBER, "nationality": "SE"},
        "sex": "Kvinna",
        "securityMarking": "Ingen",
        "addresses": [
            {
                "type": "Folkbokföring",
                "streetAddress": "Björkvägen 3",
                "postalCode": "19545",
                "locality": "Exempelstad",
                "municipalityCode": 180,
                "country": "Sverige",
            }
        ],
        "enrolments": [
            {
                "enroledAt": {"id": SCHOOL_ID},
                "schoolType": "GR",
                "schoolYear": 9,
                "startDate": "2024-08-19",
            },
        ],  # fmt: skip
    }
    record.update(changes)
    return record


def _reason(call) -> RecordError:
    with pytest.raises(RecordError) as caught:
        call()
    return caught.value


def test_a_full_person_maps_to_values():
    record = mapping.person_parse(_person(), today=TODAY)
    assert record.id == PERSON_ID
    assert record.identity.normalized == NUMBER
    assert record.identity.date_of_birth == dt.date(2010, 3, 15)
    assert record.address == mapping.Address(
        street="Björkvägen 3", postal_code="195 45", city="Exempelstad", municipality_code="0180"
    )
    (enrolment,) = record.enrolments
    assert enrolment.school_unit_id == SCHOOL_ID
    assert enrolment.school_type == "GR"
    assert enrolment.school_year == 9
    assert enrolment.start_date == dt.date(2024, 8, 19)
    assert enrolment.end_date is None


def test_a_samordningsnummer_is_the_day_plus_60():
    record = mapping.person_parse(_person(civicNo={"value": COORDINATION}), today=TODAY)
    assert record.identity.is_coordination_number
    assert record.identity.date_of_birth == dt.date(2010, 3, 15)
    assert COORDINATION[6:8] == "75"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (_bad_checksum(NUMBER), "Kontrollsiffran"),
        (NUMBER[2:], mapping.REASON_CIVIC_NO_FORMAT),  # ten digits: the spec says twelve
        (f"{NUMBER[:8]}-{NUMBER[8:]}", mapping.REASON_CIVIC_NO_FORMAT),
        ("20130101TF01", mapping.REASON_CIVIC_NO_TEMPORARY),
        ("", mapping.REASON_MISSING),
    ],
)
def test_a_civic_no_that_is_not_a_valid_twelve_digit_number_is_rejected(value, reason):
    error = _reason(lambda: mapping.person_parse(_person(civicNo={"value": value}), today=TODAY))
    assert error.field == "civicNo.value"
    assert reason in error.reason
    # Never the number itself in the reason.
    assert not re.search(r"\d{6}", error.reason)


def test_a_birth_date_after_today_is_rejected():
    future = make_identity_number(dt.date(2026, 12, 24), 11)
    error = _reason(lambda: mapping.person_parse(_person(civicNo={"value": future}), today=TODAY))
    assert error.field == "civicNo.value"


def test_a_foreign_civic_no_is_rejected():
    error = _reason(
        lambda: mapping.person_parse(
            _person(civicNo={"value": NUMBER, "nationality": "NO"}), today=TODAY
        )
    )
    assert error.field == "civicNo.nationality"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sex": "Okänd"}, "sex"),
        ({"securityMarking": "Hemlig"}, "securityMarking"),
        ({"personStatus": "Flyttad"}, "personStatus"),
        ({"id": "not-a-uuid"}, "id"),
        ({"givenName": ""}, "givenName"),
        ({"familyName": "x" * 101}, "familyName"),
        ({"civicNo": None}, "civicNo"),
    ],
)
def test_a_value_outside_the_spec_rejects_the_person_naming_the_field(changes, field):
    error = _reason(lambda: mapping.person_parse(_person(**changes), today=TODAY))
    assert error.field == field
    assert error.reason


def test_an_unknown_value_is_named_but_a_long_number_is_never_echoed():
    error = _reason(lambda: mapping.person_parse(_person(sex=NUMBER), today=TODAY))
    assert NUMBER not in str(error)
    assert mapping.VALUE_HIDDEN in error.reason


def test_address_fields_are_checked():
    bad_postal = _person()
    bad_postal["addresses"][0]["postalCode"] = "ABC"
    assert _reason(lambda: mapping.person_parse(bad_postal, today=TODAY)).field == (
        "addresses[0].postalCode"
    )
    bad_type = _person()
    bad_type["addresses"][0]["type"] = "Sommarstuga"
    assert _reason(lambda: mapping.person_parse(bad_type, today=TODAY)).field == (
        "addresses[0].type"
    )


def test_only_the_registered_address_is_used():
    record = _person()
    record["addresses"][0]["type"] = "Postadress"
    assert mapping.person_parse(record, today=TODAY).address is None


def test_enrolments_in_other_school_types_are_skipped_and_bad_ones_rejected_alone():
    record = _person(
        enrolments=[
            {"enroledAt": {"id": SCHOOL_ID}, "schoolType": "FS", "startDate": "2014-08-01"},
            {"enroledAt": {"id": SCHOOL_ID}, "schoolType": "XX", "startDate": "2020-08-01"},
            {
                "enroledAt": {"id": SCHOOL_ID},
                "schoolType": "GR",
                "startDate": "2024-08-19",
                "endDate": "2024-08-01",
            },
            {
                "enroledAt": {"id": SCHOOL_ID},
                "schoolType": "GY",
                "startDate": "2026-08-17",
                "educationCode": "NA",
                "cancelled": True,
                "endDate": "2026-10-01",
            },
        ]  # fmt: skip
    )
    parsed = mapping.person_parse(record, today=TODAY)
    assert [e.school_type for e in parsed.enrolments] == ["GY"]
    assert parsed.enrolments[0].programme == "NA"
    assert parsed.enrolments[0].cancelled
    problems = {p.index: p for p in parsed.enrolment_problems}
    assert problems[0].skipped and "FS" in problems[0].reason
    assert not problems[1].skipped and problems[1].field == "enrolments[1].schoolType"
    assert not problems[2].skipped and problems[2].field == "enrolments[2].endDate"


def _grade(**changes) -> dict:
    record = {
        "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        "meta": {"created": "2026-06-10T15:00:00Z", "modified": "2026-06-10T15:00:00Z"},
        "student": {"id": PERSON_ID},
        "organisation": {"id": SCHOOL_ID},
        "registeredBy": {"id": PERSON_ID},
        "registeredDate": "2026-06-10",
        "gradeValue": "C",
        "finalGrade": True,
        "adaptedStudyPlan": "",
        "semester": "VT",
        "year": 2026,
        "syllabus": {"id": SCHOOL_ID},
    }
    record.update(changes)
    return record


@pytest.mark.parametrize("value", ["A", "B", "C", "D", "E", "F", "-", " c ", "\u2013"])
def test_grade_values_a_to_f_and_streck_are_kept(value):
    assert mapping.grade_parse(_grade(gradeValue=value)).value in set("ABCDEF-")


@pytest.mark.parametrize("value", ["G", "VG", "MVG", "5", "", "A+"])
def test_other_grade_values_are_rejected_with_reason(value):
    error = _reason(lambda: mapping.grade_parse(_grade(gradeValue=value)))
    assert error.field == "gradeValue"
    assert error.reason


def test_final_grade_decides_the_kind_and_semester_must_be_ht_or_vt():
    assert mapping.grade_parse(_grade(finalGrade=False)).final is False
    assert _reason(lambda: mapping.grade_parse(_grade(semester="ST"))).field == "semester"
    assert _reason(lambda: mapping.grade_parse(_grade(finalGrade=None))).field == "finalGrade"


def test_a_grade_names_its_school_unit_by_organisation_or_school_unit():
    without = _grade()
    del without["organisation"]
    without["schoolUnit"] = {"id": SCHOOL_ID}
    assert mapping.grade_parse(without).school_unit_id == SCHOOL_ID


@pytest.mark.parametrize(
    ("syllabus", "subject", "course", "points"),
    [
        ({"schoolType": "GR", "subjectDesignation": "MA", "subjectCode": "GRGRMAT01"},
         "MA", "", None),
        ({"schoolType": "GR", "subjectCode": "GRGRENG01"}, "EN", "", None),
        ({"schoolType": "GR", "subjectDesignation": "MLARA"}, "ML", "", None),
        ({"schoolType": "GR", "subjectDesignation": "M2", "languageCode": "spa"}, "M2", "", None),
        ({"schoolType": "GY", "subjectDesignation": "SVE", "courseCode": "SVESVE01", "points": 100},
         "SVE", "SVESVE01", 100),
        ({"schoolType": "GY", "courseCode": "MATMAT01a", "points": 100}, "MAT", "MATMAT01a", 100),
    ],
)  # fmt: skip
def test_subject_and_course_come_from_the_syllabus(syllabus, subject, course, points):
    record = mapping.syllabus_parse({"id": SCHOOL_ID, **syllabus})
    assert (record.subject_code, record.course_code, record.points) == (subject, course, points)


def test_a_syllabus_without_any_code_cannot_be_used():
    error = _reason(lambda: mapping.syllabus_parse({"id": SCHOOL_ID, "schoolType": "GR"}))
    assert error.reason == mapping.REASON_NO_SUBJECT


def test_aggregated_attendance_minutes_must_be_whole_and_not_negative():
    raw = {
        "activity": {"id": SCHOOL_ID},
        "student": {"id": PERSON_ID},
        "startDate": "2026-08-17",
        "endDate": "2026-09-13",
        "attendanceSum": 5000,
        "validAbsenceSum": 300,
        "invalidAbsenceSum": 100,
        "offeredSum": 5400,
    }
    record = mapping.attendance_parse(raw)
    assert (record.attended, record.valid_absence, record.invalid_absence, record.offered) == (
        5000,
        300,
        100,
        5400,
    )
    assert _reason(lambda: mapping.attendance_parse({**raw, "attendanceSum": -1})).field == (
        "attendanceSum"
    )
    assert _reason(lambda: mapping.attendance_parse({**raw, "offeredSum": 1.5})).field == (
        "offeredSum"
    )
    assert _reason(lambda: mapping.attendance_parse({**raw, "endDate": "2026-08-01"})).field == (
        "endDate"
    )


def test_the_check_digit_helper_agrees_with_the_numbers_used_here():
    assert int(NUMBER[-1]) == luhn_check_digit(NUMBER[2:11])
