"""Formulas: the notations students use, exact evaluation, equivalence, misconceptions, located errors."""

import re
from fractions import Fraction
from math import ceil, floor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader import Formula, Misconception, answer_from_json, grade
from grader.expression import evaluate, parse_conditions, parse_formula
from grader.parsing import FormatError

VARIABLES = ("n", "k", "p", "s")
RANGES = {"n": (1, 40), "k": (1, 7), "p": (0, 3), "s": (1, 4)}
OUTPUT_SIZE = Formula(
    value="floor((n + 2*p - k)/s) + 1", variables=VARIABLES, ranges=RANGES, where=("k <= n + 2*p",),
    misconceptions=(
        Misconception("no-plus-one", "Count the first position too: add 1.", "floor((n + 2*p - k)/s)"),
        Misconception("one-side-padding", "Padding p is added on both sides: 2p.", "floor((n + p - k)/s) + 1"),
    ),
)


def output_size(n, k, p, s):
    """The lecture's formula, by Python's own integer floor division."""
    return (n + 2 * p - k) // s + 1


@pytest.mark.parametrize("text", [
    "floor((n + 2*p - k)/s) + 1",
    "floor((n+2p-k)/s)+1",
    "1 + floor((n - k + 2 p) / s)",
    "⌊(n + 2p − k)/s⌋ + 1",
    "\\lfloor (n+2p-k)/s \\rfloor + 1",
    "\\left\\lfloor \\frac{n + 2p - k}{s} \\right\\rfloor + 1",
    "$\\lfloor\\frac{n+2\\cdot p-k}{s}\\rfloor+1$",
    "o = floor((n + 2*p - k)/s) + 1",
    "Floor((n + p + p - k)/s) + 1",
    "floor((n + 2 × p - k) ÷ s) + 1",
    "floor((n+2p-k)/s + 1)",
    "ceil((n + 2p - k + 1)/s)",  # the same function on integers
    "floor(-(k - n - 2p)/s) + 1",
])
def test_accepted_notations(text):
    assert grade(OUTPUT_SIZE, text).status == "correct"


def test_sympy_and_latex_forms_of_the_key_are_accepted():
    import sympy

    expression = OUTPUT_SIZE.expression()
    for text in (str(expression), sympy.latex(expression)):
        assert grade(OUTPUT_SIZE, text).status == "correct", text


POINT = re.compile(r"for (?P<point>(?:\w+ = -?\d+(?:, )?)+) your formula "
                   r"(?:gives (?P<got>-?\d+(?:/\d+)?)|has no value), but the answer is (?P<expected>-?\d+)\.")


