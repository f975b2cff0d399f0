"""Bad input to the API ends in a clear 400, 413 or 415, never in a 500.

``BoundedJSONParser`` is DRF's default parser (settings.REST_FRAMEWORK): it reads at most
``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes, decodes strictly, measures the nesting *before*
Python's json module sees the text (json recurses, and a body 100,000 levels deep would
raise RecursionError inside it), and refuses NaN, Infinity and numbers no column holds.
Each refusal names the place: the byte, the line and column, or the JSON path.

``StrictSerializer`` refuses fields it does not know, so a misspelt field is an error
rather than silently ignored. ``api_exception_handler`` turns Django's own input errors
(a body over the size limit, a service's ValidationError) into DRF answers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser, get_encoding
from rest_framework.settings import api_settings

# JSON bodies of this API are flat objects with at most a map inside (the plan's goal
# statuses): eight levels leave room and keep any parser's recursion far away.
MAX_JSON_DEPTH = 8
# Digits in one JSON number: far beyond any column, short enough to parse cheaply (Python
# refuses integers of more than 4,300 digits, with an error that names no place).
MAX_NUMBER_LENGTH = 1000
# Django's default, used when the setting is None (no limit is not an option for the API).
DEFAULT_BODY_LIMIT = 2_621_440
# How much of an unknown field's name an error repeats.
MAX_NAME_SHOWN = 50
MAX_UNKNOWN_SHOWN = 10

ERROR_BODY_TOO_LARGE = "Anropet är för stort: högst {limit} byte."
ERROR_ENCODING = "Anropet är inte giltig {encoding}: fel vid byte {position}."
ERROR_SYNTAX = "Ogiltig JSON på rad {line}, kolumn {column}: {reason}."
ERROR_DEPTH = (
    "JSON-dokumentet är nästlat djupare än {limit} nivåer: vid {path} (rad {line}, "
    "kolumn {column})."
)
ERROR_CONSTANT = "{literal} på rad {line}, kolumn {column} är inget tal i JSON."
ERROR_SURROGATE = (
    "Texten vid {path} innehåller ett ensamt surrogattecken (\\u{code:04x}), som inte är "
    "giltig Unicode."
)
ERROR_NUMBER = "Talet på rad {line}, kolumn {column} är för stort."
ERROR_CHARSET = "Teckenkodningen {charset} stöds inte: skicka JSON i UTF-8."
ERROR_UNKNOWN_FIELD = "Okänt fält."

# What json says, in the words of this API (json's own text is kept for anything else).
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
# A \u escape in the surrogate range: only then can a parsed string hold a lone surrogate,
# which no database, log or JSON answer can encode (echoed in an error, it ends in a 500).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyTooLarge(APIException):
    status_code = 413
    default_detail = ERROR_BODY_TOO_LARGE.format(limit=DEFAULT_BODY_LIMIT)
    default_code = "too_large"


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_BODY_LIMIT


def _line_column(text: str, position: int) -> tuple[int, int]:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


class _BadLiteral(ValueError):
    """Raised from json's hooks; the parser finds where the literal stands."""

    def __init__(self, literal: str, message: str):
        super().__init__(literal)
        self.literal = literal
        self.message = message


def _parse_constant(literal: str):
    raise _BadLiteral(literal, ERROR_CONSTANT)


def _parse_float(literal: str) -> float:
    value = float(literal) if len(literal) <= MAX_NUMBER_LENGTH else math.inf
    if not math.isfinite(value):
        raise _BadLiteral(literal, ERROR_NUMBER)
    return value


def _parse_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_LENGTH:
        raise _BadLiteral(literal, ERROR_NUMBER)
    return int(literal)


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
    return key if len(key) <= MAX_NAME_SHOWN else key[:MAX_NAME_SHOWN] + "…"


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


def _literal_position(text: str, literal: str) -> int:
    for match in _LITERALS.finditer(text):
        if match.group() == literal:
            return match.start()
    return 0


