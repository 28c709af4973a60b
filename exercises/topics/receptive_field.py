"""Receptive fields: how many input pixels one unit of a layer sees, and its effective stride.

Sizes are per dimension (the side of the square input region); the template accepts square
kernels only, so height and width agree. The size is the extent of the region, padding
included, and gaps from dilation count as inside it. A residual block sees what either of its
paths sees. The effective stride is asked only where a unit has neighbours: not when the layer's
map is 1x1 at a named network's input size.
"""

from __future__ import annotations

from math import prod
from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Op, Part, Plus, Product, Question, Sym, Table, prose
from exercises.params import OneOf, ParamError
from exercises.redraw import redraw
from exercises.registry import Template, template
from exercises.topics.layer_kinds import Window
from exercises.topics.layer_kinds.base import Placeholders
from exercises.topics.layers import (
    Field,
    Layer,
    LayerRef,
    LayerStack,
    describe_stack,
    feature_sizes,
    fields,
    find_layer,
    layers_to_data,
    parse_layers,
    receptive_fields,
    runs,
    sized_prose,
)
from exercises.topics.networks import NETWORKS, PUBLISHED, stack_of
from grader.answers import Integer

MAX_SAMPLED_FIELD = 64  # a sampled unit must see at most this many pixels (a plausible input)
FIGURE_MAX_FIELD = MAX_SAMPLED_FIELD  # wider fields, longer chains and blocks get the table, no drawing
FIGURE_MAX_LAYERS = 8


def _unit_layers(p: dict[str, Any]) -> tuple[Layer, ...]:
    """The layers from the input up to and including the asked unit's layer."""
    layers, _ = stack_of(p)
    return layers[: find_layer(layers, p["unit"]) + 1]


def chain(layers: tuple[Layer, ...]) -> list[Window]:
    """The window layers along the main path: a residual block contributes its main path's windows."""
    return [window for layer in layers for window in layer.windows()]


def dependency_positions(layers: tuple[Layer, ...], position: int) -> set[int]:
    """The input positions (one axis) that unit `position` of the last layer depends on, found by
    walking back through the layers: output i of a window layer reads i·s − p + t·d, t < k; a residual
    block reads what its main path and its shortcut read."""
    positions = {position}
    for layer in reversed(layers):
        positions = layer.back(positions)
    return positions


def _summed_kernels(p: dict[str, Any]) -> int:
    return sum(layer.kernel[0] for layer in chain(_unit_layers(p)))


def _strides_ignored(p: dict[str, Any]) -> int:
    return 1 + sum((layer.kernel[0] - 1) * layer.dilation for layer in chain(_unit_layers(p)))


def _off_by_one_low(p: dict[str, Any]) -> int:
    return receptive_fields(_unit_layers(p))[-1][0] - 1


def _off_by_one_high(p: dict[str, Any]) -> int:
    return receptive_fields(_unit_layers(p))[-1][0] + 1


def _multiplied_kernels(p: dict[str, Any]) -> int:
    return prod(layer.kernel[0] for layer in chain(_unit_layers(p)))


def _own_stride(p: dict[str, Any]) -> int:
    return prod(layer.stride for layer in chain(_unit_layers(p)[-1:]))


def _summed_strides(p: dict[str, Any]) -> int:
    return sum(layer.stride for layer in chain(_unit_layers(p)))


_OFF_BY_ONE = ("You are off by one: start from a single input pixel (r = 1) and let each layer add "
               "(k − 1) times the jump.")
