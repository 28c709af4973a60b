"""A block of layers one after the other: `{type: sequential, layers: [...]}` (a torchvision Sequential: an
inverted residual that adds nothing, SqueezeNet's fire, a DenseNet transition)."""

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
    times,
)
from exercises.topics.layer_kinds.block import Block, brief, chain, path_phrase, run
from exercises.topics.layer_kinds.window import Window


@dataclass(frozen=True, kw_only=True)
class Sequential(Block):
    """Its layers run one after the other, as if they stood in the stack: a way to keep a long network's list
    short (a shape trace asks one shape per block). `layers` holds layers that keep feature maps (blocks too);
    they are named after the block: fire2.conv1."""

    type = "sequential"
    keys = ("name", "layers")
    aliases = ("sequence", "stage", "group")
    noun = "sequence of layers"
    count_note = "a sequence of layers is one layer: its layers together"

    layers: tuple[Layer, ...]

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        if "layers" not in data:
            raise ParamError(f"{where}: layers is missing (the list of its layers)")
        return {"layers": read_path(data["layers"], f"{where}.layers", True)}

    def settings(self) -> dict[str, Any]:
        return {"layers": layers_to_data(self.layers, self.name_prefix("layers"))}

    def inner_paths(self) -> tuple[tuple[str, tuple[Layer, ...]], ...]:
        return (("layers", self.layers),)

    def with_paths(self, paths: tuple[tuple[Layer, ...], ...]) -> Block:
        return replace(self, layers=paths[0])

    def name_prefix(self, path: str) -> str:
        return f"{self.name}."

    def path_labels(self, path: str) -> tuple[str, str]:
        return "its layers", "no layers"

    def short(self) -> str:
        return f"a sequence of {len(self.layers)} layers"

    # -- shapes --------------------------------------------------------------------------------------------

    def infer(self, channels: int | None, size: Size | None, where: str,
              source: str) -> tuple[Layer, int | None, Size | None]:
        layers, _, channels, size = infer_path(self.layers, channels, size, f"{where}.layers")
        return replace(self, layers=layers), channels, size

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        for inner in self.layers:
            channels = inner.channels_after(channels, size)
            size = None if size is None else inner.size_after(size, self.name)
        return channels

    def size_after(self, size: Size | None, where: str) -> Size | None:
        for i, inner in enumerate(self.layers):
            size = inner.size_after(size, f"{where}.layers[{i}] ({inner.type}) {inner.name}")
        return size

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "its layers, one after the other: {steps}; so {shape}", {"steps": chain(self.layers, before),
                                                                         "shape": times(after)}

    # -- receptive fields ----------------------------------------------------------------------------------

    def windows(self) -> tuple[Window, ...]:
        return tuple(window for inner in self.layers for window in inner.windows())

    def field_after(self, before: Field, axis: int) -> Field:
        return field_through(self.layers, before, axis)

    def back(self, positions: set[int]) -> set[int]:
        for inner in reversed(self.layers):
            positions = inner.back(positions)
        return positions

    def window_text(self) -> str:
        return "sequence: " + (", ".join(brief(inner) for inner in self.layers if inner.windows()) or "none")

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        text, math = path_phrase(self.layers, counts, f"{key}l", joined=True)
        return f"a sequence of layers ({text or 'no window'})", math

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        return run(self.layers, x)
