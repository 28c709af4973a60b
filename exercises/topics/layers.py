"""The layer-stack model shared by receptive fields, parameter counts and output sizes.

The YAML form of a stack (conv, pool, subsample, batchnorm, residual blocks, globalpool, flatten, dense) and
its parsing live in `layer_spec` (its docstring documents every key); this module is what templates
import: the parameter specs, descriptions for question text, and the arithmetic of a stack — output
sizes, receptive fields (with residual blocks), shape inference and parameter counts.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from exercises.model import Op, Prose, prose
from exercises.params import Param, ParamError, _is_int
from exercises.topics.layer_spec import (
    ENDS_SPATIAL,
    KEYS,
    MAX_KERNEL,
    MAX_LAYERS,
    NAME,
    SPATIAL,
    TYPES,
    Layer,
    check_consistent,
    count_layers,
    layer_to_dict,
    layers_to_data,
    parse_layers,
)
from exercises.wording import plural

__all__ = [
    "ENDS_SPATIAL", "KEYS", "MAX_KERNEL", "MAX_LAYERS", "SPATIAL", "TYPES", "Field", "Layer", "LayerRef",
    "LayerStack", "count_layers", "describe_layer", "describe_stack", "feature_sizes", "fields", "find_layer",
    "infer_path", "infer_shapes", "layer_output_size", "layer_to_dict", "layers_to_data", "output_size",
    "param_count", "parse_layers", "receptive_fields", "runs", "transposed_output_size",
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


def find_layer(layers: tuple[Layer, ...], ref: int | str, param: str = "unit") -> int:
    """The 0-based index of the layer that `ref` (a name or 1-based number) points to."""
    if _is_int(ref):
        if not 1 <= ref <= len(layers):  # type: ignore[operator]
            raise ParamError(f"{param} {ref} is not a layer number: the stack has layers 1 to {len(layers)}")
        return int(ref) - 1
    names = [layer.name for layer in layers]
    if ref in names:
        return names.index(ref)
    inner = [f"{layer.name} (in its {path} path)" for layer in layers for path in ("main", "shortcut")
             for x in getattr(layer, path) if x.name == ref]
    if inner:
        raise ParamError(f"{param} {ref!r} is inside the residual block {inner[0]}; ask about a whole block "
                         f"or a layer outside the blocks")
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(str(ref).lower(), list(lowered), n=1, cutoff=0.5)
    hint = f" (did you mean {lowered[close[0]]!r}?)" if close else ""
    shown = ", ".join(names) if len(names) <= 24 else ", ".join(names[:12] + ["...", *names[-6:]])
    raise ParamError(f"{param} {ref!r} is not a layer of the stack{hint}; layers: {shown}")


# -- descriptions for question text ---------------------------------------------------------


def _phrase(layer: Layer, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
    """What one layer does, as text with placeholders (named with `key` first, so that the phrases of
    a block's layers can share one paragraph) and their math."""
    math: dict[str, Any] = {}

    def put(name: str, value: Any) -> str:
        math[key + name] = value
        return "{" + key + name + "}"

    settings: list[str] = []
    if layer.spatial:
        what = {"conv": "convolution, kernel ", "pool": "max pooling, window ",
                "subsample": "subsampling, window "}[layer.type] + put("k", Op("×", *layer.kernel))
        settings = [f"stride {layer.stride}"]
        settings += [f"dilation {layer.dilation}"] if layer.dilation > 1 else []
        settings += [f"padding {layer.padding}"] if layer.padding else []
    elif layer.type == "dense":
        what = f"fully connected, {put('io', Op('→', layer.inputs, layer.outputs))} units" if layer.inputs \
            is not None else f"fully connected on the flattened feature maps, {plural(layer.outputs, 'unit')}"
    elif layer.type == "globalpool":
        what = "global average pooling (each map becomes its mean: one number per channel)"
    elif layer.type == "flatten":
        what = "flatten the feature maps into one vector"
    elif layer.type == "residual":
        paths = []
        for path, letter in (("main", "m"), ("shortcut", "s")):
            phrases = []
            for i, inner in enumerate(getattr(layer, path)):
                if counts or inner.spatial:
                    text, more = _phrase(inner, counts, f"{key}{letter}{i}_")
                    phrases.append(text)
                    math.update(more)
            paths.append("; ".join(phrases))
        short = paths[1] or ("the identity" if not layer.shortcut else "no window")
        what = f"residual block, output = main path + shortcut (main path: {paths[0]}; shortcut: {short})"
    else:
        what = "batch normalization" + (f" of {plural(layer.channels, 'channel')}" if layer.channels else "")
    if counts:
        if layer.type == "conv":
            settings.append(f"{put('ch', Op('→', layer.inputs, layer.outputs))} channels"
                            if layer.inputs is not None else plural(layer.outputs, "output channel"))
        if layer.groups > 1:
            settings.append(f"{layer.groups} groups")
        if layer.type == "subsample" and layer.channels is not None:
            settings.append(f"{plural(layer.channels, 'map')}, each with one trainable coefficient and one bias")
        if layer.type in ("conv", "dense") and not layer.bias:
            settings.append("no bias")
        if layer.connections is not None:
            settings.append("a connection table: output maps 0, 1, 2, ... (numbered from 0) see only "
                            f"{put('seen', tuple(len(row) for row in layer.connections))} input maps respectively")
    return ", ".join([what, *settings]), math


def describe_layer(number: int, layer: Layer, counts: bool = True) -> Prose:
    """One line of a question: '(2) S2: subsampling, window 2×2, stride 2, 6 maps …'. With
    counts=False, only what shapes a receptive field (window, stride, dilation, padding)."""
    text, math = _phrase(layer, counts)
    return prose(f"({number}) {layer.name}: {text}.", **math)


def runs(layers: tuple[Layer, ...], key: Callable[[Layer], Any]) -> list[tuple[int, int, int]]:
    """Runs of repeated groups as (start, end, repeats): a group is a layer with the batch normalizations
    right after it (VGG-BN's conv + bn), and consecutive groups whose layers have equal `key`s form a run."""
    groups, start = [], 0
    for index in range(1, len(layers) + 1):
        if index == len(layers) or layers[index].type != "batchnorm":
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
    for start, end, repeats in runs(layers, lambda layer: _phrase(layer, counts)):
        if repeats == 1:
            lines += [describe_layer(first + i, layers[i], counts) for i in range(start, end)]
            continue
        size = (end - start) // repeats
        phrases = [_phrase(layer, counts, f"g{i}_") for i, layer in enumerate(layers[start:start + size])]
        math = {name: value for _, more in phrases for name, value in more.items()}
        text = "; then ".join(phrase for phrase, _ in phrases)
        names = ", ".join(layer.name for layer in layers[start:end])
        kind = "blocks" if layers[start].type == "residual" else "layers" if size == 1 else f"groups of {size} layers"
        lines.append(prose(f"({first + start})–({first + end - 1}) {names}: {repeats} identical {kind}, "
                           f"each: {text}.", **math))
    return lines


# -- output sizes -----------------------------------------------------------------------------


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                ceil_mode: bool = False) -> int:
    """PyTorch's conv/pool output size ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode, where a
    last window that would start in the right padding is dropped). Below 1: no output."""
    room = n + 2 * padding - dilation * (kernel - 1) - 1
    if room < 0:
        return 0
    size = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (size - 1) * stride >= n + padding:
        size -= 1
    return size


