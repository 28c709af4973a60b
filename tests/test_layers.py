"""The layer-stack model: parsing and its messages (residual blocks and global pooling too), output
sizes against window enumeration, receptive fields against back-projection, shape inference, limits.
Named networks against published figures: tests/test_networks.py."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from exercises.params import ParamError
from exercises.topics.layers import (
    MAX_LAYERS,
    LayerStack,
    count_layers,
    describe_stack,
    infer_shapes,
    layers_to_data,
    output_size,
    parse_layers,
    receptive_fields,
    transposed_output_size,
)
from exercises.topics.receptive_field import dependency_positions


def windows(n, kernel, stride, padding, dilation):
    """Count window start positions that fit in the padded input, one by one."""
    span = dilation * (kernel - 1) + 1
    return sum(1 for start in range(0, n + 2 * padding, stride) if start + span <= n + 2 * padding)


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
    ([{"type": "residual"}], r"layers\[0\] \(residual\): main is missing"),
    ([{"type": "residual", "main": []}], r"layers\[0\] \(residual\)\.main must be a non-empty list"),
    ([{"type": "residual", "main": [{"type": "dense", "out": 3}]}],
     r"layers\[0\] \(residual\)\.main\[0\] \(dense\): a block's paths hold only conv, pool"),
    ([{"type": "residual", "main": [{"type": "conv", "kernal": 3}]}],
     r"layers\[0\] \(residual\)\.main\[0\] \(conv\): unknown key 'kernal' \(did you mean 'kernel'\?\)"),
    ([{"type": "residual", "main": [{"type": "conv", "kernel": 1}], "shortcut": {"type": "conv"}}],
     r"layers\[0\] \(residual\)\.shortcut must be a list \(empty for the identity\)"),
    ([{"type": "conv", "kernel": 1, "name": "a"}, {"type": "residual", "main": [{"type": "conv", "kernel": 1,
                                                                                 "name": "a"}]}],
     r"layers\[1\] \(residual\)\.main\[0\] \(conv\): name 'a' is already used by layers\[0\]"),
    ([{"type": "globalpool"}, {"type": "conv", "kernel": 3}],
     r"layers\[1\] \(conv\): comes after the globalpool layer layers\[0\]"),
    ([{"type": "globalpool"}, {"type": "residual", "main": [{"type": "conv", "kernel": 3}]}],
     r"layers\[1\] \(residual\): comes after the globalpool layer"),
    ([{"type": "gap"}], r"type 'gap' \(did you mean 'globalpool'\?\)"),
    ([{"type": "conv", "kernel": 1}] * (MAX_LAYERS + 1), r"at most 200 layers .* got 201"),
    ([{"type": "residual", "main": [{"type": "conv", "kernel": 1}]}] * 100 + [{"type": "batchnorm"}],
     r"at most 200 layers \(those inside blocks count too\), got 201"),
])
def test_bad_layers_are_named_clearly(data, message):
    with pytest.raises(ParamError, match=message):
        parse_layers(data)


def test_blocks_and_their_default_names():
    layers = parse_layers([{"type": "conv", "kernel": 3},
                           {"type": "residual", "main": [{"type": "conv", "kernel": 3, "padding": 1},
                                                         {"type": "batchnorm"}],
                            "shortcut": [{"type": "conv", "kernel": 1}]},
                           {"type": "residual", "name": "b", "main": [{"type": "conv", "kernel": 1}]},
                           {"type": "globalpool"}, {"type": "dense", "out": 3}])
    assert [layer.name for layer in layers] == ["conv1", "residual1", "b", "globalpool1", "dense1"]
    assert [x.name for x in layers[1].main] == ["residual1.conv1", "residual1.batchnorm1"]
    assert [x.name for x in layers[1].shortcut] == ["residual1.shortcut.conv1"]
    assert [x.name for x in layers[2].main] == ["b.conv1"] and layers[2].shortcut == ()
    assert count_layers(layers) == 9


def test_stacks_of_200_layers_are_accepted():
    data = [{"type": "conv", "kernel": 3, "padding": 1, "out": 2}] * MAX_LAYERS
    assert len(LayerStack().check("layers", data)) == MAX_LAYERS
    layers, shapes = infer_shapes(parse_layers(data), 1, (8, 8))
    assert shapes[-1] == (2, 8, 8) and receptive_fields(layers)[-1] == (1 + 2 * MAX_LAYERS, 1)
    blocks = [{"type": "residual", "main": [{"type": "conv", "kernel": 3, "padding": 1}]}] * (MAX_LAYERS // 2)
    assert receptive_fields(parse_layers(blocks))[-1] == (1 + MAX_LAYERS, 1)


def test_layer_stack_param_uses_the_parameter_name():
    with pytest.raises(ParamError, match=r"^layers\[0\] \(pool\): kernel is missing"):
        LayerStack().check("layers", [{"type": "pool"}])


conv_data = st.fixed_dictionaries({"type": st.just("conv"), "kernel": st.integers(1, 5)},
                                  optional={"stride": st.integers(1, 3), "padding": st.integers(0, 2),
                                            "dilation": st.integers(1, 3), "out": st.integers(1, 8),
                                            "bias": st.booleans()})
pool_data = st.fixed_dictionaries({"type": st.just("pool"), "kernel": st.integers(2, 3)},
                                  optional={"stride": st.integers(1, 3)})
leaf_data = st.one_of(conv_data, pool_data, st.fixed_dictionaries({"type": st.just("batchnorm")}))
layer_data = st.one_of(
    leaf_data,
    st.fixed_dictionaries({"type": st.just("residual"), "main": st.lists(leaf_data, min_size=1, max_size=3)},
                          optional={"shortcut": st.lists(leaf_data, max_size=2)}),
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


def test_shapes_through_residual_blocks():
    block = {"type": "residual", "main": [{"type": "conv", "kernel": 3, "stride": 2, "padding": 1, "out": 8},
                                          {"type": "batchnorm"}, {"type": "conv", "kernel": 3, "padding": 1, "out": 8}],
             "shortcut": [{"type": "conv", "kernel": 1, "stride": 2, "out": 8, "bias": False}, {"type": "batchnorm"}]}
    layers, shapes = infer_shapes(parse_layers([block, {"type": "globalpool"}, {"type": "dense", "out": 5}]), 4, (9, 9))
    assert shapes == [(8, 5, 5), (8, 1, 1), (5, 1, 1)]
    main, shortcut = layers[0].main, layers[0].shortcut
    inferred = (main[0].inputs, main[1].channels, main[2].inputs, shortcut[0].inputs, shortcut[1].channels)
    assert inferred == (4, 8, 8, 4, 8)
    # conv 4*9*8+8, bn 16, conv 8*9*8+8, projection 4*8 (no bias), bn 16; dense 8*5+5
    assert [layer.param_count() for layer in layers] == [296 + 16 + 584 + 32 + 16, 0, 45]
    with pytest.raises(ParamError, match=r"layers\[0\] \(residual\) residual1: the main path gives 8 channels but "
                                         r"the shortcut 4; .*a projection shortcut: a 1x1 convolution to 8"):
        infer_shapes(parse_layers([{"type": "residual", "main": [{"type": "conv", "kernel": 1, "out": 8}]}]), 4, (6, 6))
    with pytest.raises(ParamError, match=r"the main path gives 3x3 maps but the shortcut 6x6"):
        infer_shapes(parse_layers([{"type": "residual", "main": [{"type": "conv", "kernel": 1, "stride": 2,
                                                                  "out": 4}]}]), 4, (6, 6))
    with pytest.raises(ParamError, match=r"layers\[0\] \(residual\) residual1\.main\[1\] \(conv\) residual1.conv2: "
                                         r"in is 3 but it gets 8 channels from the layer before"):
        infer_shapes(parse_layers([{"type": "residual", "main": [{"type": "conv", "kernel": 1, "out": 8},
                                                                 {"type": "conv", "kernel": 1, "in": 3, "out": 4}]}]),
                     4, (6, 6))


window = st.tuples(st.integers(1, 4), st.integers(1, 2), st.integers(1, 2), st.integers(0, 2))  # k, s, d, p


def _conv(k, s, d, p):
    return {"type": "conv", "kernel": k, "stride": s, "dilation": d, "padding": p}


@given(st.lists(st.one_of(window.map(lambda w: [w]), st.lists(window, min_size=1, max_size=3)), min_size=1, max_size=4),
       st.data())
def test_receptive_fields_match_back_projection_through_blocks(items, data):
    """Windows and residual blocks (a list of windows as the main path; a strided 1x1 shortcut of the
    same total stride, or the identity), possibly misaligned: the interval recurrence against the
    input positions a unit depends on, found by walking back through both paths."""
    stack = []
    for item in items:
        if len(item) == 1 and data.draw(st.booleans()):
            stack.append(_conv(*item[0]))
            continue
        stride = 1
        for _, s, _, _ in item:
            stride *= s
        shortcut = [] if stride == 1 and data.draw(st.booleans()) else \
            [_conv(data.draw(st.integers(1, 3)), stride, 1, data.draw(st.integers(0, 1)))]
        stack.append({"type": "residual", "main": [_conv(*w) for w in item], "shortcut": shortcut})
    layers = parse_layers(stack)
    seen, neighbour = dependency_positions(layers, 2), dependency_positions(layers, 3)
    size, jump = receptive_fields(layers)[-1]
    assert size == max(seen) - min(seen) + 1 and jump == min(neighbour) - min(seen)


def test_a_shortcut_with_another_stride_is_refused():
    layers = parse_layers([{"type": "residual", "main": [_conv(3, 2, 1, 1)], "shortcut": [_conv(1, 1, 1, 0)]}])
    with pytest.raises(ParamError, match="the main path steps 2 input pixels per unit but the shortcut 1"):
        receptive_fields(layers)


def test_identical_layers_share_a_line():
    layers = parse_layers([{"type": "conv", "kernel": 3, "padding": 1, "in": 3, "out": 8},
                           {"type": "conv", "kernel": 3, "padding": 1, "in": 8, "out": 8},
                           {"type": "conv", "kernel": 3, "padding": 1, "in": 8, "out": 8},
                           {"type": "pool", "kernel": 2}])
    with_counts = [line.text for line in describe_stack(layers)]
    assert len(with_counts) == 3 and with_counts[1].startswith("(2)–(3) conv2, conv3: 2 identical layers, each: ")
    without = [line.text for line in describe_stack(layers, counts=False)]  # channels do not matter here
    assert len(without) == 2 and without[0].startswith("(1)–(3) conv1, conv2, conv3: 3 identical layers")
