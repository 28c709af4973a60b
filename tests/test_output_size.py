"""output-size: the lecture's sizes, PyTorch's rules, misconceptions, the formula part, bad pins,
sampler, verifier."""


import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.check import check_template
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.plain import plain_text
from exercises.topics.layers import output_size, transposed_output_size
from exercises.topics.output_size import count_windows, scattered_size, size_of
from grader import Formula, Integer


def size(**params):
    return exercises.generate("output-size", **params).to_json()["parts"][0]["answer"]


def named(text, part="size", **params):
    return exercises.answer("output-size", part, text, **params)["misconception"]


def test_lecture_sizes(lecture):
    case = lecture["padding"][1]["sizes"]
    m, k = case["m"], case["k"]
    assert size(n=m, kernel=k, padding=0, stride=1, dilation=1) == case["valid"]
    assert size(n=m, kernel=k, padding="valid", stride=1, dilation=1) == case["valid"]
    assert size(n=m, kernel=k, padding="same", stride=1, dilation=1) == case["same"]
    assert size(n=m, kernel=k, padding="full", stride=1, dilation=1) == case["full"]
    assert size(n=m, kernel=k, padding=k - 1, stride=1, dilation=1) == case["full"]


def test_lecture_shrinking_chain(lecture):
    case = lecture["padding"][0]
    sizes = [case["sizes_without_padding_from_16"][0]]
    while len(sizes) < len(case["sizes_without_padding_from_16"]):
        sizes.append(size(n=sizes[-1], kernel=case["kernel"], padding=0, stride=1, dilation=1))
    assert sizes == case["sizes_without_padding_from_16"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"n": 32, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1}, 16),
    ({"n": 224, "kernel": 11, "stride": 4, "padding": 2, "dilation": 1}, 55),  # AlexNet's first layer
    ({"n": 12, "kernel": 5, "stride": 1, "padding": 2, "dilation": 2}, 8),   # spans 9
    ({"n": 112, "kernel": 3, "stride": 2, "padding": 0, "dilation": 1, "layer": "pool", "ceil_mode": True}, 56),
    ({"n": 6, "kernel": 3, "stride": 2, "padding": 0, "dilation": 1, "layer": "pool", "ceil_mode": True}, 3),
    ({"n": 5, "kernel": 2, "stride": 2, "padding": 1, "dilation": 1, "layer": "pool", "ceil_mode": True}, 3),
    ({"n": 16, "kernel": 4, "stride": 2, "padding": 1, "dilation": 1, "layer": "transpose"}, 32),
    ({"n": 7, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1, "layer": "transpose", "output_padding": 1}, 14),
])
def test_hand_worked_sizes(params, expected):
    assert size(**params) == expected


def _said(blocks, words):
    return any(words in getattr(block, "text", "") for block in blocks)


def test_rounding_down_is_explained_in_the_solution_never_given_away_in_the_statement():
    exact = exercises.generate("output-size", n=17, kernel=3, stride=2, padding=0, dilation=1)
    rounded = exercises.generate("output-size", n=18, kernel=3, stride=2, padding=0, dilation=1)
    for question in (exact, rounded):
        assert not _said(question.statement, "tile") and not _said(question.statement, "round")
    assert not _said(exact.solution, "rounding down") and _said(rounded.solution, "rounding down")
    assert rounded.to_json()["parts"][0]["answer"] == 8
    ceil = exercises.generate("output-size", n=6, kernel=3, stride=2, padding=0, layer="pool", ceil_mode=True)
    tiled = exercises.generate("output-size", n=7, kernel=3, stride=2, padding=0, layer="pool", ceil_mode=True)
    for question in (ceil, tiled):  # ceil_mode's rule is stated whether or not it matters here
        assert _said(question.statement, "drops a last window")


