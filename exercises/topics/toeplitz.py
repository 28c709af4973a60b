"""Convolution as a matrix product: the Toeplitz matrix of a 1-D valid cross-correlation (2-D: toeplitz2d.py).

One index convention throughout, as in conv1d: output y_i = Σ_j x_{i+j} w_j, with i for outputs, j for
kernel taps and r for inputs. Row convention (the lecture's): y = x·T with x a row vector, so T has one
row per input and one column per output, T_{r,i} = w_{r−i}: column i holds the kernel shifted down i
rows. Column convention: y = A·x with x and y column vectors and A = Tᵀ, A_{i,r} = w_{r−i}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Dot, Eq, Op, Part, Plus, Question, Sum, Sym, prose
from exercises.params import IntList, OneOf
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.convolution import check_fits, correlate1d, correlate1d_numpy, draw_kernel
from grader.answers import Matrix, Tuple, Vector

CONVENTION = OneOf(doc="row: y = x·T (x a row vector, as in the lecture); column: y = A·x with A = Tᵀ",
                   default="row", options=("row", "column"))
SHAPE_NAMES = ("rows", "columns")


# -- 1-D ------------------------------------------------------------------------------------
def toeplitz_matrix(kernel: list[int], length: int, shift: int = 0, cols: int | None = None) -> np.ndarray:
    """Row-convention matrix of valid cross-correlation: column j is the kernel placed from row j + shift.

    `shift` and `cols` only serve the misconceptions (band one row off, 'full' size); entries that
    would fall outside the matrix are cut off."""
    k = len(kernel)
    cols = length - k + 1 if cols is None else cols
    matrix = np.zeros((length, cols), dtype=np.int64)
    for j in range(cols):
        start = j + shift
        top, bottom = max(start, 0), min(start + k, length)
        if top < bottom:
            matrix[top:bottom, j] = kernel[top - start:bottom - start]
    return matrix


def in_convention(matrix: np.ndarray, convention: str) -> np.ndarray:
    """The row-convention matrix as the question's convention asks for it."""
    return matrix if convention == "row" else matrix.T


def _other_convention(p: dict[str, Any]) -> list:
    return in_convention(toeplitz_matrix(p["kernel"], len(p["signal"])), p["convention"]).T.tolist()


def _flipped_matrix(p: dict[str, Any]) -> list:
    return in_convention(toeplitz_matrix(p["kernel"][::-1], len(p["signal"])), p["convention"]).tolist()


def _band_shifted(shift: int) -> Callable[[dict[str, Any]], list]:
    def compute(p: dict[str, Any]) -> list:
        return in_convention(toeplitz_matrix(p["kernel"], len(p["signal"]), shift), p["convention"]).tolist()
    return compute


def _full_matrix(p: dict[str, Any]) -> list:
    n, k = len(p["signal"]), len(p["kernel"])
    return in_convention(toeplitz_matrix(p["kernel"], n, 1 - k, n + k - 1), p["convention"]).tolist()


TRANSPOSE_FEEDBACK = ("You wrote the transpose, the matrix of the other convention. With y = x·T and x a row vector, "
                      "T has one row per input and one column per output; with y = A·x, A = Tᵀ has one row per "
                      "output.")
BAND_FEEDBACK = ("The kernel band is shifted {} by one: output y_i starts at input x_i, so the first weight w_0 "
                 "belongs on the main diagonal, at entry (i, i).")


def _matrix_mistakes(convention: str) -> tuple[Mistake, ...]:
    """The matrix part's mistakes, the band's shift named as it looks in this convention."""
    lower, higher = ("down (one row too low)", "up (one row too high)") if convention == "row" else \
        ("right (one column too far right)", "left (one column too far left)")
    return (
        Mistake("transpose", TRANSPOSE_FEEDBACK, _other_convention),
        Mistake("flipped-kernel", "The band holds the kernel reversed: that is convolution with a flipped kernel. "
                "Deep learning's ⋆ is cross-correlation, so w_0 comes first along the band.", _flipped_matrix),
        Mistake("shifted-band", BAND_FEEDBACK.format(lower), _band_shifted(1)),
        Mistake("shifted-band", BAND_FEEDBACK.format(higher), _band_shifted(-1)),
        Mistake("full-instead-of-valid", "You built the matrix of the 'full' correlation (n + k − 1 outputs, kernel "
                "hanging over the borders). Valid correlation has n − k + 1 outputs: one per position where the "
                "kernel fits.", _full_matrix),
    )


