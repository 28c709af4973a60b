"""receptive-field: the lecture's cases, misconceptions, bad pins, sampler, verifier."""


import pytest
from conftest import with_answer
from hypothesis import given, settings
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.topics.layers import parse_layers, receptive_fields
from exercises.topics.receptive_field import dependency_positions
from grader import Integer


def answers(**params):
    return {p["id"]: p["answer"] for p in exercises.generate("receptive-field", **params).to_json()["parts"]}


def test_lecture_cases(lecture):
    for case in lecture["receptive_field"]:
        pinned = {key: case[key] for key in ("layers", "network", "unit") if key in case}
        assert answers(**pinned)["size"] == case["size"]
    assert answers(network="lenet5", unit="S4")["stride"] == 4  # "effective stride 4" in the lecture's note


def test_hand_worked_stack():
    # conv 3 (r 3, j 1), pool 2/2 (r 4, j 2), conv 3 dilation 2 (r 4 + 2*2*2 = 12, j 2), conv 5/3 (12 + 4*2 = 20, j 6)
    layers = [{"type": "conv", "kernel": 3}, {"type": "pool", "kernel": 2},
              {"type": "conv", "kernel": 3, "dilation": 2, "padding": 2}, {"type": "conv", "kernel": 5, "stride": 3}]
    assert answers(layers=layers) == {"size": 20, "stride": 6}
    assert answers(layers=layers, unit=2) == {"size": 4, "stride": 2}
    assert answers(layers=layers, unit="conv2") == {"size": 12, "stride": 2}


def test_default_unit_is_the_last_layer_before_the_dense_part():
    question = exercises.generate("receptive-field", network="lenet5")
    assert question.params["unit"] == "C5" and question.to_json()["parts"][0]["answer"] == 32


def test_size_misconceptions_are_named():
    stack = [{"type": "conv", "kernel": 3, "stride": 2}, {"type": "conv", "kernel": 3}]  # r = 7
    named = {text: exercises.answer("receptive-field", "size", text, layers=stack)["misconception"]
             for text in ("5", "6", "8", "9")}
    assert named == {"5": "strides-ignored", "6": "summed-kernels", "8": "off-by-one-high",
                     "9": "multiplied-kernels"}
    lenet = {text: exercises.answer("receptive-field", "size", text, network="lenet5", unit="S4")["misconception"]
             for text in ("15", "14", "11", "100")}
    assert lenet == {"15": "off-by-one", "14": "summed-kernels", "11": "strides-ignored",
                     "100": "multiplied-kernels"}
    result = exercises.answer("receptive-field", "size", "11", network="lenet5", unit="S4")
    assert result["status"] == "incorrect" and "strides" in result["feedback"]


def test_stride_misconceptions_are_named():
    own = exercises.answer("receptive-field", "stride", "2", network="lenet5", unit="S4")
    summed = exercises.answer("receptive-field", "stride", "6", network="lenet5", unit="S4")
    assert own["misconception"] == "own-stride-only" and summed["misconception"] == "summed-strides"
    assert exercises.answer("receptive-field", "stride", "4", network="lenet5", unit="S4")["status"] == "correct"


@pytest.mark.parametrize(("pinned", "message"), [
    ({"network": "lenet5", "layers": [{"type": "conv", "kernel": 3}]}, "pin either layers or network, not both"),
    ({"network": "lenet5", "unit": "F6"}, "at or after the dense layer F6 .layer 6.: dense layers end"),
    ({"network": "lenet5", "unit": "S5"}, "unit 'S5' is not a layer of the stack .did you mean 'S4'"),
    ({"network": "lenet5", "unit": 9}, "unit 9 is not a layer number: the stack has layers 1 to 6"),
    ({"network": "resnet"}, "network must be one of lenet5, alexnet, vgg16"),
    ({"layers": [{"type": "conv", "kernel": [3, 5]}]}, r"layers\[0\] \(conv\) has a non-square kernel 3x5"),
    ({"layers": [{"type": "conv", "kernel": "x"}]}, r"layers\[0\] \(conv\): kernel must be a positive integer"),
    ({"layers": [{"type": "batchnorm"}]}, "no convolution or pooling"),
    ({"unit": 0}, "unit must be a layer name"),
])
def test_bad_pins_are_clear(pinned, message):
    with pytest.raises(ParamError, match=message):
        exercises.generate("receptive-field", **pinned)


def test_samples_are_pleasant():
    for seed in range(150):
        params = exercises.generate("receptive-field", seed=seed).params
        layers = parse_layers(params["layers"])
        assert 2 <= len(layers) <= 5 and layers[0].type == "conv"
        assert all(2 <= layer.kernel[0] <= 5 and layer.stride <= 2 for layer in layers)
        assert all(layer.kernel == (2, 2) and layer.stride == 2 for layer in layers if layer.type == "pool")
        assert any(layer.stride > 1 for layer in layers[:-1])  # strides matter: never degenerate
        assert receptive_fields(layers)[-1][0] <= 64 and params["unit"] == layers[-1].name


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**63))
def test_verifier_agrees_on_any_seed(seed):
    get("receptive-field").verify(exercises.generate("receptive-field", seed=seed))


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2)),
                min_size=1, max_size=5))
def test_closed_formula_matches_the_simulation(specs):
    layers = parse_layers([{"type": "conv", "kernel": k, "stride": s, "dilation": d, "padding": p}
                           for k, s, d, p in specs])
    seen = dependency_positions(layers, 3)
    neighbour = dependency_positions(layers, 4)
    assert receptive_fields(layers)[-1] == (max(seen) - min(seen) + 1, min(neighbour) - min(seen))


@pytest.mark.parametrize("part", ["size", "stride"])
def test_verifier_catches_a_wrong_key(part):
    question = exercises.generate("receptive-field", seed=5)
    wrong = Integer(value=question.part(part).answer.value + 1)
    with pytest.raises(AssertionError):
        get("receptive-field").verify(with_answer(question, part, wrong))
