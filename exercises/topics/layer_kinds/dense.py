"""The fully connected layer: `{type: dense, in: 120, out: 84, bias: true}`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from exercises.model import Eq, Op, Prose, prose
from exercises.params import ParamError
from exercises.topics.layer_kinds.base import (
    Layer,
    PathReader,
    Placeholders,
    Shape,
    Size,
    agree,
    read_bias,
    read_ints,
)
from exercises.wording import plural


@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    """Every output unit reads every input with its own weight, plus a bias. It ends the spatial part: on
    feature maps it reads them flattened, and `in` is inferred as channels x height x width."""

    type = "dense"
    keys = ("name", "in", "out", "bias")
    aliases = ("linear", "fc", "fully_connected")
    noun = "dense"
    ends_spatial = True
    gives_vector = True
    counts_connections = True

    bias: bool = True
    inputs: int | None = None
    outputs: int | None = None

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        return read_ints(data, where, ("in", "out")) | read_bias(data, where)

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: value for key, value in (("in", self.inputs), ("out", self.outputs))
                               if value is not None}
        return out | ({"bias": False} if not self.bias else {})

    # -- parameters ----------------------------------------------------------------------------------------

    @property
    def stated_inputs(self) -> int | None:
        return self.inputs

    def param_count(self) -> int:
        return self.inputs * self.outputs + self.biases()  # type: ignore[operator]

    def biases(self) -> int:
        return self.outputs if self.bias else 0  # type: ignore[return-value]

    def weight_shapes(self) -> list[tuple[int, ...]]:
        bias = [(self.outputs,)] if self.bias else []
        return [(self.outputs, self.inputs), *bias]  # type: ignore[list-item]

    def counting(self) -> tuple[str, dict[str, Any]]:
        weights = Op("*", self.inputs, self.outputs)
        bias = self.biases()
        return "{n}", {"n": Eq(Op("+", weights, bias) if bias else weights, self.param_count())}

    def fan_in(self, before: Shape) -> list[int]:
        return [self.inputs] * self.outputs  # type: ignore[list-item,operator,return-value]

    # -- shapes --------------------------------------------------------------------------------------------

    def resolved(self, channels: int | None, size: Size | None, where: str, source: str) -> Layer:
        flat = None if channels is None or size is None else channels * size[0] * size[1]
        layer = replace(self, inputs=agree(self.inputs, flat, where, "in",
                                           f"inputs (the flattened feature maps) from {source}"))
        if layer.outputs is None:
            raise ParamError(f"{where}: out is missing (the number of output units)")
        return layer

    def channels_after(self, channels: int | None, size: Size | None) -> int | None:
        return self.outputs

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return "one number per unit: {n}", {"n": after[0]}

    def shape_cell(self, shape: Shape) -> Prose:
        return prose(plural(shape[0], "unit"))

    # -- words ---------------------------------------------------------------------------------------------

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        slots = Placeholders(key)
        what = f"fully connected, {slots.put('io', Op('→', self.inputs, self.outputs))} units" \
            if self.inputs is not None else \
            f"fully connected on the flattened feature maps, {plural(self.outputs, 'unit')}"  # type: ignore[arg-type]
        return ", ".join([what, *(["no bias"] if counts and not self.bias else [])]), slots.math

    def stated(self, given: Layer) -> Layer:
        """As given: an `in` inferred from the flattened maps is part of what is asked."""
        return given

    def input_note(self, given: Layer, before: Shape | None) -> tuple[str, dict[str, Any]] | None:
        if not isinstance(given, Dense) or given.inputs is not None or before is None:
            return None
        return "input: the flattened {flat}; ", {"flat": Eq(Op("×", Op("×", *before[:2]), before[2]), self.inputs)}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        """Every unit reads every input with weight 1 (no outputs x inputs matrix of ones)."""
        return np.full(self.outputs, x.sum(), dtype=x.dtype)  # type: ignore[arg-type]
