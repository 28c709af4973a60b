"""Connections versus parameters (LeCun et al. 1998): how many multiply-adds a layer wires up, and how
few trainable parameters they share.

A connection joins an input unit to an output unit it feeds; a unit's trainable bias counts as one
more connection, as in the paper (C1 of LeNet-5: 6 × 28 × 28 units × (25 + 1) = 122,304 connections,
156 parameters). Max pooling has connections but no parameters; flattening has neither.
Padding is not offered: connections to padding zeros would be a matter of convention.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Op, Part, Question, Sym, prose
from exercises.params import Int, OneOf, ParamError
from exercises.redraw import redraw
from exercises.registry import Template, template
from exercises.topics.layer_kinds import KINDS, Conv, Window
from exercises.topics.layers import (
    CHW,
    Layer,
    LayerRef,
    LayerStack,
    describe_layer,
    find_layer,
    infer_shapes,
    layers_to_data,
    parse_layers,
    sized_prose,
)
from exercises.topics.networks import check_input, stack_of
from exercises.topics.parameters import PER_LAYER_MISTAKES
from exercises.topics.parameters import resolved as resolved_stack
from grader.answers import Integer, Vector

Shape = tuple[int, int, int]


def resolved(p: dict[str, Any]) -> tuple[tuple[Layer, ...], list[Shape], list[Shape]]:
    """The layers with inferred channels, and the (channels, height, width) before and after each."""
    stack = resolved_stack(p)  # validate() makes sure the input shape is known
    return stack.layers, stack.before, stack.after  # type: ignore[return-value]


def connections(layer: Layer, before: Shape, after: Shape, bias: bool = True, positions: int | None = None) -> int:
    """Σ over output units of (inputs read + 1 for a bias); `positions` replaces the output positions."""
    spots = after[1] * after[2] if positions is None else positions
    extra = 1 if bias and layer.biases() else 0
    return sum(spots * (inputs + extra) for inputs in layer.fan_in(before))


# -- the independent count: run each layer on ones -------------------------------------------------


def counted_connections(layer: Layer, shape: Shape) -> int:
    """Connections by running the layer on ones (weights 1, no bias): each output is the number of inputs
    it reads, so their sum counts the input connections; add one per output unit with a bias."""
    if layer.reshapes_only:
        return 0  # no unit feeds another
    out = layer.reads(np.ones(shape, dtype=np.int64))
    return int(out.sum()) + (out.size if layer.biases() else 0)


# -- misconceptions ---------------------------------------------------------------------------------


def _each_layer(count, right=None):
    """A misconception on the per-layer vector from a wrong count per layer (the right one: `right`, by default
    the connections); None for a stack without a layer that the mistake concerns (where it changes no count)."""
    def compute(p: dict[str, Any]) -> list[int] | None:
        layers, before, after = resolved(p)
        wrong = [count(layer, b, a) for layer, b, a in zip(layers, before, after, strict=True)]
        correct = [(right or _correct)(layer, b, a) for layer, b, a in zip(layers, before, after, strict=True)]
        return None if wrong == correct else wrong
    return compute


def _correct(layer: Layer, before: Shape, after: Shape) -> int:
    return connections(layer, before, after)


def _as_parameters(layer: Layer, before: Shape, after: Shape) -> int:
    return layer.param_count()


def _bias_connection_forgotten(layer: Layer, before: Shape, after: Shape) -> int:
    return connections(layer, before, after, bias=False)


def _one_position(layer: Layer, before: Shape, after: Shape) -> int:
    return connections(layer, before, after, positions=1)


def _input_positions(layer: Layer, before: Shape, after: Shape) -> int:
    return connections(layer, before, after, positions=before[1] * before[2]) if isinstance(layer, Window) else \
        _correct(layer, before, after)


def _table_ignored(layer: Layer, before: Shape, after: Shape) -> int:
    if not isinstance(layer, Conv) or layer.connections is None:
        return _correct(layer, before, after)
    return connections(replace(layer, connections=None), before, after)


CONNECTION_MISTAKES = (
    Mistake("connections-as-parameters", "You counted trainable parameters: a shared weight is one parameter but "
            "makes a connection at every output position.", _each_layer(_as_parameters)),
    Mistake("bias-connection-forgotten", "You left out the bias connections: in LeCun et al.'s count each unit "
            "with a trainable bias has one more connection.", _each_layer(_bias_connection_forgotten)),
    Mistake("one-position-only", "You counted one output position per map: every unit of an output map has its "
            "own connections.", _each_layer(_one_position)),
    Mistake("input-positions", "You multiplied by the input's positions: count the output units (the size after "
            "the layer).", _each_layer(_input_positions)),
    Mistake("connection-table-ignored", "You connected every output map to all input maps: the connection table "
            "lists which input maps each output map reads.", _each_layer(_table_ignored)),
)
PARAMETER_MISTAKES = (
    Mistake("parameters-as-connections", "You counted connections: the weights are shared, so a convolution has "
            "far fewer parameters than connections.", _each_layer(_correct, right=_as_parameters)),
    *PER_LAYER_MISTAKES,
)


def _asked(p: dict[str, Any]) -> tuple[Layer, Shape, Shape]:
    layers, before, after = resolved(p)
    index = find_layer(layers, p["layer"], "layer")
    return layers[index], before[index], after[index]


def _reuse(p: dict[str, Any]) -> int:
    """The key of part reuse: the output positions of the asked layer, each using a weight once."""
    _, _, after = _asked(p)
    return after[1] * after[2]


def _reuse_input_positions(p: dict[str, Any]) -> int:
    _, before, _ = _asked(p)
    return before[1] * before[2]


def _reuse_all_units(p: dict[str, Any]) -> int:
    _, _, after = _asked(p)
    return after[0] * after[1] * after[2]


def _reuse_taps(p: dict[str, Any]) -> int:
    layer, _, _ = _asked(p)
    return layer.kernel[0] * layer.kernel[1]


REUSE_MISTAKES = (
    Mistake("input-positions", "You counted the input's positions: the kernel visits each output position once.",
            _reuse_input_positions),
    Mistake("all-output-units", "You counted every output unit of every map: a weight belongs to one output "
            "map's kernel, so it is used once per position of that map.", _reuse_all_units),
    Mistake("kernel-taps", "That is the number of taps of one kernel: the question is how many output "
            "positions use one and the same weight.", _reuse_taps),
)


# -- sampling -------------------------------------------------------------------------------------


def _draw_stack(rng: np.random.Generator, channels: int, size: int) -> list[dict[str, Any]] | None:
    """LeNet-like: conv, pool or subsample, conv, pool or subsample, sometimes flatten + dense."""
    data: list[dict[str, Any]] = []
    for _ in range(2):
        data.append({"type": "conv", "out": int(rng.integers(2, 9)), "kernel": int(rng.choice([3, 5]))})
        down = str(rng.choice(["pool", "subsample"]))
        data.append({"type": down, "kernel": 2})
    if rng.random() < 0.5:
        data += [{"type": "flatten"}, {"type": "dense", "out": int(rng.integers(2, 11))}]
    layers = parse_layers(data)
    try:
        _, shapes = infer_shapes(layers, channels, (size, size))
    except ParamError:
        return None
    if min(shapes[3][1:]) < 2 or shapes[3][0] * shapes[3][1] * shapes[3][2] > 400:  # type: ignore[index]
        return None
    return layers_to_data(layers)


@template
class Connections(Template):
    id = "connections"
    version = 2  # 2: a variant in which part reuse's key is a mistake's (kernel taps) is redrawn
    topic = "parameters"
    minutes = {"connections": 2, "parameters": 1.5, "reuse": 1}
    summary = "connections (multiply-adds) against trainable parameters per layer, LeNet-style"
    params = {
        "layers": LayerStack(doc="the layers, in order (conv, pool, subsample, flatten, dense; no padding), "
                                 "or pin network"),
        "network": OneOf(doc="a named network instead of layers", options=("lenet5",)),
        "input_size": Int(doc="input height = width", low=4, high=256),
        "input_channels": Int(doc="input channels", low=1, high=64),
        "layer": LayerRef(doc="the convolution asked about in part reuse (drawn; with pinned layers: the first)"),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "layers" in p or "network" in p:  # pinned layers: the first convolution, unless pinned too
            if "layer" not in p:
                layers, _ = stack_of(p)
                p["layer"] = next((layer.name for layer in layers if isinstance(layer, Conv)), layers[0].name)
            return p
        p.setdefault("input_channels", int(rng.choice([1, 1, 3])))

        def draw() -> dict[str, Any] | None:
            size = p.get("input_size", int(rng.integers(14, 41)))
            data = _draw_stack(rng, p["input_channels"], size)
            if data is None:
                return None
            q = {**p, "input_size": size, "layers": data}
            if "layer" not in q:
                q["layer"] = str(rng.choice([layer.name for layer in stack_of(q)[0] if isinstance(layer, Conv)]))
            return q

        return redraw(draw, lambda q: q is not None and not self._reuse_mistaken(q),
                      "a LeNet-like stack that fits the input, with a reuse count no mistake gives", tries=1000)

    @staticmethod
    def _reuse_mistaken(p: dict[str, Any]) -> bool:
        """Whether a mistake of part reuse gives its key (a kernel of as many taps as output positions)."""
        try:
            return bool(gives_key(Integer, _reuse(p), p, REUSE_MISTAKES))
        except ParamError:
            return False  # a pinned layer that is not there: validate() says so

    def validate(self, p: dict[str, Any]) -> None:
        check_input(p, needed="connections are counted on a known input shape")
        layers, _ = stack_of(p)
        for index, layer in enumerate(layers):
            if not layer.counts_connections:
                counted = ", ".join(kind.type for kind in KINDS.values() if kind.counts_connections)
                raise ParamError(f"layers[{index}] ({layer.type}): connections are counted for {counted} layers only")
            if isinstance(layer, Window) and layer.padding:
                raise ParamError(f"layers[{index}] ({layer.type}) {layer.name}: padding is not offered here "
                                 "(whether zeros make connections is a matter of convention); use padding 0")
        resolved(p)
        asked = layers[find_layer(layers, p["layer"], "layer")]
        if not isinstance(asked, Conv):
            raise ParamError(f"layer {p['layer']!r} is a {asked.type} layer: part reuse asks about a convolution")

    def build(self, p: dict[str, Any]) -> Question:
        layers, before, after = resolved(p)
        _, network = stack_of(p)
        start = Op("×", Op("×", before[0][0], before[0][1]), before[0][2])
        intro = (f"The network is {network.title}, on {{shape}} inputs ({{dims}}). Its layers:"
                 if network else "A network takes {shape} inputs ({dims}) and applies, in order:")
        statement = (
            sized_prose(intro, shape=start, dims=CHW),
            *(describe_layer(i + 1, layer) for i, layer in enumerate(layers)),
            prose("As in LeCun et al. (1998), a connection joins an input unit to an output unit it feeds, and a "
                  "unit's trainable bias counts as one more connection. Max pooling has connections but no "
                  "parameters; a subsampling unit adds its inputs, scales the sum by a trainable coefficient and "
                  "adds a trainable bias; flattening has neither connections nor parameters."),
        )
        wired = [connections(layer, b, a) for layer, b, a in zip(layers, before, after, strict=True)]
        counts = [layer.param_count() for layer in layers]
        asked, asked_before, asked_after = _asked(p)
        reuse = _reuse(p)
        per_layer = f"a list of {len(layers)} numbers, one per layer in order"
        parts = (
            Part("connections", prose(f"How many connections does each layer have? Give {per_layer}."),
                 expect(Vector, wired, p, CONNECTION_MISTAKES), points=2,
                 solution=tuple(self._connections_step(i + 1, layer, b, a)
                                for i, (layer, b, a) in enumerate(zip(layers, before, after, strict=True)))),
            Part("parameters", prose(f"How many trainable parameters does each layer have? Give {per_layer}."),
                 expect(Vector, counts, p, PARAMETER_MISTAKES), points=2,
                 solution=(*(prose(f"({i + 1}) {layer.name}: " + text + ".", **math)
                             for i, (layer, (text, math)) in enumerate(
                                 (layer, layer.counting()) for layer in layers)),
                           prose("A kernel (and its bias) is shared by all positions of its map, so a "
                                 "convolution with {P} output positions per map has {P} times as many connections "
                                 "as parameters.", P=Sym("P")))),
            Part("reuse", prose(f"Take one weight of the kernels of {asked.name}. How many of {asked.name}'s "
                                "connections use that very weight?"),
                 expect(Integer, reuse, p, REUSE_MISTAKES),
                 solution=(prose(f"The kernel slides over all {{grid}} output positions of its map, and at each it "
                                 f"uses the weight once: {{reuse}} connections share it. So {asked.name} has "
                                 + (f"{reuse} times as many connections as parameters." if reuse > 1 else
                                    "as many connections as parameters: at a single position nothing is shared."),
                                 grid=Op("×", asked_after[1], asked_after[2]), reuse=reuse),)),
        )
        return self.question(p, title="Connections and parameters", statement=statement, parts=parts)

    def _connections_step(self, number: int, layer: Layer, before: Shape, after: Shape):
        total = connections(layer, before, after)
        if layer.reshapes_only:  # no connections, as no parameters: say why, as for its parameters
            text, math = layer.counting()
            return prose(f"({number}) {layer.name}: {text}.", **math)
        units = after[0] if layer.gives_vector else Op("×", Op("×", after[0], after[1]), after[2])
        inputs = layer.fan_in(before)
        bias = 1 if layer.biases() else 0
        extra = " and 1 bias" if bias else ""
        if len(set(inputs)) == 1:
            count = after[0] * after[1] * after[2]
            unit_words = "output unit, reading" if count == 1 else "output units, each reading"
            input_word = "input" if inputs[0] == 1 else "inputs"
            return prose(f"({number}) {layer.name}: {{units}} {unit_words} {{fan}} {input_word}{extra}: "
                         "{total}.", units=units, fan=inputs[0],
                         total=Eq(Op("×", units, inputs[0] + bias), total))
        groups: dict[int, int] = {}
        for value in inputs:
            groups[value] = groups.get(value, 0) + 1
        terms = [Op("×", maps, value + bias) for value, maps in groups.items()]
        chain: Any = terms[0]
        for term in terms[1:]:
            chain = Op("+", chain, term)
        spots = Op("×", after[1], after[2])
        return prose(f"({number}) {layer.name}: per position, the output maps read different numbers of inputs "
                     f"(from the connection table){extra}: {{per}} connections at each of {{spots}} "
                     + ("position, " if after[1] * after[2] == 1 else "positions, ") + "{total}.",
                     per=Eq(chain, total // (after[1] * after[2])), spots=spots,
                     total=Eq(Op("×", total // (after[1] * after[2]), spots), total))

    def verify(self, question: Question) -> None:
        p = dict(question.params)
        layers, before, _ = resolved(p)
        wired = [counted_connections(layer, shape) for layer, shape in zip(layers, before, strict=True)]
        tensors = [layer.tensor_entries() for layer in layers]
        assert list(question.part("connections").answer.value) == wired, f"connections != {wired} run on ones"  # type: ignore
        assert list(question.part("parameters").answer.value) == tensors, f"parameters != {tensors} in tensors"  # type: ignore
        index = find_layer(layers, p["layer"], "layer")
        layer = layers[index]
        in_map = (layer.connections[0][0] if layer.connections else 0)
        used = int(layer.reads(np.ones(before[index], dtype=np.int64), tap=(0, in_map, 0, 0)).sum())
        assert question.part("reuse").answer.value == used, f"reuse != {used} uses of one weight"  # type: ignore
