"""``lotsen import <kind>``: the importers the apps register, --dry-run, and the follow-ups
that run in an import's transaction (the KAA cohort after school data)."""

from __future__ import annotations

import datetime as dt
import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lotsen.accounts.models import OrganisationKind
from lotsen.ingest import registry
from lotsen.ingest.models import ImportRun
from lotsen.ingest.registry import Importer, ImporterTaken, importer_register, importers
from lotsen.kaa.services import kaa_cohort_refresh_all
from lotsen.people.identity import make_identity_number
from lotsen.people.models import Person
from lotsen.privacy.models import AccessLogEntry
from lotsen.school.models import Enrolment
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

# "import" is a keyword: the command module is reached by name.
DRY_RUN_DONE = importlib.import_module("lotsen.ingest.management.commands.import").DRY_RUN_DONE

SCHOOL_CODE = "19990001"
ANNA = make_identity_number(dt.date(2010, 4, 2), 234)
ENROLMENTS = (
    "personnummer,given_name,family_name,school_unit_code,school_type,start_date\n"
    f"{ANNA},Anna,Andersson,{SCHOOL_CODE},GR,2024-08-19\n"
)


@pytest.fixture
def school(db):
    return OrganisationFactory(
        name="Björkskolan", kind=OrganisationKind.SCHOOL_UNIT, school_unit_code=SCHOOL_CODE
    )


@pytest.fixture
def enrolments_file(tmp_path):
    path = tmp_path / "inskrivningar.csv"
    path.write_text(ENROLMENTS)
    return path


def _import(*args: str) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _written() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Person, Enrolment, ImportRun, AccessLogEntry)
    }


def test_every_app_registers_its_importers_under_one_command():
    assert set(importers()) == {
        "ss12000",
        "school-csv",
        "school-groups",
        "population",
        "enrolments",
        "qualifications",
        "programme",
        "participants",
        "costs",
    }
    assert all(isinstance(importer, Importer) for importer in importers().values())


def test_a_kind_taken_by_another_importer_is_refused():
    def other_run(**_options):  # pragma: no cover - never run
        raise AssertionError

    with pytest.raises(ImporterTaken):
        importer_register(
            Importer(kind="population", help="", arguments=lambda parser: None, run=other_run)
        )
    assert importers()["population"].run is not other_run


def test_the_command_imports_through_the_registered_importer(school, enrolments_file):
    output = _import("school-csv", "--kind", "enrolments", str(enrolments_file))
    assert "Klart" in output
    assert Enrolment.objects.get().person.personal_identity_number == ANNA
    assert ImportRun.objects.get().status == "done"


def test_a_dry_run_checks_the_file_and_writes_nothing(school, enrolments_file):
    before = _written()
    output = _import("school-csv", "--kind", "enrolments", "--dry-run", str(enrolments_file))
    assert "1 rader lästa, inga fel." in output
    assert output.rstrip().endswith(DRY_RUN_DONE)
    assert _written() == before


def test_a_dry_run_of_a_bad_file_names_its_errors(school, tmp_path):
    bad = tmp_path / "fel.csv"
    bad.write_text(ENROLMENTS.replace("2024-08-19", "2024-13-45"))
    before = _written()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import", "school-csv", "--kind", "enrolments", "--dry-run", str(bad), stdout=out
        )
    assert "rad 2, kolumn start_date" in out.getvalue()
    assert _written() == before


def test_an_importer_that_commits_page_by_page_offers_no_dry_run():
    assert not importers()["ss12000"].dry_run
    with pytest.raises(CommandError):
        call_command("import", "ss12000", "--url", "http://localhost:1", "--dry-run")


def test_the_kaa_cohort_follows_every_school_import():
    importers()
    assert kaa_cohort_refresh_all in registry._after_import["school"]


def test_a_failing_follow_up_rolls_the_school_import_back(school, enrolments_file, monkeypatch):
    def follow_up_fails():
        raise RuntimeError("kohorten kunde inte räknas om")

    importers()
    monkeypatch.setitem(registry._after_import, "school", [follow_up_fails])
    with pytest.raises(RuntimeError):
        _import("school-csv", "--kind", "enrolments", str(enrolments_file))
    assert not Enrolment.objects.exists()
    assert not Person.objects.exists()
    assert ImportRun.objects.get().status == "failed"
