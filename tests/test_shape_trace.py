"""shape-trace: LeNet-5's feature maps, torchvision's AlexNet, a hand-worked rectangular stack with dilation and
floor rounding, misconceptions per layer, bad pins, the verifier (the stack run on numbers) over many seeds,
the same part ids for every sampled variant, and flatten layers in the shared layer model."""

import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.layers import infer_shapes, layers_to_data, parse_layers
from exercises.topics.networks import NETWORKS
from exercises.topics.shape_trace import trace
from grader import Tuple

RECTANGLE = {
    "input_channels": 3, "input_size": [30, 21],
    "layers": [{"type": "conv", "out": 8, "kernel": 3, "dilation": 2, "padding": 1},
               {"type": "pool", "kernel": 3, "stride": 2, "padding": 1},
               {"type": "conv", "out": 6, "kernel": 5, "stride": 2},
               {"type": "flatten"}, {"type": "dense", "out": 10}],
}


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("shape-trace", **params).to_json()["parts"]}


def test_lenet5_feature_maps_are_the_lectures(lecture):
    maps = lecture["param_count"][0]["feature_maps"]
    expected = []
    for text in maps.values():
        channels, _, size = str(text).partition("@")
        expected.append([int(channels), *map(int, size.split("x"))] if size else int(channels))
    assert list(answers(network="lenet5").values()) == expected


def test_alexnet_as_in_torchvision():
    got = list(answers(network="alexnet").values())
    assert got == [[64, 55, 55], [64, 27, 27], [192, 27, 27], [192, 13, 13], [384, 13, 13], [256, 13, 13],
                   [256, 13, 13], [256, 6, 6], 4096, 4096, 1000]


def test_resnet18_as_in_torchvision():
    """torchvision's resnet18 at 224 x 224: conv1 and the max pool halve twice, stages 2-4 halve once each;
    a residual block is one layer (its answer is the sum's shape); global pooling leaves 512 numbers."""
    got = list(answers(network="resnet18").values())
    assert got == [[64, 112, 112], [64, 112, 112], [64, 56, 56], [64, 56, 56], [64, 56, 56], [128, 28, 28],
                   [128, 28, 28], [256, 14, 14], [256, 14, 14], [512, 7, 7], [512, 7, 7], 512, 1000]
    question = exercises.generate("shape-trace", network="resnet18")
    get("shape-trace").verify(question)
    block = question.part("layer6").solution[0]
    assert "the shortcut {short}" in block.text and "the two are added" in block.text
    assert "one mean per map: 512 numbers" in question.part("layer12").solution[0].text


@pytest.mark.parametrize("network", list(NETWORKS))
def test_named_networks_end_with_their_classes(network):
    """The trace of every named network ends with its classes (LeNet-5's F6: 84 units), a vector once the maps
    have ended."""
    layers, _, after = trace({"network": network})
    assert after[-1] == ((84 if network == "lenet5" else 1000), 1, 1)
    end = next(i for i, layer in enumerate(layers) if layer.ends_spatial)
    assert all(min(shape) >= 1 for shape in after[:end])


@pytest.mark.parametrize("network", ["googlenet", "inception_v3", "densenet121", "convnext_tiny"])
def test_long_networks_trace_and_verify(network):
    question = exercises.generate("shape-trace", network=network)
    get("shape-trace").verify(question)
    last = question.part(question.part_ids[-1])
    assert last.answer.value == 1000 and "How many numbers" in last.prompt.text


def test_global_pooling_then_flatten():
    """As torchvision writes a ResNet's head: global pooling, flatten (of C numbers), dense."""
    stack = {"input_channels": 2, "input_size": 9, "layers": [
        {"type": "conv", "out": 5, "kernel": 3, "stride": 2}, {"type": "globalpool"}, {"type": "flatten"},
        {"type": "dense", "out": 3}]}
    assert answers(**stack) == {"layer1": [5, 4, 4], "layer2": 5, "layer3": 5, "layer4": 3}
    get("shape-trace").verify(exercises.generate("shape-trace", **stack))


def test_hand_worked_rectangle():
    # conv 3, dilation 2, padding 1: 30 + 2 - 4 - 1 + 1 = 28, 21 + 2 - 4 = 19 -> 8 x 28 x 19
    # pool 3/2, padding 1: floor(27 / 2) + 1 = 14, floor(18 / 2) + 1 = 10 -> 8 x 14 x 10
    # conv 5/2: floor(9 / 2) + 1 = 5, floor(5 / 2) + 1 = 3 -> 6 x 5 x 3; flatten 90; dense 10
    assert answers(**RECTANGLE) == {"layer1": [8, 28, 19], "layer2": [8, 14, 10], "layer3": [6, 5, 3],
                                    "layer4": 90, "layer5": 10}


@pytest.mark.parametrize(("part", "text", "mistake"), [
    ("layer1", "(8, 26, 17)", "padding-forgotten"),
    ("layer1", "(8, 30, 21)", "dilation-ignored"),
    ("layer1", "(3, 28, 19)", "channels-unchanged"),
    ("layer3", "(6, 4, 2)", "off-by-one"),
    ("layer2", "(8, 15, 10)", "ceil-vs-floor"),
    ("layer2", "8 x 28 x 19", "stride-ignored"),
    ("layer2", "(8, 14, 9)", "padding-one-side"),
    ("layer3", "(6, 6, 4)", "ceil-vs-floor"),
    ("layer4", "15", "flatten-channels-forgotten"),
    ("layer4", "14", "flatten-summed"),
    ("layer5", "90", "dense-gave-inputs"),
    ("layer1", "(28, 19, 8)", "channels-last"),
    ("layer3", "[5, 3, 6]", "channels-last"),
])
def test_misconceptions_are_named(part, text, mistake):
    result = exercises.answer("shape-trace", part, text, **RECTANGLE)
    assert result["status"] != "correct" and result["misconception"] == mistake


