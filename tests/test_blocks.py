"""Blocks that hold layers, beyond the residual block: concatenated branches (Inception, DenseNet, SqueezeNet's
fire, ShuffleNet's split), sequences, auxiliary classifiers, and blocks inside blocks. Each rule (parameters,
shapes, receptive fields, words, the run on ones) against an independent computation or a hand count, the
messages for bad stacks, and the templates' misconceptions and verifiers on stacks that hold them."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exercises
from exercises.params import ParamError
from exercises.registry import get
from exercises.render.question import render_question
from exercises.topics.layers import (
    describe_stack,
    infer_shapes,
    layers_to_data,
    parse_layers,
    receptive_fields,
)
from exercises.topics.receptive_field import dependency_positions


def bn():
    return {"type": "batchnorm"}


def conv(out, kernel, **more):
    return {"type": "conv", "out": out, "kernel": kernel, **more}


INCEPTION = {"type": "concat", "name": "mix", "branches": [
    [conv(4, 1)], [conv(3, 1), bn(), conv(6, 3, padding=1)], [conv(2, 1), conv(2, 5, padding=2)],
    [{"type": "pool", "kernel": 3, "stride": 1, "padding": 1}, conv(3, 1)]]}
DENSE_LAYER = {"type": "concat", "branches": [[], [bn(), conv(8, 1), bn(), conv(4, 3, padding=1)]]}


def test_inception_module_channels_add_up_and_parameters_are_its_branches():
    layers, shapes = infer_shapes(parse_layers([INCEPTION]), 5, (9, 9))
    assert shapes == [(4 + 6 + 2 + 3, 9, 9)]
    # branch by branch: 5*4+4; 5*3+3, 2*3, 3*9*6+6; 5*2+2, 2*25*2+2; 5*3+3
    by_hand = (24) + (18 + 6 + 168) + (12 + 102) + (18)
    assert layers[0].param_count() == layers[0].tensor_entries() == by_hand
    assert [x.name for x in layers[0].branches[1]] == ["mix.branch2.conv1", "mix.branch2.batchnorm1",
                                                       "mix.branch2.conv2"]
    assert layers[0].branches[1][2].inputs == 3 and layers[0].branches[3][1].inputs == 5


def test_a_dense_layer_passes_its_input_on():
    layers, shapes = infer_shapes(parse_layers([DENSE_LAYER, DENSE_LAYER, DENSE_LAYER]), 6, (5, 5))
    assert [shape[0] for shape in shapes] == [10, 14, 18]  # 6 + 4 per layer: the growth rate
    assert layers[2].branches[1][0].channels == 14 and layers[2].branches[1][1].inputs == 14
    text, math = layers[0].shape_steps((6, 5, 5), shapes[0])
    assert "branch 1 passes its input on" in text and "concatenated along the channels" in text
    assert np.array_equal(layers[0].reads(np.ones((6, 5, 5), dtype=np.int64))[:6], np.ones((6, 5, 5)))


def test_split_gives_each_branch_its_share():
    unit = {"type": "concat", "split": True, "branches": [[], [conv(4, 1), conv(4, 3, padding=1, groups=4)]]}
    layers, shapes = infer_shapes(parse_layers([unit, {"type": "shuffle"}]), 8, (6, 6))
    assert shapes == [(8, 6, 6), (8, 6, 6)] and layers[0].branches[1][0].inputs == 4
    assert layers[0].param_count() == (4 * 4 + 4) + (4 * 9 + 4)
    x = np.arange(8 * 36).reshape(8, 6, 6)
    assert np.array_equal(layers[0].reads(x)[:4], x[:4])  # the first half passes on
    with pytest.raises(ParamError, match=r"layers\[0\] \(concat\) concat1: 7 channels do not split equally between "
                                         r"2 branches"):
        infer_shapes(parse_layers([unit]), 7, (6, 6))


def test_branches_whose_maps_differ_are_refused():
    data = [{"type": "concat", "branches": [[conv(2, 3)], [conv(2, 1)]]}]
    with pytest.raises(ParamError, match=r"concat1: branch 2 gives 6x6 maps but branch 1 4x4; they are concatenated "
                                         r"along the channels, so their sizes must agree"):
        infer_shapes(parse_layers(data), 1, (6, 6))


@pytest.mark.parametrize(("data", "message"), [
    ([{"type": "concat", "branches": [[conv(2, 1)]]}], r"branches must be a list of 2 to 8 lists of layers"),
    ([{"type": "concat", "branches": [[conv(2, 1)], [{"type": "dense", "out": 3}]]}],
     r"layers\[0\] \(concat\)\.branches\[1\]\[0\] \(dense\): a block's paths hold only conv, pool"),
    ([{"type": "concat", "branches": [[], []], "split": "yes"}], r"split must be true or false"),
    ([{"type": "sequential"}], r"layers\[0\] \(sequential\): layers is missing"),
    ([{"type": "sequential", "layers": [{"type": "auxiliary", "head": [conv(1, 1)]}]}],
     r"\.layers\[0\] \(auxiliary\): a block's paths hold only"),
    ([{"type": "auxiliary"}], r"layers\[0\] \(auxiliary\): head is missing"),
    ([{"type": "auxiliary", "head": [{"type": "dense", "out": 2}, conv(1, 1)]}],
     r"layers\[0\] \(auxiliary\)\.head\[1\] \(conv\): comes after the dense layer "
     r"layers\[0\] \(auxiliary\)\.head\[0\]"),
    ([{"type": "sequential", "layers": [{"type": "sequential", "layers": [{"type": "sequential", "layers": [
        {"type": "sequential", "layers": [{"type": "sequential", "layers": [conv(1, 1)]}]}]}]}]}],
     r"blocks nest at most 4 deep"),
    ([conv(1, 1, name="a"), {"type": "concat", "branches": [[], [{"type": "sequential", "layers": [
        conv(1, 1, name="a")]}]]}],
     r"layers\[1\] \(concat\)\.branches\[1\]\[0\] \(sequential\)\.layers\[0\] \(conv\): name 'a' is already used by "
     r"layers\[0\]"),
])
def test_bad_blocks_are_named_clearly(data, message):
    with pytest.raises(ParamError, match=message):
        parse_layers(data)


LEAF = st.one_of(
    st.fixed_dictionaries({"type": st.just("conv"), "kernel": st.integers(1, 3)},
                          optional={"stride": st.integers(1, 2), "padding": st.integers(0, 1),
                                    "out": st.integers(1, 4)}),
    st.fixed_dictionaries({"type": st.just("avgpool"), "kernel": st.integers(2, 3)},
                          optional={"ceil_mode": st.booleans()}),
    st.just({"type": "batchnorm"}), st.just({"type": "layernorm"}), st.just({"type": "dropout", "p": 0.1}),
    st.fixed_dictionaries({"type": st.just("se"), "squeeze": st.integers(1, 4)},
                          optional={"gate": st.just("hardsigmoid")}))
PATH = st.lists(LEAF, max_size=3)
BLOCK = st.one_of(
    st.fixed_dictionaries({"type": st.just("concat"), "branches": st.lists(PATH, min_size=2, max_size=3)},
                          optional={"split": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("sequential"), "layers": st.lists(
        st.one_of(LEAF, st.fixed_dictionaries({"type": st.just("concat"), "branches": st.lists(PATH, min_size=2,
                                                                                                max_size=2)})),
        min_size=1, max_size=3)}),
    st.fixed_dictionaries({"type": st.just("auxiliary"),
                           "head": st.just([{"type": "globalpool"}, {"type": "dense", "out": 3}])}))


@given(st.lists(st.one_of(LEAF, BLOCK), min_size=1, max_size=4))
def test_blocks_write_back_to_the_same_layers(data):
    layers = parse_layers(data)
    assert parse_layers(layers_to_data(layers)) == layers


@given(st.lists(st.one_of(LEAF, BLOCK), min_size=1, max_size=4))
def test_receptive_fields_through_blocks_match_back_projection(data):
    """Closed recurrence (the union of what the branches see) against walking back from units 2 and 3."""
    layers = parse_layers(data)
    try:
        fields = receptive_fields(layers)
    except ParamError:  # branches that step differently are refused
        return
    seen, neighbour = dependency_positions(layers, 2), dependency_positions(layers, 3)
    assert fields[-1] == (max(seen) - min(seen) + 1, min(neighbour) - min(seen))


@given(st.lists(st.one_of(LEAF, BLOCK), min_size=1, max_size=4), st.integers(8, 14))
def test_shapes_through_blocks_match_the_run_on_ones(data, size):
    """Shape inference against running the stack on ones (each kind's own simulation)."""
    layers = parse_layers(data)
    try:
        done, shapes = infer_shapes(layers, 4, (size, size))
    except ParamError:  # a split that does not divide, a window that does not fit
        return
    x = np.ones((4, size, size), dtype=np.int64)
    for layer, shape in zip(done, shapes, strict=True):
        x = layer.reads(x)
        assert (x.shape if x.ndim == 3 else (x.shape[0], 1, 1)) == shape, layer.name
    assert sum(layer.param_count() for layer in done) == sum(layer.tensor_entries() for layer in done)


def test_a_sequence_is_its_layers():
    flat = [conv(4, 3, stride=2, padding=1), bn(), conv(6, 3, padding=1)]
    layers, shapes = infer_shapes(parse_layers([{"type": "sequential", "name": "s", "layers": flat}]), 3, (8, 8))
    alone, alone_shapes = infer_shapes(parse_layers(flat), 3, (8, 8))
    assert shapes[-1] == alone_shapes[-1] == (6, 4, 4)
    assert layers[0].param_count() == sum(x.param_count() for x in alone)
    assert receptive_fields(layers) == receptive_fields(alone)[-1:]
    assert [x.name for x in layers[0].layers] == ["s.conv1", "s.batchnorm1", "s.conv2"]


def test_an_auxiliary_classifier_counts_but_changes_no_shape_or_field():
    aux = {"type": "auxiliary", "name": "aux", "head": [{"type": "avgpool", "kernel": 2}, conv(3, 1),
                                                         {"type": "globalpool"}, {"type": "dense", "out": 5}]}
    layers, shapes = infer_shapes(parse_layers([conv(4, 3), aux, conv(2, 3)]), 1, (8, 8))
    assert shapes == [(4, 6, 6), (4, 6, 6), (2, 4, 4)]
    assert layers[1].param_count() == (4 * 3 + 3) + (3 * 5 + 5)
    assert receptive_fields(layers)[1] == receptive_fields(layers)[0]
    text, _ = layers[1].shape_steps((4, 6, 6), (4, 6, 6))
    assert "second prediction" in text


def test_descriptions_name_the_branches_and_fold_repeats():
    layers = parse_layers([INCEPTION, {"type": "sequential", "layers": [DENSE_LAYER, DENSE_LAYER]}])
    done, _ = infer_shapes(layers, 5, (9, 9))
    text = describe_stack(done)[0].text
    assert text.startswith("(1) mix: 4 branches read the input, their outputs concatenated along the channels "
                           "(branch 1: convolution")
    assert "then batch norm" in text and "branch 4: max pooling" in text
    without = describe_stack(layers, counts=False)[1].text  # two dense layers: identical without counts
    assert "2 identical blocks, each: 2 branches read the input" in without and "the input passed on" in without
    differing = parse_layers([{"type": "sequential", "layers": [conv(4, 1), conv(4, 5)]}])  # same words, other math
    assert "identical" not in describe_stack(differing)[0].text


def test_templates_take_blocks():
    stack = [conv(4, 3), INCEPTION, {"type": "sequential", "layers": [DENSE_LAYER]},
             {"type": "auxiliary", "head": [{"type": "globalpool"}, {"type": "dense", "out": 2}]},
             {"type": "globalpool"}, {"type": "dense", "out": 3}]
    for template, more in (("param-count", {"input_channels": 2, "input_size": 12}),
                           ("shape-trace", {"input_channels": 2, "input_size": 12}), ("receptive-field", {})):
        question = exercises.generate(template, layers=stack, **more)
        get(template).verify(question)
        render_question(question, "md", solution=True)
    shapes = exercises.generate("shape-trace", layers=stack, input_channels=2, input_size=12)
    assert tuple(shapes.part("layer2").answer.value) == (15, 10, 10)
    assert tuple(shapes.part("layer3").answer.value) == (19, 10, 10)


def test_misconception_forgetting_the_concatenation():
    params = {"layers": [conv(4, 3), INCEPTION, DENSE_LAYER], "input_channels": 2, "input_size": 12}
    named = exercises.answer("shape-trace", "layer2", "(3, 10, 10)", **params)  # the last branch alone
    assert named["misconception"] == "concat-one-branch"
    assert exercises.answer("shape-trace", "layer3", "(4, 10, 10)", **params)["misconception"] == "concat-one-branch"
    assert exercises.answer("shape-trace", "layer3", "(19, 10, 10)", **params)["status"] == "correct"


def test_misconception_forgetting_the_auxiliary_classifier():
    aux = {"type": "auxiliary", "head": [{"type": "globalpool"}, {"type": "dense", "out": 2}]}
    params = {"layers": [conv(4, 3), aux], "input_channels": 1, "input_size": 6}
    assert exercises.answer("param-count", "total", str(4 * 9 + 4), **params)["misconception"] == "auxiliary-forgotten"
    assert exercises.answer("param-count", "total", str(4 * 9 + 4 + 10), **params)["status"] == "correct"
