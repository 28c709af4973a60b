"""The layers of the architectures lecture that are not blocks: grouped and depthwise convolution through every
rule, the transposed convolution, squeeze-and-excitation, channel shuffle, layer norm and layer scale, dropout
and stochastic depth, average pooling, PyTorch's ceil_mode and [height, width] padding. Each rule against a
hand count or an independent computation, and the misconceptions the templates name for them."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.plain import plain_text
from exercises.topics.connections import connections, counted_connections
from exercises.topics.layers import (
    describe_stack,
    infer_shapes,
    layers_to_data,
    output_size,
    parse_layers,
    receptive_fields,
    transposed_output_size,
)
from exercises.topics.receptive_field import dependency_positions


def one(data, channels=None, size=None):
    layers, shapes = infer_shapes(parse_layers([data]), channels, size)
    return layers[0], shapes[0]


# -- grouped and depthwise convolution -------------------------------------------------------------------


def test_groups_carry_through_every_rule():
    conv, shape = one({"type": "conv", "kernel": 3, "out": 12, "groups": 4}, 8, (5, 5))
    assert conv.param_count() == conv.tensor_entries() == 12 * (8 // 4) * 9 + 12
    assert conv.weight_shapes()[0] == (12, 2, 3, 3)
    assert conv.fan_in((8, 5, 5)) == [2 * 9] * 12  # each unit reads its group's 2 maps
    assert connections(conv, (8, 5, 5), shape) == counted_connections(conv, (8, 5, 5)) == 12 * 9 * (18 + 1)
    out = conv.reads(np.ones((8, 5, 5), dtype=np.int64) * np.arange(1, 9)[:, None, None])
    assert out[0, 1, 1] == 9 * (1 + 2) and out[11, 1, 1] == 9 * (7 + 8)  # group 0 reads maps 0-1, group 3 maps 6-7
    assert "4 groups" in describe_stack((conv,))[0].text
    assert receptive_fields((conv,)) == [(3, 1)]
    depthwise, _ = one({"type": "conv", "kernel": 3, "out": 8, "groups": 8}, 8, (5, 5))
    assert depthwise.param_count() == 8 * 9 + 8
    assert "8 groups (depthwise)" in describe_stack((depthwise,))[0].text
    text, math = depthwise.counting()
    assert text.startswith("depthwise, each filter sees 1 input channel (its own)")


def test_grouped_reads_match_the_dense_weights():
    """The fast path of a grouped convolution on ones against its explicit 0/1 weight tensor."""
    conv, _ = one({"type": "conv", "kernel": 3, "out": 6, "groups": 3}, 6, (7, 7))
    x = np.random.default_rng(1).integers(0, 5, (6, 7, 7))
    explicit = np.einsum("cyxij,ocij->oyx", conv.slide(x), conv.ones(6))
    assert np.array_equal(conv.reads(x), explicit)


def test_misconception_counting_a_depthwise_convolution_as_full():
    params = {"layers": [{"type": "conv", "kernel": 3, "out": 8}, {"type": "conv", "kernel": 3, "out": 8, "groups": 8}],
              "input_channels": 1, "input_size": 8}
    full = 8 * 8 * 9 + 8
    assert exercises.answer("param-count", "total", str(80 + full), **params)["misconception"] == "groups-ignored"
    assert exercises.answer("param-count", "total", str(80 + 80), **params)["status"] == "correct"


# -- transposed convolution ------------------------------------------------------------------------------


def forward_matrix(m, kernel, stride, padding, dilation):
    """The 0/1 matrix of a forward convolution from m positions (rows: its outputs)."""
    rows = []
    for start in range(0, m + 2 * padding - dilation * (kernel - 1), stride):
        row = np.zeros(m, dtype=np.int64)
        for t in range(kernel):
            if 0 <= start - padding + t * dilation < m:
                row[start - padding + t * dilation] = 1
        rows.append(row)
    return np.array(rows)


@given(st.integers(2, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2), st.integers(1, 2), st.data())
def test_transposed_convolution_is_the_transpose_of_the_forward_matrix(n, kernel, stride, padding, dilation, data):
    """On ones, the transposed layer (one channel) gives M^T · ones · M, M the forward convolution's matrix from
    the transposed layer's output size (output_padding picks that size among those the forward maps to n)."""
    extra = data.draw(st.integers(0, max(stride, dilation) - 1))
    m = transposed_output_size(n, kernel, stride, padding, dilation, extra)
    if m < 1 or output_size(m, kernel, stride, padding, dilation) != n:
        return
    layer, shape = one({"type": "transposed", "kernel": kernel, "stride": stride, "padding": padding,
                        "dilation": dilation, "output_padding": extra, "out": 1}, 1, (n, n))
    assert shape == (1, m, m)
    matrix = forward_matrix(m, kernel, stride, padding, dilation)
    assert matrix.shape == (n, m)
    assert np.array_equal(layer.reads(np.ones((1, n, n), dtype=np.int64))[0], matrix.T @ np.ones((n, n)) @ matrix)


