"""sparsity: the lecture's Toeplitz counts, misconceptions, bad pins, the matrix-based verifier."""


import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.sparsity import STATEMENTS, columns_are_local, columns_share_values, correlation_matrix
from grader import Integer
from grader.answers import Choices

ALL_STATEMENTS = list(STATEMENTS)


def answers(**params) -> dict:
    return {part["id"]: part["answer"] for part in exercises.generate("sparsity", **params).to_json()["parts"]}


def test_lecture_toeplitz_counts(lecture):
    case = lecture["toeplitz"][0]
    n, k = len(case["signal"]), len(case["kernel"])
    key = answers(n=n, k=k)
    assert key["dense_params"] == 24  # the lecture's note: 6 inputs to 4 outputs
    assert key["conv_params"] == 3
    assert key["nonzeros"] == 4 * 3  # 4 columns of 3 weights (the lecture's kernel has a zero weight: 8 there)


def test_correlation_matrix_is_the_lecture_matrix(lecture):
    case = lecture["toeplitz"][0]
    matrix = correlation_matrix(len(case["signal"]), case["kernel"])
    assert matrix.tolist() == case["matrix"]
    assert (np.array(case["signal"]) @ matrix).tolist() == case["output"]


def test_hand_worked_counts():
    # n = 10, k = 4: 7 outputs; dense 10 x 7 = 70; 7 columns of 4 non-zeros = 28.
    key = answers(n=10, k=4)
    assert (key["dense_params"], key["conv_params"], key["nonzeros"]) == (70, 4, 28)


def test_matrix_properties_by_predicate():
    matrix = correlation_matrix(7, [2, -1, 3])
    assert columns_are_local(matrix) and columns_share_values(matrix)
    scrambled = matrix.copy()
    scrambled[[0, 6], 4] = scrambled[[6, 0], 4]
    assert not columns_are_local(scrambled)
    changed = matrix.copy()
    changed[2, 1] = 5
    assert not columns_share_values(changed)


def test_lecture_properties_sparse_local_shared():
    # The lecture's note on T: sparse (many zeros), local (non-zeros together), shared parameters.
    question = exercises.generate("sparsity", n=6, k=3, statements=ALL_STATEMENTS)
    assert question.to_json()["parts"][3]["answer"] == ["local", "shared", "sparse"]


def test_short_input_is_not_sparse():
    # n = 5, k = 4: T is 5 x 2 with 8 non-zeros of 10 entries, so it is dense, not sparse.
    key = answers(n=5, k=4, statements=ALL_STATEMENTS)["properties"]
    assert key == ["dense", "local", "shared"]
    get("sparsity").verify(exercises.generate("sparsity", n=5, k=4, statements=ALL_STATEMENTS))


def test_properties_accept_labels_and_name_the_misjudged_statement():
    pinned = {"n": 6, "k": 3, "statements": ["dense", "sparse", "local", "symmetric", "shared", "weights-grow"]}
    assert exercises.answer("sparsity", "properties", "B, C, E", **pinned)["status"] == "correct"
    missed = exercises.answer("sparsity", "properties", "B, C", **pinned)
    assert missed["misconception"] == "shared" and missed["status"] == "partial"
    assert "every column holds the same 3 kernel weights" in missed["feedback"]
    extra = exercises.answer("sparsity", "properties", "A, B, C, E", **pinned)
    assert extra["misconception"] == "dense" and "12 of 24 entries are zero" in extra["feedback"]


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("dense_params", "36", "square-layer"),
    ("dense_params", "18", "outputs-off-by-one"),
    ("dense_params", "48", "full-outputs"),
    ("conv_params", "12", "counted-nonzeros"),
    ("conv_params", "24", "counted-dense"),
    ("nonzeros", "3", "distinct-weights"),
    ("nonzeros", "24", "counted-all-entries"),
    ("nonzeros", "18", "n-columns"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("sparsity", part, text, n=6, k=3)
    assert result["status"] == "incorrect" and result["misconception"] == mistake
    assert result["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"n": 6, "k": 6}, "k must be less than n"),
    ({"n": 5, "k": 7}, "k must be less than n"),
    ({"k": 1}, "k must be an integer from 2 to 10"),
    ({"n": "six"}, "n must be an integer from 3 to 20"),
    ({"nn": 6}, "did you mean 'n'"),
    ({"statements": ["sparse", "lokal"]}, "unknown id 'lokal' \\(did you mean 'local'\\?\\)"),
    ({"statements": ["sparse", "sparse"]}, "must not repeat"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("sparsity", **pinned)


def test_samples_are_pleasant():
    for seed in range(200):
        p = exercises.generate("sparsity", seed=seed).params
        assert 5 <= p["n"] <= 12 and 2 <= p["k"] <= 5 and 2 * p["k"] <= p["n"]
        assert len(p["statements"]) == 6 and {"sparse", "local", "shared"} <= set(p["statements"])
    assert exercises.generate("sparsity", seed=1, n=7).params["k"] <= 3


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("sparsity").verify(exercises.generate("sparsity", seed=seed))


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 20), st.integers(2, 10))
def test_verifier_agrees_on_any_pin(n, k):
    if k < n:
        get("sparsity").verify(exercises.generate("sparsity", n=n, k=k))


@pytest.mark.parametrize("part_id", ["dense_params", "conv_params", "nonzeros"])
def test_verifier_catches_a_wrong_key(part_id):
    question = exercises.generate("sparsity", seed=5)
    wrong = Integer(value=question.part(part_id).answer.value + 1)
    with pytest.raises(AssertionError, match=part_id):
        get("sparsity").verify(with_answer(question, part_id, wrong))


def test_verifier_catches_a_wrong_property_key():
    question = exercises.generate("sparsity", seed=5)
    spec = question.part("properties").answer
    wrong = Choices(value=[i for i in spec.value if i != "local"], options=spec.options)
    with pytest.raises(AssertionError, match="properties"):
        get("sparsity").verify(with_answer(question, "properties", wrong))
