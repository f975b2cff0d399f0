"""The evaluation report says what was looked at (issue 14): this run's file by name, rows
and sha256, its seed and folds; the files and seeds the method was chosen on; and whether
the figures are on data the method never saw. Change the file or the seed, the statement
changes with it. Known directions (``--monotone``) are part of the command."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lotsen.earlywarning.evaluation_report import METHOD_CHOSEN_ON
from tests.earlywarning.test_learning import csv_bytes, synthetic


def _evaluate(path: Path, out: Path, *extra: str) -> dict:
    call_command(
        "signals", "evaluate",
        "--csv", str(path), "--target", "utfall", "--positive", "avbrott",
        "--audit", "kön", "ålder", "--exclude", "leak", "--folds", "3",
        "--out", str(out), *extra,
        stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    return json.loads((out / "metrics.json").read_text(encoding="utf-8"))


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "elever-2025.csv"
    path.write_bytes(csv_bytes(synthetic(), sep=";", bom=True))
    return path


def test_the_report_names_the_file_its_rows_sha256_and_the_seed(data_file, tmp_path):
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    rows = data_file.read_text(encoding="utf-8-sig").count("\n") - 1
    metrics = _evaluate(data_file, tmp_path / "a", "--seed", "3")

    this_run = metrics["provenance"]["this_run"]
    assert this_run == {
        "file": "elever-2025.csv", "rows": rows, "sha256": digest, "seeds": [3], "folds": 3,
    }  # fmt: skip
    assert metrics["provenance"]["held_out"] is True
    page = (tmp_path / "a" / "index.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Vad som har tittats på</h2>") :]
    for text in ("elever-2025.csv", digest, f">{rows}<", "användes inte när metoden valdes"):
        assert text in section
    for chosen in METHOD_CHOSEN_ON:
        assert (chosen["sha256"] or "–") in section

    # Another file and seed: the statement follows them.
    other = tmp_path / "elever-2026.csv"
    other.write_bytes(data_file.read_bytes() + data_file.read_bytes().splitlines(True)[1])
    again = _evaluate(other, tmp_path / "b", "--seed", "4")["provenance"]["this_run"]
    assert again["file"] == "elever-2026.csv" and again["rows"] == rows + 1
    assert again["seeds"] == [4] and again["sha256"] != digest


def test_a_file_the_method_was_chosen_on_is_not_called_held_out(data_file, tmp_path, monkeypatch):
    from lotsen.earlywarning import evaluation_report

    # The list of files looked at, as it would read had this file been one of them.
    digest = hashlib.sha256(data_file.read_bytes()).hexdigest()
    chosen = ({"file": data_file.name, "rows": None, "sha256": digest, "seeds": [0]},)
    monkeypatch.setattr(evaluation_report, "METHOD_CHOSEN_ON", chosen)
    metrics = _evaluate(data_file, tmp_path / "c")
    assert metrics["provenance"]["held_out"] is False
    page = (tmp_path / "c" / "index.html").read_text(encoding="utf-8")
    assert "inte på osedda data" in page


def test_known_directions_are_given_on_the_command_line(data_file, tmp_path):
    metrics = _evaluate(data_file, tmp_path / "d", "--monotone", "x0=+1", "--monotone", "x1=-1")
    assert metrics["n"] > 0
    with pytest.raises(CommandError, match="skriv NAMN=\\+1 eller NAMN=-1"):
        _evaluate(data_file, tmp_path / "e", "--monotone", "x0=upp")
