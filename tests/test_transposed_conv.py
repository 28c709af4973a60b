"""transposed-conv: PyTorch's output size on the published cases (Dumoulin & Visin, DCGAN, PyTorch's docs), the
output as Aᵀx against a brute-force scatter-add, the checkerboard (Odena et al. 2016), misconceptions named, bad
pins, the verifier over many seeds, the figure, and varied keys."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.transposed_conv import forward_matrix, scattered, transposed
from grader import Vector

PAPERS = yaml.safe_load((Path(__file__).parent / "data" / "paper_cases.yaml").read_text(encoding="utf-8"))
# Dumoulin & Visin's relationship 14 in one dimension: x of 3 entries, kernel 3, stride 2, padding 1.
GUIDE = {"signal": [1, 2, 3], "kernel": [1, 2, -1], "stride": 2, "padding": 1, "output_padding": 0, "dilation": 1,
         "side": 6}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("transposed-conv", **params).to_json()["parts"]}


@pytest.mark.parametrize("case", PAPERS["transposed_conv"])
def test_published_output_sizes(case):
    settings = {name: case[name] for name in ("stride", "padding", "output_padding", "dilation", "side")}
    got = answers(**GUIDE | settings | {"kernel": [1, 2, -1, 1][: case["kernel"]]})
    assert got["size"] == case["size"]


def test_the_output_is_the_transpose_of_the_convolution():
    """A is the stride-2, padding-1 convolution from 5 positions to 3; y = Aᵀx, as the scattered copies add up."""
    p = GUIDE
    matrix = forward_matrix(p)
    assert matrix.tolist() == [[2, -1, 0, 0, 0], [0, 1, 2, -1, 0], [0, 0, 0, 1, 2]]
    u = np.array([4, -2, 7, 1, 3])
    padded = np.pad(u, 1)
    assert (matrix @ u).tolist() == [int(padded[2 * i: 2 * i + 3] @ np.array([1, 2, -1])) for i in range(3)]
    assert transposed(p) == (matrix.T @ np.array(p["signal"])).tolist() == [2, 1, 4, 1, 6]
    assert scattered(p) == ([2, 1, 4, 1, 6], [1, 2, 1, 2, 1])
    assert answers(**p)["copies"] == [1, 2, 1, 2, 1]


@pytest.mark.parametrize("case", PAPERS["checkerboard"])
def test_the_checkerboard(case):
    """Kernel 3 with stride 2: copies alternate 2, 1 away from the ends; kernel 4 with stride 2: 2 everywhere."""
    got = answers(signal=[1] * 6, kernel=case["kernel"], stride=case["stride"], padding=0, output_padding=0,
                  dilation=1, side=5)
    k = len(case["kernel"])
    assert set(got["copies"][k:-k]) == set(case["interior"]) and got["copies"][0] == 1


PINNED = {"signal": [2, -1, 3], "kernel": [1, -2, 3], "stride": 2, "padding": 1, "output_padding": 1,
          "dilation": 1, "side": 8}
# full scatter: positions 0..6 get [2, -4, 6-1, 2, -3+3, -6, 9] = [2, -4, 5, 2, 0, -6, 9]; crop 1 at the start,
# keep 7 - 2 + 1 = 6: [-4, 5, 2, 0, -6, 9]


def test_hand_worked_case():
    assert answers(**PINNED) == {"size": 7 * 2 - 2 + 2 + 1 + 1, "output": [-4, 5, 2, 0, -6, 9],
                                 "copies": [1, 2, 1, 2, 1, 1]}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("size", "18", "padding-forgotten"),
    ("size", "8", "stride-ignored"),
    ("size", "15", "output-padding-forgotten"),
    ("size", "4", "conv-formula-for-transpose"),
    ("output", "[-4, -1, 2, 8, -6, 3]", "flipped-kernel"),
    ("output", "[-4, -1, 2, 3, -6, 9]", "overwritten-not-added"),
    ("output", "[2, -4, 5, 2, 0, -6, 9, 0]", "padding-not-cropped"),
    ("output", "[-5, 11, -9]", "stride-ignored"),
    ("output", "[2, -4, 5, 2, 0, -6]", "output-padding-on-the-left"),
    ("copies", "[2, 2, 2, 2, 2, 2]", "uniform-overlap"),
    ("copies", "[1, 1, 2, 1, 2, 1, 1, 0]", "padding-not-cropped"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("transposed-conv", part, text, **PINNED)
    assert result["status"] != "correct" and result["misconception"] == mistake


@pytest.mark.parametrize(("pinned", "message"), [
    ({"stride": 2, "output_padding": 2}, "output_padding = 2 must be less than the stride 2"),
    ({"stride": 1, "output_padding": 1}, "must be less than the stride 1"),
    ({"kernel": [1, 2], "padding": 2, "dilation": 1}, r"padding = 2 is more than d\(k - 1\) = 1"),
    ({"signal": [1], "kernel": [1, 2, 3], "stride": 1, "padding": 2, "output_padding": 0}, "crops the whole output"),
    ({"stride": 5}, "stride must be an integer from 1 to 4"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("transposed-conv", **pinned)


def test_the_figure_is_in_the_key_and_counts_the_copies():
    from exercises.figures import Cell

    question = exercises.generate("transposed-conv", **PINNED)
    (figure,) = question.figures()
    assert figure not in question.statement
    products = [s for s in figure.shapes if isinstance(s, Cell) and s.style == "kernel"]
    assert len(products) == 3 * 3
    kept = [s.label for s in figure.shapes if isinstance(s, Cell) and s.style == "shade"]
    assert kept == ["-4", "5", "2", "0", "-6", "9"]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("transposed-conv").verify(exercises.generate("transposed-conv", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("transposed-conv", **PINNED)
    with pytest.raises(AssertionError, match="output"):
        get("transposed-conv").verify(with_answer(question, "output", Vector(value=[-4, 5, 2, 0, -6, 8])))


def test_samples_are_pleasant_and_varied():
    for seed in range(100):
        question = exercises.generate("transposed-conv", seed=seed)
        p, output = question.params, question.part("output").answer.value
        assert 4 <= len(output) <= 10 and len(output) not in (len(p["signal"]), len(p["kernel"]))
        assert p["output_padding"] < p["stride"] and 0 not in p["signal"] + p["kernel"]
        assert len(set(question.part("copies").answer.value)) > 1
    assert min(distinct_keys("transposed-conv", range(100)).values()) >= 30
