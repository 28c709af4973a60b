"""1-D convolution as deep learning defines it: cross-correlation, y[i] = Σ_j x[i·s + j·d] w[j]."""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Dot, Eq, Op, Part, Question, Sum, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.wording import plural
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


def check_fits(signal: list, kernel: list) -> None:
    """ParamError unless the kernel fits inside the signal (a valid correlation has an output)."""
    n, k = len(signal), len(kernel)
    if k > n:
        raise ParamError(f"the kernel has {k} entries but the signal only {n}: no valid output; "
                         "use a shorter kernel or a longer signal")


def draw_kernel(rng: np.random.Generator, length: int, low: int = -2, high: int = 2) -> list[int]:
    """Small integer kernel with at least two non-zero taps (one tap would only copy the input, scaled)
    and not a palindrome (so flipping it matters); a single tap only when `length` is 1."""
    return redraw(lambda: rng.integers(low, high + 1, size=length).tolist(),
                  lambda kernel: np.count_nonzero(kernel) >= min(2, length) and (length == 1 or kernel != kernel[::-1]),
                  f"a kernel of {length} with two non-zero taps that changes when flipped", tries=1000)


def draw_taps(rng: np.random.Generator, shape: tuple[int, ...], low: int = -2, high: int = 2) -> list:
    """A kernel of any shape (nested lists) with at least two non-zero taps (where it has room for two) that
    changes when flipped along every axis, so that 'flipped' and 'not flipped' give different answers."""
    size = int(np.prod(shape))
    kernel = redraw(lambda: rng.integers(low, high + 1, size=shape),
                    lambda k: np.count_nonzero(k) >= min(2, size) and (size == 1 or not np.array_equal(k, np.flip(k))),
                    "a kernel with two non-zero taps that changes when flipped", tries=1000)
    return kernel.tolist()


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
    Mistake("stride-ignored", "You used stride 1: with stride s the kernel moves s positions at a time, so only "
            "every s-th output of stride 1 is kept.",
            _stride_ignored),
    Mistake("padding-ignored", "You left out the zero padding: add the zeros on both sides first.",
            _padding_ignored),
    Mistake("dilation-ignored", "You ignored the dilation: the kernel taps are d positions apart.",
            _dilation_ignored),
)


PLAIN = {"padding": 0, "stride": 1, "dilation": 1}  # the settings of a pinned worked example
POINTS = 3  # the same for every variant, whatever its output length


