"""What every layer kind answers: the `Layer` base class, and the helpers its kinds share.

A kind is a frozen subclass of `Layer` (see the package docstring). The base class says what a stack asks of
a layer and gives the answer of a layer that does nothing to it: no parameters, no window, the shape unchanged.
A kind overrides what it changes. The helpers here work on a path of layers of any kinds (`infer_path`,
`field_through`), so that a block (a kind holding paths of layers, as `Residual` does) runs its paths with them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Protocol

import numpy as np

from exercises.model import Op, Prose, prose
from exercises.params import ParamError, _is_int, _show

Size = tuple[int, int]  # height, width
Shape = tuple[int, int, int]  # channels, height, width


class PathReader(Protocol):
    """How a block reads one of its paths from YAML (`layer_spec` gives it): the layers, checked; `required`:
    not empty; `head`: a path that may end in a classifier (globalpool, flatten, dense), as a side head does."""

    def __call__(self, data: Any, where: str, required: bool, head: bool = False) -> tuple[Layer, ...]: ...


LIMITS = {"stride": (1, 16), "padding": (0, 32), "dilation": (1, 16), "groups": (1, 4096),
          "in": (1, 1_000_000), "out": (1, 1_000_000), "maps": (1, 100_000), "channels": (1, 100_000),
          "output_padding": (0, 15), "squeeze": (1, 100_000)}
FIELD_OF = {"in": "inputs", "out": "outputs", "maps": "channels"}  # YAML key -> field, where they differ


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


class Placeholders:
    """The math of a phrase: `put` stores a value under `key` + its name and returns its `{placeholder}`, so
    that the phrases of several layers (a block's, a run's) can share one paragraph."""

    def __init__(self, key: str = ""):
        self.key = key
        self.math: dict[str, Any] = {}

    def put(self, name: str, value: Any) -> str:
        self.math[self.key + name] = value
        return "{" + self.key + name + "}"

    def sizes(self, text: str) -> str:
        """Text for a paragraph whose window sizes ('3×3', as `kernel_text` writes them) become math."""
        return _SIZE.sub(lambda found: self.put(f"size{len(self.math)}", Op("×", int(found[1]), int(found[2]))),
                         text)


_SIZE = re.compile(r"\b(\d+)×(\d+)\b")


@dataclass(frozen=True, kw_only=True)
class Layer(ABC):
    """One layer of a stack; a kind is a subclass. `name` is given or filled in by `layer_spec`."""

    type: ClassVar[str]  # the YAML `type`
    keys: ClassVar[tuple[str, ...]]  # its YAML keys, in the order messages list them
    aliases: ClassVar[tuple[str, ...]] = ()  # what else people call it (`type: bn` → did you mean 'batchnorm'?)
    noun: ClassVar[str]  # in solutions: 'convolution', 'batch norm'
    in_block: ClassVar[bool] = False  # may stand in a block's path
    needs_maps: ClassVar[bool] = False  # reads feature maps: may not follow the end of the spatial part
    ends_spatial: ClassVar[bool] = False  # after it the feature maps are gone (its output is 1x1)
    gives_vector: ClassVar[bool] = False  # its output is a vector (nothing left to flatten)
    flattens: ClassVar[bool] = False  # needs maps or a global pool's numbers, not a vector
    windowed: ClassVar[bool] = False  # shapes a receptive field
    block: ClassVar[bool] = False  # holds paths of layers
    joins_previous: ClassVar[bool] = False  # shares the previous layer's line in descriptions (a batch norm)
    reshapes_only: ClassVar[bool] = False  # moves numbers, computes nothing: no connections (flatten)
    counts_connections: ClassVar[bool] = False  # LeCun et al.'s connections are defined for it
    count_note: ClassVar[str] = ""  # what a per-layer parameter count must say about this kind
    field_note: ClassVar[str] = ""  # what a receptive-field solution must say about this kind

    name: str = ""

    # -- YAML ----------------------------------------------------------------------------------------------

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        """The constructor's arguments from the YAML mapping (its keys are known to be the kind's)."""
        return {}

    def check(self, where: str) -> None:  # noqa: B027 - most kinds have nothing to check
        """Checks within the layer (ParamError naming `where`)."""

    def settings(self) -> dict[str, Any]:
        """The YAML keys that differ from their defaults (not type and name), in `keys` order."""
        return {}

    def inner_paths(self) -> tuple[tuple[str, tuple[Layer, ...]], ...]:
        """A block's paths as (name, layers); () for a single layer."""
        return ()

    def path_key(self, path: str) -> str:
        """Where a path of `inner_paths` stands in the YAML: `main`, `branches[1]`."""
        return path

    def inner_layers(self) -> tuple[Layer, ...]:
        """The layers inside a block, path after path."""
        return tuple(inner for _, path in self.inner_paths() for inner in path)

    def named_inside(self) -> Layer:
        """A block with its unnamed inner layers named after it; a single layer as it is."""
        return self

    def count(self) -> int:
        """Layers, this one and every one inside it."""
        return 1 + sum(inner.count() for inner in self.inner_layers())

    # -- parameters ----------------------------------------------------------------------------------------

    @property
    def stated_inputs(self) -> int | None:
        """The `in` (or maps, or channels) the layer states about its input; None if it states none."""
        return None

    def param_count(self) -> int:
        """Trainable parameters of the (shape-complete) layer, by the closed formula."""
        return 0

    def biases(self) -> int:
        """How many of them are biases (one per output map or unit)."""
        return 0

    def weight_shapes(self) -> list[tuple[int, ...]]:
        """The shapes of its trainable tensors, as a framework would allocate them."""
        return []

    def tensor_entries(self) -> int:
        """Trainable entries of those tensors (an independent count for verifiers)."""
        return sum(int(np.prod(shape)) for shape in self.weight_shapes())

    def counting(self) -> tuple[str, dict[str, Any]]:
        """How a solution works out its count: text with `{n}` and its math."""
        return f"{self.noun} has nothing to learn, {{n}}", {"n": 0}

    def short(self) -> str:
        """The layer inside a block, briefly: 'batch norm'."""
        return self.noun

    # -- connections ---------------------------------------------------------------------------------------

    def fan_in(self, before: Shape) -> list[int]:
        """The inputs each output map's units read, one entry per output map (bias not included)."""
        raise NotImplementedError(f"connections of a {self.type} layer are not counted")

    # -- shapes --------------------------------------------------------------------------------------------

    def infer(self, channels: int | None, size: Size | None, where: str,
              source: str) -> tuple[Layer, int | None, Size | None]:
        """The layer with its missing inputs filled in from what arrives (checked against given ones), and the
        channels and size after it (None where unknown)."""
        layer = self.resolved(channels, size, where, source)
        return layer, layer.channels_after(channels, size), layer.size_after(size, where)

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        """The layer with what it states about its input filled in from `channels` and `size`, arriving from
        `source` ('the layer before'); ParamError when a given value disagrees."""
        return self

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        """The channels (a vector's length) after the layer, from the channels and size before it."""
        return channels

    def size_after(self, size: Size | None, where: str) -> Size | None:
        """The spatial size after the layer; ParamError when a window has no room."""
        return (1, 1) if self.ends_spatial else size

    @abstractmethod
    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        """How a solution works out the shape after the layer: text with placeholders and their math."""

    def shape_cell(self, shape: Shape) -> Prose:
        """The shape after the layer in a solution's table."""
        return prose("{out}", out=times(shape))

    # -- receptive fields ----------------------------------------------------------------------------------

    @property
    def square(self) -> bool:
        """Its windows are square."""
        return True

    def windows(self) -> tuple[Any, ...]:
        """The window layers along its main path: itself if it is one."""
        return ()

    def field_after(self, before: Field, axis: int) -> Field:
        """What unit 0 sees after the layer, from what it sees before it."""
        return before

    def back(self, positions: set[int]) -> set[int]:
        """The positions below that the given output positions (one axis) read: found by walking back."""
        return positions

    def window_text(self) -> str:
        """Its window in a receptive-field table: '3x3, stride 2'."""
        return "none"

    def field_signature(self) -> tuple[Any, ...]:
        """Equal for layers that widen a receptive field alike (a run of them shares a table row)."""
        return self.type, self.window_text()

    # -- words ---------------------------------------------------------------------------------------------

    @abstractmethod
    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        """What the layer does, as text with placeholders named with `key` first and their math. With
        counts=False, only what shapes a receptive field."""

    def stated(self, given: Layer) -> Layer:
        """The layer as a question states it: with what was inferred, unless that gives an answer away."""
        return self

    def input_note(self, given: Layer, before: Shape | None) -> tuple[str, dict[str, Any]] | None:
        """Where an inferred input count came from, for a solution (None: nothing to say)."""
        return None

    # -- simulation ----------------------------------------------------------------------------------------

    @abstractmethod
    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """The layer run on `x` ((channels, height, width), or a vector) with every weight 1 and no bias, a
        window adding what it reads: on ones, each output counts the inputs it reads. With `tap` = (out map,
        in map, row, col), only that convolution weight is 1."""


