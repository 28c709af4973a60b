"""weight-sharing: hand-worked counts of the four layers, the book's biases, misconceptions, bad pins, the
enumerating verifier against the formulas, distinct keys, and the figure of the kernels along a row."""

import pytest
from conftest import with_answer
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_figures import assert_legible

import exercises
from exercises.figures import Cell
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.weight_sharing import LAYERS, count, enumerated
from grader import Integer

BOOK_ROW = {"dims": 1, "size": 6, "kernel": 2, "tiles": 2, "in_channels": 1, "out_channels": 1}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("weight-sharing", **params).to_json()["parts"]}


def test_one_row_like_the_books_figures():
    # 6 inputs, kernel 2: 5 outputs. Dense 6 * 5; locally connected 5 kernels of 2; tiled 2 kernels of 2;
    # convolution 1 kernel of 2. Biases: one per output unit (5), per kernel of the tiling (2), per channel (1).
    assert answers(**BOOK_ROW, bias=False) == {"dense": 30, "local": 10, "tiled": 4, "conv": 2}
    assert answers(**BOOK_ROW, bias=True) == {"dense": 35, "local": 15, "tiled": 6, "conv": 3}


def test_hand_worked_image():
    # 3 x 5 x 5 in, 4 out channels, kernel 2 x 2: 4 x 4 positions. Dense 75 * 64 + 64 = 4864;
    # local 64 units * 12 + 64 = 832; tiled 4 * (2 x 2) = 16 kernels * 12 + 16 = 208; conv 4 * 12 + 4 = 52.
    got = answers(dims=2, size=5, kernel=2, tiles=2, in_channels=3, out_channels=4, bias=True)
    assert got == {"dense": 4864, "local": 832, "tiled": 208, "conv": 52}


def test_misconceptions_are_named():
    image = {"dims": 2, "size": 5, "kernel": 2, "tiles": 2, "in_channels": 3, "out_channels": 4, "bias": True}

    def named(part, text):
        return exercises.answer("weight-sharing", part, text, **image)["misconception"]

    assert named("local", "52") == "local-as-conv"
    assert named("local", "4864") == "local-as-dense"
    assert named("local", str(768 + 4)) == "bias-shared"
    assert named("local", "768") == "bias-forgotten"
    assert named("tiled", str(4 * 2 * 12 + 8)) == "tiles-per-axis-only"
    assert named("tiled", "832") == "tiled-as-local"
    assert named("conv", "832") == "conv-as-local"
    assert named("conv", str(4 * 4 + 4)) == "input-channels-forgotten"
    assert named("conv", str(48 + 4 * 16)) == "bias-per-unit"  # 48 weights and a bias per output unit
    assert named("dense", str(75 * 100 + 100)) == "dense-same-size"
    assert named("dense", str(25 * 16 + 16)) == "channels-forgotten"
    result = exercises.answer("weight-sharing", "local", "52", **image)
    assert result["status"] == "incorrect" and "own kernel" in result["feedback"]


def test_misconceptions_that_cannot_happen_are_left_out():
    question = exercises.generate("weight-sharing", **BOOK_ROW, bias=False)
    ids = {m.id for part in question.parts for m in part.answer.misconceptions}
    assert "bias-forgotten" not in ids and "tiles-per-axis-only" not in ids  # no biases; 1-D
    assert "bias-per-unit" not in ids
    assert "channels-forgotten" not in ids  # one channel in and out: the same count


@pytest.mark.parametrize(("pinned", "message"), [
    ({"size": 5, "kernel": 4}, "kernel 4 leaves 2 output position"),
    ({"size": 6, "kernel": 2, "tiles": 5}, "tiles must be less than the 5 output positions"),
    ({"dims": 3}, "dims must be an integer from 1 to 2"),
    ({"tiles": 1}, "tiles must be an integer from 2 to 15"),
    ({"bias": "yes"}, "bias must be true or false"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("weight-sharing", **pinned)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 2), st.integers(4, 9), st.integers(1, 3), st.integers(2, 3), st.integers(1, 3),
       st.integers(1, 3), st.booleans())
def test_enumeration_agrees_with_the_formulas(dims, size, kernel, tiles, c_in, c_out, bias):
    p = {"dims": dims, "size": size, "kernel": kernel, "tiles": tiles, "in_channels": c_in, "out_channels": c_out,
         "bias": bias}
    assume(tiles < size - kernel + 1)  # what validate() asks: fewer tiles than positions
    for layer in LAYERS:
        assert enumerated(p, layer) == count(p, layer), layer


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("weight-sharing").verify(exercises.generate("weight-sharing", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("weight-sharing", seed=4)
    wrong = with_answer(question, "tiled", Integer(value=question.part("tiled").answer.value + 1))
    with pytest.raises(AssertionError, match="tiled"):
        get("weight-sharing").verify(wrong)


def test_samples_are_pleasant_and_varied():
    keys = {layer: set() for layer in LAYERS}
    dims = set()
    for seed in range(200):
        question = exercises.generate("weight-sharing", seed=seed)
        p = question.params
        dims.add(p["dims"])
        m = p["size"] - p["kernel"] + 1
        assert 2 <= p["tiles"] < m and p["kernel"] >= 2 and p["out_channels"] >= 2
        counts = [question.part(layer).answer.value for layer in LAYERS]
        assert counts == sorted(counts, reverse=True) and len(set(counts)) == 4  # sharing always saves more
        for layer, value in zip(LAYERS, counts, strict=True):
            keys[layer].add(value)
    assert dims == {1, 2}
    assert all(len(values) >= 30 for values in keys.values()), {k: len(v) for k, v in keys.items()}


def test_figure_names_the_kernel_of_every_position_and_stays_in_the_key():
    question = exercises.generate("weight-sharing", **BOOK_ROW, bias=True)
    (figure,) = question.figures()
    assert figure not in question.statement
    labels = [s.label for s in figure.shapes if isinstance(s, Cell) and s.label]
    assert labels == ["K1", "K2", "K3", "K4", "K5", "K1", "K2", "K1", "K2", "K1", "K", "K", "K", "K", "K"]
    for seed in range(40):
        assert_legible(exercises.generate("weight-sharing", seed=seed).figures()[0])