SIZE_MISTAKES = (
    Mistake("summed-kernels", "You added the kernel sizes: each layer widens the field by k − 1 (not k) times "
            "the current jump, because neighbouring windows overlap.", _summed_kernels),
    Mistake("strides-ignored", "You ignored the strides: after a stride-s layer, one step of the next kernel "
            "moves s input pixels, so later layers add (k − 1) times the product of the earlier strides.",
            _strides_ignored),
    Mistake("off-by-one", _OFF_BY_ONE, _off_by_one_low),
    Mistake("off-by-one-high", _OFF_BY_ONE, _off_by_one_high),
    Mistake("multiplied-kernels", "You multiplied the kernel sizes: receptive fields grow by adding "
            "(k − 1) times the jump per layer, not by multiplying.", _multiplied_kernels),
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
    def draw() -> list:
        data = [_draw_conv(rng)]
        for _ in range(int(rng.integers(1, 5))):
            pool = data[-1]["type"] == "conv" and rng.random() < 0.35
            data.append({"type": "pool", "kernel": 2} if pool else _draw_conv(rng))
        return parse_layers(data)

    def qualifies(layers: list) -> bool:
        strided_before_last = any(layer.stride > 1 for layer in layers[:-1])
        return strided_before_last and receptive_fields(layers)[-1][0] <= MAX_SAMPLED_FIELD

    return layers_to_data(redraw(draw, qualifies, "a stack with a stride before its last layer", tries=1000))


def _draw_conv(rng: np.random.Generator) -> dict[str, Any]:
    return {"type": "conv", "kernel": int(rng.choice([2, 3, 3, 3, 4, 5, 5])), "stride": int(rng.choice([1, 1, 2]))}


def map_side(p: dict[str, Any]) -> int | None:
    """The side of the asked layer's map at a named network's input size (None for a bare stack)."""
    layers, network = stack_of(p)
    if network is None:
        return None
    index = find_layer(layers, p["unit"])
    return feature_sizes(layers[: index + 1], (network.input_size, network.input_size))[-1][0]


@template
class ReceptiveField(Template):
    id = "receptive-field"
    version = 3  # 3: a stack in which a named mistake gives the field or the stride (two stride-2 layers) is redrawn
    topic = "receptive fields"
    minutes = {"size": 2, "stride": 1}
    summary = "receptive field size and effective stride of a unit in a stack of convolutions, poolings and blocks"
    params = {
        "layers": LayerStack(doc="the layers, in order (or pin network)"),
        "network": OneOf(doc="a named network instead of layers", options=tuple(NETWORKS)),
        "unit": LayerRef(doc="the layer whose units are asked about: a name or a number from 1 "
                             "(default: the last layer before any dense, global pooling or flatten layer)"),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "layers" not in p and "network" not in p:
            p["layers"] = redraw(lambda: _draw_layers(rng), lambda data: not self._mistaken({**p, "layers": data}),
                                 "a stack whose field and stride no named mistake gives")
        if "unit" not in p:
            layers, _ = stack_of(p)
            end = next((i for i, layer in enumerate(layers) if layer.ends_spatial), len(layers))
            p["unit"] = layers[max(end, 1) - 1].name
        return p

    @staticmethod
    def _mistaken(p: dict[str, Any]) -> bool:
        """Whether a named mistake gives the field or the stride of a drawn stack's last layer (two stride-2
        layers: summed strides are 4 too)."""
        q = {"unit": stack_of(p)[0][-1].name, **p}
        size, jump = receptive_fields(_unit_layers(q))[-1]
        return bool(gives_key(Integer, size, q, SIZE_MISTAKES) or gives_key(Integer, jump, q, STRIDE_MISTAKES))

    def validate(self, p: dict[str, Any]) -> None:
        layers, _ = stack_of(p)
        index = find_layer(layers, p["unit"])
        end = next((i for i, layer in enumerate(layers) if layer.ends_spatial), None)
        if end is not None and index >= end:
            kind = layers[end].noun
            raise ParamError(f"unit {p['unit']!r} is at or after the {kind} layer {layers[end].name} "
                             f"(layer {end + 1}): {kind} layers end the spatial part; ask about a layer before it")
        if not chain(layers[: index + 1]):
            raise ParamError("the layers up to the unit have no convolution or pooling: nothing to see")
        for number, layer in enumerate(layers[: index + 1]):
            if not layer.square:
                raise ParamError(f"layers[{number}] ({layer.type}) {layer.name} has a non-square kernel: "
                                 "receptive-field asks about square kernels only")
        fields(layers[: index + 1])  # the two paths of every block must step alike
        map_side(p)  # the unit's layer must fit the network's input

    def build(self, p: dict[str, Any]) -> Question:
        layers, network = stack_of(p)
        index = find_layer(layers, p["unit"])
        unit = layers[index]
        shown = layers[: index + 1] if network else layers
        intro = (f"The network is {network.title}; its layers up to {unit.name}, in order:" if network
                 else "A stack of layers processes an image, in this order:")
        statement = (sized_prose(intro), *describe_stack(shown, counts=False))
        size, jump = receptive_fields(layers[: index + 1])[-1]
        side = map_side(p)
        where = f"one unit of {unit.name} (layer {index + 1})"
        ask_stride = side != 1
        parts = [Part("size", prose(f"How many input pixels wide is the receptive field of {where}, that is, the "
                                    "side of the square of input pixels its value depends on?"),
                      expect(Integer, size, p, SIZE_MISTAKES), points=2 if ask_stride else 3)]
        if ask_stride:
            parts.append(Part("stride", prose(f"What is the effective stride of {unit.name}: how many input pixels "
                                              "apart are the receptive fields of two neighbouring units?"),
                              expect(Integer, jump, p, STRIDE_MISTAKES)))
        return self.question(p, title="Receptive field", statement=statement, parts=tuple(parts),
                             solution=solution(layers[: index + 1], side))

    def verify(self, question: Question) -> None:
        params = dict(question.params)
        layers = _unit_layers(params)
        first, second = dependency_positions(layers, 0), dependency_positions(layers, 1)
        size = max(first) - min(first) + 1
        assert question.part("size").answer.value == size, \
            f"receptive field {question.part('size').answer.value} != back-projected {size}"
        if "stride" in question.part_ids:
            jump = min(second) - min(first)
            assert question.part("stride").answer.value == jump, \
                f"effective stride {question.part('stride').answer.value} != back-projected {jump}"  # type: ignore
        published = PUBLISHED[params["network"]].fields if "network" in params else {}
        name = layers[-1].name
        assert published.get(name, size) == size, f"{name}: published receptive field {published[name]} != {size}"


def solution(layers: tuple[Layer, ...], side: int | None) -> tuple:
    """The recurrence as a table, one row per layer (or per run of identical layers), and a drawing
    for a short chain of small windows."""
    steps: list[Any] = [prose(
        "Start from one input pixel, {r0}, with jump {j0} (the distance, in input pixels, between neighbouring "
        "units). A layer with kernel {k}, dilation {d} and stride {s} widens the field by {growth} times the jump so "
        "far and multiplies the jump by {s}; a layer without a window changes neither."
        + "".join(" " + note for note in dict.fromkeys(layer.field_note for layer in layers if layer.field_note)),
        r0=Eq(Sym("r_0"), 1), j0=Eq(Sym("j_0"), 1), k=Sym("k"), d=Sym("d"), s=Sym("s"),
        growth=Product(Plus(Sym("k"), -1), Sym("d")))]
    steps.append(Table(("layers", "window", "field r", "jump j"), tuple(_rows(layers))))
    size, jump = receptive_fields(layers)[-1]
    name = layers[-1].name
    if side == 1:
        steps.append(prose(f"So one unit of {name} sees {{size}} input pixels ({name}'s map is {{one}} at this "
                           "input size: it has no neighbouring units).", size=Op("×", size, size), one=Op("×", 1, 1)))
    else:
        steps.append(prose("So one unit sees {size} input pixels, and neighbouring units are {jump} "
                           + ("pixel" if jump == 1 else "pixels") + " apart.", size=Op("×", size, size), jump=jump))
    windows = chain(layers)
    if size <= FIGURE_MAX_FIELD and len(windows) <= FIGURE_MAX_LAYERS and not any(layer.block for layer in layers):
        steps.append(draw.receptive_field([w.kernel[0] for w in windows], [w.stride for w in windows],
                                          [w.dilation for w in windows], [w.name for w in windows]))
    return tuple(steps)


def _growth_terms(layer: Layer, jump: int) -> list[Any]:
    """The terms (k - 1)·d·j by which a layer (a block: its main path) widens the field, nonzero ones."""
    terms = []
    for window in chain((layer,)):
        reach = (window.kernel[0] - 1) * window.dilation
        if reach:
            terms.append(Op("*", reach, jump))
        jump *= window.stride
    return terms


def _rows(layers: tuple[Layer, ...]) -> list[tuple]:
    """Table rows: a layer with the batch normalizations after it shares a row, and so does a run of
    such identical groups that do not stride."""
    rows = []
    field = Field()
    all_fields = fields(layers)
    for start, end, repeats in _row_runs(layers):
        after = all_fields[end - 1]
        names = layers[start].name if end - start == 1 else f"{layers[start].name} to {layers[end - 1].name}"
        numbers = f"({start + 1})" if end - start == 1 else f"({start + 1})–({end})"
        group = layers[start:start + (end - start) // repeats]
        terms = [term for layer in group for term in _growth_terms(layer, field.jump)]
        r_math: Any = after.size
        if terms and after.size == field.size + repeats * sum(_value(t) for t in terms):
            growth: Any = terms[0]
            for term in terms[1:]:
                growth = Op("+", growth, term)
            if repeats > 1:
                growth = Op("*", repeats, sum(_value(t) for t in terms) if len(terms) > 1 else growth)
            r_math = Eq(Op("+", field.size, growth), after.size)
        j_math: Any = Eq(Op("*", field.jump, after.jump // field.jump), after.jump) if after.jump != field.jump \
            else after.jump
        window = "; ".join([layer.window_text() for layer in group if layer.windowed]
                           + [layer.noun for layer in group if not layer.windowed][:1]) or "none"
        window += " (each)" if repeats > 1 else ""
        slots = Placeholders()
        rows.append((prose(f"{numbers} {names}"), prose(slots.sizes(window), **slots.math), prose("{r}", r=r_math),
                     prose("{j}", j=j_math)))
        field = after
    return rows


def _row_runs(layers: tuple[Layer, ...]) -> list[tuple[int, int, int]]:
    """runs() of equal windows, with a run that strides split into single groups (its jump changes)."""
    found = []
    for start, end, repeats in runs(layers, lambda layer: layer.field_signature()):
        size = (end - start) // repeats
        if repeats > 1 and _stride(layers[start]) > 1:
            found += [(begin, begin + size, 1) for begin in range(start, end, size)]
        else:
            found.append((start, end, repeats))
    return found


def _value(term: Op) -> int:
    return term.left * term.right  # type: ignore[no-any-return]


def _stride(layer: Layer) -> int:
    return prod(window.stride for window in chain((layer,)))
