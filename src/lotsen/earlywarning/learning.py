"""Learned early-warning risk: one pipeline from a tabular file to evaluated, explained risks.

The same code evaluates on any CSV (public datasets, a municipality's own outcome history)
and will later score pupils, so what is measured is what runs. No Django here: the
``lotsen signals`` command and, later, the scoring service call these functions.

The steps, in order:

1. ``table_read_csv`` reads UTF-8 (with or without BOM), any line ends, a separator given or
   detected, and strips header names and values.
2. ``dataset_prepare`` splits the columns by role. The target is never a feature; audit
   columns (protected characteristics such as gender or country of birth) are never
   features, they only go into the fairness audit; excluded columns are dropped entirely.
   The rest become numeric or categorical features; constant and identifier-like columns are
   ignored with a stated reason. Derived features (``--derive``) are arithmetic on numeric
   columns, such as a pass rate.
3. ``RiskModel``: the average, in log-odds, of a gradient-boosted tree model (LightGBM) and
   a logistic regression with one-hot encoded codes, calibrated with Platt scaling on
   out-of-fold scores inside the training data (``CalibratedClassifierCV``).
4. ``evaluate`` runs stratified k-fold cross-validation, so every row is scored by a model
   that never saw it, and computes ROC-AUC, PR-AUC, Brier score, accuracy, the operating
   point for the caseload staff can follow up, and the per-group fairness audit at that
   operating point. With feature stages (what is known at enrolment, after term 1, ...)
   it repeats the evaluation per stage on the same folds.
5. ``explain`` says, for one row, which features pushed the risk up most.

Hyperparameters are fixed constants below, chosen once; nothing is tuned on the folds that
are scored.
"""

from __future__ import annotations

import ast
import csv
import io
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import lightgbm
import numpy as np
import sklearn
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    log_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from lotsen.earlywarning.fairness import MISSING_GROUP, gaps_find, group_metrics, rates
from lotsen.ingest.csvfile import MAX_FILE_BYTES, csv_value_problem

MODEL_NAME = "lotsen-risk: LightGBM + logistisk regression, Platt-kalibrerad"
MODEL_REVISION = "1"

# The share of pupils staff can follow up. 20 % is a common first setting for an early-warning
# list: a mentor team can talk to one pupil in five during a term. Each deployment sets its own.
DEFAULT_CASELOAD = 0.2
DEFAULT_FOLDS = 5

# Fixed hyperparameters, never tuned on the folds being scored: a small, slow-learning,
# subsampled tree model (common settings for a few thousand rows, set before any run) and a
# moderately regularised logistic regression (C picked once among 0.03, 0.1 and 0.3 on the UCI
# file; other seeds' folds, never looked at while choosing, give the same quality).
LGBM_PARAMS: dict[str, Any] = {
    "n_estimators": 400,
    "learning_rate": 0.02,
    "num_leaves": 15,
    "min_child_samples": 20,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.5,
    "reg_lambda": 1.0,
}
LOGREG_C = 0.3
CALIBRATION_FOLDS = 3
# Integer columns with at most this many distinct values (course codes, parents' occupation,
# counts of courses) get one indicator per frequent value in the logistic regression, next to
# their linear term: codes are usually nominal, and counts often matter most at zero.
ONE_HOT_MAX_LEVELS = 64
ONE_HOT_MIN_FREQUENCY = 10
# Audit columns with more distinct numeric values than this (age, say) are cut into this many
# groups of about equal size, so each group is large enough to say something.
AUDIT_MAX_GROUPS = 6

NUMERIC = "numeric"
CATEGORICAL = "categorical"
DERIVED = "derived"

SEPARATORS = (";", ",", "\t", "|")
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})

# Errors are module constants so tests can assert the exact text. Swedish: they reach the
# person running the command.
CSV_NOT_UTF8 = "rad {line}: filen är inte UTF-8"
CSV_TOO_LARGE = "filen är större än {limit} MB"
CSV_BAD_VALUE = "rad {line}, fält {position}: {reason}"
CSV_EMPTY = "rad 1: filen är tom"
CSV_BAD_SEPARATOR = "ogiltig avgränsare {sep!r}: ange ett enda tecken"
CSV_ONE_COLUMN = "rubrikraden har bara en kolumn: fel avgränsare? Ange den med --sep"
CSV_EMPTY_HEADER = "kolumn {position} i rubrikraden saknar namn"
CSV_DUPLICATE_HEADER = "kolumnen {column!r} förekommer mer än en gång i rubrikraden"
CSV_RAGGED = "rad {line}: {found} fält, rubrikraden har {expected}"
CSV_BAD_QUOTING = "rad {line}: {reason}"
CSV_NO_ROWS = "rad {line}: filen har en rubrikrad men inga datarader"
CSV_ERRORS = "{count} fel i filen (de första visas):\n{errors}"
COLUMN_UNKNOWN = "{role}: kolumnen {column!r} finns inte i filen. Kolumner: {columns}"
COLUMN_TWO_ROLES = "kolumnen {column!r} kan inte vara både {first} och {second}"
TARGET_EMPTY = "rad {lines}: målkolumnen {target!r} är tom"
TARGET_VALUE_UNKNOWN = "värdet {positive!r} finns inte i målkolumnen {target!r}. Värden: {values}"
TARGET_ONE_CLASS = "alla rader har samma utfall: det finns inget att skilja"
TOO_FEW_PER_CLASS = (
    "för få rader per utfall för {folds}-faldig korsvalidering: {positives} positiva och "
    "{negatives} övriga, minst {minimum} av varje behövs"
)
FOLDS_TOO_FEW = "antalet folds måste vara minst 2, inte {folds}"
CASELOAD_RANGE = "andelen som följs upp (--caseload) måste vara mellan 0 och 1, inte {caseload}"
NO_FEATURES = "inga kolumner kvar att använda som prediktorer"
DERIVE_FORMAT = "härledd prediktor {spec!r}: skriv NAMN=UTTRYCK, t.ex. 'kvot=[a]/[b]'"
DERIVE_NAME_TAKEN = "härledd prediktor {name!r}: namnet används redan av en kolumn"
DERIVE_SYNTAX = (
    "härledd prediktor {name!r}: bara [kolumn], tal, + - * / och parenteser tillåts ({reason})"
)
DERIVE_NO_COLUMN = "härledd prediktor {name!r}: uttrycket nämner ingen kolumn"
DERIVE_NOT_NUMERIC = "härledd prediktor {name!r}: kolumnen {column!r} är inte numerisk"
DERIVE_FORBIDDEN = "härledd prediktor {name!r}: kolumnen {column!r} är {role} och får inte användas"
MONOTONE_FORMAT = "monoton {spec!r}: skriv NAMN=+1 eller NAMN=-1"
MONOTONE_NOT_NUMERIC = "monoton: {column!r} är ingen numerisk prediktor i filen"
MONOTONE_DIRECTION = "monoton: riktningen för {column!r} ska vara +1 eller -1, inte {direction!r}"
STAGE_FORMAT = "steg {spec!r}: skriv NAMN=PREFIX (PREFIX får vara tomt)"
STAGE_DUPLICATE = "steget {name!r} förekommer två gånger"
STAGE_EMPTY = "steget {name!r} lägger inte till någon kolumn"
STAGE_UNCLAIMED = (
    "kolumnerna {columns} hör inte till något steg: ge det första steget ett tomt prefix "
    "(t.ex. 'inskrivning=') så tar det alla kolumner som inget senare steg tar"
)