# -- reading YAML ----------------------------------------------------------------------------------------


def read_ints(data: dict[str, Any], where: str, keys: tuple[str, ...]) -> dict[str, int]:
    """The bounded integer `keys` present in `data`, as constructor arguments, read in the order given."""
    found = {}
    for key in keys:
        if key in data:
            low, high = LIMITS[key]
            value = data[key]
            if not _is_int(value) or not low <= value <= high:
                raise ParamError(f"{where}: {key} must be an integer from {low} to {high}, got {_show(value)}")
            found[FIELD_OF.get(key, key)] = value
    return found


def read_bias(data: dict[str, Any], where: str) -> dict[str, bool]:
    if "bias" not in data:
        return {}
    if not isinstance(data["bias"], bool):
        raise ParamError(f"{where}: bias must be true or false, got {_show(data['bias'])}")
    return {"bias": data["bias"]}


def default_names(layers: tuple[Layer, ...], prefix: str) -> list[str]:
    """The names unnamed layers get: type and count, after `prefix` (a block's name and a dot)."""
    counts: dict[str, int] = {}
    names = []
    for layer in layers:
        counts[layer.type] = counts.get(layer.type, 0) + 1
        names.append(f"{prefix}{layer.type}{counts[layer.type]}")
    return names


def named(layers: tuple[Layer, ...], prefix: str) -> tuple[Layer, ...]:
    """The layers with their default names where they have none."""
    return tuple(layer if layer.name else replace(layer, name=default)
                 for layer, default in zip(layers, default_names(layers, prefix), strict=True))


