"""What layers that work channel by channel share (batch and layer norm, layer scale, squeeze-and-excitation):
`channels`, inferred from the layer before, and the shape kept; a normalization's scale and shift."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.model import Eq, Op
from exercises.topics.layer_kinds.base import Layer, PathReader, Size, agree, read_ints


@dataclass(frozen=True, kw_only=True)
class PerChannel(Layer):
    """A layer that keeps the shape and states its `channels` (inferred from the layer before)."""

    in_block = True

    channels: int | None = None

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        return read_ints(data, where, ("channels",))

    def settings(self) -> dict[str, Any]:
        return {"channels": self.channels} if self.channels is not None else {}

    @property
    def stated_inputs(self) -> int | None:
        return self.channels

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        return replace(self, channels=agree(self.channels, channels, where, "channels", f"channels from {source}"))

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.channels

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """Each channel scaled (by 1): what each unit reads is what arrived at its position."""
        return x


@dataclass(frozen=True, kw_only=True)
class ScaleShift(PerChannel):
    """A normalization's trainable scale and shift per channel: 2·C parameters."""

    def param_count(self) -> int:
        return 2 * self.channels  # type: ignore[operator]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [(self.channels,), (self.channels,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "a scale and a shift per channel, {n}", {"n": Eq(Op("*", 2, self.channels), self.param_count())}
