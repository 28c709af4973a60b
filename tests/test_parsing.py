"""The safe parser: the notations students use, and located format errors."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.parsing import MAX_INPUT_CHARS, FormatError, parse_integer, parse_numbers, parse_single_number

NOTATIONS = [
    ("[-1, 99, 100, 1]", [-1, 99, 100, 1]),
    ("-1 99 100 1", [-1, 99, 100, 1]),
    ("(-1, 99, 100, 1)", [-1, 99, 100, 1]),
    ("(\u22121; 99; 100; 1)", [[-1], [99], [100], [1]]),
    ("[\u2212 1,\u00a0 2]", [-1, 2]),
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
    # LaTeX students paste
    ("\\begin{bmatrix} -1 & 0 \\\\ 0 & -1 \\end{bmatrix}", [[-1, 0], [0, -1]]),
    ("$\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}$", [[1], [2]]),
    ("\\left[ 1, 2 \\right]", [1, 2]),
    ("\\left( \\begin{array}{cc} 1 & 2 \\\\ 3 & 4 \\end{array} \\right)", [[[1, 2], [3, 4]]]),
    ("\\frac{7}{2}", Fraction(7, 2)),
    ("-\\frac{7}{2}", Fraction(-7, 2)),
    ("\\dfrac{-3}{4}", Fraction(-3, 4)),
    ("\\frac12", Fraction(1, 2)),
    ("[1,\\, 2]", [1, 2]),
    # prose, trailing commas and periods, scientific notation, Unicode
    ("y = [1, 2]", [1, 2]),
    ("y[n] = 1 2", [1, 2]),
    ("answer: 5", 5),
    ("The answer is 5.", 5),
    ("[1, 2, 3,]", [1, 2, 3]),
    ("[[1, 2,], [3, 4,],]", [[1, 2], [3, 4]]),
    ("[1, 2].", [1, 2]),
    ("1e-3", Fraction(1, 1000)),
    ("2.5E2", 250),
    ("\U0001d7cf\U0001d7d0", 12),  # mathematical bold digits
    ("\ufeff[1, 2]", [1, 2]),  # a byte-order mark at the start (an encoding artefact)
    ("1\r\n2", [[1], [2]]),
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
    ("1e99", "exponent", 0),
    # positions are in what the student wrote, after Unicode and LaTeX were rewritten
    ("y = [1, 2", "expected ']'", 9),
    ("(\u22121; 99; x)", "unexpected character 'x'", 9),
    ("\\begin{bmatrix} 1 & \\alpha \\end{bmatrix}", "\\alpha is not supported", 20),
    ("[1, 2, ?]", "unexpected character '?'", 7),
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


@pytest.mark.parametrize(("text", "value"), [("3,5", Fraction(7, 2)), ("-0,25", Fraction(-1, 4)),
                                             ("7/2", Fraction(7, 2)), ("\\frac{7}{2}", Fraction(7, 2)),
                                             ("x = 3.5", Fraction(7, 2))])
def test_single_number_with_decimal_comma(text, value):
    assert parse_single_number(text) == value


def test_thousands_comma_is_ambiguous_but_several_groups_are_not():
    for parse in (parse_single_number, parse_integer):
        with pytest.raises(FormatError, match="ambiguous") as caught:
            parse("1,000")
        assert caught.value.position == 1
        assert parse("1,234,567") == 1234567
    with pytest.raises(FormatError, match="a list of 2"):
        parse_single_number("[1, 2]")


def test_caret_line_points_at_the_original_text():
    text = "(\u22121; 99; x)"
    with pytest.raises(FormatError) as caught:
        parse_numbers(text)
    message, line, caret = caught.value.explain().split("\n")
    assert line == text and caret.index("^") == text.index("x")


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
