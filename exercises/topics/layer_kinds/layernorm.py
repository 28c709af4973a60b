"""Layer normalization of the channels: `{type: layernorm, channels: 96}` (ConvNeXt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.topics.layer_kinds.base import Shape, times
from exercises.topics.layer_kinds.channelwise import ScaleShift
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class LayerNorm(ScaleShift):
    """At each position the C channel values are normalized by their own mean and variance (not a batch's),
    then scaled and shifted per channel: 2·C trainable parameters, as ConvNeXt's LayerNorm2d (PyTorch's
    nn.LayerNorm(C) over the channels of each position; nn.LayerNorm([C, H, W]) would learn 2·C·H·W). It keeps
    the shape and mixes no positions. `channels` is inferred from the layer before."""

    type = "layernorm"
    keys = ("name", "channels")
    aliases = ("ln", "layer_norm", "layernorm2d")
    noun = "layer norm"

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "normalization over the channels keeps the shape, {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        of = f" of {plural(self.channels, 'channel')}" if self.channels else ""
        return f"layer normalization{of} at each position (their own mean and variance)", {}
