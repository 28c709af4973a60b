"""grader.reading: what the grader read, for the answer page's preview, never whether it is right."""

import pytest

from grader import Choice, Choices, Formula, Integer, Matrix, Number, Tuple, Vector, grade
from grader.reading import read_answer

SPECS = {
    "integer": (Integer(value=5), "5", "6", "Read as the integer"),
    "number": (Number(value="7/2"), "3.5", "4", "Read as the number"),
    "vector": (Vector(value=[1, 2, 3]), "1 2 3", "(−1; 2; 3)", "Read as a vector of 3 numbers"),
    "matrix": (Matrix(value=[[1, 0], [0, 1]]), "1 0; 0 1", "[[1, 1], [0, 1]]", "Read as a 2×2 matrix"),
    "tuple": (Tuple(value=(6, 4)), "6x4", "(4, 6)", "Read as the tuple"),
    "choice": (Choice(value="b", options=(("a", "yes"), ("b", "no"))), "B", "A", "Read as option"),
    "choices": (Choices(value=("a",), options=(("a", "x"), ("b", "y"))), "A", "A, B", "Read as the options"),
    "formula": (Formula(value="n + 1", variables=("n",)), "1 + n", "n + 2", "Read as the formula"),
}


@pytest.mark.parametrize("kind", list(SPECS))
def test_a_right_and_a_wrong_answer_read_alike(kind):
    spec, right, wrong, prefix = SPECS[kind]
    readings = [read_answer(spec, right), read_answer(spec, wrong)]
    assert [r.valid for r in readings] == [True, True]
    assert all(r.message.startswith(prefix) for r in readings)
    assert grade(spec, right).status == "correct" and grade(spec, wrong).status != "correct"
    for reading in readings:  # nothing in the message tells right from wrong
        for word in ("correct", "right", "wrong", "expected"):
            assert word not in reading.message.lower()


def test_the_message_describes_what_was_read_not_what_is_expected():
    reading = read_answer(Matrix(value=[[1, 2], [3, 4]]), "1 2 3\n4 5 6")
    assert reading.message == "Read as a 2×3 matrix: [[1, 2, 3], [4, 5, 6]]"
    assert reading.value == ((1, 2, 3), (4, 5, 6))
    assert read_answer(Vector(value=[1, 2]), "7").message == "Read as a vector of 1 number: [7]"


def test_format_errors_carry_their_caret_and_match_grade():
    spec = Matrix(value=[[1, 2], [3, 4]])
    for text in ["1 2; 3", "[[1, 2], [3, 4", "1 2; 3 x", "", "   ", "9" * 100, "[" * 50]:
        reading = read_answer(spec, text)
        assert not reading.valid and reading.value is None
        assert grade(spec, text).feedback == reading.message  # one place says what could not be read
    assert read_answer(spec, "1 2; 3 x").message.endswith("^")
    assert not read_answer(spec, None).valid  # type: ignore[arg-type]


def test_a_value_that_cannot_be_written_out_is_still_described():
    from grader.reading import describe_value

    spec = Vector(value=[1, 2])
    assert describe_value(spec, (1, object())) == f"Read as {spec.describe()}"  # an LMS box left unreadable
