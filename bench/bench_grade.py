"""Grading speed: the median time to grade one typical answer of each kind (not seen before: no
cache helps), how fast hostile input is turned away, and what setting up a Formula costs.

Run: .venv/bin/python bench/bench_grade.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import print_table  # noqa: E402

from grader import (  # noqa: E402
    Choice,
    Choices,
    Formula,
    Integer,
    Matrix,
    Misconception,
    Number,
    Tuple,
    Vector,
    grade,
)
from grader.answers.formula import _shared_points  # noqa: E402

OPTIONS = (("sparse", "Sparse interactions"), ("dense", "Every output uses every input"),
           ("shared", "Parameter sharing"), ("equivariant", "Equivariance to translation"))
T = [[-1, 0, 0, 0], [0, -1, 0, 0], [1, 0, -1, 0], [0, 1, 0, -1], [0, 0, 1, 0], [0, 0, 0, 1]]
OUTPUT_SIZE = Formula(value="floor((n + 2*p - k)/s) + 1", variables=("n", "k", "p", "s"),
                      ranges={"n": (1, 60), "k": (1, 9), "p": (0, 4), "s": (1, 4)}, where=("k <= n + 2*p",),
                      misconceptions=(Misconception("no-plus-one", "Add 1.", "floor((n + 2*p - k)/s)"),))
PARAMS = Formula(value="k^2*c_in*c_out + c_out", variables=("k", "c_in", "c_out"))

# (label, spec, a typical student answer)
TYPICAL = [
    ("integer", Integer(value=61706), "61 706"),
    ("number (exact)", Number(value=Fraction(7, 2)), "3.5"),
    ("number (rtol)", Number(value=Fraction(1, 3), rtol=0.01), "0.333"),
    ("vector", Vector(value=[-1, 99, 100, 1]), "[-1, 99, 100, 1]"),
    ("vector, partly wrong", Vector(value=[-1, 99, 100, 1], misconceptions=(
        Misconception("flipped", "Flipped.", [1, 100, 99, -1]),)), "(-1; 99; 100; 2)"),
    ("tuple", Tuple(value=(6, 4)), "6 × 4"),
    ("matrix 6×4", Matrix(value=T), "; ".join(" ".join(map(str, row)) for row in T)),
    ("matrix 6×4, LaTeX", Matrix(value=T),
     "\\begin{bmatrix} " + " \\\\ ".join(" & ".join(map(str, row)) for row in T) + " \\end{bmatrix}"),
    ("choice", Choice(value="shared", options=OPTIONS), "C"),
    ("choices", Choices(value=("sparse", "shared"), options=OPTIONS), "A, C"),
    ("formula with floor, right", OUTPUT_SIZE, "⌊(n + 2p − k)/s⌋ + 1"),
    ("formula with floor, LaTeX", OUTPUT_SIZE, "\\left\\lfloor \\frac{n+2p-k}{s} \\right\\rfloor + 1"),
    ("formula with floor, misconception", OUTPUT_SIZE, "floor((n+2p-k)/s)"),
    ("formula with floor, wrong", OUTPUT_SIZE, "(n + 2p - k)/s + 1"),
    ("rational formula, right (+ sympy)", PARAMS, "c_out (k^2 c_in + 1)"),
    ("rational formula, wrong", PARAMS, "k^2 c_in c_out"),
]

HOSTILE = [
    ("1 MB string", "x" * 1_000_000),
    ("9**9**9", "9**9**9"),
    ("10^10^10", "10^10^10"),
    ("[[[…]]] 5,000 deep", "[" * 5000 + "1" + "]" * 5000),
    ("((…)) 100 deep", "(" * 100 + "n" + ")" * 100),
    ("__import__('os').system('x')", "__import__('os').system('x')"),
    ("invalid UTF-8", b"\xff\xfe[1, 2]\xc3".decode("utf-8", "surrogateescape")),
]
ALL_KINDS = [spec for _, spec, _ in TYPICAL]


def per_call(run, calls: int, repeats: int = 7) -> float:
    """The median over `repeats` of the mean time of one call, timed over `calls` calls."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            run()
        times.append((time.perf_counter() - started) / calls)
    return sorted(times)[len(times) // 2]


def uncached(spec, text: str, calls: int) -> float:
    """The median time of grading `text` afresh: a Formula's caches of student trees and values are
    emptied before each call (outside the timing), as for an answer it has not seen before."""
    times = []
    for _ in range(calls):
        if spec.kind == "formula":
            spec.__dict__.pop("_values", None)
            spec.__dict__["_trees"] = {spec.value: spec.tree(spec.value)}
        started = time.perf_counter()
        grade(spec, text)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def microseconds(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} µs"


def cold_sympy_seconds() -> float:
    """The first symbolic check in a fresh process: it includes importing sympy."""
    code = ("import time; from grader import Formula, grade; "
            "f = Formula(value='k^2*c + c', variables=('k', 'c')); t = time.perf_counter(); "
            "grade(f, 'c (k^2 + 1)'); print(time.perf_counter() - t)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    return float(out.stdout.strip())


if __name__ == "__main__":
    rows = []
    for label, spec, text in TYPICAL:
        result = grade(spec, text)  # warm up (and show what is being timed)
        calls = 300 if spec.kind == "formula" else 3000
        rows.append((f"{label:<36} {text[:34]!r:<38} {result.status:<9}", microseconds(uncached(spec, text, calls))))
    print_table("Grading one typical answer", rows)
    print()
    rows = []
    for label, text in HOSTILE:
        worst = max(per_call(lambda s=spec, t=text: grade(s, t), 10, repeats=5) for spec in ALL_KINDS)
        rows.append((f"{label:<30} (slowest kind)", microseconds(worst)))
    print_table("Turning away hostile input", rows)
    print()
    def make_formula() -> Formula:
        return Formula(value="floor((n + 2*p - k)/s) + 1", variables=("n", "k", "p", "s"),
                       ranges={"n": (1, 60), "k": (1, 9), "p": (0, 4), "s": (1, 4)}, where=("k <= n + 2*p",))

    def first_formula() -> None:
        _shared_points.cache_clear()
        make_formula()

    print_table("Formula set-up", [
        ("Formula(...), drawing its 48 admissible points", microseconds(per_call(first_formula, 20))),
        ("Formula(...) again (points shared by the variants)", microseconds(per_call(make_formula, 200))),
        ("first symbolic check in a fresh process (imports sympy)", f"{cold_sympy_seconds() * 1e3:9.1f} ms"),
    ])
