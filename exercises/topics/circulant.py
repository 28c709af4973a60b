"""Circular convolution and circulant matrices (Goodfellow et al., section 9.1: convolution as a Toeplitz
matrix, in two dimensions a doubly block circulant one), contrasted with valid correlation on the same data.

Circular cross-correlation treats the input as periodic: y_j = Σ_a x_((j+a) mod n) w_a, one output per input.
Row convention (the lecture's): y = x·C, so C is n × n and column j holds the kernel from row j down, wrapping
round to the top; the Toeplitz matrix T of the valid correlation is C's first n − k + 1 columns, the ones
whose band does not wrap. In 2-D the image is flattened row by row and C is doubly block circulant.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np

from exercises.by_content import by_content
from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Call, Display, Dot, Eq, Neg, Op, Part, Plus, Question, Sum, Sym, prose
from exercises.params import IntArray, IntList, IntMatrix, ParamError
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.convolution import draw_taps
from exercises.topics.inputs import DIMS, check_input, data_of, pick_dims
from exercises.topics.toeplitz import CONVENTION, in_convention, toeplitz_matrix
from exercises.topics.toeplitz2d import doubly_block_toeplitz
from grader.answers import Matrix, Vector


# -- matrices and the circular correlation, by index arithmetic ------------------------------------
def band_matrix(kernel: list[int], n: int, wrap: bool = True) -> np.ndarray:
    """Row-convention n × n matrix: entry (i, j) is w[(i − j) mod n] where that index is below k. Without `wrap`,
    the entries whose band wraps round to the top are zero (a correlation with zeros past the end)."""
    k = len(kernel)
    matrix = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(n):
            a = (i - j) % n
            if a < k and (wrap or i >= j):
                matrix[i, j] = kernel[a]
    return matrix


def circulant(kernel: Any, shape: tuple[int, ...], wrap: bool = True) -> np.ndarray:
    """The row-convention matrix of circular correlation for a signal (1-D) or a row-major image (2-D, doubly
    block circulant: block (r, i) is the 1-D circulant of kernel row (r − i) mod H)."""
    kernel = np.asarray(kernel)
    if kernel.ndim == 1:
        return band_matrix(kernel.tolist(), shape[0], wrap)
    (height, width), kh = shape, kernel.shape[0]
    total = np.zeros((height * width, height * width), dtype=np.int64)
    for a in range(kh):
        selector = band_matrix([int(a == t) for t in range(kh)], height, wrap)
        total += np.kron(selector, band_matrix(kernel[a].tolist(), width, wrap))
    return total


def circular_correlate(data: Any, kernel: Any, wrap: bool = True) -> list:
    """y_j = Σ_a x_((j+a) mod n) w_a by a plain loop over outputs and kernel taps (1-D or 2-D); without `wrap`,
    the values past the end are zeros."""
    return _tap_sums(data, kernel, 1, wrap)


def circular_convolve(data: Any, kernel: Any) -> list:
    """True circular convolution, y_j = Σ_a x_((j−a) mod n) w_a (the kernel flipped and wrapped): the mistake of
    reading ⋆ as convolution."""
    return _tap_sums(data, kernel, -1, True)


def _tap_sums(data: Any, kernel: Any, direction: int, wrap: bool) -> list:
    """y_j = Σ_a x_((j + direction·a) mod n) w_a over outputs and kernel taps, in Python integers (a tap past the
    end adds nothing without `wrap`), as nested lists of the data's shape."""
    data, kernel = np.asarray(data), np.asarray(kernel)
    shape, values = data.shape, data.reshape(-1).tolist()
    taps = list(zip(product(*map(range, kernel.shape)), kernel.reshape(-1).tolist(), strict=True))
    out = []
    for j in product(*map(range, shape)):
        total = 0
        for a, weight in taps:
            index = [x + direction * y for x, y in zip(j, a, strict=True)]
            if wrap or all(i < n for i, n in zip(index, shape, strict=True)):
                flat = 0
                for i, n in zip(index, shape, strict=True):
                    flat = flat * n + i % n
                total += values[flat] * weight
        out.append(total)
    return np.array(out, dtype=np.int64).reshape(shape).tolist()