ROLE_TARGET = "målkolumn"
ROLE_AUDIT = "granskningskolumn"
ROLE_EXCLUDED = "utesluten"

IGNORED_EMPTY = "tom på alla rader"
IGNORED_CONSTANT = "samma värde på alla rader"
IGNORED_IDENTIFIER = "ser ut som en identitet (nästan alla värden unika)"


class InvalidInput(ValueError):
    """Bad input from the person running the pipeline; the message says what and where."""


# --- Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A CSV file as text: stripped header names, stripped values, source line numbers."""

    columns: list[str]
    rows: list[list[str]]
    lines: list[int]
    separator: str

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def table_read_csv(*, data: bytes, sep: str | None = None) -> Table:
    """Read a CSV file. Every structural error in the file is reported at once."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(CSV_TOO_LARGE.format(limit=MAX_FILE_BYTES // 2**20))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = len(data[: error.start].splitlines()) or 1
        raise InvalidInput(CSV_NOT_UTF8.format(line=line)) from None
    if not text.strip():
        raise InvalidInput(CSV_EMPTY)
    if sep is not None and len(sep) != 1:
        raise InvalidInput(CSV_BAD_SEPARATOR.format(sep=sep))
    separator = sep or separator_detect(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    errors: list[str] = []
    try:
        for record in reader:
            if not any(value.strip() for value in record):
                continue
            line = reader.line_num
            # The same checks on every value as the import reader: bounded length, no
            # control characters (NUL and the like).
            value_errors = [
                CSV_BAD_VALUE.format(line=line, position=position, reason=reason)
                for position, value in enumerate(record, start=1)
                if (reason := csv_value_problem(value, multiline=True))
            ]
            if value_errors:
                errors.extend(value_errors)
                if header is None:
                    break
                continue
            values = [value.strip() for value in record]
            if header is None:
                header, header_line = values, line
                continue
            if len(values) != len(header):
                errors.append(
                    CSV_RAGGED.format(line=reader.line_num, found=len(values), expected=len(header))
                )
                continue
            rows.append(values)
            lines.append(reader.line_num)
    except csv.Error as error:
        errors.append(CSV_BAD_QUOTING.format(line=reader.line_num, reason=error))
    if header is None and errors:
        raise InvalidInput(CSV_ERRORS.format(count=len(errors), errors="\n".join(errors[:20])))
    if header is None:
        raise InvalidInput(CSV_EMPTY)
    if len(header) == 1:
        raise InvalidInput(CSV_ONE_COLUMN)
    for position, name in enumerate(header, start=1):
        if not name:
            errors.insert(0, CSV_EMPTY_HEADER.format(position=position))
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    errors[:0] = [CSV_DUPLICATE_HEADER.format(column=name) for name in duplicates]
    if errors:
        raise InvalidInput(CSV_ERRORS.format(count=len(errors), errors="\n".join(errors[:20])))
    if not rows:
        raise InvalidInput(CSV_NO_ROWS.format(line=header_line + 1))
    return Table(columns=header, rows=rows, lines=lines, separator=separator)


def separator_detect(text: str) -> str:
    """The separator that splits the first lines into the same number (> 1) of fields.

    Ties go to the one giving the most fields; when no candidate is consistent (a quoted
    field with a line break in the sample, say), the one splitting the header most wins.
    """
    sample = [line for line in text.splitlines()[:20] if line.strip()]
    consistent: list[tuple[int, int, str]] = []
    header_counts: list[tuple[int, int, str]] = []
    for preference, candidate in enumerate(reversed(SEPARATORS)):
        try:
            counts = [len(row) for row in csv.reader(sample, delimiter=candidate)]
        except csv.Error:
            # A line the csv module cannot read at all: table_read_csv reports it.
            counts = [0]
        header_counts.append((counts[0], preference, candidate))
        if counts[0] > 1 and len(set(counts)) == 1:
            consistent.append((counts[0], preference, candidate))
    return max(consistent or header_counts)[2]


# --- Preparing features ----------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """One model input. Categorical values become their index in ``levels``."""

    name: str
    kind: str
    levels: tuple[str, ...] = ()
    expression: str = ""
    sources: tuple[str, ...] = ()
    # The direction known before looking at any data: +1, a higher value never lowers the
    # risk (more absence); -1, never raises it (a higher merit value); 0, not known.
    monotone: int = 0


@dataclass(frozen=True)
class Dataset:
    """Features as a float matrix (missing = NaN), the 0/1 target and the audit columns."""

    X: np.ndarray
    y: np.ndarray
    features: list[Feature]
    target: str
    positive: str
    audit: dict[str, list[str]]
    excluded: list[str]
    ignored: dict[str, str]
    decimal_comma: bool
    stages: dict[str, list[str]] | None = None

    @property
    def feature_names(self) -> list[str]:
        return [feature.name for feature in self.features]


def dataset_prepare(
    *,
    table: Table,
    target: str,
    positive: str,
    exclude: Sequence[str] = (),
    audit: Sequence[str] = (),
    derive: Sequence[tuple[str, str]] = (),
    stages: Sequence[tuple[str, str | Sequence[str]]] | None = None,
    monotone: Mapping[str, int] | None = None,
) -> Dataset:
    """Split the table's columns by role and turn the feature columns into numbers.

    ``derive`` holds (name, expression) pairs; ``stages`` holds (name, prefix) pairs in time
    order (see ``stages_assign``); ``monotone`` maps a numeric feature to the direction
    known for it (+1 or -1, see ``Feature.monotone``).
    """
    roles: dict[str, str] = {}
    for role, names in ((ROLE_TARGET, [target]), (ROLE_AUDIT, audit), (ROLE_EXCLUDED, exclude)):
        for name in names:
            if name not in table.columns:
                raise InvalidInput(
                    COLUMN_UNKNOWN.format(
                        role=role, column=name, columns=", ".join(map(repr, table.columns))
                    )
                )
            if name in roles and roles[name] != role:
                raise InvalidInput(
                    COLUMN_TWO_ROLES.format(column=name, first=roles[name], second=role)
                )
            roles[name] = role

    y = _target_vector(table=table, target=target, positive=positive)
    decimal_comma = table.separator != ","
    features: list[Feature] = []
    ignored: dict[str, str] = {}
    for name in table.columns:
        if name in roles:
            continue
        feature, reason = _feature_infer(name, table.column(name), decimal_comma)
        if feature is None:
            ignored[name] = reason
        else:
            features.append(feature)
    for name, expression in derive:
        features.append(
            _derived_feature(name=name, expression=expression, table=table, roles=roles)
        )
    if not features:
        raise InvalidInput(NO_FEATURES)
    features = _with_directions(features, monotone or {})
    raw = {name: table.column(name) for name in table.columns}
    X = features_matrix(features=features, columns=raw, decimal_comma=decimal_comma)
    return Dataset(
        X=X,
        y=y,
        features=features,
        target=target,
        positive=positive,
        audit={name: table.column(name) for name in audit},
        excluded=list(exclude),
        ignored=ignored,
        decimal_comma=decimal_comma,
        stages=stages_assign(stages=stages, features=features) if stages else None,
    )


def monotone_parse(spec: str) -> tuple[str, int]:
    """'NAME=+1' or 'NAME=-1' (the command's ``--monotone``)."""
    name, sep, direction = spec.rpartition("=")
    if not sep or not name.strip() or direction.strip() not in ("+1", "1", "-1"):
        raise InvalidInput(MONOTONE_FORMAT.format(spec=spec))
    return name.strip(), -1 if direction.strip() == "-1" else 1


def _with_directions(features: list[Feature], monotone: Mapping[str, int]) -> list[Feature]:
    by_name = {f.name: f for f in features}
    for name, direction in monotone.items():
        feature = by_name.get(name)
        if feature is None or feature.kind == CATEGORICAL:
            raise InvalidInput(MONOTONE_NOT_NUMERIC.format(column=name))
        if direction not in (-1, 1):
            raise InvalidInput(MONOTONE_DIRECTION.format(column=name, direction=direction))
    return [replace(f, monotone=int(monotone.get(f.name, 0))) for f in features]


def _target_vector(*, table: Table, target: str, positive: str) -> np.ndarray:
    values = table.column(target)
    empty = [line for line, value in zip(table.lines, values, strict=True) if not value]
    if empty:
        shown = ", ".join(map(str, empty[:10])) + (" …" if len(empty) > 10 else "")
        raise InvalidInput(TARGET_EMPTY.format(lines=shown, target=target))
    if positive not in values:
        shown = ", ".join(repr(value) for value in sorted(set(values))[:20])
        raise InvalidInput(
            TARGET_VALUE_UNKNOWN.format(positive=positive, target=target, values=shown)
        )
    y = np.array([value == positive for value in values], dtype=int)
    if y.min() == y.max():
        raise InvalidInput(TARGET_ONE_CLASS)
    return y


def _is_missing(value: str) -> bool:
    return value.lower() in MISSING_TOKENS


def _number(value: str, decimal_comma: bool) -> float:
    """A float, or ValueError. With ';' or tab separators '1,5' is one and a half."""
    if decimal_comma and "," in value and "." not in value:
        value = value.replace(",", ".")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _numbers(values: Sequence[str], decimal_comma: bool) -> np.ndarray | None:
    """The values as floats (missing = NaN), or None if any value is not a number."""
    out = np.full(len(values), np.nan)
    for index, value in enumerate(values):
        if _is_missing(value):
            continue
        try:
            out[index] = _number(value, decimal_comma)
        except ValueError:
            return None
    return out


def _feature_infer(
    name: str, values: Sequence[str], decimal_comma: bool
) -> tuple[Feature | None, str]:
    present = [value for value in values if not _is_missing(value)]
    if not present:
        return None, IGNORED_EMPTY
    distinct = set(present)
    if len(distinct) == 1:
        return None, IGNORED_CONSTANT
    numbers = _numbers(values, decimal_comma)
    if numbers is not None:
        known = numbers[~np.isnan(numbers)]
        # A running number or a personal id: unique integers on every row carry no
        # signal that generalises, only the order the file happened to be written in.
        integers = bool(np.all(known == np.round(known)))
        if len(known) >= 50 and integers and len(np.unique(known)) == len(known):
            return None, IGNORED_IDENTIFIER
        return Feature(name=name, kind=NUMERIC), ""
    if len(present) >= 50 and len(distinct) > 0.5 * len(present):
        return None, IGNORED_IDENTIFIER
    return Feature(name=name, kind=CATEGORICAL, levels=tuple(sorted(distinct))), ""


_COLUMN_REFERENCE = re.compile(r"\[([^\[\]]+)\]")
_BINARY = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply}
_ALLOWED_NODES = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.USub,
    ast.UAdd,
)


