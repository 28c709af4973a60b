"""conv-backprop: hand-worked gradients in 1-D and 2-D, the misconceptions named, bad pins, the verifier
(perturbation and Tᵀδ) over many seeds, and samples that are pleasant and varied."""

from fractions import Fraction

import numpy as np
import pytest
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.conv_backprop import grad_input, grad_kernel
from grader import Matrix, Number, Vector

ONE_D = {"signal": [1, 2, 3, 4], "kernel": [1, -1], "delta": [1, 2, 3]}
TWO_D = {"image": [[1, 2, 0], [0, 1, 3], [2, 0, 1]], "kernel": [[1, 0], [0, -1]], "delta": [[1, -1], [2, 1]]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("conv-backprop", **params).to_json()["parts"]}


def test_one_d_worked_by_hand():
    # dx_i = Σ_j δ_j w_(i−j): dx_1 = δ_0 w_1 + δ_1 w_0 = −1 + 2; dw_a = Σ_j δ_j x_(j+a): dw_0 = 1 + 4 + 9
    assert answers(**ONE_D) == {"grad_input": [1, 1, 1, -3], "grad_kernel": [14, 20], "grad_bias": 6}


def test_two_d_worked_by_hand():
    # δ_(s,t)·K laid onto X at (s, t), added: dX_(1,1) = −1 (from δ_00) + 1 (from δ_11) = 0
    assert answers(**TWO_D) == {"grad_input": [[1, -1, 0], [2, 0, 1], [0, -2, -1]],
                                "grad_kernel": [[0, 7], [3, -1]], "grad_bias": 3}


def test_input_gradient_is_a_full_correlation_with_the_flipped_kernel():
    rng = np.random.default_rng(0)
    for _ in range(20):
        delta, kernel = rng.integers(-3, 4, size=6), rng.integers(-3, 4, size=3)
        full = np.correlate(np.pad(delta, 2), kernel[::-1], "valid")
        assert grad_input(delta, kernel).tolist() == full.tolist()
        x = rng.integers(0, 9, size=8)
        assert grad_kernel(x, delta).tolist() == np.correlate(x, delta, "valid").tolist()


@pytest.mark.parametrize(("params", "part", "text", "mistake"), [
    (ONE_D, "grad_input", "[-1, -1, -1, 3]", "not-flipped"),
    (ONE_D, "grad_input", "[1, 1]", "valid-instead-of-full"),
    (ONE_D, "grad_kernel", "[1, 2]", "shared-weights-not-summed"),
    (ONE_D, "grad_kernel", "[14/3, 20/3]", "averaged-over-positions"),
    (ONE_D, "grad_kernel", "[10, 16]", "flipped-delta"),
    (ONE_D, "grad_bias", "1", "shared-weights-not-summed"),
    (ONE_D, "grad_bias", "2", "averaged-over-positions"),
    (ONE_D, "grad_bias", "3", "upstream-ignored"),
    (TWO_D, "grad_input", "[[-1, 1, 0], [-2, 0, -1], [0, 2, 1]]", "not-flipped"),
    (TWO_D, "grad_kernel", "[[1, 2], [0, 1]]", "shared-weights-not-summed"),
])
def test_misconceptions_are_named(params, part, text, mistake):
    result = exercises.answer("conv-backprop", part, text, **params)
    assert result["misconception"] == mistake and result["status"] != "correct" and result["score"] < 1, result


def test_correct_answers_in_student_notation():
    assert exercises.answer("conv-backprop", "grad_input", "1 1 1 −3", **ONE_D)["status"] == "correct"
    assert exercises.answer("conv-backprop", "grad_kernel", "0 7; 3 -1", **TWO_D)["status"] == "correct"
    assert exercises.answer("conv-backprop", "grad_bias", "6", **ONE_D)["status"] == "correct"