def test_size_misconceptions_are_named():
    valid = {"n": 16, "kernel": 6, "padding": 0, "stride": 1, "dilation": 1}
    assert named("10", **valid) == "off-by-one" and named("21", **valid) == "full-instead-of-valid"
    strided = {"n": 21, "kernel": 4, "padding": 2, "stride": 2, "dilation": 1}  # floor(21/2) + 1 = 11
    assert named("22", **strided) == "stride-ignored"  # 21 + 4 - 4 + 1
    assert named("9", **strided) == "padding-forgotten"  # floor(17/2) + 1
    assert named("12", **strided) == "ceil-vs-floor"
    dilated = {"n": 12, "kernel": 5, "padding": 2, "stride": 1, "dilation": 2}
    assert named("12", **dilated) == "dilation-ignored"  # 12 + 4 - 4
    transpose = {"n": 16, "kernel": 4, "stride": 2, "padding": 1, "dilation": 1, "layer": "transpose"}
    assert named("8", **transpose) == "conv-formula-for-transpose"
    assert named("34", **transpose) == "padding-forgotten"
    extra = {"n": 7, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1, "layer": "transpose",
             "output_padding": 1}  # 6*2 - 2 + 2 + 1 + 1 = 14
    result = exercises.answer("output-size", "size", "13", **extra)
    assert result["misconception"] == "output-padding-forgotten" and "output_padding" in result["feedback"]
    ceil = {"n": 6, "kernel": 3, "stride": 2, "padding": 0, "dilation": 1, "layer": "pool", "ceil_mode": True}
    assert named("2", **ceil) == "ceil-vs-floor"


def test_formula_part():
    pinned = {"n": 16, "kernel": 3, "padding": 1, "stride": 2, "dilation": 1, "ask_formula": True}
    question = exercises.generate("output-size", **pinned)
    assert question.part_ids == ["size", "formula"]
    for text in ("floor((n + 2p - k)/s) + 1", "⌊(n + 2·p − k) / s⌋ + 1",
                 r"\left\lfloor \frac{n+2p-k}{s} \right\rfloor+1"):
        assert exercises.answer("output-size", "formula", text, **pinned)["status"] == "correct", text
    assert named("(n + 2p - k)/s + 1", "formula", **pinned) == "floor-forgotten"
    assert named("floor((n + 2p - k)/s)", "formula", **pinned) == "off-by-one"
    assert named("n + 2p - k + 1", "formula", **pinned) == "stride-ignored"
    assert named("ceil((n + 2p - k)/s) + 1", "formula", **pinned) == "ceil-vs-floor"
    dilated = {**pinned, "dilation": 2}
    assert exercises.answer("output-size", "formula", "floor((n + 2p - d(k-1) - 1)/s) + 1",
                            **dilated)["status"] == "correct"
    assert named("floor((n + 2p - k)/s) + 1", "formula", **dilated) == "dilation-ignored"
    transpose = {"n": 7, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1, "layer": "transpose",
                 "output_padding": 1, "ask_formula": True}
    assert exercises.answer("output-size", "formula", "(n-1)s - 2p + k + a", **transpose)["status"] == "correct"
    assert named("(n-1)s - 2p + k", "formula", **transpose) == "output-padding-forgotten"


