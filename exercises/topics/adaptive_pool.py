"""Adaptive pooling: a fixed output size m for an input of any size n (PyTorch's window rule)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect
from exercises.model import Call, Eq, Op, Part, Plus, Question, Sym, joined, prose
from exercises.params import Int
from exercises.registry import Template, template
from grader.answers import Matrix, Vector


def adaptive_windows(n: int, m: int) -> list[tuple[int, int]]:
    """PyTorch's windows [start, end) of output i: start = floor(i·n/m), end = ceil((i+1)·n/m)."""
    return [(i * n // m, -(-(i + 1) * n // m)) for i in range(m)]


def _sizes(windows: list[tuple[int, int]]) -> list[int]:
    return [end - start for start, end in windows]


def _equal_size(p: dict[str, Any]) -> list[tuple[int, int]] | None:
    """None where m divides n: then the windows are all floor(n/m) long, and the mistake is no mistake."""
    size = p["n"] // p["m"]
    return [(i * size, (i + 1) * size) for i in range(p["m"])] if size and p["n"] % p["m"] else None


def _floor_end(p: dict[str, Any]) -> list[tuple[int, int]] | None:
    """None where m divides n: then no end is rounded."""
    return [(i * p["n"] // p["m"], (i + 1) * p["n"] // p["m"]) for i in range(p["m"])] if p["n"] % p["m"] else None


def _equal_size_sizes(p: dict[str, Any]) -> list[int] | None:
    windows = _equal_size(p)
    return _sizes(windows) if windows else None


EQUAL = ("You gave every window the size floor(n/m): then the windows do not reach the end of the input. "
         "PyTorch's windows start at floor(i·n/m) and end at ceil((i+1)·n/m).")
FLOOR = ("You rounded the end down, floor((i+1)·n/m): the end is rounded up, ceil((i+1)·n/m), so neighbouring "
         "windows can overlap.")
INCLUSIVE = "The end is not included: window [start, end) covers start … end − 1 and has end − start values."

WINDOW_MISTAKES = (
    Mistake("equal-size", EQUAL, _equal_size),
    Mistake("floor-end", FLOOR, _floor_end),
    Mistake("inclusive-end", INCLUSIVE, lambda p: [(a, b - 1) for a, b in adaptive_windows(p["n"], p["m"])]),
)
SIZE_MISTAKES = (
    Mistake("equal-size", EQUAL, _equal_size_sizes),
    Mistake("floor-end", FLOOR, lambda p: _sizes(_floor_end(p)) if p["n"] % p["m"] else None),
    Mistake("inclusive-end", INCLUSIVE, lambda p: [b - a + 1 for a, b in adaptive_windows(p["n"], p["m"])]),
)


FEATURE_MAPS = (7, 13, 14, 27, 28, 55, 56, 112, 224)  # AlexNet's 55, 27, 13; VGG's and ResNet's 224 … 7


@template
class AdaptivePool(Template):
    id = "adaptive-pool"
    version = 2  # 2: n a multiple of m sometimes, feature-map sizes up to 224 (224 → 7), m up to 7
    topic = "pooling"
    minutes = {"windows": 2, "sizes": 1}
    summary = "the windows of adaptive pooling: m outputs from n inputs, start floor(i·n/m), end ceil((i+1)·n/m)"
    params = {
        "n": Int(doc="input size (drawn: 5 to 20, sometimes a feature-map size up to 224)", low=1, high=1024),
        "m": Int(doc="output size (drawn: 2 to 7)", low=1, high=16),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        kind = rng.choice(["uneven", "multiple", "feature-map"], p=[0.6, 0.2, 0.2])
        if "m" not in p:  # 2 to 7 outputs, fewer than n
            choices = [m for m in range(2, 8) if "n" not in p or m < p["n"]] or [1]
            p["m"] = int(rng.choice(choices))
        if "n" not in p:
            m, low = p["m"], max(5, p["m"] + 1)
            if kind == "multiple":  # disjoint windows of n/m inputs each
                choices = [n for n in range(low, 8 * m + 1) if n % m == 0]
            elif kind == "feature-map":  # the sizes of real networks' feature maps, e.g. 224 → 7
                choices = [n for n in FEATURE_MAPS if n > m]
            else:  # windows that overlap or differ in size
                choices = [n for n in range(low, max(21, low + 6)) if n % m]
            p["n"] = int(rng.choice(choices))
        return p

    def build(self, p: dict[str, Any]) -> Question:
        n, m = p["n"], p["m"]
        windows = adaptive_windows(n, m)
        start = Eq(Sym("s_i"), Call("floor", Op("/", Op("*", Sym("i"), Sym("n")), Sym("m"))))
        end = Eq(Sym("e_i"), Call("ceil", Op("/", Op("*", Plus(Sym("i"), 1), Sym("n")), Sym("m"))))
        statement = (
            prose("Adaptive pooling (PyTorch's AdaptiveMaxPool1d and AdaptiveAvgPool1d) turns an input of any size "
                  "into a fixed number of outputs. Here {n} inputs (positions 0 to {last}) give {m} outputs.",
                  n=Eq(Sym("n"), n), m=Eq(Sym("m"), m), last=Plus(Sym("n"), -1)),
            prose("Output {i}, for {i} from 0 to {last}, pools the inputs from position {s} up to, but not including, "
                  "position {e}, where {start} and {end}.", s=Sym("s_i"), e=Sym("e_i"), start=start, end=end,
                  i=Sym("i"), last=Plus(Sym("m"), -1)),
        )
        steps = tuple(
            prose("{start}, {end}", start=Eq(Sym(f"s_{i}"), Call("floor", Op("/", i * n, m)), a),
                  end=Eq(Sym(f"e_{i}"), Call("ceil", Op("/", (i + 1) * n, m)), b))
            for i, (a, b) in enumerate(windows)
        )
        note = prose("{ratio} is not a whole number, so the windows differ in size or overlap." if n % m else
                     "{ratio}: {m} divides {n}, so the windows are disjoint, each of size {size}.",
                     ratio=Eq(Op("/", Sym("n"), Sym("m")), Fraction(n, m)),
                     **({} if n % m else {"m": Sym("m"), "n": Sym("n"), "size": Op("/", Sym("n"), Sym("m"))}))
        parts = (
            Part("windows", prose("Give the windows as an {shape} matrix whose row {i} is {row}.",
                                  row=(Sym("s_i"), Sym("e_i")), shape=Op("×", Sym("m"), 2), i=Sym("i")),
                 expect(Matrix, windows, p, WINDOW_MISTAKES), points=2, solution=steps),
            Part("sizes", prose("Give the window sizes {size}.", size=Op("-", Sym("e_i"), Sym("s_i"))),
                 expect(Vector, _sizes(windows), p, SIZE_MISTAKES), points=1,
                 solution=(joined(prose("Each size is {size}. ", size=Op("-", Sym("e_i"), Sym("s_i"))), note),)),
        )
        return self.question(p, title="Adaptive pooling", statement=statement, parts=parts)

    def verify(self, question: Question) -> None:
        n, m = question.params["n"], question.params["m"]
        windows = [tuple(row) for row in question.part("windows").answer.value]
        sizes = list(question.part("sizes").answer.value)
        for i, (start, end) in enumerate(windows):  # the definition, by enumeration of the integers
            assert start == max(a for a in range(n + 1) if a * m <= i * n), f"window {i} starts at {start}"
            assert end == min(b for b in range(n + 1) if b * m >= (i + 1) * n), f"window {i} ends at {end}"
        assert len(windows) == m and sizes == [end - start for start, end in windows], "sizes are not e_i - s_i"
        assert windows[0][0] == 0 and windows[-1][1] == n, "the windows do not span the input"
        assert all(end > start for start, end in windows), "an empty window"
        for (s0, e0), (s1, e1) in zip(windows, windows[1:], strict=False):
            assert s0 <= s1 <= e0 <= e1, f"windows [{s0}, {e0}) and [{s1}, {e1}) leave a gap or go backwards"
        if n % m == 0:
            tiled = all(e0 == s1 for (_, e0), (s1, _) in zip(windows, windows[1:], strict=False))
            assert tiled and sizes == [n // m] * m, "with m dividing n the windows must tile the input"
