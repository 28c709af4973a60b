"""valid-shrink: the lecture's 16 -> 11 -> 6 -> 1 (book fig. 9.13), a dilated case, misconceptions, bad pins,
the verifier (the layers run on a signal) over many seeds, varied keys, and the figure."""

import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st
from test_figures import assert_legible

import exercises
from exercises.figures import Label
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.padding import padded_output_length
from exercises.topics.valid_shrink import simulated_sizes, sizes_after, zeros_to_keep
from grader import Integer

LECTURE = {"n": 16, "kernel": 6, "dilation": 1}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("valid-shrink", **params).to_json()["parts"]}


def test_the_lectures_stack(lecture):
    case = lecture["padding"][0]
    got = answers(**LECTURE, padding=2)
    assert [16, *got["sizes"]] == case["sizes_without_padding_from_16"]
    assert got["depth"] == 3 and got["padding"] == case["same_total"] == case["shrink_per_layer"]
    assert got["padded_depth"] == 15  # 2 zeros per side: each layer loses 1
    assert answers(**LECTURE, padding=1)["padded_depth"] == 5  # loses 3: 16 -> 13 -> 10 -> 7 -> 4 -> 1


def test_hand_worked_dilated_stack():
    # k = 3, d = 2: the kernel spans 5, each layer loses 4: 20 -> 16 -> 12 -> 8 -> 4; 4 zeros keep the size;
    # with 1 zero per side each layer loses 2: floor(19 / 2) = 9 layers.
    assert answers(n=20, kernel=3, dilation=2, padding=1) == {"sizes": [16, 12, 8, 4], "depth": 4, "padding": 4,
                                                               "padded_depth": 9}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("sizes", "[10, 4]", "shrink-by-k"),
    ("sizes", "[11, 6]", "last-layer-dropped"),
    ("sizes", "[16, 11, 6, 1]", "input-included"),
    ("sizes", "[11, 6, 1, -4]", "one-layer-too-many"),
    ("depth", "4", "off-by-one-high"),
    ("depth", "2", "off-by-one"),
    ("padding", "3", "per-side"),
    ("padding", "6", "kernel-size"),
    ("padded_depth", "3", "padding-ignored"),
    ("padded_depth", "5", "padding-one-side"),
    ("padded_depth", "16", "off-by-one-high"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("valid-shrink", part, text, **LECTURE, padding=2)
    assert result["status"] != "correct" and result["misconception"] == mistake


def test_dilation_misconceptions():
    dilated = {"n": 25, "kernel": 3, "dilation": 3, "padding": 1}  # spans 7: 25 -> 19 -> 13 -> 7 -> 1
    assert answers(**dilated)["sizes"] == [19, 13, 7, 1]
    undilated = str(list(range(23, 0, -2)))
    assert exercises.answer("valid-shrink", "sizes", undilated, **dilated)["misconception"] == "dilation-ignored"
    assert exercises.answer("valid-shrink", "depth", "12", **dilated)["misconception"] == "dilation-ignored"
    assert exercises.answer("valid-shrink", "padding", "2", **dilated)["misconception"] == "dilation-ignored"
    assert exercises.answer("valid-shrink", "padding", "3", **dilated)["misconception"] == "per-side"


@pytest.mark.parametrize(("pinned", "message"), [
    ({"n": 5, "kernel": 6, "dilation": 1}, "n = 5 is too short for even one layer with a kernel spanning 6 positions"),
    ({"kernel": 6, "dilation": 1, "padding": 3},
     r"padding must be less than d\(k - 1\) / 2 = 2.5 so that the layers still shrink"),
    ({"kernel": 1}, "kernel must be an integer from 2 to 16"),
    ({"n": 129}, "n must be an integer from 2 to 128"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("valid-shrink", **pinned)


@given(st.integers(2, 60), st.integers(2, 9), st.integers(1, 3))
def test_simulation_agrees_with_the_closed_form(n, kernel, dilation):
    p = {"n": n, "kernel": kernel, "dilation": dilation}
    step = dilation * (kernel - 1)
    assert simulated_sizes(p) == sizes_after(n, step)
    assert zeros_to_keep(p) == step


def test_a_kernel_longer_than_the_signal_has_no_output():
    """np.correlate swaps its arguments when the second is longer; the test-signal length must not."""
    assert padded_output_length(2, 2, 2, 0, 0) == 0 and padded_output_length(2, 2, 2, 1, 0) == 1


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("valid-shrink").verify(exercises.generate("valid-shrink", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("valid-shrink", **LECTURE, padding=1)
    with pytest.raises(AssertionError, match="padded_depth"):
        get("valid-shrink").verify(with_answer(question, "padded_depth", Integer(value=6)))


def test_samples_are_pleasant_and_varied():
    keys: dict[str, set] = {}
    for seed in range(200):
        question = exercises.generate("valid-shrink", seed=seed)
        p = question.params
        assert 2 <= question.part("depth").answer.value <= 10 and p["n"] <= 100
        assert 1 <= question.part("sizes").answer.value[-1] <= p["dilation"] * (p["kernel"] - 1)
        for part in question.parts:
            keys.setdefault(part.id, set()).add(str(part.answer.expected_json()))
    assert len(keys["sizes"]) >= 100 and len(keys["padded_depth"]) >= 30
    assert len(keys["depth"]) == 9 and len(keys["padding"]) >= 10  # every depth 2..10; spans from 3 up


def test_figure_draws_each_layer_as_wide_as_it_is():
    question = exercises.generate("valid-shrink", **LECTURE, padding=2)
    (figure,) = question.figures()
    assert [s.text for s in figure.shapes if isinstance(s, Label)] == ["input: 16", "layer 1: 11", "layer 2: 6",
                                                                        "layer 3: 1"]
    assert figure not in question.statement
    for seed in range(40):
        assert_legible(exercises.generate("valid-shrink", seed=seed).figures()[0])
