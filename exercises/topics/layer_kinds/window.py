"""Window layers: what a convolution, a pooling and a subsampling layer share, a kh x kw window slid over the
feature maps with a stride, padding and dilation, and PyTorch's output size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.model import Call, Eq, Op
from exercises.params import ParamError, _is_int, _show
from exercises.topics.layer_kinds.base import (
    LIMITS,
    Field,
    Layer,
    PathReader,
    Placeholders,
    Shape,
    Size,
    read_ints,
    times,
)

MAX_KERNEL = 64


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                ceil_mode: bool = False) -> int:
    """PyTorch's conv/pool output size ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 (⌈⌉ with ceil_mode, where a
    last window that would start in the right padding is dropped). Below 1: no output."""
    room = n + 2 * padding - dilation * (kernel - 1) - 1
    if room < 0:
        return 0
    size = (-(-room // stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (size - 1) * stride >= n + padding:
        size -= 1
    return size


def read_padding(value: Any, where: str) -> int | tuple[int, int]:
    """[height, width] padding (one number when they are equal)."""
    low, high = LIMITS["padding"]
    if len(value) != 2 or not all(_is_int(v) and low <= v <= high for v in value):
        raise ParamError(f"{where}: padding must be an integer from {low} to {high} or [height, width] of them, "
                         f"got {_show(value)}")
    return value[0] if value[0] == value[1] else (value[0], value[1])


def read_kernel(value: Any, where: str) -> tuple[int, int]:
    if _is_int(value) and 1 <= value <= MAX_KERNEL:
        return value, value
    if (isinstance(value, list) and len(value) == 2
            and all(_is_int(v) and 1 <= v <= MAX_KERNEL for v in value)):
        return value[0], value[1]
    raise ParamError(f"{where}: kernel must be a positive integer or [kh, kw] (at most {MAX_KERNEL}), "
                     f"got {_show(value)}")


@dataclass(frozen=True, kw_only=True)
class Window(Layer):
    """A layer that slides a kh x kw window: output i reads inputs i·s − p + t·d, t < k, along each axis."""

    in_block = True
    needs_maps = True
    windowed = True
    what: ClassVar[str]  # its phrase up to the window's size: 'convolution, kernel '
    int_keys: ClassVar[tuple[str, ...]]  # its integer YAML keys, in the order they are read
    stride_is_kernel: ClassVar[bool] = False  # the stride defaults to the window (pooling) instead of 1

    kernel: tuple[int, int]
    stride: int = 1
    padding: int | tuple[int, int] = 0  # one number for both axes, or (height, width) where they differ
    dilation: int = 1

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        if "kernel" not in data:
            raise ParamError(f"{where}: kernel is missing (a positive integer or [kh, kw])")
        kernel = read_kernel(data["kernel"], where)
        pair = isinstance(data.get("padding"), list)
        settings: dict[str, Any] = {"kernel": kernel, **read_ints(data, where, tuple(
            key for key in cls.int_keys if not (pair and key == "padding")))}
        if pair:
            settings["padding"] = read_padding(data["padding"], where)
        if cls.stride_is_kernel and "stride" not in data:
            if kernel[0] != kernel[1]:
                raise ParamError(f"{where}: give the stride of a non-square window (one number for both axes)")
            settings["stride"] = kernel[0]
        return settings

    def window_settings(self) -> dict[str, Any]:
        """kernel, and stride, padding and dilation where they differ from the defaults."""
        out: dict[str, Any] = {"kernel": self.kernel[0] if self.square else list(self.kernel)}
        if self.stride != (self.kernel[0] if self.stride_is_kernel else 1):
            out["stride"] = self.stride
        if self.padding:
            out["padding"] = self.padding if isinstance(self.padding, int) else list(self.padding)
        if self.dilation != 1:
            out["dilation"] = self.dilation
        return out

    @property
    def pads(self) -> tuple[int, int]:
        """The padding along height and width."""
        return (self.padding, self.padding) if isinstance(self.padding, int) else self.padding

    def padding_text(self) -> str:
        return str(self.padding) if isinstance(self.padding, int) else \
            f"{self.padding[0]} (height), {self.padding[1]} (width)"

    def rounds_up(self) -> bool:
        """Its output size rounds up (PyTorch's ceil_mode, which only pooling offers)."""
        return False

    def span(self, axis: int = 0) -> int:
        """How many input positions one window covers along an axis: d(k - 1) + 1."""
        return self.dilation * (self.kernel[axis] - 1) + 1

    def kernel_text(self) -> str:
        return f"{self.kernel[0]}×{self.kernel[1]}"

    def fan_in(self, before: Shape) -> list[int]:
        """Each output map reads its own input map's window (a convolution reads more)."""
        return [self.kernel[0] * self.kernel[1]] * before[0]

    # -- shapes --------------------------------------------------------------------------------------------

    def size_after(self, size: Size | None, where: str) -> Size | None:
        if size is None:
            return None
        after = tuple(output_size(size[axis], self.kernel[axis], self.stride, self.pads[axis], self.dilation,
                                  self.rounds_up()) for axis in (0, 1))
        if min(after) < 1:
            raise ParamError(f"{where}: its {self.kernel_text()} window (dilation {self.dilation}, padding "
                             f"{self.padding_text()}) does not fit the {size[0]}x{size[1]} feature map: no output")
        return after  # type: ignore[return-value]

    def channels_text(self) -> str:
        """What happens to the channels, in a shape trace's solution."""
        return "the channels stay"

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        axes = [self._axis(before[1 + a], a, after[1 + a]) for a in (0, 1)]
        if before[1] == before[2] and self.square and self.pads[0] == self.pads[1]:
            return (self.channels_text() + "; height {h}, and the width the same; so {shape}",
                    {"h": axes[0], "shape": times(after)})
        return self.channels_text() + "; height {h}; width {w}; so {shape}", {"h": axes[0], "w": axes[1],
                                                                               "shape": times(after)}

    def _axis(self, n: int, axis: int, size: int) -> Any:
        """⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 along one axis, worked out (⌈⌉ where the layer rounds up; a last
        window that would start in the right padding is then dropped)."""
        reach, padding = self.dilation * (self.kernel[axis] - 1), self.pads[axis]
        numerator: Any = Op("+", n, 2 * padding) if padding else n
        numerator = Op("-", numerator, reach) if reach else numerator
        numerator = Op("-", numerator, 1)
        room = n + 2 * padding - reach - 1
        if self.stride == 1:
            return Eq(Op("+", numerator, 1), size)
        rounding = "ceil" if self.rounds_up() else "floor"
        whole = -(-room // self.stride) if self.rounds_up() else room // self.stride
        steps = [Op("+", Call(rounding, Op("/", numerator, self.stride)), 1),
                 Op("+", Call(rounding, Op("/", room, self.stride)), 1)]
        if whole + 1 != size:  # ceil_mode dropped a window that would start in the padding
            steps.append(Op("-", whole + 1, 1))
        return Eq(*steps, size)

    # -- receptive fields ----------------------------------------------------------------------------------

    @property
    def square(self) -> bool:
        return self.kernel[0] == self.kernel[1]

    def windows(self) -> tuple[Window, ...]:
        return (self,)

    def field_after(self, before: Field, axis: int) -> Field:
        """Unit i reads units i·s − p + t·d (t < k) of the layer below."""
        j = before.jump
        reach = (self.kernel[axis] - 1) * self.dilation
        padding = self.pads[axis]
        return Field(before.start - padding * j, before.end + (reach - padding) * j, j * self.stride)

    def back(self, positions: set[int]) -> set[int]:
        return {i * self.stride - self.pads[0] + t * self.dilation for i in positions for t in range(self.kernel[0])}

    def window_text(self) -> str:
        text = f"{self.kernel_text()}, stride {self.stride}"
        return text + (f", dilation {self.dilation}" if self.dilation > 1 else "")

    def field_signature(self) -> tuple[Any, ...]:
        return self.type, self.window_text(), self.padding, self.dilation

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        slots = Placeholders(key)
        what = self.what + slots.put("k", Op("×", *self.kernel))
        settings = [f"stride {self.stride}"]
        settings += [f"dilation {self.dilation}"] if self.dilation > 1 else []
        settings += [f"padding {self.padding_text()}"] if self.padding else []
        settings += ["rounding up (ceil mode)"] if self.rounds_up() else []
        if counts:
            settings += self.counted_settings(slots)
        return ", ".join([what, *settings]), slots.math

    def counted_settings(self, slots: Placeholders) -> list[str]:
        """What a description with counts adds: channels, groups, bias."""
        return []

    # -- simulation ----------------------------------------------------------------------------------------

    def slide(self, x: np.ndarray) -> np.ndarray:
        """The windows over `x` (in maps, height, width), as (in maps, rows, cols, kh, kw)."""
        kh, kw = self.kernel
        d, s, (ph, pw) = self.dilation, self.stride, self.pads
        sizes = self.size_after(x.shape[1:], self.name)  # type: ignore[arg-type]
        extra = [max(0, (n - 1) * s + self.span(axis) - (x.shape[1 + axis] + 2 * p))  # a window rounded up
                 for axis, (n, p) in enumerate(zip(sizes, (ph, pw), strict=True))]  # type: ignore[arg-type]
        padded = np.pad(x, ((0, 0), (ph, ph + extra[0]), (pw, pw + extra[1])))
        windows = sliding_window_view(padded, ((kh - 1) * d + 1, (kw - 1) * d + 1), axis=(1, 2))
        return windows[:, ::s, ::s, ::d, ::d]

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        return self.slide(x).sum(axis=(3, 4))
