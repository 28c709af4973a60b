"""LeNet's subsampling: `{type: subsample, maps: 6, kernel: 2, stride: 2}`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from exercises.model import Eq, Op
from exercises.topics.layer_kinds.base import Layer, Placeholders, Size, agree
from exercises.topics.layer_kinds.window import Window
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class Subsample(Window):
    """A window's sum times one trainable coefficient, plus one trainable bias, per map (LeCun et al. 1998);
    the stride defaults to the window, no padding. `maps` is inferred from the layer before."""

    type = "subsample"
    keys = ("name", "maps", "kernel", "stride")
    aliases = ("subsampling",)
    noun = "subsampling"
    counts_connections = True
    what = "subsampling, window "
    int_keys = ("stride", "maps")
    stride_is_kernel = True

    channels: int | None = None

    def settings(self) -> dict[str, Any]:
        return ({"maps": self.channels} if self.channels is not None else {}) | self.window_settings()

    @property
    def stated_inputs(self) -> int | None:
        return self.channels

    def param_count(self) -> int:
        return 2 * self.channels  # type: ignore[operator]

    def biases(self) -> int:
        return self.channels  # type: ignore[return-value]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        return [(self.channels,), (self.channels,)]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "one coefficient and one bias per map, {n}", {"n": Eq(Op("*", 2, self.channels), self.param_count())}

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        return replace(self, channels=agree(self.channels, channels, where, "maps", f"channels from {source}"))

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.channels

    def counted_settings(self, slots: Placeholders) -> list[str]:
        if self.channels is None:
            return []
        return [f"{plural(self.channels, 'map')}, each with one trainable coefficient and one bias"]