def shape_in(rows: int, cols: int, convention: str) -> tuple[int, int]:
    """(rows, cols) of the row-convention matrix as the question's convention has it."""
    return (rows, cols) if convention == "row" else (cols, rows)


def _swapped_shape(p: dict[str, Any]) -> tuple[int, int]:
    n, m = len(p["signal"]), len(p["signal"]) - len(p["kernel"]) + 1
    return shape_in(n, m, p["convention"])[::-1]


def _full_shape(p: dict[str, Any]) -> tuple[int, int]:
    n, k = len(p["signal"]), len(p["kernel"])
    return shape_in(n, n + k - 1, p["convention"])


def _same_shape(p: dict[str, Any]) -> tuple[int, int]:
    return len(p["signal"]), len(p["signal"])


def _shape_mistakes(convention: str) -> tuple[Mistake, ...]:
    """The shape part's mistakes; which side is the input depends on the convention."""
    per_input, per_output = ("row", "column") if convention == "row" else ("column", "row")
    return (
        Mistake("swapped-shape", f"Rows and columns are swapped: the matrix needs one {per_input} per input and "
                f"one {per_output} per output.", _swapped_shape),
        Mistake("full-instead-of-valid", "That counts the 'full' correlation's n + k − 1 outputs; valid correlation "
                "has n − k + 1, one per position where the kernel fits inside the signal.", _full_shape),
        Mistake("same-size-output", "The output is not as long as the input: without padding, valid correlation "
                "has n − k + 1 outputs.", _same_shape),
    )


OUTPUT_MISTAKES = (
    Mistake("flipped-kernel", "You flipped the kernel: that is convolution in the signal-processing sense. "
            "In deep learning, ⋆ is cross-correlation: the kernel is used as it is.",
            lambda p: correlate1d(p["signal"], p["kernel"][::-1])),
    Mistake("full-instead-of-valid", "You computed the 'full' correlation (kernel hanging over the borders); "
            "valid correlation only uses positions where the kernel fits inside the signal.",
            lambda p: correlate1d(p["signal"], p["kernel"], padding=len(p["kernel"]) - 1)),
)


CORRELATION = Eq(Sym("y_i"), Sum("j", Op("*", Sym("x_{i+j}"), Sym("w_j"))))  # conv1d's, with the same letters
OUTPUT_POINTS = 2  # the same for every variant, whatever its output length


def as_vector(values: list, convention: str) -> np.ndarray:
    """A vector as the convention writes it: a row (1-D array) or a column (n×1)."""
    array = np.array(values, dtype=object if any(not isinstance(v, int) for v in values) else None)
    return array if convention == "row" else array.reshape(-1, 1)


def _product(convention: str) -> tuple[Sym, Op]:
    """The matrix symbol and y = x·T (row) or y = A·x (column)."""
    if convention == "row":
        return Sym("T"), Op("=", Sym("y"), Op("*", Sym("x"), Sym("T")))
    return Sym("A"), Op("=", Sym("y"), Op("*", Sym("A"), Sym("x")))


