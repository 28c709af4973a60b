"""Batch normalization: `{type: batchnorm, channels: 64}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.model import Eq, Op
from exercises.topics.layer_kinds.base import Shape, times
from exercises.topics.layer_kinds.channelwise import PerChannel
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class BatchNorm(PerChannel):
    """A trainable scale and shift per channel (its running statistics are not trained); `channels` is
    inferred from the layer before. It shares the line of the layer it follows in descriptions."""

    type = "batchnorm"
    keys = ("name", "channels")
    aliases = ("bn", "batch_norm")
    noun = "batch norm"
    joins_previous = True

    def param_count(self) -> int:
        return 2 * self.channels  # type: ignore[operator]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [(self.channels,), (self.channels,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "a scale and a shift per channel, {n}", {"n": Eq(Op("*", 2, self.channels), self.param_count())}

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "normalization keeps the shape, {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return "batch normalization" + (f" of {plural(self.channels, 'channel')}" if self.channels else ""), {}
