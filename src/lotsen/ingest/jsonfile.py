"""Read a JSON document that a person or another system hands Lotsen, within bounds.

The one bounded JSON reader: the programme import reads its files with it and the API's
parser (``lotsen.pages.api``) reads request bodies with it. Python's json module recurses
once per nesting level (a body 100,000 levels deep raises RecursionError inside it),
refuses integers of more than 4,300 digits with an error that names no place, accepts NaN
and Infinity, and hands on lone surrogates that no database, log or JSON answer can
encode. ``json_document_read`` therefore

- decodes strictly, naming the byte and line of the first bad one;
- measures the nesting *before* json sees the text, naming the JSON path, line and column
  of the first array or object too deep;
- refuses NaN and Infinity, naming line and column;
- applies one number rule: a number of more than ``max_number_digits`` digits (or a float
  that overflows) is refused, naming line and column, or, with ``keep_large_numbers``,
  kept as ``TooLarge`` so that a caller that checks each field names the JSON path that
  holds it;
- refuses a lone surrogate in a key or string, naming its JSON path.

Every refusal is a ``JsonDocumentError`` whose ``str()`` says where and why, in Swedish;
a document over ``max_bytes`` is a ``JsonDocumentTooLarge``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32
# Digits in one number: far beyond any column, short enough to parse cheaply.
MAX_NUMBER_DIGITS = 1000
# How much of a key or literal an error repeats.
MAX_SHOWN = 50

ERROR_TOO_LARGE = "JSON-dokumentet är större än {limit} MB."
ERROR_ENCODING = "JSON-dokumentet är inte giltig {encoding}: fel vid byte {byte} (rad {line})."
ERROR_SYNTAX = "Ogiltig JSON på rad {line}, kolumn {column}: {reason}."
ERROR_DEPTH = (
    "JSON-dokumentet är nästlat djupare än {limit} nivåer: vid {path} (rad {line}, "
    "kolumn {column})."
)
ERROR_CONSTANT = "{literal} på rad {line}, kolumn {column} är inget tal i JSON."
ERROR_NUMBER = "Talet på rad {line}, kolumn {column} är för stort."
ERROR_SURROGATE = (
    "Texten vid {path} innehåller ett ensamt surrogattecken (\\u{code:04x}), som inte är "
    "giltig Unicode."
)

# What json says, in Swedish (json's own text is kept for anything else).
_REASONS = {
    "Expecting value": "ett värde saknas",
    "Expecting property name enclosed in double quotes": "ett fältnamn inom citattecken saknas",
    "Expecting ',' delimiter": "ett kommatecken saknas",
    "Expecting ':' delimiter": "ett kolon saknas",
    "Unterminated string starting at": "texten avslutas aldrig",
    "Extra data": "det kommer mer efter dokumentets slut",
    "Invalid control character at": "ett otillåtet styrtecken",
    "Invalid \\escape": "en ogiltig escape-sekvens",
    "Invalid \\uXXXX escape": "en ogiltig \\u-sekvens",
    "Illegal trailing comma before end of object": "ett kommatecken för mycket",
    "Illegal trailing comma before end of array": "ett kommatecken för mycket",
}

# A JSON string (an unterminated one runs to the end of the text, so that scanning stays
# linear), and the punctuation that gives the structure. Possessive quantifiers: no
# backtracking into a long string.
_STRING = r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\Z)'
_STRINGS = re.compile(_STRING, re.S)
_STRUCTURE = re.compile(_STRING + r"|[\[\]{},:]", re.S)
_LITERALS = re.compile(_STRING + r"|-?(?:Infinity|NaN)|-?[0-9][0-9.eE+-]*", re.S)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_DELTA = {"[": 1, "{": 1, "]": -1, "}": -1}
_OPENERS = ("[", "{")
_CLOSERS = ("]", "}")
_COMMA = ","
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# A \u escape in the surrogate range: only then can a parsed string hold a lone surrogate.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class JsonDocumentError(ValueError):
    """The document cannot be read; ``str()`` says where and why."""


class JsonDocumentTooLarge(JsonDocumentError):
    """The document is over ``max_bytes`` (the API answers 413, not 400)."""


@dataclass(frozen=True)
class TooLarge:
    """A number with more digits than the reader was told to parse; its text is not kept."""

    digits: int


def json_document_read(
    data: bytes | str,
    *,
    encoding: str = "utf-8",
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_depth: int = MAX_DEPTH,
    max_number_digits: int = MAX_NUMBER_DIGITS,
    keep_large_numbers: bool = False,
) -> Any:
    """Bytes or text to Python values, or a JsonDocumentError naming its place."""
    if len(data) > max_bytes:
        raise JsonDocumentTooLarge(ERROR_TOO_LARGE.format(limit=max(1, max_bytes // 2**20)))
    if isinstance(data, bytes):
        try:
            data = data.decode(encoding)
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise JsonDocumentError(
                ERROR_ENCODING.format(encoding=encoding.upper(), byte=error.start, line=line)
            ) from None
    text = data.removeprefix("\ufeff")  # a byte-order mark some programs write
    too_deep = json_too_deep_at(text, max_depth)
    if too_deep is not None:
        path, position = too_deep
        line, column = _line_column(text, position)
        raise JsonDocumentError(
            ERROR_DEPTH.format(limit=max_depth, path=path, line=line, column=column)
        )
    number = _NumberRule(max_number_digits, keep_large_numbers)
    try:
        value = json.loads(
            text,
            parse_constant=_parse_constant,
            parse_float=number.parse_float,
            parse_int=number.parse_int,
        )
    except _BadLiteral as error:
        line, column = _line_column(text, _literal_position(text, error.literal))
        shown = error.literal if len(error.literal) <= MAX_SHOWN else error.literal[:20] + "…"
        raise JsonDocumentError(
            error.message.format(literal=shown, line=line, column=column)
        ) from None
    except json.JSONDecodeError as error:
        reason = _REASONS.get(error.msg, error.msg)
        raise JsonDocumentError(
            ERROR_SYNTAX.format(line=error.lineno, column=error.colno, reason=reason)
        ) from None
    except (RecursionError, ValueError) as error:
        # Not expected after the checks above; kept so that no document ends in a crash.
        raise JsonDocumentError(
            ERROR_SYNTAX.format(line=1, column=1, reason=str(error)[:200])
        ) from None
    if _SURROGATE_ESCAPE.search(text):
        surrogate = lone_surrogate_at(value)
        if surrogate is not None:
            path, code = surrogate
            raise JsonDocumentError(ERROR_SURROGATE.format(path=path, code=code))
    return value


# --- Numbers ----------------------------------------------------------------------------


class _BadLiteral(ValueError):
    """Raised from json's hooks; the reader then finds where the literal stands."""

    def __init__(self, literal: str, message: str):
        super().__init__(literal)
        self.literal = literal
        self.message = message


