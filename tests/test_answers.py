"""Answer kinds and feedback: correct notations, wrong values, shapes, misconceptions, format errors."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import Integer, Matrix, Misconception, Number, Tuple, Vector, answer_from_json, grade

T = [[-1, 0, 0, 0], [0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]]
T_TRANSPOSED = [list(r) for r in zip(*T, strict=True)]
MATRIX = Matrix(value=T, misconceptions=(Misconception("transpose", "You wrote the transpose.", T_TRANSPOSED),))
VECTOR = Vector(value=[-1, 99, 100, 1])


@pytest.mark.parametrize("text", ["[-1, 99, 100, 1]", "-1 99 100 1", "(-1, 99, 100, 1)", "(\u22121; 99; 100; 1)",
                                  "y = [-1, 99, 100, 1]", "[[-1, 99, 100, 1]]"])
def test_vector_notations(text):
    assert grade(VECTOR, text).status == "correct"


def test_vector_partial_credit_names_entries():
    result = grade(VECTOR, "[-1, 99, 100, 2]")  # 3 of 4 right, 1 of them what a constant gets: (3 - 1)/(4 - 1)
    assert (result.status, result.score) == ("partial", 0.6667)
    assert "entry 3." in result.feedback  # the last of 4, counted from 0 as the sheets count


def test_vector_wrong_length_is_feedback_not_crash():
    result = grade(VECTOR, "[1, 2]")
    assert result.status == "incorrect" and "expected 4 entries, got 2" in result.feedback


def test_no_partial_when_opted_out():
    strict = Vector(value=[1, 2, 3, 4], partial=False)
    assert grade(strict, "1 2 3 5").score == 0


@pytest.mark.parametrize("text", [str(T), "-1 0 0 0; 0 -1 0 0; 1 0 -1 0; 0 1 0 -1; 0 0 1 0; 0 0 0 1",
                                  "\n".join(" ".join(map(str, r)) for r in T)])
def test_matrix_notations(text):
    assert grade(MATRIX, text).status == "correct"


def test_matrix_transpose_is_named_and_scores_zero():
    result = grade(MATRIX, str(T_TRANSPOSED))
    assert (result.status, result.score, result.misconception) == ("incorrect", 0.0, "transpose")


def test_matrix_shape_mismatch_is_feedback():
    result = grade(Matrix(value=T), str(T_TRANSPOSED))
    assert result.status == "incorrect" and "6×4" in result.feedback and "transposed shape" in result.feedback


def test_ragged_matrix_is_a_format_error():
    result = grade(MATRIX, "1 2 3\n4 5")
    assert result.status == "invalid" and "row 0 has 3 entries but row 1 has 2" in result.feedback


def test_garbled_is_invalid_with_caret():
    result = grade(MATRIX, "[[-1, 0, 0], [0, -1")
    assert result.status == "invalid" and "^" in result.feedback and "close" in result.feedback


@pytest.mark.parametrize(("text", "status"), [("(6, 4)", "correct"), ("6x4", "correct"), ("6 × 4", "correct"),
                                              ("(6, 5)", "incorrect"), ("4x6", "incorrect"), ("6", "incorrect")])
def test_tuple(text, status):
    assert grade(Tuple(value=(6, 4), names=("rows", "columns")), text).status == status


@pytest.mark.parametrize(("text", "status"), [("5", "correct"), ("5.0", "correct"), ("+5", "correct"),
                                              ("6", "incorrect"), ("7/2", "invalid"), ("[5]", "invalid"),
                                              ("", "invalid")])
def test_integer(text, status):
    assert grade(Integer(value=5), text).status == status


@pytest.mark.parametrize("spec", [MATRIX, VECTOR, Tuple(value=(6, 4)), Integer(value=-3),
                                  Vector(value=[1, 2], misconceptions=(Misconception("x", "y", [2, 1]),))])
def test_json_round_trip(spec):
    assert answer_from_json(spec.to_json()) == spec
    assert grade(spec, spec.to_text()).status == "correct"


@given(st.text(max_size=300))
def test_grade_never_raises(text):
    for spec in (MATRIX, VECTOR, Integer(value=1), Tuple(value=(1, 2))):
        result = grade(spec, text)
        assert result.status in {"correct", "partial", "incorrect", "invalid"}
        assert 0 <= result.score <= 1


# -- numbers -------------------------------------------------------------------------------------------------
SEVEN_HALVES = Number(value=Fraction(7, 2), misconceptions=(Misconception("halved-wrong", "You rounded down.", 3),))


@pytest.mark.parametrize("text", ["7/2", "3.5", "3,5", "\\frac{7}{2}", "$\\frac{7}{2}$", "x = 3.5", "3.50",
                                  "14/4", "35e-1", "answer: 7/2", "+7/2"])
def test_number_notations(text):
    assert grade(SEVEN_HALVES, text).status == "correct"


@pytest.mark.parametrize(("text", "status", "feedback"), [
    ("3", "incorrect", "You rounded down."),
    ("4", "incorrect", "not the expected value"),
    ("1,000", "invalid", "ambiguous"),
    ("[3.5]", "invalid", "without brackets"),
    ("3.5 4", "invalid", "a list of 2"),
    ("7/0", "invalid", "division by zero"),
])
def test_number_wrong_and_malformed(text, status, feedback):
    result = grade(SEVEN_HALVES, text)
    assert result.status == status and feedback in result.feedback


def test_exact_number_rounded_says_write_it_exactly_or_not_enough_precision():
    third = Number(value=Fraction(1, 3))
    for text in ("0.333", "0.33", "0,33", "0.3333333"):  # a non-terminating answer as a decimal: a format problem
        result = grade(third, text)
        assert result.status == "invalid" and "write it exactly, e.g. 1/3" in result.feedback, (text, result)
    assert "write it exactly, e.g. 46/9" in grade(Number(value=Fraction(46, 9)), "5.1111111").feedback
    assert grade(third, "0.34").status == "incorrect"  # 0.34 is not 1/3 rounded
    one_place = grade(third, "0,3")  # one decimal place may be a wrong answer as much as a rounding: told, not refused
    assert one_place.status == "incorrect" and one_place.feedback.startswith("Not enough precision")
    eighth = Number(value=Fraction(1, 8))  # a finite decimal rounded too early: wrong, with the reason
    result = grade(eighth, "0.13")
    assert result.status == "incorrect" and result.feedback.startswith("Not enough precision")
    assert "Not enough precision" not in grade(SEVEN_HALVES, "4").feedback  # a whole number is not a rounding


def test_number_with_tolerance():
    third = Number(value=Fraction(1, 3), rtol=0.01)  # within 1/300 of 1/3
    assert grade(third, "0.333").status == "correct"
    assert grade(third, "0.331").status == "correct"
    close = grade(third, "0.3")  # off by 1/30: ten times the tolerance
    assert close.status == "incorrect" and "Not enough precision" in close.feedback and "1%" in close.feedback
    far = grade(third, "0.5")
    assert far.status == "incorrect" and "precision" not in far.feedback
    absolute = Number(value=10, atol=Fraction(1, 10))
    assert [grade(absolute, t).status for t in ("10.1", "9.9", "10.2")] == ["correct", "correct", "incorrect"]


def test_approximate_misconception_is_named_within_the_tolerance():
    half = Misconception("half", "Not a half.", Fraction(1, 2))
    spec = Number(value=Fraction(1, 3), rtol=0.01, misconceptions=(half,))
    result = grade(spec, "0.499")
    assert (result.status, result.misconception) == ("incorrect", "half")


def test_number_rejects_negative_tolerance():
    with pytest.raises(ValueError, match="rtol"):
        Number(value=1, rtol=-0.1)


# -- integers and tuples -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "status"), [("61 706", "correct"), ("61706.", "correct"),
                                              ("answer: 61706", "correct"), ("61.706", "invalid"),
                                              ("61,706", "invalid"), ("61\u2009706", "correct"),
                                              ("61\u00a0706", "correct"), ("61&nbsp;706", "correct"),
                                              ("61_706", "invalid")])
def test_integer_with_thousands_separators(text, status):
    assert grade(Integer(value=61706), text).status == status


@pytest.mark.parametrize("text", ["6 by 4", "(6x4)", "6 \\times 4", "shape = (6, 4)", "[6, 4]"])
def test_more_tuple_notations(text):
    assert grade(Tuple(value=(6, 4)), text).status == "correct"


@pytest.mark.parametrize("text", ["[8 × 14 × 14]", "(8 × 14 × 14)", "8×14×14", "8, 14 × 14", "[8 x 14 x 14]",
                                  "(8 * 14 * 14)"])
def test_a_shape_with_times_signs_in_any_brackets(text):
    assert grade(Tuple(value=(8, 14, 14)), text).status == "correct"


@pytest.mark.parametrize(("spec", "text"), [(Integer(value=12), "3 × 4"), (Vector(value=[3, 4]), "[3 × 4]"),
                                            (Integer(value=12), "3*4")])
def test_a_times_sign_elsewhere_says_what_to_write(spec, text):
    result = grade(spec, text)
    typed = "×" if "×" in text else "*"
    assert result.status == "invalid" and "unexpected character" not in result.feedback
    assert f"'{typed}' between numbers is not read here: write a product as one number" in result.feedback


def test_swapped_tuple_is_said():
    assert "swapped" in grade(Tuple(value=(6, 4), names=("rows", "columns")), "4x6").feedback
    partial = grade(Tuple(value=(6, 4, 2), names=("channels", "rows", "columns")), "(6, 4, 5)")
    assert (partial.status, partial.score) == ("partial", 0.5) and "columns" in partial.feedback


# -- matrices in LaTeX, extra brackets ------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "\\begin{bmatrix} -1 & 0 & 0 & 0 \\\\ 0 & -1 & 0 & 0 \\\\ 1 & 0 & -1 & 0 \\\\ 0 & 1 & 0 & -1 \\\\ "
    "0 & 0 & 1 & 0 \\\\ 0 & 0 & 0 & 1 \\end{bmatrix}",
    "\\left[\\begin{array}{cccc} -1 & 0 & 0 & 0 \\\\ 0 & -1 & 0 & 0 \\\\ 1 & 0 & -1 & 0 \\\\ 0 & 1 & 0 & -1 \\\\ "
    "0 & 0 & 1 & 0 \\\\ 0 & 0 & 0 & 1 \\end{array}\\right]",
    "[" + str(T) + "]",
    "T = " + str(T),
])
def test_matrix_latex_notations(text):
    assert grade(MATRIX, text).status == "correct"


# -- misconceptions and partial credit ---------------------------------------------------------------------------
FLIP = Vector(value=[1, 2, 3, 4], misconceptions=(Misconception("flipped", "You flipped it.", [4, 3, 2, 1]),))


def test_partly_right_answer_whose_wrong_entries_are_a_mistake_is_told_so():
    result = grade(FLIP, "[1, 3, 2, 4]")  # entries 1 and 2 are what the flipped answer has there
    assert (result.status, result.score, result.misconception) == ("partial", 0.3333, "flipped")
    assert "the right values in another order" in result.feedback and "You flipped it." in result.feedback


def test_a_single_coincidence_does_not_name_a_mistake():
    result = grade(FLIP, "[1, 2, 2, 4]")  # entry 2 happens to equal the flipped answer's entry 2
    assert (result.status, result.score, result.misconception) == ("partial", 0.6667, None)


def test_an_exact_misconception_keeps_the_per_entry_score_and_is_named():
    swap = Misconception("swap", "You swapped the last two.", [1, 2, 4, 3])
    spec = Vector(value=[1, 2, 3, 4], misconceptions=(swap,))
    result = grade(spec, "1 2 4 3")
    assert (result.status, result.score, result.misconception) == ("partial", 0.3333, "swap")
    assert "in another order" in result.feedback and "You swapped the last two." in result.feedback
    worse = grade(spec, "9 2 4 3")  # one more wrong entry: less, never more
    assert worse.score < result.score


def test_feedback_on_wrong_values_is_plain_text():
    wrong = [(MATRIX, str(T_TRANSPOSED)), (MATRIX, "[" + str([[9] * 4] * 6) + "]"), (VECTOR, "[1, 2]"),
             (SEVEN_HALVES, "0.5"), (Number(value=Fraction(1, 3)), "0.33"), (Tuple(value=(6, 4)), "4 x 6")]
    for spec, text in wrong:
        feedback = grade(spec, text).feedback
        assert feedback and "\\" not in feedback and "<" not in feedback and "$" not in feedback, feedback


# -- key.json round trip for every kind ------------------------------------------------------------------------
def test_every_kind_round_trips_through_json():
    from grader import KINDS, Choice, Choices, Formula

    options = (("sparse", "Sparse interactions"), ("shared", "Parameter sharing"), ("equiv", "Equivariance"))
    specs = [
        Integer(value=5, misconceptions=(Misconception("a", "b", 6),)),
        Number(value=Fraction(7, 2), rtol=0.01, atol=Fraction(1, 1000), misconceptions=(Misconception("a", "b", 3),)),
        Vector(value=[1, Fraction(1, 2)], partial=False),
        Tuple(value=(6, 4), names=("rows", "columns"), misconceptions=(Misconception("t", "b", (4, 6)),)),
        Matrix(value=T, misconceptions=MATRIX.misconceptions),
        Choice(value="shared", options=options, misconceptions=(Misconception("a", "b", "sparse"),)),
        Choices(value=["equiv", "sparse"], options=options, rule="each-answer",
                misconceptions=(Misconception("a", "b", {"sparse"}),)),
        Formula(value="floor((n - k)/s) + 1", variables=("n", "k", "s"), ranges={"k": (1, 5), "s": (1, 3)},
                where=("k <= n",), misconceptions=(Misconception("a", "b", "(n - k)/s + 1"),)),
    ]
    assert {spec.kind for spec in specs} == set(KINDS)
    for spec in specs:
        data = spec.to_json()
        again = answer_from_json(data)
        assert again == spec and again.to_json() == data
        assert grade(again, spec.to_text()).status == "correct"
        for misconception in spec.misconceptions:
            assert grade(again, again.to_text(misconception.value)).misconception == misconception.id


def test_sparse_matrix_credit_counts_only_entries_that_matter():
    """An all-zero answer to a banded matrix earns nothing; one slip in the band costs one band entry."""
    assert grade(Matrix(value=T), str([[0] * 4] * 6)).score == 0
    slip = [row[:] for row in T]
    slip[5][3] = 2
    nonzero = sum(1 for row in T for v in row if v)
    assert grade(Matrix(value=T), str(slip)).score == round((nonzero - 1) / nonzero, 4)
    dense = [[1, 2], [3, 4]]
    assert grade(Matrix(value=dense), "[[1, 2], [3, 5]]").score == 0.6667  # (3 - 1)/(4 - 1), as for a vector


# -- wrong number of entries, located; decimals for fractions (issue 14, section 3) -----------------------------------
@pytest.mark.parametrize(("text", "says"), [
    ("[4, 5]", "2 of 3 entries: the last position is missing."),
    ("[5, 6]", "2 of 3 entries: the first position is missing."),
    ("[4, 6]", "2 of 3 entries: entry 1 is missing."),  # counted from 0, as on the sheets
    ("[4]", "1 of 3 entries: the last 2 positions are missing."),
    ("[4, 5, 6, 9]", "4 entries instead of 3: the last position is extra."),
    ("[0, 4, 5, 6]", "4 entries instead of 3: the first position is extra."),
    ("[4, 0, 5, 6]", "4 entries instead of 3: entry 1 is extra."),
    ("[1, 2]", "expected 3 entries, got 2."),
])
def test_wrong_number_of_entries_is_located(text, says):
    result = grade(Vector(value=[4, 5, 6]), text)
    assert result.status == "incorrect" and result.score == 0 and says in result.feedback, result


def test_tuple_component_missing_is_located():
    assert "1 of 2 components: the last position is missing" in grade(Tuple(value=(6, 4)), "(6)").feedback


@pytest.mark.parametrize(("spec", "text", "says"), [
    (Vector(value=[1, Fraction(46, 9)]), "[1, 5.11]",
     "entry 1: 5.11 is a rounded decimal: write it exactly, e.g. 46/9"),
    (Vector(value=[Fraction(-1, 3), 2]), "[-0.33, 2]",
     "entry 0: -0.33 is a rounded decimal: write it exactly, e.g. 1/3"),
    (Matrix(value=[[1, 2], [3, Fraction(2, 3)]]), "[[1, 2], [3, 0.67]]",
     "the entry at (1,1): 0.67 is a rounded decimal: write it exactly, e.g. 2/3"),
    (Tuple(value=(Fraction(1, 7), 1)), "(0.14, 1)", "component 0: 0.14 is a rounded decimal"),
    (Number(value=Fraction(46, 9)), "5.11", "5.11 is a rounded decimal: write it exactly, e.g. 46/9"),
])
def test_decimals_for_fractions_are_format_problems(spec, text, says):
    result = grade(spec, text)
    assert (result.status, result.score) == ("invalid", 0) and says in result.feedback, result


@pytest.mark.parametrize(("spec", "text"), [
    (Number(value=Fraction(217, 4800)), "1/25"),  # 0.04 as a value, but written as a fraction
    (Number(value=Fraction(217, 4800)), r"\frac{1}{25}"),
    (Number(value=Fraction(1, 8)), "13/100"),
    (Vector(value=[1, Fraction(46, 9)]), "[1, 511/100]"),
    (Matrix(value=[[1, 2], [3, Fraction(2, 3)]]), "[[1, 2], [3, 67/100]]"),
])
def test_a_wrong_fraction_is_wrong_not_a_rounded_decimal(spec, text):
    """A fraction is exact as written: it is marked wrong, never refused as a decimal that needs more places."""
    result = grade(spec, text)
    assert result.status in ("incorrect", "partial"), result
    assert "decimal" not in result.feedback and "precision" not in result.feedback, result


def test_decimals_where_approximations_are_allowed_are_graded():
    assert grade(Number(value=Fraction(46, 9), rtol=Fraction(1, 100)), "5.1111").status == "correct"
    assert grade(Vector(value=[Fraction(1, 2)]), "[0.50]").status == "correct"  # a finite decimal is exact


def test_tuple_partial_credit_against_the_closest_accepted_answer():
    spec = Tuple(value=(1, 2, 3), alternatives=((3, 2, 1),))
    assert grade(spec, "(3, 2, 1)").status == "correct"
    near_alternative = grade(spec, "(3, 2, 9)")  # one component off the alternative (3, 2, 1), two off the key
    assert (near_alternative.status, near_alternative.score) == ("partial", 0.5)
