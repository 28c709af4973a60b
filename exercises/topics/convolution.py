"""1-D convolution as deep learning defines it: cross-correlation, y[i] = Σ_j x[i·s + j·d] w[j]."""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Dot, Eq, Op, Part, Question, Sum, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.registry import Template, template
from grader.answers import Vector


def correlate1d(signal: list[int], kernel: list[int], padding: int = 0, stride: int = 1,
                dilation: int = 1) -> list[int]:
    """Cross-correlation with zero padding on each side, stride and dilation (a plain loop)."""
    padded = [0] * padding + list(signal) + [0] * padding
    span = dilation * (len(kernel) - 1) + 1
    return [
        sum(padded[start + j * dilation] * w for j, w in enumerate(kernel))
        for start in range(0, len(padded) - span + 1, stride)
    ]


def correlate1d_numpy(signal: list[int], kernel: list[int], padding: int = 0, stride: int = 1,
                      dilation: int = 1) -> list[int]:
    """The same by numpy: correlate with the dilated kernel, then keep every stride-th output."""
    padded = np.pad(np.asarray(signal, dtype=np.int64), padding)
    dilated = np.zeros(dilation * (len(kernel) - 1) + 1, dtype=np.int64)
    dilated[::dilation] = kernel
    return np.correlate(padded, dilated, mode="valid")[::stride].tolist()


def draw_kernel(rng: np.random.Generator, length: int, low: int = -2, high: int = 2) -> list[int]:
    """Small integer kernel, not all zero and not a palindrome (so flipping it matters)."""
    while True:
        kernel = rng.integers(low, high + 1, size=length).tolist()
        if any(kernel) and kernel != kernel[::-1]:
            return kernel


def _flipped(p: dict[str, Any]) -> list[int]:
    return correlate1d(p["signal"], p["kernel"][::-1], p["padding"], p["stride"], p["dilation"])


def _full(p: dict[str, Any]) -> list[int]:
    extra = p["dilation"] * (len(p["kernel"]) - 1)
    return correlate1d(p["signal"], p["kernel"], p["padding"] + extra, p["stride"], p["dilation"])


def _stride_ignored(p: dict[str, Any]) -> list[int] | None:
    if p["stride"] == 1:
        return None
    return correlate1d(p["signal"], p["kernel"], p["padding"], 1, p["dilation"])


def _padding_ignored(p: dict[str, Any]) -> list[int] | None:
    if p["padding"] == 0:
        return None
    return correlate1d(p["signal"], p["kernel"], 0, p["stride"], p["dilation"])


def _dilation_ignored(p: dict[str, Any]) -> list[int] | None:
    if p["dilation"] == 1 or len(p["signal"]) + 2 * p["padding"] < len(p["kernel"]):
        return None
    return correlate1d(p["signal"], p["kernel"], p["padding"], p["stride"], 1)


OUTPUT_MISTAKES = (
    Mistake("flipped-kernel", "You flipped the kernel: that is convolution in the signal-processing sense. "
            "In deep learning, ⋆ is cross-correlation: slide the kernel as it is.", _flipped),
    Mistake("full-instead-of-valid", "You computed the 'full' correlation (kernel hanging over the borders). "
            "This asks for positions where the kernel fits entirely inside the (padded) signal.", _full),
    Mistake("stride-ignored", "You used stride 1: with stride s, keep only every s-th position of the kernel.",
            _stride_ignored),
    Mistake("padding-ignored", "You left out the zero padding: add the zeros on both sides first.",
            _padding_ignored),
    Mistake("dilation-ignored", "You ignored the dilation: the kernel taps are d positions apart.",
            _dilation_ignored),
)


@template
class Conv1d(Template):
    id = "conv1d"
    version = 1
    topic = "convolution"
    summary = "1-D convolution (cross-correlation) of a signal with a kernel, with padding/stride/dilation"
    params = {
        "signal": IntList(doc="input signal x", min_len=2, max_len=16),
        "kernel": IntList(doc="kernel w", min_len=1, max_len=7, low=-99, high=99),
        "padding": Int(doc="zeros added on each side", default=0, low=0, high=6),
        "stride": Int(doc="step between kernel positions", default=1, low=1, high=4),
        "dilation": Int(doc="spacing between kernel taps", default=1, low=1, high=4),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "kernel" not in p:
            longest = 4
            if "signal" in p:
                room = len(p["signal"]) + 2 * p["padding"] - 1
                longest = max(1, min(4, room // p["dilation"] + 1))
            p["kernel"] = draw_kernel(rng, int(rng.integers(min(2, longest), longest + 1)))
        if "signal" not in p:
            span = p["dilation"] * (len(p["kernel"]) - 1) + 1
            length = int(rng.integers(max(5, span - 2 * p["padding"] + 1), 9))
            p["signal"] = rng.integers(0, 10, size=length).tolist()
        return p

    def validate(self, p: dict[str, Any]) -> None:
        span = p["dilation"] * (len(p["kernel"]) - 1) + 1
        room = len(p["signal"]) + 2 * p["padding"]
        if span > room:
            raise ParamError(f"the kernel spans {span} positions but the padded signal has only {room}: "
                             "no output; use a shorter kernel or more padding")

    def build(self, p: dict[str, Any]) -> Question:
        x, w = np.array(p["signal"]), np.array(p["kernel"])
        output = correlate1d(p["signal"], p["kernel"], p["padding"], p["stride"], p["dilation"])
        settings = []
        if p["padding"]:
            settings.append(f"{p['padding']} zero(s) of padding on each side")
        if p["stride"] > 1:
            settings.append(f"stride {p['stride']}")
        if p["dilation"] > 1:
            settings.append(f"dilation {p['dilation']}")
        how = ", ".join(settings) if settings else "no padding ('valid'), stride 1"
        index = "x_{" + ("i" if p["stride"] == 1 else "is") + "+" + ("j" if p["dilation"] == 1 else "jd") + "}"
        formula = Eq(Sym("y_i"), Sum("j", Op("*", Sym(index), Sym("w_j"))))
        statement = (
            prose("Let {x} be the input signal and {w} the kernel.", x=x, w=w),
            prose("In deep learning, convolution is cross-correlation, {y}: the kernel is not flipped. "
                  "Use " + how + ".", y=formula),
            draw.signal_and_kernel(p["signal"], p["kernel"], p["padding"], p["dilation"]),
        )
        return self.question(
            p,
            title="1-D convolution",
            statement=statement,
            parts=(self._output_part(p, output),),
        )

    def _output_part(self, p: dict[str, Any], output: list[int]) -> Part:
        padded = [0] * p["padding"] + p["signal"] + [0] * p["padding"]
        steps = tuple(
            prose("{step}", step=Eq(Sym(f"y_{i}"), Dot(tuple(
                (padded[i * p["stride"] + j * p["dilation"]], wj) for j, wj in enumerate(p["kernel"])
            )), value))
            for i, value in enumerate(output)
        )
        return Part(
            id="output",
            prompt=prose("Compute the output {y}.", y=Op("=", Sym("y"), Op("⋆", Sym("x"), Sym("w")))),
            answer=expect(Vector, output, p, OUTPUT_MISTAKES),
            points=len(output) // 2 + 1,
            solution=steps,
        )

    def verify(self, question: Question) -> None:
        p = question.params
        expected = correlate1d_numpy(p["signal"], p["kernel"], p["padding"], p["stride"], p["dilation"])
        got = list(question.part("output").answer.value)  # type: ignore[attr-defined]
        assert got == expected, f"conv1d output {got} != numpy {expected}"