@pytest.mark.parametrize(("text", "student"), [
    ("(n + 2p - k)/s + 1", lambda n, k, p, s: Fraction(n + 2 * p - k, s) + 1),
    ("floor((n - k)/s) + 1", lambda n, k, p, s: (n - k) // s + 1),
    ("floor((n + 2p - k)/(s - 1)) + 1", lambda n, k, p, s: None if s == 1 else (n + 2 * p - k) // (s - 1) + 1),
    ("n - k + 1", lambda n, k, p, s: n - k + 1),
])
def test_wrong_formula_is_shown_a_point_where_it_differs(text, student):
    result = grade(OUTPUT_SIZE, text)
    assert (result.status, result.score) == ("incorrect", 0.0)
    found = POINT.search(result.feedback)
    assert found, result.feedback
    point = {name: int(value) for name, value in re.findall(r"(\w+) = (-?\d+)", found.group("point"))}
    assert int(found.group("expected")) == output_size(**point)  # the claimed answer, recomputed here
    got = found.group("got")
    assert (None if got is None else Fraction(got)) == student(**point) != output_size(**point)


@pytest.mark.parametrize(("text", "misconception"), [
    ("floor((n+2p-k)/s)", "no-plus-one"),
    ("⌊(n + p - k)/s⌋ + 1", "one-side-padding"),
    ("1 + floor((p + n - k)/s)", "one-side-padding"),
])
def test_misconceptions_are_named(text, misconception):
    result = grade(OUTPUT_SIZE, text)
    assert (result.status, result.misconception) == ("incorrect", misconception)


@pytest.mark.parametrize(("text", "message", "at"), [
    ("floor((n+2p-k)/s)+1+x", "unknown name 'x': the formula may use n, k, p, s", "x"),
    ("floor((n+2p-k)/s+1", "expected ')' to close floor(", None),
    ("floor n", "write floor(…) with parentheses", "floor"),
    ("n 2", "expected an operator before this number", "2"),
    ("n^(1/2)", "only whole-number exponents", "^"),
    ("n^100", "exponents up to 64", "^"),
    ("9**9**9", "exponents up to 64", "**"),
    ("10^10^10", "exponents up to 64", "^"),
    ("n/0", "division by zero", "/"),
    ("\\sqrt{n}", "\\sqrt is not supported", "\\"),
    ("n + ", "expected a number, a variable or '('", None),
    ("max(n)", "max takes at least two arguments", "max"),
    ("floor(n, k)", "floor takes one argument", "floor"),
    ("n + k = 3", "unexpected '='", "="),
    ("\\frac{n}", "a second '{'", None),
    ("n # k", "unexpected character '#'", "#"),
])
def test_malformed_formulas_are_located(text, message, at):
    result = grade(OUTPUT_SIZE, text)
    assert result.status == "invalid" and message in result.feedback
    if at is not None:
        line, caret = result.feedback.split("\n")[-2:]
        assert line == text and caret.index("^") == text.index(at)


@pytest.mark.parametrize("text", ["(" * 60 + "n" + ")" * 60, "n" + "+n" * 400, "-" * 100 + "n"])
def test_size_bounds(text):
    result = grade(OUTPUT_SIZE, text)
    assert result.status == "invalid" and ("too deeply" in result.feedback or "too long" in result.feedback)


# -- parsing and exact evaluation against Python arithmetic ---------------------------------------------------------
AT = {"n": 7, "k": 3, "p": 2, "s": 2}
EVALUATIONS = [
    ("-k^2", -9),
    ("2^3^2", 512),  # right-associative
    ("2^-1", Fraction(1, 2)),
    ("n/2/2", Fraction(7, 4)),
    ("1/2n", Fraction(7, 2)),  # (1/2)·n, left to right
    ("2(n+1)", 16),
    ("(n+1)(n-1)", 48),
    ("np + ks", 20),
    ("n p", 14),
    ("k²", 9),
    ("⌈n/2⌉ + ⌊n/2⌋", 7),
    ("ceil(-n/2)", -3),
    ("floor(-n/2)", -4),
    ("max(n, k, 9) - min(p, s)", 7),
    ("\\frac{n}{2} \\cdot k", Fraction(21, 2)),
    ("n × k", 21),
    ("0.5n", Fraction(7, 2)),
    ("{n + 1}^{2}", 64),
    ("[n - k]^2", 16),
]


@pytest.mark.parametrize(("text", "value"), EVALUATIONS)
def test_exact_evaluation(text, value):
    assert evaluate(parse_formula(text, VARIABLES), AT) == value


def test_constants_are_folded_exactly():
    assert parse_formula("2^10 - 1/3", VARIABLES) == ("num", Fraction(3071, 3))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=4, max_size=4))
def test_polynomials_in_several_syntaxes(coefficients):
    a, b, c, d = coefficients
    spec = Formula(value=f"{a}*k^2*c + {b}*k*c + {c}*k + {d}", variables=("k", "c"))
    for text in (f"{d} + {c}k + {b}kc + {a}k^2 c", f"({a})*k**2*c + ({b})*c*k + ({c})*k + ({d})",
                 f"k ({a} k c + {b} c + {c}) + {d}"):
        assert grade(spec, text).status == "correct", text
    assert grade(spec, f"{a}*k^2*c + {b}*k*c + {c}*k + {d + 1}").status == "incorrect"


def test_exact_arithmetic_no_floating_point():
    third = Formula(value="n/3", variables=("n",))
    assert grade(third, "n/6 + n/6").status == "correct"
    assert grade(third, "0.333333333333333333n").status == "invalid"  # a rounded 1/3: write it exactly
    assert grade(third, "0.3n").status == "incorrect"


def test_symbolic_check_catches_formulas_equal_only_on_the_sampled_points():
    # every admissible point has k = 1, so "n" and "n - k + 1" agree at all of them; sympy tells them apart
    spec = Formula(value="n - k + 1", variables=("n", "k"), where=("k = 1",))
    assert {point["k"] for point in spec.points} == {1}
    result = grade(spec, "n")
    assert result.status == "incorrect" and "different formula" in result.feedback
    assert grade(spec, "1 + n - k").status == "correct"


