"""pooling: hand-worked PyTorch cases, the output-size formula, the lecture's halving, misconceptions, pins."""

import math
from fractions import Fraction

import numpy as np
import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.pooling import pool, pool_numpy
from grader import Matrix, Vector


def output(**params):
    return exercises.generate("pooling", **params).part("output").answer.value


def expected_length(n, k, s, p, ceil_mode):
    """PyTorch's documented formula, with its rule that the last window may not start in the right padding."""
    if not ceil_mode:
        return math.floor((n + 2 * p - k) / s) + 1
    length = math.ceil((n + 2 * p - k) / s) + 1
    return length - 1 if (length - 1) * s >= n + p else length


@pytest.mark.parametrize(("params", "expected"), [
    # windows [1 3] [2 5], the 4 left over
    ({"signal": [1, 3, 2, 5, 4], "op": "max", "width": 2}, [3, 5]),
    # ceil_mode keeps a last window cut off at the end: [4]
    ({"signal": [1, 3, 2, 5, 4], "op": "max", "width": 2, "ceil_mode": True}, [3, 5, 4]),
    ({"signal": [1, 2, 4, 7], "op": "avg", "width": 2}, [Fraction(3, 2), Fraction(11, 2)]),
    # padded [0 1 2 3 4 0]: (0+1+2)/3, (2+3+4)/3
    ({"signal": [1, 2, 3, 4], "op": "avg", "width": 3, "stride": 2, "padding": 1}, [1, 3]),
    # ceil_mode adds the window [4, 0 | past the end]: it divides by the 2 positions inside the padded input
    ({"signal": [1, 2, 3, 4], "op": "avg", "width": 3, "stride": 2, "padding": 1, "ceil_mode": True}, [1, 3, 2]),
    ({"signal": [1, 2, 3, 4], "op": "max", "width": 3, "stride": 2, "padding": 1, "ceil_mode": True}, [2, 4, 4]),
    # ceil((5+2-3)/3)+1 = 3, but the third window would start at 5, in the right padding: dropped
    ({"signal": [1, 2, 3, 4, 5], "op": "max", "width": 3, "stride": 3, "padding": 1, "ceil_mode": True}, [2, 5]),
])
def test_signal_cases_worked_by_hand(params, expected):
    assert list(output(**params)) == expected


def test_image_cases_worked_by_hand():
    image = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    assert output(image=image, op="max", width=2) == ((6, 8), (14, 16))
    assert output(image=image, op="avg", width=2) == ((Fraction(7, 2), Fraction(11, 2)),
                                                      (Fraction(23, 2), Fraction(27, 2)))
    # 3x3 padded by one zero: every 2x2 window divides by 4, padding included
    small = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert output(image=small, op="avg", width=2, padding=1) == ((Fraction(1, 4), Fraction(5, 4)),
                                                                 (Fraction(11, 4), 7))


def test_width_three_stride_two_halves_the_size(lecture):
    (case,) = lecture["pooling"]
    k, s = case["width"], case["stride"]
    for n in range(6, 17, 2):
        assert len(output(signal=list(range(n)), op="max", width=k, stride=s, padding=1)) == n // 2
    pooled = output(image=[[(3 * r + c) % 10 for c in range(8)] for r in range(8)], op="max", width=k, stride=s,
                    padding=1)
    assert 64 // (len(pooled) * len(pooled[0])) == case["size_reduction_2d"]


