"""Merit value (meritvärde) and upper-secondary eligibility (gymnasiebehörighet) in year 9.

A pure domain module: no Django, no database. It takes a mapping subject code → grade for
one pupil and answers two questions a study and career counsellor asks: what is the merit
value, and which programmes is the pupil eligible for (and if not, what is missing)? The
same functions work on final grades and on the latest term grades; the latter is a
projection ("prognos"), and the ``basis`` flag carries that into the result so that the
interface can say so.

Rules and sources: ``domain/swedish-rules-and-sources.md`` §2.1 (merit value), §2.2
(national programmes) and §2.3 (introduction programme "programinriktat val"). No decided
change to these grade-9 rules was found for 2025–2027 (§2.4).

Not modelled here: block grades (SO/NO "blockbetyg", §2.1), aptitude tests for ES
("färdighetsprov", §2.2), the English waiver ("dispens engelska", §2.2), and requirements
of a programme's "särskild variant" (§2.2). Each needs a decision by a person or data that
a grade list does not hold.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# --- Grades -----------------------------------------------------------------------------

NO_GRADE = "-"
"""A "streck": the pupil has no grade because the teacher lacked grounds to grade. It counts
0 in the merit value and is not a pass (§2.1 lists the share with F or "-" together)."""

GRADE_POINTS: Mapping[str, float] = {
    "A": 20.0,
    "B": 17.5,
    "C": 15.0,
    "D": 12.5,
    "E": 10.0,
    "F": 0.0,
    NO_GRADE: 0.0,
}
PASSING_GRADES = frozenset({"A", "B", "C", "D", "E"})

# Lowest first. "-" and F are equal in value; "-" sorts first so that replacing it with F
# counts as "raising" a grade, which keeps the monotonicity properties simple to state.
GRADE_ORDER: tuple[str, ...] = (NO_GRADE, "F", "E", "D", "C", "B", "A")

# A streck is often typed with an en or em dash when grades pass through a word processor
# or a spreadsheet with autocorrect; both mean the same "no grade".
_DASHES = {"\u2013": NO_GRADE, "\u2014": NO_GRADE}

# --- Subjects ---------------------------------------------------------------------------

SUBJECT_NAMES: Mapping[str, str] = {
    "SV": "svenska",
    "SVA": "svenska som andraspråk",
    "EN": "engelska",
    "MA": "matematik",
    "BI": "biologi",
    "FY": "fysik",
    "KE": "kemi",
    "GE": "geografi",
    "HI": "historia",
    "RE": "religionskunskap",
    "SH": "samhällskunskap",
    "TK": "teknik",
    "BL": "bild",
    "HKK": "hem- och konsumentkunskap",
    "IDH": "idrott och hälsa",
    "MU": "musik",
    "SL": "slöjd",
    "ML": "modersmål",
    "M1": "moderna språk (elevens val)",
    "M2": "moderna språk (språkval)",
}
SUBJECT_CODES: tuple[str, ...] = tuple(SUBJECT_NAMES)

SWEDISH: tuple[str, ...] = ("SV", "SVA")
CORE_SUBJECTS: frozenset[str] = frozenset({"SV", "SVA", "EN", "MA"})
LANGUAGE_CHOICE = "M2"

# How a counsellor names the Swedish requirement when the grades do not tell which of the
# two subjects the pupil reads (neither graded, or both), as gymnasiestudera.se writes it.
SWEDISH_EITHER = "svenska/svenska som andraspråk"
ENGLISH_OR_MATHS = "engelska eller matematik"

# --- Programmes -------------------------------------------------------------------------

Programme = Literal["yrkesprogram", "EK", "HU", "SA", "NA", "TE", "ES", "programinriktat_val"]
PROGRAMMES: tuple[Programme, ...] = (
    "yrkesprogram",
    "EK",
    "HU",
    "SA",
    "NA",
    "TE",
    "ES",
    "programinriktat_val",
)
PROGRAMME_NAMES: Mapping[str, str] = {
    "yrkesprogram": "yrkesprogram",
    "EK": "ekonomiprogrammet",
    "HU": "humanistiska programmet",
    "SA": "samhällsvetenskapsprogrammet",
    "NA": "naturvetenskapsprogrammet",
    "TE": "teknikprogrammet",
    "ES": "estetiska programmet",
    "programinriktat_val": "programinriktat val",
}

Basis = Literal["final", "projected"]
BASES: tuple[Basis, ...] = ("final", "projected")
BASIS_LABELS: Mapping[str, str] = {
    "final": "slutbetyg",
    "projected": "prognos utifrån terminsbetyg",
}

MERIT_SUBJECT_COUNT = 16
MERIT_MAX = 340.0

# --- Messages ---------------------------------------------------------------------------

INVALID_GRADE = "ogiltigt betyg {value} (ska vara A, B, C, D, E, F eller - för streck)"
MISSING_GRADE = "betyg saknas"
UNKNOWN_SUBJECT = "okänt ämne {value}"
DUPLICATE_SUBJECT = "ämnet {subject} förekommer mer än en gång"
INVALID_BASIS = "okänd grund {value} (ska vara 'final' eller 'projected')"
VALUE_HIDDEN = "(värdet visas inte, det kan vara ett personnummer)"
REASON_ELIGIBLE = "behörig"

ROW_ERROR = "rad {line}: {message}"
CSV_EMPTY_FILE = "filen är tom: första raden ska vara rubrikraden pupil,subject,grade"
CSV_NOT_UTF8 = "rad {line}: filen är inte UTF-8"
CSV_MISSING_COLUMN = "rad 1: kolumnen '{column}' saknas (rubrikraden ska vara pupil,subject,grade)"
CSV_DUPLICATE_COLUMN = "rad 1: kolumnen '{column}' förekommer mer än en gång"
CSV_EMPTY_VALUE = "kolumnen '{column}' är tom"
CSV_TOO_MANY_FIELDS = "{found} fält, men rubrikraden har {expected}"
CSV_DUPLICATE_SUBJECT = "ämnet {subject} förekommer redan för samma elev på rad {first_line}"
CSV_BAD_QUOTING = "rad {line}: felaktig CSV ({detail})"

CSV_COLUMNS: tuple[str, ...] = ("pupil", "subject", "grade")


class MeritError(ValueError):
    """Grades that cannot be assessed; the message is Swedish and fit to show a user."""


class InvalidGrade(MeritError):
    pass


class UnknownSubject(MeritError):
    pass


class DuplicateSubject(MeritError):
    pass


class InvalidGradeFile(MeritError):
    """A grade file with errors. ``errors`` lists every one, each naming its line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = list(errors)


