"""Average pooling: `{type: avgpool, kernel: 3, stride: 1, padding: 1}`."""

from __future__ import annotations

from dataclasses import dataclass

from exercises.topics.layer_kinds.pool import Pool


@dataclass(frozen=True, kw_only=True)
class AvgPool(Pool):
    """Average pooling over a window, with the keys and defaults of max pooling (Inception's pooling branches,
    DenseNet's transitions): no parameters; as everywhere here, its shape and receptive field are a max
    pooling's."""

    type = "avgpool"
    aliases = ("averagepool", "avg_pool", "avgpool2d", "meanpool")
    noun = "average pooling"
    what = "average pooling, window "