def transposed_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                           output_padding: int = 0) -> int:
    """PyTorch's transposed-conv output size (n − 1)s − 2p + d(k − 1) + output_padding + 1."""
    return (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def layer_output_size(layer: Layer, size: tuple[int, int]) -> tuple[int, int]:
    """The spatial size after one layer (dense, global pooling and flatten give 1x1; a residual block, its
    main path's size). Below 1 along an axis: no output."""
    if layer.type in ENDS_SPATIAL:
        return (1, 1)
    if layer.type == "residual":
        for inner in layer.main:
            size = layer_output_size(inner, size) if min(size) >= 1 else size
        return size
    if not layer.spatial:
        return size
    return tuple(  # type: ignore[return-value]
        output_size(size[axis], layer.kernel[axis], layer.stride, layer.padding, layer.dilation)
        for axis in (0, 1)
    )


def feature_sizes(layers: tuple[Layer, ...], size: tuple[int, int]) -> list[tuple[int, int]]:
    """The spatial size after each layer; ParamError when a layer has no room for its window."""
    sizes = []
    for index, layer in enumerate(layers):
        size = _one_size(f"layers[{index}] ({layer.type}) {layer.name}", layer, size)
        sizes.append(size)
    return sizes


def _one_size(where: str, layer: Layer, size: tuple[int, int]) -> tuple[int, int]:
    if layer.type == "residual":
        after = {}
        for path in ("main", "shortcut"):
            current = size
            for i, inner in enumerate(getattr(layer, path)):
                current = _one_size(f"{where}.{path}[{i}] ({inner.type}) {inner.name}", inner, current)
            after[path] = current
        if after["main"] != after["shortcut"]:
            raise ParamError(f"{where}: the main path gives {_side(after['main'])} maps but the shortcut "
                             f"{_side(after['shortcut'])}; they are added, so their sizes must agree")
        return after["main"]
    after = layer_output_size(layer, size)
    if min(after) < 1:
        raise ParamError(f"{where}: its {layer.kernel_text()} window (dilation {layer.dilation}, padding "
                         f"{layer.padding}) does not fit the {size[0]}x{size[1]} feature map: no output")
    return after


def _side(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


# -- receptive fields ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """What unit 0 of a layer sees along one axis: input positions start..end (negative ones lie in the
    padding) and the jump, the input distance between neighbouring units. Unit i sees start + i·jump
    to end + i·jump."""

    start: int = 0
    end: int = 0
    jump: int = 1

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def _field_after(layer: Layer, before: Field, axis: int) -> Field:
    """A window layer: unit i reads units i·s − p + t·d (t < k) of the layer below. A residual block:
    the union of what its two paths see (the paths must step alike)."""
    if layer.spatial:
        j = before.jump
        reach = (layer.kernel[axis] - 1) * layer.dilation
        return Field(before.start - layer.padding * j, before.end + (reach - layer.padding) * j, j * layer.stride)
    if layer.type != "residual":
        return before
    main, shortcut = before, before
    for inner in layer.main:
        main = _field_after(inner, main, axis)
    for inner in layer.shortcut:
        shortcut = _field_after(inner, shortcut, axis)
    if main.jump != shortcut.jump:
        raise ParamError(f"{layer.name}: the main path steps {main.jump} input pixels per unit but the shortcut "
                         f"{shortcut.jump}; the two paths of a residual block must have the same strides")
    return Field(min(main.start, shortcut.start), max(main.end, shortcut.end), main.jump)


def fields(layers: tuple[Layer, ...], axis: int = 0) -> list[Field]:
    """The Field after each layer, from one input pixel (start = end = 0, jump 1)."""
    field, out = Field(), []
    for layer in layers:
        field = _field_after(layer, field, axis)
        out.append(field)
    return out


def receptive_fields(layers: tuple[Layer, ...], axis: int = 0) -> list[tuple[int, int]]:
    """(r, j) after each layer: receptive field size and jump (effective stride) along one axis,
    r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1}, j_l = j_{l−1}·s_l, from r_0 = j_0 = 1 (a residual block:
    the extent of what both of its paths see)."""
    return [(field.size, field.jump) for field in fields(layers, axis)]


# -- shapes and parameters ----------------------------------------------------------------------

Shape = tuple[int, int, int] | None


def infer_shapes(layers: tuple[Layer, ...], channels: int | None,
                 size: tuple[int, int] | None) -> tuple[tuple[Layer, ...], list[Shape]]:
    """Fill in each layer's missing `in`/`maps`/`channels` from the layer before (a dense layer's
    `in` from the flattened feature maps; a block's layers from the block's input), check the given
    ones agree, and return the layers with the (channels, height, width) after each (None where unknown;
    a flatten layer gives (C·H·W, 1, 1): a vector)."""
    done, shapes, _, _ = infer_path(layers, channels, size, "layers")
    return done, shapes


def infer_path(layers: tuple[Layer, ...], channels: int | None, size: tuple[int, int] | None,
               prefix: str) -> tuple[tuple[Layer, ...], list[Shape], int | None, tuple[int, int] | None]:
    """`infer_shapes` for a list of layers named `prefix[i]` in messages; also returns the channels and
    size after the last layer."""
    done: list[Layer] = []
    shapes: list[Shape] = []
    for index, layer in enumerate(layers):
        where = f"{prefix}[{index}] ({layer.type}) {layer.name}"
        source = "the layer before" if index else ("the block's input" if "." in prefix else "the input")
        if layer.type in ("conv", "dense"):
            feeds = channels
            if layer.type == "dense":
                feeds = None if channels is None or size is None else channels * size[0] * size[1]
            what = "channels" if layer.type == "conv" else "inputs (the flattened feature maps)"
            layer = replace(layer, inputs=_agree(layer.inputs, feeds, where, "in", f"{what} from {source}"))
            if layer.outputs is None:
                raise ParamError(f"{where}: out is missing (the number of output "
                                 f"{'channels' if layer.type == 'conv' else 'units'})")
            check_consistent(layer, where)
        elif layer.type in ("subsample", "batchnorm"):
            key = "maps" if layer.type == "subsample" else "channels"
            layer = replace(layer, channels=_agree(layer.channels, channels, where, key, f"channels from {source}"))
        if layer.type == "residual":
            layer, channels, size = _infer_block(layer, channels, size, where)
        else:
            if layer.type == "flatten":
                channels = None if channels is None or size is None else channels * size[0] * size[1]
            if layer.type in ENDS_SPATIAL:
                size = (1, 1)
            elif size is not None and layer.spatial:
                size = _one_size(where, layer, size)
            channels = layer.outputs if layer.type in ("conv", "dense") else layer.channels or channels
        shapes.append(None if channels is None or size is None else (channels, *size))
        done.append(layer)
    return tuple(done), shapes, channels, size


def _infer_block(layer: Layer, channels: int | None, size: tuple[int, int] | None,
                 where: str) -> tuple[Layer, int | None, tuple[int, int] | None]:
    main, _, main_channels, main_size = infer_path(layer.main, channels, size, f"{where}.main")
    shortcut, _, short_channels, short_size = infer_path(layer.shortcut, channels, size, f"{where}.shortcut")
    if main_channels is not None and short_channels is not None and main_channels != short_channels:
        fix = "" if layer.shortcut else f" (a projection shortcut: a 1x1 convolution to {main_channels} channels)"
        raise ParamError(f"{where}: the main path gives {main_channels} channels but the shortcut "
                         f"{short_channels}; they are added, so they must agree{fix}")
    if main_size is not None and short_size is not None and main_size != short_size:
        raise ParamError(f"{where}: the main path gives {_side(main_size)} maps but the shortcut "
                         f"{_side(short_size)}; they are added, so their sizes must agree")
    after = main_channels if main_channels is not None else short_channels
    return replace(layer, main=main, shortcut=shortcut), after, main_size


def _agree(given: int | None, arriving: int | None, where: str, key: str, what: str) -> int:
    if given is None and arriving is None:
        raise ParamError(f"{where}: {key} is missing and cannot be inferred: give it, or the input "
                         "channels and size")
    if given is not None and arriving is not None and given != arriving:
        raise ParamError(f"{where}: {key} is {given} but it gets {arriving} {what}")
    return given if given is not None else arriving  # type: ignore[return-value]


def param_count(layer: Layer) -> int:
    """Trainable parameters of one (shape-complete) layer, by the closed formula; a residual block
    counts the layers of both its paths."""
    if layer.type == "conv":
        kh, kw = layer.kernel
        if layer.connections is not None:
            weights = sum(len(row) for row in layer.connections) * kh * kw
        else:
            weights = layer.inputs // layer.groups * kh * kw * layer.outputs  # type: ignore[operator]
        return weights + (layer.outputs if layer.bias else 0)  # type: ignore[operator]
    if layer.type == "dense":
        return layer.inputs * layer.outputs + (layer.outputs if layer.bias else 0)  # type: ignore[operator]
    if layer.type in ("subsample", "batchnorm"):
        return 2 * layer.channels  # type: ignore[operator]
    if layer.type == "residual":
        return sum(param_count(inner) for inner in layer.main + layer.shortcut)
    return 0

