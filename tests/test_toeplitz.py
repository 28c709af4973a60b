"""toeplitz: the lecture's matrix, both conventions, misconceptions, bad pins, verifier over many seeds."""

import json

import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.toeplitz import toeplitz_matrix
from grader import Matrix, Tuple, Vector

X, W = [100, 101, 99, 200, 199, 201], [-1, 0, 1]
LECTURE_T = [[-1, 0, 0, 0], [0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]]


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("toeplitz", **params).to_json()["parts"]}


def transposed(matrix):
    return [list(row) for row in zip(*matrix, strict=True)]


def test_lecture_case(lecture):
    (case,) = lecture["toeplitz"]
    got = answers(signal=case["signal"], kernel=case["kernel"])
    assert got == {"shape": case["shape"], "matrix": case["matrix"], "output": case["output"]}


def test_cli_prints_the_lecture_case(cli, lecture):
    (case,) = lecture["toeplitz"]
    result = cli("show", "toeplitz", "--set", "signal=[100,101,99,200,199,201]", "--set", "kernel=[-1,0,1]",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    parts = {p["id"]: p["answer"] for p in json.loads(result.stdout)["parts"]}
    assert parts == {"shape": [6, 4], "matrix": case["matrix"], "output": [-1, 99, 100, 1]}


def test_lecture_sparsity_notes(lecture):
    """Sparse, local, shared: 24 entries of a 6 → 4 dense layer, but only the 3 kernel weights."""
    matrix = np.array(answers(signal=X, kernel=W)["matrix"])
    assert matrix.size == 24
    for j in range(matrix.shape[1]):
        column = matrix[:, j]
        assert column[j:j + 3].tolist() == W  # every column holds the same 3 weights (shared) …
        assert not column[:j].any() and not column[j + 3:].any()  # … next to each other, zeros elsewhere
    solution = render_question(exercises.generate("toeplitz", signal=X, kernel=W), "md", solution=True)
    assert "Only $3$ of its $24$ entries are free weights" in solution
    assert "would have $24$ free weights" in solution


def test_one_index_convention_across_the_convolution_templates():
    """conv1d, toeplitz and toeplitz2d (statements and solutions) use i for outputs, j (a, b in 2-D) for kernel
    taps and r for inputs: y_i = Σ_j x_(i+j) w_j and T_(r,i) = w_(r−i), never the swapped letters."""
    conv = render_question(exercises.generate("conv1d", signal=X, kernel=W), "md", solution=True)
    assert r"y_{i} = \sum_{j} x_{i+j} \cdot w_{j}" in conv
    for convention, rule in (("row", r"T_{r,i} = w_{r-i}"), ("column", r"A_{i,r} = w_{r-i}")):
        text = render_question(exercises.generate("toeplitz", signal=X, kernel=W, convention=convention), "md",
                               solution=True)
        assert r"y_{i} = \sum_{j} x_{i+j} \cdot w_{j}" in text and rule in text
        assert "y_{j}" not in text and "w_{i}" not in text and "T_{i,j}" not in text and "column j" not in text
    two = render_question(exercises.generate("toeplitz2d", seed=1), "md", solution=True)
    assert r"Y_{i,j} = \sum_{a,b} X_{i+a,j+b} \cdot K_{a,b}" in two and "kernel row $a = r - i$" in two


def test_column_convention_prints_x_and_y_as_columns():
    question = exercises.generate("toeplitz", signal=[1, 2, 3, 4], kernel=[1, -1], convention="column")
    text = render_question(question, "md", solution=True)
    assert r"\begin{bmatrix} 1 \\ 2 \\ 3 \\ 4 \end{bmatrix}" in text  # x in the statement
    assert r"**Answer:** $\begin{bmatrix} -1 \\ -1 \\ -1 \end{bmatrix}$" in text  # y in the key
    row = render_question(exercises.generate("toeplitz", signal=[1, 2, 3, 4], kernel=[1, -1]), "md", solution=True)
    assert r"\begin{bmatrix} 1 & 2 & 3 & 4 \end{bmatrix}" in row and r"-1 & -1 & -1" in row
    assert question.part("output").answer.expected_json() == [-1, -1, -1]  # the key itself is still a vector


def test_column_convention_gives_the_transpose():
    got = answers(signal=X, kernel=W, convention="column")
    assert got == {"shape": [4, 6], "matrix": transposed(LECTURE_T), "output": [-1, 99, 100, 1]}
    result = exercises.answer("toeplitz", "matrix", str(LECTURE_T), signal=X, kernel=W, convention="column")
    assert result["misconception"] == "transpose" and result["score"] == 0


def test_hand_worked_small_matrix():
    assert toeplitz_matrix([1, 2], 3).tolist() == [[1, 0], [2, 1], [0, 2]]
    assert answers(signal=[3, 1, 4], kernel=[1, 2], convention="column")["matrix"] == [[1, 2, 0], [0, 1, 2]]


def named(part, text, **params):
    result = exercises.answer("toeplitz", part, text, signal=X, kernel=W, **params)
    assert result["status"] != "correct" and result["score"] < 1, result  # named; scored by the per-entry rule
    return result["misconception"], result["feedback"]


def test_transpose_scores_zero_and_is_named():
    mistake, feedback = named("matrix", json.dumps(transposed(LECTURE_T)))
    assert mistake == "transpose" and "other convention" in feedback


def test_matrix_misconceptions_are_named():
    flipped = [[1, 0, 0, 0], [0, 1, 0, 0], [-1, 0, 1, 0], [0, -1, 0, 1], [0, 0, -1, 0], [0, 0, 0, -1]]
    assert named("matrix", str(flipped))[0] == "flipped-kernel"
    one_row_low = [[0, 0, 0, 0], [-1, 0, 0, 0], [0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0]]
    mistake, feedback = named("matrix", str(one_row_low))
    assert mistake == "shifted-band" and "too low" in feedback
    mistake, feedback = named("matrix", str(transposed(one_row_low)), convention="column")
    assert mistake == "shifted-band" and "too far right" in feedback
    one_row_high = [[0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]]
    mistake, feedback = named("matrix", str(one_row_high))
    assert mistake == "shifted-band" and "too high" in feedback
    full = [[1, 0, -1, 0, 0, 0, 0, 0], [0, 1, 0, -1, 0, 0, 0, 0], [0, 0, 1, 0, -1, 0, 0, 0],
            [0, 0, 0, 1, 0, -1, 0, 0], [0, 0, 0, 0, 1, 0, -1, 0], [0, 0, 0, 0, 0, 1, 0, -1]]
    assert named("matrix", str(full))[0] == "full-instead-of-valid"


def test_shape_misconceptions_are_named():
    assert named("shape", "(4, 6)")[0] == "swapped-shape"
    assert named("shape", "6 x 8")[0] == "full-instead-of-valid"
    assert named("shape", "(6, 6)")[0] == "same-size-output"
    assert named("shape", "(6, 4)", convention="column")[0] == "swapped-shape"


def test_output_misconceptions_are_named():
    mistake, feedback = named("output", "1 -99 -100 -1")
    assert mistake == "flipped-kernel" and "cross-correlation" in feedback
    assert named("output", "[100, 101, -1, 99, 100, 1, -199, -201]")[0] == "full-instead-of-valid"


def test_correct_answers_in_student_notation():
    assert exercises.answer("toeplitz", "shape", "6 × 4", signal=X, kernel=W)["status"] == "correct"
    rows = "; ".join(" ".join(str(v) for v in row) for row in LECTURE_T)
    assert exercises.answer("toeplitz", "matrix", rows, signal=X, kernel=W)["status"] == "correct"
    assert exercises.answer("toeplitz", "output", "y = (−1; 99; 100; 1)", signal=X, kernel=W)["score"] == 1


@pytest.mark.parametrize(("pinned", "message"), [
    ({"signal": [1, 2], "kernel": [1, 2, 3]}, "the kernel has 3 entries but the signal only 2"),
    ({"signal": [5]}, "signal must be a list of 2 to 12 integers"),
    ({"kernel": [1, 2, 3, 4, 5, 6, 7, 8]}, "kernel must be a list of 1 to 7 integers"),
    ({"convention": "rows"}, "convention must be one of row, column"),
    ({"conventon": "row"}, "did you mean 'convention'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("toeplitz", **pinned)


def test_samples_are_pleasant():
    for seed in range(200):
        p = exercises.generate("toeplitz", seed=seed).params
        assert 5 <= len(p["signal"]) <= 8 and all(0 <= v <= 9 for v in p["signal"])
        assert 2 <= len(p["kernel"]) <= 4 and all(-2 <= v <= 2 for v in p["kernel"])
        assert p["kernel"] != p["kernel"][::-1] and any(p["kernel"])
        assert p["convention"] == "row"


def test_pinned_signal_or_kernel_still_leaves_an_output():
    for seed in range(50):
        assert len(exercises.generate("toeplitz", seed=seed, signal=[4, 2]).params["kernel"]) <= 2
        p = exercises.generate("toeplitz", seed=seed, kernel=[1, 0, 0, 0, 0, 2, 1]).params
        assert len(p["signal"]) >= 8


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63), st.sampled_from(["row", "column"]))
def test_verifier_agrees_on_any_seed(seed, convention):
    get("toeplitz").verify(exercises.generate("toeplitz", seed=seed, convention=convention))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=2, max_size=12), st.lists(st.integers(-5, 5), min_size=1, max_size=7))
def test_verifier_agrees_on_any_pinned_pair(signal, kernel):
    if len(kernel) <= len(signal):
        get("toeplitz").verify(exercises.generate("toeplitz", signal=signal, kernel=kernel))


def broken(question, part_id, kind, change):
    return with_answer(question, part_id, kind(value=change(question.part(part_id).answer.value)))


@pytest.mark.parametrize(("part_id", "kind", "change"), [
    ("matrix", Matrix, lambda m: (tuple(v + (i == 2) for i, v in enumerate(m[0])),) + m[1:]),
    ("matrix", Matrix, lambda m: tuple(zip(*m, strict=True))),
    ("shape", Tuple, lambda s: s[::-1]),
    ("output", Vector, lambda y: tuple(v + 1 for v in y)),
])
def test_verifier_catches_a_wrong_key(part_id, kind, change):
    question = exercises.generate("toeplitz", seed=5)
    with pytest.raises(AssertionError):
        get("toeplitz").verify(broken(question, part_id, kind, change))
