"""adaptive-pool: the lecture's width n/m, hand-worked PyTorch windows, misconceptions, pins, verifier."""


import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from grader import Matrix, Vector


def answers(**params):
    return {part["id"]: part["answer"] for part in exercises.generate("adaptive-pool", **params).to_json()["parts"]}


@pytest.mark.parametrize(("n", "m"), [(12, 4), (8, 2), (15, 5), (7, 7), (6, 1)])
def test_m_dividing_n_pools_with_width_n_over_m(n, m):
    # The lecture: for an input of size n and a fixed output size m, pool with width n/m.
    width = n // m
    assert answers(n=n, m=m) == {"windows": [[i * width, (i + 1) * width] for i in range(m)], "sizes": [width] * m}


@pytest.mark.parametrize(("n", "m", "windows", "sizes"), [
    (5, 3, [[0, 2], [1, 4], [3, 5]], [2, 3, 2]),  # ceil(5/3) = 2; floor(5/3) = 1, ceil(10/3) = 4; floor(10/3) = 3
    (10, 4, [[0, 3], [2, 5], [5, 8], [7, 10]], [3, 3, 3, 3]),
    (2, 3, [[0, 1], [0, 2], [1, 2]], [1, 2, 1]),  # more outputs than inputs: windows repeat
])
def test_windows_worked_by_hand(n, m, windows, sizes):
    assert answers(n=n, m=m) == {"windows": windows, "sizes": sizes}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("windows", "[[0, 1], [1, 2], [2, 3]]", "equal-size"),
    ("windows", "[[0, 1], [1, 3], [3, 5]]", "floor-end"),
    ("windows", "[[0, 1], [1, 3], [3, 4]]", "inclusive-end"),
    ("sizes", "[1, 1, 1]", "equal-size"),
    ("sizes", "[1, 2, 2]", "floor-end"),
    ("sizes", "[3, 4, 3]", "inclusive-end"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("adaptive-pool", part, text, n=5, m=3)
    assert result["misconception"] == mistake and result["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"n": 0}, "n must be an integer from 1 to 1024"),
    ({"n": 1025}, "n must be an integer from 1 to 1024"),
    ({"m": 17}, "m must be an integer from 1 to 16"),
    ({"mm": 3}, "did you mean 'm'"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("adaptive-pool", **pinned)


def test_samples_are_many_and_of_every_kind():
    """Windows that overlap or differ in size, disjoint ones (n a multiple of m) and real feature-map sizes
    (224 → 7): far more than the 32 variants of version 1."""
    params = [exercises.generate("adaptive-pool", seed=seed).params for seed in range(300)]
    assert all(2 <= p["m"] <= 7 and p["m"] < p["n"] <= 224 for p in params)
    multiples = sum(p["n"] % p["m"] == 0 for p in params)
    assert 0.15 * len(params) <= multiples <= 0.5 * len(params)
    assert sum(p["n"] > 50 for p in params) >= 0.05 * len(params)
    assert len({(p["n"], p["m"]) for p in params}) >= 90


def test_the_classic_224_to_7_and_up_to_1024():
    windows = answers(n=224, m=7)["windows"]
    assert windows == [[32 * i, 32 * (i + 1)] for i in range(7)]
    sizes = answers(n=1024, m=7)["sizes"]
    assert sum(sizes) >= 1024 and set(sizes) == {147, 148}
    get("adaptive-pool").verify(exercises.generate("adaptive-pool", n=1024, m=16))


def test_pinning_one_size_draws_the_other():
    assert exercises.generate("adaptive-pool", seed=1, n=13).params["n"] == 13
    assert exercises.generate("adaptive-pool", seed=1, n=13).params["m"] < 13
    assert all(exercises.generate("adaptive-pool", seed=seed, m=4).params["n"] > 4 for seed in range(20))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("adaptive-pool").verify(exercises.generate("adaptive-pool", seed=seed))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 100), st.integers(1, 16))
def test_verifier_agrees_on_any_sizes(n, m):
    get("adaptive-pool").verify(exercises.generate("adaptive-pool", n=n, m=m))


@pytest.mark.parametrize(("index", "wrong"), [
    (0, Matrix(value=[[0, 1], [1, 3], [3, 5]])),  # consistent, covers 0..5, but not PyTorch's rule
    (1, Vector(value=[2, 2, 2])),
])
def test_verifier_catches_a_wrong_key(index, wrong):
    question = exercises.generate("adaptive-pool", n=5, m=3)
    with pytest.raises(AssertionError):
        get("adaptive-pool").verify(with_answer(question, question.part_ids[index], wrong))