@pytest.mark.parametrize(("pinned", "message"), [
    ({**ONE_D, "image": [[1, 2], [3, 4]]}, "not both"),
    ({"signal": [1, 2, 3], "kernel": [[1, 0], [0, 1]]}, "kernel must be a list like the signal"),
    ({**ONE_D, "dims": 2}, "dims 2 does not fit the pinned signal"),
    ({"signal": [1, 2], "kernel": [1, 2, 3]}, "does not fit inside the signal"),
    ({"signal": [1, 2, 3, 4], "kernel": [1, -1], "delta": [1, 2]}, r"delta must have the output's shape 3 entries"),
    ({**TWO_D, "delta": [[1, 2, 3], [4, 5, 6]]}, r"shape 2×2"),
    ({"kernel": [[1, 2], [3]]}, "kernel must be rectangular"),
    ({"kernel": [1.5, 2]}, "kernel must be rectangular"),
    ({"deltas": [1, 2]}, "did you mean 'delta'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("conv-backprop", **pinned)


def test_samples_are_pleasant_and_varied():
    dims = set()
    for seed in range(200):
        p = exercises.generate("conv-backprop", seed=seed).params
        kernel = np.array(p["kernel"])
        assert np.count_nonzero(kernel) >= 2 and not np.array_equal(kernel, np.flip(kernel))
        assert np.all(np.array(p["delta"]) != 0) and len(np.unique(p["delta"])) > 1 and np.sum(p["delta"]) != 0
        data = np.array(p.get("signal", p.get("image")))
        assert data.min() >= 0 and data.max() <= 5 and data.size <= 16
        dims.add(kernel.ndim)
    assert dims == {1, 2}
    for seed in range(20):
        assert np.ndim(exercises.generate("conv-backprop", seed=seed, dims=2).params["image"]) == 2
    counts = distinct_keys("conv-backprop")
    assert counts["grad_input"] >= 150 and counts["grad_kernel"] >= 150 and counts["grad_bias"] >= 12, counts


def test_partial_pins_fill_in_the_rest():
    for seed in range(30):
        p = exercises.generate("conv-backprop", seed=seed, signal=[3, 1, 4, 1, 5]).params
        assert len(p["delta"]) == 5 - len(p["kernel"]) + 1
        p = exercises.generate("conv-backprop", seed=seed, delta=[[1, 2], [3, 4]]).params
        assert np.shape(p["image"]) == tuple(2 + k - 1 for k in np.shape(p["kernel"]))


def test_solution_shows_the_flip_and_the_sums():
    text = render_question(exercises.generate("conv-backprop", **ONE_D), "md", solution=True)
    assert "flipped kernel" in text and r"dx_{1} = 1 \cdot (-1) + 2 \cdot 1 = 1" in text
    assert r"dw_{0} = 1 \cdot 1 + 2 \cdot 2 + 3 \cdot 3 = 14" in text
    assert "<svg" in text and "<svg" not in render_question(exercises.generate("conv-backprop", **ONE_D), "md")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("conv-backprop").verify(exercises.generate("conv-backprop", seed=seed))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=2, max_size=10), st.lists(st.integers(-5, 5), min_size=1, max_size=4))
def test_verifier_agrees_on_any_pinned_pair(signal, kernel):
    if len(kernel) <= len(signal):
        get("conv-backprop").verify(exercises.generate("conv-backprop", signal=signal, kernel=kernel))


@pytest.mark.parametrize(("part_id", "change"), [
    ("grad_input", lambda q: Vector(value=[v + (i == 1) for i, v in enumerate(q.part("grad_input").answer.value)])),
    ("grad_kernel", lambda q: Vector(value=list(q.part("grad_kernel").answer.value)[::-1])),
    ("grad_bias", lambda q: Number(value=q.part("grad_bias").answer.value + Fraction(1))),
])
def test_verifier_catches_a_wrong_key(part_id, change):
    question = exercises.generate("conv-backprop", **ONE_D)
    with pytest.raises(AssertionError):
        get("conv-backprop").verify(with_answer(question, part_id, change(question)))
    two_d = exercises.generate("conv-backprop", **TWO_D)
    wrong = Matrix(value=[[v + 1 for v in row] for row in two_d.part("grad_input").answer.value])
    with pytest.raises(AssertionError):
        get("conv-backprop").verify(with_answer(two_d, "grad_input", wrong))
