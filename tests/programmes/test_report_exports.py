"""The indicator report leaving Lotsen: `lotsen programmes esf-report` (JSON and CSV, exact
keys), and the web exports (XLSX opened with openpyxl, CSV, JSON). Anything that leaves the
project team is suppressed: the CLI with --public, every export for an evaluator or a
project leader outside the programme, and the team's own "offentlig" files."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from lotsen.programmes import indicators
from tests.programmes.conftest import D, participant

ESF_PLUS_KEYS = [
    "total_participants",
    "unemployed",
    "long_term_unemployed",
    "inactive",
    "employed",
    "below_18",
    "age_18_29",
    "isced_0_2",
    "isced_3_4",
    "isced_5_8",
    "with_disabilities",
    "foreign_background",
    "job_searching_upon_leaving",
    "in_education_upon_leaving",
    "qualification_upon_leaving",
    "employed_upon_leaving",
    "employed_6_months",
    "improved_situation_6_months",
]
ESF_2014_KEYS = [k for k in ESF_PLUS_KEYS if k not in ("below_18", "age_18_29")]
ESF_2014_KEYS.insert(5, "below_25")


@pytest.fixture
def population(subprojects):
    """Sub-project A: 7 women and 3 men, one of the women 17, two men employed on
    leaving; one non-binary participant. Sub-project B: 2 women."""
    a, b = subprojects["a"], subprojects["b"]
    for _ in range(6):
        participant(a, gender="woman", entry_status="inactive")
    participant(a, gender="woman", born=D(2008, 1, 1), entry_status="unemployed")
    participant(
        a, gender="man", exit_date=D(2025, 6, 1), exit_status="employed", entry_status="employed"
    )
    participant(
        a, gender="man", exit_date=D(2025, 7, 1), exit_status="employed", entry_status="employed"
    )
    participant(a, gender="man", entry_status="unemployed")
    participant(a, gender="nonbinary", entry_status="inactive")
    participant(b, gender="woman")
    participant(b, gender="woman")
    return subprojects


def _report(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "programmes",
        "esf-report",
        "--programme",
        "Programmet",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_cli_json_has_exactly_the_framework_keys(population):
    plus = json.loads(_report("--framework", "esfplus", "--format", "json"))
    assert list(plus) == ESF_PLUS_KEYS
    assert all(list(v) == ["women", "men", "nonbinary", "total"] for v in plus.values())
    assert plus["total_participants"] == {"women": 9, "men": 3, "nonbinary": 1, "total": 13}
    assert plus["employed_upon_leaving"] == {"women": 0, "men": 2, "nonbinary": 0, "total": 2}
    assert plus["below_18"] == {"women": 1, "men": 0, "nonbinary": 0, "total": 1}
    old = json.loads(_report("--framework", "esf2014"))
    assert list(old) == ESF_2014_KEYS
    assert all(list(v) == ["women", "men", "total"] for v in old.values())
    assert old["total_participants"] == {"women": 9, "men": 3, "total": 13}


def test_cli_subproject_and_csv(population):
    text = _report("--framework", "esfplus", "--format", "csv", "--subproject", "Delprojekt B")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["indicator", "label", "women", "men", "nonbinary", "total"]
    assert rows[1] == ["total_participants", "Deltagare totalt", "2", "0", "0", "2"]
    assert [r[0] for r in rows[1:]] == ESF_PLUS_KEYS


def test_cli_public_suppresses_small_cells(population):
    public = json.loads(_report("--framework", "esfplus", "--public"))
    assert public["total_participants"] == {"women": 9, "men": "<5", "nonbinary": "<5", "total": 13}
    assert public["employed_upon_leaving"]["men"] == "<5"
    for cells in public.values():
        assert not any(value in {1, 2, 3, 4} for value in cells.values())


def test_cli_errors(population):
    with pytest.raises(CommandError, match="Inget program"):
        call_command(
            "programmes",
            "esf-report",
            "--programme",
            "Okänt",
            "--framework",
            "esfplus",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
        )
    with pytest.raises(CommandError, match="inget delprojekt"):
        _report("--framework", "esfplus", "--subproject", "B")
    with pytest.raises(CommandError):
        call_command(
            "programmes",
            "esf-report",
            "--programme",
            "Programmet",
            "--framework",
            "esfplus",
            "--from",
            "2025-13-01",
            "--to",
            "2025-12-31",
        )


# --- Web exports ------------------------------------------------------------------------


def _login(client, actor):
    # One membership each: the middleware chooses it.
    client.force_login(actor.user)


def _export(client, programme, fmt, **query):
    params = {"framework": "esfplus", "start": "2025-01-01", "end": "2025-12-31", **query}
    return client.get(f"/program/{programme.pk}/indikatorer/{fmt}/", params)


def _xlsx_rows(response):
    book = load_workbook(io.BytesIO(response.content))
    return book, [[c.value for c in row] for row in book["Indikatorer"].iter_rows()]


def test_xlsx_for_the_team_holds_exact_counts(client, programme, population, region_leader):
    _login(client, region_leader)
    response = _export(client, programme, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book, rows = _xlsx_rows(response)
    assert rows[0] == ["Indikator", "Beskrivning", "Kvinnor", "Män", "Icke-binära", "Totalt"]
    assert rows[1] == ["total_participants", "Deltagare totalt", 9, 3, 1, 13]
    assert [r[0] for r in rows[1:]] == ESF_PLUS_KEYS
    about = {r[0].value: r[1].value for r in book["Om rapporten"].iter_rows()}
    assert about["Program"] == "Programmet"
    assert about["Period"] == "2025-01-01 – 2025-12-31"
    assert about["Ramverk"] == "ESF+ 2021–2027"


def test_xlsx_esf2014_has_no_nonbinary_column(client, programme, population, region_leader):
    _login(client, region_leader)
    _book, rows = _xlsx_rows(_export(client, programme, "xlsx", framework="esf2014"))
    assert rows[0] == ["Indikator", "Beskrivning", "Kvinnor", "Män", "Totalt"]
    assert rows[1] == ["total_participants", "Deltagare totalt", 9, 3, 13]


def test_team_public_files_are_suppressed(client, programme, population, region_leader):
    _login(client, region_leader)
    _book, rows = _xlsx_rows(_export(client, programme, "xlsx", offentlig="1"))
    assert rows[1] == ["total_participants", "Deltagare totalt", 9, "<5", "<5", 13]
    text = _export(client, programme, "csv", offentlig="1").content.decode("utf-8-sig")
    assert "total_participants,Deltagare totalt,9,<5,<5,13" in text


@pytest.mark.parametrize("who", ["evaluator", "outsider_leader", "leader_south"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_every_export_outside_the_team_is_suppressed(
    client, programme, population, request, who, fmt
):
    actor = request.getfixturevalue(who)
    _login(client, actor)
    response = _export(client, programme, fmt, subproject=str(population["a"].pk))
    assert response.status_code == 200
    if fmt == "xlsx":
        _book, rows = _xlsx_rows(response)
        cells = {r[0]: r[2:] for r in rows[1:]}
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        cells = {r[0]: r[2:] for r in rows[1:]}
    else:
        cells = {k: list(v.values()) for k, v in json.loads(response.content).items()}
    # Sub-project A: women 7, men 3, non-binary 1, total 11.
    assert [str(v) for v in cells["total_participants"]] == ["7", "<5", "<5", "11"]
    for values in cells.values():
        assert not any(str(v) in {"1", "2", "3", "4"} for v in values)


def test_a_subproject_leader_gets_exact_numbers_for_their_own_subproject_only(
    client, programme, population, leader_a
):
    _login(client, leader_a)
    own = json.loads(_export(client, programme, "json", subproject=str(population["a"].pk)).content)
    assert own["total_participants"]["men"] == 3
    # Kommun A takes part in the programme: its leader is in the programme's team.
    whole = json.loads(_export(client, programme, "json").content)
    assert whole["total_participants"]["men"] == 3
    south = json.loads(
        _export(client, programme, "json", subproject=str(population["south"].pk)).content
    )
    assert south["total_participants"]["total"] == 0


def test_unknown_format_and_roles_without_programmes_get_404(client, programme, make_actor, orgs):
    kaa = make_actor(organisation=orgs["a"], role="kaa_coordinator")
    _login(client, kaa)
    assert _export(client, programme, "xlsx").status_code == 404
    assert client.get(f"/program/{programme.pk}/").status_code == 404


def test_suppression_text_is_shared():
    assert indicators.SUPPRESSED_TEXT == "färre än 5"


def test_names_like_formulas_stay_text_in_the_workbook(
    client, programme, population, region_leader
):
    """Issue 10: no export holds a live formula, whatever a programme is called."""
    type(programme).objects.filter(pk=programme.pk).update(name='=HYPERLINK("http://x/")')
    _login(client, region_leader)
    response = _export(client, programme, "xlsx")
    book, rows = _xlsx_rows(response)
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    about = {r[0].value: r[1] for r in book["Om rapporten"].iter_rows()}
    assert about["Program"].value == '\'=HYPERLINK("http://x/")'
    assert about["Program"].data_type == "s"
    assert rows[1] == ["total_participants", "Deltagare totalt", 9, 3, 1, 13]
    assert "no-store" in response["Cache-Control"]
