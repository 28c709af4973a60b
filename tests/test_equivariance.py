"""equivariance: the lecture's case, a hand-worked shift of 2, misconceptions, pins, verifier."""


import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.equivariance import shift_left
from grader import Integer, Vector

LECTURE_X, LECTURE_W = [100, 101, 99, 200, 199, 201], [-1, 1]


def answers(**params):
    return {part["id"]: part["answer"] for part in exercises.generate("equivariance", **params).to_json()["parts"]}


def test_lecture_case(lecture):
    (case,) = lecture["equivariance"]
    assert shift_left(case["signal"], 1) == case["shifted_signal"]
    got = answers(signal=case["signal"], kernel=case["kernel"], shift=1)
    assert got["output"] == case["output"]
    assert got["shifted_output"] == case["shifted_output"]
    # [-2, 101, -1, 2, 0] against the translated output [-2, 101, -1, 2, 2]: only the last entry differs.
    assert got["changed"] == 1


def test_shift_by_two_worked_by_hand():
    # x = 1..5, w = [1, -1]: y = [-1, -1, -1, -1]; x' = [3, 4, 5, 5, 5], y' = [-1, -1, 0, 0];
    # z = y moved two left = [-1, -1, -1, -1], so the two border entries differ.
    assert answers(signal=[1, 2, 3, 4, 5], kernel=[1, -1], shift=2) == {
        "output": [-1, -1, -1, -1], "shifted_output": [-1, -1, 0, 0], "changed": 2,
    }


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("output", "[-1, 2, -101, 1, -2]", "flipped-kernel"),
    ("shifted_output", "[0, 1, -2, 101, -1]", "shifted-wrong-way"),  # x shifted right: 100 100 101 99 200 199
    ("shifted_output", "[-2, 101, -1, 2, 2]", "forgot-border"),  # y translated instead of recomputed
    ("shifted_output", "[2, -101, 1, -2, 0]", "flipped-kernel"),
    ("changed", "0", "forgot-border"),
    ("changed", "5", "compared-unshifted"),  # y' against y position by position: all five differ
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("equivariance", part, text, signal=LECTURE_X, kernel=LECTURE_W)
    assert result["misconception"] == mistake and result["feedback"]


def test_forgot_border_feedback_says_why():
    result = exercises.answer("equivariance", "changed", "0", signal=LECTURE_X, kernel=LECTURE_W)
    assert "border" in result["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"shift": 0}, "shift must be an integer from 1 to 4"),
    ({"shfit": 1}, "did you mean 'shift'"),
    ({"signal": [1, 2, 3], "kernel": [1, 2], "shift": 2}, "needs a signal of at least 4 values"),
    ({"kernel": [1.5]}, "kernel must be a list of 1 to 5 integers"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("equivariance", **pinned)


def test_samples_are_pleasant_and_the_border_matters():
    for seed in range(200):
        question = exercises.generate("equivariance", seed=seed)
        p = question.params
        assert 6 <= len(p["signal"]) <= 10 and all(0 <= v <= 9 for v in p["signal"])
        assert 2 <= len(p["kernel"]) <= 3 and p["kernel"] != p["kernel"][::-1]
        assert question.part("changed").answer.value >= 2


def test_the_shift_is_drawn_so_the_border_count_varies():
    """Version 1 shifted by one in every variant, so 'how many positions differ' was 1 for everyone; version 2
    still gave 1 in a third of the variants (a shift of one changes one output at most): version 3 shifts by 2 to 4
    and at least two outputs change, so guessing 1 earns nothing."""
    questions = [exercises.generate("equivariance", seed=seed) for seed in range(200)]
    shifts = [q.params["shift"] for q in questions]
    assert set(shifts) == {2, 3, 4} and max(shifts.count(s) for s in set(shifts)) <= 0.6 * len(shifts)
    changed = [q.part("changed").answer.value for q in questions]
    assert set(changed) == {2, 3, 4} and all(2 <= c <= s for c, s in zip(changed, shifts, strict=True))
    assert {q.part("output").points for q in questions} == {3}  # whatever the output length


def test_a_pinned_example_keeps_the_lectures_shift():
    assert all(exercises.generate("equivariance", seed=seed, signal=LECTURE_X).params["shift"] == 1
               for seed in range(20))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63), st.integers(1, 3))
def test_verifier_agrees_on_any_seed(seed, shift):
    get("equivariance").verify(exercises.generate("equivariance", seed=seed, shift=shift))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=6, max_size=12), st.lists(st.integers(-3, 3), min_size=1, max_size=3),
       st.integers(1, 3))
def test_equal_away_from_the_border(signal, kernel, shift):
    key = answers(signal=signal, kernel=kernel, shift=shift)
    inner = len(key["output"]) - shift
    assert key["shifted_output"][:inner] == key["output"][shift:]
    assert 0 <= key["changed"] <= shift


@pytest.mark.parametrize("part_id", ["output", "shifted_output", "changed"])
def test_verifier_catches_a_wrong_key(part_id):
    question = exercises.generate("equivariance", seed=5)
    spec = question.part(part_id).answer
    wrong = Integer(value=spec.value + 1) if part_id == "changed" else Vector(value=[v + 1 for v in spec.value])
    with pytest.raises(AssertionError):
        get("equivariance").verify(with_answer(question, part_id, wrong))
