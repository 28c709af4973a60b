"""flip: the lecture's signal both ways, commutativity by swapping roles, symmetric kernels, misconceptions,
bad pins, the numpy verifier over many seeds, varied samples."""

import numpy as np
import pytest
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.flip import full_correlation
from grader import Vector

LECTURE_X = [100, 101, 99, 200, 199, 201]
SMALL = {"signal": [1, 2, 3], "kernel": [1, -1], "candidates": [[1, 2, 1], [1, 0, -1], [2, 1, 0], [0, 3, 0]]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("flip", **params).to_json()["parts"]}


def test_lecture_signal_both_ways(lecture):
    case = lecture["conv1d"][0]  # x = [100, 101, 99, 200, 199, 201], w = [-1, 0, 1]
    got = answers(signal=case["signal"], kernel=case["kernel"])
    assert got["correlation"] == case["output"] == [-1, 99, 100, 1]
    assert got["convolution"] == [-v for v in case["output"]]  # [-1, 0, 1] flipped is minus itself


def test_small_case_worked_by_hand():
    # padded w = [0 0 1 -1 0 0] under x = [1 2 3]: z_0 = 3, z_1 = 2 - 3, z_2 = 1 - 2, z_3 = -1
    got = answers(**SMALL)
    assert got["correlation"] == [-1, -1] and got["convolution"] == [1, 1]
    assert got["swapped"] == [3, -1, -1, -1] == full_correlation([1, 2, 3], [1, -1])[::-1]
    assert got["symmetric"] == ["w1", "w4"]


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("correlation", "[1, 1]", "flipped-kernel"),
    ("correlation", "[-1, -1, -1, 3]", "full-instead-of-valid"),
    ("convolution", "[-1, -1]", "not-flipped"),
    ("convolution", "[1, 1, 1, -3]", "full-instead-of-valid"),
    ("swapped", "[-1, -1, -1, 3]", "assumed-commutative"),
    ("swapped", "[1, 1, 1, -3]", "convolution-instead"),
    ("symmetric", "A", "symmetric-missed"),
    ("symmetric", "A, B, D", "antisymmetric-chosen"),
    ("symmetric", "A, C, D", "asymmetric-chosen"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("flip", part, text, **SMALL)
    assert result["misconception"] == mistake and result["status"] != "correct", result


def test_output_reversed_is_named():
    # flipped kernel [2, 0, 1] under x: [2 + 3, 4 + 4, 6 + 5]; reversing x instead gives these backwards
    assert answers(signal=[1, 2, 3, 4, 5], kernel=[1, 0, 2])["convolution"] == [5, 8, 11]
    result = exercises.answer("flip", "convolution", "[11, 8, 5]", signal=[1, 2, 3, 4, 5], kernel=[1, 0, 2])
    assert result["misconception"] == "output-reversed"


@pytest.mark.parametrize(("kernel", "verdict"), [
    ([1, 2, 1], "The same as $x \\star w$"),
    ([1, 0, -1], "The negative of $x \\star w$"),
    ([1, 2, 3], "Different from $x \\star w$"),
])
def test_the_solution_says_what_the_numbers_show(kernel, verdict):
    question = exercises.generate("flip", signal=[3, 1, 4, 1, 5], kernel=kernel)
    text = render_question(question, "md", solution=True)
    assert verdict in text
    correlation, convolution = (question.part(i).answer.value for i in ("correlation", "convolution"))
    assert (correlation == convolution) == verdict.startswith("The same as")


def test_part_c_asks_one_thing_and_the_solution_says_which_convolution_commutes():
    question = exercises.generate("flip", signal=LECTURE_X, kernel=[-1, 0, 1])
    sheet = render_question(question, "md").split("**(c)**")[1].split("**(d)**")[0]
    assert "compute the full cross-correlation" in sheet and "commutative" not in sheet and "?" not in sheet
    vector = ", ".join(str(v) for v in question.part("swapped").answer.value)
    assert exercises.answer("flip", "swapped", f"[{vector}]", signal=LECTURE_X, kernel=[-1, 0, 1])["score"] == 1
    solution = render_question(question, "md", solution=True)
    assert "The full convolution is commutative" in solution and "when both are full" in solution
    assert "Convolution is commutative" not in solution  # the statement's ∗ is the valid one


def test_palindromic_full_correlation_is_not_called_non_commutative():
    question = exercises.generate("flip", signal=[1, 2, 1], kernel=[1, 1])  # full x ⋆ w = [1, 3, 3, 1]
    text = render_question(question, "md", solution=True)
    assert "happen to coincide" in text and "So cross-correlation is not commutative" not in text


@pytest.mark.parametrize(("pinned", "message"), [
    ({"signal": [1, 2], "kernel": [1, 2, 3]}, "the kernel has 3 entries but the signal only 2"),
    ({"candidates": [[1, 2, 1], [1, 2, 1]]}, "a row is repeated"),
    ({"candidates": [[0, 0, 0], [1, 2, 1]]}, "all-zero kernel"),
    ({"candidates": [[1, 2, 1], [1, 2]]}, "rectangular"),
    ({"kernal": [1, 2]}, "did you mean 'kernel'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("flip", **pinned)


def test_samples_are_pleasant_and_varied():
    for seed in range(200):
        p = exercises.generate("flip", seed=seed).params
        assert p["kernel"] != p["kernel"][::-1] and np.count_nonzero(p["kernel"]) >= 2
        assert 5 <= len(p["signal"]) <= 6 and len(p["candidates"]) == 4
        symmetric = [row == row[::-1] for row in p["candidates"]]
        assert 1 <= sum(symmetric) <= 3 and all(np.count_nonzero(row) >= 2 for row in p["candidates"])
    counts = distinct_keys("flip")
    assert counts["correlation"] >= 150 and counts["swapped"] >= 150 and counts["symmetric"] >= 10, counts


def test_full_correlation_swapped_is_reversed():
    rng = np.random.default_rng(3)
    for _ in range(30):
        a, b = rng.integers(-5, 6, size=int(rng.integers(1, 8))), rng.integers(-5, 6, size=int(rng.integers(1, 8)))
        assert full_correlation(a.tolist(), b.tolist()) == np.correlate(a, b, "full").tolist()
        assert full_correlation(b.tolist(), a.tolist()) == full_correlation(a.tolist(), b.tolist())[::-1]


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("flip").verify(exercises.generate("flip", seed=seed))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-9, 9), min_size=2, max_size=10), st.lists(st.integers(-5, 5), min_size=1, max_size=5))
def test_verifier_agrees_on_any_pinned_pair(signal, kernel):
    if len(kernel) <= len(signal):
        get("flip").verify(exercises.generate("flip", signal=signal, kernel=kernel))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("flip", **SMALL)
    with pytest.raises(AssertionError):
        get("flip").verify(with_answer(question, "swapped", Vector(value=[-1, -1, -1, 3])))
    wrong = type(question.part("symmetric").answer)(value=("w1",), options=question.part("symmetric").answer.options)
    with pytest.raises(AssertionError):
        get("flip").verify(with_answer(question, "symmetric", wrong))
