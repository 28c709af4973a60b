"""Receptive fields: how many input pixels one unit of a layer sees, and its effective stride.

Sizes are per dimension (the side of the square input region); the template accepts square
kernels only, so height and width agree. The size is the extent of the region, padding
included, and gaps from dilation count as inside it.
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Eq, Op, Part, Question, Sym, prose
from exercises.params import OneOf, ParamError
from exercises.registry import Template, template
from exercises.topics.layers import (
    Layer,
    LayerRef,
    LayerStack,
    describe_layer,
    find_layer,
    layers_to_data,
    parse_layers,
    receptive_fields,
)
from exercises.topics.networks import NETWORKS, stack_of
from grader.answers import Integer

MAX_SAMPLED_FIELD = 64  # a sampled unit must see at most this many pixels (a plausible input)


def _unit_layers(p: dict[str, Any]) -> tuple[Layer, ...]:
    """The layers from the input up to and including the asked unit's layer."""
    layers, _ = stack_of(p)
    return layers[: find_layer(layers, p["unit"]) + 1]


def dependency_positions(layers: tuple[Layer, ...], position: int) -> set[int]:
    """The input positions (one axis) that unit `position` of the last layer depends on, found by
    walking back through the layers: output i of a window layer reads i·s − p + t·d, t < k."""
    positions = {position}
    for layer in reversed(layers):
        if layer.spatial:
            positions = {i * layer.stride - layer.padding + t * layer.dilation
                         for i in positions for t in range(layer.kernel[0])}
    return positions


def _spatial(layers: tuple[Layer, ...]) -> list[Layer]:
    return [layer for layer in layers if layer.spatial]


def _summed_kernels(p: dict[str, Any]) -> int:
    return sum(layer.kernel[0] for layer in _spatial(_unit_layers(p)))


def _strides_ignored(p: dict[str, Any]) -> int:
    return 1 + sum((layer.kernel[0] - 1) * layer.dilation for layer in _spatial(_unit_layers(p)))


def _off_by_one_low(p: dict[str, Any]) -> int:
    return receptive_fields(_unit_layers(p))[-1][0] - 1


def _off_by_one_high(p: dict[str, Any]) -> int:
    return receptive_fields(_unit_layers(p))[-1][0] + 1


def _multiplied_kernels(p: dict[str, Any]) -> int:
    return prod(layer.kernel[0] for layer in _spatial(_unit_layers(p)))


def _own_stride(p: dict[str, Any]) -> int:
    return _unit_layers(p)[-1].stride


def _summed_strides(p: dict[str, Any]) -> int:
    return sum(layer.stride for layer in _spatial(_unit_layers(p)))


_OFF_BY_ONE = ("You are off by one: start from a single input pixel (r = 1) and let each layer add "
               "(k - 1) times the jump.")
SIZE_MISTAKES = (
    Mistake("summed-kernels", "You added the kernel sizes: each layer widens the field by k - 1 (not k) times "
            "the current jump, because neighbouring windows overlap.", _summed_kernels),
    Mistake("strides-ignored", "You ignored the strides: after a stride-s layer, one step of the next kernel "
            "moves s input pixels, so later layers add (k - 1) times the product of the earlier strides.",
            _strides_ignored),
    Mistake("off-by-one", _OFF_BY_ONE, _off_by_one_low),
    Mistake("off-by-one-high", _OFF_BY_ONE, _off_by_one_high),
    Mistake("multiplied-kernels", "You multiplied the kernel sizes: receptive fields grow by adding "
            "(k - 1) times the jump per layer, not by multiplying.", _multiplied_kernels),
)
STRIDE_MISTAKES = (
    Mistake("own-stride-only", "You gave only this layer's own stride: the effective stride is the product "
            "of the strides of all layers up to and including it.", _own_stride),
    Mistake("summed-strides", "You added the strides: strides multiply (two stride-2 layers step 4 input "
            "pixels).", _summed_strides),
)


def _draw_layers(rng: np.random.Generator) -> list[dict[str, Any]]:
    """2-5 convolutions (k 2..5, stride 1..2) and 2x2/2 poolings, starting with a convolution,
    no two poolings in a row; some stride before the last layer; a field of at most 64 pixels."""
    while True:
        data = [_draw_conv(rng)]
        for _ in range(int(rng.integers(1, 5))):
            pool = data[-1]["type"] == "conv" and rng.random() < 0.35
            data.append({"type": "pool", "kernel": 2} if pool else _draw_conv(rng))
        layers = parse_layers(data)
        strided_before_last = any(layer.stride > 1 for layer in layers[:-1])
        if strided_before_last and receptive_fields(layers)[-1][0] <= MAX_SAMPLED_FIELD:
            return layers_to_data(layers)


def _draw_conv(rng: np.random.Generator) -> dict[str, Any]:
    return {"type": "conv", "kernel": int(rng.choice([2, 3, 3, 3, 4, 5, 5])), "stride": int(rng.choice([1, 1, 2]))}


