"""The residual block: `{type: residual, main: [...], shortcut: [...]}`, output = main(x) + shortcut(x)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.params import ParamError
from exercises.topics.layer_kinds.base import (
    Field,
    Layer,
    PathReader,
    Shape,
    Size,
    field_through,
    infer_path,
    layers_to_data,
    side,
    times,
)
from exercises.topics.layer_kinds.block import Block, brief, chain, path_phrase, run
from exercises.topics.layer_kinds.window import Window


@dataclass(frozen=True, kw_only=True)
class Residual(Block):
    """Two paths read the block's input and their outputs are added, so they must have the same shape. Each
    path is a list of layers that keep feature maps (blocks too); without
    `shortcut` (or with `shortcut: []`) the shortcut is the identity, and a projection shortcut is e.g.
    `[{type: conv, kernel: 1, stride: 2, out: 128, bias: false}, {type: batchnorm}]`. Its inner layers are
    named after it: residual1.conv1, residual1.shortcut.conv1."""

    type = "residual"
    keys = ("name", "main", "shortcut")
    aliases = ("block", "resblock", "bottleneck")
    noun = "block"
    count_note = "a residual block is one layer: both of its paths together"
    field_note = ("A residual block sees what either of its two paths sees; where its main path is the wider one, "
                  "the table shows that path's growth.")

    main: tuple[Layer, ...]
    shortcut: tuple[Layer, ...] = ()

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        if "main" not in data:
            raise ParamError(f"{where}: main is missing (the list of layers of the block's main path)")
        return {"main": read_path(data["main"], f"{where}.main", True),
                "shortcut": read_path(data.get("shortcut", []), f"{where}.shortcut", False)}

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {"main": layers_to_data(self.main, f"{self.name}.")}
        if self.shortcut:
            out["shortcut"] = layers_to_data(self.shortcut, f"{self.name}.shortcut.")
        return out

    def inner_paths(self) -> tuple[tuple[str, tuple[Layer, ...]], ...]:
        return ("main", self.main), ("shortcut", self.shortcut)

    def with_paths(self, paths: tuple[tuple[Layer, ...], ...]) -> Block:
        return replace(self, main=paths[0], shortcut=paths[1])

    def name_prefix(self, path: str) -> str:
        return f"{self.name}." if path == "main" else super().name_prefix(path)

    def path_labels(self, path: str) -> tuple[str, str]:
        return f"{path} path", path

    # -- shapes --------------------------------------------------------------------------------------------

    def infer(self, channels: int | None, size: Size | None, where: str,
              source: str) -> tuple[Layer, int | None, Size | None]:
        """Each path from the block's input; their channels and sizes must agree (they are added)."""
        main, _, main_channels, main_size = infer_path(self.main, channels, size, f"{where}.main")
        shortcut, _, short_channels, short_size = infer_path(self.shortcut, channels, size, f"{where}.shortcut")
        if main_channels is not None and short_channels is not None and main_channels != short_channels:
            fix = "" if self.shortcut else f" (a projection shortcut: a 1x1 convolution to {main_channels} channels)"
            raise ParamError(f"{where}: the main path gives {main_channels} channels but the shortcut "
                             f"{short_channels}; they are added, so they must agree{fix}")
        if main_size is not None and short_size is not None and main_size != short_size:
            raise ParamError(f"{where}: the main path gives {side(main_size)} maps but the shortcut "
                             f"{side(short_size)}; they are added, so their sizes must agree")
        after = main_channels if main_channels is not None else short_channels
        return replace(self, main=main, shortcut=shortcut), after, main_size

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        for inner in self.main:
            channels = inner.channels_after(channels, size)
        return channels

    def size_after(self, size: Size | None, where: str) -> Size | None:
        if size is None:
            return None
        after = {}
        for path, layers in self.inner_paths():
            current: Size | None = size
            for i, inner in enumerate(layers):
                current = inner.size_after(current, f"{where}.{path}[{i}] ({inner.type}) {inner.name}")
            after[path] = current
        if after["main"] != after["shortcut"]:
            raise ParamError(f"{where}: the main path gives {side(after['main'])} maps but the shortcut "  # type: ignore
                             f"{side(after['shortcut'])}; they are added, so their sizes must agree")  # type: ignore
        return after["main"]

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        math = {"main": chain(self.main, before), "shape": times(after)}
        shortcut = "the shortcut {short}" if self.shortcut else "the shortcut is the identity"
        math.update({"short": chain(self.shortcut, before)} if self.shortcut else {})
        return "the main path {main}; " + shortcut + "; the two are added, so {shape}", math

    # -- receptive fields ----------------------------------------------------------------------------------

    def windows(self) -> tuple[Window, ...]:
        return tuple(window for inner in self.main for window in inner.windows())

    def field_after(self, before: Field, axis: int) -> Field:
        """The union of what its two paths see (the paths must step alike)."""
        main, shortcut = field_through(self.main, before, axis), field_through(self.shortcut, before, axis)
        if main.jump != shortcut.jump:
            raise ParamError(f"{self.name}: the main path steps {main.jump} input pixels per unit but the shortcut "
                             f"{shortcut.jump}; the two paths of a residual block must have the same strides")
        return Field(min(main.start, shortcut.start), max(main.end, shortcut.end), main.jump)

    def back(self, positions: set[int]) -> set[int]:
        """What its main path and its shortcut read."""
        main, shortcut = set(positions), set(positions)
        for inner in reversed(self.main):
            main = inner.back(main)
        for inner in reversed(self.shortcut):
            shortcut = inner.back(shortcut)
        return main | shortcut

    def window_text(self) -> str:
        main = ", ".join(brief(inner) for inner in self.main if inner.windows())
        short = ", ".join(brief(inner) for inner in self.shortcut if inner.windows()) or "identity"
        return f"block: main {main}; shortcut {short}"

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        """Its paths' layers (without counts: their windows), their placeholders keyed by path and position."""
        math: dict[str, Any] = {}
        paths = []
        for (_, layers), letter in zip(self.inner_paths(), "ms", strict=True):
            text, more = path_phrase(layers, counts, f"{key}{letter}", joined=True)
            paths.append(text)
            math.update(more)
        short = paths[1] or ("the identity" if not self.shortcut else "no window")
        return (f"residual block, its output the sum of the main path and the shortcut (main path: {paths[0]}; "
                f"shortcut: {short})"), math

    # -- simulation ----------------------------------------------------------------------------------------

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """Both paths read the block's input; their outputs are added."""
        paths = [run(layers, x) for _, layers in self.inner_paths()]
        assert paths[0].shape == paths[1].shape, f"{self.name}: paths give {paths[0].shape} and {paths[1].shape}"
        return paths[0] + paths[1]

