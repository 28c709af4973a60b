"""The safe parser: the notations students use, and located format errors."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.parsing import MAX_INPUT_CHARS, FormatError, parse_numbers

NOTATIONS = [
    ("[-1, 99, 100, 1]", [-1, 99, 100, 1]),
    ("-1 99 100 1", [-1, 99, 100, 1]),
    ("(-1, 99, 100, 1)", [-1, 99, 100, 1]),
    ("(\u22121; 99; 100; 1)", [[-1], [99], [100], [1]]),
    ("[\u2212 1,\u200f 2]", [-1, 2]),
    ("[[1,0],[0,1]]", [[1, 0], [0, 1]]),
    ("1 0; 0 1", [[1, 0], [0, 1]]),
    ("1 0\n0 1\n", [[1, 0], [0, 1]]),
    ("[1 2; 3 4]", [[1, 2], [3, 4]]),
    ("[[1, 2]; [3, 4]]", [[1, 2], [3, 4]]),
    ("[1,2]\n[3,4]", [[1, 2], [3, 4]]),
    ("7/2", Fraction(7, 2)),
    ("-7/-2", Fraction(7, 2)),
    ("0.5", Fraction(1, 2)),
    ("4/2", 2),
    ("  42  ", 42),
]


@pytest.mark.parametrize(("text", "value"), NOTATIONS)
def test_notations(text, value):
    assert parse_numbers(text) == value


MALFORMED = [
    ("[[-1, 0, 0], [0, -1", "expected ']'", 19),
    ("[1, 2)", "closed by", 5),
    ("1, , 2", "expected a number", 3),
    ("abc", "unexpected character", 0),
    ("[]", "empty bracket", 1),
    ("1/0", "division by zero", 2),
    ("__import__('os')", "unexpected character", 0),
]


@pytest.mark.parametrize(("text", "message", "position"), MALFORMED)
def test_malformed_is_located(text, message, position):
    with pytest.raises(FormatError) as caught:
        parse_numbers(text)
    assert message in caught.value.message
    assert caught.value.position == position
    assert "^" in caught.value.explain()


def test_bounds():
    with pytest.raises(FormatError, match="too long"):
        parse_numbers("1 " * MAX_INPUT_CHARS)
    with pytest.raises(FormatError, match="digits"):
        parse_numbers("9" * 100)
    with pytest.raises(FormatError, match="nested too deeply"):
        parse_numbers("[" * 50 + "1" + "]" * 50)
    with pytest.raises(FormatError, match="NUL"):
        parse_numbers("1\x002")


@given(st.text(max_size=200))
def test_never_raises_anything_but_format_error(text):
    try:
        parse_numbers(text)
    except FormatError:
        pass


@given(st.lists(st.integers(-10**6, 10**6), min_size=1, max_size=20))
def test_round_trip_of_lists(values):
    assert parse_numbers(str(values)) == values
    assert parse_numbers(" ".join(map(str, values))) == (values if len(values) > 1 else values[0])
