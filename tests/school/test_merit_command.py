"""``lotsen school merit``: reads a grade CSV, prints JSON or a table, or every error at once.

No database: the command reads a file and calls the pure module.
"""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lotsen.school.merit import (
    CSV_BAD_QUOTING,
    CSV_EMPTY_FILE,
    PROGRAMMES,
    VALUE_HIDDEN,
    assess,
)
from tests.school.test_merit import COMPULSORY

HEADER = "pupil,subject,grade\n"


def run(path: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("school", "merit", "--grades", str(path), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path, *extra: str) -> str:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("school", "merit", "--grades", str(path), *extra, stdout=out, stderr=err)
    assert out.getvalue() == ""
    return str(raised.value)


def write(tmp_path: Path, text: str, *, name: str = "betyg.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def rows(pupil: str, grades: dict[str, str], *, delimiter: str = ",") -> str:
    return "".join(f"{pupil}{delimiter}{s}{delimiter}{g}\n" for s, g in grades.items())


# Alva: all C and M2 A (16 × 15 + 20 = 260), eligible everywhere.
ALVA = {**dict.fromkeys(COMPULSORY, "C"), "M2": "A"}
# Bo: Swedish and English, four others (BI FY KE GE): programinriktat val only; needs
# matematik and one more subject for a vocational programme. 6 × 10 = 60.
BO = {"SV": "E", "EN": "E", "BI": "E", "FY": "E", "KE": "E", "GE": "E", "MA": "F"}


def expected_json(pupils: dict[str, dict[str, str]], basis: str = "final") -> list[dict]:
    result = []
    for pupil, grades in pupils.items():
        assessment = assess(grades=grades, basis=basis)
        result.append(
            {
                "pupil": pupil,
                "basis": basis,
                "merit_value": assessment.merit_value,
                "eligible": {k: assessment.eligibility[k].eligible for k in PROGRAMMES},
                "missing": {k: assessment.eligibility[k].missing.items() for k in PROGRAMMES},
                "reason": {k: assessment.eligibility[k].reason for k in PROGRAMMES},
            }
        )
    return result


def test_valid_file_prints_json_matching_the_module(tmp_path):
    # Rows interleaved: pupils still come out in first-appearance order.
    alva_rows = rows("Alva", ALVA).splitlines(keepends=True)
    bo_rows = rows("Bo", BO).splitlines(keepends=True)
    text = HEADER + alva_rows[0] + bo_rows[0] + "".join(alva_rows[1:] + bo_rows[1:])
    out, err = run(write(tmp_path, text))
    printed = json.loads(out)
    assert err == ""
    assert printed == expected_json({"Alva": ALVA, "Bo": BO})
    # Checked by hand, independently of the module.
    assert [p["pupil"] for p in printed] == ["Alva", "Bo"]
    assert printed[0]["merit_value"] == 260.0
    assert all(printed[0]["eligible"].values())
    assert printed[0]["missing"] == {key: [] for key in PROGRAMMES}
    assert printed[1]["merit_value"] == 60.0
    assert printed[1]["eligible"] == {key: key == "programinriktat_val" for key in PROGRAMMES}
    assert printed[1]["missing"]["yrkesprogram"] == ["matematik", "ett ämne till"]
    assert printed[1]["reason"]["yrkesprogram"] == "behöver godkänt i matematik och ett ämne till"


def test_semicolon_bom_crlf_and_extra_columns_are_accepted(tmp_path):
    text = "pupil;Subject;Grade;Termin\r\n" + "".join(
        f"Bo;{subject};{grade};VT\r\n" for subject, grade in BO.items()
    )
    out, _ = run(write(tmp_path, text, bom=True))
    assert json.loads(out) == expected_json({"Bo": BO})


def test_projected_basis_is_carried_into_the_output(tmp_path):
    out, _ = run(write(tmp_path, HEADER + rows("Bo", BO)), "--basis", "projected")
    assert json.loads(out) == expected_json({"Bo": BO}, basis="projected")


def test_header_only_gives_an_empty_list(tmp_path):
    out, _ = run(write(tmp_path, HEADER))
    assert json.loads(out) == []


def test_text_format_is_a_readable_table(tmp_path):
    path = write(tmp_path, HEADER + rows("Alva", ALVA) + rows("Bo", BO))
    out, _ = run(path, "--format", "text", "--basis", "projected")
    lines = out.splitlines()
    assert lines[0] == "Meritvärde och behörighet (prognos utifrån terminsbetyg)"
    assert lines[2].split()[:3] == ["Elev", "Meritvärde", "Yrkesprogram"]
    assert lines[3].split() == ["Alva", "260,0", *["ja"] * 8]
    assert lines[4].split() == ["Bo", "60,0", *["nej"] * 7, "ja"]
    assert "Bo, yrkesprogram: behöver godkänt i matematik och ett ämne till" in lines


BAD_FILES = [
    pytest.param(HEADER + "Alva,SV,A\nAlva,XX,B\n", "rad 3: okänt ämne 'XX'", id="unknown-subject"),
    pytest.param(
        HEADER + "Alva,SV,A\nAlva,EN,G\n",
        "rad 3: ogiltigt betyg 'G' (ska vara A, B, C, D, E, F eller - för streck)",
        id="bad-grade",
    ),
    pytest.param(
        HEADER + "Alva,SV,A\nAlva,EN,B\nAlva,sv,C\n",
        "rad 4: ämnet SV förekommer redan för samma elev på rad 2",
        id="duplicate-subject",
    ),
    pytest.param(HEADER + "Alva,SV,\n", "rad 2: kolumnen 'grade' är tom", id="empty-grade"),
    pytest.param(HEADER + ",SV,A\n", "rad 2: kolumnen 'pupil' är tom", id="empty-pupil"),
    pytest.param(HEADER + "Alva,SV\n", "rad 2: kolumnen 'grade' är tom", id="short-row"),
    pytest.param(
        HEADER + "Alva,SV,A,B\n", "rad 2: 4 fält, men rubrikraden har 3", id="too-many-fields"
    ),
    pytest.param(
        "pupil,subject\nAlva,SV\n",
        "rad 1: kolumnen 'grade' saknas (rubrikraden ska vara pupil,subject,grade)",
        id="missing-column",
    ),
    pytest.param(
        "Alva,SV,A\n",
        "rad 1: kolumnen 'pupil' saknas (rubrikraden ska vara pupil,subject,grade)",
        id="no-header-row",
    ),
    pytest.param(
        "pupil,subject,grade,grade\n",
        "rad 1: kolumnen 'grade' förekommer mer än en gång",
        id="duplicate-column",
    ),
    pytest.param("", CSV_EMPTY_FILE, id="empty-file"),
    pytest.param("\n  \n", CSV_EMPTY_FILE, id="blank-file"),
    # The detail after the colon is the csv module's own wording, which varies by version.
    pytest.param(
        HEADER + 'Alva,"SV"x,A\n',
        CSV_BAD_QUOTING.format(line=2, detail="").removesuffix(")"),
        id="bad-quoting",
    ),
]


@pytest.mark.parametrize(("text", "error"), BAD_FILES)
def test_bad_file_names_the_line_and_prints_nothing(tmp_path, text, error):
    message = run_failing(write(tmp_path, text))
    assert any(line.startswith(error) for line in message.splitlines())


def test_every_error_is_reported_at_once(tmp_path):
    text = HEADER + "Alva,SV,A\nAlva,XX,A\nBo,SV,G\nBo,EN,A\nAlva,SV,B\n\nCilla,MA,\n"
    message = run_failing(write(tmp_path, text))
    assert message.splitlines()[1:] == [
        "rad 3: okänt ämne 'XX'",
        "rad 4: ogiltigt betyg 'G' (ska vara A, B, C, D, E, F eller - för streck)",
        "rad 6: ämnet SV förekommer redan för samma elev på rad 2",
        "rad 8: kolumnen 'grade' är tom",
    ]
    assert message.splitlines()[0].startswith("4 fel i ")


def test_one_row_with_two_errors_reports_both(tmp_path):
    message = run_failing(write(tmp_path, HEADER + "Alva,XX,G\n"))
    assert "rad 2: okänt ämne 'XX'" in message.splitlines()
    assert "rad 2: ogiltigt betyg 'G' (ska vara A, B, C, D, E, F eller - för streck)" in (
        message.splitlines()
    )


def test_a_quoted_field_over_two_lines_is_named_by_its_first_line(tmp_path):
    message = run_failing(write(tmp_path, HEADER + 'Alva,SV,A\n"Bo\nBerg",XX,A\n'))
    assert "rad 3: okänt ämne 'XX'" in message.splitlines()


def test_identity_number_in_the_wrong_column_is_not_echoed(tmp_path):
    message = run_failing(write(tmp_path, HEADER + "SV,19990101-1234,A\n"))
    assert f"rad 2: okänt ämne {VALUE_HIDDEN}" in message.splitlines()
    assert "1234" not in message


def test_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "Alva,SV,A\nÅsa,SV,B\n").encode("latin-1"))
    assert "rad 3: filen är inte UTF-8" in run_failing(path).splitlines()


def test_missing_file_is_a_clear_error(tmp_path):
    message = run_failing(tmp_path / "finns-inte.csv")
    assert message.startswith("kan inte läsa filen ")


def test_school_requires_a_subcommand():
    with pytest.raises(CommandError):
        call_command("school", stdout=StringIO())


def test_command_line_exits_non_zero_with_errors_on_stderr_only(tmp_path):
    path = write(tmp_path, HEADER + "Alva,XX,A\nAlva,SV,G\n")
    lotsen = Path(sys.executable).parent / "lotsen"
    completed = subprocess.run(
        [str(lotsen), "school", "merit", "--grades", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode != 0
    assert completed.stdout == ""
    assert "rad 2: okänt ämne 'XX'" in completed.stderr
    assert "rad 3: ogiltigt betyg 'G'" in completed.stderr