def derive_parse(spec: str) -> tuple[str, str]:
    """'NAME=EXPRESSION' from the command line as (name, expression)."""
    name, equals, expression = spec.partition("=")
    if not equals or not name.strip() or not expression.strip():
        raise InvalidInput(DERIVE_FORMAT.format(spec=spec))
    return name.strip(), expression.strip()


def _derived_tree(name: str, expression: str) -> tuple[ast.expr, list[str]]:
    """Parse an expression over [column] references; only arithmetic is allowed."""
    columns: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        columns.append(match.group(1).strip())
        return f"_c{len(columns) - 1}"

    source = _COLUMN_REFERENCE.sub(placeholder, expression)
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        raise InvalidInput(DERIVE_SYNTAX.format(name=name, reason=error.msg)) from error
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            allowed = isinstance(node.value, int | float) and not isinstance(node.value, bool)
        elif isinstance(node, ast.Name):
            allowed = re.fullmatch(r"_c\d+", node.id) is not None
        else:
            allowed = isinstance(node, _ALLOWED_NODES)
        if not allowed:
            raise InvalidInput(DERIVE_SYNTAX.format(name=name, reason=type(node).__name__))
    if not columns:
        raise InvalidInput(DERIVE_NO_COLUMN.format(name=name))
    return tree, columns


