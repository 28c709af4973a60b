"""Strided convolution as downsampling (Goodfellow et al., section 9.5 and figure 9.12): a convolution with
stride s equals the stride-1 convolution followed by keeping every s-th output, but computes only the kept
outputs, so it saves the multiplications of all the others."""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Block, Call, Dot, Eq, Op, Part, Question, Sum, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.redraw import redraw
from exercises.registry import Template, template
from exercises.topics.convolution import check_fits, correlate1d, draw_taps
from grader.answers import Integer, Vector


def counts(n: int, k: int, s: int) -> tuple[int, int]:
    """Outputs of the stride-1 and of the stride-s valid convolution of n inputs with a kernel of k."""
    return n - k + 1, (n - k) // s + 1


def saved(n: int, k: int, s: int) -> int:
    """Multiplications saved: k for every stride-1 output that the stride-s convolution skips."""
    full, strided = counts(n, k, s)
    return k * (full - strided)


def _sizes(p: dict[str, Any]) -> tuple[int, int, int]:
    """The cost part's sizes: the long signal's length, the kernel's and the stride."""
    return p["length"], len(p["kernel"]), p["stride"]


def ordinal(number: int) -> str:
    """2nd, 3rd, 4th …"""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _exact_fraction(p: dict[str, Any]) -> int | None:
    """(s − 1)/s of the stride-1 work; None where that is not whole, or where it is the answer (the stride-1
    outputs then split into groups of s, and the reasoning is right)."""
    n, k, s = _sizes(p)
    full = counts(n, k, s)[0]
    if full * k * (s - 1) % s or full % s == 0:
        return None
    return full * k * (s - 1) // s


FULL_MISTAKES = (
    Mistake("flipped-kernel", "You flipped the kernel: in deep learning, ⋆ is cross-correlation, so slide the kernel "
            "as it is.", lambda p: correlate1d(p["signal"], p["kernel"][::-1])),
    Mistake("full-instead-of-valid", "You computed the 'full' correlation (kernel hanging over the borders); only "
            "positions where the kernel fits inside the signal count.",
            lambda p: correlate1d(p["signal"], p["kernel"], padding=len(p["kernel"]) - 1)),
)
STRIDED_MISTAKES = (
    Mistake("stride-ignored", "That is the stride-1 output: with stride s the kernel moves s positions at a time, "
            "so keep only every s-th output.", lambda p: correlate1d(p["signal"], p["kernel"])),
    Mistake("wrong-offset", "The kept outputs start at the first one, y_0 = z_0, then z_s, z_2s, …: the kernel "
            "starts at the first input.", lambda p: correlate1d(p["signal"], p["kernel"])[p["stride"] - 1::
                                                                                           p["stride"]]),
    Mistake("downsampled-input", "You kept every s-th input and then convolved: stride downsamples the output of the "
            "convolution, not its input.", lambda p: correlate1d(p["signal"][::p["stride"]], p["kernel"])
            if len(p["signal"][::p["stride"]]) >= len(p["kernel"]) else None),
    Mistake("flipped-kernel", "You flipped the kernel: in deep learning, ⋆ is cross-correlation, so slide the kernel "
            "as it is.", lambda p: correlate1d(p["signal"], p["kernel"][::-1], stride=p["stride"])),
)
SAVED_MISTAKES = (
    Mistake("counted-outputs", "That is the number of outputs skipped; each of them would have cost k "
            "multiplications.", lambda p: counts(*_sizes(p))[0] - counts(*_sizes(p))[1]),
    Mistake("strided-cost", "That is what the strided convolution costs; the question asks how many multiplications "
            "it saves compared with computing every stride-1 output.",
            lambda p: counts(*_sizes(p))[1] * len(p["kernel"])),
    Mistake("full-cost", "That is what the stride-1 convolution costs in total; subtract what the strided one still "
            "computes.", lambda p: counts(*_sizes(p))[0] * len(p["kernel"])),
    Mistake("ignored-rounding", "Not exactly (s − 1)/s of the outputs are skipped: the strided convolution keeps "
            "z_0, z_s, z_2s, … which is ⌊(n − k)/s⌋ + 1 outputs; count them.", _exact_fraction),
)


