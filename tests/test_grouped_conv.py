"""grouped-conv: AlexNet's layers split over two GPUs and ResNeXt's cardinality 32, misconceptions named, bad pins,
the verifier (the layer kinds' weight tensor and a run on ones) over many seeds, the figure, and varied keys."""

from math import prod
from pathlib import Path

import pytest
import yaml
from conftest import distinct_keys, with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from grader import Integer

PAPERS = yaml.safe_load((Path(__file__).parent / "data" / "paper_cases.yaml").read_text(encoding="utf-8"))
PARAMS = ("in_channels", "out_channels", "groups", "kernel", "size", "bias")


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("grouped-conv", **params).to_json()["parts"]}


@pytest.mark.parametrize("case", [c for c in PAPERS["grouped_conv"] if "kernel_shape" in c], ids=lambda c: c["name"])
def test_alexnets_two_gpus(case):
    """'256 kernels of size 5 x 5 x 48': each filter sees the 48 channels on its GPU; one bias per kernel; every
    one of the published neurons has a connection per weight of its filter and one for its bias."""
    got = answers(**{name: case[name] for name in PARAMS})
    assert got["filter_weights"] == prod(case["kernel_shape"])
    assert got["params"] == case["out_channels"] * (prod(case["kernel_shape"]) + 1)
    assert got["connections"] == case["neurons"] * (prod(case["kernel_shape"]) + 1)


def test_resnexts_cardinality_32():
    (case,) = [c for c in PAPERS["grouped_conv"] if c["name"] == "resnext-3x3"]
    got = answers(**{name: case[name] for name in PARAMS})
    assert got["params"] == case["cardinality_term"] == 32 * 3 * 3 * 4 * 4
    assert 256 * 128 + got["params"] + 128 * 256 == case["block_params"] == 32 * (256 * 4 + 3 * 3 * 4 * 4 + 4 * 256)


def test_depthwise_when_groups_equal_the_channels():
    """g = C_in: a k x k filter per channel; the grouped layer has g times fewer weights than without groups."""
    got = answers(in_channels=12, out_channels=24, groups=3, kernel=3, size=7, bias=False)
    assert got == {"filter_weights": 36, "params": 864, "connections": 864 * 49, "depthwise_params": 108}
    ungrouped = exercises.answer("grouped-conv", "params", str(3 * 864), in_channels=12, out_channels=24, groups=3,
                                 kernel=3, size=7, bias=False)
    assert ungrouped["misconception"] == "groups-ignored"


PINNED = {"in_channels": 12, "out_channels": 24, "groups": 3, "kernel": 3, "size": 7, "bias": True}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("filter_weights", "108", "groups-ignored"),
    ("filter_weights", "72", "output-channels-per-group"),
    ("filter_weights", "27", "groups-as-channels"),
    ("filter_weights", "12", "kernel-not-squared"),
    ("params", str(108 * 24 + 24), "groups-ignored"),
    ("params", str(36 * 8 + 8), "one-group-only"),
    ("params", "864", "bias-forgotten"),
    ("connections", "888", "parameters-not-connections"),
    ("connections", str(864 * 49), "bias-connection-forgotten"),
    ("connections", str(49 * 24 * 109), "groups-ignored"),
    ("connections", str(7 * 24 * 37), "side-not-squared"),
    ("depthwise_params", str(9 * 144 + 12), "groups-ignored"),
    ("depthwise_params", str(9 * 4 * 12 + 12), "old-groups-kept"),
    ("depthwise_params", str(9 * 24 + 24), "output-channels-kept"),
    ("depthwise_params", "108", "bias-forgotten"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("grouped-conv", part, text, **PINNED)
    assert result["status"] != "correct" and result["misconception"] == mistake


@pytest.mark.parametrize(("pinned", "message"), [
    ({"in_channels": 12, "groups": 5}, "in_channels = 12 is not a multiple of groups = 5"),
    ({"in_channels": 12, "out_channels": 10, "groups": 4}, "out_channels = 10 is not a multiple of groups = 4"),
    ({"in_channels": 8, "out_channels": 8, "groups": 8}, "use at most C_in / 2 groups"),
    ({"groups": 1}, "groups must be an integer from 2"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("grouped-conv", **pinned)


def test_the_figure_joins_each_output_channel_to_its_group():
    from exercises.figures import Line, Unit

    question = exercises.generate("grouped-conv", **{**PINNED, "in_channels": 6, "out_channels": 6})
    (figure,) = question.figures()
    assert len([s for s in figure.shapes if isinstance(s, Line)]) == 6 * 2  # each output reads 2 of the 6 inputs
    assert len([s for s in figure.shapes if isinstance(s, Unit) and s.style == "shade"]) == 2 + 2
    assert not exercises.generate("grouped-conv", **{**PINNED, "in_channels": 96, "out_channels": 96}).figures()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("grouped-conv").verify(exercises.generate("grouped-conv", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("grouped-conv", **PINNED)
    with pytest.raises(AssertionError, match="connections"):
        get("grouped-conv").verify(with_answer(question, "connections", Integer(value=864 * 49)))


def test_samples_are_pleasant_and_varied():
    for seed in range(100):
        p = exercises.generate("grouped-conv", seed=seed).params
        assert 2 <= p["groups"] <= p["in_channels"] // 2 and p["in_channels"] <= 128
        assert p["in_channels"] % p["groups"] == p["out_channels"] % p["groups"] == 0
    assert min(distinct_keys("grouped-conv", range(100)).values()) >= 8


def test_a_calculator_where_the_products_need_one():
    from exercises.render.question import render_question
    from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR

    alexnet = exercises.generate("grouped-conv", in_channels=96, out_channels=256, groups=2, kernel=5, size=27)
    assert CALCULATOR_ALLOWED in render_question(alexnet, "md")
    small = exercises.generate("grouped-conv", **{**PINNED, "size": 4})
    assert CALCULATOR_ALLOWED not in render_question(small, "md")
    for seed in range(60):
        p = exercises.generate("grouped-conv", seed=seed, calculator=False).params
        assert p["size"] ** 2 * p["out_channels"] <= LARGEST_HAND_FACTOR
    with pytest.raises(ParamError, match="without a calculator .* at most 9999 units, got 186,624"):
        exercises.generate("grouped-conv", calculator=False, in_channels=96, out_channels=256, groups=2, size=27)
