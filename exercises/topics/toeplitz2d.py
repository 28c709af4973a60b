"""2-D convolution as a matrix product: the doubly block Toeplitz matrix of a valid cross-correlation
on images flattened row by row (row-major); the 1-D matrix and the conventions are in toeplitz.py.

Indices as in 1-D: output Y_{i,j}, kernel taps (a, b), image row r; T has one row per pixel and one
column per output (row convention), A = Tᵀ the other way round (column convention).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.by_content import by_content
from exercises.fairness import unfair
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Call, Display, Dot, Eq, Op, Part, Question, Sum, Sym, prose
from exercises.params import IntMatrix, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.topics.toeplitz import CONVENTION, SHAPE_NAMES, band_range, in_convention, shape_in, toeplitz_matrix
from grader.answers import Matrix, Tuple


def doubly_block_toeplitz(kernel: np.ndarray, height: int, width: int) -> np.ndarray:
    """Row-convention matrix of valid 2-D cross-correlation on row-major flattened images.

    Block (r, i) maps image row r to output row i; it is the 1-D matrix of kernel row a = r − i (T = Σ_a S_a ⊗ T_a,
    where S_a has ones where r − i = a): pixel (i + a, j + b) meets output (i, j) through K_(a,b), written tap by
    tap."""
    kh, kw = kernel.shape
    out_height, out_width = height - kh + 1, width - kw + 1
    total = np.zeros((height * width, out_height * out_width), dtype=np.int64)
    i, j = np.divmod(np.arange(out_height * out_width), out_width)  # each output's row and column
    for (a, b), weight in np.ndenumerate(kernel):
        total[(i + a) * width + j + b, i * out_width + j] = weight
    return total


def correlate2d(image: list[list[int]], kernel: list[list[int]]) -> list[list[int]]:
    """Valid 2-D cross-correlation by a plain sliding-window loop."""
    kh, kw = len(kernel), len(kernel[0])
    return [[sum(image[i + a][j + b] * kernel[a][b] for a in range(kh) for b in range(kw))
             for j in range(len(image[0]) - kw + 1)] for i in range(len(image) - kh + 1)]


def rotate180(kernel: list[list[int]]) -> list[list[int]]:
    """The kernel rotated by 180° (what true convolution uses)."""
    return [row[::-1] for row in kernel[::-1]]


MAX_ENTRIES = 48  # T has at most this many entries (a 12×4 matrix) for the matrix part's 3 points
KERNEL_SHAPES = ((2, 2), (1, 2), (2, 1), (1, 3), (3, 1), (2, 3), (3, 2))


def matrix_entries(height: int, width: int, kh: int, kw: int) -> int:
    """The number of entries of T: one row per pixel, one column per output."""
    return height * width * (height - kh + 1) * (width - kw + 1)


def drawn_sizes(kernel: tuple[int, int] | None = None) -> list[tuple[int, int, int, int]]:
    """(kh, kw, height, width) that the sampler draws from: images of 2 to 4 rows and columns, at least 3
    outputs and 18 to MAX_ENTRIES entries in T (only this kernel shape, if one is given)."""
    return [(kh, kw, h, w) for kh, kw in ([kernel] if kernel else KERNEL_SHAPES) for h in range(2, 5)
            for w in range(2, 5) if h >= kh and w >= kw and (h - kh + 1) * (w - kw + 1) >= 3
            and 18 <= matrix_entries(h, w, kh, kw) <= MAX_ENTRIES]


def _draw_kernel2d(rng: np.random.Generator, kh: int, kw: int) -> list[list[int]]:
    """A kh×kw kernel of -1..2 with at least two non-zero taps, not symmetric under a 180° rotation."""
    return redraw(lambda: rng.integers(-1, 3, size=(kh, kw)).tolist(),
                  lambda kernel: np.count_nonzero(kernel) >= 2 and kernel != rotate180(kernel),
                  f"a {kh}×{kw} kernel with two non-zero taps that changes when rotated", tries=1000)


def _matrix2d(p: dict[str, Any], kernel: list[list[int]] | None = None) -> np.ndarray:
    if kernel is None:
        return _key_matrix(p)
    image = p["image"]
    return doubly_block_toeplitz(np.array(kernel), len(image), len(image[0]))


@by_content(64)  # the sampler's checks, the mistakes and the build each start from the key's matrix
def _key_matrix(p: dict[str, Any]) -> np.ndarray:
    """The row-convention matrix of the parameters' kernel and image (read-only: it is shared)."""
    image = p["image"]
    matrix = doubly_block_toeplitz(np.array(p["kernel"]), len(image), len(image[0]))
    matrix.flags.writeable = False
    return matrix


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
    Mistake("flipped-kernel", "Your matrix uses the kernel rotated by 180° (flipped along both axes): that is "
            "true 2-D convolution. Deep learning's ⋆ is cross-correlation, so K is used as it is.",
            lambda p: in_convention(_matrix2d(p, rotate180(p["kernel"])), p["convention"]).tolist()),
    Mistake("column-major", "You flattened the images column by column. Here vec(X) lists X row by row "
            "(row-major): X_(0,0), X_(0,1), …, then the next row.", _column_major),
)