def _shown(value: str) -> str:
    # Values are echoed in error messages so that the user can find the bad cell. A value
    # with many digits may be a personal identity number put in the wrong column, and those
    # never appear in error messages (STYLE.md §5).
    if sum(character.isdigit() for character in value) >= 6:
        return VALUE_HIDDEN
    if len(value) > 20:
        value = value[:20] + "…"
    return f"'{value}'"


def parse_grade(*, text: str) -> str:
    """Return the grade in ``text`` as one of A–F or "-"; raise ``InvalidGrade`` otherwise."""
    cleaned = text.strip().upper()
    cleaned = _DASHES.get(cleaned, cleaned)
    if not cleaned:
        raise InvalidGrade(MISSING_GRADE)
    if cleaned not in GRADE_POINTS:
        raise InvalidGrade(INVALID_GRADE.format(value=_shown(text.strip())))
    return cleaned


def parse_subject(*, text: str) -> str:
    """Return the subject code in ``text`` (case-insensitive); raise ``UnknownSubject``."""
    cleaned = text.strip().upper()
    if cleaned not in SUBJECT_NAMES:
        raise UnknownSubject(UNKNOWN_SUBJECT.format(value=_shown(text.strip())))
    return cleaned


def grades_clean(*, grades: Mapping[str, str]) -> dict[str, str]:
    """Validate and normalise a mapping subject → grade (codes upper case, grades A–F/-)."""
    cleaned: dict[str, str] = {}
    for subject_text, grade_text in grades.items():
        subject = parse_subject(text=subject_text)
        if subject in cleaned:
            raise DuplicateSubject(DUPLICATE_SUBJECT.format(subject=subject))
        cleaned[subject] = parse_grade(text=grade_text)
    return cleaned


