"""Shape trace: the shape (channels × height × width, or a vector's length) after each layer of a stack,
each layer an asked part. Sizes follow PyTorch: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 per axis. After a
dense, global pooling or flatten layer the maps are gone and the length of the vector is asked; a
residual block is one layer (its main path and shortcut, added).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.by_content import by_content, read_back
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Op, Part, Question, prose
from exercises.params import Int, OneOf, Param, ParamError, _is_int, _show
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.topics.layer_kinds import Concat, Conv, Dense, Flatten, Transposed, Window
from exercises.topics.layer_kinds.base import nested
from exercises.topics.layers import (
    CHW,
    Layer,
    LayerStack,
    describe_stack,
    infer_shapes,
    layers_to_data,
    output_size,
    parse_layers,
    sized_prose,
)
from exercises.topics.networks import NETWORKS, check_input, stack_of
from exercises.wording import plural
from grader.answers import Integer, Tuple

Shape = tuple[int, int, int]


@dataclass(frozen=True)
class InputSize(Param):
    """Height = width, or [height, width]."""

    high: int = 512

    def check(self, name: str, value: Any) -> int | list[int]:
        if _is_int(value) and 1 <= value <= self.high:
            return value
        if isinstance(value, list) and len(value) == 2 and all(_is_int(v) and 1 <= v <= self.high for v in value):
            return list(value)
        raise ParamError(f"{name} must be {self.describe()}, got {_show(value)}")

    def describe(self) -> str:
        return f"a size from 1 to {self.high} (height = width) or [height, width]"


def input_shape(p: dict[str, Any]) -> Shape:
    if "network" in p:
        network = NETWORKS[p["network"]]
        return network.input_channels, network.input_size, network.input_size
    size = p["input_size"]
    return (p["input_channels"], size, size) if _is_int(size) else (p["input_channels"], *size)


def trace(p: dict[str, Any]) -> tuple[tuple[Layer, ...], list[Shape], list[Shape]]:
    """The layers (channels inferred) and the shape before and after each; a vector is (length, 1, 1)."""
    done, before, after = _traced(p)
    return done, list(before), list(after)


@by_content(64)  # each layer's misconceptions trace the same stack again
def _traced(p: dict[str, Any]) -> tuple[tuple[Layer, ...], tuple[Shape, ...], tuple[Shape, ...]]:
    """`_trace` of the parameters read back from JSON, as key.json holds them (as they are if they are not plain
    data)."""
    return _trace(read_back(p))


def _trace(p: dict[str, Any]) -> tuple[tuple[Layer, ...], tuple[Shape, ...], tuple[Shape, ...]]:
    layers, _ = stack_of(p)
    start = input_shape(p)
    done, after = infer_shapes(layers, start[0], start[1:])
    return done, (start, *after[:-1]), tuple(after)  # type: ignore[return-value]


def _rounds_up(layers: tuple[Layer, ...]) -> bool:
    """Some window of the stack, inside a block or not, rounds its output size up (ceil_mode)."""
    every = [*layers, *(inner for inner, _, _ in nested(layers, "", ""))]
    return any(isinstance(layer, Window) and layer.rounds_up() for layer in every)


# -- misconceptions: one layer done wrong, from the right shape before it --------------------------------


def _sizes(layer: Window, shape: Shape, *, padding: int | None = None, stride: int | None = None,
           dilation: int | None = None, ceil: bool | None = None, plus_one: bool = True,
           one_side: bool = False) -> Shape | None:
    """The shape after a window layer computed with some setting changed (rounding up or down as PyTorch's
    ceil_mode does, unless `ceil` says); None when nothing fits."""
    s = layer.stride if stride is None else stride
    d = layer.dilation if dilation is None else dilation
    own_rule = ceil is None and layer.rounds_up() and not one_side  # PyTorch's ceil_mode, with its exception
    rounds_up = layer.rounds_up() if ceil is None else ceil
    sides = []
    for axis in (0, 1):
        p = layer.pads[axis] if padding is None else padding
        room = shape[1 + axis] + (p if one_side else 2 * p) - d * (layer.kernel[axis] - 1) - 1
        if room < 0:
            return None
        side = output_size(shape[1 + axis], layer.kernel[axis], s, p, d, True) if own_rule else \
            (-(-room // s) if rounds_up else room // s) + 1
        sides.append(side if plus_one else side - 1)
    return layer.channels_after(shape[0], None), sides[0], sides[1]  # type: ignore[return-value]


def _padding_forgotten(layer: Layer, shape: Shape) -> Shape | None:
    return _sizes(layer, shape, padding=0) if isinstance(layer, Window) and layer.padding else None


def _padding_one_side(layer: Layer, shape: Shape) -> Shape | None:
    return _sizes(layer, shape, one_side=True) if isinstance(layer, Window) and layer.padding else None


def _stride_ignored(layer: Layer, shape: Shape) -> Shape | None:
    return _sizes(layer, shape, stride=1) if isinstance(layer, Window) and layer.stride > 1 else None


def _dilation_ignored(layer: Layer, shape: Shape) -> Shape | None:
    return _sizes(layer, shape, dilation=1) if isinstance(layer, Window) and layer.dilation > 1 else None


def _ceil_vs_floor(layer: Layer, shape: Shape) -> Shape | None:
    """None where nothing is rounded (the stride divides the room on both axes)."""
    if not isinstance(layer, Window) or layer.stride == 1 or layer.rounds_up():
        return None
    rounded = _sizes(layer, shape, ceil=True)
    return None if rounded == _sizes(layer, shape) else rounded


def _ceil_mode_ignored(layer: Layer, shape: Shape) -> Shape | None:
    """None where rounding down gives the same (the stride divides the room)."""
    if not isinstance(layer, Window) or not layer.rounds_up():
        return None
    floor = _sizes(layer, shape, ceil=False)
    return None if floor == _sizes(layer, shape) else floor


def _plus_one_forgotten(layer: Layer, shape: Shape) -> Shape | None:
    return _sizes(layer, shape, plus_one=False) if isinstance(layer, Window) else None


def _channels_unchanged(layer: Layer, shape: Shape) -> Shape | None:
    """None for a convolution that keeps the number of channels: keeping them is then right."""
    if not isinstance(layer, Conv) or layer.outputs == shape[0]:
        return None
    after = _sizes(layer, shape)
    return None if after is None else (shape[0], after[1], after[2])


def _flatten_channels_forgotten(layer: Layer, shape: Shape) -> int | None:
    return shape[1] * shape[2] if isinstance(layer, Flatten) else None


def _flatten_summed(layer: Layer, shape: Shape) -> int | None:
    return sum(shape) if isinstance(layer, Flatten) else None


def _dense_gave_inputs(layer: Layer, shape: Shape) -> int | None:
    return shape[0] * shape[1] * shape[2] if isinstance(layer, Dense) else None


def _one_branch(layer: Layer, shape: Shape) -> Shape | None:
    """The channels of the last branch only (a DenseNet layer's new maps, an Inception module's last branch)."""
    if not isinstance(layer, Concat):
        return None
    size = layer.size_after(shape[1:], layer.name)
    return layer.branch_channels(shape[0])[-1], *size  # type: ignore[return-value,misc]


def _transposed_as_forward(layer: Layer, shape: Shape) -> Shape | None:
    """A transposed convolution's size by the forward formula ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1."""
    if not isinstance(layer, Transposed):
        return None
    sides = [output_size(shape[1 + a], layer.kernel[a], layer.stride, layer.padding, layer.dilation) for a in (0, 1)]
    if min(sides) < 1 or tuple(sides) == layer.size_after(shape[1:], layer.name):  # a 1x1 stride-1 layer: the same
        return None
    return layer.outputs, *sides  # type: ignore[return-value]


