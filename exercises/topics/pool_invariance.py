"""Approximate invariance of max pooling (figure 9.8 of the book): shift the detector row by one step,
every input value changes, only some pooled values do."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Call, Eq, Op, Part, Question, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.registry import Template, template
from exercises.topics.equivariance import shift_left, shift_right
from grader.answers import Integer, Vector


def clipped_max_pool(signal: list[int], width: int) -> list[int]:
    """Max pooling with stride 1 and one output per input: window i covers x[i - a] … x[i + b] with
    a = (width - 1) // 2 and b = width - 1 - a, leaving out indices outside the signal."""
    before = (width - 1) // 2
    return [max(signal[max(i - before, 0): i - before + width]) for i in range(len(signal))]


def _outputs(p: dict[str, Any]) -> tuple[list[int], list[int]]:
    return (clipped_max_pool(p["signal"], p["width"]),
            clipped_max_pool(shift_right(p["signal"], p["shift"]), p["width"]))


def _count_differences(a: list, b: list) -> int:
    return sum(u != v for u, v in zip(a, b, strict=True))


def _valid_windows(signal: list[int], width: int) -> list[int] | None:
    return [max(signal[i:i + width]) for i in range(len(signal) - width + 1)] or None


def _pool_left_shifted(p: dict[str, Any]) -> list[int]:
    return clipped_max_pool(shift_left(p["signal"], p["shift"]), p["width"])


def _changed_left_shifted(p: dict[str, Any]) -> int:
    return _count_differences(_pool_left_shifted(p), clipped_max_pool(p["signal"], p["width"]))


def _inputs_changed(p: dict[str, Any]) -> int:
    return _count_differences(shift_right(p["signal"], p["shift"]), p["signal"])


CLIPPED = ("Windows are cut off at the border, not dropped: there is one pooled value per input value, the border "
           "ones over fewer inputs.")
RIGHT = ("You shifted the wrong way: a shift to the right means x'_i = x_(i-s), the first value repeated at the "
         "left border.")
OUTPUT_MISTAKES = (
    Mistake("border-windows-dropped", CLIPPED, lambda p: _valid_windows(p["signal"], p["width"])),
)
SHIFTED_MISTAKES = (
    Mistake("shifted-wrong-way", RIGHT, _pool_left_shifted),
    Mistake("border-windows-dropped", CLIPPED,
            lambda p: _valid_windows(shift_right(p["signal"], p["shift"]), p["width"])),
)
CHANGED_MISTAKES = (
    Mistake("everything-changes", "Not every pooled value changes: a window's maximum stays the same when the "
            "largest value only moves within the window. That is the approximate invariance of pooling.",
            lambda p: len(p["signal"])),
    Mistake("nothing-changes", "Some pooled values do change: pooling is only approximately invariant, where a "
            "window gains or loses its maximum the pooled value changes.", lambda p: 0),
    Mistake("counted-inputs", "You counted the input values that change; the question asks how many pooled "
            "values change.", _inputs_changed),
    Mistake("shifted-wrong-way", RIGHT, _changed_left_shifted),
)


