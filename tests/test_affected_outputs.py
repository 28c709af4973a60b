"""affected-outputs: the book's figures 9.2 to 9.4, a hand-worked strided stack, misconceptions, bad pins,
from-below and from-above agreeing, the verifier (connection matrices) over many seeds, and the figures.
The book numbers units from 1 (book_cases.yaml keeps its numbers); the template, like the sheets, from 0."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import with_answer
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_figures import assert_legible

import exercises
from exercises.figures import Unit
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.affected_outputs import cone_down, cone_up, numbered, reachability, sizes
from grader import Vector

BOOK = yaml.safe_load((Path(__file__).parent / "data" / "book_cases.yaml").read_text(encoding="utf-8"))
(CASE,) = BOOK["affected_outputs"]
FIGURES = {**{key: CASE[key] for key in ("n", "kernels", "strides", "paddings")},
           "input": CASE["input"] - 1, "unit": CASE["unit"] - 1}  # the book's x3 and g3 are x_2 and g_2 from 0
STRIDED = {"n": 11, "kernels": [3, 4], "strides": [2, 1], "paddings": [0, 1], "input": 3, "unit": 1}


def from_zero(book_numbers):
    return [v - 1 for v in book_numbers]


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("affected-outputs", **params).to_json()["parts"]}


def test_the_books_figures():
    got = answers(**FIGURES)
    assert got["affected"] == from_zero(CASE["affected"])  # figure 9.2: x3 affects s2, s3, s4
    assert got["field"] == from_zero(CASE["field"])  # figure 9.4: g3 sees all of x1 ... x5
    first_layer = reachability(FIGURES)[1]
    assert np.flatnonzero(first_layer[2]).tolist() == from_zero(CASE["field_of_first_layer_unit_3"])  # fig. 9.3


def test_hand_worked_strided_stack():
    # from 0: h has 5 units, h_o reads x_{2o} .. x_{2o+2}; x3 is read by h1 only. g: 4 units (padding 1), g_o
    # reads h_{o-1} .. h_{o+2}: h1 feeds g0, g1, g2. g1 reads h0 .. h3, which read x0 .. x8.
    assert answers(**STRIDED) == {"affected": [1], "affected_top": [0, 1, 2], "field": list(range(9))}


@pytest.mark.parametrize(("part", "text", "mistake", "pinned"), [
    ("affected", "[2]", "one-based", {}),
    ("affected_top", "[1, 2, 3]", "one-based", {}),
    ("affected", "[1, 2, 3]", "stride-ignored", {}),
    ("affected", "[6, 7, 8]", "backward-view", {}),
    ("affected_top", "[1]", "first-layer-only", {}),
    ("field", "[0, 1, 2, 3]", "top-layer-only", {}),
    ("field", "[-2, -1, 0, 1, 2, 3, 4, 5, 6]", "border-ignored", {"unit": 0}),
    ("field", "[0, 1, 2, 3, 4, 5, 6, 7, 8]", "padding-ignored", {"unit": 0}),
])
def test_misconceptions_are_named(part, text, mistake, pinned):
    result = exercises.answer("affected-outputs", part, text, **{**STRIDED, **pinned})
    assert result["status"] != "correct" and result["score"] < 1 and result["misconception"] == mistake


def test_border_units_have_fewer_connections():
    result = exercises.answer("affected-outputs", "affected", "[-1, 0, 1]", **{**FIGURES, "input": 0})
    assert answers(**{**FIGURES, "input": 0})["affected"] == [0, 1]
    assert result["misconception"] == "border-ignored"


@pytest.mark.parametrize(("pinned", "message"), [
    ({"kernels": [3, 3, 3], "strides": [1, 1]}, r"strides must have one entry per layer \(3, like kernels\)"),
    ({"n": 5, "input": 5}, r"input 5 is not one of x_0 ... x_4 \(numbered from 0\)"),
    ({**FIGURES, "unit": 5}, r"unit 5 is beyond the top layer, which has 5 units \(numbered from 0\)"),
    ({"kernels": [2, 3], "strides": [3, 1]}, "layer 1: stride 3 is more than the kernel width 2"),
    ({"kernels": [3, 3], "paddings": [2, 0]}, "layer 1: 2 zeros on each side is too much padding"),
    ({"n": 12, "kernels": [3, 3], "strides": [2, 1], "paddings": [0, 0], "input": 11},
     "no window of the layers covers x_11"),
    ({"n": 4, "kernels": [3, 3], "strides": [1, 1], "paddings": [0, 0]}, "the layers leave no units"),
    ({"kernels": [3, 3, 3, 3]}, "kernels must be a list of 2 to 3 integers"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("affected-outputs", **pinned)


@settings(max_examples=100, deadline=None)
@given(st.integers(3, 14), st.lists(st.tuples(st.integers(1, 5), st.integers(1, 2), st.integers(0, 2)),
                                    min_size=2, max_size=3))
def test_from_below_and_from_above_agree(n, stack):
    """Input i affects top unit o exactly when top unit o depends on input i."""
    p = {"n": n, "kernels": [k for k, _, _ in stack], "strides": [s for _, s, _ in stack],
         "paddings": [pad for _, _, pad in stack]}
    assume(all(s <= k and 2 * pad < k for k, s, pad in stack) and min(sizes(p)) >= 1)
    top = sizes(p)[-1]
    for i in range(n):
        affected = set(numbered(cone_up(p, i)[-1]))
        for o in range(top):
            assert (o in affected) == (i in numbered(cone_down(p, o)[0])), (i, o)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("affected-outputs").verify(exercises.generate("affected-outputs", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("affected-outputs", **FIGURES)
    with pytest.raises(AssertionError, match="affected_top"):
        get("affected-outputs").verify(with_answer(question, "affected_top", Vector(value=[2, 3, 4])))


def test_samples_are_varied():
    keys: dict[str, set] = {}
    for seed in range(200):
        question = exercises.generate("affected-outputs", seed=seed)
        assert sizes(question.params)[-1] >= 3 and question.part_ids == ["affected", "affected_top", "field"]
        for part in question.parts:
            keys.setdefault(part.id, set()).add(str(part.answer.expected_json()))
    assert all(len(values) >= 30 for values in keys.values()), {k: len(v) for k, v in keys.items()}


def test_figures_shade_the_answer_and_stay_in_the_key():
    question = exercises.generate("affected-outputs", **FIGURES)
    up, down = question.figures()
    assert not [block for block in question.statement if block in (up, down)]
    for figure, top_row, bottom_row in ((up, 5, 1), (down, 1, 5)):
        units = [s for s in figure.shapes if isinstance(s, Unit)]
        top, bottom = min(u.y for u in units), max(u.y for u in units)
        assert sum(u.style == "shade" for u in units if u.y == top) == top_row
        assert sum(u.style == "shade" for u in units if u.y == bottom) == bottom_row
    for seed in range(40):
        for figure in exercises.generate("affected-outputs", seed=seed).figures():
            assert_legible(figure)
