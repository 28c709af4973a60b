"""Parameter counts: trainable weights and biases per layer and in total.

A layer without trainable parameters (pooling) counts 0, so `per_layer` has one entry per
layer; a residual block is one entry, the layers of both its paths together. A stack of more than
40 layers is asked for its total only (with all the points). A batch normalization
counts its scale and shift (its running statistics are not trained).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.by_content import by_content
from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Question, Table, prose
from exercises.params import Int, OneOf
from exercises.redraw import redraw
from exercises.registry import Template, template
from exercises.topics.layer_kinds import (
    Auxiliary,
    BatchNorm,
    Conv,
    Dense,
    LayerNorm,
    Pool,
    Residual,
    SqueezeExcite,
    Subsample,
    Transposed,
    Window,
)
from exercises.topics.layers import (
    CHW,
    HW,
    Layer,
    LayerStack,
    describe_stack,
    infer_shapes,
    layers_to_data,
    parse_layers,
    runs,
    sized_prose,
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


@by_content(256)  # every misconception of a part resolves the same stack, and the sampler's checks before them
def resolved(p: dict[str, Any]) -> Stack:
    """The stack of `layers` or `network`, with shapes inferred from the input where it is known."""
    layers, network = stack_of(p)
    if network is not None:
        channels, size = network.input_channels, network.input_size
    else:
        channels, size = p.get("input_channels"), p.get("input_size")
    done, after = infer_shapes(layers, channels, None if size is None else (size, size))
    if channels is None:
        channels = done[0].stated_inputs
    start = None if channels is None or size is None else (channels, size, size)
    return Stack(layers, done, [start, *after[:-1]], after, channels, size)


# -- misconceptions: a wrong count per layer ----------------------------------------------------------


def _per_layer(wrong_count, blocks=None):
    """A misconception on the per-layer vector from a function (layer, given layer, shape before) -> count,
    applied to each layer inside a block (their shapes unknown: None) unless `blocks` (block, given block,
    the function for inner layers) counts the block itself (None: it does not). None where the vector would be
    the key (no layer of the stack concerns the mistake)."""
    def one(layer: Layer, raw: Layer, shape: Shape) -> int:
        if not layer.block:
            return wrong_count(layer, raw, shape)
        found = None if blocks is None else blocks(layer, raw, one)
        if found is not None:
            return found
        inner = zip(layer.inner_layers(), raw.inner_layers(), strict=True)
        return sum(one(x, given, None) for x, given in inner)

    def compute(p: dict[str, Any]) -> list[int] | None:
        stack = resolved(p)
        wrong = [one(layer, raw, shape) for layer, raw, shape in zip(stack.layers, stack.given, stack.before,
                                                                     strict=True)]
        return None if wrong == [layer.param_count() for layer in stack.layers] else wrong
    return compute


def _total(per_layer):
    def compute(p: dict[str, Any]) -> int | None:
        wrong = per_layer(p)
        return None if wrong is None else sum(wrong)
    return compute


def _no_bias(layer: Layer, raw: Layer, shape: Shape) -> int:
    return layer.param_count() - layer.biases()


def _no_input_channels(layer: Layer, raw: Layer, shape: Shape) -> int:
    if not isinstance(layer, Conv):
        return layer.param_count()
    return layer.kernel[0] * layer.kernel[1] * layer.outputs + layer.biases()  # type: ignore[operator]


def _pool_as_conv(layer: Layer, raw: Layer, shape: Shape) -> int:
    if not isinstance(layer, Pool | Subsample) or shape is None:
        return layer.param_count()
    maps = shape[0]
    return layer.kernel[0] * layer.kernel[1] * maps * maps + maps


def _connections_ignored(layer: Layer, raw: Layer, shape: Shape) -> int:
    if not isinstance(layer, Conv) or layer.connections is None:
        return layer.param_count()
    return replace(layer, connections=None).param_count()


def _running_stats(layer: Layer, raw: Layer, shape: Shape) -> int:
    return 4 * layer.channels if isinstance(layer, BatchNorm) else layer.param_count()  # type: ignore[operator]


def _batchnorm_nothing(layer: Layer, raw: Layer, shape: Shape) -> int:
    return 0 if isinstance(layer, BatchNorm) else layer.param_count()


def _correct(layer: Layer, raw: Layer, shape: Shape) -> int:
    return layer.param_count()


def _shortcut_forgotten(block: Layer, raw: Layer, one) -> int | None:  # type: ignore[no-untyped-def]
    if not isinstance(block, Residual) or not isinstance(raw, Residual):
        return None
    return sum(one(inner, given, None) for inner, given in zip(block.main, raw.main, strict=True))


def _auxiliary_forgotten(block: Layer, raw: Layer, one) -> int | None:  # type: ignore[no-untyped-def]
    return 0 if isinstance(block, Auxiliary) else None


def _groups_ignored(layer: Layer, raw: Layer, shape: Shape) -> int:
    if not isinstance(layer, Conv | Transposed) or layer.groups == 1:
        return layer.param_count()
    return replace(layer, groups=1).param_count()


def _se_forgotten(layer: Layer, raw: Layer, shape: Shape) -> int:
    return 0 if isinstance(layer, SqueezeExcite) else layer.param_count()


def _layernorm_over_positions(layer: Layer, raw: Layer, shape: Shape) -> int:
    if not isinstance(layer, LayerNorm) or shape is None:
        return layer.param_count()
    return 2 * shape[0] * shape[1] * shape[2]


def _flatten_forgotten(layer: Layer, raw: Layer, shape: Shape) -> int:
    if not isinstance(layer, Dense) or not isinstance(raw, Dense) or raw.inputs is not None or shape is None:
        return layer.param_count()
    return replace(layer, inputs=shape[0]).param_count()


_FEEDBACK = {
    "bias-forgotten": "You left out the biases: each output channel (or unit, or subsampled map) has one.",
    "input-channels-forgotten": "You forgot the input channels: each filter is k × k × (input channels), "
                                "so a convolution has k · k · in · out weights.",
    "pooling-as-conv": "You counted a pooling layer like a convolution with as many output as input maps: "
                       "max pooling learns nothing (LeNet's subsampling learns one coefficient and one bias per map).",
    "connection-table-ignored": "You ignored the connection table: each output map is connected only to the "
                                "input maps listed for it, not to all of them.",
    "flatten-forgotten": "You took only the channels as the dense layer's input: it sees the flattened feature maps, "
                         "channels × height × width of them.",
    "running-stats-counted": "You counted batch normalization's running mean and variance: they are statistics "
                             "gathered during training, not trained; only the scale and the shift are, 2 per channel.",
    "batchnorm-forgotten": "You counted batch normalization as nothing: it learns a scale and a shift per channel.",
    "shortcut-forgotten": "You left out the projection shortcuts: a block whose shape changes adds its input through "
                          "a 1×1 convolution (and its batch normalization), which has weights too.",
    "groups-ignored": "You counted a grouped convolution as a full one: with g groups each filter sees only in/g "
                      "input channels (a depthwise convolution, g = in, sees one), so it has g times fewer weights.",
    "se-forgotten": "You counted squeeze-and-excitation as nothing: its two 1×1 convolutions (C to S and back) "
                    "have weights and biases, 2CS + S + C.",
    "auxiliary-forgotten": "You left out the auxiliary classifier: it is used in training only, but its weights "
                           "are part of the model, and torchvision counts them.",
    "layernorm-over-positions": "You gave layer norm a scale and shift per number of the map: it normalizes the "
                                "channels at each position and learns a scale and shift per channel, 2C.",
}
_WRONG = {"bias-forgotten": _no_bias, "input-channels-forgotten": _no_input_channels,
          "pooling-as-conv": _pool_as_conv, "connection-table-ignored": _connections_ignored,
          "flatten-forgotten": _flatten_forgotten, "running-stats-counted": _running_stats,
          "batchnorm-forgotten": _batchnorm_nothing, "shortcut-forgotten": _correct, "groups-ignored": _groups_ignored,
          "se-forgotten": _se_forgotten, "auxiliary-forgotten": _correct,
          "layernorm-over-positions": _layernorm_over_positions}
_BLOCKS = {"shortcut-forgotten": _shortcut_forgotten, "auxiliary-forgotten": _auxiliary_forgotten}
PER_LAYER_MISTAKES = tuple(Mistake(name, _FEEDBACK[name], _per_layer(f, _BLOCKS.get(name)))
                           for name, f in _WRONG.items())
TOTAL_MISTAKES = tuple(Mistake(m.id, m.feedback, _total(m.compute)) for m in PER_LAYER_MISTAKES)


# -- the independent count: explicit weight tensors (Layer.tensor_entries) and window positions -------------


def flattened_inputs(layers: tuple[Layer, ...], channels: int, size: int) -> list[int | None]:
    """Each dense layer's input count, by walking window positions through the stack one by one."""
    state = (channels, size, size)
    found: list[int | None] = []
    for layer in layers:
        found.append(state[0] * state[1] * state[2] if isinstance(layer, Dense) else None)
        state = _walk(layer, state)
    return found