def test_transposed_parameters_shapes_and_words():
    layer, shape = one({"type": "transposed", "kernel": 4, "stride": 2, "padding": 1, "out": 16}, 32, (7, 7))
    assert shape == (16, 14, 14) and layer.param_count() == layer.tensor_entries() == 32 * 16 * 16 + 16
    assert layer.weight_shapes()[0] == (32, 16, 4, 4)  # PyTorch's (in, out / groups, k, k)
    grouped, _ = one({"type": "transposed", "kernel": 3, "out": 8, "groups": 4}, 8, (5, 5))
    assert grouped.param_count() == 8 * 2 * 9 + 8
    text, math = layer.shape_steps((32, 7, 7), shape)
    assert "(n − 1)s − 2p + d(k − 1) + output_padding + 1" in text
    assert "transposed convolution, kernel" in describe_stack((layer,))[0].text
    assert parse_layers(layers_to_data((layer,))) == (layer,)


def test_transposed_receptive_fields_at_stride_one_and_refused_beyond():
    layers = parse_layers([{"type": "conv", "kernel": 3, "stride": 2}, {"type": "transposed", "kernel": 3,
                                                                         "padding": 1}])
    seen, neighbour = dependency_positions(layers, 4), dependency_positions(layers, 5)
    assert receptive_fields(layers)[-1] == (max(seen) - min(seen) + 1, min(neighbour) - min(seen)) == (7, 2)
    with pytest.raises(ParamError, match=r"a transposed convolution with stride 2 gives neighbouring units different "
                                         r"numbers of inputs \(the checkerboard\)"):
        receptive_fields(parse_layers([{"type": "transposed", "kernel": 3, "stride": 2}]))


@pytest.mark.parametrize(("data", "message"), [
    ({"type": "transposed", "kernel": 3, "stride": 2, "output_padding": 2},
     r"output_padding 2 must be less than the stride 2 or the dilation 1"),
    ({"type": "transposed", "kernel": 3, "out": 6, "groups": 4}, r"out 6 is not divisible by groups 4"),
    ({"type": "transposed"}, r"kernel is missing"),
])
def test_bad_transposed_layers(data, message):
    with pytest.raises(ParamError, match=message):
        parse_layers([data])


def test_misconceptions_of_the_transposed_size():
    params = {"layers": [{"type": "transposed", "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1,
                          "out": 4}], "input_channels": 2, "input_size": 7}
    assert exercises.answer("shape-trace", "layer1", "(4, 14, 14)", **params)["status"] == "correct"
    assert exercises.answer("shape-trace", "layer1", "(4, 4, 4)", **params)["misconception"] == "transposed-as-forward"
    assert exercises.answer("shape-trace", "layer1", "(4, 13, 13)", **params)["misconception"] == \
        "output-padding-forgotten"
    get("shape-trace").verify(exercises.generate("shape-trace", **params))


# -- channel-wise layers ---------------------------------------------------------------------------------


def test_squeeze_and_excitation():
    layer, shape = one({"type": "se", "squeeze": 6}, 24, (5, 5))
    assert shape == (24, 5, 5) and layer.channels == 24
    assert layer.param_count() == layer.tensor_entries() == 2 * 24 * 6 + 6 + 24 and layer.biases() == 30
    assert receptive_fields(parse_layers([{"type": "conv", "kernel": 3}, {"type": "se", "squeeze": 2}]))[-1] == (3, 1)
    gated = parse_layers([{"type": "se", "squeeze": 2, "gate": "hardsigmoid"}])
    assert "hardsigmoid gate" in describe_stack(gated)[0].text
    with pytest.raises(ParamError, match=r"gate must be one of sigmoid, hardsigmoid, got 'relu'"):
        parse_layers([{"type": "se", "squeeze": 2, "gate": "relu"}])
    with pytest.raises(ParamError, match=r"squeeze is missing"):
        parse_layers([{"type": "se"}])
    params = {"layers": [{"type": "conv", "kernel": 1, "out": 8}, {"type": "se", "squeeze": 2}],
              "input_channels": 1, "input_size": 4}
    assert exercises.answer("param-count", "total", "16", **params)["misconception"] == "se-forgotten"
    assert exercises.answer("param-count", "total", str(16 + 42), **params)["status"] == "correct"


