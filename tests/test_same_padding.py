"""same-padding: the lecture's kernel-6 case, numpy's real 'same' behaviour, conventions, misconceptions,
bad pins, the padded-signal verifier."""

import json

import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.padding import numpy_same_split, padded_output_length
from grader import Integer, Tuple, answer_from_json, grade


def key(**params) -> dict:
    return {part["id"]: part["answer"] for part in exercises.generate("same-padding", **params).to_json()["parts"]}


def grade_split(text: str, **params) -> dict:
    return exercises.answer("same-padding", "split", text, **params)


def test_lecture_kernel_six(lecture):
    case = lecture["padding"][0]
    assert key(kernel=case["kernel"], dilation=1)["total"] == case["same_total"] == case["shrink_per_layer"]
    assert key(kernel=6, dilation=1, convention="any")["split"] == case["lecture_split"]
    for library in ("pytorch", "tensorflow"):
        assert key(kernel=6, dilation=1, convention=library)["split"] == case["pytorch_tensorflow_split"]
    assert key(kernel=6, dilation=1, convention="numpy")["split"] == [3, 2]


def test_lecture_sizes_shrink_by_five(lecture):
    sizes = lecture["padding"][0]["sizes_without_padding_from_16"]
    for before, after in zip(sizes[:-1], sizes[1:], strict=True):
        assert padded_output_length(before, 6, 1, 0, 0) == after
    m, k = lecture["padding"][1]["sizes"]["m"], lecture["padding"][1]["sizes"]["k"]
    assert padded_output_length(m, k, 1, 3, 2) == lecture["padding"][1]["sizes"]["same"]


def test_numpy_same_puts_the_extra_zero_on_the_left():
    # A box kernel of six ones sums a window: the first 'same' output covers the left zeros and x_0..x_2
    # when numpy pads 3 zeros on the left (x_0..x_3 if it padded only 2).
    signal = np.arange(1, 11)
    same = np.convolve(signal, np.ones(6, dtype=int), mode="same")
    assert len(same) == 10 and same[0] == 1 + 2 + 3 and same[-1] == 8 + 9 + 10 + 7
    assert numpy_same_split(6, 1) == (3, 2) and numpy_same_split(4, 1) == (2, 1) and numpy_same_split(5, 1) == (2, 2)


def test_any_convention_accepts_both_orders_of_an_unequal_split():
    for text in ("(3, 2)", "2, 3", "(2; 3)"):
        assert grade_split(text, kernel=6, dilation=1, convention="any")["status"] == "correct"
    assert grade_split("(2, 2)", kernel=5, dilation=1, convention="any")["status"] == "correct"
    assert grade_split("(3, 1)", kernel=5, dilation=1, convention="any")["status"] != "correct"


def test_alternatives_survive_the_answer_key():
    spec = exercises.generate("same-padding", kernel=4, dilation=1, convention="any").part("split").answer
    again = answer_from_json(spec.to_json())
    assert again == spec and again.alternatives == ((1, 2),)
    assert grade(again, "(1, 2)").status == "correct" and grade(again, "(2, 1)").status == "correct"
    assert grade(Tuple(value=(2, 1)), "(1, 2)").status != "correct"


@pytest.mark.parametrize(("convention", "text", "mistake", "phrase"), [
    ("pytorch", "(3, 2)", "other-convention", "PyTorch and TensorFlow put it on the right"),
    ("tensorflow", "3, 2", "other-convention", "PyTorch and TensorFlow put it on the right"),
    ("numpy", "(2, 3)", "other-convention", "numpy's and scipy's 'same'"),
    ("any", "(5, 5)", "full-padding", "'full' padding"),
    ("pytorch", "(3, 3)", "half-kernel-each-side", "one too many"),
])
def test_split_misconceptions_are_named(convention, text, mistake, phrase):
    result = grade_split(text, kernel=6, dilation=1, convention=convention)
    assert result["status"] != "correct" and result["misconception"] == mistake
    assert phrase in result["feedback"]


def test_dilation_misconceptions_are_named():
    # kernel 3, dilation 2: taps 2 apart span 5 positions, so 4 zeros, 2 on each side.
    assert key(kernel=3, dilation=2) == {"total": 4, "split": [2, 2]}
    assert exercises.answer("same-padding", "total", "2", kernel=3, dilation=2)["misconception"] == "dilation-ignored"
    assert exercises.answer("same-padding", "total", "5", kernel=3, dilation=2)["misconception"] == "kernel-span"
    assert grade_split("(1, 1)", kernel=3, dilation=2)["misconception"] == "dilation-ignored"


def test_total_misconceptions_are_named():
    assert exercises.answer("same-padding", "total", "6", kernel=6, dilation=1)["misconception"] == "kernel-span"
    assert exercises.answer("same-padding", "total", "3", kernel=6, dilation=1)["misconception"] == "one-side-only"


@pytest.mark.parametrize(("pinned", "message"), [
    ({"kernel": 1}, "kernel must be an integer from 2 to 9"),
    ({"dilation": 0}, "dilation must be an integer from 1 to 4"),
    ({"convention": "torch"}, "convention must be one of any, pytorch, tensorflow, numpy"),
    ({"dilatation": 2}, "did you mean 'dilation'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("same-padding", **pinned)


def test_samples_are_pleasant_and_many():
    """Kernels 2 to 9 (mostly even: their zeros cannot be split evenly), dilation 1 to 3, every convention; far
    more than the dozen variants of version 1, and the split worth the same points in every variant."""
    questions = [exercises.generate("same-padding", seed=seed) for seed in range(300)]
    params = [q.params for q in questions]
    assert all(2 <= p["kernel"] <= 9 and p["dilation"] in (1, 2, 3) for p in params)
    assert {p["convention"] for p in params} == {"any", "pytorch", "tensorflow", "numpy"}
    dilated = sum(p["dilation"] > 1 for p in params)
    even = sum(p["kernel"] % 2 == 0 for p in params)
    assert 60 <= dilated <= 180 and even >= 120
    assert len({json.dumps(p, sort_keys=True) for p in params}) >= 60
    assert {q.part("split").points for q in questions} == {2} and {q.part("total").points for q in questions} == {1}


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("same-padding").verify(exercises.generate("same-padding", seed=seed))


@settings(max_examples=100, deadline=None)
@given(st.integers(2, 9), st.integers(1, 4), st.sampled_from(["any", "pytorch", "tensorflow", "numpy"]))
def test_verifier_agrees_on_any_pin(kernel, dilation, convention):
    get("same-padding").verify(exercises.generate("same-padding", kernel=kernel, dilation=dilation,
                                                  convention=convention))


@pytest.mark.parametrize(("convention", "part_id", "answer"), [
    ("any", "total", Integer(value=6)),
    ("pytorch", "split", Tuple(value=(3, 2))),
    ("numpy", "split", Tuple(value=(2, 3))),
    ("any", "split", Tuple(value=(3, 3))),
    ("any", "split", Tuple(value=(3, 2), alternatives=((1, 4),))),
])
def test_verifier_catches_a_wrong_key(convention, part_id, answer):
    question = exercises.generate("same-padding", kernel=6, dilation=1, convention=convention)
    with pytest.raises(AssertionError):
        get("same-padding").verify(with_answer(question, part_id, answer))