@template
class Conv1d(Template):
    id = "conv1d"
    version = 3  # 2: padding, stride and dilation drawn; kernels with two or more non-zero taps; 3: a signal for
    # which a named mistake gives the output or a trivial answer scores is redrawn
    topic = "convolution"
    minutes = 2.5
    summary = "1-D convolution (cross-correlation) of a signal with a kernel, with padding/stride/dilation"
    params = {
        "signal": IntList(doc="input signal x", min_len=2, max_len=16),
        "kernel": IntList(doc="kernel w", min_len=1, max_len=7, low=-99, high=99),
        "padding": Int(doc="zeros added on each side (drawn: mostly 0; 0 when signal or kernel is pinned)",
                       low=0, high=6),
        "stride": Int(doc="step between kernel positions (drawn: mostly 1; 1 when signal or kernel is pinned)",
                      low=1, high=4),
        "dilation": Int(doc="spacing between kernel taps (drawn: mostly 1; 1 when signal or kernel is pinned)",
                        low=1, high=4),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "signal" in p or "kernel" in p:  # a worked example: what is not pinned is the plain setting
            for name, plain in PLAIN.items():
                p.setdefault(name, plain)
        else:
            p.setdefault("dilation", 1 if rng.random() < 0.8 else 2)
            p.setdefault("stride", 1 if rng.random() < 0.65 else 2 if p["dilation"] > 1 else int(rng.integers(2, 4)))
        if "kernel" not in p:
            longest = 4
            if "signal" in p:
                room = len(p["signal"]) + 2 * p["padding"] - 1
                longest = max(1, min(4, room // p["dilation"] + 1))
            p["kernel"] = draw_kernel(rng, int(rng.integers(min(2, longest), longest + 1)))
        if "padding" not in p:  # at most span - 1 zeros: no output sees only padding
            span = p["dilation"] * (len(p["kernel"]) - 1) + 1
            p["padding"] = 0 if rng.random() < 0.6 else int(rng.integers(1, min(2, span - 1) + 1))
        if "signal" not in p:  # a signal for which no named mistake gives the output, nor a trivial answer scores
            p["signal"] = prefer(lambda: self._draw_signal(rng, p), lambda x: unfair(Vector, correlate1d(
                x, p["kernel"], p["padding"], p["stride"], p["dilation"]), {**p, "signal": x}, OUTPUT_MISTAKES) is None,
                lambda x: True, "a signal")
        return p

    @staticmethod
    def _draw_signal(rng: np.random.Generator, p: dict[str, Any]) -> list[int]:
        """5 to 12 digits, as many as give 3 to 6 outputs (else the shortest signal with 2 or more)."""
        span = p["dilation"] * (len(p["kernel"]) - 1) + 1
        outputs = {n: (n + 2 * p["padding"] - span) // p["stride"] + 1 for n in range(5, 13)}
        lengths = [n for n, m in outputs.items() if 3 <= m <= 6] or [n for n, m in outputs.items() if m >= 2][:1] \
            or [max(5, span - 2 * p["padding"])]
        return rng.integers(0, 10, size=int(rng.choice(lengths))).tolist()

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
            settings.append(plural(p["padding"], "zero") + " of padding on each side")
        if p["stride"] > 1:
            settings.append("stride {s}")
        if p["dilation"] > 1:
            settings.append("dilation {d}")
        how = ", ".join(settings) if settings else "no padding ('valid'), stride 1"
        padded = "u" if p["padding"] else "x"
        index = padded + "_{" + ("i" if p["stride"] == 1 else "is") + "+" + ("j" if p["dilation"] == 1 else "jd") + "}"
        formula = Eq(Sym("y_i"), Sum("j", Op("*", Sym(index), Sym("w_j"))))
        statement = [
            prose("Let {x} be the input signal and {w} the kernel. Use " + how + ".", x=Eq(Sym("x"), x),
                  w=Eq(Sym("w"), w), **({"s": Eq(Sym("s"), p["stride"])} if p["stride"] > 1 else {}),
                  **({"d": Eq(Sym("d"), p["dilation"])} if p["dilation"] > 1 else {})),
        ]
        if p["padding"]:
            padded_signal = np.array([0] * p["padding"] + p["signal"] + [0] * p["padding"])
            statement.append(prose("Call {u} the padded signal, {x} with " + plural(p["padding"], "zero") + " added "
                                   "on each side: {padded}, so that {shift}.", u=Sym("u"), x=Sym("x"),
                                   padded=Op("=", Sym("u"), padded_signal),
                                   shift=Eq(Sym("u_r"), Sym(f"x_{{r-{p['padding']}}}"))))
        statement.append(prose("In deep learning, convolution is cross-correlation, {y} (indices from 0): the kernel "
                               "is not flipped.", y=formula))
        statement.append(draw.signal_and_kernel(p["signal"], p["kernel"], p["padding"], p["dilation"]))
        return self.question(
            p,
            title="1-D convolution",
            statement=tuple(statement),
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
            points=POINTS,
            solution=steps,
        )

    def verify(self, question: Question) -> None:
        p = question.params
        expected = correlate1d_numpy(p["signal"], p["kernel"], p["padding"], p["stride"], p["dilation"])
        got = list(question.part("output").answer.value)
        assert got == expected, f"conv1d output {got} != numpy {expected}"