# -- the spec: domain, points, JSON, sympy -------------------------------------------------------------------------
def test_points_are_admissible_and_deterministic():
    points = OUTPUT_SIZE.points
    assert len(points) == 48
    for point in points:
        assert all(RANGES[name][0] <= point[name] <= RANGES[name][1] for name in VARIABLES)
        assert point["k"] <= point["n"] + 2 * point["p"]
    again = Formula(value="floor((n + 2*p - k)/s) + 1", variables=VARIABLES, ranges=RANGES, where=("k <= n + 2*p",))
    assert again.points == points


def test_chained_conditions():
    spec = Formula(value="n - k", variables=("n", "k", "s"), where=("1 <= s <= k < n",))
    assert all(1 <= point["s"] <= point["k"] < point["n"] for point in spec.points)


def test_points_skip_where_the_key_has_no_value():
    spec = Formula(value="n/(s - 2)", variables=("n", "s"), ranges={"s": (1, 5)})
    assert all(point["s"] != 2 for point in spec.points)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"value": "n", "variables": ("n",), "where": ("n = 0",)}, "only 0 admissible points"),
    ({"value": "n", "variables": ("n",), "ranges": {"m": (1, 2)}}, "undeclared variables: m"),
    ({"value": "n", "variables": ("n",), "ranges": {"n": (3, 2)}}, "empty range for n"),
    ({"value": "n", "variables": ("n", "n")}, "distinct names"),
    ({"value": "n", "variables": ("2x",)}, "distinct names"),
    ({"value": "floor(n", "variables": ("n",)}, "not a formula in n"),
    ({"value": "n", "variables": ("n",), "where": ("n + 1",)}, "not a condition on n: 'n + 1'"),
    ({"value": "n", "variables": ("n",), "where": ("m < 3",)}, "unknown name 'm'"),
    ({"value": "n", "variables": ("n",), "misconceptions": (Misconception("m", "f", "x"),)}, "not a formula in n"),
])
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Formula(**kwargs)


def test_sympy_expressions_are_accepted_as_the_key():
    import sympy

    n, k, p, s = sympy.symbols("n k p s", integer=True)
    spec = Formula(value=sympy.floor((n + 2 * p - k) / s) + 1, variables=VARIABLES, ranges=RANGES)
    assert grade(spec, "floor((n+2p-k)/s)+1").status == "correct"
    assert sympy.simplify(spec.expression() - (sympy.floor((n + 2 * p - k) / s) + 1)) == 0


def test_json_round_trip_and_texts():
    data = OUTPUT_SIZE.to_json()
    assert data["answer"] == "floor((n + 2*p - k)/s) + 1" and data["variables"] == list(VARIABLES)
    assert data["ranges"]["s"] == [1, 4] and data["where"] == ["k <= n + 2*p"]
    again = answer_from_json(data)
    assert again == OUTPUT_SIZE and again.points == OUTPUT_SIZE.points
    assert OUTPUT_SIZE.to_text() == data["answer"]
    assert OUTPUT_SIZE.describe() == "a formula in n, k, p, s"


def test_floor_of_negative_values_is_mathematical_floor():
    spec = Formula(value="floor((n - k)/s)", variables=("n", "k", "s"), ranges={"k": (1, 30)})
    for point in spec.points:
        assert evaluate(parse_formula("floor((n - k)/s)", spec.variables), point) == floor(
            Fraction(point["n"] - point["k"], point["s"]))
        assert evaluate(parse_formula("ceil((n - k)/s)", spec.variables), point) == ceil(
            Fraction(point["n"] - point["k"], point["s"]))


def test_parse_errors_are_format_errors():
    with pytest.raises(FormatError):
        parse_formula("n +", VARIABLES)


# -- what students mean (issue 14, section 3) ------------------------------------------------------------------------
PARAMS = Formula(value="k^2*c*m + m", variables=("k", "c", "m", "n", "p"))
AT_PARAMS = {"k": 3, "c": 4, "m": 5, "n": 2, "p": 7}


