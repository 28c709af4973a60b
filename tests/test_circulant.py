"""circulant: hand-worked circular correlation and its (doubly block) circulant matrix, the Toeplitz matrix as
C's non-wrapping columns, misconceptions named, bad pins, the roll-sum verifier over many seeds, varied samples."""

import numpy as np
import pytest
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.circulant import circulant
from grader import Matrix, Vector

ONE_D = {"signal": [1, 2, 3, 4], "kernel": [1, -1]}
C = [[1, 0, 0, -1], [-1, 1, 0, 0], [0, -1, 1, 0], [0, 0, -1, 1]]  # column 3 wraps: w_1 at the top
TWO_D = {"image": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[2, 0], [0, 1]]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("circulant", **params).to_json()["parts"]}


def test_one_d_worked_by_hand():
    # y_j = x_j − x_((j+1) mod 4): the last output wraps round, 4 − 1
    got = answers(**ONE_D)
    assert got == {"matrix": C, "output": [-1, -1, -1, 3], "toeplitz": [row[:3] for row in C]}
    assert answers(**ONE_D, convention="column")["matrix"] == np.array(C).T.tolist()


def test_two_d_worked_by_hand():
    # Y_ij = 2 X_ij + X_((i+1) mod 3, (j+1) mod 3); the top-left 2 × 2 is the valid correlation
    got = answers(**TWO_D)
    assert got["output"] == [[7, 10, 10], [16, 19, 19], [16, 19, 19]]
    matrix = np.array(got["matrix"])
    assert matrix[:, 0].tolist() == [2, 0, 0, 0, 1, 0, 0, 0, 0]  # output (0,0): 2·X_00 + X_11
    assert matrix[:, 8].tolist() == [1, 0, 0, 0, 0, 0, 0, 0, 2]  # output (2,2): wraps round to X_00
    assert np.array(got["toeplitz"]).shape == (9, 4)
    assert (np.array(got["toeplitz"]) == matrix[:, [0, 1, 3, 4]]).all()


def test_circulant_is_circulant_and_doubly_block_circulant():
    matrix = circulant([3, 1, 2], (5,))
    for j in range(1, 5):
        assert np.roll(matrix[:, 0], j).tolist() == matrix[:, j].tolist()  # each column the previous, shifted
    blocks = circulant(np.array([[1, 2], [3, 4]]), (3, 4))
    block = lambda r, i: blocks[4 * r:4 * r + 4, 4 * i:4 * i + 4]  # noqa: E731
    for r in range(3):
        for i in range(3):
            assert (block(r, i) == block((r + 1) % 3, (i + 1) % 3)).all()  # blocks repeat cyclically
            assert all((np.roll(block(r, i)[:, 0], j) == block(r, i)[:, j]).all() for j in range(4))


@pytest.mark.parametrize(("params", "part", "text", "mistake"), [
    (ONE_D, "matrix", "[[1, 0, 0, 0], [-1, 1, 0, 0], [0, -1, 1, 0], [0, 0, -1, 1]]", "no-wrap-around"),
    (ONE_D, "matrix", str(np.array(C).T.tolist()), "transpose"),
    (ONE_D, "matrix", str((-np.array(C)).tolist()), "flipped-kernel"),  # [1, -1] flipped is minus itself
    (ONE_D, "output", "[-1, -1, -1, 4]", "zero-padded-instead-of-circular"),
    (ONE_D, "output", "[-1, -1, -1]", "valid-only"),
    (ONE_D, "output", "[3, -1, -1, -1]", "wrapped-wrong-side"),
    (ONE_D, "output", "[1, 1, 1, -3]", "flipped-kernel"),
    (ONE_D, "output", "[-3, 1, 1, 1]", "circular-convolution"),  # y_j = x_j − x_(j−1): backwards, wrapping
    (TWO_D, "output", "[[11, 11, 14], [11, 11, 14], [20, 20, 23]]", "circular-convolution"),  # 2X_ij + X_(i−1,j−1)
    (ONE_D, "toeplitz", "[[0, 0, -1], [1, 0, 0], [-1, 1, 0], [0, -1, 1]]", "kept-wrapping-columns"),
    (ONE_D, "toeplitz", str(C), "whole-circulant"),
    (ONE_D, "toeplitz", "[[1, -1, 0, 0], [0, 1, -1, 0], [0, 0, 1, -1]]", "transpose"),
    (TWO_D, "output", "[[7, 10, 6], [16, 19, 12], [14, 16, 18]]", "zero-padded-instead-of-circular"),
    (TWO_D, "output", "[[7, 10], [16, 19]]", "valid-only"),
])
def test_misconceptions_are_named(params, part, text, mistake):
    result = exercises.answer("circulant", part, text, **params)
    assert result["misconception"] == mistake and result["status"] != "correct" and result["score"] < 1, result


def test_circular_convolution_is_named_only_where_it_differs_from_the_key():
    from exercises.topics.circulant import OUTPUT_MISTAKES

    (mistake,) = [m for m in OUTPUT_MISTAKES if m.id == "circular-convolution"]
    assert mistake.compute({"signal": [2, 2, 2, 2], "kernel": [1, -1]}) is None  # a constant signal: both agree
    for seed in range(60):
        question = exercises.generate("circulant", seed=seed)
        spec = question.part("output").answer
        assert all(m.value != spec.value for m in spec.misconceptions)
        assert "circular-convolution" in {m.id for m in spec.misconceptions} or \
            mistake.compute(question.params) is None


