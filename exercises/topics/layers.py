"""The layer-stack model shared by receptive fields, parameter counts and output sizes.

A network is a list of mappings, in order (YAML in the bank, `--set` on the CLI):

    {type: conv, in: 3, out: 64, kernel: 3, stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, name: C1}
    {type: pool, kernel: 2, stride: 2}                 no parameters; stride defaults to the kernel
    {type: subsample, maps: 6, kernel: 2, stride: 2}   LeNet: one trainable coefficient and one bias per map
    {type: dense, in: 120, out: 84, bias: true}        ends the spatial part of the network
    {type: batchnorm, channels: 64}                    a trainable scale and shift per channel

`kernel` may be `[kh, kw]`; a conv may carry LeNet's partial connection table in
`connections: [[0, 1, 2], ...]` (which input maps feed each output map, 0-based). Defaults:
stride 1 (pool and subsample: the kernel), padding 0, dilation 1, groups 1, bias true.
`in`/`out`/`channels`/`maps` are needed only where parameters are counted, and even there a
missing one is inferred from the layer before (see `infer_shapes`).

Unnamed layers are named by type and count: conv1, conv2, pool1, subsample1, dense1, batchnorm1.
Layers are numbered from 0 in error messages (`layers[2]`), as in the YAML list.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Any

from exercises.model import Op, Prose, prose
from exercises.params import Param, ParamError, _is_int, _show

TYPES = ("conv", "pool", "subsample", "dense", "batchnorm")
SPATIAL = ("conv", "pool", "subsample")  # layers that slide a window over the feature maps
KEYS = {
    "conv": ("name", "in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias", "connections"),
    "pool": ("name", "kernel", "stride", "padding", "dilation"),
    "subsample": ("name", "maps", "kernel", "stride"),
    "dense": ("name", "in", "out", "bias"),
    "batchnorm": ("name", "channels"),
}
_TYPE_HINTS = {"convolution": "conv", "conv2d": "conv", "conv1d": "conv", "maxpool": "pool", "avgpool": "pool",
               "pooling": "pool", "linear": "dense", "fc": "dense", "fully_connected": "dense", "bn": "batchnorm",
               "batch_norm": "batchnorm", "subsampling": "subsample"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")
_LIMITS = {"stride": (1, 16), "padding": (0, 32), "dilation": (1, 16), "groups": (1, 4096),
           "in": (1, 1_000_000), "out": (1, 1_000_000), "maps": (1, 100_000), "channels": (1, 100_000)}
MAX_KERNEL = 64


@dataclass(frozen=True)
class Layer:
    """One layer of a stack. `inputs`/`outputs` are the YAML `in`/`out`; `channels` is a
    batchnorm's `channels` or a subsample's `maps`; None where not given (and not inferred)."""

    type: str
    name: str
    kernel: tuple[int, int] = (1, 1)
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = True
    inputs: int | None = None
    outputs: int | None = None
    channels: int | None = None
    connections: tuple[tuple[int, ...], ...] | None = None

    @property
    def spatial(self) -> bool:
        return self.type in SPATIAL

    @property
    def square(self) -> bool:
        return self.kernel[0] == self.kernel[1]

    def span(self, axis: int = 0) -> int:
        """How many input positions one window covers along an axis: d(k - 1) + 1."""
        return self.dilation * (self.kernel[axis] - 1) + 1

    def kernel_text(self) -> str:
        return f"{self.kernel[0]}x{self.kernel[1]}"


# -- parsing ---------------------------------------------------------------------------------


def _where(index: int, kind: str) -> str:
    return f"layers[{index}] ({kind})"


def _positive_kernel(value: Any, where: str) -> tuple[int, int]:
    if _is_int(value) and 1 <= value <= MAX_KERNEL:
        return value, value
    if (isinstance(value, list) and len(value) == 2
            and all(_is_int(v) and 1 <= v <= MAX_KERNEL for v in value)):
        return value[0], value[1]
    raise ParamError(f"{where}: kernel must be a positive integer or [kh, kw] (at most {MAX_KERNEL}), "
                     f"got {_show(value)}")


def _bounded(key: str, value: Any, where: str) -> int:
    low, high = _LIMITS[key]
    if not _is_int(value) or not low <= value <= high:
        raise ParamError(f"{where}: {key} must be an integer from {low} to {high}, got {_show(value)}")
    return value


def _connections(value: Any, where: str) -> tuple[tuple[int, ...], ...]:
    example = "a list with one list of input-map indices per output map, e.g. [[0, 1, 2], [1, 2, 3]]"
    if not isinstance(value, list) or not value:
        raise ParamError(f"{where}: connections must be {example}, got {_show(value)}")
    table = []
    for row_number, row in enumerate(value):
        if (not isinstance(row, list) or not row or not all(_is_int(v) and v >= 0 for v in row)
                or len(set(row)) != len(row)):
            raise ParamError(f"{where}: connections[{row_number}] must be a non-empty list of distinct "
                             f"input-map indices (0-based), got {_show(row)}")
        table.append(tuple(row))
    return tuple(table)


def _parse_one(index: int, data: Any) -> Layer:
    if not isinstance(data, dict):
        raise ParamError(f"layers[{index}] must be a mapping like {{type: conv, kernel: 3}}, got {_show(data)}")
    kind = data.get("type")
    if kind not in TYPES:
        close = difflib.get_close_matches(str(kind), TYPES, n=1) if kind is not None else []
        guess = _TYPE_HINTS.get(str(kind).lower(), close[0] if close else None)
        hint = f" (did you mean {guess!r}?)" if guess else ""
        got = "no type" if kind is None else f"type {_show(kind)}"
        raise ParamError(f"layers[{index}]: {got}{hint}; type must be one of {', '.join(TYPES)}")
    where = _where(index, kind)
    for key in data:
        if key != "type" and key not in KEYS[kind]:
            close = difflib.get_close_matches(str(key), KEYS[kind], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParamError(f"{where}: unknown key {_show(key)}{hint}; {kind} keys: {', '.join(KEYS[kind])}")
    fields: dict[str, Any] = {"type": kind, "name": ""}
    if "name" in data:
        if not isinstance(data["name"], str) or not _NAME.match(data["name"]):
            raise ParamError(f"{where}: name must be a short word (a letter, then letters, digits, _ . -; "
                             f"at most 20 characters), got {_show(data['name'])}")
        fields["name"] = data["name"]
    if kind in SPATIAL:
        if "kernel" not in data:
            raise ParamError(f"{where}: kernel is missing (a positive integer or [kh, kw])")
        fields["kernel"] = _positive_kernel(data["kernel"], where)
    for key, field in (("stride", "stride"), ("padding", "padding"), ("dilation", "dilation"),
                       ("groups", "groups"), ("in", "inputs"), ("out", "outputs"),
                       ("maps", "channels"), ("channels", "channels")):
        if key in data:
            fields[field] = _bounded(key, data[key], where)
    if kind in ("pool", "subsample") and "stride" not in data:
        if fields["kernel"][0] != fields["kernel"][1]:
            raise ParamError(f"{where}: give the stride of a non-square window (one number for both axes)")
        fields["stride"] = fields["kernel"][0]
    if "bias" in data:
        if not isinstance(data["bias"], bool):
            raise ParamError(f"{where}: bias must be true or false, got {_show(data['bias'])}")
        fields["bias"] = data["bias"]
    if "connections" in data:
        fields["connections"] = _connections(data["connections"], where)
    layer = Layer(**fields)
    _check_consistent(layer, where)
    return layer


def _check_consistent(layer: Layer, where: str) -> None:
    if layer.type == "pool" and layer.padding > min(layer.kernel) // 2:
        raise ParamError(f"{where}: padding {layer.padding} is more than half the {layer.kernel_text()} window; "
                         "as in PyTorch, pad a pooling layer at most half its window")
    if layer.groups > 1:
        for key, value in (("in", layer.inputs), ("out", layer.outputs)):
            if value is not None and value % layer.groups:
                raise ParamError(f"{where}: {key} {value} is not divisible by groups {layer.groups}")
    if layer.connections is not None:
        if layer.groups > 1:
            raise ParamError(f"{where}: give either groups or a connection table, not both")
        if layer.outputs is not None and len(layer.connections) != layer.outputs:
            raise ParamError(f"{where}: the connection table has {len(layer.connections)} rows "
                             f"but out is {layer.outputs}: one row per output map")
        if layer.inputs is not None:
            top = max(max(row) for row in layer.connections)
            if top >= layer.inputs:
                raise ParamError(f"{where}: the connection table uses input map {top} "
                                 f"but in is {layer.inputs} (maps are numbered from 0)")


def parse_layers(data: Any) -> tuple[Layer, ...]:
    """Layers from a list of mappings (see the module docstring); ParamError names the bad layer."""
    if not isinstance(data, list) or not data:
        raise ParamError(f"layers must be a non-empty list of layers like [{{type: conv, kernel: 3}}, "
                         f"{{type: pool, kernel: 2}}], got {_show(data)}")
    layers: list[Layer] = []
    counts = dict.fromkeys(TYPES, 0)
    used: dict[str, int] = {}
    dense_at = None
    for index, item in enumerate(data):
        layer = _parse_one(index, item)
        counts[layer.type] += 1
        if not layer.name:
            layer = replace(layer, name=f"{layer.type}{counts[layer.type]}")
        if layer.name in used:
            raise ParamError(f"{_where(index, layer.type)}: name {layer.name!r} is already used by "
                             f"layers[{used[layer.name]}]; names must be unique")
        used[layer.name] = index
        if layer.spatial and dense_at is not None:
            raise ParamError(f"{_where(index, layer.type)}: comes after the dense layer layers[{dense_at}]; "
                             "dense layers end the spatial part of a network")
        if layer.type == "dense" and dense_at is None:
            dense_at = index
        layers.append(layer)
    return tuple(layers)


def layer_to_dict(layer: Layer, index_in_type: int) -> dict[str, Any]:
    """The canonical mapping of a layer: only what differs from the defaults."""
    out: dict[str, Any] = {"type": layer.type}
    if layer.name != f"{layer.type}{index_in_type}":
        out["name"] = layer.name
    if layer.type in ("conv", "dense"):
        for key, value in (("in", layer.inputs), ("out", layer.outputs)):
            if value is not None:
                out[key] = value
    if layer.type in ("subsample", "batchnorm") and layer.channels is not None:
        out["maps" if layer.type == "subsample" else "channels"] = layer.channels
    if layer.spatial:
        out["kernel"] = layer.kernel[0] if layer.square else list(layer.kernel)
        if layer.stride != (1 if layer.type == "conv" else layer.kernel[0]):
            out["stride"] = layer.stride
    for key in ("padding", "dilation", "groups"):
        if getattr(layer, key) != (0 if key == "padding" else 1):
            out[key] = getattr(layer, key)
    if not layer.bias:
        out["bias"] = False
    if layer.connections is not None:
        out["connections"] = [list(row) for row in layer.connections]
    return out


def layers_to_data(layers: tuple[Layer, ...]) -> list[dict[str, Any]]:
    """Plain YAML/JSON data that `parse_layers` turns back into the same layers."""
    counts = dict.fromkeys(TYPES, 0)
    data = []
    for layer in layers:
        counts[layer.type] += 1
        data.append(layer_to_dict(layer, counts[layer.type]))
    return data


@dataclass(frozen=True)
class LayerStack(Param):
    """A template parameter holding a layer stack; its value is the canonical list of mappings."""

    max_len: int = 32

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
        if (_is_int(value) and value >= 1) or (isinstance(value, str) and _NAME.match(value)):
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
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(str(ref).lower(), list(lowered), n=1, cutoff=0.5)
    hint = f" (did you mean {lowered[close[0]]!r}?)" if close else ""
    raise ParamError(f"{param} {ref!r} is not a layer of the stack{hint}; layers: {', '.join(names)}")


def describe_layer(number: int, layer: Layer, counts: bool = True) -> Prose:
    """One line of a question: '(2) S2: subsampling, window 2×2, stride 2, 6 maps …'. With
    counts=False, only what shapes a receptive field (window, stride, dilation, padding)."""
    math: dict[str, Any] = {}
    if layer.spatial:
        what = {"conv": "convolution, kernel {k}", "pool": "max pooling, window {k}",
                "subsample": "subsampling, window {k}"}[layer.type]
        math["k"] = Op("×", *layer.kernel)
        settings = [f"stride {layer.stride}"]
        settings += [f"dilation {layer.dilation}"] if layer.dilation > 1 else []
        settings += [f"padding {layer.padding}"] if layer.padding else []
    elif layer.type == "dense":
        what = "fully connected, {io} units" if layer.inputs is not None else \
            f"fully connected on the flattened feature maps, {layer.outputs} units"
        math.update({"io": Op("→", layer.inputs, layer.outputs)} if layer.inputs is not None else {})
        settings = []
    else:
        what, settings = "batch normalization" + (f" of {layer.channels} channels" if layer.channels else ""), []
    if counts:
        if layer.type == "conv":
            settings.append("{ch} channels" if layer.inputs is not None else f"{layer.outputs} output channels")
            math.update({"ch": Op("→", layer.inputs, layer.outputs)} if layer.inputs is not None else {})
        if layer.groups > 1:
            settings.append(f"{layer.groups} groups")
        if layer.type == "subsample" and layer.channels is not None:
            settings.append(f"{layer.channels} maps, each with one trainable coefficient and one bias")
        if layer.type in ("conv", "dense") and not layer.bias:
            settings.append("no bias")
        if layer.connections is not None:
            settings.append("output maps 1, 2, ... see only {seen} input maps respectively")
            math["seen"] = tuple(len(row) for row in layer.connections)
    return prose(f"({number}) {layer.name}: " + ", ".join([what, *settings]) + ".", **math)




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
    """The spatial size after one layer (a dense layer gives 1x1: a vector)."""
    if not layer.spatial:
        return (1, 1) if layer.type == "dense" else size
    return tuple(  # type: ignore[return-value]
        output_size(size[axis], layer.kernel[axis], layer.stride, layer.padding, layer.dilation)
        for axis in (0, 1)
    )


def feature_sizes(layers: tuple[Layer, ...], size: tuple[int, int]) -> list[tuple[int, int]]:
    """The spatial size after each layer; ParamError when a layer has no room for its window."""
    sizes = []
    for index, layer in enumerate(layers):
        size = _one_size(index, layer, size)
        sizes.append(size)
    return sizes


def _one_size(index: int, layer: Layer, size: tuple[int, int]) -> tuple[int, int]:
    after = layer_output_size(layer, size)
    if min(after) < 1:
        raise ParamError(f"{_where(index, layer.type)} {layer.name}: its {layer.kernel_text()} window "
                         f"(dilation {layer.dilation}, padding {layer.padding}) does not fit the "
                         f"{size[0]}x{size[1]} feature map: no output")
    return after


def receptive_fields(layers: tuple[Layer, ...], axis: int = 0) -> list[tuple[int, int]]:
    """(r, j) after each layer: receptive field size and jump (effective stride) along one axis,
    r_l = r_{l−1} + (k_l − 1)·d_l·j_{l−1}, j_l = j_{l−1}·s_l, from r_0 = j_0 = 1."""
    r, j = 1, 1
    out = []
    for layer in layers:
        if layer.spatial:
            r, j = r + (layer.kernel[axis] - 1) * layer.dilation * j, j * layer.stride
        out.append((r, j))
    return out


def infer_shapes(layers: tuple[Layer, ...], channels: int | None,
                 size: tuple[int, int] | None) -> tuple[tuple[Layer, ...], list[tuple[int, int, int] | None]]:
    """Fill in each layer's missing `in`/`maps`/`channels` from the layer before (a dense layer's
    `in` from the flattened feature maps), check the given ones agree, and return the layers with
    the (channels, height, width) after each (None where unknown)."""
    done: list[Layer] = []
    shapes: list[tuple[int, int, int] | None] = []
    for index, layer in enumerate(layers):
        where = f"{_where(index, layer.type)} {layer.name}"
        source = "the input" if index == 0 else "the layer before"
        if layer.type in ("conv", "dense"):
            feeds = channels
            if layer.type == "dense":
                feeds = None if channels is None or size is None else channels * size[0] * size[1]
            what = "channels" if layer.type == "conv" else "inputs (the flattened feature maps)"
            layer = replace(layer, inputs=_agree(layer.inputs, feeds, where, "in", f"{what} from {source}"))
            if layer.outputs is None:
                raise ParamError(f"{where}: out is missing (the number of output "
                                 f"{'channels' if layer.type == 'conv' else 'units'})")
            _check_consistent(layer, where)
        elif layer.type in ("subsample", "batchnorm"):
            key = "maps" if layer.type == "subsample" else "channels"
            layer = replace(layer, channels=_agree(layer.channels, channels, where, key, f"channels from {source}"))
        if layer.type == "dense":
            size = (1, 1)
        elif size is not None and layer.spatial:
            size = _one_size(index, layer, size)
        channels = layer.outputs if layer.type in ("conv", "dense") else layer.channels or channels
        shapes.append(None if channels is None or size is None else (channels, *size))
        done.append(layer)
    return tuple(done), shapes


def _agree(given: int | None, arriving: int | None, where: str, key: str, what: str) -> int:
    if given is None and arriving is None:
        raise ParamError(f"{where}: {key} is missing and cannot be inferred: give it, or the input "
                         "channels and size")
    if given is not None and arriving is not None and given != arriving:
        raise ParamError(f"{where}: {key} is {given} but it gets {arriving} {what}")
    return given if given is not None else arriving  # type: ignore[return-value]


def param_count(layer: Layer) -> int:
    """Trainable parameters of one (shape-complete) layer, by the closed formula."""
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
    return 0