def _output_padding_forgotten(layer: Layer, shape: Shape) -> Shape | None:
    if not isinstance(layer, Transposed) or not layer.output_padding:
        return None
    after = replace(layer, output_padding=0).size_after(shape[1:], layer.name)
    return (layer.outputs, *after)  # type: ignore[return-value,misc]


_WRONG: dict[str, tuple[str, Callable[[Layer, Shape], Any]]] = {
    "padding-forgotten": ("You left out the padding: p zeros on each side make each axis 2p longer.",
                          _padding_forgotten),
    "padding-one-side": ("You padded one side only: p zeros go on each side, 2p per axis.", _padding_one_side),
    "stride-ignored": ("You used stride 1: with stride s the window moves s positions at a time, so divide the "
                       "room it has by s.", _stride_ignored),
    "dilation-ignored": ("You ignored the dilation: a kernel of size k with dilation d spans d(k − 1) + 1 "
                         "positions.", _dilation_ignored),
    "ceil-vs-floor": ("You rounded up: a window that does not fit entirely is dropped, so the division rounds "
                      "down (floor).", _ceil_vs_floor),
    "ceil-mode-ignored": ("You rounded down: this pooling rounds up (ceil_mode), so a last window that runs past "
                          "the input still counts, as long as it starts inside it.", _ceil_mode_ignored),
    "off-by-one": ("You are off by one: the first window position counts too, hence the + 1.", _plus_one_forgotten),
    "channels-unchanged": ("You kept the input's channels: a convolution outputs one map per filter, its output "
                           "channels.", _channels_unchanged),
    "flatten-channels-forgotten": ("You flattened one map only: all channels go into the vector, "
                                   "channels × height × width numbers.", _flatten_channels_forgotten),
    "flatten-summed": ("You added the sizes: flattening lines up every number, channels × height × width of them.",
                       _flatten_summed),
    "dense-gave-inputs": ("That is the layer's input: a fully connected layer outputs one number per unit.",
                          _dense_gave_inputs),
    "concat-one-branch": ("You gave one branch's channels: the branches' outputs are concatenated along the "
                          "channels, so their channels add up (an empty branch passes on the input's).", _one_branch),
    "transposed-as-forward": ("You used the forward convolution's formula: a transposed convolution grows the "
                              "maps, (n − 1)s − 2p + d(k − 1) + output_padding + 1.", _transposed_as_forward),
    "output-padding-forgotten": ("You left out output_padding: it adds that many rows and columns at the end.",
                                 _output_padding_forgotten),
}


