"""Official Swedish organisation codes. Pure module: no Django."""

from __future__ import annotations

import re

from lotsen.people.identity import luhn_valid

ERROR_MUNICIPALITY_CODE = "Kommunkoden ska vara fyra siffror, till exempel 0180."
ERROR_SCHOOL_UNIT_CODE = "Skolenhetskoden ska vara åtta siffror."
ERROR_ORGANISATION_NUMBER = (
    "Organisationsnumret ska vara tio siffror (NNNNNN-NNNN) med rätt kontrollsiffra."
)

_MUNICIPALITY = re.compile(r"^\d{4}$")
_SCHOOL_UNIT = re.compile(r"^\d{8}$")
_ORGANISATION_NUMBER = re.compile(r"^(\d{6})-?(\d{4})$")


def is_municipality_code(value: str) -> bool:
    return bool(_MUNICIPALITY.match(value or ""))


def is_school_unit_code(value: str) -> bool:
    return bool(_SCHOOL_UNIT.match(value or ""))


def normalize_organisation_number(value: str) -> str | None:
    """``NNNNNN-NNNN`` when valid (ten digits, Luhn check digit), otherwise None."""
    match = _ORGANISATION_NUMBER.match((value or "").strip())
    if not match:
        return None
    digits = match[1] + match[2]
    return f"{match[1]}-{match[2]}" if luhn_valid(digits) else None
