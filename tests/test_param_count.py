"""param-count: LeNet-5 as in the lecture, published counts of every named network, residual blocks,
misconceptions, bad pins, sampler, verifier, long stacks (200 layers; a readable solution)."""


import re

import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.layers import infer_shapes, parse_layers
from exercises.topics.networks import NETWORKS, PUBLISHED
from exercises.topics.parameters import MAX_LISTED, flattened_inputs
from grader import Integer, Vector


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("param-count", **params).to_json()["parts"]}


def test_lenet5_is_the_lectures(lecture):
    case = lecture["param_count"][0]
    got = answers(network="lenet5")
    assert got["per_layer"] == list(case["per_layer"].values()) and got["total"] == case["total"] == 60000


@pytest.mark.parametrize("network", list(NETWORKS))
def test_named_networks_give_the_published_totals(network):
    question = exercises.generate("param-count", network=network)
    get("param-count").verify(question)
    got = {part["id"]: part["answer"] for part in question.to_json()["parts"]}
    assert got["total"] == PUBLISHED[network].params
    if len(NETWORKS[network].layers) <= MAX_LISTED:
        assert sum(got["per_layer"]) == got["total"] and len(got["per_layer"]) == len(NETWORKS[network].layers)
    else:
        assert list(got) == ["total"]


def test_first_layers_by_hand():
    assert answers(network="alexnet")["per_layer"][0] == 3 * 11 * 11 * 64 + 64
    assert answers(network="vgg16")["per_layer"][0] == 3 * 3 * 3 * 64 + 64
    # ResNet-18's conv1 has no bias; bn1 2*64; the max pool 0; layer1.0: two 3x3 convs 64->64 and two bns
    assert answers(network="resnet18")["per_layer"][:4] == [7 * 7 * 3 * 64, 128, 0, 2 * (9 * 64 * 64 + 128)]
    # layer2.0 adds a projection shortcut: 1x1 conv 64->128 and its bn
    resnet = answers(network="resnet18")["per_layer"]
    assert resnet[5] == 9 * 64 * 128 + 2 * 128 + 9 * 128 * 128 + 2 * 128 + 64 * 128 + 2 * 128


def test_residual_stack_with_inferred_shapes():
    # 2x8x8 -> conv 3x3 pad 1, 4 maps, no bias: 2*9*4 = 72 -> block: main conv 3x3/2 pad 1 to 8 (4*9*8 + 8 = 296),
    # bn 16; shortcut 1x1/2 to 8 (4*8 + 8 = 40): 352; 8x4x4 -> global pool 0 -> dense 8 -> 3: 27
    layers = [{"type": "conv", "out": 4, "kernel": 3, "padding": 1, "bias": False},
              {"type": "residual", "main": [{"type": "conv", "kernel": 3, "stride": 2, "padding": 1, "out": 8},
                                            {"type": "batchnorm"}],
               "shortcut": [{"type": "conv", "kernel": 1, "stride": 2, "out": 8}]},
              {"type": "globalpool"}, {"type": "dense", "out": 3}]
    question = exercises.generate("param-count", layers=layers, input_channels=2, input_size=8)
    assert {p["id"]: p["answer"] for p in question.to_json()["parts"]} == {"per_layer": [72, 352, 0, 27],
                                                                          "total": 451}
    get("param-count").verify(question)


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


def test_batch_norm_and_shortcut_misconceptions_are_named():
    def named(text, network):
        return exercises.answer("param-count", "total", text, network=network)["misconception"]

    bn = {"vgg11_bn": 2 * (64 + 128 + 2 * 256 + 4 * 512)}  # what its batch norms learn
    assert named(str(PUBLISHED["vgg11_bn"].params + bn["vgg11_bn"]), "vgg11_bn") == "running-stats-counted"
    assert named(str(PUBLISHED["vgg11_bn"].params - bn["vgg11_bn"]), "vgg11_bn") == "batchnorm-forgotten"
    projections = (64 * 128 + 256) + (128 * 256 + 512) + (256 * 512 + 1024)  # 1x1 convs and their bns
    assert named(str(PUBLISHED["resnet18"].params - projections), "resnet18") == "shortcut-forgotten"
    per_layer = answers(network="resnet18")["per_layer"]
    for index, (inputs, outputs) in zip((5, 7, 9), ((64, 128), (128, 256), (256, 512)), strict=True):
        per_layer[index] -= inputs * outputs + 2 * outputs  # layer2.0, layer3.0, layer4.0 without their shortcuts
    result = exercises.answer("param-count", "per_layer", str(per_layer), network="resnet18")
    assert result["misconception"] == "shortcut-forgotten" and "projection" in result["feedback"]


