"""Parameter counts: trainable weights and biases per layer and in total.

A layer without trainable parameters (pooling) counts 0, so `per_layer` has one entry per
layer; a residual block is one entry, the layers of both its paths together. A stack of more than
40 layers is asked for its total only (with all the points). A batch normalization
counts its scale and shift (its running statistics are not trained).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Question, Table, prose
from exercises.params import Int, OneOf
from exercises.registry import Template, template
from exercises.topics.layers import (
    ENDS_SPATIAL,
    Layer,
    LayerStack,
    describe_stack,
    infer_shapes,
    layers_to_data,
    param_count,
    parse_layers,
    runs,
)
from exercises.topics.networks import NETWORKS, PUBLISHED, check_input, stack_of
from exercises.wording import plural
from grader.answers import Integer, Vector

Shape = tuple[int, int, int] | None
MAX_LISTED = 40  # longer stacks are asked for their total only (VGG-19-BN has 40 layers)


@dataclass(frozen=True)
class Stack:
    """A template's stack resolved: layers as given, layers with inferred in/maps/channels, the
    (channels, height, width) before and after each layer (None where unknown), and the input."""

    given: tuple[Layer, ...]
    layers: tuple[Layer, ...]
    before: list[Shape]
    after: list[Shape]
    channels: int | None
    size: int | None


def resolved(p: dict[str, Any]) -> Stack:
    """The stack of `layers` or `network`, with shapes inferred from the input where it is known."""
    layers, network = stack_of(p)
    if network is not None:
        channels, size = network.input_channels, network.input_size
    else:
        channels, size = p.get("input_channels"), p.get("input_size")
    done, after = infer_shapes(layers, channels, None if size is None else (size, size))
    if channels is None and done[0].type != "pool":
        channels = done[0].inputs if done[0].type in ("conv", "dense") else done[0].channels
    start = None if channels is None or size is None else (channels, size, size)
    return Stack(layers, done, [start, *after[:-1]], after, channels, size)


# -- misconceptions: a wrong count per layer ----------------------------------------------------------


def _per_layer(wrong_count, blocks=None):
    """A misconception on the per-layer vector from a function (layer, given layer, shape before) -> count,
    applied to each layer of a residual block's paths (their shapes unknown: None) unless `blocks`
    counts a block itself."""
    def one(layer: Layer, raw: Layer, shape: Shape) -> int:
        if layer.type != "residual":
            return wrong_count(layer, raw, shape)
        if blocks is not None:
            return blocks(layer)
        inner = zip(layer.main + layer.shortcut, raw.main + raw.shortcut, strict=True)
        return sum(one(x, given, None) for x, given in inner)

    def compute(p: dict[str, Any]) -> list[int]:
        stack = resolved(p)
        return [one(layer, raw, shape) for layer, raw, shape in zip(stack.layers, stack.given, stack.before,
                                                                    strict=True)]
    return compute


def _total(per_layer):
    def compute(p: dict[str, Any]) -> int:
        return sum(per_layer(p))
    return compute


def _no_bias(layer: Layer, raw: Layer, shape: Shape) -> int:
    if layer.type in ("conv", "dense") and layer.bias:
        return param_count(layer) - layer.outputs  # type: ignore[operator]
    return layer.channels if layer.type == "subsample" else param_count(layer)  # type: ignore[return-value]


def _no_input_channels(layer: Layer, raw: Layer, shape: Shape) -> int:
    if layer.type != "conv":
        return param_count(layer)
    return layer.kernel[0] * layer.kernel[1] * layer.outputs + (layer.outputs if layer.bias else 0)  # type: ignore


def _pool_as_conv(layer: Layer, raw: Layer, shape: Shape) -> int:
    if layer.type not in ("pool", "subsample") or shape is None:
        return param_count(layer)
    maps = shape[0]
    return layer.kernel[0] * layer.kernel[1] * maps * maps + maps


def _connections_ignored(layer: Layer, raw: Layer, shape: Shape) -> int:
    if layer.connections is None:
        return param_count(layer)
    return param_count(Layer("conv", layer.name, layer.kernel, inputs=layer.inputs, outputs=layer.outputs,
                             bias=layer.bias))


def _running_stats(layer: Layer, raw: Layer, shape: Shape) -> int:
    return 4 * layer.channels if layer.type == "batchnorm" else param_count(layer)  # type: ignore[operator]


def _batchnorm_nothing(layer: Layer, raw: Layer, shape: Shape) -> int:
    return 0 if layer.type == "batchnorm" else param_count(layer)


def _correct(layer: Layer, raw: Layer, shape: Shape) -> int:
    return param_count(layer)


def _shortcut_forgotten(block: Layer) -> int:
    return sum(param_count(inner) for inner in block.main)


def _flatten_forgotten(layer: Layer, raw: Layer, shape: Shape) -> int:
    if layer.type != "dense" or raw.inputs is not None or shape is None:
        return param_count(layer)
    return param_count(Layer("dense", layer.name, inputs=shape[0], outputs=layer.outputs, bias=layer.bias))


_FEEDBACK = {
    "bias-forgotten": "You left out the biases: each output channel (or unit, or subsampled map) has one.",
    "input-channels-forgotten": "You forgot the input channels: each filter is k x k x (input channels), "
                                "so a convolution has k * k * in * out weights.",
    "pooling-as-conv": "You counted a pooling layer like a convolution with as many output as input maps: "
                       "max pooling learns nothing (LeNet's subsampling learns one coefficient and one bias per map).",
    "connection-table-ignored": "You ignored the connection table: each output map is connected only to the "
                                "input maps listed for it, not to all of them.",
    "flatten-forgotten": "You took only the channels as the dense layer's input: it sees the flattened feature maps, "
                         "channels x height x width of them.",
    "running-stats-counted": "You counted batch normalization's running mean and variance: they are statistics "
                             "gathered during training, not trained; only the scale and the shift are, 2 per channel.",
    "batchnorm-forgotten": "You counted batch normalization as nothing: it learns a scale and a shift per channel.",
    "shortcut-forgotten": "You left out the projection shortcuts: a block whose shape changes adds its input through "
                          "a 1x1 convolution (and its batch normalization), which has weights too.",
}
_WRONG = {"bias-forgotten": _no_bias, "input-channels-forgotten": _no_input_channels,
          "pooling-as-conv": _pool_as_conv, "connection-table-ignored": _connections_ignored,
          "flatten-forgotten": _flatten_forgotten, "running-stats-counted": _running_stats,
          "batchnorm-forgotten": _batchnorm_nothing, "shortcut-forgotten": _correct}
_BLOCKS = {"shortcut-forgotten": _shortcut_forgotten}
PER_LAYER_MISTAKES = tuple(Mistake(name, _FEEDBACK[name], _per_layer(f, _BLOCKS.get(name)))
                           for name, f in _WRONG.items())
TOTAL_MISTAKES = tuple(Mistake(m.id, m.feedback, _total(m.compute)) for m in PER_LAYER_MISTAKES)


# -- the independent count: explicit weight tensors ---------------------------------------------------


def weight_shapes(layer: Layer) -> list[tuple[int, ...]]:
    """The shapes of a layer's trainable tensors, as a framework would allocate them."""
    bias = [(layer.outputs,)] if layer.bias else []
    if layer.type == "conv":
        return [(layer.outputs, layer.inputs // layer.groups, *layer.kernel), *bias]  # type: ignore[operator,list-item]
    if layer.type == "dense":
        return [(layer.outputs, layer.inputs), *bias]  # type: ignore[list-item]
    if layer.type in ("subsample", "batchnorm"):
        return [(layer.channels,), (layer.channels,)]  # type: ignore[list-item]
    return []


def counted_by_tensors(layer: Layer) -> int:
    """Trainable entries of the layer's tensors; a connection table masks the conv weight tensor; a
    residual block holds the tensors of its paths' layers."""
    if layer.type == "residual":
        return sum(counted_by_tensors(inner) for inner in layer.main + layer.shortcut)
    shapes = weight_shapes(layer)
    sizes = [int(np.prod(shape)) for shape in shapes]
    if layer.connections is not None:
        mask = np.zeros(shapes[0], dtype=bool)
        for out_map, row in enumerate(layer.connections):
            mask[out_map, list(row)] = True
        sizes[0] = int(np.count_nonzero(mask))
    return sum(sizes)


def flattened_inputs(layers: tuple[Layer, ...], channels: int, size: int) -> list[int | None]:
    """Each dense layer's input count, by walking window positions through the stack one by one."""
    state = (channels, size, size)
    found: list[int | None] = []
    for layer in layers:
        found.append(state[0] * state[1] * state[2] if layer.type == "dense" else None)
        state = _walk(layer, state)
    return found


def _walk(layer: Layer, state: tuple[int, int, int]) -> tuple[int, int, int]:
    """(channels, height, width) after a layer, counting window positions (a block: along its main path)."""
    channels, height, width = state
    if layer.type == "residual":
        for inner in layer.main:
            state = _walk(inner, state)
        return state
    if layer.spatial:
        height, width = (len(range(0, n + 2 * layer.padding - layer.span(axis) + 1, layer.stride))
                         for axis, n in enumerate((height, width)))
    if layer.type in ("conv", "dense"):
        channels = layer.outputs  # type: ignore[assignment]
    if layer.type == "flatten":
        channels *= height * width
    if layer.type in ENDS_SPATIAL:
        height = width = 1
    return channels, height, width


# -- sampling -------------------------------------------------------------------------------------------


def _draw_stack(rng: np.random.Generator, channels: int, size: int) -> list[dict[str, Any]]:
    """2-5 layers starting with a convolution: small kernels and channel counts, now and then a
    2x2 pool or a batch normalization, sometimes a dense layer at the end (when the flattened
    feature maps are at most 1024 numbers); 2 to 16 output channels, and some convolution has more than
    one input channel."""
    while True:
        data: list[dict[str, Any]] = []
        side, maps, wide_input = size, channels, False
        dense = rng.random() < 0.4
        for _ in range(int(rng.integers(2 - dense, 6 - dense))):
            last = data[-1]["type"] if data else None
            roll = rng.random()
            if last == "conv" and roll < 0.35 and side >= 4 and side % 2 == 0:
                data.append({"type": "pool", "kernel": 2})
                side //= 2
            elif last == "conv" and roll < 0.5:
                data.append({"type": "batchnorm"})
            else:
                k = int(rng.choice([1, 2, 3, 3, 3, 4, 5, 5]))
                pad = int(rng.choice([0, k // 2])) if k % 2 else 0
                if side + 2 * pad - k + 1 < 2:
                    break
                wide_input = wide_input or maps > 1
                maps = int(rng.integers(2, 9 if dense else 17))
                data.append({"type": "conv", "out": maps, "kernel": k, **({"padding": pad} if pad else {})})
                side = side + 2 * pad - k + 1
        if dense and maps * side * side > 1024:
            continue
        if dense:
            data.append({"type": "dense", "out": int(rng.integers(2, 11))})
        if len(data) >= 2 and wide_input:
            return layers_to_data(parse_layers(data))


@template
class ParamCount(Template):
    id = "param-count"
    version = 2
    topic = "parameters"
    summary = "trainable parameters per layer and in total (convolutions, pooling, dense, LeNet-5 and others)"
    params = {
        "layers": LayerStack(doc="the layers, in order (or pin network)"),
        "network": OneOf(doc="a named network instead of layers", options=tuple(NETWORKS)),
        "input_size": Int(doc="input height = width (needed when a dense layer's `in` is left out)", low=1,
                          high=512),
        "input_channels": Int(doc="input channels (needed when the first layer's `in` is left out)", low=1,
                              high=512),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "layers" not in p and "network" not in p:
            p.setdefault("input_channels", int(rng.choice([1, 3])))
            p.setdefault("input_size", int(rng.integers(8, 33)))
            p["layers"] = _draw_stack(rng, p["input_channels"], p["input_size"])
        return p

    def validate(self, p: dict[str, Any]) -> None:
        check_input(p)
        resolved(p)

    def build(self, p: dict[str, Any]) -> Question:
        stack = resolved(p)
        _, network = stack_of(p)
        counts = [param_count(layer) for layer in stack.layers]
        if stack.size is None:
            inputs, math = "inputs", {}
        elif stack.channels is None:
            inputs, math = "{shape} inputs (height x width)", {"shape": Op("×", stack.size, stack.size)}
        else:
            inputs = "{shape} inputs (channels x height x width)"
            math = {"shape": Op("×", Op("×", stack.channels, stack.size), stack.size)}
        intro = f"The network is {network.title}, on {inputs}. Its layers, in order:" if network else \
            f"A network takes {inputs} and applies, in order:"
        shown = tuple(raw if raw.type == "dense" else layer for raw, layer in zip(stack.given, stack.layers,
                                                                                  strict=True))
        statement = (prose(intro, **math), *describe_stack(shown),
                     prose("Count trainable parameters only: weights and biases (a batch normalization has a "
                           "trainable scale and shift per channel; its running statistics are not trained)."))
        per_layer = Part("per_layer", prose(
            "Give the number of trainable parameters of each layer, in order: a list of "
            f"{plural(len(counts), 'number')}, with 0 for a layer that has no trainable parameters"
            + (" (a residual block is one layer: both of its paths together)."
               if any(layer.type == "residual" for layer in stack.layers) else ".")),
            expect(Vector, counts, p, PER_LAYER_MISTAKES), points=2)
        total = Part("total", prose("How many trainable parameters does the network have in total?"),
                     expect(Integer, sum(counts), p, TOTAL_MISTAKES), points=1 if len(counts) <= MAX_LISTED else 3)
        parts = (per_layer, total) if len(counts) <= MAX_LISTED else (total,)
        return self.question(p, title="Counting parameters", statement=statement, parts=parts,
                             solution=solution(stack, counts))

    def verify(self, question: Question) -> None:
        params = dict(question.params)
        stack = resolved(params)
        if stack.channels is not None and stack.size is not None:
            for layer, flat in zip(stack.layers, flattened_inputs(stack.layers, stack.channels, stack.size),
                                   strict=True):
                assert flat is None or flat == layer.inputs, f"{layer.name}: in {layer.inputs} != flattened {flat}"
        expected = [counted_by_tensors(layer) for layer in stack.layers]
        total = question.part("total").answer.value  # type: ignore[attr-defined]
        if "per_layer" in question.part_ids:
            per_layer = list(question.part("per_layer").answer.value)  # type: ignore[attr-defined]
            assert per_layer == expected, f"per-layer counts {per_layer} != counted from tensors {expected}"
        assert total == sum(expected), f"total {total} != {sum(expected)} counted from tensors"
        if "network" in params:
            published = PUBLISHED[params["network"]].params
            assert total == published, f"total {total} != {published} published for {params['network']}"


def solution(stack: Stack, counts: list[int]) -> tuple:
    """A table, one row per layer (repeats share one: a run of identical layers, or of identical
    layer-and-batch-norm groups), and the sum."""
    rows, terms = [], []
    cells = [_cells(stack, i, count) for i, count in enumerate(counts)]
    position = {id(layer): index for index, layer in enumerate(stack.layers)}
    for start, end, repeats in runs(stack.layers, lambda layer: cells[position[id(layer)]][1:]):
        size = (end - start) // repeats
        if repeats == 1:
            for index in range(start, end):
                how, math, out = cells[index][1:]
                rows.append((prose(f"({index + 1}) {stack.layers[index].name}"), prose(how, **math), out))
                terms += [counts[index]] if counts[index] else []
            continue
        parts, math = [], {}
        for offset, index in enumerate(range(start, start + size)):
            how, more, _ = cells[index][1:]
            parts.append((f"{_kind(stack.layers[index])}: " if size > 1 else "")
                         + re.sub(r"\{(\w+)\}", rf"{{g{offset}_\1}}", how))
            math.update({f"g{offset}_{name}": value for name, value in more.items()})
        names = ", ".join(layer.name for layer in stack.layers[start:end])
        rows.append((prose(f"({start + 1})–({end}) {names}"), prose("each: " + "; ".join(parts), **math),
                     cells[end - 1][3]))
        each = sum(counts[start:start + size])
        if each:
            terms.append(Op("*", repeats, each))
    chain: Any = terms[0] if terms else 0
    for term in terms[1:]:
        chain = Op("+", chain, term)
    total = Eq(chain, sum(counts)) if len(terms) > 1 or (terms and isinstance(terms[0], Op)) else sum(counts)
    return (Table(("layers", "trainable parameters", "output"), tuple(rows)),
            prose("In total: {total}.", total=total))


def _kind(layer: Layer) -> str:
    return {"conv": "convolution", "batchnorm": "batch norm", "dense": "dense", "pool": "pooling",
            "subsample": "subsampling", "residual": "block", "globalpool": "global pooling",
            "flatten": "flatten"}[layer.type]


def _cells(stack: Stack, index: int, count: int) -> tuple[str, str, dict[str, Any], Any]:
    """(name, how the count goes with its math, the output shape as a cell) of one layer."""
    raw, layer, prior, shape = stack.given[index], stack.layers[index], stack.before[index], stack.after[index]
    if layer.type == "residual":
        how, math = _block_steps(layer)
    else:
        how, math = count_steps(layer, count)
    if layer.type == "dense" and raw.inputs is None and prior is not None:
        how = "input: the flattened {flat}; " + how
        math["flat"] = Eq(Op("×", Op("×", *prior[:2]), prior[2]), layer.inputs)
    if shape is None:
        out = prose("-")
    elif layer.type in ("dense", "flatten"):
        out = prose(plural(shape[0], "unit" if layer.type == "dense" else "number"))
    else:
        out = prose("{out}", out=Op("×", Op("×", *shape[:2]), shape[2]))
    return layer.name, how, math, out


def _block_steps(block: Layer) -> tuple[str, dict[str, Any]]:
    """A residual block's count: the layers of each path, then together."""
    math: dict[str, Any] = {}
    texts = []
    for path in ("main", "shortcut"):
        counts = [param_count(inner) for inner in getattr(block, path)]
        nonzero = [c for c in counts if c]
        if not getattr(block, path):
            texts.append("shortcut: the identity, 0")
            continue
        chain: Any = nonzero[0] if nonzero else 0
        for term in nonzero[1:]:
            chain = Op("+", chain, term)
        math[path] = Eq(chain, sum(counts)) if len(nonzero) > 1 else sum(counts)
        names = ", ".join(_short(inner) for inner in getattr(block, path))
        texts.append(f"{path} path ({names}): {{{path}}}")
    math["n"] = param_count(block)
    return "; ".join(texts) + "; together {n}", math


def _short(layer: Layer) -> str:
    """A layer inside a block, briefly: '3x3 conv, 64 to 64', 'batch norm'."""
    if layer.type == "conv":
        return f"{layer.kernel_text()} conv, {layer.inputs} to {layer.outputs}"
    return {"batchnorm": "batch norm", "pool": "pooling", "subsample": "subsampling"}.get(layer.type, layer.type)


def count_steps(layer: Layer, count: int) -> tuple[str, dict[str, Any]]:
    """How one layer's count is worked out: text with placeholders and their math."""
    bias = layer.outputs if layer.bias else None
    if layer.type == "conv":
        kh, kw = layer.kernel
        if layer.connections is not None:
            links = sum(len(row) for row in layer.connections)
            pairs = plural(links, "(output map, input map) pair")
            text = f"the table lists {pairs}, each with a {kh}x{kw} kernel: {{n}}"
            weights: Any = Op("*", Op("*", links, kh), kw)
        else:
            per_filter = layer.inputs // layer.groups  # type: ignore[operator]
            text = "{n}" if layer.groups == 1 else \
                f"each filter sees {per_filter} input channels ({layer.inputs} / {layer.groups} groups): {{n}}"
            weights = Op("*", Op("*", Op("*", kh, kw), per_filter), layer.outputs)
        return text, {"n": Eq(Op("+", weights, bias) if bias else weights, count)}
    if layer.type == "dense":
        weights = Op("*", layer.inputs, layer.outputs)
        return "{n}", {"n": Eq(Op("+", weights, bias) if bias else weights, count)}
    if layer.type == "subsample":
        return "one coefficient and one bias per map, {n}", {"n": Eq(Op("*", 2, layer.channels), count)}
    if layer.type == "batchnorm":
        return "a scale and a shift per channel, {n}", {"n": Eq(Op("*", 2, layer.channels), count)}
    if layer.type == "globalpool":
        return "averaging has nothing to learn, {n}", {"n": 0}
    if layer.type == "flatten":
        return "flattening only reshapes, {n}", {"n": 0}
    return "pooling has nothing to learn, {n}", {"n": 0}