def _parse_constant(literal: str):
    raise _BadLiteral(literal, ERROR_CONSTANT)


@dataclass(frozen=True)
class _NumberRule:
    """The one number rule: more than ``max_digits`` digits, or a float that overflows,
    is too large: refused, or kept as TooLarge for the caller to name its path."""

    max_digits: int
    keep: bool

    def too_large(self, literal: str) -> TooLarge:
        if self.keep:
            return TooLarge(len(literal.lstrip("-")))
        raise _BadLiteral(literal, ERROR_NUMBER)

    def parse_int(self, literal: str) -> int | TooLarge:
        if len(literal.lstrip("-")) > self.max_digits:
            return self.too_large(literal)
        return int(literal)

    def parse_float(self, literal: str) -> float | TooLarge:
        if len(literal.lstrip("-")) > self.max_digits:
            return self.too_large(literal)
        value = float(literal)
        return value if math.isfinite(value) else self.too_large(literal)


def _literal_position(text: str, literal: str) -> int:
    for match in _LITERALS.finditer(text):
        if match.group() == literal:
            return match.start()
    return 0


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


# --- Nesting ----------------------------------------------------------------------------


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, brackets inside strings not counted."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_DELTA.__getitem__, brackets)), default=0)


def json_too_deep_at(text: str, limit: int) -> tuple[str, int] | None:
    """The JSON path and text position of the first array or object nested deeper than
    ``limit``, or None. Walks the structure only when the quick count says it is needed."""
    if json_depth(text) <= limit:
        return None
    # One frame per open array or object: [is_object, index or key, expecting a key].
    stack: list[list] = []
    for match in _STRUCTURE.finditer(text):
        char = match.group()
        if char in _OPENERS:
            if len(stack) == limit:
                return _path(stack), match.start()
            is_object = char == _OPENERS[1]
            stack.append([is_object, "" if is_object else 0, is_object])
        elif char in _CLOSERS:
            if stack:
                stack.pop()
        elif char == _COMMA:
            if stack:
                frame = stack[-1]
                if frame[0]:
                    frame[2] = True
                else:
                    frame[1] += 1
        elif char.startswith('"') and stack and stack[-1][0] and stack[-1][2]:
            stack[-1][1], stack[-1][2] = _key(char), False
    return "$", 0  # unbalanced text deeper than the limit: the parser reports the rest


def _key(token: str) -> str:
    try:
        key = json.loads(token)
    except ValueError:
        key = token.strip('"')
    return _shown(key)


def _shown(name: str) -> str:
    return name if len(name) <= MAX_SHOWN else name[:MAX_SHOWN] + "…"


def _path(stack: list[list]) -> str:
    parts = ["$"]
    for is_object, where, _ in stack:
        if not is_object:
            parts.append(f"[{where}]")
        elif _IDENTIFIER.match(where):
            parts.append(f".{where}")
        else:
            parts.append(f"[{json.dumps(where, ensure_ascii=False)}]")
    return "".join(parts)


# --- Lone surrogates --------------------------------------------------------------------


def lone_surrogate_at(value: object) -> tuple[str, int] | None:
    """The JSON path and code point of the first lone surrogate in a key or string."""
    stack: list[tuple[object, list]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            found = _SURROGATE.search(item)
            if found:
                return _path_of(path), ord(found.group())
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                found = _SURROGATE.search(key)
                if found:
                    return _path_of([*path, (True, key)]), ord(found.group())
                stack.append((child, [*path, (True, key)]))
        elif isinstance(item, list):
            stack.extend(
                (child, [*path, (False, i)]) for i, child in reversed(list(enumerate(item)))
            )
    return None


def _path_of(steps: list[tuple[bool, object]]) -> str:
    shown = [
        [is_object, _shown(str(where).encode("utf-8", "backslashreplace").decode()), False]
        if is_object
        else [is_object, where, False]
        for is_object, where in steps
    ]
    return _path(shown)
