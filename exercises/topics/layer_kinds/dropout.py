"""Dropout: `{type: dropout, p: 0.5}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from exercises.model import Eq, Num, Sym
from exercises.params import ParamError, _show
from exercises.topics.layer_kinds.base import Layer, PathReader, Shape, times


def read_probability(data: dict[str, Any], where: str) -> dict[str, float]:
    if "p" not in data:
        return {}
    value = data["p"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
        raise ParamError(f"{where}: p must be a probability from 0 to below 1, got {_show(value)}")
    return {"p": float(value)}


@dataclass(frozen=True, kw_only=True)
class Dropout(Layer):
    """In training, each number is zeroed with probability `p` (the others scaled by 1/(1 − p)); at test time
    it does nothing. No parameters, the shape kept; it may stand on maps or on a vector."""

    type = "dropout"
    keys = ("name", "p")
    aliases = ("drop", "dropout2d")
    noun = "dropout"
    in_block = True

    p: float = 0.5

    @classmethod
    def read_settings(cls, data: dict[str, Any], where: str, read_path: PathReader) -> dict[str, Any]:
        return read_probability(data, where)

    def settings(self) -> dict[str, Any]:
        return {"p": self.p} if self.p != 0.5 else {}

    def counting(self) -> tuple[str, dict[str, Any]]:
        return f"{self.noun} has nothing to learn, {{n}}", {"n": 0}

    def shape_steps(self, before: Shape, after: Shape) -> tuple[str, dict[str, Any]]:
        return f"{self.noun} keeps the shape, {{shape}}", {"shape": times(after)}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        rate = f"{self.p:.6f}".rstrip("0").rstrip(".")
        return f"dropout with {{{key}p}} (in training only)", {f"{key}p": Eq(Sym("p"), Num(rate))}

    def reads(self, x: np.ndarray, tap: tuple[int, int, int, int] | None = None) -> np.ndarray:
        return x


@dataclass(frozen=True, kw_only=True)
class StochasticDepth(Dropout):
    """Huang et al. (2016), torchvision's StochasticDepth in 'row' mode: in training, a residual block's main
    path is dropped for a whole example with probability `p` (the block then passes its input on); at test
    time it does nothing. It stands at the end of a residual block's main path; no parameters, the shape kept."""

    type = "droppath"
    aliases = ("stochastic_depth", "stochasticdepth", "drop_path")
    noun = "stochastic depth"

    p: float = 0.0

    def settings(self) -> dict[str, Any]:
        return {"p": self.p} if self.p else {}

    def phrase(self, counts: bool, key: str = "") -> tuple[str, dict[str, Any]]:
        rate = f"{self.p:.6f}".rstrip("0").rstrip(".")
        return (f"stochastic depth with {{{key}p}} (the path dropped in training only)",
                {f"{key}p": Eq(Sym("p"), Num(rate))})
