"""The one CSV reader and the bounded JSON reader (lotsen.ingest): every problem is an
error with its line (and column), never an exception from the csv or json module."""

from __future__ import annotations

import io

import pytest

from lotsen.ingest import csvfile, jsonfile
from lotsen.ingest.csvfile import CsvFileError, CsvProblem, csv_file_read
from lotsen.ingest.jsonfile import JsonDocumentError, TooLarge, json_document_read


def problems(data, **options) -> list[str]:
    with pytest.raises(CsvFileError) as raised:
        csv_file_read(data, **options)
    return [str(p) for p in raised.value.problems]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_is_read_and_lines_are_numbered(newline):
    data = newline.join(["a;b", "1;2", "", '3;"x' + newline + 'y"', "5;6", ""]).encode()
    read = csv_file_read(data, required=("a", "b"), multiline=("b",))
    assert read.delimiter == ";"
    assert [line for line, _ in read.rows] == [2, 4, 6]
    assert read.rows[1][1] == {"a": "3", "b": "x" + newline + "y"}


def test_a_byte_order_mark_headers_in_any_case_and_a_file_object():
    read = csv_file_read(io.BytesIO("\ufeff A ,B\n1,2\n".encode()), required=("a", "b"))
    assert read.rows == [(2, {"a": "1", "b": "2"})]


def test_a_short_row_reads_the_missing_values_as_empty():
    assert csv_file_read(b"a,b,c\n1\n", required=("a",), optional=("b", "c")).rows == [
        (2, {"a": "1", "b": "", "c": ""})
    ]


def test_value_problems_name_line_and_column():
    long_value = "x" * 1_000_000
    data = f'a,b\n1,"{long_value}"\n2,A\x00B\n3,ok,extra\n4,"two\nlines"\n'.encode()
    assert problems(data, required=("a", "b")) == [
        "rad 2, kolumn b: " + csvfile.ERROR_FIELD_TOO_LONG.format(limit="10 000"),
        "rad 3, kolumn b: " + csvfile.ERROR_CONTROL_CHARACTER.format(code="U+0000"),
        "rad 4: " + csvfile.ERROR_TOO_MANY_VALUES.format(found=3, expected=2),
        "rad 5, kolumn b: " + csvfile.ERROR_LINE_BREAK,
    ]


def test_row_problems_can_be_collected_with_the_good_rows():
    read = csv_file_read(b"a,b\n1,2\n3,4,5\n", required=("a", "b"), collect_row_problems=True)
    assert read.rows == [(2, {"a": "1", "b": "2"})]
    assert read.problems == [
        CsvProblem(3, "", csvfile.ERROR_TOO_MANY_VALUES.format(found=3, expected=2))
    ]


def test_file_problems():
    assert problems(b"", required=("a",)) == ["rad 1: " + csvfile.ERROR_EMPTY]
    assert problems(b"a\n", required=("a",)) == ["rad 2: " + csvfile.ERROR_NO_ROWS]
    assert problems(b"a\n1\n\xff\n", required=("a",)) == ["rad 3: " + csvfile.ERROR_NOT_UTF8]
    assert problems(b"a\r1\r\xff\r", required=("a",)) == ["rad 3: " + csvfile.ERROR_NOT_UTF8]
    assert problems(b'a,b\n1,"open\n2,3\n', required=("a",), optional=("b",)) == [
        "rad 2: " + csvfile.ERROR_BAD_QUOTING
    ]
    assert problems(b"a\n1\n2\n3\n", required=("a",), max_rows=2) == [
        "rad 4: " + csvfile.ERROR_TOO_MANY_ROWS.format(limit=2)
    ]
    assert problems(b"a\n" + b"1\n" * 100, required=("a",), max_bytes=50) == [
        "rad 26: " + csvfile.ERROR_TOO_LARGE.format(limit=1)
    ]


