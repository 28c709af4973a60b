"""param-count: LeNet-5 as in the lecture, published counts, misconceptions, bad pins, sampler, verifier."""


import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.layers import infer_shapes, param_count, parse_layers
from exercises.topics.parameters import counted_by_tensors, flattened_inputs
from grader import Integer, Vector


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("param-count", **params).to_json()["parts"]}


def test_lenet5_is_the_lectures(lecture):
    case = lecture["param_count"][0]
    got = answers(network="lenet5")
    assert got["per_layer"] == list(case["per_layer"].values()) and got["total"] == case["total"] == 60000


@pytest.mark.parametrize(("network", "published"), [("alexnet", 61_100_840), ("vgg16", 138_357_544)])
def test_torchvision_totals(network, published):
    got = answers(network=network)
    assert got["total"] == published
    assert got["per_layer"][0] == (3 * 11 * 11 * 64 + 64 if network == "alexnet" else 3 * 3 * 3 * 64 + 64)


def test_hand_worked_stack_with_inferred_shapes():
    # 3x12x12 -> conv 3x3 pad 1, 8 maps: 3*9*8 + 8 = 224 -> pool 2/2: 8x6x6 -> batchnorm: 2*8 = 16
    # -> conv 3x3, 2 groups, 4 maps: each filter sees 8/2 = 4 channels, 4*9*4 + 4 = 148; 4x4x4
    # -> dense 5 on 64 inputs: 64*5 + 5 = 325
    layers = [{"type": "conv", "out": 8, "kernel": 3, "padding": 1}, {"type": "pool", "kernel": 2},
              {"type": "batchnorm"}, {"type": "conv", "out": 4, "kernel": 3, "groups": 2},
              {"type": "dense", "out": 5}]
    got = answers(layers=layers, input_channels=3, input_size=12)
    assert got == {"per_layer": [224, 0, 16, 148, 325], "total": 713}
    no_bias = [{"type": "conv", "in": 2, "out": 3, "kernel": [1, 2], "bias": False}, {"type": "subsample", "maps": 3,
                                                                                         "kernel": 2}]
    assert answers(layers=no_bias) == {"per_layer": [12, 6], "total": 18}


def test_misconceptions_are_named():
    def named(part, text, **params):
        return exercises.answer("param-count", part, text, **params)["misconception"]

    assert named("per_layer", "[150, 6, 1500, 16, 48000, 10080]", network="lenet5") == "bias-forgotten"
    assert named("per_layer", "[156, 12, 2416, 32, 48120, 10164]", network="lenet5") == "connection-table-ignored"
    assert named("per_layer", "[156, 150, 1516, 1040, 48120, 10164]", network="lenet5") == "pooling-as-conv"
    assert named("per_layer", "[156, 12, 416, 32, 3120, 10164]", network="lenet5") == "input-channels-forgotten"
    assert named("total", "60900", network="lenet5") == "connection-table-ignored"
    assert named("total", "59752", network="lenet5") == "bias-forgotten"
    stack = {"layers": [{"type": "conv", "out": 4, "kernel": 3}, {"type": "pool", "kernel": 2},
                        {"type": "dense", "out": 10}], "input_channels": 1, "input_size": 10}
    # conv 40, pool 0, dense on 4x4x4 = 64 inputs: 650; flatten forgotten: 4*10+10 = 50
    assert answers(**stack) == {"per_layer": [40, 0, 650], "total": 690}
    assert named("per_layer", "[40, 0, 50]", **stack) == "flatten-forgotten"
    result = exercises.answer("param-count", "total", "90", **stack)
    assert result["misconception"] == "flatten-forgotten" and "flattened" in result["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"network": "lenet5", "input_size": 28}, "has its own input size and channels"),
    ({"network": "lenet5", "layers": [{"type": "conv", "kernel": 3}]}, "pin either layers or network, not both"),
    ({"layers": [{"type": "conv", "kernel": 3, "out": 4}]}, r"layers\[0\] \(conv\) conv1: in is missing and cannot"),
    ({"layers": [{"type": "conv", "kernel": 3, "in": 1}]}, r"out is missing"),
    ({"layers": [{"type": "conv", "kernel": 3, "in": 1, "out": 2}, {"type": "dense", "out": 3}]},
     r"layers\[1\] \(dense\) dense1: in is missing and cannot be inferred"),
    ({"layers": [{"type": "conv", "kernel": 3, "in": 1, "out": 2}, {"type": "dense", "in": 20, "out": 3}],
      "input_size": 5}, r"dense1: in is 20 but it gets 18 inputs \(the flattened feature maps\)"),
    ({"layers": [{"type": "conv", "kernel": 5, "in": 1, "out": 2}], "input_size": 4}, "does not fit the 4x4"),
    ({"layers": [{"type": "conv", "kernal": 3}]}, r"unknown key 'kernal' \(did you mean 'kernel'\?\)"),
    ({"input_size": 0}, "input_size must be an integer from 1 to 512"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("param-count", **pinned)


def test_samples_are_pleasant():
    dense_seen = 0
    for seed in range(150):
        params = exercises.generate("param-count", seed=seed).params
        assert params["input_channels"] in (1, 3) and 8 <= params["input_size"] <= 32
        layers, shapes = infer_shapes(parse_layers(params["layers"]), params["input_channels"],
                                      (params["input_size"],) * 2)
        assert 2 <= len(layers) <= 5 and layers[0].type == "conv"
        assert all(1 <= layer.kernel[0] <= 5 and 2 <= layer.outputs <= 16 for layer in layers if layer.type == "conv")
        assert any(layer.inputs > 1 for layer in layers if layer.type == "conv")
        assert all(layer.inputs <= 1024 for layer in layers if layer.type == "dense")
        dense_seen += layers[-1].type == "dense"
    assert 10 <= dense_seen <= 100  # a dense layer at the end sometimes


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("param-count").verify(exercises.generate("param-count", seed=seed))


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 5), st.integers(1, 5), st.sampled_from([1, 2, 3]),
       st.booleans())
def test_formula_matches_the_tensor_count(groups_in, groups_out, kh, kw, groups, bias):
    layer = parse_layers([{"type": "conv", "in": groups_in * groups, "out": groups_out * groups,
                           "kernel": [kh, kw], "groups": groups, "bias": bias}])[0]
    assert param_count(layer) == counted_by_tensors(layer)


def test_flattened_inputs_by_walking_windows():
    layers = parse_layers([{"type": "conv", "in": 1, "out": 6, "kernel": 5}, {"type": "pool", "kernel": 2},
                           {"type": "conv", "in": 6, "out": 16, "kernel": 5}, {"type": "pool", "kernel": 2},
                           {"type": "dense", "in": 400, "out": 120}, {"type": "dense", "in": 120, "out": 84}])
    assert flattened_inputs(layers, 1, 32) == [None, None, None, None, 16 * 5 * 5, 120]


@pytest.mark.parametrize("part", ["per_layer", "total"])
def test_verifier_catches_a_wrong_key(part):
    question = exercises.generate("param-count", network="lenet5")
    index = question.part_ids.index(part)
    value = question.parts[index].answer.value
    wrong = Vector(value=[v + 1 for v in value]) if part == "per_layer" else Integer(value=value + 1)
    with pytest.raises(AssertionError):
        get("param-count").verify(with_answer(question, part, wrong))
