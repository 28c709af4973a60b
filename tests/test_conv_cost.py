"""conv-cost: the book's edge-detection figures, misconceptions, bad pins, the counting verifier (operations
counted while computing, the dense matrix built on a crop) over many seeds, and varied keys."""

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.conv_cost import counted_convolution, counted_dot, dense_matrix
from grader import Integer

BOOK = yaml.safe_load((Path(__file__).parent / "data" / "book_cases.yaml").read_text(encoding="utf-8"))
(CASE,) = BOOK["conv_cost"]
PINNED = {"height": CASE["height"], "width": CASE["width"], "kernel": CASE["kernel"]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("conv-cost", **params).to_json()["parts"]}


def test_the_books_edge_detector():
    got = answers(**PINNED)
    assert got["shape"] == CASE["shape"]
    assert got["conv_flops"] == CASE["conv_flops"] == 319 * 280 * 3
    assert got["dense_entries"] == CASE["dense_entries"] == 320 * 280 * 319 * 280
    assert got["dense_flops"] > CASE["dense_flops_over"]  # "over sixteen billion"
    assert got["nonzeros"] == CASE["nonzeros"] == 2 * 319 * 280
    assert round(got["dense_flops"] / got["conv_flops"], -4) == CASE["efficiency_about"]  # "roughly 60,000 times"
    text = render_question(exercises.generate("conv-cost", **PINNED), "md", solution=True)
    assert "the dense product takes $59\\,733$ times the operations" in text  # grouped as the sheet asks
    assert "\\frac{179\\,199}{3} = 59\\,733" in text  # per output: a row of M against the kernel's 3 operations


def test_the_worked_solution_is_steps_with_numbers_grouped_as_the_sheet_says():
    """Issue 27: the worked solution was one sentence starting 'So …' with 68,799, the grouping the sheet tells
    students not to use. It works the ratio out in steps; every number of five digits or more is grouped by thin
    spaces, in every format."""
    for seed in range(20):
        question = exercises.generate("conv-cost", seed=seed)
        assert len(question.solution) >= 3 and not question.solution[0].text.startswith("So")
        for fmt in ("md", "tex", "typ", "html"):
            text = render_question(question, fmt, solution=True)
            assert not re.search(r"\d,\d{3}\b|\d{5}", text.split("<svg")[0]), (seed, fmt)
        typst = render_question(question, "typ", solution=True)
        assert re.search(r"\d+ thin \d{3}", typst), seed


def test_hand_worked_square_kernel():
    # 5 x 6 image, 2 x 2 kernel: 4 x 5 = 20 outputs, each 4 products and 3 additions (140 operations);
    # M is 20 x 30 = 600 entries, 80 non-zero; the product takes 20 * (30 + 29) = 1180 operations.
    got = answers(height=5, width=6, kernel=[[1, -1], [2, 1]])
    assert got == {"shape": [4, 5], "conv_flops": 140, "dense_entries": 600, "dense_flops": 1180, "nonzeros": 80}


def test_students_may_group_digits_as_the_grader_reads_them():
    """Spaces group digits, and so do several commas; a single comma before three digits is ambiguous (thousands
    or decimals?) and refused with what to write instead, never graded wrong."""
    assert exercises.answer("conv-cost", "conv_flops", "267 960", **PINNED)["status"] == "correct"
    assert exercises.answer("conv-cost", "dense_entries", "8,003,072,000", **PINNED)["status"] == "correct"
    ambiguous = exercises.answer("conv-cost", "conv_flops", "267,960", **PINNED)
    assert ambiguous["status"] == "invalid" and "write 267960" in ambiguous["feedback"]


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("shape", "(280, 321)", "full-instead-of-valid"),
    ("shape", "(280, 320)", "no-shrink"),
    ("shape", "(279, 318)", "off-by-one"),
    ("shape", "(279, 320)", "kernel-transposed"),
    ("conv_flops", "178640", "multiplications-only"),
    ("conv_flops", "357280", "additions-overcounted"),
    ("conv_flops", str(320 * 280 * 3), "input-pixels"),
    ("dense_entries", str((320 * 280) ** 2), "square-matrix"),
    ("dense_entries", "178640", "nonzeros-only"),
    ("dense_entries", str(280 * 320 * 319), "row-blocks"),
    ("dense_flops", "8003072000", "multiplications-only"),
    ("dense_flops", str(280 * 319 * 2 * 280 * 320), "additions-overcounted"),  # m additions per row, not m - 1
    ("nonzeros", "8003072000", "all-entries"),
    ("nonzeros", "2", "distinct-weights"),
    ("nonzeros", str(2 * 320 * 280), "per-input-pixel"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("conv-cost", part, text, **PINNED)
    assert result["status"] != "correct" and result["score"] < 1 and result["misconception"] == mistake


@pytest.mark.parametrize(("pinned", "message"), [
    ({"kernel": [[1, 0, -1]]}, "all non-zero"),
    ({"kernel": [[3]]}, "at least 2 entries"),
    ({"kernel": [[1, 1]], "width": 2}, "width must be an integer from 3"),
    ({"kernel": [[1, 1, 1, 1]], "width": 4}, "kernel must be smaller than the"),
    ({"kernel": [[1, 2], [3]]}, "kernel must be rectangular"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("conv-cost", **pinned)


def test_counted_convolution_is_a_correlation_and_counts_its_operations():
    rng = np.random.default_rng(3)
    image, kernel = rng.integers(-5, 6, size=(6, 7)), np.array([[1, -2, 3], [2, 1, -1]])
    out, operations = counted_convolution(image, kernel)
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    assert np.array_equal(out, np.einsum("yxij,ij->yx", windows, kernel))
    assert operations == out.size * (2 * kernel.size - 1)
    matrix = dense_matrix(6, 7, kernel)
    assert matrix.shape == (out.size, image.size) and np.array_equal(matrix @ image.reshape(-1), out.reshape(-1))
    assert counted_dot(np.arange(1, 6), np.ones(5, dtype=np.int64)) == (15, 9)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("conv-cost").verify(exercises.generate("conv-cost", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("conv-cost", **PINNED)
    with pytest.raises(AssertionError, match="dense_flops"):
        get("conv-cost").verify(with_answer(question, "dense_flops", Integer(value=2 * 8_003_072_000)))


def test_samples_are_pleasant_and_varied():
    keys: dict[str, set] = {}
    for seed in range(200):
        question = exercises.generate("conv-cost", seed=seed)
        p = question.params
        assert p["height"] % 10 == 0 and p["width"] % 10 == 0 and 100 <= p["height"] <= 480
        assert len(p["kernel"]) * len(p["kernel"][0]) >= 2 and all(w for row in p["kernel"] for w in row)
        for part in question.parts:
            keys.setdefault(part.id, set()).add(str(part.answer.expected_json()))
    assert all(len(values) >= 150 for values in keys.values())
