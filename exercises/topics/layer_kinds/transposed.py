"""The transposed convolution: `{type: transposed, in: 64, out: 32, kernel: 4, stride: 2, padding: 1,
output_padding: 0, dilation: 1, groups: 1, bias: true}` (PyTorch's ConvTranspose2d)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.model import Eq, Op
from exercises.params import ParamError
from exercises.topics.layer_kinds.base import (
    Field,
    Layer,
    PathReader,
    Placeholders,
    Shape,
    Size,
    read_bias,
    read_ints,
    times,
    with_inputs,
)
from exercises.topics.layer_kinds.window import read_kernel
from exercises.wording import plural


def transposed_output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                           output_padding: int = 0) -> int:
    """PyTorch's transposed-conv output size (n − 1)s − 2p + d(k − 1) + output_padding + 1."""
    return (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


@dataclass(frozen=True, kw_only=True)
class Transposed(Layer):
    """The transpose of a convolution's matrix: each input unit adds its value times the k x k kernel into the
    output, at stride s apart (the gradient of a stride-s convolution with respect to its input). Output size
    (n − 1)s − 2p + d(k − 1) + output_padding + 1 per axis: the padding crops p positions from each side, and
    output_padding (less than the stride or the dilation) adds rows and columns at the bottom and right, to pick
    one of the input sizes a forward convolution would map to n. Weights (in, out / groups, k, k) and a bias per
    output channel: in · out / groups · k² + out, as the forward convolution from out to in channels. Its output
    units read different numbers of inputs (the checkerboard of overlapping kernel copies), so LeCun's count of
    connections per output map is not defined for it; a receptive field through it is asked only at stride 1
    (at stride s > 1 neighbouring units read different numbers of inputs, and the field has no fixed step)."""

    type = "transposed"
    keys = ("name", "in", "out", "kernel", "stride", "padding", "output_padding", "dilation", "groups", "bias")
    aliases = ("deconv", "convtranspose", "conv_transpose", "convtranspose2d", "transposed_conv", "upconv")
    noun = "transposed convolution"
    in_block = True
    needs_maps = True
    windowed = True

    kernel: tuple[int, int]
    stride: int = 1
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = True
    inputs: int | None = None
    outputs: int | None = None

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        if "kernel" not in data:
            raise ParamError(f"{where}: kernel is missing (a positive integer or [kh, kw])")
        return {"kernel": read_kernel(data["kernel"], where), **read_ints(data, where, (
            "stride", "padding", "output_padding", "dilation", "groups", "in", "out")), **read_bias(data, where)}

    def check(self, where: str) -> None:
        if self.output_padding >= max(self.stride, self.dilation):
            raise ParamError(f"{where}: output_padding {self.output_padding} must be less than the stride "
                             f"{self.stride} or the dilation {self.dilation} (as in PyTorch)")
        for key, value in (("in", self.inputs), ("out", self.outputs)):
            if value is not None and value % self.groups:
                raise ParamError(f"{where}: {key} {value} is not divisible by groups {self.groups}")

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: value for key, value in (("in", self.inputs), ("out", self.outputs))
                               if value is not None}
        out["kernel"] = self.kernel[0] if self.square else list(self.kernel)
        defaults = {"stride": 1, "padding": 0, "output_padding": 0, "dilation": 1, "groups": 1}
        out |= {key: getattr(self, key) for key, default in defaults.items() if getattr(self, key) != default}
        return out | ({"bias": False} if not self.bias else {})

    def kernel_text(self) -> str:
        return f"{self.kernel[0]}×{self.kernel[1]}"

    # -- parameters ----------------------------------------------------------------------------------------

    @property
    def stated_inputs(self) -> int | None:
        return self.inputs

    def param_count(self) -> int:
        kh, kw = self.kernel
        return self.inputs * (self.outputs // self.groups) * kh * kw + self.biases()  # type: ignore[operator]

    def biases(self) -> int:
        return self.outputs if self.bias else 0  # type: ignore[return-value]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        bias = [(self.outputs,)] if self.bias else []
        return [(self.inputs, self.outputs // self.groups, *self.kernel), *bias]  # type: ignore[operator,list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        kh, kw = self.kernel
        per_input = self.outputs // self.groups  # type: ignore[operator]
        text = "each input channel spreads into {per} output channels with a {k} kernel: {n}"
        weights = Op("*", Op("*", Op("*", kh, kw), self.inputs), per_input)
        bias = self.biases()
        return text, {"per": per_input, "k": Op("×", kh, kw),
                      "n": Eq(Op("+", weights, bias) if bias else weights, self.param_count())}

    def short(self) -> str:
        return f"{self.kernel_text()} transposed conv, {self.inputs} to {self.outputs}"

    # -- shapes --------------------------------------------------------------------------------------------

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        return with_inputs(self, channels, where, source)  # type: ignore[no-any-return]

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.outputs

    def size_after(self, size: Size | None, where: str) -> Size | None:
        if size is None:
            return None
        after = tuple(transposed_output_size(size[axis], self.kernel[axis], self.stride, self.padding,
                                             self.dilation, self.output_padding) for axis in (0, 1))
        if min(after) < 1:
            raise ParamError(f"{where}: its padding {self.padding} crops away the whole "
                             f"{size[0]}x{size[1]} output: no output")
        return after  # type: ignore[return-value]

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        channels = plural(self.outputs, "output channel")  # type: ignore[arg-type]
        axes = [self._axis(before[1 + a], a, after[1 + a]) for a in (0, 1)]
        if before[1] == before[2] and self.square:
            return channels + "; height (n − 1)s − 2p + d(k − 1) + output_padding + 1 = {h}, and the width the " \
                "same; so {shape}", {"h": axes[0], "shape": times(after)}
        return channels + "; height {h}; width {w}; so {shape}", {"h": axes[0], "w": axes[1], "shape": times(after)}

    def _axis(self, n: int, axis: int, size: int) -> Any:
        """(n − 1)s − 2p + d(k − 1) + output_padding + 1 along one axis, worked out."""
        terms: Any = Op("*", n - 1, self.stride) if self.stride > 1 else n - 1
        terms = Op("-", terms, 2 * self.padding) if self.padding else terms
        reach = self.dilation * (self.kernel[axis] - 1)
        terms = Op("+", terms, reach) if reach else terms
        terms = Op("+", terms, self.output_padding) if self.output_padding else terms
        return Eq(Op("+", terms, 1), size)

    # -- receptive fields ----------------------------------------------------------------------------------

    @property
    def square(self) -> bool:
        return self.kernel[0] == self.kernel[1]

    def field_after(self, before: Field, axis: int) -> Field:
        """At stride 1, unit o reads inputs o + p − t·d (t < k): p − d(k − 1) to p."""
        if self.stride > 1:
            raise ParamError(f"{self.name}: a transposed convolution with stride {self.stride} gives neighbouring "
                             "units different numbers of inputs (the checkerboard): its receptive field has no "
                             "fixed step; receptive fields are asked through stride-1 transposed layers only")
        j, reach = before.jump, (self.kernel[axis] - 1) * self.dilation
        return Field(before.start + (self.padding - reach) * j, before.end + self.padding * j, j)

    def back(self, positions: set[int]) -> set[int]:
        """Output o reads input i where i·s − p + t·d = o for some tap t < k."""
        s, p, d = self.stride, self.padding, self.dilation
        return {(o + p - t * d) // s for o in positions for t in range(self.kernel[0]) if (o + p - t * d) % s == 0}

    def window_text(self) -> str:
        return f"{self.kernel_text()} transposed, stride {self.stride}"

    def field_signature(self) -> tuple[Any, ...]:
        return self.type, self.window_text(), self.padding, self.dilation

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        slots = Placeholders(key)
        settings = [f"transposed convolution, kernel {slots.put('k', Op('×', *self.kernel))}",
                    f"stride {self.stride}"]
        settings += [f"dilation {self.dilation}"] if self.dilation > 1 else []
        settings += [f"padding {self.padding}"] if self.padding else []
        settings += [f"output_padding {self.output_padding}"] if self.output_padding else []
        if counts:
            settings += [f"{slots.put('ch', Op('→', self.inputs, self.outputs))} channels"
                         if self.inputs is not None else plural(self.outputs, "output channel")]  # type: ignore
            settings += [f"{self.groups} groups"] if self.groups > 1 else []
            settings += ["no bias"] if not self.bias else []
        return ", ".join(settings), slots.math

    # -- simulation ----------------------------------------------------------------------------------------

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """Each input position adds its group's sum into the k x k output positions its kernel copy covers, s
        apart; then p rows and columns are cropped from each side (output_padding adds them at the end)."""
        channels, height, width = x.shape
        s, d, p = self.stride, self.dilation, self.padding
        groups = x.reshape(self.groups, channels // self.groups, height, width).sum(axis=1)
        kh, kw = self.kernel
        full = np.zeros((self.groups, (height - 1) * s + d * (kh - 1) + 1 + self.output_padding,
                         (width - 1) * s + d * (kw - 1) + 1 + self.output_padding), dtype=x.dtype)
        for ty in range(kh):
            for tx in range(kw):
                full[:, ty * d:ty * d + (height - 1) * s + 1:s, tx * d:tx * d + (width - 1) * s + 1:s] += groups
        cropped = full[:, p:full.shape[1] - p, p:full.shape[2] - p]
        return np.repeat(cropped, self.outputs // self.groups, axis=0)  # type: ignore[operator]