def named_path(layers: tuple[Layer, ...], prefix: str) -> tuple[Layer, ...]:
    """A block's path with its default names after `prefix`, and the layers inside its blocks named after them."""
    return tuple(layer.named_inside() for layer in named(layers, prefix))


def nested(layers: tuple[Layer, ...], place: str, described: str,
           first: int = 0) -> Iterator[tuple[Layer, str, str]]:
    """Every layer inside the given ones (a path named `place` in YAML, `described` in messages, numbered from
    `first`), at any depth, with where it is: (layer, `layers[2].main[0]`, `layers[2] (residual).main[0] (conv)`)."""
    for index, layer in enumerate(layers, start=first):
        for path, inner in layer.inner_paths():
            key = layer.path_key(path)
            where, told = f"{place}[{index}].{key}", f"{described}[{index}] ({layer.type}).{key}"
            for i, found in enumerate(inner):
                yield found, f"{where}[{i}]", f"{told}[{i}] ({found.type})"
            yield from nested(inner, where, told)


def layers_to_data(layers: tuple[Layer, ...], prefix: str = "") -> list[dict[str, Any]]:
    """Plain YAML/JSON data that `layer_spec.parse_layers` turns back into the same layers: type, the name
    where it is not the default one, then what differs from the defaults."""
    data = []
    for layer, default in zip(layers, default_names(layers, prefix), strict=True):
        out: dict[str, Any] = {"type": layer.type}
        if layer.name != default:
            out["name"] = layer.name
        data.append(out | layer.settings())
    return data


# -- shapes ----------------------------------------------------------------------------------------------


def agree(given: int | None, arriving: int | None, where: str, key: str, what: str) -> int:
    """A stated input count and the one arriving: either fills in the other, and they must be equal."""
    if given is None and arriving is None:
        raise ParamError(f"{where}: {key} is missing and cannot be inferred: give it, or the input "
                         "channels and size")
    if given is not None and arriving is not None and given != arriving:
        raise ParamError(f"{where}: {key} is {given} but it gets {arriving} {what}")
    return given if given is not None else arriving  # type: ignore[return-value]


def with_inputs(layer: Any, channels: int | None, where: str, source: str) -> Any:
    """A layer with `inputs` and `outputs` (a convolution, a transposed one) with `in` filled in from the channels
    arriving (they must agree) and `out` required; then checked."""
    done = replace(layer, inputs=agree(layer.inputs, channels, where, "in", f"channels from {source}"))
    if done.outputs is None:
        raise ParamError(f"{where}: out is missing (the number of output channels)")
    done.check(where)
    return done


def infer_path(layers: tuple[Layer, ...], channels: int | None, size: Size | None,
               prefix: str) -> tuple[tuple[Layer, ...], list[Shape | None], int | None, Size | None]:
    """Shape inference along a path of layers named `prefix[i]` in messages: the layers with inferred
    inputs, the (channels, height, width) after each (None where unknown), and the channels and size after
    the last."""
    done: list[Layer] = []
    shapes: list[Shape | None] = []
    for index, layer in enumerate(layers):
        where = f"{prefix}[{index}] ({layer.type}) {layer.name}"
        source = "the layer before" if index else ("the block's input" if "." in prefix else "the input")
        layer, channels, size = layer.infer(channels, size, where, source)
        shapes.append(None if channels is None or size is None else (channels, *size))
        done.append(layer)
    return tuple(done), shapes, channels, size


def field_through(layers: tuple[Layer, ...], field: Field, axis: int) -> Field:
    """What unit 0 sees after a path of layers."""
    for layer in layers:
        field = layer.field_after(field, axis)
    return field


def times(shape: Shape) -> Op:
    """channels × height × width."""
    return Op("×", Op("×", shape[0], shape[1]), shape[2])


def side(size: Size) -> str:
    return f"{size[0]}x{size[1]}"
