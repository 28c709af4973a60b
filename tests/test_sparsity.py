"""sparsity: the lecture's Toeplitz counts, misconceptions, bad pins, the matrix-based verifier."""


import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.sparsity import (
    DEPENDS,
    DISTRACTORS,
    STATEMENTS,
    columns_are_local,
    columns_share_values,
    correlation_matrix,
)
from grader import Integer
from grader.answers import Choices

ALL_STATEMENTS = list(STATEMENTS)
LECTURE_SET = ["sparse", "local", "shared", "all-inputs", "dense", "used-once"]


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
    question = exercises.generate("sparsity", n=6, k=3, statements=LECTURE_SET)
    assert question.to_json()["parts"][3]["answer"] == ["local", "shared", "sparse"]
    # and the statements that depend on n and k, worked by hand for the lecture's 6 x 4 matrix T:
    # row 2 holds all 3 weights; each input feeds at most 3 of the 4 outputs; 24 dense weights < 10 x 3;
    # 12 of 24 entries are zero, not more than two thirds.
    key = answers(n=6, k=3, statements=ALL_STATEMENTS)["properties"]
    assert key == ["full-row", "local", "shared", "sparse"]


def test_short_input_is_not_sparse():
    # n = 5, k = 4: T is 5 x 2 with 8 non-zeros of 10 entries, so it is dense, not sparse; inputs 1 to 3 feed
    # both outputs; no row holds all 4 weights (at most 2 outputs read an input).
    key = answers(n=5, k=4, statements=ALL_STATEMENTS)["properties"]
    assert key == ["dense", "input-sees-all", "local", "shared"]
    get("sparsity").verify(exercises.generate("sparsity", n=5, k=4, statements=ALL_STATEMENTS))


def test_long_input_with_a_short_kernel():
    # n = 12, k = 2: T is 12 x 11, 22 non-zeros of 132: more than two thirds are zero; 132 >= 10 x 2.
    key = answers(n=12, k=2, statements=ALL_STATEMENTS)["properties"]
    assert key == ["full-row", "local", "mostly-zero", "shared", "sparse", "ten-times"]


def test_drawn_statements_depend_on_n_and_k():
    """Every drawn question shows three statements whose truth depends on n and k; over the seeds each of them is
    true in some variants and false in others, and the keys differ (not always {sparse, local, shared})."""
    truths: dict[str, set[bool]] = {s.id: set() for s in DEPENDS}
    keys = set()
    for seed in range(300):
        question = exercises.generate("sparsity", seed=seed)
        p = question.params
        shown = [STATEMENTS[i] for i in p["statements"]]
        assert sum(s in DEPENDS for s in shown) == 3 and sum(s in DISTRACTORS for s in shown) == 2
        for s in shown:
            if s in DEPENDS:
                truths[s.id].add(s.holds(p["n"], p["k"]))
        keys.add(tuple(question.part("properties").answer.value))
    assert all(seen == {True, False} for seen in truths.values()), truths
    assert len(keys) >= 20


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
        assert 4 <= p["n"] <= 12 and 2 <= p["k"] <= 5 and p["k"] < p["n"]
        assert len(p["statements"]) == 6 and {"local", "shared"} & set(p["statements"])
    assert exercises.generate("sparsity", seed=1, n=7).params["k"] <= 5


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("sparsity").verify(exercises.generate("sparsity", seed=seed))


@settings(max_examples=60, deadline=None)
@given(st.integers(3, 20), st.integers(2, 10))
def test_verifier_agrees_on_any_pin(n, k):
    if k < n:
        get("sparsity").verify(exercises.generate("sparsity", n=n, k=k))
        get("sparsity").verify(exercises.generate("sparsity", n=n, k=k, statements=ALL_STATEMENTS))


@pytest.mark.parametrize("part_id", ["dense_params", "conv_params", "nonzeros"])
def test_verifier_catches_a_wrong_key(part_id):
    question = exercises.generate("sparsity", seed=5)
    wrong = Integer(value=question.part(part_id).answer.value + 1)
    with pytest.raises(AssertionError, match=part_id):
        get("sparsity").verify(with_answer(question, part_id, wrong))


def test_verifier_catches_a_wrong_property_key():
    question = exercises.generate("sparsity", seed=5)
    spec = question.part("properties").answer
    first = spec.options[0][0]
    wrong = Choices(value=[i for i in spec.value if i != first] if first in spec.value else [*spec.value, first],
                    options=spec.options)
    with pytest.raises(AssertionError, match="properties"):
        get("sparsity").verify(with_answer(question, "properties", wrong))
