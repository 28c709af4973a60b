"""Max pooling: `{type: pool, kernel: 2, stride: 2, ceil_mode: false}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exercises.params import ParamError, _show
from exercises.topics.layer_kinds.base import PathReader
from exercises.topics.layer_kinds.window import Window


@dataclass(frozen=True, kw_only=True)
class Pool(Window):
    """Max pooling: no parameters; the stride defaults to the window, and the padding is at most half the
    window (as in PyTorch). `ceil_mode: true` rounds the output size up, as PyTorch's ceil_mode (GoogLeNet's and
    SqueezeNet's pools): a last window that runs past the input still counts, unless it would start in the
    right padding."""

    type = "pool"
    keys = ("name", "kernel", "stride", "padding", "dilation", "ceil_mode")
    aliases = ("maxpool", "pooling", "max_pool")
    noun = "pooling"
    counts_connections = True
    what = "max pooling, window "
    int_keys = ("stride", "padding", "dilation")
    stride_is_kernel = True

    ceil_mode: bool = False

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        settings = super().read_settings(data, where, read_path)
        if "ceil_mode" in data:
            if not isinstance(data["ceil_mode"], bool):
                raise ParamError(f"{where}: ceil_mode must be true or false, got {_show(data['ceil_mode'])}")
            settings["ceil_mode"] = data["ceil_mode"]
        return settings

    def check(self, where: str) -> None:
        for axis in (0, 1):
            if self.pads[axis] > self.kernel[axis] // 2:
                raise ParamError(f"{where}: padding {self.padding_text()} is more than half the "
                                 f"{self.kernel_text()} window; as in PyTorch, pad a pooling layer at most half "
                                 "its window")

    def settings(self) -> dict[str, Any]:
        return self.window_settings() | ({"ceil_mode": True} if self.ceil_mode else {})

    def rounds_up(self) -> bool:
        return self.ceil_mode