def straight_outputs(shape: tuple[int, ...], kshape: tuple[int, ...], last: bool = False) -> list[int]:
    """Flat indices (row-major) of the outputs whose window does not wrap: the first n − k + 1 along each axis
    (or, for a misconception, the last n − k + 1)."""
    ranges = [range(k - 1, n) if last else range(n - k + 1) for n, k in zip(shape, kshape, strict=True)]
    return [int(np.ravel_multi_index(index, shape)) for index in product(*ranges)]


# -- misconceptions -------------------------------------------------------------------------------
def _shape(p: dict[str, Any]) -> tuple[int, ...]:
    return tuple(np.shape(data_of(p)))


def _matrix(p: dict[str, Any], kernel: Any = None, wrap: bool = True) -> np.ndarray:
    if kernel is None and wrap:
        return _circulant_of(p)
    return circulant(p["kernel"] if kernel is None else kernel, _shape(p), wrap)


@by_content(64)  # the sampler's checks, several mistakes and the build each start from C and y
def _circulant_of(p: dict[str, Any]) -> np.ndarray:
    """The circulant matrix C of the parameters' kernel and input (read-only: it is shared)."""
    matrix = circulant(p["kernel"], _shape(p))
    matrix.flags.writeable = False
    return matrix


@by_content(64)
def _output(p: dict[str, Any]) -> list:
    """The circular correlation y of the parameters' input and kernel (shared: not to be changed)."""
    return circular_correlate(data_of(p), p["kernel"])


def _in(p: dict[str, Any], matrix: np.ndarray) -> list:
    return in_convention(matrix, p["convention"]).tolist()


def _toeplitz_columns(p: dict[str, Any], last: bool = False) -> np.ndarray:
    return _matrix(p)[:, straight_outputs(_shape(p), np.shape(p["kernel"]), last)]


def _wrong_side(p: dict[str, Any]) -> list:
    shifts = tuple(k - 1 for k in np.shape(p["kernel"]))
    return np.roll(np.array(_output(p)), shifts, axis=tuple(range(len(shifts)))) \
        .tolist()


def _valid(p: dict[str, Any]) -> list:
    rows = straight_outputs(_shape(p), np.shape(p["kernel"]))
    flat = np.array(_output(p)).reshape(-1)[rows]
    return flat.reshape(tuple(n - k + 1 for n, k in zip(_shape(p), np.shape(p["kernel"]), strict=True))).tolist()


def _unless_key(p: dict[str, Any], wrong: list) -> list | None:
    """A wrong output, or None in a variant where it is the key (the mistake cannot be told from the answer)."""
    return None if wrong == _output(p) else wrong