def _mistakes_tell_apart(p: dict[str, Any]) -> bool:
    """Whether the key and each matrix mistake differ from one another, so that each can be named (a square image
    with a kernel K whose transpose is K or K rotated by 180° hides column-major flattening)."""
    matrices = [in_convention(_matrix2d(p), p["convention"]).tolist(), *(m.compute(p) for m in MATRIX2D_MISTAKES)]
    return all(a != b for i, a in enumerate(matrices) for b in matrices[i + 1:])


def _fair(p: dict[str, Any]) -> bool:
    """No named mistake gives a key, and no trivial answer (the kernel copied into Y …) scores."""
    _, _, out_height, out_width = _image_shape(p)
    return unfair(Tuple, _shape2d(p, out_height, out_width), p, SHAPE2D_MISTAKES) is None and \
        unfair(Matrix, in_convention(_matrix2d(p), p["convention"]).tolist(), p, MATRIX2D_MISTAKES) is None and \
        unfair(Matrix, correlate2d(p["image"], p["kernel"]), p, OUTPUT2D_MISTAKES) is None


def _image_shape(p: dict[str, Any]) -> tuple[int, int, int, int]:
    """Image height and width, output height and width."""
    height, width = len(p["image"]), len(p["image"][0])
    return height, width, height - len(p["kernel"]) + 1, width - len(p["kernel"][0]) + 1


def _shape2d(p: dict[str, Any], out_height: int, out_width: int) -> tuple[int, int]:
    height, width = len(p["image"]), len(p["image"][0])
    return shape_in(height * width, out_height * out_width, p["convention"])


SHAPE2D_MISTAKES = (
    Mistake("swapped-shape", "Rows and columns are swapped: check which side of the product vec(X) is on.",
            lambda p: _shape2d(p, *_image_shape(p)[2:])[::-1]),
    Mistake("full-instead-of-valid", "That counts the outputs of the 'full' correlation; valid correlation has "
            "(H − kh + 1)(W − kw + 1) outputs, one per position where the kernel fits.",
            lambda p: _shape2d(p, len(p["image"]) + len(p["kernel"]) - 1,
                               len(p["image"][0]) + len(p["kernel"][0]) - 1)),
)

OUTPUT2D_MISTAKES = (
    Mistake("flipped-kernel", "You rotated the kernel by 180°: that is convolution in the signal-processing sense. "
            "In deep learning, ⋆ is cross-correlation: the kernel is used as it is.",
            lambda p: correlate2d(p["image"], rotate180(p["kernel"]))),
)


