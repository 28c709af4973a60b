"""Max pooling: `{type: pool, kernel: 2, stride: 2}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.params import ParamError
from exercises.topics.layer_kinds.window import Window


@dataclass(frozen=True, kw_only=True)
class Pool(Window):
    """Max pooling: no parameters; the stride defaults to the window, and the padding is at most half the
    window (as in PyTorch)."""

    type = "pool"
    keys = ("name", "kernel", "stride", "padding", "dilation")
    aliases = ("maxpool", "avgpool", "pooling")
    noun = "pooling"
    counts_connections = True
    what = "max pooling, window "
    int_keys = ("stride", "padding", "dilation")
    stride_is_kernel = True

    def check(self, where: str) -> None:
        if self.padding > min(self.kernel) // 2:
            raise ParamError(f"{where}: padding {self.padding} is more than half the {self.kernel_text()} window; "
                             "as in PyTorch, pad a pooling layer at most half its window")

    def settings(self) -> dict[str, Any]:
        return self.window_settings()
