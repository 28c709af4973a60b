"""depthwise-separable: MobileNet's table 3 and its 1/N + 1/k² share, misconceptions named, bad pins, the verifier
(costs counted on the layer kinds' weight tensors and a run on ones) over many seeds, and varied keys."""

from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.layer_costs import counted
from grader import Integer

PAPERS = yaml.safe_load((Path(__file__).parent / "data" / "paper_cases.yaml").read_text(encoding="utf-8"))
PARAMS = ("kernel", "in_channels", "out_channels", "size", "bias")


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("depthwise-separable", **params).to_json()["parts"]}


@pytest.mark.parametrize("case", PAPERS["depthwise_separable"])
def test_mobilenets_table_3(case):
    got = answers(**{name: case[name] for name in PARAMS})
    for part, value in case.items():
        if part.endswith("_millions"):
            key = got[part.removesuffix("_millions")]
            places = len(str(value).partition(".")[2])
            assert round(key / 1e6, places) == value, (part, key)


def test_the_share_is_one_over_n_plus_one_over_k_squared():
    """Howard et al.'s reduction 1/N + 1/D_K², and their '8 to 9 times less computation' for 3 x 3 kernels."""
    got = answers(kernel=3, in_channels=512, out_channels=512, size=14, bias=False)
    assert got["standard_params"] == 3 * 3 * 512 * 512 and got["separable_params"] == 3 * 3 * 512 + 512 * 512
    assert Fraction(got["factor"]) == 1 / (Fraction(1, 512) + Fraction(1, 9)) == Fraction(4608, 521)
    for channels in (72, 128, 256, 1024):
        factor = Fraction(answers(kernel=3, in_channels=32, out_channels=channels, size=7, bias=False)["factor"])
        assert 8 <= factor < 9


def test_hand_worked_with_biases():
    # 3x3, 4 to 8 channels on 5 x 5, with biases: standard 3·3·4·8 + 8 = 296; depthwise 3·3·4 + 4 = 40 and
    # pointwise 4·8 + 8 = 40; multiply-adds 288·25 = 7200 against (36 + 32)·25 = 1700; 7200/1700 = 72/17.
    got = answers(kernel=3, in_channels=4, out_channels=8, size=5, bias=True)
    assert got == {"standard_params": 296, "separable_params": 80, "standard_madds": 7200, "separable_madds": 1700,
                   "factor": "72/17"}


PINNED = {"kernel": 3, "in_channels": 4, "out_channels": 8, "size": 5, "bias": True}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("standard_params", "288", "bias-forgotten"),
    ("standard_params", "80", "input-channels-forgotten"),
    ("standard_params", str(288 * 25 + 8), "multiply-adds-as-parameters"),
    ("separable_params", "40", "pointwise-forgotten"),
    ("separable_params", str(3 * 3 * 4 * 4 + 4 + 40), "depthwise-as-full"),
    ("separable_params", str(3 * 3 * 8 + 8 + 40), "depthwise-per-output-channel"),
    ("separable_params", "76", "depthwise-bias-forgotten"),
    ("standard_madds", "288", "positions-forgotten"),
    ("standard_madds", "1440", "side-not-squared"),
    ("separable_madds", "900", "pointwise-forgotten"),
    ("separable_madds", "800", "depthwise-forgotten"),
    ("separable_madds", str((144 + 32) * 25), "depthwise-as-full"),
    ("factor", "17/72", "inverted"),
    ("factor", "8", "pointwise-forgotten"),
    ("factor", "9", "depthwise-forgotten"),
    ("factor", "72", "product-not-sum"),
    ("factor", "24/11", "kernel-not-squared"),
    ("factor", "37/10", "parameter-factor"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("depthwise-separable", part, text, **PINNED)
    assert result["status"] != "correct" and result["misconception"] == mistake


def test_mistakes_that_cannot_happen_are_not_offered():
    """Without biases there is no bias to forget, and the parameter factor is the multiply-add factor."""
    question = exercises.generate("depthwise-separable", **{**PINNED, "bias": False})
    named = {m.id for part in question.parts for m in part.answer.misconceptions}
    assert not {"bias-forgotten", "depthwise-bias-forgotten", "parameter-factor"} & named


@pytest.mark.parametrize(("pinned", "message"), [
    ({"kernel": 1}, "kernel must be an integer from 2"),
    ({"out_channels": 1}, "out_channels must be an integer from 2"),
    ({"size": 0}, "size must be an integer from 1"),
    ({"bias": "yes"}, "bias must be true or false"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("depthwise-separable", **pinned)


def test_counted_costs_of_a_grouped_layer():
    """The verifier's count: 3x3 from 8 to 6 channels in 2 groups on 4 x 4 maps, with biases."""
    found = counted(3, 8, 6, 4, groups=2, bias=True)
    assert found.params == 3 * 3 * 4 * 6 + 6 and found.filter_weights == 36
    assert found.madds == 216 * 16 and found.connections == (216 + 6) * 16


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("depthwise-separable").verify(exercises.generate("depthwise-separable", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("depthwise-separable", **PINNED)
    with pytest.raises(AssertionError, match="separable_madds"):
        get("depthwise-separable").verify(with_answer(question, "separable_madds", Integer(value=1701)))


def test_samples_are_pleasant_and_varied():
    for seed in range(100):
        p = exercises.generate("depthwise-separable", seed=seed).params
        assert p["kernel"] in (3, 5) and 16 <= p["in_channels"] <= p["out_channels"] <= 512
        assert p["size"] in (7, 14, 28, 56)
    assert min(distinct_keys("depthwise-separable", range(100)).values()) >= 10


def test_a_calculator_where_the_products_need_one():
    """A real MobileNet layer multiplies millions: the sheet allows a calculator; calculator: false keeps the
    weights within four digits, and says so for a pinned layer that is too large."""
    from exercises.render.question import render_question
    from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR

    big = exercises.generate("depthwise-separable", kernel=3, in_channels=512, out_channels=512, size=14, bias=False)
    assert CALCULATOR_ALLOWED in render_question(big, "md")
    assert CALCULATOR_ALLOWED not in render_question(exercises.generate("depthwise-separable", **PINNED), "md")
    for seed in range(60):
        p = exercises.generate("depthwise-separable", seed=seed, calculator=False).params
        assert p["kernel"] ** 2 * p["in_channels"] * p["out_channels"] <= LARGEST_HAND_FACTOR
    with pytest.raises(ParamError, match="without a calculator .* at most 9999, got 2,359,296"):
        exercises.generate("depthwise-separable", calculator=False, kernel=3, in_channels=512, out_channels=512)
