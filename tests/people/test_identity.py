"""The personnummer module: pure, tested exhaustively against the rules and by property."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lotsen.people.identity import (
    ERROR_CHECKSUM,
    ERROR_DATE,
    ERROR_FORMAT,
    ERROR_FUTURE,
    InvalidIdentityNumber,
    luhn_check_digit,
    make_identity_number,
    parse_identity_number,
)

TODAY = dt.date(2026, 11, 23)


def test_luhn_check_digit_of_a_published_example():
    # Skatteverket's worked example: 811218-987 has check digit 6.
    assert luhn_check_digit("811218987") == 6


@pytest.mark.parametrize(
    "raw, normalized, born",
    [
        ("811218-9876", "198112189876", dt.date(1981, 12, 18)),
        ("8112189876", "198112189876", dt.date(1981, 12, 18)),
        ("19811218-9876", "198112189876", dt.date(1981, 12, 18)),
        ("198112189876", "198112189876", dt.date(1981, 12, 18)),
        (" 811218 - 9876 ".replace(" - ", "-"), "198112189876", dt.date(1981, 12, 18)),
    ],
)
def test_accepted_forms_normalize_to_twelve_digits(raw, normalized, born):
    number = parse_identity_number(raw, today=TODAY)
    assert number.normalized == normalized
    assert number.date_of_birth == born
    assert number.display == f"{normalized[:8]}-{normalized[8:]}"
    assert not number.is_coordination_number


def test_plus_separator_means_a_hundred_years_or_older():
    born_1910 = make_identity_number(dt.date(1910, 3, 4), 123)
    ten_digits = born_1910[2:8] + "+" + born_1910[8:]
    assert parse_identity_number(ten_digits, today=TODAY).date_of_birth == dt.date(1910, 3, 4)
    assert parse_identity_number(
        ten_digits.replace("+", "-"), today=TODAY
    ).date_of_birth == dt.date(2010, 3, 4)


def test_ten_digit_form_never_lands_in_the_future():
    future_this_century = make_identity_number(dt.date(1930, 12, 24), 55)[2:]
    assert parse_identity_number(future_this_century, today=TODAY).date_of_birth.year == 1930


def test_coordination_number_adds_sixty_to_the_day():
    number = make_identity_number(dt.date(2008, 1, 5), 7, coordination=True)
    assert number[6:8] == "65"
    parsed = parse_identity_number(number, today=TODAY)
    assert parsed.is_coordination_number
    assert parsed.date_of_birth == dt.date(2008, 1, 5)
    assert parsed.normalized == number


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", ERROR_FORMAT),
        ("abc", ERROR_FORMAT),
        ("81121-89876", ERROR_FORMAT),
        ("811218/9876", ERROR_FORMAT),
        ("20130101TF01", ERROR_FORMAT),
        ("811218-9875", ERROR_CHECKSUM),
        ("198112189877", ERROR_CHECKSUM),
    ],
)
def test_rejected_with_a_reason(raw, message):
    with pytest.raises(InvalidIdentityNumber) as exc:
        parse_identity_number(raw, today=TODAY)
    assert str(exc.value) == message


def test_impossible_date_is_rejected_even_with_a_valid_check_digit():
    body = "081332123"  # 13th month
    with pytest.raises(InvalidIdentityNumber) as exc:
        parse_identity_number(f"20{body}{luhn_check_digit(body)}", today=TODAY)
    assert str(exc.value) == ERROR_DATE


def test_leap_day_depends_on_the_century():
    body = "000229123"
    number = f"{body}{luhn_check_digit(body)}"
    assert parse_identity_number("20" + number, today=TODAY).date_of_birth == dt.date(2000, 2, 29)
    with pytest.raises(InvalidIdentityNumber) as exc:
        parse_identity_number("19" + number, today=TODAY)
    assert str(exc.value) == ERROR_DATE


def test_twelve_digit_form_in_the_future_is_rejected():
    with pytest.raises(InvalidIdentityNumber) as exc:
        parse_identity_number(make_identity_number(dt.date(2030, 1, 1), 1), today=TODAY)
    assert str(exc.value) == ERROR_FUTURE


@given(
    born=st.dates(min_value=dt.date(1927, 1, 1), max_value=TODAY),
    serial=st.integers(min_value=0, max_value=999),
    coordination=st.booleans(),
)
def test_every_generated_number_round_trips(born, serial, coordination):
    number = make_identity_number(born, serial, coordination=coordination)
    parsed = parse_identity_number(number, today=TODAY)
    assert parsed.normalized == number
    assert parsed.date_of_birth == born
    assert parsed.is_coordination_number == coordination
    # The ten-digit form with the right separator says the same.
    separator = "+" if (TODAY.year - born.year) >= 100 else "-"
    assert (
        parse_identity_number(number[2:8] + separator + number[8:], today=TODAY).normalized
        == number
    )


@given(
    born=st.dates(min_value=dt.date(1930, 1, 1), max_value=TODAY),
    serial=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=2, max_value=11),
    delta=st.integers(min_value=1, max_value=9),
)
def test_any_single_digit_error_is_caught(born, serial, position, delta):
    number = make_identity_number(born, serial)
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(InvalidIdentityNumber):
        parse_identity_number("".join(digits), today=TODAY)
