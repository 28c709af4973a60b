"""toeplitz2d: a hand-worked doubly block Toeplitz matrix, conventions, misconceptions, verifier over seeds."""


import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.toeplitz2d import KERNEL_SHAPES, MAX_ENTRIES
from grader import Matrix, Tuple

IMAGE = [[1, 2, 0], [0, 1, 3], [2, 0, 1]]
KERNEL = [[1, 2], [-1, 0]]
# Worked by hand: column (i, j) holds K[a, b] in row (i + a)·3 + (j + b).
HAND_T = [[1, 0, 0, 0], [2, 1, 0, 0], [0, 2, 0, 0], [-1, 0, 1, 0], [0, -1, 2, 1], [0, 0, 0, 2],
          [0, 0, -1, 0], [0, 0, 0, -1], [0, 0, 0, 0]]
HAND_Y = [[5, 1], [0, 7]]


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("toeplitz2d", **params).to_json()["parts"]}


def by_definition(image_shape, kernel, order="C"):
    """T column by column: output (i, j) reads the kernel laid on a blank image at (i, j), flattened."""
    (height, width), (kh, kw) = image_shape, np.shape(kernel)
    outputs = [(i, j) for i in range(height - kh + 1) for j in range(width - kw + 1)]
    if order == "F":
        outputs.sort(key=lambda ij: (ij[1], ij[0]))
    columns = []
    for i, j in outputs:
        placed = np.zeros((height, width), dtype=int)
        placed[i:i + kh, j:j + kw] = kernel
        columns.append(placed.flatten(order=order))
    return np.array(columns).T.tolist()


def test_hand_worked_case():
    assert answers(image=IMAGE, kernel=KERNEL) == {"shape": [9, 4], "matrix": HAND_T, "output": HAND_Y}
    assert by_definition((3, 3), KERNEL) == HAND_T


def test_column_convention_gives_the_transpose():
    got = answers(image=IMAGE, kernel=KERNEL, convention="column")
    assert got == {"shape": [4, 9], "matrix": np.array(HAND_T).T.tolist(), "output": HAND_Y}


def test_rectangular_image_and_kernel():
    image, kernel = [[1, 0, 2, 1], [3, 1, 0, 2], [0, 2, 1, 1]], [[2, 0, -1]]
    got = answers(image=image, kernel=kernel)
    assert got["shape"] == [12, 6] and got["matrix"] == by_definition((3, 4), kernel)
    assert got["output"] == [[0, -1], [6, 0], [-1, 3]]


def named(part, matrix, **params):
    result = exercises.answer("toeplitz2d", part, str(matrix), image=IMAGE, kernel=KERNEL, **params)
    assert result["status"] != "correct" and result["score"] < 1, result  # named; scored by the per-entry rule
    return result["misconception"]


def test_matrix_misconceptions_are_named():
    assert named("matrix", np.array(HAND_T).T.tolist()) == "transpose"
    assert named("matrix", HAND_T, convention="column") == "transpose"
    assert named("matrix", by_definition((3, 3), [[0, -1], [2, 1]])) == "flipped-kernel"
    assert named("matrix", by_definition((3, 3), KERNEL, order="F")) == "column-major"


def test_shape_and_output_misconceptions_are_named():
    assert named("shape", "(4, 9)") == "swapped-shape"
    assert named("shape", "(9, 16)") == "full-instead-of-valid"
    assert named("output", [[-1, 5], [3, -2]]) == "flipped-kernel"  # K turned by 180°, worked by hand


def test_matrix_is_doubly_block_toeplitz():
    for seed in range(40):
        question = exercises.generate("toeplitz2d", seed=seed)
        (height, width), (kh, kw) = np.shape(question.params["image"]), np.shape(question.params["kernel"])
        matrix, out_width = np.array(question.part("matrix").answer.value), width - kw + 1
        blocks = {}
        for r in range(height):
            for i in range(height - kh + 1):
                block = matrix[r * width:(r + 1) * width, i * out_width:(i + 1) * out_width]
                assert all(block[c, j] == block[c + 1, j + 1] for c in range(width - 1) for j in range(out_width - 1))
                blocks.setdefault(r - i, block)
                assert (blocks[r - i] == block).all()
                if not 0 <= r - i < kh:
                    assert not block.any()


