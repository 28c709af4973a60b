"""Flattening: `{type: flatten}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.model import Eq, Op, Prose, prose
from exercises.topics.layer_kinds.base import Layer, Shape, Size
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class Flatten(Layer):
    """The feature maps as one vector of C·H·W numbers: no parameters, no connections (a reshape). It may
    follow a global pool, not a dense layer or another flatten (their output is a vector already)."""

    type = "flatten"
    keys = ("name",)
    aliases = ("reshape", "view")
    noun = "flatten"
    ends_spatial = True
    gives_vector = True
    flattens = True
    reshapes_only = True
    counts_connections = True

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "flattening only reshapes, {n}", {"n": 0}

    def fan_in(self, before: Shape) -> list[int]:
        return []

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return None if channels is None or size is None else channels * size[0] * size[1]

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "all maps in one vector, {n}", {"n": Eq(Op("×", Op("×", *before[:2]), before[2]), after[0])}

    def shape_cell(self, shape: Shape) -> Prose:
        return prose(plural(shape[0], "number"))

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return "flatten the feature maps into one vector", {}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        return x.reshape(-1)
