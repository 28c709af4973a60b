"""pool-invariance: hand-worked rows, the lecture's point (inputs change, only some pooled values do), pins."""


from fractions import Fraction

import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
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
    widths = set()
    for seed in range(200):
        question = exercises.generate("pool-invariance", seed=seed)
        x = [Fraction(v) for v in question.params["signal"]]
        assert 6 <= len(x) <= 10 and all(0 <= v <= 10 for v in x) and 3 <= question.params["width"] <= 5
        assert all(a != b for a, b in zip(x, x[1:], strict=False)), "every input after the first changes"
        assert 0 < 2 * question.part("changed").answer.value <= len(x), "the lesson shows: at most half change"
        widths.add(question.params["width"])
    assert widths == {3, 4, 5}


def test_the_books_figure():
    """Figure 9.8 of the book: the detector row 0.1, 1., 0.2, 0.1 pools (width 3, stride 1) to 1., 1., 1., 0.2,
    printed as the book writes it; the answers are exact."""
    question = exercises.generate("pool-invariance", signal=["0.1", "1.", "0.2", "0.1"], width=3)
    assert question.to_json()["parts"][0]["answer"] == [1, 1, 1, "1/5"]
    text = render_question(question, "md", solution=True)
    assert r"\begin{bmatrix} 0.1 & 1. & 0.2 & 0.1 \end{bmatrix}" in text
    assert r"**Answer:** $\begin{bmatrix} 1. & 1. & 1. & 0.2 \end{bmatrix}$" in text
    assert exercises.answer("pool-invariance", "output", "1 1 1 0.2", signal=["0.1", "1.", "0.2", "0.1"],
                            width=3)["status"] == "correct"
    drawn = [exercises.generate("pool-invariance", seed=seed).params["signal"] for seed in range(100)]
    assert 10 <= sum(isinstance(x[0], str) for x in drawn) <= 50, "decimal rows drawn sometimes, as in the book"


APPROXIMATE = "Max pooling is approximately invariant to small translations."


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from([None, 2, 3, 4, 5]), st.integers(1, 3))
def test_the_conclusion_agrees_with_the_numbers(seed, width, shift):
    """The solution calls pooling approximately invariant only when at most half the pooled values changed, and
    the counts it states are the variant's own (width 2 or a large shift often changes most of them)."""
    pinned = {"shift": shift} if width is None else {"width": width, "shift": shift}
    question = exercises.generate("pool-invariance", seed=seed, **pinned)
    changed, total = question.part("changed").answer.value, len(question.params["signal"])
    sentence = question.part("changed").solution[0].text
    assert (APPROXIMATE in sentence) == (2 * changed <= total), sentence
    assert ("not even approximately invariant" in sentence) == (2 * changed > total), sentence
    if changed:
        assert f"and {changed} of the {total} pooled values" in sentence


def test_the_conclusion_when_most_values_change():
    # width 2 on a zigzag: y = [5, 5, 6, 6, 3] and y' = [1, 5, 5, 6, 6]: 3 of 5 changed
    question = exercises.generate("pool-invariance", signal=[1, 5, 2, 6, 3], width=2)
    sentence = question.part("changed").solution[0].text
    assert "3 of the 5 pooled values: more than half" in sentence and APPROXIMATE not in sentence


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
