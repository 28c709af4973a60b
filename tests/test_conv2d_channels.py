"""conv2d-channels: a hand-worked two-channel output map, the output shape, a 1×1 convolution as channel mixing,
misconceptions named, bad pins, the einsum/tensordot verifier over many seeds, varied samples."""

import numpy as np
import pytest
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from grader import Matrix, Tuple, Vector

CASE = {
    "image": [[[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[0, 1, 1], [2, 0, 1], [1, 1, 0]]],
    "kernel": [[[1, 0], [0, -1]], [[2, 1], [0, 0]]],
    "bias": 1, "channels_out": 8, "mix": [[1, 2], [0, -1], [3, 1]], "pixel": [1, 2],
}
SQUARE = {**CASE, "mix": [[1, 2], [3, -1]]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("conv2d-channels", **params).to_json()["parts"]}


def test_worked_by_hand():
    # Y_ij = 1 + (X0_ij − X0_(i+1,j+1)) + (2 X1_ij + X1_(i,j+1)); Z at (1, 2) = M · [3, 1]
    assert answers(**CASE) == {"shape": [8, 2, 2], "output": [[2, 3], [5, 2]], "mix": [5, -1, 10]}
    assert answers(**SQUARE)["mix"] == [5, 8]


@pytest.mark.parametrize(("params", "part", "text", "mistake"), [
    (CASE, "shape", "(2, 2, 2)", "channels-in-instead-of-out"),
    (CASE, "shape", "16 x 2 x 2", "channels-multiplied"),
    (CASE, "shape", "(8, 3, 3)", "same-size"),
    (CASE, "shape", "(8, 4, 4)", "full-size"),
    (CASE, "shape", "(2, 2, 8)", "channels-last"),
    (CASE, "output", "[[1, 2], [4, 1]]", "bias-forgotten"),
    (CASE, "output", "[[3, 4], [6, 3]]", "bias-per-channel"),
    (CASE, "output", "[[1, 0], [1, 1]]", "first-channel-only"),
    (CASE, "output", "[[1, 0], [2, 1]]", "same-slice-for-all-channels"),
    (CASE, "output", "[[3, 4], [4, 2]]", "flipped-kernel"),
    (CASE, "mix", "[2, -1, 1]", "pixel-swapped"),
    (SQUARE, "mix", "[6, 5]", "transposed-weights"),
    (SQUARE, "mix", "[3, -1]", "no-mixing"),
])
def test_misconceptions_are_named(params, part, text, mistake):
    result = exercises.answer("conv2d-channels", part, text, **params)
    assert result["misconception"] == mistake and result["status"] != "correct" and result["score"] < 1, result


def test_mistakes_that_cannot_happen_are_left_out():
    ids = {m.id for m in exercises.generate("conv2d-channels", **CASE).part("mix").answer.misconceptions}
    assert ids == {"pixel-swapped"}  # 3 × 2 weights: no transpose, no channel o for o = 2


@pytest.mark.parametrize(("pinned", "message"), [
    ({**CASE, "kernel": [[[1, 0], [0, -1]]]}, "one slice per input channel: the image has 2 channels, the kernel 1"),
    ({**CASE, "kernel": [[[1] * 4] * 4] * 2}, "the kernel slices are 4×4 but the image only 3×3"),
    ({**CASE, "mix": [[1, 2, 3]]}, "mix needs one column per input channel"),
    ({**CASE, "pixel": [3, 0]}, r"pixel \(3, 0\) is outside the 3×3 image"),
    ({"image": [[1, 2], [3, 4]]}, "image must be rectangular: a list of matrices"),
    ({"channels_out": 0}, "channels_out must be an integer from 1 to 1024"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("conv2d-channels", **pinned)


def test_samples_are_pleasant_and_varied():
    channels = set()
    for seed in range(200):
        question = exercises.generate("conv2d-channels", seed=seed)
        p = question.params
        image, kernel = np.array(p["image"]), np.array(p["kernel"])
        assert image.shape[0] == kernel.shape[0] in (2, 3) and image.max() <= 4 and image.min() >= 0
        assert all(np.count_nonzero(s) >= 2 for s in kernel) and p["bias"] != 0
        assert not np.array_equal(kernel, kernel[:, ::-1, ::-1])
        output = np.array(question.part("output").answer.value)
        assert output.size <= 6 and p["channels_out"] != image.shape[0]
        r, c = p["pixel"]
        assert image[:, r, c].all() or not image.all(axis=0).any()  # every channel shows at the pixel if it can
        mixed = question.part("mix").answer.value
        assert len(set(mixed)) == len(mixed) and 2 <= len(mixed) <= image.shape[0]
        assert all(part.answer.misconceptions for part in question.parts)
        channels.add(image.shape[0])
    assert channels == {2, 3}
    counts = distinct_keys("conv2d-channels")
    assert counts["output"] >= 150 and counts["mix"] >= 100 and counts["shape"] >= 15, counts


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("conv2d-channels").verify(exercises.generate("conv2d-channels", seed=seed))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(2, 5), st.integers(2, 5), st.integers(1, 2), st.data())
def test_verifier_agrees_on_any_pinned_layer(c_in, height, width, k, data):
    cube = lambda c, h, w, lo, hi: data.draw(st.lists(st.lists(st.lists(st.integers(lo, hi), min_size=w,  # noqa: E731
                                                                        max_size=w), min_size=h, max_size=h),
                                                       min_size=c, max_size=c))
    params = {"image": cube(c_in, height, width, 0, 9), "kernel": cube(c_in, k, k, -3, 3),
              "mix": [data.draw(st.lists(st.integers(-3, 3), min_size=c_in, max_size=c_in))]}
    get("conv2d-channels").verify(exercises.generate("conv2d-channels", **params))


@pytest.mark.parametrize(("part_id", "wrong"), [
    ("output", Matrix(value=[[2, 3], [5, 3]])), ("shape", Tuple(value=(8, 3, 2))), ("mix", Vector(value=[5, 1, 10])),
])
def test_verifier_catches_a_wrong_key(part_id, wrong):
    with pytest.raises(AssertionError):
        get("conv2d-channels").verify(with_answer(exercises.generate("conv2d-channels", **CASE), part_id, wrong))
