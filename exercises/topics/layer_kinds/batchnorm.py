"""Batch normalization: `{type: batchnorm, channels: 64}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.topics.layer_kinds.base import Shape, times
from exercises.topics.layer_kinds.channelwise import ScaleShift
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class BatchNorm(ScaleShift):
    """A trainable scale and shift per channel (its running statistics are not trained); `channels` is
    inferred from the layer before. It shares the line of the layer it follows in descriptions."""

    type = "batchnorm"
    keys = ("name", "channels")
    aliases = ("bn", "batch_norm")
    noun = "batch norm"
    joins_previous = True

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "normalization keeps the shape, {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return "batch normalization" + (f" of {plural(self.channels, 'channel')}" if self.channels else ""), {}