def _walk(layer: Layer, state: tuple[int, int, int]) -> tuple[int, int, int]:
    """(channels, height, width) after a layer: its channels as it sets them, its height and width by counting
    the positions of its windows (a block's: along a path), 1 x 1 where the maps end."""
    channels, height, width = state
    channels = layer.channels_after(channels, (height, width))  # type: ignore[assignment]
    height, width = (_positions(layer, n, axis) for axis, n in enumerate((height, width)))
    if layer.ends_spatial:
        height = width = 1
    return channels, height, width


def _positions(layer: Layer, n: int, axis: int) -> int:
    """How many output positions a layer has along an axis of n: a window's starts that fit the padded input
    (in ceil mode one more that starts inside the input, where the division has a remainder); a transposed
    convolution's positions covered by its kernel copies, less the cropped padding."""
    if isinstance(layer, Window):
        p, span, s = layer.pads[axis], layer.span(axis), layer.stride
        starts = [t for t in range(0, n + 2 * p, s) if t + span <= n + 2 * p]
        extra = starts[-1] + s if starts else 0
        return len(starts) + (layer.rounds_up() and extra + span < n + 2 * p + s and extra < n + p)
    if isinstance(layer, Transposed):
        last = (n - 1) * layer.stride + layer.dilation * (layer.kernel[axis] - 1) + layer.output_padding
        return len(range(layer.padding, last + 1 - layer.padding))
    if layer.block and layer.windowed:  # its paths give the same size
        path = next((path for _, path in layer.inner_paths() if path), ())
        for inner in path:
            n = _positions(inner, n, axis)
    return n