def test_channel_shuffle_interleaves_the_groups():
    layer, shape = one({"type": "shuffle", "groups": 3}, 6, (2, 2))
    x = np.arange(6)[:, None, None] * np.ones((1, 2, 2), dtype=np.int64)
    assert list(layer.reads(x)[:, 0, 0]) == [0, 2, 4, 1, 3, 5] and layer.param_count() == 0
    with pytest.raises(ParamError, match=r"7 channels do not split into 3 groups"):
        one({"type": "shuffle", "groups": 3}, 7, (2, 2))


def test_layer_norm_and_layer_scale():
    norm, _ = one({"type": "layernorm"}, 96, (7, 7))
    scale, _ = one({"type": "layerscale"}, 96, (7, 7))
    assert (norm.param_count(), scale.param_count()) == (2 * 96, 96)
    assert norm.tensor_entries() == 192 and scale.tensor_entries() == 96
    params = {"layers": [{"type": "conv", "kernel": 3, "out": 4}, {"type": "layernorm"}],
              "input_channels": 1, "input_size": 5}
    assert exercises.answer("param-count", "total", str(40 + 2 * 4 * 3 * 3), **params)["misconception"] == \
        "layernorm-over-positions"


def test_dropout_and_stochastic_depth_learn_nothing():
    layers, shapes = infer_shapes(parse_layers([
        {"type": "residual", "main": [{"type": "conv", "kernel": 3, "padding": 1, "out": 3}, {"type": "droppath",
                                                                                             "p": 0.1}]},
        {"type": "globalpool"}, {"type": "dropout", "p": 0.2}, {"type": "dense", "out": 2}]), 3, (4, 4))
    assert [layer.param_count() for layer in layers] == [84, 0, 0, 8]
    assert shapes[2] == (3, 1, 1)
    assert "stochastic depth with p = 0.1" in plain_text(describe_stack(layers)[0])
    with pytest.raises(ParamError, match=r"p must be a probability from 0 to below 1, got 1.5"):
        parse_layers([{"type": "dropout", "p": 1.5}])
    question = exercises.generate("shape-trace", layers=layers_to_data(layers), input_channels=3, input_size=4)
    assert question.part("layer3").answer.value == 3  # a vector: its length
    get("shape-trace").verify(question)


# -- pooling: average, ceil_mode, padding per axis ---------------------------------------------------------


def test_ceil_mode_rounds_up_as_pytorch():
    pool, shape = one({"type": "pool", "kernel": 3, "stride": 2, "ceil_mode": True}, 4, (112, 112))
    assert shape == (4, 56, 56) and pool.reads(np.ones((4, 112, 112), dtype=np.int64)).shape == (4, 56, 56)
    params = {"layers": [{"type": "pool", "kernel": 3, "stride": 2, "ceil_mode": True}], "input_channels": 1,
              "input_size": 112}
    assert exercises.answer("shape-trace", "layer1", "(1, 55, 55)", **params)["misconception"] == "ceil-mode-ignored"
    question = exercises.generate("shape-trace", **params)
    get("shape-trace").verify(question)
    assert "rounds up instead" in question.statement[-1].text


def test_average_pooling_and_padding_per_axis():
    layer, shape = one({"type": "conv", "kernel": [1, 7], "padding": [0, 3], "out": 2}, 1, (5, 9))
    assert shape == (2, 5, 9) and layer.pads == (0, 3)
    assert layers_to_data((layer,))[0]["padding"] == [0, 3]
    assert parse_layers([{"type": "conv", "kernel": 3, "padding": [1, 1]}])[0].padding == 1
    avg, shape = one({"type": "avgpool", "kernel": 3, "stride": 1, "padding": 1}, 2, (5, 5))
    assert shape == (2, 5, 5) and avg.param_count() == 0
    assert describe_stack((avg,))[0].text.startswith("(1) avgpool1: average pooling, window")
    with pytest.raises(ParamError, match=r"padding must be an integer from 0 to 32 or \[height, width\]"):
        parse_layers([{"type": "conv", "kernel": 3, "padding": [1, 2, 3]}])
    with pytest.raises(ParamError, match=r"padding 0 \(height\), 2 \(width\) is more than half"):
        parse_layers([{"type": "pool", "kernel": [3, 3], "stride": 1, "padding": [0, 2]}])