def _at(index: int, wrong: Callable[[Layer, Shape], Any]) -> Callable[[dict[str, Any]], Any]:
    def compute(p: dict[str, Any]) -> Any:
        layers, before, _ = trace(p)
        return wrong(layers[index], before[index])
    return compute


CHANNELS_LAST = ("You gave (height, width, channels), the channels-last order of images and TensorFlow: the "
                 "question asks for (channels, height, width), PyTorch's order.")


def channels_last(shape: tuple[int, ...]) -> tuple[int, ...] | None:
    """A (C, H, W) shape written as (H, W, C); None when that reads the same (nothing tells the two apart)."""
    moved = (*shape[1:], shape[0])
    return None if moved == tuple(shape) else moved


def _channels_last(index: int) -> Callable[[dict[str, Any]], Any]:
    def compute(p: dict[str, Any]) -> Any:
        layers, _, after = trace(p)
        return None if any(layer.ends_spatial for layer in layers[:index + 1]) else channels_last(after[index])
    return compute


def layer_mistakes(index: int) -> tuple[Mistake, ...]:
    return (*(Mistake(name, feedback, _at(index, wrong)) for name, (feedback, wrong) in _WRONG.items()),
            Mistake("channels-last", CHANNELS_LAST, _channels_last(index)))


# -- sampling -----------------------------------------------------------------------------------------------