def test_header_problems():
    assert problems(b"a,a,x,\n1,2,3,4\n", required=("a", "b")) == [
        "rad 1, kolumn b: " + csvfile.ERROR_MISSING_COLUMN,
        "rad 1, kolumn a: " + csvfile.ERROR_DUPLICATE_COLUMN,
        "rad 1, kolumn x: " + csvfile.ERROR_UNKNOWN_COLUMN.format(known="a, b"),
        "rad 1: " + csvfile.ERROR_EMPTY_COLUMN_NAME.format(position=4),
    ]
    # optional=None reads whatever columns there are.
    assert csv_file_read(b"x,y\n1,2\n", optional=None).header == ["x", "y"]


def test_json_depth_numbers_and_constants_are_bounded():
    with pytest.raises(JsonDocumentError, match=r"djupare än 32 nivåer: vid \$\[0\]"):
        json_document_read("\n" + "[" * 100_000 + "]" * 100_000)
    # Brackets inside strings do not count.
    assert json_document_read('{"a": "' + "[" * 1000 + '"}') == {"a": "[" * 1000}
    long = '{"n": ' + "9" * 5000 + "}"
    assert json_document_read(long, keep_large_numbers=True) == {"n": TooLarge(5000)}
    assert json_document_read('{"n": 10}') == {"n": 10}
    with pytest.raises(JsonDocumentError, match="NaN"):
        json_document_read('{"n": NaN}')
    with pytest.raises(JsonDocumentError, match=r"fel vid byte 8 \(rad 2\)"):
        json_document_read(b'{\n"a": "\xff"}')
    with pytest.raises(JsonDocumentError, match=jsonfile.ERROR_TOO_LARGE.format(limit=1)[:20]):
        json_document_read(b"[" + b"1," * 10 + b"1]", max_bytes=5)


def read_refusal(data, **options) -> str:
    with pytest.raises(JsonDocumentError) as raised:
        json_document_read(data, **options)
    return str(raised.value)


def test_json_reader_names_path_line_and_column_for_every_refusal():
    """The one reader serves files and API bodies: nesting names the JSON path as well as
    line and column, NaN its column, a lone surrogate its path."""
    deep = '{"name": "x",\n "subprojects": [{"goals": ' + "[" * 50 + "]" * 50 + "}]}"
    assert read_refusal(deep) == jsonfile.ERROR_DEPTH.format(
        limit=32, path="$.subprojects[0].goals" + "[0]" * 29, line=2, column=57
    )
    assert read_refusal('{"a": 1,\n "b": NaN}') == jsonfile.ERROR_CONSTANT.format(
        literal="NaN", line=2, column=7
    )
    assert read_refusal('{"list": ["ok", "a\\udc00"]}') == jsonfile.ERROR_SURROGATE.format(
        path="$.list[1]", code=0xDC00
    )
    assert read_refusal('{"a": 1,\n "b": }') == jsonfile.ERROR_SYNTAX.format(
        line=2, column=7, reason="ett värde saknas"
    )


def test_json_reader_has_one_number_rule_with_the_limit_as_a_parameter():
    # Over the limit: refused naming line and column, or kept as TooLarge when asked.
    assert read_refusal('{"n":\n 1234}', max_number_digits=3) == jsonfile.ERROR_NUMBER.format(
        line=2, column=2
    )
    assert json_document_read('{"n": -1234}', max_number_digits=3, keep_large_numbers=True) == {
        "n": TooLarge(4)
    }
    assert json_document_read('{"n": -123}', max_number_digits=3) == {"n": -123}
    # A float that overflows is too large whatever its length.
    assert read_refusal('{"n": 1e400}') == jsonfile.ERROR_NUMBER.format(line=1, column=7)
    assert json_document_read("[1e400]", keep_large_numbers=True) == [TooLarge(5)]
    # Python refuses integers of more than 4,300 digits: the default limit stays below.
    assert read_refusal("[" + "9" * 5000 + "]") == jsonfile.ERROR_NUMBER.format(line=1, column=2)


def test_json_reader_over_max_bytes_is_its_own_error():
    with pytest.raises(jsonfile.JsonDocumentTooLarge):
        json_document_read(b"[1, 2]", max_bytes=5)
