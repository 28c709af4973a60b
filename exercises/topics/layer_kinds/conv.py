"""The convolution: `{type: conv, in: 3, out: 64, kernel: 3, stride: 1, padding: 0, dilation: 1, groups: 1,
bias: true, name: C1}`, with grouped channels or LeNet's partial connection table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.model import Eq, Op
from exercises.params import ParamError, _is_int, _show
from exercises.topics.layer_kinds.base import Layer, PathReader, Placeholders, Shape, Size, read_bias, with_inputs
from exercises.topics.layer_kinds.window import Window
from exercises.wording import plural


def read_connections(value: Any, where: str) -> tuple[tuple[int, ...], ...]:
    example = "a list with one list of input-map indices per output map, e.g. [[0, 1, 2], [1, 2, 3]]"
    if not isinstance(value, list) or not value:
        raise ParamError(f"{where}: connections must be {example}, got {_show(value)}")
    table = []
    for row_number, row in enumerate(value):
        if (not isinstance(row, list) or not row or not all(_is_int(v) and v >= 0 for v in row)
                or len(set(row)) != len(row)):
            raise ParamError(f"{where}: connections[{row_number}] must be a non-empty list of distinct "
                             f"input-map indices (0-based), got {_show(row)}")
        table.append(tuple(row))
    return tuple(table)


@dataclass(frozen=True, kw_only=True)
class Conv(Window):
    """k x k x (in / groups) weights per output channel, and a bias. `in` and `out` are needed only where
    parameters are counted (`in` is inferred from the layer before). `connections: [[0, 1, 2], ...]` lists
    which input maps feed each output map (maps numbered from 0), as LeNet-5's C3 does; `groups` splits the
    channels into groups that see only their own inputs (not both): g groups divide the weights and each unit's
    connections by g, and with g = in (depthwise, as MobileNet's) each output map reads one input map."""

    type = "conv"
    keys = ("name", "in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias", "connections")
    aliases = ("convolution", "conv2d", "conv1d")
    noun = "convolution"
    counts_connections = True
    what = "convolution, kernel "
    int_keys = ("stride", "padding", "dilation", "groups", "in", "out")

    groups: int = 1
    bias: bool = True
    inputs: int | None = None
    outputs: int | None = None
    connections: tuple[tuple[int, ...], ...] | None = None

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        settings = super().read_settings(data, where, read_path) | read_bias(data, where)
        if "connections" in data:
            settings["connections"] = read_connections(data["connections"], where)
        return settings

    def check(self, where: str) -> None:
        if self.groups > 1:
            for key, value in (("in", self.inputs), ("out", self.outputs)):
                if value is not None and value % self.groups:
                    raise ParamError(f"{where}: {key} {value} is not divisible by groups {self.groups}")
        if self.connections is not None:
            if self.groups > 1:
                raise ParamError(f"{where}: give either groups or a connection table, not both")
            if self.outputs is not None and len(self.connections) != self.outputs:
                raise ParamError(f"{where}: the connection table has {len(self.connections)} rows "
                                 f"but out is {self.outputs}: one row per output map")
            if self.inputs is not None:
                top = max(max(row) for row in self.connections)
                if top >= self.inputs:
                    raise ParamError(f"{where}: the connection table uses input map {top} "
                                     f"but in is {self.inputs} (maps are numbered from 0)")

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: value for key, value in (("in", self.inputs), ("out", self.outputs))
                               if value is not None}
        out |= self.window_settings()
        if self.groups != 1:
            out["groups"] = self.groups
        if not self.bias:
            out["bias"] = False
        if self.connections is not None:
            out["connections"] = [list(row) for row in self.connections]
        return out

    # -- parameters ----------------------------------------------------------------------------------------

    @property
    def stated_inputs(self) -> int | None:
        return self.inputs

    def param_count(self) -> int:
        kh, kw = self.kernel
        if self.connections is not None:
            weights = sum(len(row) for row in self.connections) * kh * kw
        else:
            weights = self.inputs // self.groups * kh * kw * self.outputs  # type: ignore[operator]
        return weights + self.biases()

    def biases(self) -> int:
        return self.outputs if self.bias else 0  # type: ignore[return-value]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        bias = [(self.outputs,)] if self.bias else []
        return [(self.outputs, self.inputs // self.groups, *self.kernel), *bias]  # type: ignore[operator,list-item]

    def tensor_entries(self) -> int:
        """A connection table masks the weight tensor."""
        if self.connections is None:
            return super().tensor_entries()
        shapes = self.weight_shapes()
        mask = np.zeros(shapes[0], dtype=bool)
        for out_map, row in enumerate(self.connections):
            mask[out_map, list(row)] = True
        return int(np.count_nonzero(mask)) + sum(int(np.prod(shape)) for shape in shapes[1:])

    def counting(self) -> tuple[str, dict[str, Any]]:
        kh, kw = self.kernel
        if self.connections is not None:
            links = sum(len(row) for row in self.connections)
            pairs = plural(links, "(output map, input map) pair")
            text = f"the table lists {pairs}, each with a {{kernel}} kernel: {{n}}"
            weights: Any = Op("*", Op("*", links, kh), kw)
        else:
            per_filter = self.inputs // self.groups  # type: ignore[operator]
            seen = plural(per_filter, "input channel")
            text = "{n}" if self.groups == 1 else \
                f"depthwise, each filter sees {seen} (its own): {{n}}" if per_filter == 1 else \
                f"each filter sees {seen} of the {self.inputs}, those of its group: {{n}}"
            weights = Op("*", Op("*", Op("*", kh, kw), per_filter), self.outputs)
        bias = self.biases()
        sizes = {"kernel": Op("×", kh, kw)} if "{kernel}" in text else {}
        return text, {"n": Eq(Op("+", weights, bias) if bias else weights, self.param_count()), **sizes}

    def short(self) -> str:
        return f"{self.kernel_text()} conv, {self.inputs} to {self.outputs}"

    def fan_in(self, before: Shape) -> list[int]:
        kh, kw = self.kernel
        if self.connections is not None:
            return [len(row) * kh * kw for row in self.connections]
        return [self.inputs // self.groups * kh * kw] * self.outputs  # type: ignore[operator]

    # -- shapes --------------------------------------------------------------------------------------------

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        return with_inputs(self, channels, where, source)  # type: ignore[no-any-return]

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.outputs

    def channels_text(self) -> str:
        return plural(self.outputs, "output channel") + " (one per filter)"  # type: ignore[arg-type]

    # -- words ---------------------------------------------------------------------------------------------

    def counted_settings(self, slots: Placeholders) -> list[str]:
        settings = [f"{slots.put('ch', Op('→', self.inputs, self.outputs))} channels"
                    if self.inputs is not None else plural(self.outputs, "output channel")]  # type: ignore[arg-type]
        depthwise = self.inputs is not None and self.groups == self.inputs
        settings += [f"{self.groups} groups" + (" (depthwise)" if depthwise else "")] if self.groups > 1 else []
        settings += ["no bias"] if not self.bias else []
        if self.connections is not None:
            settings.append("a connection table: output maps 0, 1, 2, ... (numbered from 0) see only "
                            f"{slots.put('seen', tuple(len(row) for row in self.connections))} input maps "
                            "respectively")
        return settings

    # -- simulation ----------------------------------------------------------------------------------------

    def ones(self, channels: int) -> np.ndarray:
        """The 0/1 weight tensor (out maps, in maps, kh, kw): a connection table or groups decide which input
        maps each output map reads."""
        outputs: int = self.outputs  # type: ignore[assignment]
        weights = np.zeros((outputs, channels, *self.kernel), dtype=np.int64)
        if self.connections is not None:
            for out_map, inputs in enumerate(self.connections):
                weights[out_map, list(inputs)] = 1
            return weights
        per_in, per_out = channels // self.groups, outputs // self.groups
        for out_map in range(outputs):
            group = out_map // per_out
            weights[out_map, group * per_in:(group + 1) * per_in] = 1
        return weights

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        windows = self.slide(x)  # (in maps, rows, cols, kh, kw)
        if tap is None and self.connections is None:  # each output map reads every input map of its group
            sums = windows.sum(axis=(3, 4))
            groups = sums.reshape(self.groups, -1, *sums.shape[1:]).sum(axis=1)
            if self.groups == 1:
                return np.broadcast_to(groups, (self.outputs, *groups.shape[1:]))  # type: ignore[arg-type]
            return np.repeat(groups, self.outputs // self.groups, axis=0)  # type: ignore[operator]
        weights = self.ones(x.shape[0])
        if tap is not None:
            only = np.zeros_like(weights)
            only[tap] = weights[tap]
            weights = only
        return np.einsum("cyxij,ocij->oyx", windows, weights)