@template
class Toeplitz(Template):
    id = "toeplitz"
    version = 3  # 2: kernels with two or more non-zero taps; conv1d's index letters; y a column in that convention;
    # 3: the hints of T and y do not say their sizes (part shape asks them); unfair signals are redrawn
    topic = "convolution as matrix"
    minutes = {"shape": 0.5, "matrix": 2.5, "output": 2}
    summary = "write a 1-D valid cross-correlation as a matrix product y = x·T (Toeplitz matrix)"
    params = {
        "signal": IntList(doc="input signal x", min_len=2, max_len=12),
        "kernel": IntList(doc="kernel w (valid cross-correlation, no padding, stride 1)", min_len=1, max_len=7,
                          low=-99, high=99),
        "convention": CONVENTION,
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "kernel" not in p:
            longest = min(4, len(p["signal"])) if "signal" in p else 4
            p["kernel"] = draw_kernel(rng, int(rng.integers(min(2, longest), longest + 1)))
        if "signal" not in p:
            shortest = max(5, len(p["kernel"]) + 1)
            p["signal"] = prefer(lambda: rng.integers(0, 10, size=int(rng.integers(shortest, max(8, shortest) + 1)))
                                 .tolist(), lambda x: self._fair({**p, "signal": x}), lambda x: True, "a signal")
        return p

    @staticmethod
    def _fair(p: dict[str, Any]) -> bool:
        """No named mistake gives the output, and no trivial answer (the kernel copied …) scores."""
        return unfair(Vector, correlate1d(p["signal"], p["kernel"]), p, OUTPUT_MISTAKES) is None

    def validate(self, p: dict[str, Any]) -> None:
        check_fits(p["signal"], p["kernel"])

    def build(self, p: dict[str, Any]) -> Question:
        x, w, convention = p["signal"], p["kernel"], p["convention"]
        n, k = len(x), len(w)
        m = n - k + 1
        matrix = in_convention(toeplitz_matrix(w, n), convention)
        output = correlate1d(x, w)
        name, product = _product(convention)
        row = convention == "row"
        vector, size = ("row vectors", Op("×", 1, n)) if row else ("column vectors", Op("×", n, 1))
        statement = (
            prose("Let {x} be the input signal and {w} the kernel. Their valid cross-correlation {y} "
                  "(indices from 0; no padding, stride 1, kernel not flipped) is linear in {x0}.",
                  x=Eq(Sym("x"), as_vector(x, convention)), w=Eq(Sym("w"), np.array(w)), y=CORRELATION,
                  x0=Sym("x")),
            prose("Write it as the matrix product {product}, with {x} and {y} " + vector + " ({x} of size {size}).",
                  product=product, size=size, x=Sym("x"), y=Sym("y")),
        )
        parts = (
            Part("shape", prose("What is the shape (rows, columns) of {T}?", T=name),
                 expect(Tuple, shape_in(n, m, convention), p, _shape_mistakes(convention), names=SHAPE_NAMES),
                 points=1, solution=self._shape_solution(n, k, m, convention, name)),
            Part("matrix", prose("Write down {T}.", T=name),
                 expect(Matrix, matrix.tolist(), p, _matrix_mistakes(convention), hide_size=True),  # part shape
                 points=2, solution=self._matrix_solution(p, name)),
            Part("output", prose("Compute {y} by the matrix product.", y=product),
                 expect(Vector, output, p, OUTPUT_MISTAKES, hide_size=True), points=OUTPUT_POINTS,
                 solution=self._output_solution(x, w, output, convention),
                 shown=None if row else as_vector(output, convention)),
        )
        return self.question(p, title="Convolution as a matrix product", statement=statement, parts=parts)

    @staticmethod
    def _shape_solution(n: int, k: int, m: int, convention: str, name: Sym) -> tuple[Block, ...]:
        sides = "one row per input and one column per output" if convention == "row" else \
            "one row per output and one column per input"
        return (prose("{x} has {n} entries and the valid output has {m} entries, so {T} has " + sides + ": {shape}.",
                      x=Sym("x"), n=n, m=Eq(Op("+", Op("-", n, k), 1), m), T=name, shape=shape_in(n, m, convention)),)

    @staticmethod
    def _matrix_solution(p: dict[str, Any], name: Sym) -> tuple[Block, ...]:
        n, k = len(p["signal"]), len(p["kernel"])
        m = n - k + 1
        uses = prose("Output {y} uses the inputs {first} to {last}, input {r} weighted by {wr}.", y=Sym("y_i"),
                     first=Sym("x_i"), last=Sym("x_{i+k-1}"), r=Sym("x_r"), wr=Sym("w_{r-i}"))
        if p["convention"] == "row":
            rule = prose("So column {i} of {T} holds the kernel in rows {i} to {last} and zeros elsewhere, {rule} for "
                         "{range}: the first column starts at the top, each next column is the same kernel one row "
                         "lower.", rule=Eq(Sym("T_{r,i}"), Sym("w_{r-i}")), range=band_range("r-i", k), i=Sym("i"),
                         T=Sym("T"), last=Plus(Sym("i"), Sym("k"), -1))
        else:
            rule = prose("So row {i} of {A} holds the kernel in columns {i} to {last} and zeros elsewhere, {rule} for "
                         "{range}: each next row is the same kernel one column further right ({A} is the transpose of "
                         "the lecture's {T}).", rule=Eq(Sym("A_{i,r}"), Sym("w_{r-i}")), range=band_range("r-i", k),
                         i=Sym("i"), A=Sym("A"), T=Sym("T"), last=Plus(Sym("i"), Sym("k"), -1))
        return (
            uses,
            rule,
            prose("Only {k} of its {entries} entries are free weights: the kernel repeats along the band (shared "
                  "parameters), its non-zeros sit next to each other (local) and the rest is zero (sparse). A dense "
                  "layer from {n} inputs to {m} outputs would have {entries} free weights.",
                  k=k, entries=n * m, n=n, m=m),
            draw.matrix_band(in_convention(toeplitz_matrix(p["kernel"], n), p["convention"]).tolist()),
        )

    @staticmethod
    def _output_solution(x: list[int], w: list[int], output: list[int], convention: str) -> tuple[Block, ...]:
        band = "column {i} of {T}" if convention == "row" else "row {i} of {A}"
        steps: list[Block] = [prose("Entry {i} of {y} multiplies {x} with the kernel band of " + band + "; the zeros "
                                    "of the matrix contribute nothing:", i=Sym("i"), y=Sym("y"), x=Sym("x"),
                                    **({"T": Sym("T")} if convention == "row" else {"A": Sym("A")}))]
        for i, value in enumerate(output):
            terms = tuple((x[i + j], wj) for j, wj in enumerate(w))
            steps.append(prose("{step}", step=Eq(Sym(f"y_{i}"), Dot(terms), value)))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        p = question.params
        x, w = p["signal"], p["kernel"]
        n, k = len(x), len(w)
        expected = _toeplitz_by_formula(w, n)
        key = np.array(question.part("matrix").answer.value, dtype=object)
        row_key = key if p["convention"] == "row" else key.T
        assert row_key.shape == (n, n - k + 1), f"toeplitz matrix shape {key.shape} for n={n}, k={k}"
        assert (row_key == expected).all(), f"toeplitz matrix {key.tolist()} != T[r,i]=w[r-i] {expected.tolist()}"
        product = (np.array(x, dtype=object) @ row_key).tolist()
        assert product == correlate1d_numpy(x, w), f"x·T = {product} != numpy correlate {correlate1d_numpy(x, w)}"
        shape = question.part("shape").answer.value
        assert tuple(shape) == key.shape, f"toeplitz shape {shape} != matrix shape {key.shape}"
        output = list(question.part("output").answer.value)
        assert output == product, f"toeplitz output {output} != x·T {product}"


def band_range(difference: str, k: int) -> Op:
    """0 ≤ difference < k: where the kernel band lies."""
    return Op("≤", 0, Op("<", Sym(difference), k))


def _toeplitz_by_formula(kernel: list[int], length: int) -> np.ndarray:
    """T[r, i] = w[r − i] where 0 ≤ r − i < k: an entry-by-entry double loop (the verifier's method)."""
    cols = length - len(kernel) + 1
    return np.array([[kernel[r - i] if 0 <= r - i < len(kernel) else 0 for i in range(cols)]
                     for r in range(length)], dtype=object)