# --- Merit value ------------------------------------------------------------------------


def merit_value(*, grades: Mapping[str, str]) -> float:
    """The sum of the 16 best grades outside M2, plus the M2 grade when there is one.

    §2.1: "the sum of the 16 best grades, plus a 17th if the pupil has a pass grade in a
    modern language read as språkval", so at most 320 + 20 = 340. M2 is kept out of the 16
    and always added; when it is F or "-" it adds 0, which equals "not counted". A pupil
    with fewer than 16 grades gets the sum of what there is.
    """
    return merit_value_of_clean(grades=grades_clean(grades=grades))


def merit_value_of_clean(*, grades: Mapping[str, str]) -> float:
    """``merit_value`` of grades already cleaned by ``grades_clean`` (codes in
    ``SUBJECT_NAMES``, values in ``GRADE_POINTS``): for callers that hold clean grade sets
    and would otherwise clean every grade again (scoring builds thousands per second)."""
    pool = [
        GRADE_POINTS[grade]
        for subject, grade in grades.items()
        if subject != LANGUAGE_CHOICE and subject not in SWEDISH
    ]
    # Svenska and svenska som andraspråk are one slot in the merit value, as they are one
    # requirement for eligibility (§2.2 writes "sv/sva"). A pupil with grades in both (a
    # change of subject, a data error) gets the better one, never both.
    swedish = [GRADE_POINTS[grades[code]] for code in SWEDISH if code in grades]
    if swedish:
        pool.append(max(swedish))
    best = sorted(pool, reverse=True)[:MERIT_SUBJECT_COUNT]
    language_choice = GRADE_POINTS[grades[LANGUAGE_CHOICE]] if LANGUAGE_CHOICE in grades else 0.0
    return sum(best) + language_choice


# --- Eligibility ------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Missing:
    """What a pupil lacks for one programme, in the words a counsellor uses.

    ``core`` names missing core requirements (the Swedish subject, English, maths, or
    "engelska eller matematik" for programinriktat val); ``required`` names missing
    programme-specific subjects; ``further_subjects`` is how many more passed subjects of
    any kind are needed on top of those.
    """

    core: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    further_subjects: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.core and not self.required and self.further_subjects == 0

    def items(self) -> list[str]:
        """Short Swedish items, e.g. ``["matematik", "ett ämne till"]``."""
        items = [*self.core, *self.required]
        if self.further_subjects:
            items.append(_further_phrase(self.further_subjects))
        return items

    def sentence(self) -> str:
        """One Swedish sentence, e.g. "behöver godkänt i matematik och ett ämne till"."""
        if self.is_empty:
            return ""
        names = [*self.core, *self.required]
        if not names:
            return f"behöver godkänt i {_further_phrase(self.further_subjects)}"
        text = f"behöver godkänt i {_join_subjects(names)}"
        if self.further_subjects:
            # "samt" keeps the count apart from a list that already ends in "och".
            joiner = " samt " if len(names) > 1 else " och "
            text += joiner + _further_phrase(self.further_subjects)
        return text


@dataclass(frozen=True, kw_only=True)
class ProgrammeEligibility:
    eligible: bool
    missing: Missing
    reason: str


@dataclass(frozen=True, kw_only=True)
class Assessment:
    basis: Basis
    merit_value: float
    eligibility: dict[str, ProgrammeEligibility]

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS[self.basis]


@dataclass(frozen=True)
class _NationalRule:
    other_subjects: int
    required: tuple[str, ...] = ()


_SOCIAL_SCIENCES = ("GE", "HI", "RE", "SH")
_NATURAL_SCIENCES = ("BI", "FY", "KE")

# §2.2: sv/sva, en and ma, plus 5 other subjects (yrkesprogram) or 9 other subjects
# (högskoleförberedande), of which some are named per programme.
_NATIONAL_RULES: Mapping[str, _NationalRule] = {
    "yrkesprogram": _NationalRule(5),
    "EK": _NationalRule(9, _SOCIAL_SCIENCES),
    "HU": _NationalRule(9, _SOCIAL_SCIENCES),
    "SA": _NationalRule(9, _SOCIAL_SCIENCES),
    "NA": _NationalRule(9, _NATURAL_SCIENCES),
    "TE": _NationalRule(9, _NATURAL_SCIENCES),
    "ES": _NationalRule(9),
}

