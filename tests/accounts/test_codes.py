import pytest
from django.core.exceptions import ValidationError

from lotsen.accounts import codes
from lotsen.accounts.models import Organisation, OrganisationKind


@pytest.mark.parametrize(
    "value, ok", [("0180", True), ("180", False), ("01800", False), ("01a0", False)]
)
def test_municipality_code_is_four_digits(value, ok):
    assert codes.is_municipality_code(value) is ok


@pytest.mark.parametrize("value, ok", [("12345678", True), ("1234567", False), ("1234567a", False)])
def test_school_unit_code_is_eight_digits(value, ok):
    assert codes.is_school_unit_code(value) is ok


@pytest.mark.parametrize(
    "value, expected",
    [
        ("212000-0142", "212000-0142"),  # Stockholms kommun
        ("2120000142", "212000-0142"),
        ("212000-0143", None),
        ("21200-00142", None),
        ("", None),
    ],
)
def test_organisation_number_checksum(value, expected):
    assert codes.normalize_organisation_number(value) == expected


def test_organisation_clean_names_each_bad_field():
    org = Organisation(
        name="X",
        kind=OrganisationKind.MUNICIPALITY,
        municipality_code="12",
        school_unit_code="99",
        organisation_number="212000-0143",
    )
    with pytest.raises(ValidationError) as exc:
        org.full_clean()
    assert exc.value.message_dict == {
        "municipality_code": [codes.ERROR_MUNICIPALITY_CODE],
        "school_unit_code": [codes.ERROR_SCHOOL_UNIT_CODE],
        "organisation_number": [codes.ERROR_ORGANISATION_NUMBER],
    }
