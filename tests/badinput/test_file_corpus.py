"""The bad-file corpus: every file in tests/badinput/files goes through the real command
(and cost files also through the web upload), and each must be refused with an error that
names its place (line and column, or JSON path), with no traceback, no personnummer in the
message, and nothing written.

manifest.json lists each file with its importer, the place its error must name
(``where``) and a note on what is wrong. Files marked ``expand`` hold ``@@LONG@@``, which
becomes a value of 1,000,000 characters at run time (so the repository holds no
megabytes). Runs on SQLite and, through the ``db`` fixture, in the PostgreSQL pass too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from lotsen.accounts.models import OrganisationKind, Role
from lotsen.finance.models import ActualCost
from lotsen.kaa.models import CohortMembership, EquivalentEducation, Qualification, ResidencePeriod
from lotsen.people.identity import parse_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry
from lotsen.programmes.models import Participation, Programme, SubProject, SubProjectGoal
from lotsen.school.models import AttendancePeriod, Enrolment, Grade, Group, GroupMembership
from tests.factories import MembershipFactory, MunicipalityFactory, OrganisationFactory
from tests.finance.factories import ProgrammeFactory, SubProjectFactory

FILES = Path(__file__).with_name("files")
MANIFEST = json.loads((FILES / "manifest.json").read_text())
LONG_VALUE = b"x" * 1_000_000
PROGRAMME = "Vägen vidare"
# Anything shaped like a personnummer (with or without century, dash or plus).
IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")
WRITTEN = (
    Person,
    ResidencePeriod,
    CohortMembership,
    Enrolment,
    EquivalentEducation,
    Qualification,
    Participation,
    Programme,
    SubProject,
    SubProjectGoal,
    ActualCost,
    Grade,
    AttendancePeriod,
    Group,
    GroupMembership,
    AccessLogEntry,
)


@pytest.fixture
def world(db):
    region = OrganisationFactory(name="Region Norr", kind=OrganisationKind.REGION)
    town = MunicipalityFactory(name="Aby kommun", parent=region, municipality_code="2480")
    OrganisationFactory(
        name="Björkskolan", kind=OrganisationKind.SCHOOL_UNIT, school_unit_code="19990001"
    )
    programme = ProgrammeFactory(name=PROGRAMME, lead_organisation=region)
    subproject = SubProjectFactory(
        programme=programme,
        name="Aby unga",
        lead_organisation=town,
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 6, 30),
    )
    number = parse_identity_number(MANIFEST["personnummer_in_world"])
    Person.objects.create(
        personal_identity_number=number.normalized,
        date_of_birth=number.date_of_birth,
        given_name="Anna",
        family_name="Ek",
        home_municipality_code="2480",
    )
    return {"town": town, "subproject": subproject}


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def _content(entry: dict) -> bytes:
    data = (FILES / entry["file"]).read_bytes()
    return data.replace(b"@@LONG@@", LONG_VALUE) if entry.get("expand") else data


def _arguments(importer: str, path: Path) -> list[str]:
    if importer in ("population", "enrolments", "qualifications", "participants", "programme"):
        return ["import", importer, str(path)]
    if importer == "school_groups":
        return ["import", "school-groups", str(path)]
    if importer.startswith("school_"):
        return ["import", "school-csv", "--kind", importer.removeprefix("school_"), str(path)]
    if importer == "costs":
        return ["finance", "import-costs", "--programme", PROGRAMME, str(path)]
    if importer == "signals":
        return ["signals", "evaluate", "--csv", str(path), "--target", "utfall", "--positive", "ja"]
    assert importer == "merit", importer
    return ["school", "merit", "--grades", str(path)]


def _numbers_in(data: bytes) -> set[str]:
    return set(IDENTITY_NUMBER.findall(data.decode("utf-8", "replace")))


@pytest.mark.parametrize("entry", MANIFEST["files"], ids=lambda entry: entry["file"])
def test_a_bad_file_is_refused_naming_its_place_and_nothing_is_written(world, tmp_path, entry):
    data = _content(entry)
    path = tmp_path / Path(entry["file"]).name
    path.write_bytes(data)
    before = _counts()
    out, err = StringIO(), StringIO()
    # Anything but CommandError (a crash) fails the test with its traceback.
    with pytest.raises(CommandError) as refused:
        call_command(*_arguments(entry["importer"], path), stdout=out, stderr=err)
    output = "\n".join([str(refused.value), out.getvalue(), err.getvalue()])
    assert entry["where"] in output, output[:3000]
    assert "Traceback" not in output
    assert len(output) < 50_000  # the 1 MB value is never echoed
    for number in _numbers_in(data) | ({entry["secret"]} if "secret" in entry else set()):
        assert number not in output
    assert _counts() == before


COST_FILES = [entry for entry in MANIFEST["files"] if entry["importer"] == "costs"]
_WHERE = re.compile(r"rad (\d+)(?:, kolumn (\w+))?")


@pytest.mark.parametrize("entry", COST_FILES, ids=lambda entry: entry["file"])
def test_a_bad_cost_file_uploaded_on_the_web_is_refused_naming_its_place(world, client, entry):
    client.force_login(MembershipFactory(organisation=world["town"], role=Role.PROJECT_LEADER).user)
    url = reverse("finance:costs_upload", args=[world["subproject"].pk])
    before = _counts()
    response = client.post(url, {"file": SimpleUploadedFile("kostnader.csv", _content(entry))})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Inget är importerat." in text or not _content(entry)
    if 'id="importfel"' in text:
        line, column = _WHERE.search(entry["where"]).groups()
        cell = '<td class="govuk-table__cell">'
        expected = f"{cell}{line}</td>" + (f"{cell}{column}</td>" if column else "")
        assert expected in text
    else:
        # An empty upload is refused by the form itself.
        assert not _content(entry) and "govuk-error-summary" in text
    assert len(text) < 200_000
    assert _counts() == before
