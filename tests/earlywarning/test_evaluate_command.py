"""``lotsen signals evaluate``: one JSON object on stdout, an HTML report and metrics.json.

No database: the command reads a file and calls the pure pipeline. The last test runs the
real UCI dropout file from ``../shared/data`` when it is there.
"""

from __future__ import annotations

import hashlib
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lotsen.earlywarning.learning import COLUMN_UNKNOWN, DEFAULT_CASELOAD, DEFAULT_FOLDS, ROLE_AUDIT
from lotsen.earlywarning.management.commands import signals as command
from tests.earlywarning.test_learning import csv_bytes, synthetic

UCI_DROPOUT = Path(__file__).parents[2].parent / "shared" / "data" / "uci_dropout.csv"
UCI_AUDIT = ["Gender", "Nacionality", "International", "Age at enrollment", "Marital status"]


def run(*args: str) -> tuple[dict, str]:
    out, err = StringIO(), StringIO()
    call_command("signals", "evaluate", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def run_failing(*args: str) -> str:
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("signals", "evaluate", *args, stdout=out, stderr=StringIO())
    assert out.getvalue() == ""
    return str(raised.value)


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    columns = synthetic()
    # Term-1 columns for a second stage, named by a common prefix.
    columns["T1 x0"] = columns.pop("x0")
    columns["T1 x1"] = columns.pop("x1")
    path = tmp_path / "elever.csv"
    path.write_bytes(csv_bytes(columns, sep=";", bom=True))
    return path


def test_evaluate_prints_one_json_object_and_writes_the_report(data_file, tmp_path):
    out_dir = tmp_path / "rapport"
    result, err = run(
        "--csv", str(data_file),
        "--target", "utfall",
        "--positive", "avbrott",
        "--audit", "kön", "ålder",
        "--exclude", "leak",
        "--folds", "3",
        "--stage", "start=",
        "--stage", "termin1=T1 ",
        "--derive", "kvot=[T1 x0]/[x2]",
        "--out", str(out_dir),
    )  # fmt: skip
    for key in ("roc_auc", "pr_auc", "brier", "accuracy"):
        assert isinstance(result[key], float) and 0 <= result[key] <= 1
    assert result["roc_auc"] > 0.75
    assert result["n"] == 600 and isinstance(result["positives"], int)
    assert set(result["model"]) == {"name", "version"}
    assert "lightgbm" in result["model"]["version"]
    assert set(result["features"]) == {"x2", "x3", "kurs", "T1 x0", "T1 x1", "kvot"}
    point = result["operating_point"]
    assert {"threshold", "precision", "recall", "caseload"} <= set(point)
    assert point["caseload"] <= 0.2
    assert set(result["groups"]) == {"kön", "ålder"}
    for by_value in result["groups"].values():
        for group in by_value.values():
            assert isinstance(group["n"], int)
            for key in ("recall", "precision", "fpr"):
                assert group[key] is None or 0 <= group[key] <= 1
    assert list(result["stages"]) == ["start", "termin1"]
    assert result["stages"]["start"]["features"] == 3
    assert result["stages"]["termin1"]["roc_auc"] > result["stages"]["start"]["roc_auc"]
    assert "start: 3 prediktorer" in err

    # The file holds the printed result and what the run looked at (its provenance).
    written = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))
    looked_at = written.pop("provenance")
    assert written == result
    this_run = looked_at["this_run"]
    assert (this_run["file"], this_run["rows"], this_run["folds"]) == (data_file.name, 600, 3)
    assert this_run["sha256"] == hashlib.sha256(data_file.read_bytes()).hexdigest()
    assert looked_at["held_out"] is True
    html = (out_dir / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in html
    # The method's model card and impact-assessment draft, written from this evaluation.
    card = (out_dir / "modellkort.html").read_text(encoding="utf-8")
    assert "kön (bara i rättvisegranskningen)" in card and "600 rader" in card
    assert (out_dir / "konsekvensbedomning.odt").stat().st_size > 1000
    svgs = re.findall(r"<svg .*?</svg>", html, flags=re.DOTALL)
    assert len(svgs) >= 5  # ROC, PR, calibration, one per audit column
    for svg in svgs:
        assert 'role="img"' in svg and "<title " in svg and "<desc " in svg
    assert html.count("<table>") >= len(svgs)
    assert 'scope="col"' in html and 'scope="row"' in html
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


def test_without_out_nothing_is_written_and_stages_are_absent(data_file, tmp_path):
    result, _ = run(
        "--csv", str(data_file), "--target", "utfall", "--positive", "avbrott",
        "--exclude", "leak", "kön", "ålder", "--folds", "3", "--caseload", "0.1",
    )  # fmt: skip
    assert "stages" not in result
    assert result["groups"] == {}
    assert result["operating_point"]["caseload"] <= 0.1
    assert not (tmp_path / "rapport").exists()


def test_stages_as_json(data_file):
    result, _ = run(
        "--csv", str(data_file), "--target", "utfall", "--positive", "avbrott",
        "--exclude", "leak", "--audit", "kön", "ålder", "--folds", "3", "--sep", ";",
        "--stages", '{"start": "", "termin1": ["T1 "]}',
    )  # fmt: skip
    assert [stage["features"] for stage in result["stages"].values()] == [3, 5]


def test_bad_input_is_a_clear_error_and_nothing_on_stdout(data_file):
    message = run_failing(
        "--csv", str(data_file), "--target", "utfall", "--positive", "avbrott",
        "--audit", "kon",
    )  # fmt: skip
    assert message.startswith(COLUMN_UNKNOWN.format(role=ROLE_AUDIT, column="kon", columns=""))
    assert "kan inte läsa filen" in run_failing(
        "--csv", str(data_file.with_name("saknas.csv")), "--target", "a", "--positive", "b"
    )
    assert "--stages" in run_failing(
        "--csv", str(data_file), "--target", "utfall", "--positive", "avbrott",
        "--stages", "[1, 2",
    )  # fmt: skip


def test_command_defaults_are_the_pipeline_defaults():
    # The command keeps its own copy so other subcommands start without the ML libraries.
    assert command.EVALUATE_FOLDS == DEFAULT_FOLDS
    assert command.EVALUATE_CASELOAD == DEFAULT_CASELOAD


def test_signals_needs_a_subcommand():
    with pytest.raises(CommandError):
        call_command("signals", stdout=StringIO(), stderr=StringIO())


def test_uci_dropout_reaches_the_reference_quality(tmp_path):
    if not UCI_DROPOUT.exists():
        pytest.skip(f"{UCI_DROPOUT} saknas: den delade datamappen finns inte på den här maskinen")
    result, _ = run(
        "--csv", str(UCI_DROPOUT),
        "--target", "Target",
        "--positive", "Dropout",
        "--audit", *UCI_AUDIT,
        "--out", str(tmp_path / "uci"),
    )  # fmt: skip
    assert result["n"] == 4424 and result["positives"] == 1421
    assert result["folds"] == 5 and result["operating_point"]["caseload_target"] == 0.2
    assert not set(UCI_AUDIT) & set(result["features"])
    assert len(result["features"]) == 31
    assert result["roc_auc"] >= 0.92
    assert result["operating_point"]["precision"] > 0.85
    assert set(result["groups"]) == set(UCI_AUDIT)
