"""The cost of a convolution against the same linear map as a dense matrix (book fig. 9.6: a 280 × 320
image, kernel [−1, 1]: a 280 × 319 output, 319 · 280 · 3 = 267,960 floating-point operations, against a
matrix of 320 · 280 · 319 · 280, over eight billion, entries, of which 2 · 319 · 280 = 178,640 are non-zero).

Floating-point operations are multiplications plus additions: an output that adds up q products costs
q multiplications and q − 1 additions (no bias).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Display, Eq, Op, Part, Plus, Question, Sym, prose
from exercises.params import Bool, Int, IntMatrix, ParamError
from exercises.registry import Template, template
from exercises.sitting import CALCULATOR_ALLOWED, LARGEST_HAND_FACTOR, needs_calculator
from grader.answers import Integer, Tuple

KERNEL_SHAPES = ((1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (3, 3))
HAND_PIXELS = (LARGEST_HAND_FACTOR + 1) // 2  # without a calculator: 2·pixels − 1 stays within four digits


def output_shape(p: dict[str, Any], height: int | None = None, width: int | None = None) -> tuple[int, int]:
    kh, kw = len(p["kernel"]), len(p["kernel"][0])
    return (p["height"] if height is None else height) - kh + 1, (p["width"] if width is None else width) - kw + 1


def taps(p: dict[str, Any]) -> int:
    return len(p["kernel"]) * len(p["kernel"][0])


def big_products(p: dict[str, Any]) -> bool:
    """Whether a count needs a factor of more than four digits: the outputs (in every count but the shape) or a
    row's operations of the dense product, 2·pixels − 1."""
    rows, cols = output_shape(p)
    return needs_calculator(rows * cols, 2 * p["height"] * p["width"] - 1)


def costs(p: dict[str, Any]) -> dict[str, Any]:
    """Every asked number by the closed formulas."""
    rows, cols = output_shape(p)
    outputs, inputs, q = rows * cols, p["height"] * p["width"], taps(p)
    return {"shape": (rows, cols), "conv_flops": outputs * (2 * q - 1), "dense_entries": inputs * outputs,
            "dense_flops": outputs * (2 * inputs - 1), "nonzeros": q * outputs}


# -- the independent count: operations counted while computing --------------------------------------


def counted_convolution(image: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, int]:
    """Valid cross-correlation computed tap by tap (a shifted copy of the image times the weight, added to
    the running sum), counting every multiplication and addition as it is done."""
    kh, kw = kernel.shape
    rows, cols = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out, operations = None, 0
    for (i, j), weight in np.ndenumerate(kernel):
        term = image[i:i + rows, j:j + cols] * weight
        operations += term.size
        out = term if out is None else out + term
        operations += term.size if out is not term else 0
    return out, operations  # type: ignore[return-value]


def dense_matrix(height: int, width: int, kernel: np.ndarray) -> np.ndarray:
    """The matrix M of y = M x (x the image flattened row by row): column c is the output of unit image c."""
    columns = [counted_convolution(np.eye(height * width, dtype=np.int64)[c].reshape(height, width), kernel)[0]
               .reshape(-1) for c in range(height * width)]
    return np.stack(columns, axis=1)