# -- sampling -------------------------------------------------------------------------------------------


def _draw_stack(rng: np.random.Generator, channels: int, size: int) -> list[dict[str, Any]]:
    """2-5 layers starting with a convolution: small kernels and channel counts, now and then a
    2x2 pool or a batch normalization, sometimes a dense layer at the end (when the flattened
    feature maps are at most 1024 numbers); 2 to 16 output channels, and some convolution has more than
    one input channel."""
    data = redraw(lambda: _stack_or_none(rng, channels, size), lambda data: data is not None,
                  f"a stack of layers for {channels} input channels of {size}×{size}", tries=1000)
    return layers_to_data(parse_layers(data))


def _stack_or_none(rng: np.random.Generator, channels: int, size: int) -> list[dict[str, Any]] | None:
    """One draw of `_draw_stack` (None when it breaks a rule)."""
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
        return None
    if dense:
        data.append({"type": "dense", "out": int(rng.integers(2, 11))})
    return data if len(data) >= 2 and wide_input else None


@template
class ParamCount(Template):
    id = "param-count"
    version = 2
    topic = "parameters"
    minutes = {"per_layer": 3, "total": 1}
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
        counts = [layer.param_count() for layer in stack.layers]
        if stack.size is None:
            inputs, math = "inputs", {}
        elif stack.channels is None:
            inputs, math = "{shape} inputs ({dims})", {"shape": Op("×", stack.size, stack.size), "dims": HW}
        else:
            inputs = "{shape} inputs ({dims})"
            math = {"shape": Op("×", Op("×", stack.channels, stack.size), stack.size), "dims": CHW}
        intro = f"The network is {network.title}, on {inputs}. Its layers, in order:" if network else \
            f"A network takes {inputs} and applies, in order:"
        shown = tuple(layer.stated(raw) for raw, layer in zip(stack.given, stack.layers, strict=True))
        statement = (sized_prose(intro, **math), *describe_stack(shown),
                     prose("Count trainable parameters only: weights and biases (a batch normalization has a "
                           "trainable scale and shift per channel; its running statistics are not trained)."))
        notes = list(dict.fromkeys(layer.count_note for layer in stack.layers if layer.count_note))
        per_layer = Part("per_layer", prose(
            "Give the number of trainable parameters of each layer, in order: a list of "
            f"{plural(len(counts), 'number')}, with 0 for a layer that has no trainable parameters"
            + (f" ({'; '.join(notes)})." if notes else ".")),
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
        expected = [layer.tensor_entries() for layer in stack.layers]
        total = question.part("total").answer.value
        if "per_layer" in question.part_ids:
            per_layer = list(question.part("per_layer").answer.value)
            assert per_layer == expected, f"per-layer counts {per_layer} != counted from tensors {expected}"
        assert total == sum(expected), f"total {total} != {sum(expected)} counted from tensors"
        if "network" in params:
            published = PUBLISHED[params["network"]].params
            assert total == published, f"total {total} != {published} published for {params['network']}"


def solution(stack: Stack, counts: list[int]) -> tuple:
    """A table, one row per layer (repeats share one: a run of identical layers, or of identical
    layer-and-batch-norm groups), and the sum."""
    rows, terms = [], []
    cells = [_cells(stack, i) for i in range(len(stack.layers))]
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
            parts.append((f"{stack.layers[index].noun}: " if size > 1 else "")
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


def _cells(stack: Stack, index: int) -> tuple[str, str, dict[str, Any], Any]:
    """(name, how the count goes with its math, the output shape as a cell) of one layer."""
    raw, layer, prior, shape = stack.given[index], stack.layers[index], stack.before[index], stack.after[index]
    how, math = layer.counting()
    note = layer.input_note(raw, prior)
    if note is not None:
        how = note[0] + how
        math.update(note[1])
    return layer.name, how, math, prose("-") if shape is None else layer.shape_cell(shape)
