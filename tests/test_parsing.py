"""The safe parser: the notations students use, and located format errors."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
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


# -- what students mean (issue 14, section 3) ------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "value"), [
    ("60000", 60000), ("60 000", 60000), ("60\u2009000", 60000), ("60\u00a0000", 60000), ("60\u202f000", 60000),
    ("-1 234 567", -1234567), ("1,234,567", 1234567), ("1.234.567", 1234567), ("60 000,5", Fraction(120001, 2)),
    ("&minus;3", -3), ("&#8722;3", -3), ("&#x2212;3", -3), ("\uff13\uff10", 30), ("\ufeff42", 42),
])
def test_single_numbers_read_as_meant(text, value):
    assert parse_single_number(text) == value


@pytest.mark.parametrize(("text", "message"), [
    ("60.000", "'60.000' is ambiguous: write 60000 (or 60 000) if the point separates thousands, 60 if it is a "
               "decimal point"),
    ("60,000", "'60,000' is ambiguous: write 60000 (or 60 000) if the comma separates thousands, 60 if it is a "
               "decimal comma"),
    ("1.250", "1.25 if it is a decimal point"),
    ("60_000", "'_' does not group digits here: write 60000"),
    ("5.1111111", "5.1111111 is a rounded decimal: write it exactly, e.g. 46/9"),
    ("-0.6667", "0.6667 is a rounded decimal: write it exactly, e.g. 2/3"),
    ("0.1666667", "write it exactly, e.g. 1/6"),
    ("3²", "superscripts (²) are not read here"),
    ("10\u2074", "superscripts (⁴) are not read here"),
    ("5 - 3", "ambiguous (a difference, or two entries?)"),
])
def test_single_numbers_refused_with_what_to_write(text, message):
    with pytest.raises(FormatError) as caught:
        parse_single_number(text)
    assert message in caught.value.message


def test_an_integer_refuses_a_point_before_three_digits():
    with pytest.raises(FormatError, match="would not give a whole number"):
        parse_integer("61.706")
    assert parse_integer("61 706") == parse_integer("61706") == 61706


@pytest.mark.parametrize(("text", "value"), [
    ("0.125", Fraction(1, 8)),  # exact as written
    ("0.33", Fraction(33, 100)),  # too short to show a repeating digit
    ("1.414", Fraction(707, 500)),  # not a repeating decimal
    ("3.1416", Fraction(3927, 1250)),
    ("1.125", Fraction(9, 8)),
])
def test_decimals_that_do_not_repeat_are_exact(text, value):
    assert parse_single_number(text) == value


def test_approximate_numbers_may_repeat():
    assert parse_single_number("0.3333", exact=False) == Fraction(3333, 10000)


@pytest.mark.parametrize(("text", "value"), [
    ("1 -2 3", [1, -2, 3]),  # a space before the sign, none after: a negative entry, as numpy prints it
    ("[1, - 2]", [1, -2]),  # after a separator a sign is the entry's
    ("60 000", [60, 0]),  # in a list, spaces separate entries
    ("[0.500, 1.125]", [Fraction(1, 2), Fraction(9, 8)]),
])
def test_lists_read_as_meant(text, value):
    assert parse_numbers(text) == value


@pytest.mark.parametrize(("text", "message", "position"), [
    ("[1..2]", "'1..2' is not a number: one decimal point at most", 1),
    ("[1.2.3, 4]", "'1.2.3' is not a number", 1),
    ("[1 - 2]", "'-' between two entries is ambiguous", 3),
    ("[1-2, 3]", "'-' between two entries is ambiguous", 2),
    ("[1 + 2]", "'+' between two entries is ambiguous", 3),
    ("[60.000, 1]", "'60.000' is ambiguous: write 60000 if the point separates thousands", 1),
    ("[1, 5.1111]", "5.1111 is a rounded decimal: write it exactly, e.g. 46/9", 4),
    ("[1,\u200b 2]", "an invisible character (U+200B ZERO WIDTH SPACE)", 3),
    ("\u202e[1, 2]", "an invisible character (U+202E RIGHT-TO-LEFT OVERRIDE)", 0),
    ("[1, 2]\u2066", "U+2066", 6),
    ("[1, \ufeff2]", "U+FEFF", 4),
    ("[1, 2\x1b]", "a control character (U+001B", 5),
    ("[1, &#8238;2]", "U+202E", 4),
    ("[1, 2\u2082]", "subscripts (₂) are not read here", 5),
])
def test_lists_refused_with_the_place(text, message, position):
    with pytest.raises(FormatError) as caught:
        parse_numbers(text)
    assert message in caught.value.message and caught.value.position == position


@pytest.mark.parametrize(("text", "value"), [
    ("&lt;1, 2&gt;", None),  # decoded, then refused as the characters they are
    ("\uff3b1\uff0c 2\uff3d", [1, 2]),  # fullwidth brackets, comma, digits
    ("\u30101, 2\u3011", [1, 2]),  # CJK lenticular brackets
    ("[1,&nbsp;2]", [1, 2]),
    ("[&minus;1, 2]", [-1, 2]),
    ("[\u20101, \u22122]", [-1, -2]),  # hyphen and minus sign
])
def test_entities_and_look_alikes(text, value):
    if value is None:
        with pytest.raises(FormatError, match="unexpected character '<'"):
            parse_numbers(text)
    else:
        assert parse_numbers(text) == value


PIECES = st.sampled_from(["1", "60", "000", ".", ",", " ", "\u2009", "\u00a0", "-", "+", "/", "[", "]", ";", "\n",
                          "&nbsp;", "&minus;", "&#8238;", "&lt;", "&amp;", "&", "\u202e", "\u200b", "\ufeff", "\u2066",
                          "²", "⁴", "₂", "\uff11", "\u2022", "\u02c6", "_", "e5", "5.1111", "0.6667", "..", "1 - 2",
                          "\\frac{1}{3}", "\x1b", "\x00", "\ud800"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(PIECES, max_size=30).map("".join)))
def test_number_parsers_raise_only_format_errors(text):
    for parse in (parse_numbers, parse_single_number, parse_integer,
                  lambda t: parse_single_number(t, exact=False)):
        try:
            parse(text)
        except FormatError:
            pass


# -- LaTeX typed over several lines (issue 22, section 2) -------------------------------------------------------------
ENVIRONMENTS = ("bmatrix", "pmatrix", "Bmatrix", "vmatrix", "Vmatrix", "matrix", "smallmatrix", "array")


def test_a_matrix_typed_over_several_lines_is_read_like_one_line():
    import exercises

    several = "\\begin{bmatrix}\n8 & -10 \\\\\n-1 & 6\n\\end{bmatrix}"
    assert parse_numbers(several) == parse_numbers(several.replace("\n", " ")) == [[8, -10], [-1, 6]]
    seed_2 = {"kernel": [[-1, -2], [-1, 0]], "image": [[0, 1, 3], [4, 3, 4], [0, 4, 0], [2, 1, 1]],
              "delta": [[2, -1], [1, -1], [-2, 2]]}  # the variant: seed 2 of conv-backprop version 1
    result = exercises.answer("conv-backprop", "grad_kernel", several, **seed_2)
    assert result["status"] == "correct", result


@pytest.mark.parametrize(("text", "value"), [
    ("\\begin{pmatrix}\r\n1 & 2 \\\\\r\n3 & 4 \\\\\r\n\\end{pmatrix}", [[1, 2], [3, 4]]),  # CRLF, a last \\
    ("\\begin{array}{rr}\n1 & 2 \\\\ \\hline\n3 & 4\n\\end{array}", [[1, 2], [3, 4]]),
    ("\\begin{array} {c|c}\n1 & 2\n\\end{array}", [1, 2]),
    ("$$\n\\begin{vmatrix}\n  1 \\\\\n  2\n\\end{vmatrix}\n$$", [[1], [2]]),
    ("\\[\n\\begin{matrix}\n\\frac{1}{2} & -3\n\\end{matrix}\n\\]", [Fraction(1, 2), -3]),
])
def test_latex_environments_over_several_lines(text, value):
    assert parse_numbers(text) == value


@st.composite
def latex_matrices(draw):
    """A matrix, and how a student types it: any known environment, rows on lines of their own (LF or CRLF),
    spaces around the separators, a trailing \\\\ or none, inside $$ … $$, \\[ … \\] or bare."""
    rows, cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    entries = st.one_of(st.integers(-99, 99), st.fractions(min_value=-9, max_value=9, max_denominator=9))
    matrix = [[draw(entries) for _ in range(cols)] for _ in range(rows)]
    newline, space = draw(st.sampled_from(["\n", "\r\n"])), draw(st.sampled_from(["", " ", "  ", "\t"]))
    environment = draw(st.sampled_from(ENVIRONMENTS))
    written = [f"{space}&{space}".join(_latex_entry(v) for v in row) for row in matrix]
    body = f"{space}\\\\{newline}".join(written) + (f"{space}\\\\{newline}" if draw(st.booleans()) else newline)
    columns = "{" + "c" * cols + "}" if environment == "array" else ""
    text = f"\\begin{{{environment}}}{columns}{newline}{body}\\end{{{environment}}}"
    before, after = draw(st.sampled_from([("", ""), (f"$${newline}", f"{newline}$$"), ("\\[", "\\]"), ("$", "$")]))
    return matrix, before + text + after


def _latex_entry(value: Fraction) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{'-' if value < 0 else ''}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


@settings(max_examples=200, deadline=None)
@given(latex_matrices())
def test_latex_matrices_over_several_lines_grade_as_typed(case):
    from grader import Matrix, Vector, grade

    matrix, text = case
    assert grade(Matrix(value=matrix), text).status == "correct", text
    if len(matrix) == 1 or len(matrix[0]) == 1:  # a row or a column is a vector too
        assert grade(Vector(value=[v for row in matrix for v in row]), text).status == "correct", text
