"""Answer kinds and feedback: correct notations, wrong values, shapes, misconceptions, format errors."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader import Integer, Matrix, Misconception, Tuple, Vector, answer_from_json, grade

T = [[-1, 0, 0, 0], [0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]]
T_TRANSPOSED = [list(r) for r in zip(*T, strict=True)]
MATRIX = Matrix(value=T, misconceptions=(Misconception("transpose", "You wrote the transpose.", T_TRANSPOSED),))
VECTOR = Vector(value=[-1, 99, 100, 1])


@pytest.mark.parametrize("text", ["[-1, 99, 100, 1]", "-1 99 100 1", "(-1, 99, 100, 1)", "(\u22121; 99; 100; 1)",
                                  "y = [-1, 99, 100, 1]", "[[-1, 99, 100, 1]]"])
def test_vector_notations(text):
    assert grade(VECTOR, text).status == "correct"


def test_vector_partial_credit_names_entries():
    result = grade(VECTOR, "[-1, 99, 100, 2]")
    assert (result.status, result.score) == ("partial", 0.75)
    assert "entry 4" in result.feedback


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
    assert result.status == "invalid" and "row 2 has 2" in result.feedback


def test_garbled_is_invalid_with_caret():
    result = grade(MATRIX, "[[-1, 0, 0], [0, -1")
    assert result.status == "invalid" and "^" in result.feedback and "close" in result.feedback


@pytest.mark.parametrize(("text", "status"), [("(6, 4)", "correct"), ("6x4", "correct"), ("6 × 4", "correct"),
                                              ("(6, 5)", "partial"), ("4x6", "incorrect"), ("6", "incorrect")])
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
