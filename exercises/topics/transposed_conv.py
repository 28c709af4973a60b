"""Transposed convolution (PyTorch's ConvTranspose1d, one channel, no bias) as the transpose of a convolution.

The convolution with kernel w, stride s, padding p and dilation d maps a signal u of length L to n outputs,
u ↦ A·u, with A_{i, i·s + j·d − p} = w_j; the transposed convolution maps x (length n) to y = Aᵀ·x, of length
L = (n − 1)s − 2p + d(k − 1) + a + 1 (output_padding a < s adds a positions at the end). Equivalently each x_i
scatters a copy of the kernel, scaled by x_i, to the positions i·s + j·d − p; where the stride does not divide
the kernel's span the copies overlap unevenly: the checkerboard of Odena, Dumoulin and Olah (2016).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Eq, Neg, Op, Part, Plus, Power, Question, Sym, prose
from exercises.params import Int, IntList, ParamError
from exercises.registry import Template, template
from exercises.topics.convolution import correlate1d
from exercises.topics.layers import output_size, transposed_output_size
from exercises.topics.output_formula import FEEDBACK, size_formula
from exercises.topics.output_size import scattered_size
from grader.answers import Integer, Vector

SETTINGS = ("stride", "padding", "output_padding", "dilation")


def length(p: dict[str, Any], n: int | None = None, **changes: Any) -> int:
    """The output length by PyTorch's formula (for an input of n positions, with settings changed)."""
    q = {**p, **changes}
    return transposed_output_size(len(q["signal"]) if n is None else n, len(q["kernel"]), q["stride"], q["padding"],
                                  q["dilation"], q["output_padding"])


def forward_matrix(p: dict[str, Any], kernel: list[int] | None = None) -> np.ndarray:
    """A (n × L): column r is the convolution (same kernel, stride, padding, dilation) of the unit signal e_r."""
    kernel = p["kernel"] if kernel is None else kernel
    size = length(p)
    columns = [correlate1d(np.eye(size, dtype=np.int64)[r].tolist(), kernel, p["padding"], p["stride"],
                           p["dilation"])[: len(p["signal"])] for r in range(size)]
    return np.array(columns, dtype=np.int64).T


def transposed(p: dict[str, Any]) -> list[int]:
    """y = Aᵀ·x."""
    return (forward_matrix(p).T @ np.array(p["signal"], dtype=np.int64)).tolist()


def copies(p: dict[str, Any]) -> list[int]:
    """How many kernel copies land on each output position: Aᵀ of a kernel of ones, times a signal of ones."""
    ones = forward_matrix(p, [1] * len(p["kernel"]))
    return (ones.T @ np.ones(len(p["signal"]), dtype=np.int64)).tolist()


# -- the independent method: scatter-add, tap by tap --------------------------------------------------------------


def scattered(p: dict[str, Any], **changes: Any) -> tuple[list[int], list[int]]:
    """(y, copies) by scattering: x_i·w_j is added at position i·s + j·d − p (output_padding extends the end with
    zeros, or crops less of it), and the copies that land on each position are counted."""
    q = {**p, **changes}
    s, d, pad, extra = q["stride"], q["dilation"], q["padding"], q["output_padding"]
    full = (len(q["signal"]) - 1) * s + d * (len(q["kernel"]) - 1) + 1
    y, count = [0] * (full + extra), [0] * (full + extra)
    for i, x in enumerate(q["signal"]):
        for j, w in enumerate(q["kernel"]):
            y[i * s + j * d] += x * w
            count[i * s + j * d] += 1
    keep = slice(pad, full + extra - pad)
    return y[keep], count[keep]


# -- misconceptions -----------------------------------------------------------------------------------------------


def _if(condition, compute):
    return lambda p: compute(p) if condition(p) else None


def _output_padding_left(p: dict[str, Any], which: int) -> list[int] | None:
    if not p["output_padding"]:
        return None
    shifted = scattered({**p, "padding": 0}, output_padding=0)[which]
    padded = [0] * p["output_padding"] + shifted
    return padded[p["padding"]: p["padding"] + length(p)]


def _overwritten(p: dict[str, Any]) -> list[int] | None:
    """Each copy overwrites what is there instead of adding to it (the last write wins)."""
    s, d, pad = p["stride"], p["dilation"], p["padding"]
    y = [0] * (length(p) + 2 * pad)
    for i, x in enumerate(p["signal"]):
        for j, w in enumerate(p["kernel"]):
            y[i * s + j * d] = x * w
    return y[pad: pad + length(p)]