# §2.3: sv/sva, en and ma plus 3 other subjects, or sv/sva, en or ma plus 4 other subjects.
# Both alternatives come to the same thing: Swedish, at least one of English and maths, and
# six passed subjects in all. (Both en and ma: 3 + 3 others = 6; one of them: 2 + 4 = 6.)
_INTRODUCTION_TOTAL_SUBJECTS = 6

_NUMBER_WORDS: Mapping[int, str] = {
    1: "ett",
    2: "två",
    3: "tre",
    4: "fyra",
    5: "fem",
    6: "sex",
    7: "sju",
    8: "åtta",
    9: "nio",
}


def _further_phrase(count: int) -> str:
    if count == 1:
        return "ett ämne till"
    return f"{_NUMBER_WORDS.get(count, str(count))} ämnen till"


def _join_subjects(names: list[str]) -> str:
    # An either-or item after the first gets its own "i", so that "svenska och i engelska
    # eller matematik" cannot be read as "(svenska och engelska) eller matematik".
    parts = [names[0]] + [f"i {name}" if " eller " in name else name for name in names[1:]]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " och " + parts[-1]


def _swedish_name(grades: Mapping[str, str]) -> str:
    # Name the subject the pupil actually reads when the grades tell which one it is.
    has_sv, has_sva = "SV" in grades, "SVA" in grades
    if has_sv and not has_sva:
        return SUBJECT_NAMES["SV"]
    if has_sva and not has_sv:
        return SUBJECT_NAMES["SVA"]
    return SWEDISH_EITHER


def _result(missing: Missing) -> ProgrammeEligibility:
    eligible = missing.is_empty
    return ProgrammeEligibility(
        eligible=eligible,
        missing=missing,
        reason=REASON_ELIGIBLE if eligible else missing.sentence(),
    )


def eligibility(*, grades: Mapping[str, str]) -> dict[str, ProgrammeEligibility]:
    """Eligibility per programme type, keyed as ``PROGRAMMES``, with what is missing.

    ``programinriktat_val`` answers whether the grades meet that programme's requirements.
    Being admitted to it also requires lacking eligibility for the national programme it
    leads to (https://www.kungsbacka.se/Utbildning-och-barnomsorg/Gymnasieskolor/Val-och-antagning/Behorighet/
    ; not in the rules document), which depends on the pupil's aim: the counsellor knows
    that, the grades do not. Answering on grades alone also keeps every eligibility
    monotone in the grades.
    """
    cleaned = grades_clean(grades=grades)
    passed = {subject for subject, grade in cleaned.items() if grade in PASSING_GRADES}
    swedish_passed = any(code in passed for code in SWEDISH)
    # "Other subjects" are every passed subject outside sv, sva, en and ma, so a pupil with
    # passes in both sv and sva counts one Swedish and no extra subject. M2 (språkval) is
    # one of them: §2.2 lists no exception, and its source for yrkesprogram
    # (gymnasiestudera.se) says "minst betyget E i fem valfria ämnen" – any subjects.
    others = passed - CORE_SUBJECTS

    missing_core = []
    if not swedish_passed:
        missing_core.append(_swedish_name(cleaned))
    missing_core += [SUBJECT_NAMES[code] for code in ("EN", "MA") if code not in passed]

    results: dict[str, ProgrammeEligibility] = {}
    for programme, rule in _NATIONAL_RULES.items():
        missing_required = [SUBJECT_NAMES[code] for code in rule.required if code not in others]
        further = rule.other_subjects - len(others) - len(missing_required)
        results[programme] = _result(
            Missing(
                core=tuple(missing_core),
                required=tuple(missing_required),
                further_subjects=max(0, further),
            )
        )

    introduction_core = []
    if not swedish_passed:
        introduction_core.append(_swedish_name(cleaned))
    if "EN" not in passed and "MA" not in passed:
        introduction_core.append(ENGLISH_OR_MATHS)
    total = len(others) + swedish_passed + ("EN" in passed) + ("MA" in passed)
    further = _INTRODUCTION_TOTAL_SUBJECTS - total - len(introduction_core)
    results["programinriktat_val"] = _result(
        Missing(core=tuple(introduction_core), further_subjects=max(0, further))
    )
    return {programme: results[programme] for programme in PROGRAMMES}