MATRIX_MISTAKES = (
    Mistake("no-wrap-around", "Your band stops at the bottom edge: that is the matrix of a correlation with zeros "
            "past the end. Circular correlation wraps round, so the kernel entries that fall off the bottom of a "
            "column continue at its top.", lambda p: _in(p, _matrix(p, wrap=False))),
    Mistake("transpose", "You wrote the transpose, the matrix of the other convention: with y = x·C (x a row "
            "vector) C has one row per input and one column per output; with y = C·x, one row per output.",
            lambda p: in_convention(_matrix(p), p["convention"]).T.tolist()),
    Mistake("flipped-kernel", "The band holds the kernel reversed: that is true (flipped) convolution. Here ⋆ is "
            "cross-correlation, so w_0 comes first along the band.", lambda p: _in(p, _matrix(p, np.flip(
                np.asarray(p["kernel"]))))),
)
OUTPUT_MISTAKES = (
    Mistake("zero-padded-instead-of-circular", "You filled the positions past the end with zeros; circular "
            "correlation wraps round to the start of the input instead.",
            lambda p: circular_correlate(data_of(p), p["kernel"], wrap=False)),
    Mistake("valid-only", "You kept only the outputs whose window fits without wrapping: that is the valid "
            "correlation. Circular correlation has one output per input.", _valid),
    Mistake("wrapped-wrong-side", "You wrapped the end of the input round before its start: output j starts at "
            "input j and wraps from the end back to the start.", _wrong_side),
    Mistake("flipped-kernel", "You flipped the kernel: here ⋆ is cross-correlation, so slide the kernel as it is.",
            lambda p: circular_correlate(data_of(p), np.flip(np.asarray(p["kernel"])))),
    Mistake("circular-convolution", "That is the true circular convolution, y_j = Σ_a x_(j−a) w_a, which runs "
            "backwards through the input: circular cross-correlation reads forwards, y_j = Σ_a x_(j+a) w_a.",
            lambda p: _unless_key(p, circular_convolve(data_of(p), p["kernel"]))),
)
TOEPLITZ_MISTAKES = (
    Mistake("kept-wrapping-columns", "Those are the last columns of C, some of whose bands wrap round. Valid "
            "correlation keeps the outputs whose window fits without wrapping: the first ones.",
            lambda p: _in(p, _toeplitz_columns(p, last=True))),
    Mistake("whole-circulant", "That is all of C. Valid correlation has only the outputs whose window fits inside "
            "the input, so T keeps only their columns.", lambda p: _in(p, _matrix(p))),
    Mistake("transpose", "You wrote the transpose, the matrix of the other convention.",
            lambda p: in_convention(_toeplitz_columns(p), p["convention"]).T.tolist()),
)


