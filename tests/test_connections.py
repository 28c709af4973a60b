"""connections: LeNet-5's published connections and parameters, a hand-worked stack, misconceptions, bad pins,
the verifier (layers run on ones) over many seeds, and varied keys."""

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
from exercises.topics.connections import connections, counted_connections, resolved
from grader import Integer

BOOK = yaml.safe_load((Path(__file__).parent / "data" / "book_cases.yaml").read_text(encoding="utf-8"))
SMALL = {"input_channels": 2, "input_size": 10,
         "layers": [{"type": "conv", "out": 4, "kernel": 3, "groups": 2}, {"type": "pool", "kernel": 2},
                    {"type": "subsample", "kernel": 2}, {"type": "flatten"}, {"type": "dense", "out": 3}]}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("connections", **params).to_json()["parts"]}


def test_lenet5_is_the_papers():
    (case,) = BOOK["connections"]
    got = answers(network="lenet5")
    assert got["connections"] == list(case["connections"].values())
    assert got["parameters"] == list(case["parameters"].values())
    assert got["connections"][0] == 122_304 and got["parameters"][0] == 156  # the C1
    assert got["reuse"] == 28 * 28  # each C1 weight serves every position of its 28 x 28 map


def test_hand_worked_stack():
    # 2 x 10 x 10 -> conv 3x3, 2 groups, 4 maps: each unit reads 1 * 9 inputs + bias: 4 * 8 * 8 * 10 = 2560
    # -> max pool 2: 4 * 4 * 4 units * 4 = 256 -> subsample 2: 4 * 2 * 2 * (4 + 1) = 80 -> flatten: 0
    # -> dense 16 -> 3: 3 * (16 + 1) = 51. Parameters: 4 * 9 + 4 = 40, 0, 8, 0, 51.
    got = answers(**SMALL)
    assert got == {"connections": [2560, 256, 80, 0, 51], "parameters": [40, 0, 8, 0, 51], "reuse": 64}


def test_misconceptions_are_named():
    def named(part, text, **params):
        return exercises.answer("connections", part, text, **params)["misconception"]

    lenet = {"network": "lenet5"}
    assert named("connections", "[156, 12, 1516, 32, 48120, 10164]", **lenet) == "connections-as-parameters"
    assert named("connections", "[117600, 4704, 150000, 1600, 48000, 10080]", **lenet) == \
        "bias-connection-forgotten"
    assert named("connections", "[156, 30, 1516, 80, 48120, 10164]", **lenet) == "one-position-only"
    # C3 fully connected: 16 * 10 * 10 units * (6 * 25 + 1) = 241600
    assert named("connections", "[122304, 5880, 241600, 2000, 48120, 10164]", **lenet) == "connection-table-ignored"
    assert named("parameters", "[122304, 5880, 151600, 2000, 48120, 10164]", **lenet) == "parameters-as-connections"
    assert named("parameters", "[150, 6, 1500, 16, 48000, 10080]", **lenet) == "bias-forgotten"
    assert named("reuse", "1024", **lenet) == "input-positions"
    assert named("reuse", "4704", **lenet) == "all-output-units"
    assert named("reuse", "25", **lenet) == "kernel-taps"
    result = exercises.answer("connections", "connections", "[2560, 256, 64, 0, 48]", **SMALL)
    assert result["status"] == "partial" and result["misconception"] == "bias-connection-forgotten"


def test_reuse_can_ask_about_a_later_convolution():
    assert answers(network="lenet5", layer="C3")["reuse"] == 100
    c5 = exercises.generate("connections", network="lenet5", layer=5)
    assert c5.to_json()["parts"][2]["answer"] == 1  # C5: one position
    assert "as many connections as parameters: at a single position" in c5.part("reuse").solution[0].text
    c1 = exercises.generate("connections", network="lenet5")
    assert "784 times as many connections as parameters" in c1.part("reuse").solution[0].text


@pytest.mark.parametrize(("pinned", "message"), [
    ({"network": "alexnet"}, "network must be one of lenet5"),
    ({"network": "lenet5", "input_size": 28}, "has its own input size"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 3}], "input_channels": 1}, "pin input_size too"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 3, "padding": 1}], "input_channels": 1, "input_size": 8},
     r"layers\[0\] \(conv\) conv1: padding is not offered"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 3}, {"type": "batchnorm"}], "input_channels": 1,
      "input_size": 8}, r"layers\[1\] \(batchnorm\): connections are counted for"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 3},
                 {"type": "residual", "main": [{"type": "conv", "kernel": 1}]}], "input_channels": 1, "input_size": 8},
     r"layers\[1\] \(residual\): connections are counted for conv, pool"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 3}, {"type": "globalpool"}], "input_channels": 1,
      "input_size": 8}, r"layers\[1\] \(globalpool\): connections are counted for"),
    ({"network": "lenet5", "layer": "S2"}, "layer 'S2' is a subsample layer: part reuse asks about a convolution"),
    ({"network": "lenet5", "layer": "C4"}, "layer 'C4' is not a layer of the stack"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 9}], "input_channels": 1, "input_size": 8},
     "does not fit the 8x8"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("connections", **pinned)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("connections").verify(exercises.generate("connections", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("connections", network="lenet5")
    with pytest.raises(AssertionError, match="reuse"):
        get("connections").verify(with_answer(question, "reuse", Integer(value=785)))


def test_running_on_ones_counts_what_the_formula_counts():
    layers, before, after = resolved({"network": "lenet5"})
    for layer, b, a in zip(layers, before, after, strict=True):
        assert counted_connections(layer, b) == connections(layer, b, a), layer.name
    assert counted_connections(layers[0], (1, 32, 32)) - 6 * 28 * 28 == int(np.prod((6, 28, 28))) * 25


def test_samples_are_lenet_like_and_varied():
    keys = {"connections": set(), "parameters": set(), "reuse": set()}
    for seed in range(200):
        question = exercises.generate("connections", seed=seed)
        layers, _, _ = resolved(dict(question.params))
        assert [layer.type for layer in layers][:4:2] == ["conv", "conv"]
        for part in question.parts:
            keys[part.id].add(str(part.answer.expected_json()))
        wired, counts = question.part("connections").answer.value, question.part("parameters").answer.value
        assert all(w >= c for w, c in zip(wired, counts, strict=True))  # never fewer connections than parameters
        _, _, after = resolved(dict(question.params))
        for layer, w, c, shape in zip(layers, wired, counts, after, strict=True):  # what the solution says
            assert layer.type != "conv" or w == c * shape[1] * shape[2]
    assert len(keys["connections"]) >= 150 and len(keys["parameters"]) >= 150 and len(keys["reuse"]) >= 25