def _uniform(p: dict[str, Any]) -> list[int]:
    """Every position with the interior's larger count, ⌈k/s⌉ (no border effect, no checkerboard)."""
    return [-(-len(p["kernel"]) // p["stride"])] * length(p)


def _conv_formula(p: dict[str, Any]) -> int | None:
    """The convolution's output size for the side, where the kernel fits."""
    found = output_size(p["side"], len(p["kernel"]), p["stride"], p["padding"], p["dilation"])
    return found if found >= 1 else None


TRANSPOSE = Power(Sym("A"), Sym("T"))  # the convolution's matrix, transposed

SIZE_MISTAKES = (
    Mistake("padding-forgotten", FEEDBACK["padding-forgotten"],
            _if(lambda p: p["padding"], lambda p: length(p, p["side"], padding=0))),
    Mistake("stride-ignored", FEEDBACK["stride-ignored"] + " In a transposed convolution the stride spreads the "
            "inputs s positions apart: (n − 1)s.",
            _if(lambda p: p["stride"] > 1, lambda p: length(p, p["side"], stride=1, output_padding=0))),
    Mistake("output-padding-forgotten", FEEDBACK["output-padding-forgotten"],
            _if(lambda p: p["output_padding"], lambda p: length(p, p["side"], output_padding=0))),
    Mistake("dilation-ignored", FEEDBACK["dilation-ignored"],
            _if(lambda p: p["dilation"] > 1, lambda p: length(p, p["side"], dilation=1))),
    Mistake("off-by-one", FEEDBACK["off-by-one"], lambda p: length(p, p["side"]) - 1),
    Mistake("conv-formula-for-transpose", FEEDBACK["conv-formula-for-transpose"], _conv_formula),
)
OUTPUT_MISTAKES = (
    Mistake("flipped-kernel", "You flipped the kernel. Input x_i adds w_j at position i·s + j·d − p: w_0 first. "
            "(Computed as a convolution of the zero-stuffed input, the kernel must be flipped; scattering keeps it "
            "as it is.)", _if(lambda p: p["kernel"] != p["kernel"][::-1],
                              lambda p: scattered({**p, "kernel": p["kernel"][::-1]})[0])),
    Mistake("overwritten-not-added", "Where kernel copies overlap they add up: each output is a sum over every "
            "(i, j) with i·s + j·d − p at that position.", _overwritten),
    Mistake("padding-not-cropped", "The padding p crops p positions at each end of the scattered result (the "
            "transpose of padding the convolution's input).",
            _if(lambda p: p["padding"], lambda p: scattered(p, padding=0)[0])),
    Mistake("stride-ignored", "The stride spreads the inputs' copies s positions apart: x_i's copy starts at "
            "i·s − p.", _if(lambda p: p["stride"] > 1, lambda p: scattered(p, stride=1, output_padding=0)[0])),
    Mistake("dilation-ignored", "The kernel's taps are d positions apart: w_j lands at i·s + j·d − p.",
            _if(lambda p: p["dilation"] > 1, lambda p: scattered(p, dilation=1)[0])),
    Mistake("output-padding-on-the-left", "output_padding adds its positions at the end (right), not at the start.",
            lambda p: _output_padding_left(p, 0)),
)
COPY_MISTAKES = (
    Mistake("uniform-overlap", "The number of copies is not the same everywhere: near the ends fewer copies reach, "
            "and where the stride does not divide the kernel's span, neighbouring positions get different counts "
            "(the checkerboard).", _uniform),
    Mistake("padding-not-cropped", "The padding crops p positions at each end: count only the output's positions.",
            _if(lambda p: p["padding"], lambda p: scattered(p, padding=0)[1])),
    Mistake("stride-ignored", "With stride s the copies start s positions apart, so fewer of them overlap.",
            _if(lambda p: p["stride"] > 1, lambda p: scattered(p, stride=1, output_padding=0)[1])),
    Mistake("dilation-ignored", "The taps are d positions apart: a copy covers every d-th position.",
            _if(lambda p: p["dilation"] > 1, lambda p: scattered(p, dilation=1)[1])),
    Mistake("output-padding-on-the-left", "output_padding adds its positions at the end (right), not at the start.",
            lambda p: _output_padding_left(p, 1)),
)
PARTS = {  # part id: (kind, key, mistakes)
    "size": (Integer, lambda p: length(p, p["side"]), SIZE_MISTAKES),
    "output": (Vector, transposed, OUTPUT_MISTAKES),
    "copies": (Vector, copies, COPY_MISTAKES),
}
VALUES = (-2, -1, 1, 2, 3)  # signal and kernel entries: never zero, so every copy shows


def problem(p: dict[str, Any]) -> str | None:
    """Why the settings make no layer (None when they do)."""
    k, s, d = len(p["kernel"]), p["stride"], p["dilation"]
    if p["output_padding"] >= s:
        return (f"output_padding = {p['output_padding']} must be less than the stride {s}: the output is then the "
                "transpose of the convolution with the same settings (PyTorch also allows less than the dilation)")
    if p["padding"] > d * (k - 1):
        return f"padding = {p['padding']} is more than d(k - 1) = {d * (k - 1)}: it would crop whole kernel copies"
    if min(length(p), length(p, p["side"])) < 1:
        return f"padding = {p['padding']} crops the whole output away: use less padding or a longer input"
    return None


def pleasant(p: dict[str, Any]) -> bool:
    """A drawn variant: 4 to 10 outputs, not as many as the signal or kernel has entries (copying them would score),
    uneven copies and outputs, a side other than the signal's length, and no named mistake that gives a key."""
    if problem(p) is not None:
        return False
    size, n = length(p), len(p["signal"])
    return (4 <= size <= 10 and size not in (n, len(p["kernel"])) and p["side"] != n
            and len(set(copies(p))) > 1 and len(set(transposed(p))) > 2
            and not any(gives_key(kind, key(p), p, mistakes) for kind, key, mistakes in PARTS.values()))


@template
class TransposedConv(Template):
    id = "transposed-conv"
    version = 1
    topic = "architectures"
    minutes = {"size": 1.5, "output": 3.5, "copies": 1.5}
    summary = "transposed convolution: output size, output as the transpose of the convolution, overlapping copies"
    params = {
        "signal": IntList(doc="input x of the transposed convolution", min_len=1, max_len=8, low=-9, high=9),
        "kernel": IntList(doc="kernel w", min_len=1, max_len=5, low=-9, high=9),
        "stride": Int(doc="stride s", low=1, high=4),
        "padding": Int(doc="padding p: positions cropped at each end, at most d(k - 1)", low=0, high=8),
        "output_padding": Int(doc="output_padding a, less than the stride: positions added at the end", low=0,
                              high=3),
        "dilation": Int(doc="dilation d", low=1, high=3),
        "side": Int(doc="the size part: side of the square map a 2-D layer with these settings takes", low=1,
                    high=256),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        for _ in range(300):  # redraw until the variant is pleasant (pinned values stay)
            p = dict(params)
            p.setdefault("stride", int(rng.choice([1, 2, 2, 3])))
            p.setdefault("dilation", 1 if rng.random() < 0.75 else 2)
            if "kernel" not in p:
                p["kernel"] = self._taps(rng, int(rng.choice([2, 3, 3, 4])))
            p.setdefault("padding", int(rng.choice([0, 0, 1, 2])))
            p.setdefault("output_padding", 0 if p["stride"] == 1 or rng.random() < 0.6 else
                         int(rng.integers(1, p["stride"])))
            p.setdefault("signal", rng.choice(VALUES, size=int(rng.integers(2, 5))).tolist())
            p.setdefault("side", int(rng.integers(4, 33)))
            if pleasant(p):
                break
        return p

    @staticmethod
    def _taps(rng: np.random.Generator, size: int) -> list[int]:
        """Non-zero taps that change when flipped (so that a flipped kernel shows)."""
        while True:
            kernel = rng.choice(VALUES, size=size).tolist()
            if kernel != kernel[::-1]:
                return kernel

    def validate(self, p: dict[str, Any]) -> None:
        found = problem(p)
        if found:
            raise ParamError(found)

    def build(self, p: dict[str, Any]) -> Question:
        x, w, n = p["signal"], p["kernel"], len(p["signal"])
        s, pad, a, d = (p[name] for name in SETTINGS)
        position = Plus(Op("*", Sym("i"), Sym("s")), Op("*", Sym("j"), Sym("d")), Neg(Sym("p")))
        statement = (
            prose("A transposed convolution (PyTorch's ConvTranspose1d: one channel, no bias) has the kernel {w}, "
                  "stride {s}, padding {p}, output_padding {a} and dilation {d}. It is the transpose of the "
                  "convolution with the same kernel, stride, padding and dilation: if that convolution maps a signal "
                  "{u} to {Au} ({A} has one row per output, holding {wj} at column {position} of row {i}), the "
                  "transposed convolution maps {x} to {ATx}, whose length follows PyTorch's formula. Equivalently, "
                  "each input {xi} adds a copy of the kernel, scaled by {xi}, at the positions {position}; the "
                  "padding crops {p0} positions at each end, and output_padding adds {a0} positions at the end.",
                  w=Eq(Sym("w"), np.array(w)), s=Eq(Sym("s"), s), p=Eq(Sym("p"), pad), a=Eq(Sym("a"), a),
                  d=Eq(Sym("d"), d), u=Sym("u"), Au=Op("*", Sym("A"), Sym("u")), A=Sym("A"), wj=Sym("w_j"),
                  position=position, i=Sym("i"), x=Sym("x"), ATx=Op("*", TRANSPOSE, Sym("x")), xi=Sym("x_i"),
                  p0=Sym("p"), a0=Sym("a")),
            prose("Its input is {x}.", x=Eq(Sym("x"), np.array(x))),
        )
        size = length(p)
        full, kept = scattered({**p, "padding": 0})[0], (pad, pad + size)
        full += [0] * (kept[1] - len(full))
        rows = [[(i * s + j * d, str(xi * wj)) for j, wj in enumerate(w)] for i, xi in enumerate(x)]
        figure = draw.scatter_rows([f"x{i} = {xi}" for i, xi in enumerate(x)], rows, full, kept, copies(p))
        side = p["side"]
        parts = (
            self._part(p, "size", prose("A 2-D transposed convolution (ConvTranspose2d) with these settings along "
                                        "both axes takes a feature map of {nn} positions. How many positions wide "
                                        "is its output?", nn=Op("×", side, side)),
                       prose("PyTorch's formula {formula} with {n}: {total}.", formula=size_formula(True, Sym("a")),
                             n=Eq(Sym("n"), side), total=Eq(self._formula(p, side), length(p, side)))),
            self._part(p, "output", prose("Compute the output {y} of the transposed convolution for {x}.", y=Sym("y"),
                                          x=Sym("x")),
                       prose("The convolution with these settings maps {size} positions to {n}; its matrix is {A}. "
                             "So {y}.", size=size, n=n, A=Eq(Sym("A"), forward_matrix(p)),
                             y=Eq(Sym("y"), Op("*", TRANSPOSE, Sym("x")), np.array(transposed(p)))), points=3),
            self._part(p, "copies", prose("How many kernel copies land on each position of {y}? Give the count for "
                                          "every position, in order.", y=Sym("y")),
                       prose("Count the taps that reach each position (the non-zero entries of its row of {AT} for a "
                             "kernel without zeros): {c}. Where the stride does not divide the kernel's span, "
                             "neighbouring positions get different counts; in 2-D the counts along the rows and the "
                             "columns multiply, which makes the checkerboard pattern of Odena, Dumoulin and Olah "
                             "(2016).", c=np.array(copies(p)), AT=TRANSPOSE), figure, points=2),
        )
        return self.question(p, title="Transposed convolution", statement=statement, parts=parts)

    @staticmethod
    def _formula(p: dict[str, Any], n: int) -> Any:
        s, pad, a, d = (p[name] for name in SETTINGS)
        total: Any = Op("×", n - 1, s)
        if pad:
            total = Op("-", total, Op("×", 2, pad))
        total = Op("+", total, Op("×", d, len(p["kernel"]) - 1))
        if a:
            total = Op("+", total, a)
        return Op("+", total, 1)

    @staticmethod
    def _part(p: dict[str, Any], part_id: str, prompt: Any, *solution: Any, points: int = 1) -> Part:
        kind, key, mistakes = PARTS[part_id]
        return Part(part_id, prompt, expect(kind, key(p), p, mistakes), points=points, solution=solution)

    def verify(self, question: Question) -> None:
        p = question.params
        y, count = scattered(p)
        side = scattered_size(p["side"], len(p["kernel"]), p["stride"], p["padding"], p["dilation"],
                              p["output_padding"])
        size = scattered_size(len(p["signal"]), len(p["kernel"]), p["stride"], p["padding"], p["dilation"],
                              p["output_padding"])
        assert output_size(size, len(p["kernel"]), p["stride"], p["padding"], p["dilation"]) == len(p["signal"]), \
            "transposed-conv: the convolution with these settings does not map the output back to the input's length"
        expected = {"size": side, "output": y, "copies": count}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            got = list(got) if isinstance(want, list) else got
            assert got == want and (part_id == "size" or len(want) == size), \
                f"transposed-conv {part_id}: key {got}, scattered {want}"