@pytest.mark.parametrize(("text", "value"), [
    ("ck^2", 36),  # c·k², not (ck)²
    ("ck**2", 36),
    ("2np^2", 196),  # 2·n·p²
    ("(ck)^2", 144),  # brackets say otherwise
    ("k^cm", 405),  # the exponent is the next factor: k^c·m, as in LaTeX, Numbas and STACK
    ("k^{cm}", 3**20),  # braces and brackets group it
    ("k^(cm)", 3**20),
    ("ck^cm", 4 * 81 * 5),  # c·k^c·m
    ("k^-cm", Fraction(5, 81)),  # k^(-c)·m
    ("k^2m", 45),
    ("k²", 9),
    ("ck²m", 180),
    ("3²", 9),  # a power, never the digits 32
    ("10\u2074", 10000),
    ("k\u207b\u00b9", Fraction(1, 3)),
    ("2\u207f", 4),
    ("k\u2022c", 12),  # bullet as a product dot
    ("k\u02c62", 9),  # modifier circumflex
    ("\uff08k\uff0bc\uff09\uff0a2", 14),  # fullwidth brackets and operators
    ("k &times; c", 12),
    ("k&sup2;", 9),
    ("m &minus; k", 2),
])
def test_formula_notations_read_as_meant(text, value):
    assert evaluate(parse_formula(text, PARAMS.variables), AT_PARAMS) == value


@pytest.mark.parametrize(("text", "message"), [
    ("(n + 2p - k)//s + 1", "'//' is not read in formulas: to divide and round down, write floor(a/b)"),
    ("n + 1..2", "'1..2' is not a number: one decimal point at most"),
    ("0.3333n", "0.3333 is a rounded decimal: write it exactly, e.g. 1/3"),
    ("n\u200b + k", "an invisible character (U+200B ZERO WIDTH SPACE)"),
    ("\u202en + k", "U+202E RIGHT-TO-LEFT OVERRIDE"),
    ("n + k\u2069", "U+2069"),
    ("k\u2082", "subscripts (₂) are not read here: write c_in for a subscript"),
])
def test_formula_typos_and_hidden_characters_are_format_errors(text, message):
    with pytest.raises(FormatError) as caught:
        parse_formula(text, VARIABLES)
    assert message in caught.value.message


def test_formula_power_of_a_product_of_names_is_graded_as_meant():
    spec = Formula(value="c*k^2 + 1", variables=("c", "k"))
    assert grade(spec, "ck^2 + 1").status == "correct" and grade(spec, "ck² + 1").status == "correct"
    assert grade(spec, "(ck)^2 + 1").status == "incorrect"


def test_an_exponent_takes_the_next_factor_only():
    spec = Formula(value="x^y*z", variables=("x", "y", "z", "a", "b"))
    assert grade(spec, "x^yz").status == "correct" and grade(spec, "x^y z").status == "correct"
    assert grade(spec, "x^{yz}").status == "incorrect" and grade(spec, "x^(yz)").status == "incorrect"
    grouped = Formula(value="x^(y*z)", variables=("x", "y", "z"))
    assert grade(grouped, "x^{yz}").status == "correct" and grade(grouped, "x^yz").status == "incorrect"
    assert grade(Formula(value="x*y^a*b", variables=("x", "y", "a", "b")), "xy^ab").status == "correct"


def test_given_names_are_read_as_the_question_fixes_them():
    valid = Formula(value="floor((n - k)/s) + 1", variables=("n", "k", "s"), where=("k <= n",), given=(("p", "0"),))
    assert grade(valid, "floor((n + 2p - k)/s) + 1").status == "correct"
    assert grade(valid, "floor((n + 2p - k)/s)").status == "incorrect"
    again = answer_from_json(valid.to_json())
    assert again == valid and again.to_json()["given"] == {"p": "0"}
    assert grade(again, "floor((n + 2p - k)/s) + 1").status == "correct"
    with pytest.raises(ValueError, match="given names must be new names"):
        Formula(value="n", variables=("n",), given=(("n", "1"),))
    with pytest.raises(ValueError, match="not a formula in n"):
        Formula(value="n", variables=("n",), given=(("p", "q + 1"),))


FORMULA_TEXT = st.sampled_from(["n", "k", "p", "s", "ck", "np", "2", "0.5", "0.3333", "1..2", "+", "-", "*", "/", "//",
                                "^", "**", "(", ")", "²", "⁴", "⁻", "ⁿ", "₂", "&lt;", "&nbsp;", "&#8238;", "\u200b",
                                "\u2022", "\u02c6", "\uff08", "\uff09", "floor(", "⌊", "⌋", "\\frac{", "}", "{", "=",
                                "<=", "\ufeff", "\x1b", " "])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(FORMULA_TEXT, max_size=30).map("".join)))
def test_formula_parsers_raise_only_format_errors(text):
    for parse in (parse_formula, parse_conditions):
        try:
            parse(text, VARIABLES)
        except FormatError:
            pass
