"""``lotsen kaa``: the cohort as JSON, the imports, the export with its checks, retention,
periods and code lists."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command

from lotsen.kaa.models import ReportCode, ReportPeriod, RetentionRun
from lotsen.privacy.models import AccessLogEntry, Action
from tests.factories import fresh_identity_number
from tests.kaa.conftest import M, refresh, today, years_ago, young

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    import io

    out = io.StringIO()
    call_command("kaa", *args, stdout=out)
    return out.getvalue()


def test_cohort_as_json(municipality, school):
    member = young(school)
    young(school, upper_secondary=(150, None, "NA"))
    output = json.loads(
        run("cohort", "--municipality", M, "--date", today().isoformat(), "--format", "json")
    )
    left_year_9 = member.enrolments.get().end_date
    assert output == [
        {
            "personnummer": member.personal_identity_number,
            "entered": (left_year_9 + dt.timedelta(days=1)).isoformat(),
            "reason": "never_started",
            "school_reason": "never_started",
        }
    ]
    entry = AccessLogEntry.objects.get(object_type="kaa_cohort_command")
    assert (entry.person_id, entry.action) == (member.pk, Action.EXPORT)


def test_cohort_on_a_past_date_uses_the_rules_not_the_stored_state(municipality, school):
    member = young(school)
    before = member.enrolments.get().end_date.isoformat()
    assert (
        json.loads(run("cohort", "--municipality", M, "--date", before, "--format", "json")) == []
    )


def test_bad_arguments_are_named(municipality):
    with pytest.raises(CommandError, match="ogiltig kommunkod"):
        run("cohort", "--municipality", "12")
    with pytest.raises(CommandError, match="ogiltigt datum"):
        run("cohort", "--municipality", M, "--date", "2026-02-30")


def test_import_commands(municipality, tmp_path):
    number = fresh_identity_number(years_ago(17))
    population = tmp_path / "folk.csv"
    population.write_text(
        "personnummer,given_name,family_name,municipality_code,moved_in,moved_out,protected_identity,asylum_seeker\n"
        f"{number},Elin,Ek,{M},,,0,0\n"
    )
    output = run("import-population", str(population))
    assert "persons_created: 1" in output and f"aktivitetsansvaret {M}: 1 unga" in output
    bad = tmp_path / "bad.csv"
    bad.write_text("personnummer,date,kind\n" + f"{number},igår,examen\n")
    with pytest.raises(CommandError, match="1 fel|2 fel"):
        run("import-qualifications", str(bad))
    with pytest.raises(CommandError, match="kan inte läsa filen"):
        run("import-enrolments", str(tmp_path / "saknas.csv"))


def test_export_checks_and_writes(municipality, school, tmp_path):
    young(school)
    refresh()
    period = ReportPeriod.objects.filter(starts_on__lte=today()).order_by("-starts_on").first()
    output = run("export", "--municipality", M, "--period", period.code, "--check")
    assert "Kontrollen hittade inga fel." in output
    target = tmp_path / "kaa.csv"
    run("export", "--municipality", M, "--period", period.code, "--output", str(target))
    assert target.read_text().startswith("Block;Kommunkod;Personnummer")
    with pytest.raises(CommandError, match="finns inte"):
        run("export", "--municipality", M, "--period", "1999H1")


def test_period_add_copies_the_codes_and_codes_load_replaces_them(db, tmp_path):
    run("period-add", "2030H1")
    period = ReportPeriod.objects.get(code="2030H1")
    latest = ReportPeriod.objects.exclude(pk=period.pk).order_by("-starts_on").first()
    assert period.codes.count() == latest.codes.count() > 0
    codes = tmp_path / "koder.csv"
    codes.write_text("code_list,value,code,label\noccupation,work,A,Arbete\n")
    run("codes-load", "2030H1", str(codes), "--verified")
    period.refresh_from_db()
    assert period.codes_verified
    assert list(ReportCode.objects.filter(period=period).values_list("code", flat=True)) == ["A"]
    codes.write_text("code_list,value,code,label\nnope,work,A,Arbete\n")
    with pytest.raises(CommandError, match="rad 2: okänd kodlista"):
        run("codes-load", "2030H1", str(codes))


def test_retention_dry_run(db):
    output = run("retention", "--dry-run")
    assert output.startswith("Skulle gallras (provkörning): 0 poster")
    assert RetentionRun.objects.get().dry_run