def test_output_length_follows_pytorch_formula():
    for n in range(1, 13):
        for k in range(1, 5):
            for s in range(1, 5):
                for p in range(k // 2 + 1):
                    for ceil_mode in (False, True):
                        if n + 2 * p < k:
                            continue
                        got = output(signal=list(range(n)), op="max", width=k, stride=s, padding=p,
                                     ceil_mode=ceil_mode)
                        assert len(got) == expected_length(n, k, s, p, ceil_mode), (n, k, s, p, ceil_mode)


@pytest.mark.parametrize(("params", "text", "mistake"), [
    ({"signal": [1, 2, 4, 7], "op": "avg", "width": 2}, "[2, 7]", "avg-max-swapped"),
    ({"signal": [1, 2, 4, 7], "op": "avg", "width": 2}, "[3/2, 3, 11/2]", "stride-ignored"),
    ({"signal": [1, 2, 4, 7], "op": "avg", "width": 2}, "[1, 5]", "integer-division"),
    ({"signal": [1, 2, 3, 4], "op": "avg", "width": 3, "stride": 2, "padding": 1}, "[2]", "padding-ignored"),
    ({"signal": [1, 2, 3, 4], "op": "avg", "width": 3, "stride": 2, "padding": 1}, "[3/2, 3]",
     "padding-not-counted"),
    ({"signal": [1, 3, 2, 5, 4], "op": "max", "width": 2}, "[3, 5, 4]", "ceil-mode-confused"),
    ({"signal": [1, 3, 2, 5, 4], "op": "max", "width": 2, "ceil_mode": True}, "[3, 5]", "ceil-mode-confused"),
    ({"image": [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], "op": "max", "width": 2},
     "[[7/2, 11/2], [23/2, 27/2]]", "avg-max-swapped"),
])
def test_misconceptions_are_named(params, text, mistake):
    result = exercises.answer("pooling", "output", text, **params)
    assert result["misconception"] == mistake and result["feedback"]


def test_statement_says_how_padding_counts():
    avg = render_question(exercises.generate("pooling", signal=[1, 2, 3, 4], op="avg", width=3, padding=1), "md")
    assert "count\\_include\\_pad=True" in avg and "zeros" in avg
    maxed = render_question(exercises.generate("pooling", signal=[1, 2, 3, 4], op="max", width=3, padding=1), "md")
    assert "pads with minus infinity" in maxed


@pytest.mark.parametrize(("pinned", "message"), [
    ({"signal": [1, 2, 3], "image": [[1, 2], [3, 4]]}, "not both"),
    ({"signal": [1, 2, 3, 4], "width": 3, "padding": 2}, "padding 2 is more than half the width 3"),
    ({"signal": [1, 2], "width": 4}, "width 4 does not fit into 2 values"),
    ({"image": [[1, 2, 3], [4, 5, 6]], "width": 3}, "does not fit into 2 rows"),
    ({"op": "mean"}, "op must be one of max, avg"),
    ({"image": [[1, 2], [3]]}, "rectangular"),
    ({"ceil_mode": "yes"}, "ceil_mode must be true or false"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("pooling", **pinned)


def test_samples_are_pleasant():
    kinds = set()
    for seed in range(200):
        question = exercises.generate("pooling", seed=seed)
        p = question.params
        assert 2 <= p["width"] <= 3 and 1 <= p["stride"] <= p["width"] and p["padding"] <= p["width"] // 2
        values = [Fraction(v) for v in (p["signal"] if "signal" in p else [v for row in p["image"] for v in row])]
        if "signal" in p:
            assert 5 <= len(p["signal"]) <= 10 and all(0 <= v <= 14 for v in values)
        else:
            assert all(2 <= size <= 6 for size in (len(p["image"]), len(p["image"][0])))
            assert all(0 <= v <= 40 for v in values)
        pooled = question.part("output").answer.value
        flat = [v for row in pooled for v in row] if "image" in p else list(pooled)
        assert 3 <= len(flat) <= 9 and len(set(flat)) >= 2
        assert question.part("output").points == 3  # whatever the output size
        kinds.add(("signal" in p, p["op"]))
    assert len(kinds) == 4


def test_drawn_settings_exercise_what_the_template_advertises():
    """Unpinned draws use stride < width, padding and ceil_mode (where it adds a window) in a good share of seeds."""
    questions = [exercises.generate("pooling", seed=seed) for seed in range(300)]
    params = [q.params for q in questions]
    for name, share in (("stride < width", sum(p["stride"] < p["width"] for p in params)),
                        ("padding", sum(p["padding"] > 0 for p in params)),
                        ("ceil_mode", sum(p["ceil_mode"] for p in params))):
        assert 0.2 * len(params) <= share <= 0.65 * len(params), name
    cut_off = 0
    for p in params:
        data = p["signal"] if "signal" in p else p["image"]
        n = len(data)
        cut_off += p["ceil_mode"] and expected_length(n, p["width"], p["stride"], p["padding"], True) != \
            expected_length(n, p["width"], p["stride"], p["padding"], False)
    assert cut_off >= 0.1 * len(params), "ceil_mode rarely adds a window"


def test_max_pooling_is_not_mostly_nines():
    """Max pooling of random digits gives mostly 9s; drawn values are distinct, so the maxima differ."""
    pooled, nines, ties = 0, 0, 0
    for seed in range(400):
        question = exercises.generate("pooling", seed=seed, op="max")
        flat = np.ravel(np.array(question.part("output").answer.value, dtype=object)).tolist()
        pooled += len(flat)
        nines += sum(v == 9 for v in flat)
        data = question.params.get("signal") or [v for row in question.params["image"] for v in row]
        ties += len(set(map(str, data))) < len(data)
    assert nines <= 0.1 * pooled and ties == 0


def test_decimals_are_exact_and_printed_as_written():
    """The book's figure: 0.1, 1., 0.2 … printed as written, answers exact (1/10, not a float)."""
    pinned = {"signal": ["0.1", "1.", "0.2", "0.1", "0.3", "0.25"], "op": "max", "width": 2}
    question = exercises.generate("pooling", **pinned)
    assert question.to_json()["parts"][0]["answer"] == [1, "1/5", "3/10"]
    text = render_question(question, "md", solution=True)
    assert r"\begin{bmatrix} 0.1 & 1. & 0.2 & 0.1 & 0.3 & 0.25 \end{bmatrix}" in text
    assert r"**Answer:** $\begin{bmatrix} 1. & 0.2 & 0.3 \end{bmatrix}$" in text
    assert exercises.answer("pooling", "output", "[1, 0.2, 0.3]", **pinned)["status"] == "correct"
    assert exercises.answer("pooling", "output", "1 1/5 3/10", **pinned)["status"] == "correct"
    average = exercises.generate("pooling", signal=[0.1, 0.2, 0.4, 0.5], op="avg", width=2)  # YAML floats
    assert average.params["signal"] == ["0.1", "0.2", "0.4", "0.5"]
    assert average.to_json()["parts"][0]["answer"] == ["3/20", "9/20"]
    assert r"0.15 & 0.45" in render_question(average, "md", solution=True)
    image = exercises.generate("pooling", image=[["0.5", 1], [2, "1.5"]], op="avg", width=2)
    assert image.to_json()["parts"][0]["answer"] == [["5/4"]]
    get("pooling").verify(image)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("pooling").verify(exercises.generate("pooling", seed=seed))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.data())
def test_loops_and_sliding_windows_agree(width, stride, data):
    padding = data.draw(st.integers(0, width // 2))
    ceil_mode, op = data.draw(st.booleans()), data.draw(st.sampled_from(["max", "avg"]))
    rows, cols = (data.draw(st.integers(max(1, width - 2 * padding), 8)) for _ in range(2))
    image = data.draw(st.lists(st.lists(st.integers(-9, 9), min_size=cols, max_size=cols), min_size=rows,
                               max_size=rows))
    settings_ = (width, stride, op, padding, ceil_mode)
    assert pool(image, *settings_) == pool_numpy(image, *settings_)
    assert pool(image[0], *settings_) == pool_numpy(image[0], *settings_)


@pytest.mark.parametrize("seed", [1, 2])
def test_verifier_catches_a_wrong_key(seed):
    question = exercises.generate("pooling", seed=seed)
    spec = question.part("output").answer
    if isinstance(spec, Matrix):
        wrong = Matrix(value=[[v + 1 for v in row] for row in spec.value])
    else:
        wrong = Vector(value=[v + 1 for v in spec.value])
    with pytest.raises(AssertionError):
        get("pooling").verify(with_answer(question, "output", wrong))


def test_importing_a_topic_module_first_does_not_hide_the_others():
    # this module imported exercises.topics.pooling (and so equivariance) before asking the registry
    from exercises.registry import all_templates

    assert {"pooling", "pool-invariance", "adaptive-pool", "equivariance", "conv1d"} <= set(all_templates())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-999, 999), min_size=3, max_size=10), st.integers(1, 2), st.sampled_from(["max", "avg"]),
       st.integers(2, 3), st.booleans())
def test_decimal_inputs_verify_for_any_values(hundredths, places, op, width, ceil_mode):
    """Decimals with one or two places: the key is the pooling of the exact values, and the verifier (numpy on
    the values scaled to whole numbers) agrees."""
    signal = [f"{v / 10**places:.{places}f}" for v in hundredths]
    question = exercises.generate("pooling", signal=signal, op=op, width=width, ceil_mode=ceil_mode)
    exact = [Fraction(v) for v in signal]
    assert list(question.part("output").answer.value) == pool(exact, width, width, op, 0, ceil_mode)
    get("pooling").verify(question)