@pytest.mark.parametrize(("pinned", "message"), [
    ({"ceil_mode": True}, "ceil_mode is a pooling option"),
    ({"output_padding": 1}, "output_padding is a transposed-convolution option"),
    ({"layer": "transpose", "output_padding": 2, "stride": 2, "dilation": 1}, "output_padding 2 must be smaller"),
    ({"padding": "same", "stride": 2}, "padding 'same' needs stride 1"),
    ({"padding": "same", "layer": "pool"}, "padding 'same' is for convolutions"),
    ({"layer": "pool", "kernel": 2, "padding": 2}, "padding 2 is more than half the window 2"),
    ({"n": 4, "kernel": 7, "padding": 0, "dilation": 1}, "the kernel spans 7 positions but the padded input has "
                                                         "only 4"),
    ({"layer": "transpose", "n": 1, "kernel": 1, "padding": 3}, "crops the whole output away"),
    ({"layer": "pool", "ceil_mode": True, "ask_formula": True}, "ask_formula is not offered with ceil_mode"),
    ({"padding": "half"}, "padding must be a number of zeros per side from 0 to 16, or one of valid, same, full"),
    ({"layer": "deconv"}, "layer must be one of conv, pool, transpose"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("output-size", **pinned)


def test_samples_are_pleasant():
    rounded = 0
    for seed in range(200):
        question = exercises.generate("output-size", seed=seed)
        p = question.params
        answer = question.to_json()["parts"][0]["answer"]
        assert 3 <= p["n"] <= 64 and 2 <= answer <= 64 and p["layer"] == "conv"
        says_rounding = _said(question.solution, "rounding down")
        rounded += says_rounding
        assert says_rounding == (p["stride"] > 1 and (p["n"] + sum(_pads(p)) - p["dilation"] * (p["kernel"] - 1) - 1)
                                 % p["stride"] != 0)
        assert not _said(question.statement, "round")
    assert 5 <= rounded <= 60  # floor matters sometimes, not mostly


def _pads(p):
    reach = p["dilation"] * (p["kernel"] - 1)
    return {"valid": (0, 0), "same": (reach // 2, reach - reach // 2), "full": (reach, reach)}.get(
        p["padding"], (p["padding"], p["padding"]))


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("output-size").verify(exercises.generate("output-size", seed=seed))


@pytest.mark.parametrize("pinned", [
    {"layer": "pool"}, {"layer": "pool", "ceil_mode": True}, {"layer": "transpose"},
    {"layer": "transpose", "stride": 2, "output_padding": 1}, {"ask_formula": True},
    {"ask_formula": True, "layer": "transpose", "dilation": 2, "stride": 3, "output_padding": 2},
])
def test_check_passes_for_other_layers_and_the_formula(pinned):
    assert check_template(get("output-size"), range(25), pinned) == []


@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3), st.booleans())
def test_window_walk_matches_pytorchs_rule(n, kernel, stride, padding, dilation, ceil_mode):
    if dilation * (kernel - 1) + 1 <= n + 2 * padding and (not ceil_mode or padding <= kernel // 2):
        assert count_windows(n, kernel, stride, padding, padding, dilation, ceil_mode) == \
            output_size(n, kernel, stride, padding, dilation, ceil_mode)


@given(st.integers(1, 20), st.integers(1, 6), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3),
       st.integers(0, 3))
def test_scattering_matches_the_transpose_formula(n, kernel, stride, padding, dilation, output_padding):
    got = scattered_size(n, kernel, stride, padding, dilation, output_padding)
    assert got == transposed_output_size(n, kernel, stride, padding, dilation, output_padding)
    if got >= 1 and output_padding < stride:  # a conv with the same settings maps it back to n
        assert count_windows(got, kernel, stride, padding, padding, dilation) == n


def test_size_of_uneven_same_padding():
    # k = 6: 5 zeros, 2 left and 3 right (PyTorch); the output keeps the size
    assert size_of({"n": 16, "kernel": 6, "padding": "same", "stride": 1, "dilation": 1, "layer": "conv",
                    "ceil_mode": False, "output_padding": 0}) == 16


@pytest.mark.parametrize("part", ["size", "formula"])
def test_verifier_catches_a_wrong_key(part):
    question = exercises.generate("output-size", seed=4, ask_formula=True)
    index = question.part_ids.index(part)
    spec = question.parts[index].answer
    wrong = Integer(value=spec.value + 1) if part == "size" else \
        Formula(value=spec.value + " + 1", variables=spec.variables, ranges=spec.ranges, where=spec.where)
    with pytest.raises(AssertionError):
        get("output-size").verify(with_answer(question, part, wrong))


# -- the formula part asks exactly what the layer allows (issue 14, section 1) ---------------------------------------
WORDED = {"ask_formula": True, "n": 7, "kernel": 5, "stride": 1}


def test_issue_valid_padding_formula_without_p_is_right():
    """`cnnquiz answer output-size formula "floor((n-k)/s)+1" --set ask_formula=true --set n=7 --set kernel=5
    --set padding=valid --set stride=1` was marked 'You left out the padding'."""
    question = exercises.generate("output-size", padding="valid", **WORDED)
    spec = question.part("formula").answer
    prompt = question.part("formula").prompt.text
    assert spec.variables == ("n", "k", "s") and "'valid' padding (no zeros added)" in prompt
    for text in ("floor((n-k)/s)+1", "floor((n + 2p - k)/s) + 1", "⌊(n − k)/s⌋ + 1"):
        result = exercises.answer("output-size", "formula", text, padding="valid", **WORDED)
        assert (result["status"], result["misconception"]) == ("correct", None), (text, result)
    assert named("floor((n + k - 2)/s) + 1", "formula", padding="valid", **WORDED) == "full-instead-of-valid"


def test_issue_same_padding_formula_is_n_and_counterexamples_keep_stride_1():
    """With padding=same the answer `n` scored 0 with a counterexample at s=4, which 'same' does not allow."""
    for kernel in (4, 5):
        pinned = {**WORDED, "kernel": kernel, "padding": "same"}
        question = exercises.generate("output-size", **pinned)
        spec = question.part("formula").answer
        assert spec.variables == ("n", "k") and "stride 1" in question.part("formula").prompt.text
        for text in ("n", "floor((n + 2p - k)/s) + 1", "n + 2p - k + 1"):
            assert exercises.answer("output-size", "formula", text, **pinned)["status"] == "correct", (kernel, text)
        wrong = exercises.answer("output-size", "formula", "n - k + 1", **pinned)
        assert wrong["misconception"] == "padding-forgotten"
        assert all(set(point) == {"n", "k"} for point in spec.points)
        shown = exercises.answer("output-size", "formula", "n + 1", **pinned)["feedback"]
        assert "for n = " in shown and "s = " not in shown


def test_full_padding_formula_and_its_domain():
    pinned = {**WORDED, "padding": "full", "stride": 2, "dilation": 2, "n": 8, "kernel": 3}
    question = exercises.generate("output-size", **pinned)
    spec = question.part("formula").answer
    prompt = plain_text(question.part("formula").prompt)
    assert spec.variables == ("n", "k", "s", "d") and "d(k − 1) zeros on each side" in prompt
    for text in ("floor((n + 2d(k-1) - d(k-1) - 1)/s) + 1", "floor((n + d(k - 1) - 1)/s) + 1",
                 "floor((n + 2p - d(k-1) - 1)/s) + 1"):
        assert exercises.answer("output-size", "formula", text, **pinned)["status"] == "correct", text
    assert named("floor((n - d(k-1) - 1)/s) + 1", "formula", **pinned) == "padding-forgotten"
    solution = " ".join(getattr(block, "text", "") for block in question.solution)
    assert "PyTorch" not in solution  # PyTorch has no 'full' padding


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32), st.sampled_from(["valid", "same", "full", 0, 1, 2]))
def test_every_formula_key_holds_on_its_own_domain(seed, padding):
    """The verifier counts windows at every point the grader uses, for every form of the question."""
    pinned = {"ask_formula": True, "padding": padding, "layer": "conv"}
    if padding == "same":
        pinned["stride"] = 1
    question = exercises.generate("output-size", seed=seed, **pinned)
    get("output-size").verify(question)
    spec = question.part("formula").answer
    assert set(spec.variables) <= {"n", "k", "p", "s", "d"} and ("p" in spec.variables) == isinstance(padding, int)


def test_the_formula_key_prints_as_written_in_every_format():
    """⌊(n+2p−k)/s⌋+1 as the lecture writes it, not sympy's ⌊(−k+n+2p)/s⌋+1."""
    from exercises.render.question import printer_for

    question = exercises.generate("output-size", seed=0, ask_formula=True, n=7, kernel=3, padding=1, stride=2)
    spec = next(part.answer for part in question.parts if part.answer.kind == "formula")
    assert spec.value == "floor((n + 2*p - k)/s) + 1"
    printed = {fmt: printer_for(fmt).answer(spec) for fmt in ("md", "tex", "typ")}
    assert "\\frac{n + 2 p - k}{s}" in printed["tex"] and printed["md"] == printed["tex"]
    assert printed["typ"] == "$floor(frac(n + 2 p - k, s)) + 1$"
