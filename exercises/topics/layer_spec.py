"""The layer stack as data: the Layer record and its YAML form, read with clear messages and written back.

A network is a list of mappings, in order (YAML in the bank, `--set` on the CLI):

    {type: conv, in: 3, out: 64, kernel: 3, stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, name: C1}
    {type: pool, kernel: 2, stride: 2}                 max pooling, no parameters; stride defaults to the kernel
    {type: subsample, maps: 6, kernel: 2, stride: 2}   LeNet: one trainable coefficient and one bias per map
    {type: batchnorm, channels: 64}                    a trainable scale and shift per channel
    {type: residual, main: [...], shortcut: [...]}     a residual block: output = main(x) + shortcut(x)
    {type: globalpool}                                 global average pooling: each map to one number
    {type: flatten}                                    the feature maps as one vector (C·H·W numbers)
    {type: dense, in: 120, out: 84, bias: true}        fully connected

`kernel` may be `[kh, kw]`; a conv may carry LeNet's partial connection table in
`connections: [[0, 1, 2], ...]` (which input maps feed each output map; maps are numbered from 0).
Defaults: stride 1 (pool and subsample: the kernel), padding 0, dilation 1, groups 1, bias true.
`in`/`out`/`channels`/`maps` are needed only where parameters are counted, and even there a
missing one is inferred from the layer before (see `layers.infer_shapes`).

A residual block's `main` and `shortcut` are lists of conv, pool, subsample and batchnorm layers
(no blocks inside blocks); both paths read the block's input, and their outputs must have the same
shape. Without `shortcut` (or with `shortcut: []`) the shortcut is the identity; a projection
shortcut is e.g. `[{type: conv, kernel: 1, stride: 2, out: 128, bias: false}, {type: batchnorm}]`.
The spatial part of a network ends at its first globalpool, flatten or dense layer: no window, block
or global pool may follow it, and a flatten only a global pool (whose C numbers it lines up, as
torchvision's ResNet does), not a dense layer or another flatten (their output is a vector already).

Unnamed layers are named by type and count: conv1, pool1, subsample1, batchnorm1, residual1,
globalpool1, flatten1, dense1; inside a block, after the block: residual1.conv1, residual1.shortcut.conv1.
Layers are numbered from 0 in error messages (`layers[2]`, `layers[4].main[1]`), as in the YAML list.
A stack holds at most 200 layers, counting those inside blocks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from typing import Any

from exercises.params import ParamError, _is_int, _show

TYPES = ("conv", "pool", "subsample", "dense", "batchnorm", "residual", "globalpool", "flatten")
SPATIAL = ("conv", "pool", "subsample")  # layers that slide a window over the feature maps
IN_BLOCK = ("conv", "pool", "subsample", "batchnorm")  # what a residual block's paths may hold
ENDS_SPATIAL = ("dense", "globalpool", "flatten")  # after these the feature maps are gone (a vector is left)
KEYS = {
    "conv": ("name", "in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias", "connections"),
    "pool": ("name", "kernel", "stride", "padding", "dilation"),
    "subsample": ("name", "maps", "kernel", "stride"),
    "dense": ("name", "in", "out", "bias"),
    "batchnorm": ("name", "channels"),
    "residual": ("name", "main", "shortcut"),
    "globalpool": ("name",),
    "flatten": ("name",),
}
_TYPE_HINTS = {"convolution": "conv", "conv2d": "conv", "conv1d": "conv", "maxpool": "pool", "avgpool": "pool",
               "pooling": "pool", "linear": "dense", "fc": "dense", "fully_connected": "dense", "bn": "batchnorm",
               "batch_norm": "batchnorm", "subsampling": "subsample", "block": "residual", "resblock": "residual",
               "bottleneck": "residual", "gap": "globalpool", "adaptiveavgpool": "globalpool",
               "global_avg_pool": "globalpool", "globalavgpool": "globalpool", "avgpool_global": "globalpool",
               "reshape": "flatten", "view": "flatten"}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")
_LIMITS = {"stride": (1, 16), "padding": (0, 32), "dilation": (1, 16), "groups": (1, 4096),
           "in": (1, 1_000_000), "out": (1, 1_000_000), "maps": (1, 100_000), "channels": (1, 100_000)}
MAX_KERNEL = 64
MAX_LAYERS = 200  # every layer counts, those inside residual blocks too


@dataclass(frozen=True)
class Layer:
    """One layer of a stack. `inputs`/`outputs` are the YAML `in`/`out`; `channels` is a
    batchnorm's `channels` or a subsample's `maps`; None where not given (and not inferred).
    A residual block holds its two paths in `main` and `shortcut` (empty: the identity)."""

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
    main: tuple[Layer, ...] = ()
    shortcut: tuple[Layer, ...] = ()

    @property
    def spatial(self) -> bool:
        """A single window layer (conv, pool, subsample); a residual block is not one, see `windowed`."""
        return self.type in SPATIAL

    @property
    def windowed(self) -> bool:
        """Shapes a receptive field: a window layer, or a residual block (whose paths hold windows)."""
        return self.type in SPATIAL or self.type == "residual"

    @property
    def square(self) -> bool:
        if self.type == "residual":
            return all(layer.square for layer in self.main + self.shortcut)
        return self.kernel[0] == self.kernel[1]

    def span(self, axis: int = 0) -> int:
        """How many input positions one window covers along an axis: d(k - 1) + 1."""
        return self.dilation * (self.kernel[axis] - 1) + 1

    def kernel_text(self) -> str:
        return f"{self.kernel[0]}x{self.kernel[1]}"


def count_layers(layers: tuple[Layer, ...]) -> int:
    """Every layer, those inside residual blocks too (a block counts itself and its paths' layers)."""
    return sum(1 + len(layer.main) + len(layer.shortcut) for layer in layers)


# -- parsing ---------------------------------------------------------------------------------


def _where(index: int, kind: str, prefix: str = "layers") -> str:
    return f"{prefix}[{index}] ({kind})"


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


def _type_of(index: int, data: Any, prefix: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(data, dict):
        raise ParamError(f"{prefix}[{index}] must be a mapping like {{type: conv, kernel: 3}}, got {_show(data)}")
    kind = data.get("type")
    if kind in TYPES and kind not in allowed:
        raise ParamError(f"{_where(index, kind, prefix)}: a residual block's paths hold only "
                         f"{', '.join(allowed)} layers")
    if kind not in allowed:
        close = difflib.get_close_matches(str(kind), allowed, n=1) if kind is not None else []
        guess = _TYPE_HINTS.get(str(kind).lower(), close[0] if close else None)
        hint = f" (did you mean {guess!r}?)" if guess in allowed else ""
        got = "no type" if kind is None else f"type {_show(kind)}"
        raise ParamError(f"{prefix}[{index}]: {got}{hint}; type must be one of {', '.join(allowed)}")
    return kind


def _parse_one(index: int, data: Any, prefix: str = "layers", allowed: tuple[str, ...] = TYPES) -> Layer:
    kind = _type_of(index, data, prefix, allowed)
    where = _where(index, kind, prefix)
    for key in data:
        if key != "type" and key not in KEYS[kind]:
            close = difflib.get_close_matches(str(key), KEYS[kind], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParamError(f"{where}: unknown key {_show(key)}{hint}; {kind} keys: {', '.join(KEYS[kind])}")
    fields: dict[str, Any] = {"type": kind, "name": ""}
    if "name" in data:
        if not isinstance(data["name"], str) or not NAME.match(data["name"]):
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
    if kind == "residual":
        if "main" not in data:
            raise ParamError(f"{where}: main is missing (the list of layers of the block's main path)")
        fields["main"] = _parse_path(data["main"], f"{where}.main", required=True)
        fields["shortcut"] = _parse_path(data.get("shortcut", []), f"{where}.shortcut", required=False)
    layer = Layer(**fields)
    check_consistent(layer, where)
    return layer


def _parse_path(data: Any, prefix: str, required: bool) -> tuple[Layer, ...]:
    if not isinstance(data, list) or (required and not data):
        need = "a non-empty list" if required else "a list (empty for the identity)"
        raise ParamError(f"{prefix} must be {need} of conv, pool, subsample or batchnorm layers, got {_show(data)}")
    return tuple(_parse_one(index, item, prefix, IN_BLOCK) for index, item in enumerate(data))


def check_consistent(layer: Layer, where: str) -> None:
    """Checks within one layer (padding of a pool, groups, the connection table against in/out)."""
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


def _named(layers: tuple[Layer, ...], prefix: str) -> tuple[Layer, ...]:
    """Default names for unnamed layers: type and count, after `prefix` (a block's name and a dot)."""
    counts = dict.fromkeys(TYPES, 0)
    named = []
    for layer in layers:
        counts[layer.type] += 1
        if not layer.name:
            layer = replace(layer, name=f"{prefix}{layer.type}{counts[layer.type]}")
        named.append(layer)
    return tuple(named)


def parse_layers(data: Any) -> tuple[Layer, ...]:
    """Layers from a list of mappings (see the module docstring); ParamError names the bad layer."""
    if not isinstance(data, list) or not data:
        raise ParamError(f"layers must be a non-empty list of layers like [{{type: conv, kernel: 3}}, "
                         f"{{type: pool, kernel: 2}}], got {_show(data)}")
    parsed = tuple(_parse_one(index, item) for index, item in enumerate(data))
    total = count_layers(parsed)
    if total > MAX_LAYERS:
        raise ParamError(f"layers: a stack may hold at most {MAX_LAYERS} layers (those inside residual blocks "
                         f"count too), got {total}")
    layers: list[Layer] = []
    used: dict[str, str] = {}
    end_at = None  # the first dense, globalpool or flatten layer: the end of the spatial part
    vector_at = None  # the first dense or flatten layer: its output is a vector, nothing left to flatten
    for index, layer in enumerate(_named(parsed, "")):
        where = _where(index, layer.type)
        if layer.type == "residual":
            layer = replace(layer, main=_named(layer.main, f"{layer.name}."),
                            shortcut=_named(layer.shortcut, f"{layer.name}.shortcut."))
        places = [(layer, f"layers[{index}]", where)]
        for path in ("main", "shortcut"):
            places += [(inner, f"layers[{index}].{path}[{i}]", f"{where}.{path}[{i}] ({inner.type})")
                       for i, inner in enumerate(getattr(layer, path))]
        for inner, place, described in places:
            if inner.name in used:
                raise ParamError(f"{described}: name {inner.name!r} is already used by {used[inner.name]}; "
                                 "names must be unique")
            used[inner.name] = place
        if (layer.windowed or layer.type == "globalpool") and end_at is not None:
            raise ParamError(f"{where}: comes after the {layers[end_at].type} layer layers[{end_at}]; "
                             "dense, global pooling and flatten layers end the spatial part of a network")
        if layer.type == "flatten" and vector_at is not None:
            raise ParamError(f"{where}: comes after the {layers[vector_at].type} layer layers[{vector_at}], "
                             "whose output is a vector already: nothing to flatten")
        if layer.type in ENDS_SPATIAL and end_at is None:
            end_at = index
        if layer.type in ("dense", "flatten") and vector_at is None:
            vector_at = index
        layers.append(layer)
    return tuple(layers)


# -- back to data ------------------------------------------------------------------------------


def layer_to_dict(layer: Layer, default_name: str) -> dict[str, Any]:
    """The canonical mapping of a layer: only what differs from the defaults."""
    out: dict[str, Any] = {"type": layer.type}
    if layer.name != default_name:
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
    if layer.type == "residual":
        out["main"] = layers_to_data(layer.main, f"{layer.name}.")
        if layer.shortcut:
            out["shortcut"] = layers_to_data(layer.shortcut, f"{layer.name}.shortcut.")
    return out


def layers_to_data(layers: tuple[Layer, ...], prefix: str = "") -> list[dict[str, Any]]:
    """Plain YAML/JSON data that `parse_layers` turns back into the same layers."""
    counts = dict.fromkeys(TYPES, 0)
    data = []
    for layer in layers:
        counts[layer.type] += 1
        data.append(layer_to_dict(layer, f"{prefix}{layer.type}{counts[layer.type]}"))
    return data
