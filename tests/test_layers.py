"""The layer-stack model: parsing and its messages, named networks against published figures,
output sizes against window enumeration, shape inference."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises.params import ParamError
from exercises.topics.layers import (
    LayerStack,
    feature_sizes,
    infer_shapes,
    layers_to_data,
    output_size,
    param_count,
    parse_layers,
    receptive_fields,
    transposed_output_size,
)
from exercises.topics.networks import NETWORKS


def windows(n, kernel, stride, padding, dilation):
    """Count window start positions that fit in the padded input, one by one."""
    span = dilation * (kernel - 1) + 1
    return sum(1 for start in range(0, n + 2 * padding, stride) if start + span <= n + 2 * padding)


def test_lenet5_connection_table_is_the_papers(lecture):
    c3 = next(layer for layer in NETWORKS["lenet5"].layers if layer.name == "C3")
    assert [list(row) for row in c3.connections] == lecture["param_count"][0]["c3_connections"]


def test_lenet5_parameters_and_feature_maps_match_the_lecture(lecture):
    case = lecture["param_count"][0]
    lenet = NETWORKS["lenet5"]
    layers, shapes = infer_shapes(lenet.layers, lenet.input_channels, (32, 32))
    assert {layer.name: param_count(layer) for layer in layers} == case["per_layer"]
    for layer, shape in zip(layers, shapes, strict=True):
        maps, _, size = str(case["feature_maps"][layer.name]).partition("@")
        expected = (int(maps), *map(int, size.split("x"))) if size else (int(maps), 1, 1)
        assert shape == expected, layer.name


@pytest.mark.parametrize(("network", "published"), [("alexnet", 61_100_840), ("vgg16", 138_357_544)])
def test_torchvision_networks_match_published_parameter_counts(network, published):
    net = NETWORKS[network]
    layers, shapes = infer_shapes(net.layers, net.input_channels, (net.input_size, net.input_size))
    assert sum(param_count(layer) for layer in layers) == published


@pytest.mark.parametrize(("network", "field"), [("alexnet", 195), ("vgg16", 212)])
def test_published_receptive_fields(network, field):
    # Araujo, Norris and Sim, "Computing receptive fields of convolutional neural networks", Distill 2019.
    layers = NETWORKS[network].layers
    assert receptive_fields(layers)[-1][0] == field


def test_feature_sizes_of_alexnet_are_the_known_ones():
    assert [size[0] for size in feature_sizes(NETWORKS["alexnet"].layers[:8], (224, 224))] == \
        [55, 27, 27, 13, 13, 13, 13, 6]


def test_defaults_and_default_names():
    layers = parse_layers([{"type": "conv", "kernel": 3}, {"type": "pool", "kernel": 3},
                           {"type": "conv", "kernel": [3, 5], "name": "C3"}, {"type": "dense", "out": 10}])
    assert [layer.name for layer in layers] == ["conv1", "pool1", "C3", "dense1"]
    conv, pool, rect, _ = layers
    assert (conv.stride, conv.padding, conv.dilation, conv.groups, conv.bias) == (1, 0, 1, 1, True)
    assert pool.stride == 3 and rect.kernel == (3, 5)


@pytest.mark.parametrize(("data", "message"), [
    ([{"type": "conv", "kernel": 3}, {"type": "pool", "kernel": 2}, {"type": "conv", "kernel": "x"}],
     r"layers\[2\] \(conv\): kernel must be a positive integer or \[kh, kw\].*got 'x'"),
    ([{"type": "conv", "kernel": 3, "strides": 2}], r"layers\[0\] \(conv\): unknown key 'strides' "
                                                    r"\(did you mean 'stride'\?\)"),
    ([{"type": "convolution", "kernel": 3}], r"layers\[0\]: type 'convolution' \(did you mean 'conv'\?\)"),
    ([{"kernel": 3}], r"layers\[0\]: no type; type must be one of conv, pool"),
    ([{"type": "pool"}], r"layers\[0\] \(pool\): kernel is missing"),
    ([{"type": "conv", "kernel": 3, "name": "a"}, {"type": "conv", "kernel": 3, "name": "a"}],
     r"layers\[1\] \(conv\): name 'a' is already used by layers\[0\]"),
    ([{"type": "dense", "out": 4}, {"type": "conv", "kernel": 3}],
     r"layers\[1\] \(conv\): comes after the dense layer layers\[0\]"),
    ([{"type": "pool", "kernel": 2, "padding": 2}], r"layers\[0\] \(pool\): padding 2 is more than half"),
    ([{"type": "conv", "kernel": 3, "in": 6, "out": 2, "connections": [[0, 1]]}],
     r"connection table has 1 rows but out is 2"),
    ([{"type": "conv", "kernel": 3, "in": 2, "out": 1, "connections": [[0, 2]]}], r"uses input map 2 but in is 2"),
    ([{"type": "conv", "kernel": 3, "in": 6, "out": 4, "groups": 4}], r"in 6 is not divisible by groups 4"),
    ([{"type": "conv", "kernel": 3, "bias": "yes"}], r"bias must be true or false"),
    ([3], r"layers\[0\] must be a mapping"),
    ([], r"layers must be a non-empty list"),
])
def test_bad_layers_are_named_clearly(data, message):
    with pytest.raises(ParamError, match=message):
        parse_layers(data)


def test_layer_stack_param_uses_the_parameter_name():
    with pytest.raises(ParamError, match=r"^layers\[0\] \(pool\): kernel is missing"):
        LayerStack().check("layers", [{"type": "pool"}])


layer_data = st.one_of(
    st.fixed_dictionaries({"type": st.just("conv"), "kernel": st.integers(1, 5)},
                          optional={"stride": st.integers(1, 3), "padding": st.integers(0, 2),
                                    "dilation": st.integers(1, 3), "out": st.integers(1, 8),
                                    "bias": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("pool"), "kernel": st.integers(2, 3)},
                          optional={"stride": st.integers(1, 3)}),
    st.fixed_dictionaries({"type": st.just("batchnorm")}),
)


@given(st.lists(layer_data, min_size=1, max_size=6))
def test_canonical_data_parses_back_to_the_same_layers(data):
    layers = parse_layers(data)
    assert parse_layers(layers_to_data(layers)) == layers
    assert layers_to_data(parse_layers(layers_to_data(layers))) == layers_to_data(layers)


@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
def test_output_size_counts_the_windows(n, kernel, stride, padding, dilation):
    assert output_size(n, kernel, stride, padding, dilation) == windows(n, kernel, stride, padding, dilation)


def test_output_size_known_values():
    assert [output_size(n, 6) for n in (16, 11, 6)] == [11, 6, 1]  # the book's figure 9.13
    assert output_size(112, 3, 2, ceil_mode=True) == 56  # GoogLeNet's first pool (ceil_mode=True)
    assert output_size(112, 3, 2) == 55
    assert output_size(5, 2, 2, padding=1, ceil_mode=True) == 3  # the last window would start in the padding
    assert transposed_output_size(16, 4, stride=2, padding=1) == 32  # the usual "double the size" layer
    assert transposed_output_size(7, 3, stride=2, padding=1, output_padding=1) == 14


def test_shape_inference_fills_in_and_checks():
    data = [{"type": "conv", "kernel": 5, "out": 6}, {"type": "pool", "kernel": 2},
            {"type": "batchnorm"}, {"type": "dense", "out": 10}]
    layers, shapes = infer_shapes(parse_layers(data), 3, (14, 14))
    assert layers[0].inputs == 3 and layers[2].channels == 6
    assert layers[3].inputs == 6 * 5 * 5 and shapes[-1] == (10, 1, 1)
    with pytest.raises(ParamError, match=r"layers\[1\] \(conv\) conv2: in is 4 but it gets 6 channels"):
        infer_shapes(parse_layers([{"type": "conv", "kernel": 3, "out": 6},
                                   {"type": "conv", "kernel": 3, "in": 4, "out": 2}]), 1, (8, 8))
    with pytest.raises(ParamError, match=r"layers\[0\] \(conv\) conv1: out is missing"):
        infer_shapes(parse_layers([{"type": "conv", "kernel": 3}]), 1, (8, 8))
    with pytest.raises(ParamError, match=r"does not fit the 2x2 feature map"):
        infer_shapes(parse_layers([{"type": "conv", "kernel": 3, "out": 1}, {"type": "conv", "kernel": 3, "out": 1}]),
                     1, (4, 4))
    with pytest.raises(ParamError, match=r"in is missing and cannot be inferred"):
        infer_shapes(parse_layers([{"type": "dense", "out": 3}]), None, None)
