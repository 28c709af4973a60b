"""parse_numbers reads two notations of integers without its parser: JSON's lists ('[[1, 0], [0, 1]]', by json.loads)
and rows without brackets ('1 0; 0 1').

A shortcut is right only if the parser reads every such text to the same value, without an error: these tests run
the parser itself (grader.parsing._Parser, the path every other text takes) on texts in those notations and around
them, and compare.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from grader.parsing import (
    _INTEGER_ROWS,
    _LISTED,
    MAX_DIGITS,
    FormatError,
    _Parser,
    _plain,
    parse_integer,
    parse_numbers,
    read,
)


def parsed_by_the_parser(text: str) -> object:
    try:
        return _plain(_Parser(read(text)).parse())
    except FormatError as error:
        return error.message


def listed(text: str) -> bool:
    return _LISTED.fullmatch(read(text).text) is not None


def in_rows(text: str) -> bool:
    return _INTEGER_ROWS.fullmatch(read(text).text) is not None


SPACE = st.text(alphabet=" \t", max_size=2)
INTEGER = st.one_of(st.integers(-10**6, 10**6), st.integers(1 - 10**MAX_DIGITS, 10**MAX_DIGITS - 1))


def spaced(items: list[str], spaces: list[str]) -> str:
    return "[" + spaces[0] + ",".join(f"{spaces[i % len(spaces)]}{item}{spaces[(i + 1) % len(spaces)]}"
                                      for i, item in enumerate(items)) + spaces[-1] + "]"


@st.composite
def json_lists(draw: st.DrawFn) -> str:
    """An integer, a list of integers or a list of such lists, in JSON's notation with random spaces and tabs."""
    spaces = draw(st.lists(SPACE, min_size=1, max_size=4))
    depth = draw(st.integers(0, 2))
    if depth == 0:
        return spaces[0] + str(draw(INTEGER)) + spaces[-1]
    rows = draw(st.lists(st.lists(INTEGER, min_size=1, max_size=6), min_size=1, max_size=5))
    lines = [spaced([str(v) for v in row], spaces) for row in rows]
    return lines[0] if depth == 1 else spaced(lines, spaces)


@settings(max_examples=400, deadline=None)
@given(json_lists())
def test_the_parser_reads_json_lists_as_json_does(text: str) -> None:
    assert listed(text)
    assert parsed_by_the_parser(text) == parse_numbers(text)


@st.composite
def integer_rows(draw: st.DrawFn) -> str:
    """Rows of integers without brackets: entries apart by spaces, tabs or a comma, rows by ';' or a line break."""
    apart = st.sampled_from([" ", "  ", "\t", ",", ", ", " ,", " , "])
    between = st.sampled_from([";", "; ", " ;", "\n", " \n ", "\r\n"])
    rows = draw(st.lists(st.lists(INTEGER, min_size=1, max_size=6), min_size=1, max_size=5))
    text = ""
    for number, row in enumerate(rows):
        text += (draw(between) if number else draw(SPACE)) + str(row[0])
        text += "".join(draw(apart) + str(value) for value in row[1:])
    return text + draw(SPACE)


@settings(max_examples=400, deadline=None)
@given(integer_rows())
def test_the_parser_reads_rows_of_integers_as_the_shortcut_does(text: str) -> None:
    assert in_rows(text)
    assert parsed_by_the_parser(text) == parse_numbers(text)


NEAR = st.sampled_from(["[", "]", ",", " ", "\t", "-", "0", "1", "7", "00", "[]", "[[", "]]", ", ,", "- 1", "\n", ";",
                        "1" * MAX_DIGITS, "9" * (MAX_DIGITS + 1), "+", ".", "1e3", "−"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(NEAR, max_size=14).map("".join))
def test_texts_around_the_notation_read_as_the_parser_reads_them(text: str) -> None:
    """Empty brackets, a third level, signs apart from their digits, leading zeros, 61 digits, row breaks …: where
    the shortcut applies the parser agrees, elsewhere the parser reads the text."""
    try:
        value: object = parse_numbers(text)
    except FormatError as error:
        value = error.message
    assert value == parsed_by_the_parser(text)


def test_the_shortcuts_leave_out_what_the_parser_refuses_or_reads_otherwise() -> None:
    for text in ["[]", "[[1], []]", "[[[1]]]", "[1, 2,]", "[1 2]", "[1, - 2]", "[01]", "[1,\n2]",
                 "1" * (MAX_DIGITS + 1), "[1; 2]", "(1, 2)", "[1, 2.5]", "+1"]:
        assert not listed(text), text
    for text in ["1 - 2", "1-2", "1 2;", ";1 2", "1 2,", "1,,2", "01 2", "1 2.5", "1 +2", "[1] 2", "1/2"]:
        assert not in_rows(text), text
    assert parse_numbers("[1,\n2]") == [[1], [2]]  # a row break inside brackets makes rows: not JSON's [1, 2]
    assert parse_numbers("[01, -0]") == [1, 0]
    assert parse_numbers("1; 2") == [[1], [2]] == parse_numbers("1;;\n 2")
    assert parse_numbers("7") == 7 and parse_numbers("1 -2") == [1, -2]
    assert parse_integer("61 706") == 61706 and parse_integer("-0") == 0
