"""Read a JSON document that a person or another system hands Lotsen, within bounds.

Python's json module recurses once per nesting level (a few thousand ``[`` raise
RecursionError), turns a 5,000-digit number into a ValueError and accepts NaN and
Infinity. ``json_document_read`` measures the nesting before parsing, keeps numbers that
no column can hold as ``TooLarge`` (so the caller names the JSON path that holds one) and
refuses NaN and Infinity; every other failure is a ``JsonDocumentError`` naming the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 30

ERROR_NOT_UTF8 = "Filen är inte UTF-8 (rad {line}). Spara den som UTF-8 och försök igen."
ERROR_TOO_LARGE = "Filen är större än {limit} MB."
ERROR_INVALID = "Filen är inte giltig JSON: {reason} (rad {line}, tecken {column})."
ERROR_TOO_DEEP = "JSON är nästlad djupare än {limit} nivåer (rad {line}, tecken {column})."
ERROR_CONSTANT = "{value} är inget tal i JSON"

_STRUCTURE = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JsonDocumentError(ValueError):
    """The document cannot be read; ``str()`` says where and why."""


@dataclass(frozen=True)
class TooLarge:
    """A number with more digits than any column holds; its text is not kept."""

    digits: int


def json_document_read(
    data: bytes | str, *, max_bytes: int = MAX_DOCUMENT_BYTES, max_depth: int = MAX_DEPTH
) -> Any:
    if len(data) > max_bytes:
        raise JsonDocumentError(ERROR_TOO_LARGE.format(limit=max(1, max_bytes // 2**20)))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise JsonDocumentError(ERROR_NOT_UTF8.format(line=line)) from None
    else:
        data = data.removeprefix("\ufeff")
    _depth_check(data, max_depth)
    try:
        return json.loads(data, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise JsonDocumentError(
            ERROR_INVALID.format(reason=error.msg, line=error.lineno, column=error.colno)
        ) from None
    except _Constant as error:
        raise JsonDocumentError(
            ERROR_INVALID.format(reason=str(error), line=_line(data, error.at), column=1)
        ) from None


def json_path(parent: str, key: str | int) -> str:
    return f"{parent}[{key}]" if isinstance(key, int) else f"{parent}.{key}"


def _depth_check(text: str, max_depth: int) -> None:
    """Count brackets outside strings; strings are skipped whole by the pattern."""
    depth = 0
    for match in _STRUCTURE.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > max_depth:
                start = match.start()
                line = text.count("\n", 0, start) + 1
                column = start - (text.rfind("\n", 0, start) + 1) + 1
                raise JsonDocumentError(
                    ERROR_TOO_DEEP.format(limit=max_depth, line=line, column=column)
                )
        elif bracket in "]}":
            depth -= 1


class _Constant(ValueError):
    def __init__(self, value: str) -> None:
        super().__init__(ERROR_CONSTANT.format(value=value))
        self.at = 0


def _int(text: str) -> int | TooLarge:
    digits = len(text.lstrip("-"))
    return int(text) if digits <= MAX_NUMBER_CHARS else TooLarge(digits)


def _constant(text: str) -> Any:
    raise _Constant(text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
