"""The layer stack as data: its YAML form, read into layer kinds with clear messages and written back.

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

Each kind is a class in `exercises.topics.layer_kinds` (its docstring says more); a new kind gets its line
above, with its keys (tests/test_layer_kinds.py checks that every kind and key is listed here).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from exercises.params import ParamError, _show
from exercises.topics.layer_kinds import KINDS, Layer
from exercises.topics.layer_kinds.base import layers_to_data, named

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")
MAX_LAYERS = 200  # every layer counts, those inside residual blocks too

__all__ = ["MAX_LAYERS", "NAME", "count_layers", "layers_to_data", "parse_layers"]


def count_layers(layers: tuple[Layer, ...]) -> int:
    """Every layer, those inside residual blocks too (a block counts itself and its paths' layers)."""
    return sum(layer.count() for layer in layers)


def _listed(words: list[str], last: str) -> str:
    """'a, b and c'."""
    return ", ".join(words[:-1]) + f" {last} " + words[-1] if len(words) > 1 else "".join(words)


# -- parsing ---------------------------------------------------------------------------------


def _where(index: int, kind: str, prefix: str = "layers") -> str:
    return f"{prefix}[{index}] ({kind})"


def _in_block() -> tuple[str, ...]:
    """The kinds a residual block's paths may hold."""
    return tuple(kind.type for kind in KINDS.values() if kind.in_block)


def _type_of(index: int, data: Any, prefix: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(data, dict):
        raise ParamError(f"{prefix}[{index}] must be a mapping like {{type: conv, kernel: 3}}, got {_show(data)}")
    kind = data.get("type")
    if kind in KINDS and kind not in allowed:
        raise ParamError(f"{_where(index, kind, prefix)}: a residual block's paths hold only "
                         f"{', '.join(allowed)} layers")
    if kind not in allowed:
        close = difflib.get_close_matches(str(kind), allowed, n=1) if kind is not None else []
        hints = {alias: known.type for known in KINDS.values() for alias in known.aliases}
        guess = hints.get(str(kind).lower(), close[0] if close else None)
        hint = f" (did you mean {guess!r}?)" if guess in allowed else ""
        got = "no type" if kind is None else f"type {_show(kind)}"
        raise ParamError(f"{prefix}[{index}]: {got}{hint}; type must be one of {', '.join(allowed)}")
    return kind


def _parse_one(index: int, data: Any, prefix: str = "layers", allowed: tuple[str, ...] | None = None) -> Layer:
    kind = KINDS[_type_of(index, data, prefix, tuple(KINDS) if allowed is None else allowed)]
    where = _where(index, kind.type, prefix)
    for key in data:
        if key != "type" and key not in kind.keys:
            close = difflib.get_close_matches(str(key), kind.keys, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ParamError(f"{where}: unknown key {_show(key)}{hint}; {kind.type} keys: {', '.join(kind.keys)}")
    name = data.get("name", "")
    if "name" in data and (not isinstance(name, str) or not NAME.match(name)):
        raise ParamError(f"{where}: name must be a short word (a letter, then letters, digits, _ . -; "
                         f"at most 20 characters), got {_show(name)}")
    layer = kind(name=name, **kind.read_settings(data, where, _parse_path))
    layer.check(where)
    return layer


def _parse_path(data: Any, prefix: str, required: bool) -> tuple[Layer, ...]:
    if not isinstance(data, list) or (required and not data):
        need = "a non-empty list" if required else "a list (empty for the identity)"
        raise ParamError(f"{prefix} must be {need} of {_listed(list(_in_block()), 'or')} layers, got {_show(data)}")
    return tuple(_parse_one(index, item, prefix, _in_block()) for index, item in enumerate(data))


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
    layers = tuple(layer.named_inside() for layer in named(parsed, ""))
    used: dict[str, str] = {}
    end_at = next((i for i, layer in enumerate(layers) if layer.ends_spatial), len(layers))
    vector_at = next((i for i, layer in enumerate(layers) if layer.gives_vector), len(layers))
    for index, layer in enumerate(layers):
        _check_names(index, layer, used)
        _check_place(index, layers, end_at, vector_at)
    return layers


def _check_names(index: int, layer: Layer, used: dict[str, str]) -> None:
    """The layer's name and its inner layers' are not in `used` (name: where it is); adds them."""
    where = _where(index, layer.type)
    places = [(layer, f"layers[{index}]", where)]
    for path, inner_layers in layer.inner_paths():
        places += [(inner, f"layers[{index}].{path}[{i}]", f"{where}.{path}[{i}] ({inner.type})")
                   for i, inner in enumerate(inner_layers)]
    for inner, place, described in places:
        if inner.name in used:
            raise ParamError(f"{described}: name {inner.name!r} is already used by {used[inner.name]}; "
                             "names must be unique")
        used[inner.name] = place


def _check_place(index: int, layers: tuple[Layer, ...], end_at: int, vector_at: int) -> None:
    """Nothing that needs feature maps after `end_at`, the first layer that ends the spatial part (dense,
    globalpool, flatten), and no flatten after `vector_at`, the first whose output is a vector (dense, flatten)."""
    layer, where = layers[index], _where(index, layers[index].type)
    if layer.needs_maps and end_at < index:
        ends = _listed([kind.noun for kind in KINDS.values() if kind.ends_spatial], "and")
        raise ParamError(f"{where}: comes after the {layers[end_at].type} layer layers[{end_at}]; "
                         f"{ends} layers end the spatial part of a network")
    if layer.flattens and vector_at < index:
        raise ParamError(f"{where}: comes after the {layers[vector_at].type} layer layers[{vector_at}], "
                         "whose output is a vector already: nothing to flatten")
