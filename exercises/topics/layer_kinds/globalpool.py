"""Global average pooling: `{type: globalpool}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.topics.layer_kinds.base import Layer, Shape
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class GlobalPool(Layer):
    """Each map becomes its mean: C numbers from C maps (PyTorch's AdaptiveAvgPool2d(1); an adaptive pool to a
    larger size has windows that depend on the input's size, no fixed window and stride, so it is no kind here).
    It ends the spatial part (a flatten may follow, as in torchvision's ResNet)."""

    type = "globalpool"
    keys = ("name",)
    aliases = ("gap", "adaptiveavgpool", "global_avg_pool", "globalavgpool", "avgpool_global")
    noun = "global pooling"
    needs_maps = True
    ends_spatial = True

    def counting(self) -> tuple[str, dict[str, Any]]:
        return "averaging has nothing to learn, {n}", {"n": 0}

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return f"one mean per map: {plural(after[0], 'number')}", {}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        return "global average pooling (each map becomes its mean: one number per channel)", {}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """A sum per map: the mean up to the factor 1/(H·W)."""
        return x.sum(axis=(1, 2))