def test_connection_table_text_counts_maps_from_zero():
    text = render_question(exercises.generate("param-count", network="lenet5"), "md")
    assert "output maps 0, 1, 2, ... (numbered from 0)" in text and "maps 1, 2," not in text


@pytest.mark.parametrize("network", ["vgg19_bn", "resnet50", "resnet34"])
def test_long_stacks_get_a_readable_solution(network):
    """A table row per layer, or per run of identical layers (or layer-and-batch-norm groups)."""
    question = exercises.generate("param-count", network=network)
    for fmt in ("md", "tex", "typ"):
        assert len(render_question(question, fmt, solution=True).encode()) < 24_000, fmt
    rows = [line for line in render_question(question, "md", solution=True).splitlines() if line.startswith("| (")]
    assert len(rows) <= 30


def test_a_stack_of_200_layers():
    """Accepted, and asked for its total only (a list of 200 numbers is no question), with all the points."""
    layers = [{"type": "conv", "kernel": 1, "out": 2}] * 200
    question = exercises.generate("param-count", layers=layers, input_channels=2, input_size=4)
    assert question.part_ids == ["total"] and question.parts[0].points == 3
    assert question.to_json()["parts"][0]["answer"] == 200 * (2 * 2 + 2)
    get("param-count").verify(question)
    assert exercises.generate("param-count", network="vgg19_bn").part_ids == ["per_layer", "total"]  # 40 layers
    assert len(render_question(question, "md", solution=True).encode()) < 12_000


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
    assert layer.param_count() == layer.tensor_entries()


def test_flattened_inputs_by_walking_windows():
    layers = parse_layers([{"type": "conv", "in": 1, "out": 6, "kernel": 5}, {"type": "pool", "kernel": 2},
                           {"type": "conv", "in": 6, "out": 16, "kernel": 5}, {"type": "pool", "kernel": 2},
                           {"type": "dense", "in": 400, "out": 120}, {"type": "dense", "in": 120, "out": 84}])
    assert flattened_inputs(layers, 1, 32) == [None, None, None, None, 16 * 5 * 5, 120]


def test_verifier_checks_the_published_total(monkeypatch):
    """The key agrees with the tensor count, but not with a (wrongly) published figure: the verifier fails."""
    from exercises.topics import networks

    question = exercises.generate("param-count", network="resnet50")
    get("param-count").verify(question)
    monkeypatch.setitem(networks.PUBLISHED, "resnet50", networks.Published(25_557_033))
    with pytest.raises(AssertionError, match="published for resnet50"):
        get("param-count").verify(question)


@pytest.mark.parametrize("part", ["per_layer", "total"])
def test_verifier_catches_a_wrong_key(part):
    question = exercises.generate("param-count", network="lenet5")
    index = question.part_ids.index(part)
    value = question.parts[index].answer.value
    wrong = Vector(value=[v + 1 for v in value]) if part == "per_layer" else Integer(value=value + 1)
    with pytest.raises(AssertionError):
        get("param-count").verify(with_answer(question, part, wrong))


def test_no_plural_after_one():
    layers = [{"type": "conv", "in": 1, "out": 1, "kernel": 1}, {"type": "batchnorm"},
              {"type": "subsample", "kernel": 1}, {"type": "dense", "out": 1}]
    question = exercises.generate("param-count", layers=layers, input_size=1)
    text = render_question(question, "md", solution=True)
    assert not re.search(r"(?<![\d.])1 (numbers|units|channels|maps|connections|output channels)\b", text), text
    assert "of 1 channel" in text and "1 map," in text and "1 unit" in text
    single = exercises.generate("param-count", layers=[{"type": "conv", "in": 2, "out": 3, "kernel": 1}])
    assert "a list of 1 number," in render_question(single, "md")
