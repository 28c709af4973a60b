"""Batch normalization: `{type: batchnorm, channels: 64}`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.model import Eq, Op
from exercises.topics.layer_kinds.base import Layer, PathReader, Shape, Size, agree, read_ints, times
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class BatchNorm(Layer):
    """A trainable scale and shift per channel (its running statistics are not trained); `channels` is
    inferred from the layer before. It shares the line of the layer it follows in descriptions."""

    type = "batchnorm"
    keys = ("name", "channels")
    aliases = ("bn", "batch_norm")
    noun = "batch norm"
    in_block = True
    joins_previous = True

    channels: int | None = None

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        return read_ints(data, where, ("channels",))

    def settings(self) -> dict[str, Any]:
        return {"channels": self.channels} if self.channels is not None else {}

    @property
    def stated_inputs(self) -> int | None:
        return self.channels

    def param_count(self) -> int:
        return 2 * self.channels  # type: ignore[operator]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [(self.channels,), (self.channels,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "a scale and a shift per channel, {n}", {"n": Eq(Op("*", 2, self.channels), self.param_count())}

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        return replace(self, channels=agree(self.channels, channels, where, "channels", f"channels from {source}"))

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.channels

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "normalization keeps the shape, {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return "batch normalization" + (f" of {plural(self.channels, 'channel')}" if self.channels else ""), {}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        return x