@template
class Circulant(Template):
    id = "circulant"
    version = 3  # 2: part (c) asks for the matrix T itself, not which columns (rows) of C it keeps; 3: a kernel and
    # input for which a named mistake gives a key or a trivial answer scores are redrawn
    topic = "convolution as matrix"
    minutes = {"matrix": 2.5, "output": 2, "toeplitz": 1}
    summary = "circular correlation as a (doubly block) circulant matrix, against the Toeplitz matrix of valid " \
              "correlation"
    params = {
        "signal": IntList(doc="input signal x (pin this or image)", min_len=2, max_len=8),
        "image": IntMatrix(doc="input image X, a list of rows (pin this or signal)", min_size=2, max_size=4),
        "kernel": IntArray(doc="kernel w: a list for a signal, a matrix for an image", ndims=(1, 2), max_size=4,
                           low=-99, high=99),
        "convention": CONVENTION,
        "dims": DIMS,
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        dims = p["dims"] = pick_dims(rng, p, "kernel")
        if "kernel" in p and ("signal" in p or "image" in p):
            return p
        return prefer(lambda: self._draw(rng, p, dims), self._fair, lambda q: True, "a kernel and an input")

    @staticmethod
    def _draw(rng: np.random.Generator, params: dict[str, Any], dims: int) -> dict[str, Any]:
        p = dict(params)
        if "kernel" not in p:
            if dims == 1:
                longest = min(3, len(p["signal"]) - 1) if "signal" in p else 3
                p["kernel"] = draw_taps(rng, (int(rng.integers(min(2, max(1, longest)), max(1, longest) + 1)),))
            else:
                shape = tuple(min(2, n) for n in np.shape(p["image"])) if "image" in p else (2, 2)
                p["kernel"] = draw_taps(rng, shape, -1, 2)
        if "signal" not in p and "image" not in p:
            if dims == 1:
                k = len(p["kernel"])
                p["signal"] = rng.integers(0, 10, size=int(rng.integers(max(4, k + 1), max(4, k + 1) + 3))).tolist()
            else:
                shape = tuple(max(3, k + 1) for k in np.shape(p["kernel"]))
                p["image"] = rng.integers(0, 6, size=shape).tolist()
        return p

    def _fair(self, p: dict[str, Any]) -> bool:
        """No named mistake gives a key (a symmetric C is its own transpose …), no trivial answer scores."""
        try:
            self.validate(p)
        except ParamError:
            return True  # validate() says what is wrong
        return unfair(Matrix, _in(p, _matrix(p)), p, MATRIX_MISTAKES) is None and \
            unfair(Matrix if "image" in p else Vector, _output(p), p,
                   OUTPUT_MISTAKES) is None and \
            unfair(Matrix, _in(p, _toeplitz_columns(p)), p, TOEPLITZ_MISTAKES) is None

    def validate(self, p: dict[str, Any]) -> None:
        check_input(self.id, p, "kernel")
        name = "signal" if "signal" in p else "image"
        if any(k > n for n, k in zip(_shape(p), np.shape(p["kernel"]), strict=True)):
            raise ParamError(f"the kernel {_size(np.shape(p['kernel']))} is larger than the {name} "
                             f"{_size(_shape(p))}: it would wrap round onto itself; use a smaller kernel")

    def build(self, p: dict[str, Any]) -> Question:
        image, row = "image" in p, p["convention"] == "row"
        shape, kshape = _shape(p), np.shape(p["kernel"])
        size = int(np.prod(shape))
        matrix = in_convention(_matrix(p), p["convention"])
        toeplitz = in_convention(_toeplitz_columns(p), p["convention"])
        output = _output(p)
        x, y = (Call("vec", Sym("X")), Call("vec", Sym("Y"))) if image else (Sym("x"), Sym("y"))
        product = Op("=", y, Op("*", x, Sym("C")) if row else Op("*", Sym("C"), x))
        valid = Op("=", Sym("z"), Op("*", x, Sym("T")) if row else Op("*", Sym("T"), x))
        if image:
            rule = Eq(Sym("Y_{i,j}"), Sum("a,b", Op("*", Sym("X_{i+a,j+b}"), Sym("K_{a,b}"))))
            inputs = prose("Let {X} be the image and {K} the kernel ({H} rows, {W} columns). Circular 2-D "
                           "cross-correlation {rule} treats the image as periodic in both directions: indices wrap "
                           "round, {wrap}, so {Y} has the size of {X0}.", X=Eq(Sym("X"), np.array(p["image"])),
                           Y=Sym("Y"), X0=Sym("X"),
                           K=Eq(Sym("K"), np.array(p["kernel"])), rule=rule, H=Eq(Sym("H"), shape[0]),
                           W=Eq(Sym("W"), shape[1]), wrap=Eq(Sym("X_{i+H,j}"), Sym("X_{i,j+W}"), Sym("X_{i,j}")))
            flat = ("Flatten {X} row by row into {x} (a " + ("row" if row else "column") + " vector of {hw} "
                    "entries), and {Y} likewise. Then {product} for a {size} matrix {C}: the book's doubly block "
                    "circulant matrix.")
            symbols = {"X": Sym("X"), "x": x, "Y": Sym("Y"), "size": Op("×", size, size)}
        else:
            rule = Eq(Sym("y_j"), Sum("a", Op("*", Sym("x_{j+a}"), Sym("w_a"))))
            inputs = prose("Let {x} be the signal and {w} the kernel. Circular cross-correlation {rule} treats the "
                           "signal as periodic: with {n}, an index past the end wraps round to the start, {wrap}, "
                           "so {y} has {n0} entries.", x=Eq(Sym("x"), np.array(p["signal"])),
                           w=Eq(Sym("w"), np.array(p["kernel"])), rule=rule, n=Eq(Sym("n"), shape[0]),
                           wrap=Eq(Sym("x_{n+i}"), Sym("x_i")), y=Sym("y"), n0=Sym("n"))
            flat = ("It is linear in {x}: {product} for an {size} matrix {C}, with {x} a " +
                    ("row" if row else "column") + " vector ({hw} entries).")
            symbols = {"x": x, "size": Op("×", Sym("n"), Sym("n"))}
        statement = (inputs, prose(flat, product=product, hw=size, C=Sym("C"), **symbols))
        kind = Matrix if image else Vector
        parts = (
            Part("matrix", prose("Write down the circulant matrix {C}.", C=Sym("C")),
                 expect(Matrix, matrix.tolist(), p, MATRIX_MISTAKES), points=3, solution=self._matrix_solution(p)),
            Part("output", prose("Compute the circular cross-correlation {y}" + (" as a matrix." if image else "."),
                                 y=Sym("Y" if image else "y")),
                 expect(kind, output, p, OUTPUT_MISTAKES), points=2, solution=self._output_solution(p, output)),
            Part("toeplitz", prose("The valid cross-correlation of the same data (no wrap-around, no padding) is "
                                   "{valid} with the Toeplitz matrix {T}. Write down the matrix {T} itself, entry "
                                   "by entry, as for {C}.", valid=valid, T=Sym("T"), C=Sym("C")),
                 expect(Matrix, toeplitz.tolist(), p, TOEPLITZ_MISTAKES), points=2,
                 solution=self._toeplitz_solution(p, shape, kshape)),
        )
        title = "Circular convolution and " + ("doubly block circulant matrices" if image else "circulant matrices")
        return self.question(p, title=title, statement=statement, parts=parts)

    @staticmethod
    def _matrix_solution(p: dict[str, Any]) -> tuple[Block, ...]:
        row, image = p["convention"] == "row", "image" in p
        matrix = _matrix(p)
        ones = np.ones(np.shape(p["kernel"]), dtype=np.int64)  # where the band wraps, whatever the weights there
        wrapped = frozenset((i, j) for i, j in zip(*np.nonzero(_matrix(p, ones) - _matrix(p, ones, wrap=False)),
                                                   strict=True) if matrix[i, j])  # a weight 0 wraps as a plain 0
        if not row:
            wrapped = frozenset((j, i) for i, j in wrapped)
        line, lines = ("column", "columns") if row else ("row", "rows")
        if image:
            (height, width), kh = _shape(p), len(p["kernel"])
            blocks = [band_matrix(kernel_row, width) for kernel_row in p["kernel"]]
            layout = np.array([[Sym(f"C_{(r - i) % height}") if (r - i) % height < kh else 0 for i in range(height)]
                               for r in range(height)], dtype=object)
            steps: list[Block] = [
                prose("Cut {C} into {blocks} blocks, each {each}: image row {r} feeds output row {i} through kernel "
                      "row {a} (rows wrap round too). The block is the 1-D circulant matrix {Ca} of that kernel row, "
                      "and zero when {a0} is not a kernel row:", C=Sym("C"), blocks=Op("×", height, height),
                      each=Op("×", width, width), r=Sym("r"), i=Sym("i"), a0=Sym("a"), Ca=Sym("C_a"),
                      a=Eq(Sym("a"), Call("mod", Op("-", Sym("r"), Sym("i")), Sym("H")))),
                Display(Eq(Sym("C"), layout if row else layout.T)),
                *(Display(Eq(Sym(f"C_{a}"), in_convention(block, p["convention"]))) for a, block in enumerate(blocks)),
                prose("The blocks repeat along wrapping block diagonals and each block is circulant: {C} is doubly "
                      "block circulant.", C=Sym("C")),
            ]
        else:
            rule = Eq(Sym("C_{i,j}" if row else "C_{j,i}"), Sym("w_a"))
            steps = [prose(f"Output {{j}} reads the inputs {{j}} to {{last}}, wrapping past the end: {line} {{j}} of "
                           f"{{C}} holds the kernel starting at entry {{j}} and wrapping round, {{rule}} with {{a}} "
                           f"where {{fits}}, and 0 elsewhere. Each {line} is the previous one shifted by one, "
                           "cyclically: {C} is circulant.", rule=rule, j=Sym("j"), C=Sym("C"),
                           last=Plus(Sym("j"), Sym("k"), -1), fits=Eq(Op("<", Sym("a"), Sym("k")), len(p["kernel"])),
                           a=Eq(Sym("a"), Call("mod", Op("-", Sym("i"), Sym("j")), Sym("n"))))]
        if wrapped:
            entries = "entry (marked) is" if len(wrapped) == 1 else "entries (marked) are"
            steps.append(prose(f"The {len(wrapped)} non-zero wrap-around {entries} what valid correlation does not "
                               f"have. The {lines} of the outputs whose window fits without wrapping hold none of "
                               "them: they are exactly the Toeplitz matrix's."))
        steps.append(draw.matrix_band(in_convention(matrix, p["convention"]).tolist(), wrapped,
                                      "non-zero wrap-around"))
        return tuple(steps)

    @staticmethod
    def _output_solution(p: dict[str, Any], output: list) -> tuple[Block, ...]:
        data, kernel = np.asarray(data_of(p)), np.asarray(p["kernel"])
        steps: list[Block] = [prose("Lay the kernel on the input at each position, continuing at the start when it "
                                    "runs past the end:")]
        for j in np.ndindex(data.shape):
            terms = tuple((data[tuple((x + y) % n for x, y, n in zip(j, a, data.shape, strict=True))], kernel[a])
                          for a in np.ndindex(kernel.shape))
            name = f"y_{j[0]}" if len(j) == 1 else f"Y_{{{j[0]},{j[1]}}}"
            steps.append(prose("{step}", step=Eq(Sym(name), Dot(terms), np.asarray(output)[j])))
        return tuple(steps)

    @staticmethod
    def _toeplitz_solution(p: dict[str, Any], shape: tuple[int, ...], kshape: tuple[int, ...]) -> tuple[Block, ...]:
        line = "columns" if p["convention"] == "row" else "rows"
        kept = straight_outputs(shape, kshape)
        if len(shape) == 1:
            where, count = f"the first {{count}} {line} of {{C}}", Eq(Plus(Sym("n"), Neg(Sym("k")), 1), len(kept))
        else:
            where, count = f"the {line} of {{C}} numbered " + ", ".join(str(i) for i in kept) + " (from 0)", None
        return (prose("Valid correlation has only the outputs whose window fits without wrapping, and their "
                      f"{line} of {{C}} hold no wrap-around entry. So {{T}} is {where}, in order; the dropped {line} "
                      "are the ones whose band wraps round.", C=Sym("C"), T=Sym("T"),
                      **({"count": count} if count is not None else {})),)

    def verify(self, question: Question) -> None:
        p = question.params
        data, kernel = np.asarray(data_of(p), dtype=np.int64), np.asarray(p["kernel"], dtype=np.int64)
        axes = tuple(range(data.ndim))

        def by_rolls(x: np.ndarray) -> np.ndarray:
            """Σ_a w_a · (x rolled back by a): every tap's contribution at once, wrapping by construction."""
            return sum(kernel[a] * np.roll(x, tuple(-i for i in a), axis=axes) for a in np.ndindex(kernel.shape))

        output = by_rolls(data)
        got = np.array(question.part("output").answer.value, dtype=object)
        assert (got == output).all(), f"circulant output {got.tolist()} != roll sums {output.tolist()}"
        units = np.eye(data.size, dtype=np.int64).reshape(data.size, *data.shape)
        explicit = np.array([by_rolls(unit).reshape(-1) for unit in units])  # row i: the outputs of input e_i
        key = np.array(question.part("matrix").answer.value, dtype=object)
        row_key = key if p["convention"] == "row" else key.T
        assert (row_key == explicit).all(), f"circulant matrix {key.tolist()} != roll sums of unit inputs"
        assert ((data.reshape(-1) @ row_key) == output.reshape(-1)).all(), "circulant: x·C is not the output"
        if data.ndim == 1:
            toeplitz = toeplitz_matrix(kernel.tolist(), len(data))
        else:
            toeplitz = doubly_block_toeplitz(kernel, *data.shape)
        key = np.array(question.part("toeplitz").answer.value, dtype=object)
        row_key = key if p["convention"] == "row" else key.T
        assert row_key.shape == toeplitz.shape and (row_key == toeplitz).all(), \
            f"circulant toeplitz part {key.tolist()} != the Toeplitz matrix {toeplitz.tolist()}"


def _size(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape) if len(shape) > 1 else f"of {shape[0]}"