def test_channels_last_never_equals_the_key():
    from exercises.topics.shape_trace import channels_last

    assert channels_last((8, 8, 8)) is None and channels_last((4, 4, 2)) == (4, 2, 4)
    for seed in range(40):
        for part in exercises.generate("shape-trace", seed=seed).parts:
            assert all(m.value != part.answer.value for m in part.answer.misconceptions), (seed, part.id)
            if part.answer.kind == "tuple" and len(set(part.answer.value)) > 1:
                assert "channels-last" in {m.id for m in part.answer.misconceptions}, (seed, part.id)


def test_a_partly_right_shape_gets_partial_credit():
    result = exercises.answer("shape-trace", "layer3", "(6, 5, 4)", **RECTANGLE)
    assert result["status"] == "partial" and "width" in result["feedback"]


@pytest.mark.parametrize(("pinned", "message"), [
    ({"layers": [{"type": "conv", "out": 2, "kernel": 3}], "input_channels": 1}, "pin input_size too"),
    ({"input_size": [0, 3]}, r"input_size must be a size from 1 to 512 \(height = width\) or \[height, width\]"),
    ({"network": "lenet5", "input_channels": 3}, "has its own input size and channels"),
    ({"layers": [{"type": "conv", "out": 2, "kernel": 7}], "input_channels": 1, "input_size": 5},
     "does not fit the 5x5"),
    ({"layers": [{"type": "flatten"}, {"type": "conv", "out": 2, "kernel": 1}], "input_channels": 1,
      "input_size": 5}, r"layers\[1\] \(conv\): comes after the flatten layer layers\[0\]"),
    ({"layers": [{"type": "dense", "out": 2}, {"type": "flatten"}], "input_channels": 1, "input_size": 5},
     r"layers\[1\] \(flatten\): comes after the dense layer"),
    ({"layers": [{"type": "flatten"}, {"type": "flatten"}], "input_channels": 1, "input_size": 5},
     r"layers\[1\] \(flatten\): comes after the flatten layer layers\[0\], whose output is a vector already"),
    ({"layers": [{"type": "flatten"}, {"type": "globalpool"}], "input_channels": 1, "input_size": 5},
     r"layers\[1\] \(globalpool\): comes after the flatten layer"),
    ({"layers": [{"type": "flatten", "out": 3}], "input_channels": 1, "input_size": 5},
     r"unknown key 'out'; flatten keys: name"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("shape-trace", **pinned)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("shape-trace").verify(exercises.generate("shape-trace", seed=seed))


def test_verifier_catches_a_wrong_key():
    question = exercises.generate("shape-trace", **RECTANGLE)
    with pytest.raises(AssertionError, match="layer 2"):
        get("shape-trace").verify(with_answer(question, "layer2", Tuple(value=(8, 15, 10))))


def test_samples_have_the_same_parts_and_varied_answers():
    """Every variant asks layer1 ... layer5 (the answer sheet has one column per part), the four window layers
    are pleasant, and each part's key varies from student to student."""
    keys: dict[str, set] = {}
    settings_seen = set()
    for seed in range(200):
        question = exercises.generate("shape-trace", seed=seed)
        assert question.part_ids == ["layer1", "layer2", "layer3", "layer4", "layer5"]
        assert question.part("layer5").answer.kind == "integer"
        for part in question.parts:
            keys.setdefault(part.id, set()).add(str(part.answer.expected_json()))
        for layer in parse_layers(question.params["layers"])[:4]:
            settings_seen |= {name for name in ("stride", "padding", "dilation")
                              if getattr(layer, name) != (0 if name == "padding" else 1)}
            assert layer.type in ("conv", "pool")
        assert all(min(part.answer.value[1:]) >= 2 for part in question.parts[:4])
    assert settings_seen == {"stride", "padding", "dilation"}
    assert all(len(values) >= 100 for values in keys.values()), {k: len(v) for k, v in keys.items()}


def test_flatten_counts_in_the_other_stack_templates():
    """A flatten layer has no parameters; the dense layer after it gets the flattened size as its input."""
    stack = [{"type": "conv", "out": 4, "kernel": 3}, {"type": "flatten"}, {"type": "dense", "out": 2}]
    layers, shapes = infer_shapes(parse_layers(stack), 1, (6, 6))
    assert shapes == [(4, 4, 4), (64, 1, 1), (2, 1, 1)] and layers[2].inputs == 64
    question = exercises.generate("param-count", layers=stack, input_channels=1, input_size=6)
    assert question.to_json()["parts"][0]["answer"] == [40, 0, 130]
    get("param-count").verify(question)
    assert layers_to_data(parse_layers(stack)) == stack  # the YAML form round-trips
    table = question.solution[0]
    assert [row[2].text for row in table.rows][1] == "64 numbers"  # the flatten row's output: a vector
    with pytest.raises(ParamError, match="at or after the flatten layer flatten1"):
        exercises.generate("receptive-field", layers=stack, unit="flatten1")
    assert exercises.generate("receptive-field", layers=stack).params["unit"] == "conv1"