def _derived_evaluate(node: ast.expr, values: list[np.ndarray]) -> np.ndarray:
    if isinstance(node, ast.Constant):
        return np.asarray(float(node.value))
    if isinstance(node, ast.Name):
        return values[int(node.id[2:])]
    if isinstance(node, ast.UnaryOp):
        operand = _derived_evaluate(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    assert isinstance(node, ast.BinOp)
    left = _derived_evaluate(node.left, values)
    right = _derived_evaluate(node.right, values)
    if isinstance(node.op, ast.Div):
        # A rate with nothing to divide by (no courses taken) is unknown, not infinite.
        with np.errstate(divide="ignore", invalid="ignore"):
            result = np.divide(left, right)
        return np.where(np.isfinite(result), result, np.nan)
    return _BINARY[type(node.op)](left, right)


def _derived_feature(
    *, name: str, expression: str, table: Table, roles: Mapping[str, str]
) -> Feature:
    if name in table.columns:
        raise InvalidInput(DERIVE_NAME_TAKEN.format(name=name))
    _, columns = _derived_tree(name, expression)
    for column in columns:
        if column not in table.columns:
            raise InvalidInput(
                COLUMN_UNKNOWN.format(
                    role=f"härledd prediktor {name!r}",
                    column=column,
                    columns=", ".join(map(repr, table.columns)),
                )
            )
        if column in roles:
            # Deriving from an audit column would let a protected characteristic in
            # through the back door.
            raise InvalidInput(
                DERIVE_FORBIDDEN.format(name=name, column=column, role=roles[column])
            )
        if _numbers(table.column(column), table.separator != ",") is None:
            raise InvalidInput(DERIVE_NOT_NUMERIC.format(name=name, column=column))
    return Feature(name=name, kind=DERIVED, expression=expression, sources=tuple(columns))


def features_matrix(
    *, features: Sequence[Feature], columns: Mapping[str, Sequence[str]], decimal_comma: bool
) -> np.ndarray:
    """Raw text columns as the model's float matrix: one code path for training and scoring.

    A categorical value never seen in training becomes missing.
    """
    length = len(next(iter(columns.values())))
    X = np.full((length, len(features)), np.nan)
    for index, feature in enumerate(features):
        if feature.kind == NUMERIC:
            numbers = _numbers(columns[feature.name], decimal_comma)
            if numbers is not None:
                X[:, index] = numbers
            else:
                # Scoring data with a stray word in a numeric column: that value only is lost.
                X[:, index] = [_number_or_nan(v, decimal_comma) for v in columns[feature.name]]
        elif feature.kind == CATEGORICAL:
            codes = {level: float(code) for code, level in enumerate(feature.levels)}
            X[:, index] = [codes.get(value, np.nan) for value in columns[feature.name]]
        else:
            tree, sources = _derived_tree(feature.name, feature.expression)
            values = [
                np.array([_number_or_nan(v, decimal_comma) for v in columns[s]]) for s in sources
            ]
            X[:, index] = np.broadcast_to(_derived_evaluate(tree, values), (length,))
    return X


def _number_or_nan(value: str, decimal_comma: bool) -> float:
    if _is_missing(value):
        return np.nan
    try:
        return _number(value, decimal_comma)
    except ValueError:
        return np.nan


def stage_parse(spec: str) -> tuple[str, str]:
    """'NAME=PREFIX' from the command line as (name, prefix); the prefix may be empty."""
    name, equals, prefix = spec.partition("=")
    if not equals or not name.strip():
        raise InvalidInput(STAGE_FORMAT.format(spec=spec))
    return name.strip(), prefix.strip()


def stages_assign(
    *, stages: Sequence[tuple[str, str | Sequence[str]]], features: Sequence[Feature]
) -> dict[str, list[str]]:
    """Cumulative feature sets per stage, in the order given.

    Each stage names one prefix or several. A column belongs to the stage with the longest
    prefix its name starts with (the empty prefix matches every column), so a first stage
    with an empty prefix takes everything no later stage claims. A derived feature belongs
    to the latest stage of the columns it is computed from: a term-2 pass rate is not known
    after term 1.
    """
    names = [name for name, _ in stages]
    for name in names:
        if names.count(name) > 1:
            raise InvalidInput(STAGE_DUPLICATE.format(name=name))
    prefixes = [(prefix,) if isinstance(prefix, str) else tuple(prefix) for _, prefix in stages]

    def stage_for(column: str) -> int | None:
        matches = [
            (len(prefix), order)
            for order, options in enumerate(prefixes)
            for prefix in options
            if column.startswith(prefix)
        ]
        return max(matches)[1] if matches else None

    stage_of: dict[str, int] = {}
    unclaimed = []
    for feature in features:
        sources = feature.sources if feature.kind == DERIVED else (feature.name,)
        orders = [stage_for(source) for source in sources]
        known = [order for order in orders if order is not None]
        if len(known) < len(orders):
            unclaimed.append(feature.name)
        else:
            stage_of[feature.name] = max(known)
    if unclaimed:
        raise InvalidInput(STAGE_UNCLAIMED.format(columns=", ".join(map(repr, unclaimed))))
    result: dict[str, list[str]] = {}
    for order, name in enumerate(names):
        if not any(stage == order for stage in stage_of.values()):
            raise InvalidInput(STAGE_EMPTY.format(name=name))
        result[name] = [feature.name for feature in features if stage_of[feature.name] <= order]
    return result


# --- The model -------------------------------------------------------------------------------


def _is_small_integer(column: np.ndarray) -> bool:
    known = column[~np.isnan(column)]
    if len(known) == 0 or not np.all(known == np.round(known)):
        return False
    return 3 <= len(np.unique(known)) <= ONE_HOT_MAX_LEVELS


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


_TRANSFORMED_NAME = re.compile(r"__(?:missingindicator_)?x(\d+)")


def _source_column(transformed_name: str) -> int:
    """The input column behind a transformed one: 'onehot__x4_12.0' came from column 4."""
    match = _TRANSFORMED_NAME.search(transformed_name)
    assert match is not None, transformed_name
    return int(match.group(1))


class BlendClassifier(ClassifierMixin, BaseEstimator):
    """Average in log-odds of LightGBM and a one-hot logistic regression (uncalibrated).

    The two err differently (trees find thresholds and interactions; the linear model is
    steadier on small groups of codes), so the average ranks better than either. The
    score is a sum of per-feature parts for both, which ``contributions`` returns.
    ``categorical`` holds the indices of columns that are category codes, not quantities.
    """

    def __init__(
        self, categorical: tuple[int, ...] = (), seed: int = 0, monotone: tuple[int, ...] = ()
    ) -> None:
        self.categorical = categorical
        self.seed = seed
        self.monotone = monotone

    def fit(self, X: np.ndarray, y: np.ndarray) -> BlendClassifier:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        categorical = sorted(self.categorical)
        # One thread per model: on a few cores, parallel folds beat parallel trees, and
        # OpenMP threads competing with BLAS threads slow both down many times over.
        directions = _directions(self.monotone, X.shape[1])
        constrained = {j for j, d in enumerate(directions) if d}
        # A known direction holds in both parts of the blend: the trees are constrained,
        # and the linear part sees such a column as one number (never one-hot), with a
        # coefficient of the known sign or none (``_sign_constrained``).
        extra = {"monotone_constraints": list(directions)} if constrained else {}
        self.booster_ = lightgbm.LGBMClassifier(
            **LGBM_PARAMS, **extra, random_state=self.seed, n_jobs=1, verbose=-1
        )
        self.booster_.fit(X, y, categorical_feature=categorical or "auto")
        numeric = [j for j in range(X.shape[1]) if j not in categorical]
        one_hot = [
            j
            for j in range(X.shape[1])
            if j not in constrained and (j in categorical or _is_small_integer(X[:, j]))
        ]
        transformers: list[tuple[str, Any, list[int]]] = []
        if numeric:
            scale = Pipeline(
                [
                    ("impute", SimpleImputer(strategy="median", add_indicator=True)),
                    ("scale", StandardScaler()),
                ]
            )
            transformers.append(("numeric", scale, numeric))
        if one_hot:
            encoder = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                min_frequency=ONE_HOT_MIN_FREQUENCY,
                sparse_output=False,
            )
            transformers.append(("onehot", encoder, one_hot))
        self.prepare_ = ColumnTransformer(transformers)
        Z = self.prepare_.fit_transform(X)
        # Which input column each transformed column came from, to add parts back up.
        names = self.prepare_.get_feature_names_out()
        self.z_source_ = np.array([_source_column(name) for name in names])
        # The value columns of constrained inputs (not their missing indicators), with the
        # sign their coefficient must have.
        signs = np.array(
            [
                0 if "missingindicator" in name else directions[source]
                for name, source in zip(names, self.z_source_, strict=True)
            ]
        )
        self.logreg_ = _sign_constrained(Z, y, signs)
        self.z_mean_ = Z.mean(axis=0)
        return self

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        trees = self.booster_.predict(X, raw_score=True)
        linear = self.logreg_.decision_function(self.prepare_.transform(X))
        return 0.5 * (trees + linear)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        p = _sigmoid(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

    def contributions(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-row, per-feature parts of the score in log-odds, and the per-row base.

        Trees: SHAP values (LightGBM's ``pred_contrib``). Linear model: coefficient ×
        (value − training mean), summed over each feature's indicator columns. Parts plus
        base equal ``decision_function`` exactly.
        """
        X = np.asarray(X, dtype=float)
        shap = self.booster_.predict(X, pred_contrib=True)
        Z = self.prepare_.transform(X)
        parts_z = (Z - self.z_mean_) * self.logreg_.coef_[0]
        linear = np.zeros((X.shape[0], X.shape[1]))
        np.add.at(linear.T, self.z_source_, parts_z.T)
        linear_base = self.logreg_.intercept_[0] + float(self.z_mean_ @ self.logreg_.coef_[0])
        parts = 0.5 * (shap[:, :-1] + linear)
        base = 0.5 * (shap[:, -1] + linear_base)
        return parts, base


def _directions(monotone: tuple[int, ...], columns: int) -> tuple[int, ...]:
    """One direction per column (0 where none is given)."""
    return tuple(monotone) + (0,) * (columns - len(monotone)) if monotone else (0,) * columns


def _sign_constrained(Z: np.ndarray, y: np.ndarray, signs: np.ndarray) -> LogisticRegression:
    """A logistic regression whose coefficients have the sign asked for (``signs`` +1 or
    -1; 0 is free). A column whose coefficient comes out with the wrong sign is left out
    (its column zeroed, so its coefficient is 0) and the model fitted again, until none
    is wrong: on its own the column would push the risk the way the known direction
    forbids, so it adds nothing."""
    Z = np.array(Z, dtype=float, copy=True)
    dropped = np.zeros(Z.shape[1], dtype=bool)
    while True:
        model = LogisticRegression(C=LOGREG_C, max_iter=5000).fit(Z, y)
        # A zeroed column's coefficient is zero but for rounding: make it exactly so.
        model.coef_[0][dropped] = 0.0
        wrong = (signs * model.coef_[0] < 0) & ~dropped
        if not wrong.any():
            return model
        dropped |= wrong
        Z[:, wrong] = 0.0


def _monotone(features: Sequence[Feature]) -> tuple[int, ...]:
    directions = tuple(f.monotone for f in features)
    return directions if any(directions) else ()


def _calibrated(
    *, categorical: tuple[int, ...], seed: int, monotone: tuple[int, ...] = ()
) -> CalibratedClassifierCV:
    # Platt scaling fitted on out-of-fold scores within the training data, then one model on
    # all of it (ensemble=False): the ranking stays that of the full model, and a monotone map
    # cannot change ROC-AUC.
    return CalibratedClassifierCV(
        BlendClassifier(categorical=categorical, seed=seed, monotone=monotone),
        method="sigmoid",
        cv=StratifiedKFold(n_splits=CALIBRATION_FOLDS, shuffle=True, random_state=seed),
        ensemble=False,
    )


@dataclass
class RiskModel:
    """A fitted, calibrated model together with how to turn raw values into its inputs."""

    features: list[Feature]
    calibrated: CalibratedClassifierCV
    decimal_comma: bool = True
    version: str = ""

    @property
    def blend(self) -> BlendClassifier:
        return self.calibrated.calibrated_classifiers_[0].estimator

    def matrix(self, records: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Raw records (column name → value as in the file) as the model's input matrix."""
        needed = {f.name for f in self.features if f.kind != DERIVED}
        needed |= {s for f in self.features if f.kind == DERIVED for s in f.sources}
        columns = {
            name: [_text(record.get(name, "")) for record in records] for name in sorted(needed)
        }
        return features_matrix(
            features=self.features, columns=columns, decimal_comma=self.decimal_comma
        )

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability of the positive outcome, one per row."""
        return self.calibrated.predict_proba(np.asarray(X, dtype=float))[:, 1]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def model_version() -> str:
    return f"{MODEL_REVISION} (lightgbm {lightgbm.__version__}, scikit-learn {sklearn.__version__})"


def model_fit(
    *, dataset: Dataset, seed: int = 0, feature_names: Sequence[str] | None = None
) -> RiskModel:
    """Fit the calibrated model on all rows (optionally on a subset of the features)."""
    names = list(feature_names) if feature_names is not None else dataset.feature_names
    indices = [dataset.feature_names.index(name) for name in names]
    features = [dataset.features[index] for index in indices]
    with threadpool_limits(limits=1):
        calibrated = _calibrated(
            categorical=_categorical(features), seed=seed, monotone=_monotone(features)
        ).fit(dataset.X[:, indices], dataset.y)
    return RiskModel(
        features=features,
        calibrated=calibrated,
        decimal_comma=dataset.decimal_comma,
        version=model_version(),
    )


def _categorical(features: Sequence[Feature]) -> tuple[int, ...]:
    return tuple(index for index, f in enumerate(features) if f.kind == CATEGORICAL)


def explain(
    model: RiskModel, row: Mapping[str, Any] | Sequence[float] | np.ndarray
) -> list[tuple[str, float]]:
    """Which features pushed this row's risk up most, largest first, in log-odds.

    ``row`` is either a raw record (column name → value as in the file) or a row of the
    model's input matrix. Every feature is listed; negative parts pulled the risk down.
    Calibration is a monotone map of the summed score, so the order is the same for the
    calibrated probability.
    """
    if isinstance(row, Mapping):
        x = model.matrix([row])
    else:
        x = np.asarray(row, dtype=float).reshape(1, -1)
    parts, _ = model.blend.contributions(x)
    ranked = sorted(
        zip((f.name for f in model.features), parts[0].tolist(), strict=True),
        key=lambda item: item[1],
        reverse=True,
    )
    return [(name, float(value)) for name, value in ranked]


# --- Metrics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OperatingPoint:
    threshold: float
    caseload: float
    caseload_target: float
    flagged: int
    precision: float | None
    recall: float | None
    fpr: float | None

    def as_json(self) -> dict[str, Any]:
        return {
            "threshold": _round(self.threshold),
            "caseload": _round(self.caseload),
            "caseload_target": self.caseload_target,
            "flagged": self.flagged,
            "precision": _round(self.precision),
            "recall": _round(self.recall),
            "fpr": _round(self.fpr),
        }


def operating_point_choose(*, y: np.ndarray, p: np.ndarray, caseload: float) -> OperatingPoint:
    """Flag the highest risks, as many as the caseload allows and never more.

    The threshold is the lowest score for which flagging every row at or above it stays
    within ``caseload`` × rows. Only when the very top scores tie beyond the caseload is it
    exceeded (all tied rows are flagged or none; a list cannot pick among equals).
    """
    if not 0 < caseload < 1:
        raise InvalidInput(CASELOAD_RANGE.format(caseload=caseload))
    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    allowed = math.floor(caseload * len(p) + 1e-9)
    scores, counts = np.unique(-p, return_counts=True)  # descending scores
    within = np.cumsum(counts) <= allowed
    threshold = float(-scores[np.flatnonzero(within)[-1]]) if within.any() else float(-scores[0])
    flagged = p >= threshold
    return OperatingPoint(
        threshold=threshold,
        caseload=float(flagged.mean()),
        caseload_target=caseload,
        flagged=int(flagged.sum()),
        **rates(y=y, flagged=flagged),
    )


def audit_groups(values: Sequence[str], *, decimal_comma: bool = True) -> list[str]:
    """Each row's group label for one audit column.

    Codes and words are groups as they are. A numeric column with more than
    ``AUDIT_MAX_GROUPS`` distinct values that spreads over a range (age) is cut at its
    quantiles into ranges such as '20–21', so each group is large enough to measure. One
    where most rows share a value (a nationality code) stays as it is: cutting it would
    lump every minority into one range. Missing values form '(saknas)'.
    """
    as_is = [MISSING_GROUP if _is_missing(value) else value for value in values]
    numbers = _numbers(values, decimal_comma)
    if numbers is None:
        return as_is
    present = ~np.isnan(numbers)
    known = numbers[present]
    if len(np.unique(known)) <= AUDIT_MAX_GROUPS:
        return as_is
    # Group i holds the values in (cut_{i-1}, cut_i]; a value equal to a cut stays below it.
    cuts = np.unique(np.quantile(known, np.linspace(0, 1, AUDIT_MAX_GROUPS + 1)[1:-1]))
    bins = np.searchsorted(cuts, numbers, side="left")
    used = np.unique(bins[present])
    if len(used) < 3:
        return as_is
    labels: dict[int, str] = {}
    for index in used:
        inside = known[bins[present] == index]
        low, high = _plain(inside.min()), _plain(inside.max())
        labels[int(index)] = low if low == high else f"{low}–{high}"
    return [
        MISSING_GROUP if np.isnan(number) else labels[int(group)]
        for number, group in zip(numbers, bins, strict=True)
    ]


def _plain(number: float) -> str:
    return str(int(number)) if number == round(number) else f"{number:g}"


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class Scores:
    """Out-of-fold probabilities for one feature set and what is measured on them."""

    name: str
    features: list[str]
    p: np.ndarray
    roc_auc: float
    pr_auc: float
    brier: float
    log_loss: float
    accuracy: float
    operating_point: OperatingPoint
    importance: list[tuple[str, float]]


def scores_measure(
    *,
    name: str,
    features: list[str],
    y: np.ndarray,
    p: np.ndarray,
    caseload: float,
    parts: np.ndarray | None = None,
) -> Scores:
    importance: list[tuple[str, float]] = []
    if parts is not None:
        mean_abs = np.abs(parts).mean(axis=0)
        importance = sorted(
            zip(features, mean_abs.tolist(), strict=True), key=lambda item: -item[1]
        )
    return Scores(
        name=name,
        features=features,
        p=p,
        roc_auc=float(roc_auc_score(y, p)),
        pr_auc=float(average_precision_score(y, p)),
        brier=float(brier_score_loss(y, p)),
        log_loss=float(log_loss(y, p)),
        accuracy=float(np.mean((p >= 0.5) == y)),
        operating_point=operating_point_choose(y=y, p=p, caseload=caseload),
        importance=importance,
    )


def cross_validate(
    *,
    X: np.ndarray,
    y: np.ndarray,
    categorical: tuple[int, ...],
    folds: int,
    seed: int,
    jobs: int = 2,
    monotone: tuple[int, ...] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold calibrated probabilities and score parts (stratified k-fold).

    Each fold's model, calibration included, is fitted on the other folds only. Folds run
    in parallel threads (LightGBM and BLAS release the GIL); results do not depend on it.
    """
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)

    def one_fold(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        model = _calibrated(categorical=categorical, seed=seed, monotone=monotone).fit(
            X[train], y[train]
        )
        blend = model.calibrated_classifiers_[0].estimator
        parts, _ = blend.contributions(X[test])
        return test, model.predict_proba(X[test])[:, 1], parts

    p = np.empty(len(y))
    parts = np.empty(X.shape)
    with threadpool_limits(limits=1):
        results = Parallel(n_jobs=min(jobs, folds), prefer="threads")(
            delayed(one_fold)(train, test) for train, test in splitter.split(X, y)
        )
    for test, fold_p, fold_parts in results:
        p[test] = fold_p
        parts[test] = fold_parts
    return p, parts


@dataclass
class Evaluation:
    """Everything ``evaluate`` measured; ``as_json`` is what the command prints."""

    dataset: Dataset
    folds: int
    seed: int
    caseload: float
    overall: Scores
    stages: list[Scores]
    groups: dict[str, dict[str, dict[str, Any]]]
    audit_labels: dict[str, list[str]]
    seconds: float = 0.0

    @property
    def gaps(self) -> dict[str, list[dict[str, Any]]]:
        """Per audit column, the largest gap between groups for each measure."""
        return {column: gaps_find(by_value) for column, by_value in self.groups.items()}

    def as_json(self) -> dict[str, Any]:
        overall = self.overall
        data: dict[str, Any] = {
            "n": int(len(self.dataset.y)),
            "positives": int(self.dataset.y.sum()),
            "target": self.dataset.target,
            "positive": self.dataset.positive,
            "folds": self.folds,
            "seed": self.seed,
            "model": {"name": MODEL_NAME, "version": model_version()},
            "features": overall.features,
            "derived": {f.name: f.expression for f in self.dataset.features if f.kind == DERIVED},
            "audit": list(self.dataset.audit),
            "excluded": self.dataset.excluded,
            "ignored": self.dataset.ignored,
            "roc_auc": _round(overall.roc_auc),
            "pr_auc": _round(overall.pr_auc),
            "brier": _round(overall.brier),
            "log_loss": _round(overall.log_loss),
            "accuracy": _round(overall.accuracy),
            "base_rate": _round(float(self.dataset.y.mean())),
            "operating_point": overall.operating_point.as_json(),
            "groups": self.groups,
            "gaps": self.gaps,
            "importance": [
                {"feature": name, "mean_abs_contribution": _round(value)}
                for name, value in overall.importance[:10]
            ],
        }
        if self.stages:
            data["stages"] = {
                stage.name: {
                    "features": len(stage.features),
                    "roc_auc": _round(stage.roc_auc),
                    "pr_auc": _round(stage.pr_auc),
                    "brier": _round(stage.brier),
                    "operating_point": stage.operating_point.as_json(),
                }
                for stage in self.stages
            }
        data["seconds"] = round(self.seconds, 1)
        return data


def evaluate(
    *,
    dataset: Dataset,
    folds: int = DEFAULT_FOLDS,
    seed: int = 0,
    caseload: float = DEFAULT_CASELOAD,
    jobs: int = 2,
    progress: Callable[[str], None] | None = None,
) -> Evaluation:
    """Cross-validate the model on all features and, if given, on each stage's features.

    Every stage uses the same folds, so the stages differ only in what is known. The
    fairness audit is computed on the out-of-fold risks at the overall operating point.
    """
    started = time.perf_counter()
    if folds < 2:
        raise InvalidInput(FOLDS_TOO_FEW.format(folds=folds))
    if not 0 < caseload < 1:
        raise InvalidInput(CASELOAD_RANGE.format(caseload=caseload))
    positives = int(dataset.y.sum())
    negatives = len(dataset.y) - positives
    # Each training part is split again for calibration: every class needs a few rows in
    # each inner part.
    minimum = 2 * folds
    if min(positives, negatives) < minimum:
        raise InvalidInput(
            TOO_FEW_PER_CLASS.format(
                folds=folds, positives=positives, negatives=negatives, minimum=minimum
            )
        )

    def run(name: str, names: list[str]) -> Scores:
        if progress:
            progress(f"{name}: {len(names)} prediktorer, {folds}-faldig korsvalidering")
        indices = [dataset.feature_names.index(n) for n in names]
        features = [dataset.features[i] for i in indices]
        p, parts = cross_validate(
            X=dataset.X[:, indices],
            y=dataset.y,
            categorical=_categorical(features),
            folds=folds,
            seed=seed,
            jobs=jobs,
            monotone=_monotone(features),
        )
        return scores_measure(
            name=name, features=names, y=dataset.y, p=p, caseload=caseload, parts=parts
        )

    stages: list[Scores] = []
    overall: Scores | None = None
    for name, names in (dataset.stages or {}).items():
        stages.append(run(name, names))
        if set(names) == set(dataset.feature_names):
            overall = stages[-1]
    if overall is None:
        overall = run("alla", dataset.feature_names)

    flagged = overall.p >= overall.operating_point.threshold
    audit_labels = {
        name: audit_groups(values, decimal_comma=dataset.decimal_comma)
        for name, values in dataset.audit.items()
    }
    groups = {
        name: group_metrics(y=dataset.y, p=overall.p, flagged=flagged, groups=labels, seed=seed)
        for name, labels in audit_labels.items()
    }
    return Evaluation(
        dataset=dataset,
        folds=folds,
        seed=seed,
        caseload=caseload,
        overall=overall,
        stages=stages,
        groups=groups,
        audit_labels=audit_labels,
        seconds=time.perf_counter() - started,
    )


# --- Curves for the report -------------------------------------------------------------------


def roc_points(*, y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False-positive rate, true-positive rate and thresholds of the ROC curve."""
    fpr, tpr, thresholds = roc_curve(y, p)
    return fpr, tpr, thresholds


def pr_points(*, y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recall, precision and thresholds of the precision–recall curve, recall ascending."""
    precision, recall, thresholds = precision_recall_curve(y, p)
    order = np.argsort(recall, kind="stable")
    return recall[order], precision[order], np.append(thresholds, 1.0)[order]


def calibration_bins(
    *, y: np.ndarray, p: np.ndarray, bins: int = 10
) -> list[tuple[float, float, float, int]]:
    """(bin low, mean predicted, observed rate, rows) for equal-width risk bins with rows."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    out = []
    for b in range(bins):
        inside = index == b
        if inside.any():
            out.append(
                (
                    float(edges[b]),
                    float(p[inside].mean()),
                    float(y[inside].mean()),
                    int(inside.sum()),
                )
            )
    return out
