"""conv1d: the lecture's cases, misconceptions, parameter validation, verifier over many seeds."""

import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.convolution import correlate1d, correlate1d_numpy
from grader import Vector


def output(**params):
    return exercises.generate("conv1d", **params).to_json()["parts"][0]["answer"]


def test_lecture_cases(lecture):
    for case in lecture["conv1d"]:
        assert output(signal=case["signal"], kernel=case["kernel"]) == case["output"]


def test_misconceptions_are_named():
    x, w = [100, 101, 99, 200, 199, 201], [-1, 0, 1]
    flipped = exercises.answer("conv1d", "output", "1 -99 -100 -1", signal=x, kernel=w)
    assert flipped["misconception"] == "flipped-kernel" and "cross-correlation" in flipped["feedback"]
    full = correlate1d(x, w, padding=2)
    assert exercises.answer("conv1d", "output", str(full), signal=x, kernel=w)["misconception"] == \
        "full-instead-of-valid"
    no_stride = correlate1d(x, w)
    result = exercises.answer("conv1d", "output", str(no_stride), signal=x, kernel=w, stride=2)
    assert result["misconception"] == "stride-ignored"


def test_padding_stride_dilation_match_pytorch_formula():
    for n, k, p, s, d in [(7, 3, 1, 2, 1), (8, 2, 0, 3, 2), (5, 3, 2, 1, 2)]:
        out = output(signal=list(range(1, n + 1)), kernel=[1] + [0] * (k - 2) + [2], padding=p, stride=s, dilation=d)
        assert len(out) == (n + 2 * p - d * (k - 1) - 1) // s + 1


@pytest.mark.parametrize(("pinned", "message"), [
    ({"kernel": "abc"}, "kernel must be a list of 1 to 7 integers"),
    ({"stride": 0}, "stride must be an integer from 1 to 4"),
    ({"kernal": [1, 2]}, "did you mean 'kernel'"),
    ({"signal": [1, 2], "kernel": [1, 2, 3]}, "padded signal has only 2"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("conv1d", **pinned)


def test_samples_are_pleasant():
    for seed in range(100):
        p = exercises.generate("conv1d", seed=seed).params
        assert 5 <= len(p["signal"]) <= 12 and 2 <= len(p["kernel"]) <= 4
        assert p["kernel"] != p["kernel"][::-1] and any(p["kernel"])


def test_kernels_are_not_a_single_tap():
    """A kernel with one non-zero tap only copies the input, scaled: at most a few percent (here none)."""
    for template in ("conv1d", "toeplitz", "equivariance"):
        kernels = [exercises.generate(template, seed=seed).params["kernel"] for seed in range(300)]
        single = sum(np.count_nonzero(kernel) == 1 for kernel in kernels)
        assert single <= 0.03 * len(kernels), (template, single)


def test_padding_stride_and_dilation_are_drawn():
    """Unpinned variants exercise each setting in a good share of seeds, and give 3 to 7 outputs."""
    drawn = [exercises.generate("conv1d", seed=seed) for seed in range(300)]
    for name, plain in (("padding", 0), ("stride", 1), ("dilation", 1)):
        share = sum(q.params[name] != plain for q in drawn) / len(drawn)
        assert 0.15 <= share <= 0.6, (name, share)
    assert all(3 <= len(q.part("output").answer.value) <= 7 for q in drawn)
    assert all(q.params["padding"] < q.params["dilation"] * (len(q.params["kernel"]) - 1) + 1 for q in drawn), \
        "an output that sees only padding"


def test_a_pinned_example_keeps_the_plain_settings():
    for seed in range(30):
        p = exercises.generate("conv1d", seed=seed, signal=[100, 101, 99, 200, 199, 201]).params
        assert (p["padding"], p["stride"], p["dilation"]) == (0, 1, 1)
    assert exercises.generate("conv1d", seed=3, kernel=[1, 2], stride=2).params["stride"] == 2


def test_points_do_not_depend_on_the_output_length():
    assert {exercises.generate("conv1d", seed=seed).part("output").points for seed in range(100)} == {3}


def test_padded_signal_is_named():
    """With padding the formula indexes u, the padded signal, which the statement defines and shows."""
    text = render_question(exercises.generate("conv1d", signal=[1, 2, 3, 4], kernel=[1, -1], padding=2), "md")
    assert "Call $u$ the padded signal, $x$ with 2 zeros added on each side" in text
    assert "0 & 0 & 1 & 2 & 3 & 4 & 0 & 0" in text and "u_{i+j}" in text
    plain = render_question(exercises.generate("conv1d", signal=[1, 2, 3, 4], kernel=[1, -1]), "md")
    assert "padded" not in plain and "x_{i+j}" in plain
    one = render_question(exercises.generate("conv1d", signal=[1, 2, 3, 4], kernel=[1, -1], padding=1), "md")
    assert "1 zero of padding" in one and "(s)" not in one


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    template = get("conv1d")
    template.verify(exercises.generate("conv1d", seed=seed))


@given(st.lists(st.integers(-9, 9), min_size=3, max_size=12), st.lists(st.integers(-3, 3), min_size=1, max_size=3),
       st.integers(0, 2), st.integers(1, 3), st.integers(1, 2))
def test_loop_and_numpy_agree(signal, kernel, padding, stride, dilation):
    if dilation * (len(kernel) - 1) + 1 <= len(signal) + 2 * padding:
        assert correlate1d(signal, kernel, padding, stride, dilation) == \
            correlate1d_numpy(signal, kernel, padding, stride, dilation)


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("conv1d", seed=3)
    broken = np.array(question.part("output").answer.value) + 1
    with pytest.raises(AssertionError):
        get("conv1d").verify(with_answer(question, "output", Vector(value=broken)))