def json_parse(raw: bytes, *, encoding: str = "utf-8") -> object:
    """Bytes to Python values, or a ParseError that names the byte, line, column or path."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ParseError(ERROR_ENCODING.format(encoding=encoding, position=exc.start)) from exc
    text = text.removeprefix("\ufeff")  # a byte-order mark some clients write
    too_deep = json_too_deep_at(text, MAX_JSON_DEPTH)
    if too_deep is not None:
        path, position = too_deep
        line, column = _line_column(text, position)
        raise ParseError(
            ERROR_DEPTH.format(limit=MAX_JSON_DEPTH, path=path, line=line, column=column)
        )
    try:
        value = json.loads(
            text,
            parse_constant=_parse_constant,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except _BadLiteral as exc:
        line, column = _line_column(text, _literal_position(text, exc.literal))
        shown = exc.literal if len(exc.literal) <= MAX_NAME_SHOWN else exc.literal[:20] + "…"
        raise ParseError(exc.message.format(literal=shown, line=line, column=column)) from exc
    except json.JSONDecodeError as exc:
        reason = _REASONS.get(exc.msg, exc.msg)
        raise ParseError(
            ERROR_SYNTAX.format(line=exc.lineno, column=exc.colno, reason=reason)
        ) from exc
    except (RecursionError, ValueError) as exc:
        # Not expected after the depth check; kept so that no body can end in a 500.
        raise ParseError(ERROR_SYNTAX.format(line=1, column=1, reason=str(exc)[:200])) from exc
    if _SURROGATE_ESCAPE.search(text):
        surrogate = lone_surrogate_at(value)
        if surrogate is not None:
            path, code = surrogate
            raise ParseError(ERROR_SURROGATE.format(path=path, code=code))
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the bounds above. (DRF hands a JSON parser the request's
    body, which Django has already held to DATA_UPLOAD_MAX_MEMORY_SIZE; the parser checks
    again for any other caller.)"""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        try:
            encoding = get_encoding(parser_context)
        except ParseError as exc:
            charset = str(parser_context.get("encoding", ""))[:MAX_NAME_SHOWN]
            raise ParseError(ERROR_CHARSET.format(charset=charset)) from exc
        limit = body_limit()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(ERROR_BODY_TOO_LARGE.format(limit=limit))
        return json_parse(raw, encoding=encoding)


class StrictSerializer(serializers.Serializer):
    """A serializer for a request body that refuses fields it does not know: a misspelt
    field would otherwise be dropped without a word and its value lost."""

    def to_internal_value(self, data):
        errors: dict = {}
        if isinstance(data, Mapping):
            known = set(self.fields)
            unknown = [key for key in data if key not in known][:MAX_UNKNOWN_SHOWN]
            errors = {_shown(str(key)): [ERROR_UNKNOWN_FIELD] for key in unknown}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors:
                raise
            detail = exc.detail if isinstance(exc.detail, Mapping) else {}
            raise serializers.ValidationError({**detail, **errors}) from exc
        if errors:
            raise serializers.ValidationError(errors)
        return value


class EmptyBodySerializer(StrictSerializer):
    """For actions that take no input: an object with no fields, or no body at all."""


def _shown(name: str) -> str:
    return name if len(name) <= MAX_NAME_SHOWN else name[:MAX_NAME_SHOWN] + "…"


def validation_error_body(exc: DjangoValidationError) -> dict:
    """A Django ValidationError as DRF's 400 body: field names as keys, non_field_errors
    for the rest."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
        for field, messages in exc.message_dict.items()
    }


def api_exception_handler(exc, context):
    """DRF's handler, after Django's own input errors have become DRF's: a body over the
    size limit (413) and a ValidationError or SuspiciousOperation from below (400)."""
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which is this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(ERROR_BODY_TOO_LARGE.format(limit=body_limit()))
    elif isinstance(exc, DjangoValidationError):
        exc = serializers.ValidationError(validation_error_body(exc))
    elif isinstance(exc, SuspiciousOperation):
        exc = ParseError(str(exc) or None)
    return drf_exception_handler(exc, context)