@template
class StridedConv(Template):
    id = "strided-conv"
    version = 2  # 2: the long signal's length a multiple of 5 (10 made the saving equal the strided cost for
    # stride 2 and an odd kernel); variants in which a named mistake gives a key or a trivial answer scores redrawn
    topic = "channels and stride"
    minutes = {"full": 1.5, "strided": 0.5, "saved": 1}
    summary = "a stride-s convolution is the stride-1 convolution downsampled; the multiplications it saves"
    params = {
        "signal": IntList(doc="input signal x", min_len=3, max_len=16),
        "kernel": IntList(doc="kernel w", min_len=1, max_len=6, low=-99, high=99),
        "stride": Int(doc="stride s", low=2, high=4),
        "length": Int(doc="length n of the long signal of the cost part (drawn: 50 to 1000, a multiple of 5)",
                      low=2, high=10**6),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "stride" not in p:
            p["stride"] = int(rng.integers(2, 4))
        if "kernel" not in p:
            longest = min(3, len(p["signal"]) - 1) if "signal" in p else 3
            p["kernel"] = draw_taps(rng, (int(rng.integers(min(2, max(1, longest)), max(1, longest) + 1)),))
        if "length" not in p:  # a length for which no named mistake gives the multiplications saved
            p["length"] = redraw(lambda: 5 * int(rng.integers(10, 201)),
                                 lambda n: not gives_key(Integer, saved(n, len(p["kernel"]), p["stride"]),
                                                         {**p, "length": n}, SAVED_MISTAKES),
                                 "a signal length whose saving no named mistake gives")
        if "signal" not in p:
            k, s = len(p["kernel"]), p["stride"]

            def draw() -> list[int]:
                # 3 or 4 strided outputs; after the last kept one the signal leaves 0 to s − 1 stride-1 outputs
                kept = int(rng.integers(3, 5 if s == 2 else 4))
                length = (kept - 1) * s + k + int(rng.integers(0, s))
                return rng.integers(0, 10, size=length).tolist()

            p["signal"] = redraw(draw, lambda x: self._fair({**p, "signal": x}), "a fair signal")
        return p

    @staticmethod
    def _fair(p: dict[str, Any]) -> bool:
        """No named mistake gives the outputs, and no trivial answer (the kernel copied …) scores."""
        return unfair(Vector, correlate1d(p["signal"], p["kernel"]), p, FULL_MISTAKES) is None and \
            unfair(Vector, correlate1d(p["signal"], p["kernel"], stride=p["stride"]), p, STRIDED_MISTAKES) is None

    def validate(self, p: dict[str, Any]) -> None:
        check_fits(p["signal"], p["kernel"])
        n, k = len(p["signal"]), len(p["kernel"])
        if n - k + 1 <= 1:
            raise ParamError(f"a signal of {n} with a kernel of {k} has a single output: nothing to downsample; "
                             "use a longer signal")
        if p["length"] < k + p["stride"]:
            raise ParamError(f"length {p['length']} is too short for the cost part: the kernel of {k} and stride "
                             f"{p['stride']} need at least {k + p['stride']} samples to skip an output")

    def build(self, p: dict[str, Any]) -> Question:
        x, w, s = p["signal"], p["kernel"], p["stride"]
        n, k = p["length"], len(w)
        full = correlate1d(x, w)
        strided = correlate1d(x, w, stride=s)
        statement = (
            prose("Let {x} be the signal and {w} the kernel (valid cross-correlation, no padding, indices from 0). "
                  "With stride {s}, the kernel moves {s0} positions at a time: {y}.", x=Eq(Sym("x"), np.array(x)),
                  w=Eq(Sym("w"), np.array(w)), s=Eq(Sym("s"), s), s0=Sym("s"),
                  y=Eq(Sym("y_i"), Sum("j", Op("*", Sym("x_{is+j}"), Sym("w_j"))))),
        )
        parts = (
            Part("full", prose("Compute the stride-1 output {z}.", z=Op("=", Sym("z"), Op("⋆", Sym("x"), Sym("w")))),
                 expect(Vector, full, p, FULL_MISTAKES), points=2,
                 solution=tuple(prose("{step}", step=Eq(Sym(f"z_{i}"), Dot(tuple(
                     (x[i + j], wj) for j, wj in enumerate(w))), value)) for i, value in enumerate(full))),
            Part("strided", prose("Compute the output {y} of the convolution with stride {s}.", y=Sym("y"), s=s),
                 expect(Vector, strided, p, STRIDED_MISTAKES), points=2,
                 solution=self._strided_solution(x, w, s, full, strided)),
            Part("saved", prose("The same kernel with stride {s} runs over a long signal of {n} samples. Counting "
                                "one multiplication per kernel weight and output, how many multiplications does it "
                                f"save compared with computing the stride-1 output and then keeping every "
                                f"{ordinal(s)} entry?", s=s, n=Eq(Sym("n"), n)),
                 expect(Integer, saved(n, k, s), p, SAVED_MISTAKES), points=1,
                 solution=self._saved_solution(n, k, s)),
        )
        return self.question(p, title="Strided convolution as downsampling", statement=statement, parts=parts)

    @staticmethod
    def _strided_solution(x: list[int], w: list[int], s: int, full: list[int],
                          strided: list[int]) -> tuple[Block, ...]:
        steps: list[Block] = [prose("Output {yi} uses the window starting at input {start}, which is the window of "
                                    "{z} at position {start}: {rule}. So {y} is {z} downsampled, every " + ordinal(s)
                                    + " entry from the first:", yi=Sym("y_i"), rule=Eq(Sym("y_i"), Sym("z_{is}")),
                                    start=Op("*", Sym("i"), Sym("s")), z=Sym("z"), y=Sym("y"))]
        for i, value in enumerate(strided):
            terms = tuple((x[i * s + j], wj) for j, wj in enumerate(w))
            steps.append(prose("{step}", step=Eq(Sym(f"y_{i}"), Sym(f"z_{i * s}"), Dot(terms), value)))
        steps.append(draw.subsample(full, s))
        return tuple(steps)

    @staticmethod
    def _saved_solution(n: int, k: int, s: int) -> tuple[Block, ...]:
        full, strided = counts(n, k, s)
        if full % s:
            share = (f"not quite {s - 1} in {s} of the work, because {full} outputs do not split evenly into groups "
                     f"of {s} and the last, shorter group still keeps its first output.")
        else:
            share = f"exactly {s - 1} in {s} of the work here, because {full} outputs split into groups of {s}."
        formula = Op("+", Call("floor", Op("/", Op("-", Sym("n"), Sym("k")), Sym("s"))), 1)
        return (
            prose("Stride 1 computes {m} outputs of {k} multiplications each: {cost}.", m=Eq(Op("+", Op("-", n, k), 1),
                  full), k=k, cost=Eq(Op("×", full, k), full * k)),
            prose("Stride {s} computes only the kept {count} outputs: {cost}.", s=s,
                  count=Eq(formula, strided), cost=Eq(Op("×", strided, k), strided * k)),
            prose("It saves {saved} multiplications, the work of the {skipped} outputs that downsampling would throw "
                  "away: " + share, saved=Eq(Op("-", full * k, strided * k), saved(n, k, s)), skipped=full - strided),
        )

    def verify(self, question: Question) -> None:
        p = question.params
        full = np.correlate(np.array(p["signal"]), np.array(p["kernel"]), "valid")
        expected = {"full": full.tolist(), "strided": full[::p["stride"]].tolist()}  # stride by subsampling
        for part_id, value in expected.items():
            got = list(question.part(part_id).answer.value)
            assert got == value, f"strided-conv {part_id}: key {got} != numpy {value}"
        n, k, s = _sizes(p)
        multiplications = {1: 0, s: 0}  # count the multiplications of both loops, one by one
        for step in multiplications:
            for start in range(0, n - k + 1, step):
                for j in range(k):
                    multiplications[step] += 1 if start + j < n else 0
        got = question.part("saved").answer.value
        assert got == multiplications[1] - multiplications[s], f"strided-conv saved: key {got} != counted " \
                                                               f"{multiplications[1] - multiplications[s]}"
