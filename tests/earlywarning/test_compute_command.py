"""``lotsen signals compute``: the command computes signals for current pupils, for one
school unit or all, on a given date, and says what it did."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from lotsen.earlywarning.models import Signal
from tests.earlywarning.conftest import TODAY, enrol, weeks_of_absence
from tests.factories import SchoolUnitFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("signals", "compute", *args, stdout=out)
    return out.getvalue()


def test_compute_for_one_school_on_a_date(school, pupil):
    elsewhere = enrol(SchoolUnitFactory())
    weeks_of_absence(elsewhere, invalid=(0, 0, 0, 400))
    output = run("--school-unit", school.school_unit_code, "--date", TODAY.isoformat())
    assert output.splitlines()[0] == (
        "Elever som gicks igenom: 1. Signaler: 1 nya, 0 uppdaterade, 0 där regeln inte "
        "längre gäller, 0 oförändrade."
    )
    assert "  Ogiltig frånvaro: 1" in output.splitlines()
    assert not Signal.objects.filter(person=elsewhere).exists()
    again = run("--date", TODAY.isoformat())
    assert again.splitlines()[0].startswith("Elever som gicks igenom: 2. Signaler: 1 nya,")


def test_unknown_school_unit_is_named(db):
    with pytest.raises(CommandError) as error:
        run("--school-unit", "12345678")
    assert str(error.value) == "Det finns ingen skolenhet med skolenhetskoden 12345678."


def test_a_bad_date_is_refused(db):
    with pytest.raises(CommandError) as error:
        run("--date", "2026-02-30")
    assert "ogiltigt datum 2026-02-30 (skriv ÅÅÅÅ-MM-DD)" in str(error.value)