def _draw_layer(rng: np.random.Generator, slot: int) -> dict[str, Any]:
    if slot % 2 and rng.random() < 0.6:
        k = int(rng.choice([2, 2, 3]))
        return {"type": "pool", "kernel": k, "stride": 2, **({"padding": 1} if k == 3 and rng.random() < 0.5 else {})}
    k = int(rng.choice([1, 3, 3, 3, 5, 5, 7]))
    layer = {"type": "conv", "out": int(rng.choice([4, 6, 8, 12, 16, 24, 32])), "kernel": k,
             "stride": int(rng.choice([1, 1, 2])), "padding": int(rng.choice([0, k // 2, k // 2]))}
    if k == 3 and rng.random() < 0.2:
        layer["dilation"] = 2
    return layer


def draw_stack(rng: np.random.Generator, channels: int, size: tuple[int, int]) -> list[dict[str, Any]]:
    """Four window layers (a convolution first; pooling or convolution second and fourth) and a flatten,
    every map at least 2 x 2 and at most 20000 numbers flattened."""
    def fits(layers: list) -> bool:
        try:
            _, shapes = infer_shapes(layers, channels, size)
        except ParamError:
            return False
        return min(shapes[3][1:]) >= 2 and shapes[4][0] <= 20000  # type: ignore[index]

    layers = redraw(lambda: parse_layers([_draw_layer(rng, slot) for slot in range(4)] + [{"type": "flatten"}]),
                    fits, f"four layers that fit an input of {size[0]}×{size[1]}", tries=1000)
    return layers_to_data(layers)


@template
class ShapeTrace(Template):
    id = "shape-trace"
    version = 2  # 2: a stack in which a named mistake gives a shape (padding on one side that the stride swallows) is
    # redrawn
    topic = "padding and output size"
    minutes = 1.5
    summary = "channels × height × width after each layer of a stack (conv, pool, padding, stride, dilation, flatten)"
    params = {
        "layers": LayerStack(doc="the layers, in order (or pin network)"),
        "network": OneOf(doc="a named network instead of layers", options=tuple(NETWORKS)),
        "input_size": InputSize(doc="input height = width, or [height, width]"),
        "input_channels": Int(doc="input channels", low=1, high=512),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "network" in p or "layers" in p:  # pinned layers need a pinned input (validate says so)
            return p
        p.setdefault("input_channels", int(rng.choice([1, 3, 3])))
        if "input_size" not in p:
            height = int(rng.integers(20, 65))
            p["input_size"] = height if rng.random() < 0.6 else [height, int(rng.integers(20, 65))]
        p["layers"] = prefer(lambda: draw_stack(rng, p["input_channels"], input_shape(p)[1:]),
                             lambda data: not self._mistaken({**p, "layers": data}), lambda data: True, "a stack")
        return p

    @staticmethod
    def _mistaken(p: dict[str, Any]) -> bool:
        """Whether a named mistake gives the shape after some layer (one-sided padding that the stride swallows)."""
        layers, _, after = trace(p)
        end = next((i for i, layer in enumerate(layers) if layer.ends_spatial), len(layers))
        return any(gives_key(Integer, shape[0], p, layer_mistakes(index)) if index >= end
                   else gives_key(Tuple, shape, p, layer_mistakes(index)) for index, shape in enumerate(after))

    def validate(self, p: dict[str, Any]) -> None:
        check_input(p, needed="a shape trace starts from a known input shape")
        trace(p)

    def build(self, p: dict[str, Any]) -> Question:
        given, network = stack_of(p)
        layers, before, after = trace(p)
        start = before[0]
        intro = (f"The network is {network.title}. It takes inputs of {{shape}} ({{dims}}); "
                 "its layers, in order:" if network else
                 "A network takes inputs of {shape} ({dims}) and applies, in order:")
        rounding = ("Sizes follow PyTorch: a window that does not fit entirely in the (padded) input is dropped"
                    + ("; a pooling in ceil mode rounds up instead, keeping a last window that runs past the input "
                       "as long as it starts inside it (or in the left padding)." if _rounds_up(given) else "."))
        statement = (
            sized_prose(intro, shape=Op("×", Op("×", start[0], start[1]), start[2]), dims=CHW),
            *describe_stack(given),
            prose(rounding),
        )
        end = next((i for i, layer in enumerate(layers) if layer.ends_spatial), len(layers))
        parts = tuple(self._part(p, i, layer, before[i], after[i], i >= end) for i, layer in enumerate(layers))
        return self.question(p, title="Shape trace", statement=statement, parts=parts)

    def _part(self, p: dict[str, Any], index: int, layer: Layer, before: Shape, after: Shape, vector: bool) -> Part:
        """A layer's part: its shape, or the length of the vector once the maps have ended (`vector`)."""
        where = f"layer ({index + 1}) {layer.name}"
        if vector:
            prompt = prose(f"How many numbers does the vector after {where} hold?")
            spec = expect(Integer, after[0], p, layer_mistakes(index))
        else:
            prompt = prose(f"What is the shape after {where}? Give (channels, height, width).")
            spec = expect(Tuple, after, p, layer_mistakes(index), names=("channels", "height", "width"))
        return Part(f"layer{index + 1}", prompt, spec,
                    solution=(self._worked(index + 1, layer, before, after, vector and not layer.ends_spatial),))

    def _worked(self, number: int, layer: Layer, before: Shape, after: Shape, on_vector: bool):
        if on_vector:  # a dropout or a normalization after the maps have ended
            return prose(f"({number}) {layer.name}: {layer.noun} keeps the vector's {plural(after[0], 'number')}.")
        text, math = layer.shape_steps(before, after)
        return prose(f"({number}) {layer.name}: {text}.", **math)

    def verify(self, question: Question) -> None:
        p = dict(question.params)
        layers, _ = stack_of(p)
        x = np.ones(input_shape(p), dtype=np.int64)
        for index, layer in enumerate(layers):
            x = layer.reads(x)
            expected = x.shape[0] if x.ndim == 1 else tuple(x.shape)
            got = question.part(f"layer{index + 1}").answer.value
            got = got if isinstance(got, int) else tuple(got)
            assert got == expected, f"layer {index + 1} ({layer.name}): key {got}, run on ones: {expected}"

