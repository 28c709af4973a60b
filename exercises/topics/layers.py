"""The layer-stack model shared by receptive fields, parameter counts and output sizes.

The YAML form of a stack (convolutions, poolings, normalizations, blocks of layers, dense layers …) and
its parsing live in `layer_spec` (its docstring documents every key), each kind of layer in `layer_kinds`
(its parameters, shape, receptive-field step and description); this module is what templates import: the
parameter specs, descriptions of a stack for question text, and a stack's arithmetic — output sizes,
receptive fields (through blocks) and shape inference, layer after layer.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from exercises.model import Op, Prose, prose
from exercises.params import Param, ParamError, _is_int
from exercises.topics.layer_kinds import Field, Layer
from exercises.topics.layer_kinds.base import Placeholders, Shape, infer_path, nested
from exercises.topics.layer_kinds.transposed import transposed_output_size
from exercises.topics.layer_kinds.window import output_size
from exercises.topics.layer_spec import MAX_LAYERS, NAME, count_layers, layers_to_data, parse_layers

__all__ = [
    "MAX_LAYERS", "Field", "Layer", "LayerRef", "LayerStack", "count_layers", "describe_layer", "describe_stack",
    "feature_sizes", "fields", "find_layer", "infer_shapes", "layers_to_data", "output_size",
    "parse_layers", "receptive_fields", "runs", "transposed_output_size",
]


@dataclass(frozen=True)
class LayerStack(Param):
    """A template parameter holding a layer stack; its value is the canonical list of mappings."""

    max_len: int = MAX_LAYERS

    def check(self, name: str, value: Any) -> list[dict[str, Any]]:
        if isinstance(value, list) and len(value) > self.max_len:
            raise ParamError(f"{name} may have at most {self.max_len} layers, got {len(value)}")
        try:
            return layers_to_data(parse_layers(value))
        except ParamError as error:
            text = str(error)
            raise ParamError(name + text[len("layers"):] if text.startswith("layers") else text) from None

    def describe(self) -> str:
        return "a list of layers such as [{type: conv, kernel: 3}, {type: pool, kernel: 2}]"


@dataclass(frozen=True)
class LayerRef(Param):
    """A layer of the stack: its name or its 1-based position."""

    def check(self, name: str, value: Any) -> int | str:
        if (_is_int(value) and value >= 1) or (isinstance(value, str) and NAME.match(value)):
            return value
        raise self.error(name, value)

    def describe(self) -> str:
        return "a layer name (like C3 or conv2) or a layer number counted from 1"


CHW = Op("×", Op("×", "channels", "height"), "width")  # how a shape is read: (channels × height × width)
HW = Op("×", "height", "width")


def sized_prose(text: str, **math: Any) -> Prose:
    """Prose whose window sizes written as `kernel_text` writes them ('3×3', in a network's title) print as math."""
    slots = Placeholders("size_")
    return prose(slots.sizes(text), **math, **slots.math)


def find_layer(layers: tuple[Layer, ...], ref: int | str, param: str = "unit") -> int:
    """The 0-based index of the layer that `ref` (a name or 1-based number) points to."""
    if _is_int(ref):
        if not 1 <= ref <= len(layers):  # type: ignore[operator]
            raise ParamError(f"{param} {ref} is not a layer number: the stack has layers 1 to {len(layers)}")
        return int(ref) - 1
    names = [layer.name for layer in layers]
    if ref in names:
        return names.index(ref)
    inner = [f"{layer.type} block {layer.name} (in its {path} path)" for layer in layers
             for path, inner_layers in layer.inner_paths()
             if ref in {x.name for x in inner_layers} | {x.name for x, _, _ in nested(inner_layers, "", "")}]
    if inner:
        raise ParamError(f"{param} {ref!r} is inside the {inner[0]}; ask about a whole block "
                         f"or a layer outside the blocks")
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(str(ref).lower(), list(lowered), n=1, cutoff=0.5)
    hint = f" (did you mean {lowered[close[0]]!r}?)" if close else ""
    shown = ", ".join(names) if len(names) <= 24 else ", ".join(names[:12] + ["...", *names[-6:]])
    raise ParamError(f"{param} {ref!r} is not a layer of the stack{hint}; layers: {shown}")


# -- descriptions for question text ---------------------------------------------------------


def describe_layer(number: int, layer: Layer, counts: bool = True) -> Prose:
    """One line of a question: '(2) S2: subsampling, window 2×2, stride 2, 6 maps …'. With
    counts=False, only what shapes a receptive field (window, stride, dilation, padding)."""
    text, math = layer.phrase(counts)
    return prose(f"({number}) {layer.name}: {text}.", **math)


def runs(layers: tuple[Layer, ...], key: Callable[[Layer], Any]) -> list[tuple[int, int, int]]:
    """Runs of repeated groups as (start, end, repeats): a group is a layer with the batch normalizations
    right after it (VGG-BN's conv + bn), and consecutive groups whose layers have equal `key`s form a run."""
    groups, start = [], 0
    for index in range(1, len(layers) + 1):
        if index == len(layers) or not layers[index].joins_previous:
            groups.append((start, index))
            start = index
    found, index = [], 0
    while index < len(groups):
        first = [key(layer) for layer in layers[slice(*groups[index])]]
        end = index + 1
        while end < len(groups) and [key(layer) for layer in layers[slice(*groups[end])]] == first:
            end += 1
        found.append((groups[index][0], groups[end - 1][1], end - index))
        index = end
    return found


def describe_stack(layers: tuple[Layer, ...], counts: bool = True, first: int = 1) -> list[Prose]:
    """One line per layer, except that repeats share one line: '(8)–(9) conv3_2, conv3_3: 2 identical
    layers, each: convolution …' (VGG's convolutions, ResNet's blocks; a layer with its batch norms)."""
    lines: list[Prose] = []
    for start, end, repeats in runs(layers, lambda layer: layer.phrase(counts)):
        if repeats == 1:
            lines += [describe_layer(first + i, layers[i], counts) for i in range(start, end)]
            continue
        size = (end - start) // repeats
        phrases = [layer.phrase(counts, f"g{i}_") for i, layer in enumerate(layers[start:start + size])]
        math = {name: value for _, more in phrases for name, value in more.items()}
        text = "; then ".join(phrase for phrase, _ in phrases)
        names = ", ".join(layer.name for layer in layers[start:end])
        kind = "blocks" if layers[start].block else "layers" if size == 1 else f"groups of {size} layers"
        lines.append(prose(f"({first + start})–({first + end - 1}) {names}: {repeats} identical {kind}, "
                           f"each: {text}.", **math))
    return lines


# -- output sizes -----------------------------------------------------------------------------


def feature_sizes(layers: tuple[Layer, ...], size: tuple[int, int]) -> list[tuple[int, int]]:
    """The spatial size after each layer; ParamError when a layer has no room for its window."""
    sizes = []
    for index, layer in enumerate(layers):
        size = layer.size_after(size, f"layers[{index}] ({layer.type}) {layer.name}")  # type: ignore[assignment]
        sizes.append(size)
    return sizes


# -- receptive fields ---------------------------------------------------------------------------


def fields(layers: tuple[Layer, ...], axis: int = 0) -> list[Field]:
    """The Field after each layer, from one input pixel (start = end = 0, jump 1)."""
    field, out = Field(), []
    for layer in layers:
        field = layer.field_after(field, axis)
        out.append(field)
    return out


def receptive_fields(layers: tuple[Layer, ...], axis: int = 0) -> list[tuple[int, int]]:
    """(r, j) after each layer: receptive field size and jump (effective stride) along one axis,
    r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1}, j_l = j_{l−1}·s_l, from r_0 = j_0 = 1 (a residual block:
    the extent of what both of its paths see)."""
    return [(field.size, field.jump) for field in fields(layers, axis)]


# -- shapes ------------------------------------------------------------------------------------


def infer_shapes(layers: tuple[Layer, ...], channels: int | None,
                 size: tuple[int, int] | None) -> tuple[tuple[Layer, ...], list[Shape | None]]:
    """Fill in each layer's missing `in`/`maps`/`channels` from the layer before (a dense layer's
    `in` from the flattened feature maps; a block's layers from the block's input), check the given
    ones agree, and return the layers with the (channels, height, width) after each (None where unknown;
    a flatten layer gives (C·H·W, 1, 1): a vector)."""
    done, shapes, _, _ = infer_path(layers, channels, size, "layers")
    return done, shapes
