"""Backpropagation through a valid cross-correlation y = x ⋆ w + b, given the upstream gradient δ = dL/dy.

dL/dx is the full correlation of δ with the flipped kernel (Tᵀδ in the column convention), dL/dw the valid
correlation of x with δ, and dL/db the sum of δ: the kernel and the bias are shared by every output, so the
gradients of all their uses add up. 1-D (a signal) or 2-D (an image); the same code serves both.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect, gives_key
from exercises.model import Block, Call, Dot, Eq, Op, Part, Plus, Power, Question, Sum, Sym, prose
from exercises.params import IntArray, IntList, IntMatrix, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.topics.convolution import draw_taps
from exercises.topics.inputs import DIMS, check_input, data_of, pick_dims
from exercises.topics.toeplitz import toeplitz_matrix
from exercises.topics.toeplitz2d import doubly_block_toeplitz
from grader.answers import Matrix, Number, Vector

DELTAS = (-2, -1, 1, 2, 3)  # upstream gradients: never zero, so every path shows in the answer


# -- the chain rule, written as loops over the forward pass's uses of each value ----------------------
def grad_input(delta: Any, kernel: Any) -> np.ndarray:
    """dL/dx: output j read the window of x at j with weights w, so it sends δ_j·w back onto that window."""
    delta, kernel = np.asarray(delta, dtype=object), np.asarray(kernel, dtype=object)
    out = np.zeros(tuple(d + k - 1 for d, k in zip(delta.shape, kernel.shape, strict=True)), dtype=object)
    for j in np.ndindex(delta.shape):
        out[_window(j, kernel.shape)] += delta[j] * kernel
    return out


def grad_kernel(data: Any, delta: Any) -> np.ndarray:
    """dL/dw: w is shared by every output j, which multiplied it with the window of x at j: δ_j·window, summed."""
    data, delta = np.asarray(data, dtype=object), np.asarray(delta, dtype=object)
    shape = tuple(n - d + 1 for n, d in zip(data.shape, delta.shape, strict=True))
    out = np.zeros(shape, dtype=object)
    for j in np.ndindex(delta.shape):
        out += delta[j] * data[_window(j, shape)]
    return out


def _window(start: tuple[int, ...], shape: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(a, a + k) for a, k in zip(start, shape, strict=True))


def valid_correlation(data: Any, kernel: Any) -> np.ndarray | None:
    """Valid cross-correlation by sliding windows (None when the kernel does not fit)."""
    data, kernel = np.asarray(data, dtype=object), np.asarray(kernel, dtype=object)
    if any(k > n for n, k in zip(data.shape, kernel.shape, strict=True)):
        return None
    windows = sliding_window_view(data, kernel.shape)
    axes = tuple(range(data.ndim, 2 * data.ndim))
    return (windows * kernel).sum(axis=axes)


def flip(values: Any) -> np.ndarray:
    """Reversed along every axis (a 180° turn in 2-D)."""
    return np.flip(np.asarray(values, dtype=object))


# -- misconceptions ---------------------------------------------------------------------------------
def _not_flipped(p: dict[str, Any]) -> list:
    return grad_input(p["delta"], flip(p["kernel"])).tolist()


def _valid_not_full(p: dict[str, Any]) -> list | None:
    found = valid_correlation(p["delta"], flip(p["kernel"]))
    return None if found is None else found.tolist()


def _flipped_delta(p: dict[str, Any]) -> list | None:
    """None for a symmetric δ: flipping it changes nothing."""
    if np.array_equal(flip(p["delta"]), np.asarray(p["delta"], dtype=object)):
        return None
    return grad_kernel(data_of(p), flip(p["delta"])).tolist()


def _first_position_only(p: dict[str, Any]) -> list | None:
    """None for a single output: its position is the only one."""
    delta, data = np.asarray(p["delta"], dtype=object), np.asarray(data_of(p), dtype=object)
    if delta.size == 1:
        return None
    first = (0,) * delta.ndim
    return (delta[first] * data[_window(first, np.shape(p["kernel"]))]).tolist()


def _averaged(p: dict[str, Any]) -> list | None:
    """None for a single output: its mean is its sum."""
    count = np.asarray(p["delta"]).size
    return (grad_kernel(data_of(p), p["delta"]) * Fraction(1, count)).tolist() if count > 1 else None


def _first_delta(p: dict[str, Any]) -> int | None:
    """None for a single output (see _first_position_only)."""
    return int(np.asarray(p["delta"]).flat[0]) if np.size(p["delta"]) > 1 else None


def _bias_averaged(p: dict[str, Any]) -> Fraction | None:
    """None for a single output: its mean is its sum."""
    return Fraction(int(np.sum(p["delta"])), np.asarray(p["delta"]).size) if np.size(p["delta"]) > 1 else None


NOT_SUMMED = ("The {name} is shared: it is used at every output position, and the gradient adds the contributions "
              "of all its uses, not just the first one.")
INPUT_MISTAKES = (
    Mistake("not-flipped", "You slid the kernel over δ as it is. Input x_i reaches output y_j through w_(i−j), so "
            "dL/dx_i = Σ_j δ_j w_(i−j): a full correlation of δ with the flipped kernel.", _not_flipped),
    Mistake("valid-instead-of-full", "You kept only the positions where the flipped kernel fits inside δ. Every "
            "input gets a gradient: pad δ with k − 1 zeros on each side (full correlation), so dL/dx has the "
            "input's size.", _valid_not_full),
)
KERNEL_MISTAKES = (
    Mistake("shared-weights-not-summed", NOT_SUMMED.format(name="kernel"), _first_position_only),
    Mistake("averaged-over-positions", "Gradients of a shared weight add up over the positions where it is used; "
            "they are not averaged.", _averaged),
    Mistake("flipped-delta", "No flip here: weight w_a multiplied x_(j+a) in output y_j, so dL/dw_a = Σ_j δ_j "
            "x_(j+a), the valid correlation of x with δ as it is.", _flipped_delta),
)
BIAS_MISTAKES = (
    Mistake("shared-weights-not-summed", NOT_SUMMED.format(name="bias"), _first_delta),
    Mistake("averaged-over-positions", "The bias is added at every output, so its gradient is the sum of δ over "
            "all outputs, not their mean.", _bias_averaged),
    Mistake("upstream-ignored", "Each output adds the bias with derivative 1, but the chain rule multiplies that 1 "
            "by the upstream gradient δ_j: dL/db = Σ_j δ_j.", lambda p: np.asarray(p["delta"]).size),
)


def _d(name: str) -> Op:
    """dL/d<name> as a fraction."""
    return Op("/", Sym("dL"), Sym("d" + name))


@template
class ConvBackprop(Template):
    id = "conv-backprop"
    version = 2  # 2: an upstream gradient for which a named mistake gives a key (dL/db equal to the number of
    # outputs …), a trivial answer scores, or dL/db is 1 is redrawn
    topic = "backpropagation"
    minutes = {"grad_input": 2.5, "grad_kernel": 1.5, "grad_bias": 0.5}
    summary = "gradients of a valid convolution layer: dL/dx (full correlation, flipped kernel), dL/dw, dL/db"
    params = {
        "signal": IntList(doc="input signal x (pin this or image)", min_len=2, max_len=12),
        "image": IntMatrix(doc="input image X, a list of rows (pin this or signal)", min_size=2, max_size=6),
        "kernel": IntArray(doc="kernel w: a list for a signal, a matrix for an image", ndims=(1, 2), max_size=5,
                           low=-99, high=99),
        "delta": IntArray(doc="upstream gradient δ = dL/dy, the shape of the output", ndims=(1, 2), max_size=11,
                          low=-99, high=99),
        "dims": DIMS,
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        dims = p["dims"] = pick_dims(rng, p, "kernel", "delta")
        if "kernel" not in p:
            p["kernel"] = draw_taps(rng, self._kernel_shape(rng, p, dims))
        if ("signal" in p or "image" in p) and "delta" in p:
            return p
        return prefer(lambda: self._draw(rng, p, dims), self._fair, lambda q: True, "an input and a gradient")

    @staticmethod
    def _draw(rng: np.random.Generator, params: dict[str, Any], dims: int) -> dict[str, Any]:
        """The input and the upstream gradient, where not pinned."""
        p, k = dict(params), np.shape(params["kernel"])
        if "signal" not in p and "image" not in p:
            if "delta" in p:
                shape = tuple(d + a - 1 for d, a in zip(np.shape(p["delta"]), k, strict=False))
            elif dims == 1:
                shape = (k[0] + int(rng.integers(2, 5)),)
            else:
                shape = tuple(a + int(rng.integers(1, 3)) for a in k)
            values = rng.integers(0, 6 if dims == 1 else 5, size=shape).tolist()
            p["signal" if dims == 1 else "image"] = values
        if "delta" not in p:
            shape = tuple(n - a + 1 for n, a in zip(np.shape(data_of(p)), k, strict=False))
            if all(n > 0 for n in shape):
                p["delta"] = redraw(lambda: rng.choice(DELTAS, size=shape),
                                    lambda delta: delta.size == 1 or (len(np.unique(delta)) > 1 and delta.sum() != 0),
                                    "an upstream gradient that is not constant and does not sum to 0",
                                    tries=1000).tolist()
        return p

    def _fair(self, p: dict[str, Any]) -> bool:
        """No named mistake gives a gradient, no trivial answer scores, and the bias's gradient is not 1 (a guess
        away)."""
        try:
            self.validate(p)
        except (ParamError, KeyError):
            return True  # pinned values that do not go together: validate() says why
        data, kernel, delta = data_of(p), p["kernel"], p["delta"]
        kind = Matrix if "image" in p else Vector
        bias = int(np.sum(delta))
        return bias != 1 and not gives_key(Number, bias, p, BIAS_MISTAKES) and \
            unfair(kind, grad_input(delta, kernel).tolist(), p, INPUT_MISTAKES) is None and \
            unfair(kind, grad_kernel(data, delta).tolist(), p, KERNEL_MISTAKES) is None

    @staticmethod
    def _kernel_shape(rng: np.random.Generator, p: dict[str, Any], dims: int) -> tuple[int, ...]:
        pinned = np.shape(data_of(p)) if ("signal" in p or "image" in p) else None
        if pinned and "delta" in p and np.ndim(p["delta"]) == len(pinned):
            return tuple(max(1, n - d + 1) for n, d in zip(pinned, np.shape(p["delta"]), strict=True))
        if dims == 1:
            longest = min(3, pinned[0] - 1) if pinned else 3
            return (int(rng.integers(min(2, max(1, longest)), max(1, longest) + 1)),)
        return tuple(min(2, max(1, n - 1)) for n in (pinned or (3, 3)))

    def validate(self, p: dict[str, Any]) -> None:
        check_input(self.id, p, "kernel", "delta")
        data, name = data_of(p), "signal" if "signal" in p else "image"
        if any(k > n for n, k in zip(np.shape(data), np.shape(p["kernel"]), strict=True)):
            raise ParamError(f"the kernel {np.shape(p['kernel'])} does not fit inside the {name} {np.shape(data)}: "
                             "no valid output; use a smaller kernel")
        out = tuple(n - k + 1 for n, k in zip(np.shape(data), np.shape(p["kernel"]), strict=True))
        if np.shape(p["delta"]) != out:
            raise ParamError(f"delta must have the output's shape {_size(out)} (one gradient per output), "
                             f"got {_size(np.shape(p['delta']))}")

    def build(self, p: dict[str, Any]) -> Question:
        image = "image" in p
        data, kernel, delta = np.array(data_of(p)), np.array(p["kernel"]), np.array(p["delta"])
        x, w = ("X", "K") if image else ("x", "w")
        if image:
            forward = Eq(Sym("Y_{i,j}"), Op("+", Sum("u,v", Op("*", Sym("X_{i+u,j+v}"), Sym("K_{u,v}"))), Sym("b")))
        else:
            forward = Eq(Sym("y_i"), Op("+", Sum("j", Op("*", Sym("x_{i+j}"), Sym("w_j"))), Sym("b")))
        statement = (
            prose("A convolution layer computes {forward} (valid cross-correlation, stride 1, kernel not flipped) "
                  "with the input {x}, the kernel {w} and a bias {b}.", forward=forward,
                  x=Eq(Sym(x), data), w=Eq(Sym(w), kernel), b=Sym("b")),
            prose("Backpropagation brings the gradient of the loss {L} with respect to the output, {delta}.",
                  L=Sym("L"), delta=Eq(Sym("delta"), _d("Y" if image else "y"), delta)),
        )
        gx, gw = grad_input(delta, kernel), grad_kernel(data, delta)
        gb = int(delta.sum())
        matrix_or_vector = Matrix if image else Vector
        parts = (
            Part("grad_input", prose("Compute the gradient with respect to the input, {g}.", g=_d(x)),
                 expect(matrix_or_vector, gx.tolist(), p, INPUT_MISTAKES), points=3,
                 solution=self._input_solution(p, gx)),
            Part("grad_kernel", prose("Compute the gradient with respect to the kernel, {g}.", g=_d(w)),
                 expect(matrix_or_vector, gw.tolist(), p, KERNEL_MISTAKES), points=2,
                 solution=self._kernel_solution(p, gw)),
            Part("grad_bias", prose("Compute the gradient with respect to the bias, {g}.", g=_d("b")),
                 expect(Number, gb, p, BIAS_MISTAKES), points=1,
                 solution=(prose("The bias is added to every output with derivative 1, so its gradient adds the "
                                 "upstream gradients over all outputs: {g}.",
                                 g=Eq(_d("b"), Sum("s,t", Sym("delta_{s,t}")) if image else Sum("j", Sym("delta_j")),
                                      gb)),)),
        )
        title = "Backpropagation through a convolution" + (" (2-D)" if image else "")
        return self.question(p, title=title, statement=statement, parts=parts)

    @staticmethod
    def _input_solution(p: dict[str, Any], gx: np.ndarray) -> tuple[Block, ...]:
        kernel, delta = np.array(p["kernel"]), np.array(p["delta"])
        image = "image" in p
        if image:
            path = {"xi": Sym("X_{i,j}"), "yj": Sym("Y_{s,t}"), "wij": Sym("K_{i-s,j-t}")}
            rule = Eq(Sym("dX_{i,j}"), Sum("s,t", Op("*", Sym("delta_{s,t}"), Sym("K_{i-s,j-t}"))))
            flipped = "the kernel rotated by 180°"
            names = (Sym("dX"), _d("X"), Eq(Call("vec", Sym("Y")), Op("+", Op("*", Sym("A"), Call("vec", Sym("X"))),
                                                                      Sym("b"))))
        else:
            path = {"xi": Sym("x_i"), "yj": Sym("y_j"), "wij": Sym("w_{i-j}")}
            rule = Eq(Sym("dx_i"), Sum("j", Op("*", Sym("delta_j"), Sym("w_{i-j}"))))
            flipped = "the flipped kernel"
            names = (Sym("dx"), _d("x"), Eq(Sym("y"), Op("+", Op("*", Sym("A"), Sym("x")), Sym("b"))))
        steps: list[Block] = [
            prose("Input {xi} reaches output {yj} through the weight {wij} (where that weight exists). By the chain "
                  "rule the gradient adds all these paths: {rule}, writing {short} for {long}. That is the full "
                  "correlation of {d} (padded with {zeros} zeros on each side) with " + flipped + ", {flipped}. In "
                  "matrix form: with {forward} for the Toeplitz matrix {A} of the forward pass (one row per output), "
                  "the gradient is {AT} times {d}.", **path, rule=rule, d=Sym("delta"), short=names[0],
                  long=names[1], forward=names[2], A=Sym("A"), AT=Power(Sym("A"), Sym("T")),
                  zeros=Plus(Sym("k"), -1), flipped=np.array(flip(kernel).tolist())),
        ]
        for i in np.ndindex(gx.shape):
            terms = tuple((delta[j], kernel[tuple(a - b for a, b in zip(i, j, strict=True))])
                          for j in np.ndindex(delta.shape)
                          if all(0 <= a - b < k for a, b, k in zip(i, j, kernel.shape, strict=True)))
            steps.append(prose("{step}", step=Eq(_entry("dX" if image else "dx", i), Dot(terms), gx[i])))
        if not image:
            k = len(p["kernel"])
            steps.append(draw.signal_and_kernel(p["delta"], flip(kernel).tolist(), padding=k - 1,
                                                names=("dL/dy", "w flipped")))
        return tuple(steps)

    @staticmethod
    def _kernel_solution(p: dict[str, Any], gw: np.ndarray) -> tuple[Block, ...]:
        data, delta = np.array(data_of(p)), np.array(p["delta"])
        image = "image" in p
        if image:
            rule = Eq(Sym("dK_{u,v}"), Sum("s,t", Op("*", Sym("delta_{s,t}"), Sym("X_{s+u,t+v}"))))
        else:
            rule = Eq(Sym("dw_a"), Sum("j", Op("*", Sym("delta_j"), Sym("x_{j+a}"))))
        steps: list[Block] = [
            prose("Each weight is shared: it multiplies one input in every output, so its gradient adds the "
                  "contributions of all outputs, {rule}: the valid correlation of the input with {d}.", rule=rule,
                  d=Sym("delta")),
        ]
        for a in np.ndindex(gw.shape):
            terms = tuple((delta[j], data[tuple(s + t for s, t in zip(j, a, strict=True))])
                          for j in np.ndindex(delta.shape))
            steps.append(prose("{step}", step=Eq(_entry("dK" if image else "dw", a), Dot(terms), gw[a])))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        p = question.params
        data, kernel, delta = (np.asarray(v, dtype=np.int64) for v in (data_of(p), p["kernel"], p["delta"]))

        def loss(x: np.ndarray, w: np.ndarray, b: int) -> int:
            """L = Σ δ ⊙ y: its gradient with respect to y is δ; L is linear in x, in w and in b."""
            return int(np.sum(delta * (valid_correlation(x, w) + b)))

        base = loss(data, kernel, 0)
        expected = {
            "grad_input": _perturbed(lambda e: loss(data + e, kernel, 0) - base, data.shape),
            "grad_kernel": _perturbed(lambda e: loss(data, kernel + e, 0) - base, kernel.shape),
        }
        for part_id, value in expected.items():
            got = np.array(question.part(part_id).answer.value, dtype=object)
            assert got.shape == value.shape and (got == value).all(), \
                f"conv-backprop {part_id}: key {got.tolist()} != perturbation {value.tolist()}"
        bias = question.part("grad_bias").answer.value
        assert bias == loss(data, kernel, 1) - base, f"conv-backprop grad_bias: key {bias} != perturbation"
        if data.ndim == 1:
            matrix = toeplitz_matrix(kernel.tolist(), len(data))  # y = x·T, so dL/dx = δ·Tᵀ = T·δ
        else:
            matrix = doubly_block_toeplitz(kernel, *data.shape)
        product = (matrix @ delta.reshape(-1)).reshape(data.shape)
        assert (product == expected["grad_input"]).all(), f"conv-backprop: T·δ = {product.tolist()} != perturbation"


def _perturbed(change: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Entry i: how much L grows when entry i of the variable grows by one (exact: L is linear in it)."""
    out = np.zeros(shape, dtype=object)
    for i in np.ndindex(shape):
        unit = np.zeros(shape, dtype=np.int64)
        unit[i] = 1
        out[i] = change(unit)
    return out


def _entry(name: str, index: tuple[int, ...]) -> Sym:
    return Sym(f"{name}_{index[0]}" if len(index) == 1 else f"{name}_{{{','.join(str(i) for i in index)}}}")


def _size(shape: tuple[int, ...]) -> str:
    return "×".join(str(n) for n in shape) if len(shape) > 1 else f"{shape[0]} entries"