def counted_dot(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """The dot product a · b done as the straightforward algorithm does it, counting operations: every
    product, then the products added up (in pairs, which takes as many additions as one by one)."""
    values, operations = a * b, a.size
    while values.size > 1:
        half = values.size // 2
        values = np.concatenate([values[:half] + values[half:2 * half], values[2 * half:]])
        operations += half
    return int(values[0]), operations


def first_row(height: int, width: int, kernel: np.ndarray) -> np.ndarray:
    """Row 0 of M: output (0, 0) reads the kernel's pixels at the top-left corner of the image."""
    row = np.zeros((height, width), dtype=np.int64)
    row[: kernel.shape[0], : kernel.shape[1]] = kernel
    return row.reshape(-1)


# -- misconceptions --------------------------------------------------------------------------------------


def _full_shape(p: dict[str, Any]) -> tuple[int, int]:
    kh, kw = len(p["kernel"]), len(p["kernel"][0])
    return p["height"] + kh - 1, p["width"] + kw - 1


def _same_shape(p: dict[str, Any]) -> tuple[int, int]:
    return p["height"], p["width"]


def _shape_off_by_one(p: dict[str, Any]) -> tuple[int, int]:
    rows, cols = output_shape(p)
    return rows - 1, cols - 1


def _kernel_transposed(p: dict[str, Any]) -> tuple[int, int] | None:
    kh, kw = len(p["kernel"]), len(p["kernel"][0])
    return (p["height"] - kw + 1, p["width"] - kh + 1) if kh != kw else None


def _multiplications_only(p: dict[str, Any]) -> int:
    return costs(p)["nonzeros"]


def _additions_overcounted(p: dict[str, Any]) -> int:
    return 2 * costs(p)["nonzeros"]


def _input_pixels(p: dict[str, Any]) -> int:
    return p["height"] * p["width"] * (2 * taps(p) - 1)


def _square_matrix(p: dict[str, Any]) -> int:
    return (p["height"] * p["width"]) ** 2


def _row_blocks(p: dict[str, Any]) -> int | None:
    if len(p["kernel"]) != 1:
        return None
    return p["height"] * p["width"] * output_shape(p)[1]


def _entries_as_operations(p: dict[str, Any]) -> int:
    return costs(p)["dense_entries"]


def _square_product(p: dict[str, Any]) -> int:
    inputs = p["height"] * p["width"]
    return inputs * (2 * inputs - 1)


def _dense_additions_overcounted(p: dict[str, Any]) -> int:
    """m additions per row of M (as many as products) instead of m − 1."""
    rows, cols = output_shape(p)
    return rows * cols * 2 * p["height"] * p["width"]


def _distinct_weights(p: dict[str, Any]) -> int:
    return taps(p)


def _nonzeros_per_input(p: dict[str, Any]) -> int:
    return taps(p) * p["height"] * p["width"]


SHAPE_MISTAKES = (
    Mistake("full-instead-of-valid", "You counted positions where the kernel hangs over the border ('full'): here "
            "the kernel stays inside the image, so an axis of n pixels and a kernel k wide leave n − k + 1.",
            _full_shape),
    Mistake("no-shrink", "A valid convolution shrinks the image: an axis of n pixels and a kernel k wide leave "
            "n − k + 1 positions.", _same_shape),
    Mistake("off-by-one", "You are off by one: there are n − k + 1 positions for a kernel of size k.",
            _shape_off_by_one),
    Mistake("kernel-transposed", "You swapped the kernel's height and width: it has as many rows as it is tall.",
            _kernel_transposed),
)
CONV_MISTAKES = (
    Mistake("multiplications-only", "You counted the multiplications only: adding up q products takes q − 1 "
            "additions as well.", _multiplications_only),
    Mistake("additions-overcounted", "Adding up q products takes q − 1 additions, not q: the first product starts "
            "the sum.", _additions_overcounted),
    Mistake("input-pixels", "You counted per input pixel: the work is per output pixel, and there are fewer of "
            "them.", _input_pixels),
)
ENTRY_MISTAKES = (
    Mistake("square-matrix", "M maps the input to the smaller output: it has one row per output pixel and one "
            "column per input pixel, not a square shape.", _square_matrix),
    Mistake("nonzeros-only", "You counted the non-zero entries only: the matrix holds every (output, input) "
            "pair, zero or not.", _multiplications_only),
    Mistake("row-blocks", "You counted one block per image row: M maps the whole flattened image, so each of its "
            "rows has an entry for every input pixel.", _row_blocks),
)
DENSE_FLOP_MISTAKES = (
    Mistake("multiplications-only", "You counted the multiplications only: each output also adds its products "
            "up, one addition fewer than products.", _entries_as_operations),
    Mistake("square-matrix", "M has one row per output pixel, not per input pixel.", _square_product),
    Mistake("additions-overcounted", "A row adds up as many products as it has entries, and adding up q products "
            "takes q − 1 additions, not q: the first product starts the sum.", _dense_additions_overcounted),
)
NONZERO_MISTAKES = (
    Mistake("all-entries", "Most entries of M are zero: each output reads only the pixels under the kernel.",
            _entries_as_operations),
    Mistake("distinct-weights", "That is the number of distinct weights; every row of M holds all of them.",
            _distinct_weights),
    Mistake("per-input-pixel", "There is one row per output pixel (fewer than input pixels), each with one "
            "non-zero per kernel weight.", _nonzeros_per_input),
)


def _comparison(c: dict[str, Any], inputs: int, q: int) -> tuple[Block, ...]:
    """The worked comparison: per output, a whole row of M against the kernel's weights; the sparse product."""
    dense, conv = 2 * inputs - 1, 2 * q - 1
    quotients = Eq(Op("/", c["dense_flops"], c["conv_flops"]), Op("/", dense, conv))
    ratio, exact = round(Fraction(dense, conv)), dense % conv == 0
    return (
        prose("Both compute the same outputs. Per output, the dense product takes {dense} operations (a whole row of "
              "{M}), the convolution {conv} (one product per kernel weight):", M=Sym("M"),
              dense=Eq(Op("-", Op("×", 2, inputs), 1), dense), conv=Eq(Op("-", Op("×", 2, q), 1), conv)),
        Display(Eq(quotients, ratio) if exact else Op("≈", quotients, ratio)),
        prose("So the dense product takes " + ("" if exact else "about ") + "{ratio} times the operations of the "
              "convolution.", ratio=ratio),
        prose("Stored with its non-zero entries only, {M} keeps {q} numbers per row, and its product with {x} takes "
              "{total} operations, exactly as many as the convolution: the convolution is that sparse product, with "
              "the {q} weights stored once.", M=Sym("M"), x=Sym("x"), q=q,
              total=Eq(Op("×", c["shape"][0] * c["shape"][1], conv), c["conv_flops"])),
    )


@template
class ConvCost(Template):
    id = "conv-cost"
    version = 2  # 2: the calculator parameter (in the params); the sheet says when a calculator is allowed
    topic = "convolution as matrix"
    minutes = {"shape": 0.5, "conv_flops": 1, "dense_entries": 1, "dense_flops": 1.5, "nonzeros": 1}
    summary = "floating-point operations of a convolution against the entries and work of its dense matrix"
    params = {
        "height": Int(doc="image height in pixels", low=3, high=4000),
        "width": Int(doc="image width in pixels", low=3, high=4000),
        "kernel": IntMatrix(doc="the kernel, every entry non-zero (the book's edge detector: [[-1, 1]])",
                            min_size=1, max_size=5, low=-9, high=9),
        "calculator": Bool(doc=f"whether students may use a calculator (the sheet says so); false keeps the image "
                           f"within {HAND_PIXELS:,} pixels, so that no factor has more than four digits (the "
                           "bank's calculator: pins it)", default=True),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        if not p["calculator"]:  # small images: up to 60 × 60, so 2 · 3600 − 1 < 10,000
            p.setdefault("height", int(rng.integers(6, 61)))
            p.setdefault("width", int(rng.integers(6, 61)))
        p.setdefault("height", int(rng.integers(10, 49)) * 10)
        p.setdefault("width", int(rng.integers(10, 49)) * 10)
        if "kernel" not in p:
            kh, kw = KERNEL_SHAPES[int(rng.integers(len(KERNEL_SHAPES)))]
            p["kernel"] = (rng.choice([-2, -1, 1, 2], size=(kh, kw)) * 1).tolist()
        return p

    def validate(self, p: dict[str, Any]) -> None:
        kernel = p["kernel"]
        if len(kernel) * len(kernel[0]) < 2 or any(w == 0 for row in kernel for w in row):
            raise ParamError(f"kernel must have at least 2 entries, all non-zero, got {kernel}: the counts assume "
                             "every weight is multiplied")
        if len(kernel) >= p["height"] or len(kernel[0]) >= p["width"]:
            raise ParamError(f"the {len(kernel)}x{len(kernel[0])} kernel must be smaller than the "
                             f"{p['height']}x{p['width']} image")
        if not p["calculator"] and big_products(p):
            raise ParamError(f"without a calculator (calculator: false) the image may have at most {HAND_PIXELS:,} "
                             f"pixels, so that no factor has more than four digits; {p['height']}x{p['width']} has "
                             f"{p['height'] * p['width']:,}")

    def build(self, p: dict[str, Any]) -> Question:
        h, w, kernel = p["height"], p["width"], np.array(p["kernel"])
        kh, kw = kernel.shape
        q, c = taps(p), costs(p)
        rows, cols = c["shape"]
        outputs, inputs = rows * cols, h * w
        statement = (
            prose("An image of {hw} pixels ({dims}) is convolved with the kernel {k} (valid cross-correlation, "
                  "stride 1, no bias), as in the book's figure 9.6.", hw=Op("×", h, w),
                  dims=Op("×", "height", "width"), k=kernel),
            prose("Count floating-point operations as multiplications plus additions: an output that adds up {q} "
                  "products costs {q} multiplications and {q1} additions. The same linear map can be written as "
                  "a matrix product {y}, with the image flattened into the vector {x} and the output into {y0}.",
                  y=Eq(Sym("y"), Op("*", Sym("M"), Sym("x"))), q=Sym("q"), q1=Plus(Sym("q"), -1), x=Sym("x"),
                  y0=Sym("y")),
            *((prose(CALCULATOR_ALLOWED),) if big_products(p) else ()),
        )
        parts = (
            Part("shape", prose("What size is the output? Give (height, width)."),
                 expect(Tuple, c["shape"], p, SHAPE_MISTAKES, names=("height", "width")),
                 solution=(prose("The kernel fits at every position where it lies inside the image: {rows} rows "
                                 "and {cols} columns.",
                                 rows=Eq(Op("+", Op("-", h, kh), 1), rows),
                                 cols=Eq(Op("+", Op("-", w, kw), 1), cols)),)),
            Part("conv_flops", prose("How many floating-point operations does the convolution take?"),
                 expect(Integer, c["conv_flops"], p, CONV_MISTAKES),
                 solution=(prose("Each of the {n} outputs takes {q} multiplications and {a} "
                                 + ("addition" if q == 2 else "additions") + ": {total}.",
                                 n=Eq(Op("×", rows, cols), outputs), q=q, a=q - 1,
                                 total=Eq(Op("×", Op("×", rows, cols), 2 * q - 1), c["conv_flops"])),)),
            Part("dense_entries", prose("How many entries does the matrix {M} have?", M=Sym("M")),
                 expect(Integer, c["dense_entries"], p, ENTRY_MISTAKES),
                 solution=(prose("One row per output pixel and one column per input pixel: {total}.",
                                 total=Eq(Op("×", Op("×", Op("×", rows, cols), h), w), c["dense_entries"])),)),
            Part("dense_flops", prose("How many floating-point operations does the straightforward product of {M} "
                                      "with {x} take?", M=Sym("M"), x=Sym("x")),
                 expect(Integer, c["dense_flops"], p, DENSE_FLOP_MISTAKES),
                 solution=(prose("Each of the {n} rows multiplies its {m} entries with {x} and adds the products: "
                                 "{total}.", n=outputs, m=inputs, x=Sym("x"),
                                 total=Eq(Op("×", outputs, 2 * inputs - 1), c["dense_flops"])),)),
            Part("nonzeros", prose("If {M} is stored with its non-zero entries only, how many entries are stored?",
                                   M=Sym("M")),
                 expect(Integer, c["nonzeros"], p, NONZERO_MISTAKES),
                 solution=(prose("Each row holds the {q} kernel weights and zeros elsewhere: {total}. The "
                                 "convolution reuses those {q} numbers instead.", q=q,
                                 total=Eq(Op("×", q, outputs), c["nonzeros"])),)),
        )
        return self.question(p, title="Convolution against a dense matrix", statement=statement, parts=parts,
                             solution=_comparison(c, inputs, q))

    def verify(self, question: Question) -> None:
        p = question.params
        kernel = np.array(p["kernel"], dtype=np.int64)
        image = np.arange(p["height"] * p["width"], dtype=np.int64).reshape(p["height"], p["width"]) % 7
        out, operations = counted_convolution(image, kernel)
        nonzeros = int(counted_convolution(np.ones_like(image), (kernel != 0).astype(np.int64))[0].sum())
        crop = image[: len(kernel) + 3, : len(kernel[0]) + 4]
        small = dense_matrix(*crop.shape, kernel)
        assert np.array_equal(small @ crop.reshape(-1), counted_convolution(crop, kernel)[0].reshape(-1)), "Mx != conv"
        assert np.array_equal(small[0], first_row(*crop.shape, kernel)), "row 0 of M is not the kernel at the corner"
        value, per_row = counted_dot(first_row(p["height"], p["width"], kernel), image.reshape(-1))
        assert value == out[0, 0], f"row 0 of M times x gives {value}, the convolution {out[0, 0]}"
        expected = {"shape": out.shape, "conv_flops": operations, "dense_entries": image.size * out.size,
                    "dense_flops": per_row * out.size, "nonzeros": nonzeros}
        for part_id, want in expected.items():
            got = question.part(part_id).answer.value
            assert (tuple(got) if part_id == "shape" else got) == want, f"{part_id}: key {got}, counted {want}"
