"""The API's JSON parser (lotsen.pages.api.json_parse, over the one bounded reader in
lotsen.ingest.jsonfile) on its own: what it accepts, and where its refusals point."""

from __future__ import annotations

import time

import pytest
from rest_framework.exceptions import ParseError

from lotsen.ingest.jsonfile import json_depth
from lotsen.pages.api import MAX_JSON_DEPTH, BodyTooLarge, json_parse


def refusal(raw: bytes, **kwargs) -> str:
    with pytest.raises(ParseError) as caught:
        json_parse(raw, **kwargs)
    return str(caught.value.detail)


def test_ordinary_bodies_parse():
    assert json_parse(b'{"a": [1, 2.5, "x", null, true], "b": {"c": "\\u00e5"}}') == {
        "a": [1, 2.5, "x", None, True],
        "b": {"c": "å"},
    }
    assert json_parse('\ufeff{"q": "Åsa"}'.encode()) == {"q": "Åsa"}  # byte-order mark
    assert json_parse(b'{"e": "\\ud83d\\ude00"}') == {"e": "\U0001f600"}  # a proper pair
    assert json_parse(b'{"s": "[[[[[[[[[[[[{{{{{{{{{{"}') == {"s": "[[[[[[[[[[[[{{{{{{{{{{"}
    assert json_parse('{"q": "\xe5"}'.encode("latin-1"), encoding="latin-1") == {"q": "å"}


def test_depth_is_counted_outside_strings_and_limited():
    assert json_depth('{"a": "[[[[", "b": [[1]]}') == 3
    assert json_depth('"\\"[[["') == 0
    ok = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    assert json_parse(ok) is not None
    assert "vid $[0][0][0][0][0][0][0][0] (rad 1, kolumn 9)" in refusal(b"[" + ok + b"]")
    body = b'{"a": 1,\n "list": [0, {"k": [' + b"[" * 20 + b"]" * 20 + b"]}]}"
    assert "vid $.list[1].k[0][0][0][0][0] (rad 2, kolumn 25)" in refusal(body)


def test_a_hundred_thousand_levels_are_refused_quickly():
    started = time.perf_counter()
    assert "$[0][0]" in refusal(b"[" * 100_000 + b"]" * 100_000)
    assert "$.a.a.a" in refusal(b'{"a": ' * 100_000 + b"1" + b"}" * 100_000)
    # Unterminated strings and escapes keep the scan linear.
    assert refusal(b'"\\"\\"' * 200_000)
    assert time.perf_counter() - started < 5


def test_refusals_name_the_byte_line_and_column():
    assert refusal(b'{"a": "\xff"}') == (
        "JSON-dokumentet är inte giltig UTF-8: fel vid byte 7 (rad 1)."
    )
    assert refusal(b'{"a": 1,\n "b": }') == "Ogiltig JSON på rad 2, kolumn 7: ett värde saknas."
    assert refusal(b'{"a": 1,\n "b": NaN}') == "NaN på rad 2, kolumn 7 är inget tal i JSON."
    assert refusal(b'{"a": "1e400",\n "b": 1e400}') == "Talet på rad 2, kolumn 7 är för stort."
    assert refusal(b'{"n": ' + b"9" * 2000 + b"}") == "Talet på rad 1, kolumn 7 är för stort."
    assert "$.list[1]" in refusal(b'{"list": ["ok", "a\\udc00"]}')
    assert '$["\\\\ud800"]' in refusal(b'{"\\ud800": 1}')


def test_a_body_over_the_limit_is_413_from_the_reader(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    with pytest.raises(BodyTooLarge) as caught:
        json_parse(b'{"a": "01234567"}')
    assert str(caught.value.detail) == "Anropet är för stort: högst 10 byte."
    assert json_parse(b'{"a": "0"}') == {"a": "0"}
