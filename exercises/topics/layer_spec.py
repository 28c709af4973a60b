"""The layer stack as data: its YAML form, read into layer kinds with clear messages and written back.

A network is a list of mappings, in order (YAML in the bank, `--set` on the CLI):

    {type: conv, in: 3, out: 64, kernel: 3, stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, name: C1}
    {type: transposed, in: 64, out: 32, kernel: 4, stride: 2, padding: 1, output_padding: 0, dilation: 1,
     groups: 1, bias: true}                            the transpose of a convolution (PyTorch's ConvTranspose2d)
    {type: pool, kernel: 2, stride: 2, ceil_mode: false}   max pooling, no parameters; stride defaults to the kernel
    {type: avgpool, kernel: 3, stride: 1, padding: 1}  average pooling, the keys and defaults of pool
    {type: subsample, maps: 6, kernel: 2, stride: 2}   LeNet: one trainable coefficient and one bias per map
    {type: batchnorm, channels: 64}                    a trainable scale and shift per channel
    {type: layernorm, channels: 96}                    normalizes the channels at each position; scale and shift
    {type: layerscale, channels: 96}                   one trainable factor per channel (ConvNeXt)
    {type: se, channels: 96, squeeze: 24, gate: sigmoid}   squeeze-and-excitation: 2·C·S + S + C parameters
    {type: shuffle, groups: 2}                         channel shuffle (ShuffleNet): the channels reordered
    {type: dropout, p: 0.5}                            dropout (training only; no parameters)
    {type: droppath, p: 0.1}                           stochastic depth: a residual path dropped in training
    {type: residual, main: [...], shortcut: [...]}     a residual block: output = main(x) + shortcut(x)
    {type: concat, branches: [[...], [...]], split: false}   branches concatenated along the channels
    {type: sequential, layers: [...]}                  a block of layers one after the other
    {type: auxiliary, head: [...]}                     a side classifier; the maps go on unchanged
    {type: globalpool}                                 global average pooling: each map to one number (PyTorch's
                                                       AdaptiveAvgPool2d(1), the only adaptive pooling the named
                                                       networks need: AlexNet's and VGG's to 6x6 and 7x7 are the
                                                       identity at their 224x224 input)
    {type: flatten}                                    the feature maps as one vector (C·H·W numbers)
    {type: dense, in: 120, out: 84, bias: true}        fully connected

`kernel` may be `[kh, kw]` and a window's `padding` `[ph, pw]`; a conv may carry LeNet's partial connection
table in `connections: [[0, 1, 2], ...]` (which input maps feed each output map; maps are numbered from 0).
`groups: g` splits a convolution's channels into g groups that see only their own inputs (`groups` = `in`:
depthwise). Defaults: stride 1 (pool, avgpool and subsample: the kernel), padding 0, dilation 1, groups 1, bias
true, ceil_mode false (true rounds a pool's output size up, as PyTorch's ceil_mode). `in`/`out`/`channels`/`maps`
are needed only where parameters are counted, and even there a missing one is inferred from the layer before
(see `layers.infer_shapes`). LeCun et al.'s connections are counted for conv, pool, avgpool, subsample, dense and
flatten (a grouped conv's unit reads in/groups maps; a transposed conv's units read different numbers of
inputs, so it has no count per map). Activations are not layers here: none of the named networks uses one with
parameters (PReLU would be one), and they keep the shape and the receptive field.

Blocks hold paths of layers, each path read from the block's input: a residual block's `main` and `shortcut`
(added: their outputs must have the same shape; without `shortcut`, or with `shortcut: []`, the shortcut is the
identity; a projection shortcut is e.g. `[{type: conv, kernel: 1, stride: 2, out: 128, bias: false},
{type: batchnorm}]`), a concatenation's `branches` (stacked along the channels: their maps must have the same
size; `[]` passes the input on, as a DenseNet layer does; `split: true` gives each branch its equal share of the
input channels, as ShuffleNet does), a sequence's `layers` (one after the other). Their paths hold the layers
that keep feature maps, blocks too, nested at most 4 deep. An auxiliary classifier's `head` is a small network
of its own (it may end in globalpool, flatten and dense); the maps pass it unchanged.
The spatial part of a network ends at its first globalpool, flatten or dense layer: no window, block
or global pool may follow it, and a flatten only a global pool (whose C numbers it lines up, as
torchvision's ResNet does), not a dense layer or another flatten (their output is a vector already).

Unnamed layers are named by type and count: conv1, pool1, subsample1, batchnorm1, residual1,
globalpool1, flatten1, dense1; inside a block, after the block: residual1.conv1, residual1.shortcut.conv1,
concat1.branch2.conv1, sequential1.conv1, auxiliary1.conv1.
Layers are numbered from 0 in error messages (`layers[2]`, `layers[4].main[1]`), as in the YAML list.
A stack holds at most 200 layers, counting those inside blocks (named networks may hold more).

Each kind is a class in `exercises.topics.layer_kinds` (its docstring says more); a new kind gets its line
above, with its keys (tests/test_layer_kinds.py checks that every kind and key is listed here).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from exercises.params import ParamError, _show
from exercises.topics.layer_kinds import KINDS, Layer
from exercises.topics.layer_kinds.base import PathReader, layers_to_data, named_path, nested

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,19}$")
MAX_LAYERS = 200  # every layer counts, those inside blocks too
MAX_DEPTH = 4  # blocks inside blocks

__all__ = ["MAX_LAYERS", "NAME", "count_layers", "layers_to_data", "parse_layers"]


def count_layers(layers: tuple[Layer, ...]) -> int:
    """Every layer, those inside blocks too (a block counts itself and its paths' layers)."""
    return sum(layer.count() for layer in layers)


def _listed(words: list[str], last: str) -> str:
    """'a, b and c'."""
    return ", ".join(words[:-1]) + f" {last} " + words[-1] if len(words) > 1 else "".join(words)


# -- parsing ---------------------------------------------------------------------------------


def _where(index: int, kind: str, prefix: str = "layers") -> str:
    return f"{prefix}[{index}] ({kind})"


def _in_block() -> tuple[str, ...]:
    """The kinds a block's paths may hold."""
    return tuple(kind.type for kind in KINDS.values() if kind.in_block)


def _in_head() -> tuple[str, ...]:
    """The kinds a side head may hold: a block's, and those that end a network."""
    return tuple(kind.type for kind in KINDS.values() if kind.in_block or kind.ends_spatial)


def _type_of(index: int, data: Any, prefix: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(data, dict):
        raise ParamError(f"{prefix}[{index}] must be a mapping like {{type: conv, kernel: 3}}, got {_show(data)}")
    kind = data.get("type")
    if kind in KINDS and kind not in allowed:
        raise ParamError(f"{_where(index, kind, prefix)}: a block's paths hold only {', '.join(allowed)} layers")
    if kind not in allowed:
        close = difflib.get_close_matches(str(kind), allowed, n=1) if kind is not None else []
        hints = {alias: known.type for known in KINDS.values() for alias in known.aliases}
        guess = hints.get(str(kind).lower(), close[0] if close else None)
        hint = f" (did you mean {guess!r}?)" if guess in allowed else ""
        got = "no type" if kind is None else f"type {_show(kind)}"
        raise ParamError(f"{prefix}[{index}]: {got}{hint}; type must be one of {', '.join(allowed)}")
    return kind


def _parse_one(index: int, data: Any, prefix: str = "layers", allowed: tuple[str, ...] | None = None,
               depth: int = 0) -> Layer:
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
    layer = kind(name=name, **kind.read_settings(data, where, _path_reader(depth)))
    layer.check(where)
    return layer


def _path_reader(depth: int) -> PathReader:
    """How a block at `depth` (0: in the stack itself) reads its paths."""
    def read(data: Any, prefix: str, required: bool, head: bool = False) -> tuple[Layer, ...]:
        allowed = _in_head() if head else _in_block()
        if not isinstance(data, list) or (required and not data):
            need = "a non-empty list" if required else "a list (empty for the identity)"
            raise ParamError(f"{prefix} must be {need} of {_listed(list(allowed), 'or')} layers, got {_show(data)}")
        if data and depth + 1 >= MAX_DEPTH and any(isinstance(item, dict) and item.get("type") in KINDS
                                                   and KINDS[item["type"]].block for item in data):
            raise ParamError(f"{prefix}: blocks nest at most {MAX_DEPTH} deep")
        path = tuple(_parse_one(index, item, prefix, allowed, depth + 1) for index, item in enumerate(data))
        if head:
            _check_places(path, prefix)
        return path
    return read


def parse_layers(data: Any, limit: int | None = MAX_LAYERS) -> tuple[Layer, ...]:
    """Layers from a list of mappings (see the module docstring); ParamError names the bad layer. A stack
    holds at most `limit` layers, those inside blocks too (None: no limit, for the named networks)."""
    if not isinstance(data, list) or not data:
        raise ParamError(f"layers must be a non-empty list of layers like [{{type: conv, kernel: 3}}, "
                         f"{{type: pool, kernel: 2}}], got {_show(data)}")
    parsed = tuple(_parse_one(index, item) for index, item in enumerate(data))
    total = count_layers(parsed)
    if limit is not None and total > limit:
        raise ParamError(f"layers: a stack may hold at most {limit} layers (those inside blocks count too), "
                         f"got {total}")
    layers = named_path(parsed, "")
    used: dict[str, str] = {}
    for index, layer in enumerate(layers):
        _check_names(index, layer, used)
    _check_places(layers, "layers")
    return layers


def _check_names(index: int, layer: Layer, used: dict[str, str]) -> None:
    """The layer's name and its inner layers' are not in `used` (name: where it is); adds them."""
    places = [(layer, f"layers[{index}]", _where(index, layer.type))]
    places += [(inner, place, described) for inner, place, described in nested((layer,), "layers", "layers", index)]
    for inner, place, described in places:
        if inner.name in used:
            raise ParamError(f"{described}: name {inner.name!r} is already used by {used[inner.name]}; "
                             "names must be unique")
        used[inner.name] = place


def _check_places(layers: tuple[Layer, ...], prefix: str) -> None:
    """Nothing that needs feature maps after the first layer that ends the spatial part (dense, globalpool,
    flatten), and no flatten after the first whose output is a vector (dense, flatten)."""
    end_at = next((i for i, layer in enumerate(layers) if layer.ends_spatial), len(layers))
    vector_at = next((i for i, layer in enumerate(layers) if layer.gives_vector), len(layers))
    for index, layer in enumerate(layers):
        where = _where(index, layer.type, prefix)
        if layer.needs_maps and end_at < index:
            ends = _listed([kind.noun for kind in KINDS.values() if kind.ends_spatial], "and")
            raise ParamError(f"{where}: comes after the {layers[end_at].type} layer {prefix}[{end_at}]; "
                             f"{ends} layers end the spatial part of a network")
        if layer.flattens and vector_at < index:
            raise ParamError(f"{where}: comes after the {layers[vector_at].type} layer {prefix}[{vector_at}], "
                             "whose output is a vector already: nothing to flatten")
