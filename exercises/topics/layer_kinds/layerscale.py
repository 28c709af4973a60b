"""Layer scale: `{type: layerscale, channels: 96}` (ConvNeXt, CaiT)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.topics.layer_kinds.base import Shape, times
from exercises.topics.layer_kinds.channelwise import PerChannel
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class LayerScale(PerChannel):
    """One trainable factor per channel, multiplied into a residual branch before it is added (ConvNeXt starts
    them at 1e-6): C parameters, the shape kept. `channels` is inferred from the layer before."""

    type = "layerscale"
    keys = ("name", "channels")
    aliases = ("layer_scale", "gamma")
    noun = "layer scale"

    def param_count(self) -> int:
        return self.channels  # type: ignore[return-value]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [(self.channels,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "one factor per channel, {n}", {"n": self.param_count()}

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "scaling keeps the shape, {shape}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        of = f" ({plural(self.channels, 'channel')})" if self.channels else ""
        return f"layer scale: a trainable factor per channel{of}", {}