def assess(*, grades: Mapping[str, str], basis: Basis) -> Assessment:
    """Merit value and eligibility for one pupil.

    ``basis`` says what the grades are: "final" (slutbetyg) or "projected" (the latest term
    grades, so the result is a prognosis). The rules are the same; the flag is carried into
    the result so that no one mistakes a prognosis for a final result.
    """
    if basis not in BASES:
        raise MeritError(INVALID_BASIS.format(value=_shown(str(basis))))
    return Assessment(
        basis=basis,
        merit_value=merit_value(grades=grades),
        eligibility=eligibility(grades=grades),
    )


# --- Grade files ------------------------------------------------------------------------


def grades_read_csv(*, data: bytes) -> dict[str, dict[str, str]]:
    """Read a CSV with the columns pupil, subject, grade into pupil → {subject: grade}.

    Pupils come in first-appearance order. The header row is required; UTF-8 with or without
    a BOM; the delimiter is "," unless the header has ";" and no "," (a spreadsheet with a
    Swedish locale saves with ";"). Extra columns are ignored and blank lines skipped. Every
    error in the file is collected before raising ``InvalidGradeFile``, so the user can fix
    them all in one go.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidGradeFile([CSV_NOT_UTF8.format(line=line)]) from error
    if not text.strip():
        raise InvalidGradeFile([CSV_EMPTY_FILE])

    header_line = text.splitlines()[0]
    delimiter = ";" if ";" in header_line and "," not in header_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    errors: list[str] = []
    pupils: dict[str, dict[str, str]] = {}
    first_lines: dict[tuple[str, str], int] = {}
    try:
        header = [name.strip().lower() for name in next(reader)]
        for column in CSV_COLUMNS:
            if column not in header:
                errors.append(CSV_MISSING_COLUMN.format(column=column))
            elif header.count(column) > 1:
                errors.append(CSV_DUPLICATE_COLUMN.format(column=column))
        if errors:
            raise InvalidGradeFile(errors)
        index = {column: header.index(column) for column in CSV_COLUMNS}

        previous_end = reader.line_num
        for row in reader:
            # A quoted field may span lines; name the line where the row starts.
            line, previous_end = previous_end + 1, reader.line_num
            if not any(field.strip() for field in row):
                continue
            row_errors, pupil, subject, grade = _row_parse(row=row, width=len(header), index=index)
            if pupil and subject:
                first_line = first_lines.setdefault((pupil, subject), line)
                if first_line != line:
                    row_errors.append(
                        CSV_DUPLICATE_SUBJECT.format(subject=subject, first_line=first_line)
                    )
            if row_errors:
                errors += [ROW_ERROR.format(line=line, message=m) for m in row_errors]
            elif pupil and subject and grade:
                pupils.setdefault(pupil, {})[subject] = grade
    except csv.Error as error:
        errors.append(CSV_BAD_QUOTING.format(line=reader.line_num, detail=error))
    if errors:
        raise InvalidGradeFile(errors)
    return pupils


def _row_parse(
    *, row: list[str], width: int, index: Mapping[str, int]
) -> tuple[list[str], str | None, str | None, str | None]:
    """Errors in one data row, and its pupil, subject and grade (None where not valid)."""
    errors: list[str] = []
    if len(row) > width:
        errors.append(CSV_TOO_MANY_FIELDS.format(found=len(row), expected=width))
    values = {
        column: row[index[column]].strip() if index[column] < len(row) else ""
        for column in CSV_COLUMNS
    }
    for column, value in values.items():
        if not value:
            errors.append(CSV_EMPTY_VALUE.format(column=column))
    pupil = values["pupil"] or None
    subject = grade = None
    if values["subject"]:
        try:
            subject = parse_subject(text=values["subject"])
        except UnknownSubject as error:
            errors.append(str(error))
    if values["grade"]:
        try:
            grade = parse_grade(text=values["grade"])
        except InvalidGrade as error:
            errors.append(str(error))
    return errors, pupil, subject, grade