@template
class ReceptiveField(Template):
    id = "receptive-field"
    version = 1
    topic = "receptive fields"
    summary = "receptive field size and effective stride of a unit in a stack of convolutions and poolings"
    params = {
        "layers": LayerStack(doc="the layers, in order (or pin network)"),
        "network": OneOf(doc="a named network instead of layers", options=tuple(NETWORKS)),
        "unit": LayerRef(doc="the layer whose units are asked about: a name or a number from 1 "
                             "(default: the last layer before any dense layer)"),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "layers" not in p and "network" not in p:
            p["layers"] = _draw_layers(rng)
        if "unit" not in p:
            layers, _ = stack_of(p)
            spatial = [layer for layer in layers if layer.type != "dense"]
            p["unit"] = spatial[-1].name if spatial else layers[0].name
        return p

    def validate(self, p: dict[str, Any]) -> None:
        layers, _ = stack_of(p)
        index = find_layer(layers, p["unit"])
        dense = next((i for i, layer in enumerate(layers) if layer.type == "dense"), None)
        if dense is not None and index >= dense:
            raise ParamError(f"unit {p['unit']!r} is at or after the dense layer {layers[dense].name} "
                             f"(layer {dense + 1}): dense layers end the spatial part; ask about a layer before it")
        if not any(layer.spatial for layer in layers[: index + 1]):
            raise ParamError("the layers up to the unit have no convolution or pooling: nothing to see")
        for number, layer in enumerate(layers[: index + 1]):
            if not layer.square:
                raise ParamError(f"layers[{number}] ({layer.type}) has a non-square kernel "
                                 f"{layer.kernel_text()}: receptive-field asks about square kernels only")

    def build(self, p: dict[str, Any]) -> Question:
        layers, network = stack_of(p)
        index = find_layer(layers, p["unit"])
        unit = layers[index]
        shown = layers[: index + 1] if network else layers
        intro = (f"The network is {network.title}; its layers up to {unit.name}, in order:" if network
                 else "A stack of layers processes an image, in this order:")
        statement = (prose(intro), *(describe_layer(i + 1, layer, counts=False) for i, layer in enumerate(shown)))
        fields = receptive_fields(layers[: index + 1])
        size, jump = fields[-1]
        where = f"one unit of {unit.name} (layer {index + 1})"
        parts = (
            Part("size", prose(f"How many input pixels wide is the receptive field of {where}, that is, the "
                               "side of the square of input pixels its value depends on?"),
                 expect(Integer, size, p, SIZE_MISTAKES), points=2),
            Part("stride", prose(f"What is the effective stride of {unit.name}: how many input pixels apart "
                                 "are the receptive fields of two neighbouring units?"),
                 expect(Integer, jump, p, STRIDE_MISTAKES)),
        )
        return self.question(p, title="Receptive field", statement=statement, parts=parts,
                             solution=self._solution(layers[: index + 1], fields))

    def _solution(self, layers: tuple[Layer, ...], fields: list[tuple[int, int]]) -> tuple:
        steps = [prose("Start from one input pixel, {start}, with jump {jump0} (input pixels between "
                       "neighbouring units). A layer with kernel k, dilation d and stride s widens the field by "
                       "(k - 1) d times the jump so far, and multiplies the jump by s:",
                       start=Eq(Sym("r_0"), 1), jump0=Eq(Sym("j_0"), 1))]
        r, j = 1, 1
        for number, (layer, (r_new, j_new)) in enumerate(zip(layers, fields, strict=True), start=1):
            if not layer.spatial:
                steps.append(prose(f"({number}) {layer.name}: no window, so {{r}} and {{j}} stay.",
                                   r=Eq(Sym(f"r_{number}"), r_new), j=Eq(Sym(f"j_{number}"), j_new)))
                continue
            growth = Op("*", layer.kernel[0] - 1, j) if layer.dilation == 1 else \
                Op("*", Op("*", layer.kernel[0] - 1, layer.dilation), j)
            steps.append(prose(f"({number}) {layer.name}: {{r}} and {{j}}.",
                               r=Eq(Sym(f"r_{number}"), Op("+", r, growth), r_new),
                               j=Eq(Sym(f"j_{number}"), Op("*", j, layer.stride), j_new)))
            r, j = r_new, j_new
        steps.append(prose("So one unit sees {size} input pixels, and neighbouring units are {jump} pixels apart.",
                           size=Op("×", r, r), jump=j))
        windows = [layer for layer in layers if layer.spatial]
        steps.append(draw.receptive_field([w.kernel[0] for w in windows], [w.stride for w in windows],
                                          [w.dilation for w in windows], [w.name for w in windows]))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        layers = _unit_layers(dict(question.params))
        first, second = dependency_positions(layers, 0), dependency_positions(layers, 1)
        size = max(first) - min(first) + 1
        jump = min(second) - min(first)
        got = question.part("size").answer.value, question.part("stride").answer.value  # type: ignore[attr-defined]
        assert got == (size, jump), f"receptive field (size, stride) {got} != simulated {(size, jump)}"
