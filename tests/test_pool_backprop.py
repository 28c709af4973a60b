"""pool-backprop: hand-worked gradients (overlapping windows add, ties to the first maximum in reading order),
the misconceptions named, bad pins, the perturbation verifier over many seeds, pleasant and varied samples."""

import numpy as np
import pytest
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.pool_backprop import route, winners
from grader import Vector

# windows [1 3 7] [7 2 0] [0 6 6]: the 7 wins two windows, the last window's maximum is tied
ONE_D = {"signal": [1, 3, 7, 2, 0, 6, 6], "width": 3, "stride": 2, "delta": [2, -1, 3]}
# 2×2 windows, stride 1: the 4 at (0, 1) wins the two top windows (each has a second 4 at (1, 1))
TWO_D = {"image": [[1, 4, 2], [3, 4, 0], [2, 1, 5]], "width": 2, "stride": 1, "delta": [[1, 2], [-1, 3]]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("pool-backprop", **params).to_json()["parts"]}


def test_one_d_worked_by_hand():
    assert answers(**ONE_D) == {"output": [7, 7, 6], "grad_input": [0, 0, 1, 0, 0, 3, 0]}


def test_two_d_worked_by_hand():
    assert answers(**TWO_D) == {"output": [[4, 4], [4, 5]], "grad_input": [[0, 3, 0], [0, -1, 0], [0, 0, 3]]}


@pytest.mark.parametrize(("params", "part", "text", "mistake"), [
    (ONE_D, "grad_input", "[2, 2, 1, -1, 2, 3, 3]", "gradient-to-every-position"),
    (ONE_D, "grad_input", "[2/3, 2/3, 1/3, -1/3, 2/3, 1, 1]", "averaged"),
    (ONE_D, "grad_input", "[0, 0, -1, 0, 0, 3, 0]", "overlap-not-added"),
    (ONE_D, "grad_input", "[0, 0, 1, 0, 0, 3, 3]", "tie-to-every-maximum"),
    (ONE_D, "grad_input", "[0, 0, 1, 0, 0, 0, 3]", "tie-to-last-maximum"),
    (TWO_D, "grad_input", "[[0, 0, 0], [0, 2, 0], [0, 0, 3]]", "tie-to-last-maximum"),
    (ONE_D, "output", "[7, 7, 7, 6, 6]", "stride-ignored"),
    (ONE_D, "output", "[7, 6]", "windows-not-overlapping"),
    (ONE_D, "output", "[11/3, 3, 4]", "average-instead-of-max"),
])
def test_misconceptions_are_named(params, part, text, mistake):
    result = exercises.answer("pool-backprop", part, text, **params)
    assert result["misconception"] == mistake and result["status"] != "correct" and result["score"] < 1, result


def test_statement_states_the_tie_rule():
    for params, words in [(ONE_D, "(left to right)"), (TWO_D, "(left to right, then top to bottom)")]:
        text = render_question(exercises.generate("pool-backprop", **params), "md")
        assert "the first of them in reading order " + words + " wins" in text


def test_winners_follow_reading_order():
    image = [[5, 1], [5, 5]]
    assert winners(image, 2, 1) == [(0, 0)] and winners(image, 2, 1, last=True) == [(1, 1)]
    assert route([2, 2, 2], [4, 5], 2, 1).tolist() == [4, 5, 0]


@pytest.mark.parametrize(("pinned", "message"), [
    ({**ONE_D, "image": [[1, 2], [3, 4]]}, "not both"),
    ({"signal": [1, 2, 3, 4, 5], "width": 2, "stride": 3}, "stride 3 is more than the width 2"),
    ({"signal": [1, 2], "width": 3}, "does not fit into the signal 2"),
    ({**ONE_D, "delta": [1, 2]}, "delta must have the pooled output's shape 3"),
    ({**TWO_D, "delta": [1, 2, 3, 4]}, r"delta must be a matrix \(list of rows\) like the image"),
    ({**TWO_D, "dims": 1}, "dims 1 does not fit the pinned image"),
    ({"width": 1}, "width must be an integer from 2 to 4"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("pool-backprop", **pinned)


def test_samples_are_pleasant_and_varied():
    kinds = set()
    for seed in range(200):
        question = exercises.generate("pool-backprop", seed=seed)
        p = question.params
        data = np.array(p.get("signal", p.get("image")))
        assert data.size <= 16 and data.min() >= 0 and data.max() <= 9
        assert np.all(np.array(p["delta"]) != 0)
        found = winners(data, p["width"], p["stride"])
        overlapping = p["stride"] < p["width"]
        if overlapping:  # the lesson of overlapping windows shows: some input wins two windows
            assert len(set(found)) < len(found)
            ids = {m.id for m in question.part("grad_input").answer.misconceptions}
            assert "overlap-not-added" in ids
        gradient = route(data, p["delta"], p["width"], p["stride"])
        assert all(gradient[pos] != 0 for pos in found)  # shared gradients never cancel to 0
        kinds.add((data.ndim, overlapping))
    assert kinds == {(1, True), (1, False), (2, True), (2, False)}
    for seed in range(20):
        assert np.ndim(exercises.generate("pool-backprop", seed=seed, dims=2).params["image"]) == 2
    counts = distinct_keys("pool-backprop")
    assert min(counts.values()) >= 150, counts


def test_key_figure_routes_each_window_to_its_maximum():
    question = exercises.generate("pool-backprop", **ONE_D)
    (figure,) = question.figures()
    assert figure in question.part("grad_input").solution and not [b for b in question.statement if b is figure]
    shaded = [s.label for s in figure.shapes if getattr(s, "style", "") == "shade" and hasattr(s, "label")]
    assert shaded == ["7", "6"]  # the two inputs that receive a gradient


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("pool-backprop").verify(exercises.generate("pool-backprop", seed=seed))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=4, max_size=10), st.integers(2, 3), st.data())
def test_verifier_agrees_on_ties_everywhere(signal, width, data):
    stride = data.draw(st.integers(1, width))
    get("pool-backprop").verify(exercises.generate("pool-backprop", signal=signal, width=width, stride=stride))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("pool-backprop", **ONE_D)
    last = Vector(value=[0, 0, 1, 0, 0, 0, 3])  # the tie sent to the last maximum
    with pytest.raises(AssertionError):
        get("pool-backprop").verify(with_answer(question, "grad_input", last))
    with pytest.raises(AssertionError):
        get("pool-backprop").verify(with_answer(question, "output", Vector(value=[7, 7, 7])))