@pytest.mark.parametrize(("pinned", "message"), [
    ({"image": [[1, 2], [3, 4]], "kernel": [[1, 2, 3]]}, "the kernel is 1×3 but the image only 2×2"),
    ({"image": [[1, 2], [3, 4, 5]]}, "image must be rectangular"),
    ({"image": [[1] * 7] * 2}, "image must be a matrix .* of 2 to 6 rows and columns"),
    ({"kernel": [[1, 2, 3, 4]]}, "kernel must be a matrix .* of 1 to 3 rows and columns"),
    ({"convention": "col"}, "convention must be one of row, column"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("toeplitz2d", **pinned)


def test_samples_are_pleasant():
    for seed in range(200):
        question = exercises.generate("toeplitz2d", seed=seed)
        image, kernel = np.array(question.params["image"]), np.array(question.params["kernel"])
        assert 2 <= min(image.shape) <= max(image.shape) <= 4 and image.min() >= 0 and image.max() <= 5
        assert kernel.shape in KERNEL_SHAPES and kernel.min() >= -1 and kernel.max() <= 2
        assert np.count_nonzero(kernel) >= 2 and (kernel != kernel[::-1, ::-1]).any()
        rows, cols = question.part("shape").answer.value
        assert 18 <= rows * cols <= MAX_ENTRIES, "T's size is bounded for the part's 3 points"
        assert question.part("matrix").points == 3


def test_flattening_order_is_always_tested():
    """Row-major and column-major flattening give different matrices in every drawn variant (a square image with
    a symmetric kernel would not tell them apart), so the column-major mistake is always there to be named."""
    shapes = set()
    for seed in range(200):
        question = exercises.generate("toeplitz2d", seed=seed)
        assert "column-major" in [m.id for m in question.part("matrix").answer.misconceptions], seed
        shapes.add((np.shape(question.params["image"]), np.shape(question.params["kernel"])))
    assert any(image[0] != image[1] for image, _ in shapes) and any(kernel[0] != kernel[1] for _, kernel in shapes)
    assert len(shapes) >= 12


def test_pinned_kernel_gets_an_image_it_fits():
    for seed in range(30):
        p = exercises.generate("toeplitz2d", seed=seed, kernel=[[1, 0, 2], [0, 1, 1], [2, 0, 1]]).params
        assert np.shape(p["image"]) == (4, 4)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63), st.sampled_from(["row", "column"]))
def test_verifier_agrees_on_any_seed(seed, convention):
    get("toeplitz2d").verify(exercises.generate("toeplitz2d", seed=seed, convention=convention))


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5), st.integers(2, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32))
def test_matrix_matches_the_definition_for_any_shapes(height, width, kh, kw, seed):
    rng = np.random.default_rng(seed)
    kh, kw = min(kh, height), min(kw, width)
    image, kernel = rng.integers(-3, 4, (height, width)).tolist(), rng.integers(-3, 4, (kh, kw)).tolist()
    question = exercises.generate("toeplitz2d", image=image, kernel=kernel)
    assert question.to_json()["parts"][1]["answer"] == by_definition((height, width), kernel)
    get("toeplitz2d").verify(question)


def broken(question, part_id, change):
    spec = question.part(part_id).answer
    return with_answer(question, part_id, type(spec)(value=change(np.array(spec.value)).tolist()))


def bump_last_row(matrix):
    matrix[-1, 0] += 1
    return matrix


@pytest.mark.parametrize(("part_id", "change"), [
    ("matrix", bump_last_row),
    ("matrix", lambda m: m[::-1]),
    ("shape", lambda s: s[::-1]),
    ("output", lambda y: y + 1),
])
def test_verifier_catches_a_wrong_key(part_id, change):
    question = exercises.generate("toeplitz2d", seed=7)
    with pytest.raises(AssertionError):
        get("toeplitz2d").verify(broken(question, part_id, change))


def test_kinds_of_parts():
    parts = exercises.generate("toeplitz2d", seed=1).parts
    assert [(p.id, type(p.answer)) for p in parts] == [("shape", Tuple), ("matrix", Matrix), ("output", Matrix)]
