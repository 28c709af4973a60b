"""pool-invariance: hand-worked rows, the lecture's point (inputs change, only some pooled values do), pins."""


import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from grader import Integer, Vector

ROW = [8, 0, 5, 0, 2, 4]


def answers(**params):
    return {part["id"]: part["answer"] for part in exercises.generate("pool-invariance", **params).to_json()["parts"]}


def test_width_three_worked_by_hand():
    # windows x[i-1..i+1], cut off at the ends; x' = [8, 8, 0, 5, 0, 2]
    assert answers(signal=ROW, width=3) == {
        "output": [8, 8, 5, 5, 4, 4], "shifted_output": [8, 8, 8, 5, 5, 2], "changed": 3,
    }


def test_width_two_worked_by_hand():
    # windows x[i..i+1]; x' = [1, 1, 5, 2, 6]
    assert answers(signal=[1, 5, 2, 6, 3], width=2) == {
        "output": [5, 5, 6, 6, 3], "shifted_output": [1, 5, 5, 6, 6], "changed": 3,
    }


def test_shift_by_two_worked_by_hand():
    # x' = [8, 8, 8, 0, 5, 0]: y' = [8, 8, 8, 8, 5, 5]
    assert answers(signal=ROW, width=3, shift=2) == {
        "output": [8, 8, 5, 5, 4, 4], "shifted_output": [8, 8, 8, 8, 5, 5], "changed": 4,
    }


def test_every_input_changes_but_only_some_pooled_values_do():
    for seed in range(200):
        question = exercises.generate("pool-invariance", seed=seed)
        x = question.params["signal"]
        assert 6 <= len(x) <= 10 and all(0 <= v <= 9 for v in x) and 2 <= question.params["width"] <= 3
        assert all(a != b for a, b in zip(x, x[1:], strict=False)), "every input after the first changes"
        assert 0 < question.part("changed").answer.value < len(x)


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("output", "[8, 5, 5, 4]", "border-windows-dropped"),
    ("shifted_output", "[5, 5, 5, 4, 4, 4]", "shifted-wrong-way"),  # x shifted left: 0 5 0 2 4 4
    ("changed", "6", "everything-changes"),
    ("changed", "0", "nothing-changes"),
    ("changed", "5", "counted-inputs"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("pool-invariance", part, text, signal=ROW, width=3)
    assert result["misconception"] == mistake and result["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"width": 1}, "width must be an integer from 2 to 5"),
    ({"signal": [1, 2, 3], "shift": 3}, "shift 3 moves the whole signal of 3 values out"),
    ({"sihft": 1}, "did you mean 'shift'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("pool-invariance", **pinned)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63), st.integers(1, 3))
def test_verifier_agrees_on_any_seed(seed, shift):
    get("pool-invariance").verify(exercises.generate("pool-invariance", seed=seed, shift=shift))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=5, max_size=12), st.integers(2, 5))
def test_verifier_agrees_on_pinned_rows(signal, width):
    get("pool-invariance").verify(exercises.generate("pool-invariance", signal=signal, width=width))


@pytest.mark.parametrize("part_id", ["output", "shifted_output", "changed"])
def test_verifier_catches_a_wrong_key(part_id):
    question = exercises.generate("pool-invariance", seed=4)
    spec = question.part(part_id).answer
    wrong = Integer(value=spec.value + 1) if part_id == "changed" else Vector(value=[v + 1 for v in spec.value])
    with pytest.raises(AssertionError):
        get("pool-invariance").verify(with_answer(question, part_id, wrong))
