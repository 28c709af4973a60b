"""What every block shares: a layer that holds paths of layers (a residual block's main path and shortcut,
concatenated branches, a sequence, a side head). Its parameters are its layers'; the layers inside are named
after it; a solution counts them path by path and shows the shapes along each path."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.model import Eq, Op
from exercises.topics.layer_kinds.base import Field, Layer, Placeholders, Shape, infer_path, named_path, times


@dataclass(frozen=True, kw_only=True)
class Block(Layer):
    """A layer holding paths of layers, each read from the block's input. A kind says what its paths are
    (`inner_paths`, `with_paths`) and how their outputs join."""

    in_block = True
    needs_maps = True
    windowed = True
    block = True

    @abstractmethod
    def with_paths(self, paths: tuple[tuple[Layer, ...], ...]) -> Block:
        """The block with its paths replaced (in `inner_paths` order)."""

    def name_prefix(self, path: str) -> str:
        """What the default names of a path's layers start with."""
        return f"{self.name}.{path}."

    def named_inside(self) -> Layer:
        return self.with_paths(tuple(named_path(layers, self.name_prefix(path)) for path, layers in self.inner_paths()))

    # -- parameters ----------------------------------------------------------------------------------------

    def param_count(self) -> int:
        """The layers of all its paths."""
        return sum(inner.param_count() for inner in self.inner_layers())

    def biases(self) -> int:
        return sum(inner.biases() for inner in self.inner_layers())

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [shape for inner in self.inner_layers() for shape in inner.weight_shapes()]

    def tensor_entries(self) -> int:
        return sum(inner.tensor_entries() for inner in self.inner_layers())

    def path_labels(self, path: str) -> tuple[str, str]:
        """How a solution names a path when it has layers, and when it is empty (the identity)."""
        return path, path

    def counting(self) -> tuple[str, dict[str, Any]]:
        """The layers of each path, then (with several paths) together."""
        math: dict[str, Any] = {}
        texts = []
        for path, layers in self.inner_paths():
            label, empty = self.path_labels(path)
            if not layers:
                texts.append(f"{empty}: the identity, 0")
                continue
            key = "".join(ch for ch in path if ch.isalnum())
            counts = [inner.param_count() for inner in layers]
            nonzero = [c for c in counts if c]
            chain: Any = nonzero[0] if nonzero else 0
            for term in nonzero[1:]:
                chain = Op("+", chain, term)
            math[key] = Eq(chain, sum(counts)) if len(nonzero) > 1 else sum(counts)
            slots = Placeholders(f"{key}_")
            names = slots.sizes(", ".join(inner.short() for inner in layers))
            math.update(slots.math)
            texts.append(f"{label} ({names}): {{{key}}}")
        if len(texts) == 1:
            return texts[0], math
        math["n"] = self.param_count()
        return "; ".join(texts) + "; together {n}", math

    # -- receptive fields ----------------------------------------------------------------------------------

    @property
    def square(self) -> bool:
        """Its field grows alike along both axes (its kernels may be 1x7 and 7x1)."""
        return self.field_after(Field(), 0) == self.field_after(Field(), 1)


def chain(path: tuple[Layer, ...], before: Shape) -> Any:
    """A path's shapes from the block's input, layer by layer: 64 × 56 × 56 → 128 × 28 × 28 → …; a vector
    (after a layer that ends the maps) as its length."""
    _, shapes, _, _ = infer_path(path, before[0], before[1:], "path")
    steps: Any = times(before)
    for layer, shape in zip(path, shapes, strict=True):
        steps = Op("→", steps, shape[0] if layer.ends_spatial else times(shape))  # type: ignore[index,arg-type]
    return steps


def brief(layer: Layer) -> str:
    """A window in a block's row of a receptive-field table: 3×3, or 3×3 (stride 2)."""
    return ", ".join(f"{w.kernel_text()}" + (f" (stride {w.stride})" if w.stride > 1 else "") for w in layer.windows())


def path_phrase(layers: tuple[Layer, ...], counts: bool, key: str, joined: bool = False) -> tuple[str, dict[str, Any]]:
    """A path's layers in words, one after the other (without counts: only those that shape a field), their
    placeholders keyed by `key` and position. `joined`: a batch norm as 'then batch norm' after its layer, and
    a run of identical layers (with their batch norms) as one: '3 identical blocks, each: …'."""
    groups: list[list[Layer]] = []
    for inner in layers:
        if joined and counts and inner.joins_previous and groups:
            groups[-1].append(inner)
        elif counts or inner.windowed:
            groups.append([inner])
    math: dict[str, Any] = {}
    runs: list[list[Any]] = []  # [text, what it says with unkeyed placeholders, repeats, a block]
    for i, group in enumerate(groups):
        text, more = group[0].phrase(counts, f"{key}{i}_")
        text += "".join(f", then {inner.noun}" for inner in group[1:])
        same = (group[0].phrase(counts, ""), [inner.noun for inner in group[1:]])  # its words and their math
        if joined and runs and same == runs[-1][1]:
            runs[-1][2] += 1
            continue
        runs.append([text, same, 1, group[0].block])
        math.update(more)
    phrases = [text if repeats == 1 else f"{repeats} identical {'blocks' if block else 'layers'}, each: {text}"
               for text, _, repeats, block in runs]
    return "; ".join(phrases), math


def run(layers: tuple[Layer, ...], x: np.ndarray) -> np.ndarray:
    """A path run on `x` with every weight 1 (see `Layer.reads`)."""
    for inner in layers:
        x = inner.reads(x)
    return x
