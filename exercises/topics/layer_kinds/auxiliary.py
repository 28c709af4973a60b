"""An auxiliary classifier: `{type: auxiliary, head: [...]}`, a side head that reads the maps and gives a second
prediction in training, while the maps go on unchanged (Inception v3's AuxLogits)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.params import ParamError
from exercises.topics.layer_kinds.base import Field, Layer, PathReader, Shape, Size, infer_path, layers_to_data, times
from exercises.topics.layer_kinds.block import Block, chain, path_phrase, run


@dataclass(frozen=True, kw_only=True)
class Auxiliary(Block):
    """Its `head` is a small network of its own (pooling, convolutions, then globalpool, flatten, dense) that
    reads the maps arriving here; its output is a second prediction used in training (its loss helps the lower
    layers learn). The maps go on unchanged, so it changes no shape and no receptive field of the main path; its
    parameters count, as torchvision counts them while the head is part of the model. Its layers are named after
    it: aux.conv1."""

    type = "auxiliary"
    keys = ("name", "head")
    aliases = ("aux", "auxlogits", "aux_logits", "aux_classifier")
    noun = "auxiliary classifier"
    in_block = False
    windowed = False
    count_note = "an auxiliary classifier is one layer: the layers of its head together"
    field_note = "An auxiliary classifier is a side head: the maps pass it unchanged."

    head: tuple[Layer, ...]

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        if "head" not in data:
            raise ParamError(f"{where}: head is missing (the list of layers of the side classifier)")
        return {"head": read_path(data["head"], f"{where}.head", True, head=True)}

    def settings(self) -> dict[str, Any]:
        return {"head": layers_to_data(self.head, self.name_prefix("head"))}

    def inner_paths(self) -> tuple[tuple[str, tuple[Layer, ...]], ...]:
        return (("head", self.head),)

    def with_paths(self, paths: tuple[tuple[Layer, ...], ...]) -> Block:
        return replace(self, head=paths[0])

    def name_prefix(self, path: str) -> str:
        return f"{self.name}."

    def path_labels(self, path: str) -> tuple[str, str]:
        return "its head", "no head"

    def short(self) -> str:
        return "an auxiliary classifier"

    # -- shapes --------------------------------------------------------------------------------------------

    def infer(self, channels: int | None, size: Size | None, where: str,
              source: str) -> tuple[Layer, int | None, Size | None]:
        """The head from the maps arriving; the maps go on as they came."""
        head, _, _, _ = infer_path(self.head, channels, size, f"{where}.head")
        return replace(self, head=head), channels, size

    def size_after(self, size: Size | None, where: str) -> Size | None:
        current = size
        for i, inner in enumerate(self.head):  # the head must fit the maps
            current = inner.size_after(current, f"{where}.head[{i}] ({inner.type}) {inner.name}")
        return size

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return ("the side head {head} gives a second prediction (in training); the maps go on unchanged, "
                "{shape}", {"head": chain(self.head, before), "shape": times(after)})

    # -- receptive fields ----------------------------------------------------------------------------------

    @property
    def square(self) -> bool:
        return True

    def field_after(self, before: Field, axis: int) -> Field:
        return before

    def window_text(self) -> str:
        return "none (a side head)"

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        if not counts:
            return "auxiliary classifier (a side head: the maps pass it unchanged)", {}
        text, math = path_phrase(self.head, counts, f"{key}h", joined=True)
        return ("auxiliary classifier, a side head whose output is a second prediction used in training; the "
                f"maps go on unchanged (head: {text})"), math

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """The head runs (its output is a side prediction); the maps go on."""
        run(self.head, x)
        return x
