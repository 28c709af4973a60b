"""Convolution as a matrix product: the (doubly block) Toeplitz matrix of a valid cross-correlation.

Row convention (the lecture's): y = x·T with x a row vector, so T has one row per input and one
column per output, and column j holds the kernel shifted down j rows. Column convention:
y = A·x with A = Tᵀ. In 2-D the image is flattened row by row (row-major).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Call, Display, Dot, Eq, Op, Part, Question, Sum, Sym, prose
from exercises.params import IntList, IntMatrix, OneOf, ParamError
from exercises.registry import Template, template
from exercises.topics.convolution import correlate1d, correlate1d_numpy, draw_kernel
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
BAND_FEEDBACK = ("The kernel band is shifted {} by one: output y_j starts at input x_j, so the first weight w_0 "
                 "belongs on the main diagonal, at entry (j, j).")


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


def _shape(rows: int, cols: int, convention: str) -> tuple[int, int]:
    return (rows, cols) if convention == "row" else (cols, rows)


def _swapped_shape(p: dict[str, Any]) -> tuple[int, int]:
    n, m = len(p["signal"]), len(p["signal"]) - len(p["kernel"]) + 1
    return _shape(n, m, p["convention"])[::-1]


def _full_shape(p: dict[str, Any]) -> tuple[int, int]:
    n, k = len(p["signal"]), len(p["kernel"])
    return _shape(n, n + k - 1, p["convention"])


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


def _product(convention: str) -> tuple[Sym, Op]:
    """The matrix symbol and y = x·T (row) or y = A·x (column)."""
    if convention == "row":
        return Sym("T"), Op("=", Sym("y"), Op("*", Sym("x"), Sym("T")))
    return Sym("A"), Op("=", Sym("y"), Op("*", Sym("A"), Sym("x")))


@template
class Toeplitz(Template):
    id = "toeplitz"
    version = 1
    topic = "convolution as matrix"
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
            p["signal"] = rng.integers(0, 10, size=int(rng.integers(shortest, max(8, shortest) + 1))).tolist()
        return p

    def validate(self, p: dict[str, Any]) -> None:
        n, k = len(p["signal"]), len(p["kernel"])
        if k > n:
            raise ParamError(f"the kernel has {k} entries but the signal only {n}: no valid output; "
                             "use a shorter kernel or a longer signal")

    def build(self, p: dict[str, Any]) -> Question:
        x, w, convention = p["signal"], p["kernel"], p["convention"]
        n, k = len(x), len(w)
        m = n - k + 1
        matrix = in_convention(toeplitz_matrix(w, n), convention)
        output = correlate1d(x, w)
        name, product = _product(convention)
        vector, size = ("a row vector", Op("×", 1, n)) if convention == "row" else ("a column vector", Op("×", n, 1))
        statement = (
            prose("Let {x} be the input signal and {w} the kernel. Their valid cross-correlation {y} "
                  "(no padding, stride 1, kernel not flipped) is linear in x.",
                  x=np.array(x), w=np.array(w), y=Eq(Sym("y_j"), Sum("i", Op("*", Sym("x_{j+i}"), Sym("w_i"))))),
            prose("Write it as the matrix product {product}, with x " + vector + " of size {size}.", product=product,
                  size=size),
        )
        parts = (
            Part("shape", prose("What is the shape (rows, columns) of {T}?", T=name),
                 expect(Tuple, _shape(n, m, convention), p, _shape_mistakes(convention), names=SHAPE_NAMES),
                 points=1, solution=self._shape_solution(n, k, m, convention, name)),
            Part("matrix", prose("Write down {T}.", T=name),
                 expect(Matrix, matrix.tolist(), p, _matrix_mistakes(convention)),
                 points=2, solution=self._matrix_solution(p, name)),
            Part("output", prose("Compute {y} by the matrix product.", y=product),
                 expect(Vector, output, p, OUTPUT_MISTAKES),
                 points=m // 2 + 1, solution=self._output_solution(x, w, output, convention)),
        )
        return self.question(p, title="Convolution as a matrix product", statement=statement, parts=parts)

    @staticmethod
    def _shape_solution(n: int, k: int, m: int, convention: str, name: Sym) -> tuple[Block, ...]:
        sides = "one row per input and one column per output" if convention == "row" else \
            "one row per output and one column per input"
        return (prose("x has {n} entries and the valid output has {m} entries, so {T} has " + sides + ": {shape}.",
                      n=n, m=Eq(Op("+", Op("-", n, k), 1), m), T=name, shape=_shape(n, m, convention)),)

    @staticmethod
    def _matrix_solution(p: dict[str, Any], name: Sym) -> tuple[Block, ...]:
        n, k = len(p["signal"]), len(p["kernel"])
        m = n - k + 1
        if p["convention"] == "row":
            rule = prose("Output {y} (indices from 0) uses the inputs {first} to {last}, weighted by the kernel. So "
                         "column j of T holds the kernel in rows j to j+k-1 and zeros elsewhere, {rule} for {range}: "
                         "the first column starts at the top, each next column is the same kernel one row lower.",
                         y=Sym("y_j"), first=Sym("x_j"), last=Sym("x_{j+k-1}"),
                         rule=Eq(Sym("T_{i,j}"), Sym("w_{i-j}")), range=_band_range("i-j", k))
        else:
            rule = prose("Output {y} (indices from 0) uses the inputs {first} to {last}, weighted by the kernel. So "
                         "row i of A holds the kernel in columns i to i+k-1 and zeros elsewhere, {rule} for {range}: "
                         "each next row is the same kernel one column further right (A is the transpose of the "
                         "lecture's T).", y=Sym("y_i"), first=Sym("x_i"), last=Sym("x_{i+k-1}"),
                         rule=Eq(Sym("A_{i,j}"), Sym("w_{j-i}")), range=_band_range("j-i", k))
        return (
            rule,
            prose("Only {k} of its {entries} entries are free weights: the kernel repeats along the band (shared "
                  "parameters), its non-zeros sit next to each other (local) and the rest is zero (sparse). A dense "
                  "layer from {n} inputs to {m} outputs would have {entries} free weights.",
                  k=k, entries=n * m, n=n, m=m),
            draw.matrix_band(in_convention(toeplitz_matrix(p["kernel"], n), p["convention"]).tolist()),
        )

    @staticmethod
    def _output_solution(x: list[int], w: list[int], output: list[int], convention: str) -> tuple[Block, ...]:
        band = "column j of T" if convention == "row" else "row j of A"
        steps: list[Block] = [prose("Entry j of y multiplies x with the kernel band of " + band + "; the zeros of "
                                    "the matrix contribute nothing:")]
        for j, value in enumerate(output):
            terms = tuple((x[j + i], wi) for i, wi in enumerate(w))
            steps.append(prose("{step}", step=Eq(Sym(f"y_{j}"), Dot(terms), value)))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        p = question.params
        x, w = p["signal"], p["kernel"]
        n, k = len(x), len(w)
        expected = _toeplitz_by_formula(w, n)
        key = np.array(question.part("matrix").answer.value, dtype=object)  # type: ignore[attr-defined]
        row_key = key if p["convention"] == "row" else key.T
        assert row_key.shape == (n, n - k + 1), f"toeplitz matrix shape {key.shape} for n={n}, k={k}"
        assert (row_key == expected).all(), f"toeplitz matrix {key.tolist()} != T[i,j]=w[i-j] {expected.tolist()}"
        product = (np.array(x, dtype=object) @ row_key).tolist()
        assert product == correlate1d_numpy(x, w), f"x·T = {product} != numpy correlate {correlate1d_numpy(x, w)}"
        shape = question.part("shape").answer.value  # type: ignore[attr-defined]
        assert tuple(shape) == key.shape, f"toeplitz shape {shape} != matrix shape {key.shape}"
        output = list(question.part("output").answer.value)  # type: ignore[attr-defined]
        assert output == product, f"toeplitz output {output} != x·T {product}"


def _band_range(difference: str, k: int) -> Op:
    return Op("≤", 0, Op("<", Sym(difference), k))


def _toeplitz_by_formula(kernel: list[int], length: int) -> np.ndarray:
    """T[i, j] = w[i − j] where 0 ≤ i − j < k: an entry-by-entry double loop (the verifier's method)."""
    cols = length - len(kernel) + 1
    return np.array([[kernel[i - j] if 0 <= i - j < len(kernel) else 0 for j in range(cols)]
                     for i in range(length)], dtype=object)


# -- 2-D ------------------------------------------------------------------------------------
def doubly_block_toeplitz(kernel: np.ndarray, height: int, width: int) -> np.ndarray:
    """Row-convention matrix of valid 2-D cross-correlation on row-major flattened images.

    Block (r, i) maps image row r to output row i; it is the 1-D matrix of kernel row a = r − i:
    T = Σ_a S_a ⊗ T_a, where S_a has ones where r − i = a."""
    kh, kw = kernel.shape
    total = np.zeros((height * width, (height - kh + 1) * (width - kw + 1)), dtype=np.int64)
    for a in range(kh):
        selector = toeplitz_matrix([int(a == t) for t in range(kh)], height)
        total += np.kron(selector, toeplitz_matrix(kernel[a].tolist(), width))
    return total


def correlate2d(image: list[list[int]], kernel: list[list[int]]) -> list[list[int]]:
    """Valid 2-D cross-correlation by a plain sliding-window loop."""
    kh, kw = len(kernel), len(kernel[0])
    return [[sum(image[i + a][j + b] * kernel[a][b] for a in range(kh) for b in range(kw))
             for j in range(len(image[0]) - kw + 1)] for i in range(len(image) - kh + 1)]


def rotate180(kernel: list[list[int]]) -> list[list[int]]:
    """The kernel turned by 180° (what true convolution uses)."""
    return [row[::-1] for row in kernel[::-1]]


def _draw_kernel2d(rng: np.random.Generator) -> list[list[int]]:
    """A 2×2 kernel of -1..2, not all zero and not symmetric under a 180° turn."""
    while True:
        kernel = rng.integers(-1, 3, size=(2, 2)).tolist()
        if any(any(row) for row in kernel) and kernel != rotate180(kernel):
            return kernel


def _matrix2d(p: dict[str, Any], kernel: list[list[int]] | None = None) -> np.ndarray:
    image = p["image"]
    return doubly_block_toeplitz(np.array(p["kernel"] if kernel is None else kernel), len(image), len(image[0]))


def _column_major(p: dict[str, Any]) -> list:
    # Flattening by columns is row-major flattening of the transposed image and kernel.
    image, kernel = np.array(p["image"]), np.array(p["kernel"])
    matrix = doubly_block_toeplitz(kernel.T, image.shape[1], image.shape[0])
    return in_convention(matrix, p["convention"]).tolist()


MATRIX2D_MISTAKES = (
    Mistake("transpose", "You wrote the transpose, the matrix of the other convention. With vec(Y) = vec(X)·T, T has "
            "one row per pixel of X and one column per output; with vec(Y) = A·vec(X), A = Tᵀ has one row per "
            "output.",
            lambda p: in_convention(_matrix2d(p), p["convention"]).T.tolist()),
    Mistake("flipped-kernel", "Your matrix uses the kernel turned by 180°: that is true 2-D convolution. Deep "
            "learning's ⋆ is cross-correlation, so K is used as it is.",
            lambda p: in_convention(_matrix2d(p, rotate180(p["kernel"])), p["convention"]).tolist()),
    Mistake("column-major", "You flattened the images column by column. Here vec(X) lists X row by row "
            "(row-major): X_00, X_01, …, then the next row.", _column_major),
)


def _image_shape(p: dict[str, Any]) -> tuple[int, int, int, int]:
    """Image height and width, output height and width."""
    height, width = len(p["image"]), len(p["image"][0])
    return height, width, height - len(p["kernel"]) + 1, width - len(p["kernel"][0]) + 1


def _shape2d(p: dict[str, Any], out_height: int, out_width: int) -> tuple[int, int]:
    height, width = len(p["image"]), len(p["image"][0])
    return _shape(height * width, out_height * out_width, p["convention"])


SHAPE2D_MISTAKES = (
    Mistake("swapped-shape", "Rows and columns are swapped: check which side of the product vec(X) is on.",
            lambda p: _shape2d(p, *_image_shape(p)[2:])[::-1]),
    Mistake("full-instead-of-valid", "That counts the outputs of the 'full' correlation; valid correlation has "
            "(H − kh + 1)(W − kw + 1) outputs, one per position where the kernel fits.",
            lambda p: _shape2d(p, len(p["image"]) + len(p["kernel"]) - 1,
                               len(p["image"][0]) + len(p["kernel"][0]) - 1)),
)

OUTPUT2D_MISTAKES = (
    Mistake("flipped-kernel", "You turned the kernel by 180°: that is convolution in the signal-processing sense. "
            "In deep learning, ⋆ is cross-correlation: the kernel is used as it is.",
            lambda p: correlate2d(p["image"], rotate180(p["kernel"]))),
)


@template
class Toeplitz2d(Template):
    id = "toeplitz2d"
    version = 1
    topic = "convolution as matrix"
    summary = "write a 2-D valid cross-correlation as a matrix product on the flattened image (doubly block Toeplitz)"
    params = {
        "image": IntMatrix(doc="input image X", min_size=2, max_size=6),
        "kernel": IntMatrix(doc="kernel K (valid cross-correlation, no padding, stride 1)", min_size=1, max_size=3,
                            low=-99, high=99),
        "convention": CONVENTION,
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "kernel" not in p:
            p["kernel"] = _draw_kernel2d(rng)
        if "image" not in p:
            kh, kw = len(p["kernel"]), len(p["kernel"][0])
            shapes = [(h, w) for h, w in ((3, 3), (3, 4), (4, 4)) if h > kh and w > kw]
            height, width = shapes[int(rng.integers(len(shapes)))]
            p["image"] = rng.integers(0, 6, size=(height, width)).tolist()
        return p

    def validate(self, p: dict[str, Any]) -> None:
        (height, width), (kh, kw) = np.shape(p["image"]), np.shape(p["kernel"])
        if kh > height or kw > width:
            raise ParamError(f"the kernel is {kh}×{kw} but the image only {height}×{width}: no valid output; "
                             "the kernel must fit inside the image")

    def build(self, p: dict[str, Any]) -> Question:
        height, width, out_height, out_width = _image_shape(p)
        matrix = in_convention(_matrix2d(p), p["convention"])
        output = correlate2d(p["image"], p["kernel"])
        name = Sym("T") if p["convention"] == "row" else Sym("A")
        vec_x, vec_y = Call("vec", Sym("X")), Call("vec", Sym("Y"))
        product = Op("=", vec_y, Op("*", vec_x, name) if p["convention"] == "row" else Op("*", name, vec_x))
        kind = "row" if p["convention"] == "row" else "column"
        statement = (
            prose("Let {X} be the image and {K} the kernel. Their valid 2-D cross-correlation is {Y} "
                  "(no padding, stride 1, kernel not turned).", X=np.array(p["image"]), K=np.array(p["kernel"]),
                  Y=Eq(Sym("Y_{i,j}"), Sum("a,b", Op("*", Sym("X_{i+a,j+b}"), Sym("K_{a,b}"))))),
            prose("Flatten X row by row (row-major) into the " + kind + " vector {vx} of length {hw}, and Y likewise "
                  "into {vy}. Write the correlation as the matrix product {product}.",
                  vx=vec_x, hw=Eq(Op("*", Sym("H"), Sym("W")), height * width), vy=vec_y, product=product),
        )
        shape = _shape2d(p, out_height, out_width)
        parts = (
            Part("shape", prose("What is the shape (rows, columns) of {T}?", T=name),
                 expect(Tuple, shape, p, SHAPE2D_MISTAKES, names=SHAPE_NAMES), points=1,
                 solution=(prose("vec(X) has {n} entries and Y is {size}, so vec(Y) has {m}: {T} is {shape}.",
                                 n=height * width, size=Op("×", out_height, out_width), m=out_height * out_width,
                                 T=name, shape=shape),)),
            Part("matrix", prose("Write down {T}.", T=name), expect(Matrix, matrix.tolist(), p, MATRIX2D_MISTAKES),
                 points=3, solution=self._matrix_solution(p, name)),
            Part("output", prose("Compute the output {Y} as a matrix.", Y=Sym("Y")),
                 expect(Matrix, output, p, OUTPUT2D_MISTAKES), points=2,
                 solution=self._output_solution(p["image"], p["kernel"], output, p["convention"])),
        )
        return self.question(p, title="2-D convolution as a matrix product", statement=statement, parts=parts)

    @staticmethod
    def _matrix_solution(p: dict[str, Any], name: Sym) -> tuple[Block, ...]:
        height, width, out_height, _ = _image_shape(p)
        kh = len(p["kernel"])
        row = p["convention"] == "row"
        letter = name.name
        blocks = [toeplitz_matrix(kernel_row, width) for kernel_row in p["kernel"]]
        layout = np.array([[Sym(f"{letter}_{r - i}") if 0 <= r - i < kh else 0 for i in range(out_height)]
                           for r in range(height)], dtype=object)
        steps: list[Block] = [
            prose("Cut " + letter + " into blocks, one per (image row, output row) pair. Image row r only feeds "
                  "output row i through kernel row a = r - i, so the block is the 1-D Toeplitz matrix "
                  "{block} of kernel row a (in the same convention) when {range}, and zero otherwise:",
                  block=Sym(f"{letter}_a"), range=_band_range("r-i", kh)),
            Display(Eq(name, layout if row else layout.T)),
        ]
        steps.extend(Display(Eq(Sym(f"{letter}_{a}"), in_convention(block, p["convention"])))
                     for a, block in enumerate(blocks))
        steps.append(prose("Each block is Toeplitz and the blocks repeat along block diagonals: {T} is doubly block "
                           "Toeplitz. Filling in the blocks gives the answer above.", T=name))
        return tuple(steps)

    @staticmethod
    def _output_solution(image: list[list[int]], kernel: list[list[int]], output: list[list[int]],
                         convention: str) -> tuple[Block, ...]:
        kh, kw = len(kernel), len(kernel[0])
        match = "vec(X) times the matching column of T" if convention == "row" else "the matching row of A times vec(X)"
        steps: list[Block] = [prose("Entry (i, j) of Y is the kernel laid on the image at (i, j), multiplied entry "
                                    "by entry and summed (the same as " + match + "):")]
        for i, row in enumerate(output):
            for j, value in enumerate(row):
                terms = tuple((image[i + a][j + b], kernel[a][b]) for a in range(kh) for b in range(kw))
                steps.append(prose("{step}", step=Eq(Sym(f"Y_{{{i},{j}}}"), Dot(terms), value)))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        p = question.params
        image, kernel = p["image"], p["kernel"]
        height, width, out_height, out_width = _image_shape(p)
        windows = _correlate2d_by_windows(image, kernel)
        output = [list(row) for row in question.part("output").answer.value]  # type: ignore[attr-defined]
        assert output == windows, f"toeplitz2d output {output} != sliding windows {windows}"
        key = np.array(question.part("matrix").answer.value, dtype=object)  # type: ignore[attr-defined]
        row_key = key if p["convention"] == "row" else key.T
        assert row_key.shape == (height * width, out_height * out_width), f"toeplitz2d matrix shape {key.shape}"
        shape = question.part("shape").answer.value  # type: ignore[attr-defined]
        assert tuple(shape) == key.shape, f"toeplitz2d shape {shape} != matrix shape {key.shape}"
        flat_image = np.array([v for row in image for v in row], dtype=object)
        product = (flat_image @ row_key).tolist()
        assert product == [v for row in windows for v in row], f"vec(X)·T = {product} != vec(Y) {windows}"
        _assert_block_toeplitz(row_key, kernel, width, out_width)


def _correlate2d_by_windows(image: list[list[int]], kernel: list[list[int]]) -> list[list[int]]:
    """Valid 2-D cross-correlation by numpy: every kh×kw window times the kernel, summed."""
    windows = np.lib.stride_tricks.sliding_window_view(np.array(image, dtype=np.int64), np.shape(kernel))
    return np.einsum("ijab,ab->ij", windows, np.array(kernel, dtype=np.int64)).tolist()


def _assert_block_toeplitz(matrix: np.ndarray, kernel: list[list[int]], width: int, out_width: int) -> None:
    """Block (r, i) is the Toeplitz matrix of kernel row r − i (zero outside the band), entry by entry."""
    kh, kw = len(kernel), len(kernel[0])
    for r in range(matrix.shape[0] // width):
        for i in range(matrix.shape[1] // out_width):
            block = matrix[r * width:(r + 1) * width, i * out_width:(i + 1) * out_width]
            for c in range(width):
                for j in range(out_width):
                    a, b = r - i, c - j
                    want = kernel[a][b] if 0 <= a < kh and 0 <= b < kw else 0
                    assert block[c, j] == want, f"block ({r},{i}) entry ({c},{j}) is {block[c, j]}, expected {want}"