def test_part_c_asks_for_the_matrix_the_box_takes():
    for params in (ONE_D, TWO_D, {**ONE_D, "convention": "column"}):
        prompt = render_question(exercises.generate("circulant", **params), "md").split("**(c)**")[1]
        assert "Write down the matrix $T$ itself, entry by entry" in prompt and "which" not in prompt


def test_statement_and_solution_name_the_structure():
    two_d = render_question(exercises.generate("circulant", **TWO_D), "md", solution=True)
    assert "doubly block circulant" in two_d and "numbered 0, 1, 3, 4" in two_d
    one_d = render_question(exercises.generate("circulant", **ONE_D), "md", solution=True)
    assert "first $n - k + 1 = 3$ columns of $C$" in one_d and "The 1 non-zero wrap-around entry (marked) is" in one_d
    (figure,) = exercises.generate("circulant", **ONE_D).figures()
    assert [s.label for s in figure.shapes if s.style == "mark"] == ["-1"]
    # a zero weight where the band wraps prints as a plain 0 (issue 27): only the weights that wrap are marked
    (figure,) = exercises.generate("circulant", signal=[1, 2, 3, 4], kernel=[1, 2, 0]).figures()
    assert sorted(s.label for s in figure.shapes if s.style == "mark") == ["2"]
    assert "The 1 non-zero wrap-around entry is marked." in figure.caption


def test_the_key_figure_marks_only_weights_that_wrap_round():
    """Issue 27: at seed 2 (a 2-D kernel with zeros) 8 of the 11 marked cells were 0. Every marked cell holds a
    weight, and the count the solution and the caption give is the number of marked cells."""
    for seed in range(40):
        question = exercises.generate("circulant", seed=seed)
        (figure,) = question.figures()
        marked = [s.label for s in figure.shapes if s.style == "mark"]
        assert "0" not in marked, (seed, marked)
        text = render_question(question, "md", solution=True)
        assert not marked or f"The {len(marked)} non-zero wrap-around entr" in text, seed
        assert not marked or f"The {len(marked)} non-zero wrap-around entr" in figure.caption, seed


@pytest.mark.parametrize(("pinned", "message"), [
    ({**ONE_D, "image": [[1, 2], [3, 4]]}, "not both"),
    ({"signal": [1, 2], "kernel": [1, 2, 3]}, "larger than the signal"),
    ({"image": [[1, 2], [3, 4]], "kernel": [1, 2]}, r"kernel must be a matrix \(list of rows\) like the image"),
    ({**ONE_D, "dims": 2}, "dims 2 does not fit the pinned signal"),
    ({"signal": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, "signal must be a list of 2 to 8 integers"),
    ({"convention": "col"}, "convention must be one of row, column"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("circulant", **pinned)


def test_samples_are_pleasant_and_varied():
    dims = set()
    for seed in range(200):
        p = exercises.generate("circulant", seed=seed).params
        kernel = np.array(p["kernel"])
        assert np.count_nonzero(kernel) >= 2 and not np.array_equal(kernel, np.flip(kernel))
        data = np.array(p.get("signal", p.get("image")))
        assert 4 <= data.size <= 9 and all(n > k for n, k in zip(data.shape, kernel.shape, strict=True))
        dims.add(kernel.ndim)
    assert dims == {1, 2}
    assert min(distinct_keys("circulant").values()) >= 100
    for seed in range(20):
        assert np.ndim(exercises.generate("circulant", seed=seed, dims=2).params["image"]) == 2
        assert np.ndim(exercises.generate("circulant", seed=seed, dims=1).params["signal"]) == 1


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63), st.sampled_from(["row", "column"]))
def test_verifier_agrees_on_any_seed(seed, convention):
    get("circulant").verify(exercises.generate("circulant", seed=seed, convention=convention))


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4), st.integers(2, 4), st.integers(1, 2), st.integers(1, 2), st.data())
def test_verifier_agrees_on_any_pinned_image(height, width, kh, kw, data):
    if kh <= height and kw <= width:
        image = data.draw(st.lists(st.lists(st.integers(-5, 5), min_size=width, max_size=width), min_size=height,
                                   max_size=height))
        kernel = data.draw(st.lists(st.lists(st.integers(-3, 3), min_size=kw, max_size=kw), min_size=kh,
                                    max_size=kh))
        get("circulant").verify(exercises.generate("circulant", image=image, kernel=kernel))


@pytest.mark.parametrize(("part_id", "wrong"), [
    ("matrix", Matrix(value=[[1, 0, 0, 0], [-1, 1, 0, 0], [0, -1, 1, 0], [0, 0, -1, 1]])),
    ("output", Vector(value=[-1, -1, -1, 4])),
    ("toeplitz", Matrix(value=[row[1:] for row in C])),
])
def test_verifier_catches_a_wrong_key(part_id, wrong):
    with pytest.raises(AssertionError):
        get("circulant").verify(with_answer(exercises.generate("circulant", **ONE_D), part_id, wrong))