@template
class Toeplitz2d(Template):
    id = "toeplitz2d"
    version = 3  # 2: kernels of several shapes, T of at most 48 entries, flattening order always tested; 3: the
    # hints of T and Y do not say their sizes (part shape asks them); unfair variants are redrawn
    topic = "convolution as matrix"
    minutes = {"shape": 0.5, "matrix": 4, "output": 2}
    summary = "write a 2-D valid cross-correlation as a matrix product on the flattened image (doubly block Toeplitz)"
    params = {
        "image": IntMatrix(doc="input image X", min_size=2, max_size=6),
        "kernel": IntMatrix(doc="kernel K (valid cross-correlation, no padding, stride 1)", min_size=1, max_size=3,
                            low=-99, high=99),
        "convention": CONVENTION,
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if "kernel" in p:
            kh, kw = np.shape(p["kernel"])
        elif "image" in p:
            height, width = np.shape(p["image"])
            shapes = [(kh, kw) for kh, kw in KERNEL_SHAPES if kh <= height and kw <= width
                      and (height - kh + 1) * (width - kw + 1) >= 2] or [(1, 1)]
            kh, kw = shapes[int(rng.integers(len(shapes)))]
        else:  # 2×2 as often as the other shapes together
            kh, kw = KERNEL_SHAPES[0] if rng.random() < 0.5 else KERNEL_SHAPES[int(rng.integers(1, len(KERNEL_SHAPES)))]
        sizes = [(h, w) for _, _, h, w in drawn_sizes((kh, kw))] or [(kh + 1, kw + 1)]
        if "image" in p and "kernel" in p:
            return p

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "image" not in q:
                height, width = sizes[int(rng.integers(len(sizes)))]
                q["image"] = rng.integers(0, 6, size=(height, width)).tolist()
            if "kernel" not in q:
                q["kernel"] = _draw_kernel2d(rng, kh, kw)
            return q

        return prefer(draw, lambda q: _mistakes_tell_apart(q) and _fair(q), lambda q: True, "an image and a kernel")

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
            prose("Let {X} be the image ({H} rows, {W} columns) and {K} the kernel. Their valid 2-D "
                  "cross-correlation is {Y} "
                  "(no padding, stride 1; the kernel is used as it is, not rotated by 180°).",
                  X=Eq(Sym("X"), np.array(p["image"])), K=Eq(Sym("K"), np.array(p["kernel"])),
                  H=Eq(Sym("H"), height), W=Eq(Sym("W"), width),
                  Y=Eq(Sym("Y_{i,j}"), Sum("a,b", Op("*", Sym("X_{i+a,j+b}"), Sym("K_{a,b}"))))),
            prose("Flatten {X0} row by row (row-major) into the " + kind + " vector {vx} of length {hw}, and {Y0} "
                  "likewise into {vy}. Write the correlation as the matrix product {product}.", X0=Sym("X"),
                  Y0=Sym("Y"), vx=vec_x, hw=Eq(Op("*", Sym("H"), Sym("W")), height * width), vy=vec_y,
                  product=product),
        )
        shape = _shape2d(p, out_height, out_width)
        parts = (
            Part("shape", prose("What is the shape (rows, columns) of {T}?", T=name),
                 expect(Tuple, shape, p, SHAPE2D_MISTAKES, names=SHAPE_NAMES), points=1,
                 solution=(prose("{vx} has {n} entries and {Y} is {size}, so {vy} has {m}: {T} is {shape}.",
                                 vx=vec_x, Y=Sym("Y"), vy=vec_y, n=height * width,
                                 size=Op("×", out_height, out_width), m=out_height * out_width, T=name,
                                 shape=shape),)),
            Part("matrix", prose("Write down {T}.", T=name),
                 expect(Matrix, matrix.tolist(), p, MATRIX2D_MISTAKES, hide_size=True),  # its size: part shape
                 points=3, solution=self._matrix_solution(p, name)),
            Part("output", prose("Compute the output {Y} as a matrix.", Y=Sym("Y")),
                 expect(Matrix, output, p, OUTPUT2D_MISTAKES, hide_size=True), points=2,
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
            prose("Cut {T} into blocks, one per (image row, output row) pair. Image row {r} only feeds output row {i} "
                  "through kernel row {a}, so the block is the 1-D Toeplitz matrix {block} of kernel row {a0} (in "
                  "the same convention) when {range}, and zero otherwise:", T=name, r=Sym("r"), i=Sym("i"),
                  a=Eq(Sym("a"), Op("-", Sym("r"), Sym("i"))), a0=Sym("a"), block=Sym(f"{letter}_a"),
                  range=band_range("r-i", kh)),
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
        match = "{vx} times the matching column of {T}" if convention == "row" else \
            "the matching row of {T} times {vx}"
        steps: list[Block] = [prose("Entry {ij} of {Y} is the kernel laid on the image at {ij}, multiplied entry "
                                    "by entry and summed (the same as " + match + "):", ij=(Sym("i"), Sym("j")),
                                    Y=Sym("Y"), vx=Call("vec", Sym("X")),
                                    T=Sym("T" if convention == "row" else "A"))]
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
        output = [list(row) for row in question.part("output").answer.value]
        assert output == windows, f"toeplitz2d output {output} != sliding windows {windows}"
        key = np.array(question.part("matrix").answer.value, dtype=object)
        row_key = key if p["convention"] == "row" else key.T
        assert row_key.shape == (height * width, out_height * out_width), f"toeplitz2d matrix shape {key.shape}"
        shape = question.part("shape").answer.value
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