@template
class PoolInvariance(Template):
    id = "pool-invariance"
    version = 1
    topic = "pooling"
    summary = "shift the input of a max pooling row: every input changes, only some pooled values do"
    params = {
        "signal": IntList(doc="detector row x", min_len=2, max_len=16),
        "width": Int(doc="pooling width (stride 1, windows cut off at the border)", low=2, high=5),
        "shift": Int(doc="steps to the right; the first value is repeated at the border", default=1, low=1, high=4),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        for _ in range(100):  # redraw what is not pinned until some, but not all, pooled values change
            q = dict(p)
            if "width" not in q:
                q["width"] = int(rng.integers(2, 4))
            if "signal" not in q:
                q["signal"] = self._draw_signal(rng, q["shift"])
            if q["shift"] < len(q["signal"]):
                output, shifted_output = _outputs(q)
                if 0 < _count_differences(output, shifted_output) < len(output):
                    break
        return q

    @staticmethod
    def _draw_signal(rng: np.random.Generator, shift: int) -> list[int]:
        """6 to 10 values from 0 to 9 in which every value that the shift can change does change."""
        while True:
            signal = rng.integers(0, 10, size=int(rng.integers(max(6, shift + 2), 11))).tolist()
            if all(a != b for a, b in zip(shift_right(signal, shift)[1:], signal[1:], strict=True)):
                return signal

    def validate(self, p: dict[str, Any]) -> None:
        if p["shift"] >= len(p["signal"]):
            raise ParamError(f"shift {p['shift']} moves the whole signal of {len(p['signal'])} values out: "
                             "use a smaller shift or a longer signal")

    def build(self, p: dict[str, Any]) -> Question:
        k, s = p["width"], p["shift"]
        before = (k - 1) // 2
        output, shifted_output = _outputs(p)
        changed = _count_differences(output, shifted_output)
        window = Eq(Sym("y_i"), Call("max", *(Sym(_offset("x", d)) for d in range(-before, k - before))))
        steps = "one step" if s == 1 else f"{s} steps"
        statement = (
            prose(f"A detector row {{x}} feeds a max pooling row with width {k} and stride 1: {{y}}, leaving out "
                  "indices outside the signal, so that y has one value per input value.", x=np.array(p["signal"]),
                  y=window),
            prose(f"Now the input is shifted {steps} to the right, the first value repeated at the left border: "
                  "{xs}, and {first} for {border}.", xs=Eq(Sym("x'_i"), Sym(_offset("x", -s))),
                  first=Eq(Sym("x'_i"), Sym("x_0")), border=Op("<", Sym("i"), s)),
        )
        parts = (
            Part("output", prose("Compute the pooled row {y}.", y=Sym("y")),
                 expect(Vector, output, p, OUTPUT_MISTAKES), points=2,
                 solution=_max_steps("y", p["signal"], k)),
            Part("shifted_output", prose("Compute the pooled row {ys} of the shifted input {xs}.", ys=Sym("y'"),
                                         xs=Sym("x'")),
                 expect(Vector, shifted_output, p, SHIFTED_MISTAKES), points=2,
                 solution=(prose("The shifted input is {xs}.", xs=Op("=", Sym("x'"),
                                                                     np.array(shift_right(p["signal"], s)))),
                           *_max_steps("y'", shift_right(p["signal"], s), k))),
            Part("changed", prose("At how many positions i does {a} differ from {b}?", a=Sym("y'_i"), b=Sym("y_i")),
                 expect(Integer, changed, p, CHANGED_MISTAKES), points=1,
                 solution=(prose(f"{_inputs_changed(p)} of the {len(output)} input values changed, but only "
                                 f"{changed} of the {len(output)} pooled values: a window's maximum stays where the "
                                 "largest value only moves inside the window. Max pooling is approximately "
                                 "invariant to small translations."),
                           _figure(p, output, shifted_output))),
        )
        return self.question(p, title="Invariance of max pooling", statement=statement, parts=parts)

    def verify(self, question: Question) -> None:
        p = question.params
        x, k, s = np.asarray(p["signal"], dtype=np.int64), p["width"], p["shift"]
        before, low = (k - 1) // 2, np.iinfo(np.int64).min

        def pooled(values: np.ndarray) -> np.ndarray:
            padded = np.pad(values, (before, k - 1 - before), constant_values=low)
            return sliding_window_view(padded, k).max(axis=1)

        moved = np.concatenate([np.repeat(x[:1], s), x[:-s]])
        output, shifted_output = pooled(x), pooled(moved)
        expected = {"output": output.tolist(), "shifted_output": shifted_output.tolist(),
                    "changed": int(np.count_nonzero(output != shifted_output))}
        for part_id, value in expected.items():
            got = question.part(part_id).answer.value  # type: ignore[attr-defined]
            got = list(got) if isinstance(got, tuple) else got
            assert got == value, f"pool-invariance {part_id}: key {got} != numpy {value}"


def _figure(p: dict[str, Any], output: list[int], shifted_output: list[int]) -> Any:
    """Detector and pooled rows before and after the shift; the pooled values that changed are marked."""
    k, n = p["width"], len(p["signal"])
    before = (k - 1) // 2
    windows = [(max(i - before, 0), min(i - before + k, n)) for i in range(n)]
    moved = shift_right(p["signal"], p["shift"])
    return draw.pooling_shift_figure((p["signal"], output), (moved, shifted_output), windows)


def _offset(name: str, offset: int) -> str:
    """The symbol name of x_{i+offset}: x_i, x_{i+1}, x_{i-2} …"""
    return f"{name}_i" if offset == 0 else f"{name}_{{i{offset:+d}}}"


def _max_steps(name: str, signal: list[int], width: int) -> tuple:
    before = (width - 1) // 2
    return tuple(
        prose("{step}", step=Eq(Sym(f"{name}_{i}"), Call("max", *signal[max(i - before, 0): i - before + width]),
                                value))
        for i, value in enumerate(clipped_max_pool(signal, width))
    )
