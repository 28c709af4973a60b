"""The gradient through max pooling: each window sends its upstream gradient to the position of its maximum
(ties: the first maximum in reading order, as PyTorch does); where windows overlap, a position that wins
several windows adds their gradients. Every other input gets zero."""

from __future__ import annotations

import functools
from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exercises.by_content import by_content
from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Call, Eq, Op, Part, Question, Sym, prose
from exercises.params import Int, IntArray, IntList, IntMatrix, ParamError
from exercises.redraw import prefer
from exercises.registry import Template, template
from exercises.topics.inputs import DIMS, check_input, data_of, pick_dims
from exercises.topics.pooling import pool, pool_numpy, pool_windows
from grader.answers import Matrix, Vector

DELTAS = (-2, -1, 1, 2, 3, 4)
TIE_RULE = ("If a window holds its maximum more than once, the first of them in reading order (left to right"
            "{rows}) wins, as in PyTorch.")


@functools.lru_cache(maxsize=256)  # the sampler's checks, the misconceptions and the solution walk the same windows
def windows_of(shape: tuple[int, ...], width: int, stride: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """Every window (in output order) as its positions in reading order."""
    axes = [[(a, b) for a, b, _ in pool_windows(n, width, stride)] for n in shape]
    return tuple(tuple(product(*(range(*axes[axis][i]) for axis, i in enumerate(index))))
                 for index in np.ndindex(*(len(a) for a in axes)))


def winners(data: Any, width: int, stride: int, last: bool = False) -> list[tuple[int, ...]]:
    """The position of each window's maximum: the first in reading order (or the last, for the misconception)."""
    return list(_maxima((data, width, stride))[last])


@by_content(64)  # the sampler's checks, each routing misconception and the build ask for the same windows' maxima
def _maxima(pooling: tuple[Any, int, int]) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """The first and the last position of each window's maximum, in reading order, for (data, width, stride)."""
    data, width, stride = pooling
    values = np.asarray(data)
    by_position = dict(zip(product(*map(range, values.shape)), values.reshape(-1).tolist(), strict=True))
    first, last = [], []
    for window in windows_of(values.shape, width, stride):
        best = max(by_position[pos] for pos in window)
        tied = [pos for pos in window if by_position[pos] == best]
        first.append(tied[0])
        last.append(tied[-1])
    return tuple(first), tuple(last)


def route(data: Any, delta: Any, width: int, stride: int, rule: str = "max") -> np.ndarray:
    """Send each window's gradient down: to its maximum ('max'), or, for the misconceptions, to the last maximum
    ('last'), to every tied maximum ('ties'), to every position ('every'), shared equally ('average'), or written
    without adding over overlapping windows ('overwrite')."""
    values, flat_delta = np.asarray(data), np.asarray(delta, dtype=object).reshape(-1)
    out = np.zeros(values.shape, dtype=object)
    for window, d, won, last in zip(windows_of(values.shape, width, stride), flat_delta,
                                    winners(data, width, stride), winners(data, width, stride, last=True),
                                    strict=True):
        best = values[won]
        if rule in ("max", "overwrite", "last"):
            target = last if rule == "last" else won
            out[target] = d if rule == "overwrite" else out[target] + d
        elif rule == "ties":
            for pos in window:
                out[pos] += d if values[pos] == best else 0
        else:
            share = d if rule == "every" else Fraction(d, len(window))
            for pos in window:
                out[pos] += share
    return out


def _routed(rule: str) -> Any:
    return lambda p: route(data_of(p), p["delta"], p["width"], p["stride"], rule).tolist()


def _tie_rule(rule: str) -> Any:
    """A mistake about ties: None where no window holds its maximum twice."""
    def compute(p: dict[str, Any]) -> list | None:
        data, k, s = data_of(p), p["width"], p["stride"]
        return _routed(rule)(p) if winners(data, k, s) != winners(data, k, s, last=True) else None
    return compute


def _overwritten(p: dict[str, Any]) -> list | None:
    return None if p["stride"] >= p["width"] else _routed("overwrite")(p)


GRAD_MISTAKES = (
    Mistake("gradient-to-every-position", "Max pooling passes each window's gradient only to the position of its "
            "maximum: the other values did not affect the output, so their gradient is zero.", _routed("every")),
    Mistake("averaged", "You shared each gradient equally over its window: that is the gradient of average "
            "pooling. Max pooling sends all of it to the maximum.", _routed("average")),
    Mistake("overlap-not-added", "Windows overlap here: a position that is the maximum of two windows receives "
            "both gradients, added (it influences both outputs).", _overwritten),
    Mistake("tie-to-every-maximum", "When a window holds its maximum twice, only one of them (the first in "
            "reading order) gets the gradient, not each of them.", _tie_rule("ties")),
    Mistake("tie-to-last-maximum", "Ties go to the first maximum in reading order, not the last.", _tie_rule("last")),
)


def _pooled(p: dict[str, Any], **changes: Any) -> list:
    q = {**p, **changes}
    return pool(data_of(q), q["width"], q["stride"], q.get("op", "max"))


OUTPUT_MISTAKES = (
    Mistake("stride-ignored", "The windows start stride positions apart, not one.",
            lambda p: None if p["stride"] == 1 else _pooled(p, stride=1)),
    Mistake("windows-not-overlapping", "With a stride smaller than the width the windows overlap: they start "
            "stride positions apart, not width.", lambda p: None if p["stride"] >= p["width"]
            else _pooled(p, stride=p["width"])),
    Mistake("average-instead-of-max", "This is max pooling: take the largest value of each window, not the mean.",
            lambda p: _pooled(p, op="avg")),
)


@template
class PoolBackprop(Template):
    id = "pool-backprop"
    version = 2  # 2: a variant in which a named mistake gives a key or a trivial answer scores is redrawn
    topic = "backpropagation"
    minutes = {"output": 1, "grad_input": 2}
    summary = "where the gradient goes through max pooling (overlapping windows add; ties: first maximum)"
    params = {
        "signal": IntList(doc="input signal (pin this or image)", min_len=2, max_len=12),
        "image": IntMatrix(doc="input image, a list of rows (pin this or signal)", min_size=2, max_size=6),
        "width": Int(doc="window width (square windows for an image)", low=2, high=4),
        "stride": Int(doc="step between windows (less than the width: windows overlap)", low=1, high=4),
        "delta": IntArray(doc="upstream gradient dL/dy, the shape of the pooled output", ndims=(1, 2), max_size=11,
                          low=-99, high=99),
        "dims": DIMS,
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)
        dims = p["dims"] = pick_dims(rng, p, "delta")
        if "width" not in p:
            p["width"] = int(rng.integers(2, 4)) if dims == 1 else 2
        if "stride" not in p:
            p["stride"] = int(rng.integers(1, p["width"] + 1))
        k, s = p["width"], p["stride"]
        if ("signal" in p or "image" in p) and "delta" in p:
            return p

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "signal" not in q and "image" not in q:
                if "delta" in q:
                    shape = tuple((n - 1) * s + k for n in np.shape(q["delta"]))
                elif dims == 1:
                    length = (int(rng.integers(3, 6 if s == 1 else 5)) - 1) * s + k
                    shape = (min(10, length + int(rng.integers(0, s))),)
                else:
                    shape = tuple((int(rng.integers(2, 4 if s == 1 else 3)) - 1) * s + k for _ in range(2))
                q["signal" if dims == 1 else "image"] = rng.integers(0, 10, size=shape).tolist()
            if "delta" not in q:
                shape = tuple(len(pool_windows(n, k, s)) for n in np.shape(data_of(q))) \
                    if min(np.shape(data_of(q))) >= k else ()
                if shape:
                    q["delta"] = rng.choice(DELTAS, size=shape).tolist()
            return q

        return prefer(draw, lambda q: "delta" not in q or self._pleasant(q),  # no delta: validate() says why
                      lambda q: True, "values and gradients")

    @staticmethod
    def _pleasant(q: dict[str, Any]) -> bool:
        """Overlapping windows share a maximum (and adding their gradients differs from overwriting), no shared
        gradients cancel to 0, neither the gradients nor the pooled values are all equal, and no named mistake
        gives a key nor a trivial answer scores."""
        data, k, s = data_of(q), q["width"], q["stride"]
        found, gradient = winners(data, k, s), route(data, q["delta"], k, s)
        if s < k and (len(set(found)) == len(found) or (route(data, q["delta"], k, s, "overwrite") == gradient).all()):
            return False
        kind = Matrix if np.ndim(data) == 2 else Vector
        return all(gradient[pos] != 0 for pos in found) and len(set(np.asarray(q["delta"]).flat)) > 1 \
            and len(set(np.asarray(_pooled(q)).flat)) > 1 and unfair(kind, _pooled(q), q, OUTPUT_MISTAKES) is None \
            and unfair(kind, gradient.tolist(), q, GRAD_MISTAKES) is None

    def validate(self, p: dict[str, Any]) -> None:
        check_input(self.id, p, "delta")
        data, name = data_of(p), "signal" if "signal" in p else "image"
        if p["stride"] > p["width"]:
            raise ParamError(f"stride {p['stride']} is more than the width {p['width']}: some inputs would be in no "
                             "window; use a stride of at most the width")
        if min(np.shape(data)) < p["width"]:
            raise ParamError(f"the window of width {p['width']} does not fit into the {name} "
                             f"{'×'.join(map(str, np.shape(data)))}: use a smaller width")
        shape = tuple(len(pool_windows(n, p["width"], p["stride"])) for n in np.shape(data))
        if np.shape(p["delta"]) != shape:
            raise ParamError(f"delta must have the pooled output's shape {'×'.join(map(str, shape))} (one gradient "
                             f"per window), got {'×'.join(map(str, np.shape(p['delta'])))}")

    def build(self, p: dict[str, Any]) -> Question:
        image = "image" in p
        data, delta, k, s = data_of(p), p["delta"], p["width"], p["stride"]
        overlap = "the windows overlap" if s < k else "the windows do not overlap"
        window = "{kk} windows" if image else f"windows of width {k}"
        statement = (
            prose(f"Max pooling with {window} and stride {s} (no padding; {overlap}) maps the input {{x}} to the "
                  "pooled output {y} (indices start at 0). " + TIE_RULE.format(rows=", then top to bottom" * image),
                  x=Eq(Sym("x"), np.array(data)), y=Sym("y"), **({"kk": Op("×", k, k)} if image else {})),
            prose("Backpropagation brings the gradient of the loss {L} with respect to the pooled output, {delta}.",
                  L=Sym("L"), delta=Eq(Sym("delta"), Op("/", Sym("dL"), Sym("dy")), np.array(delta))),
        )
        output = pool(data, k, s, "max")
        gradient = route(data, delta, k, s)
        kind = Matrix if image else Vector
        parts = (
            Part("output", prose("Compute the pooled output {y}.", y=Sym("y")),
                 expect(kind, output, p, OUTPUT_MISTAKES), points=1, solution=self._output_solution(p, output)),
            Part("grad_input", prose("Compute the gradient with respect to the input, {g}.",
                                     g=Op("/", Sym("dL"), Sym("dx"))),
                 expect(kind, gradient.tolist(), p, GRAD_MISTAKES), points=3,
                 solution=self._gradient_solution(p, gradient)),
        )
        return self.question(p, title="Backpropagation through max pooling", statement=statement, parts=parts)

    @staticmethod
    def _output_solution(p: dict[str, Any], output: list) -> tuple[Block, ...]:
        values = np.asarray(data_of(p))
        found = winners(data_of(p), p["width"], p["stride"])
        steps: list[Block] = []
        for n, (window, won) in enumerate(zip(windows_of(values.shape, p["width"], p["stride"]), found,
                                              strict=True)):
            label = _label("y", np.unravel_index(n, np.shape(p["delta"])))
            steps.append(prose("{step}, at position {at}.", step=Eq(label, Call("max", *[values[q] for q in window]),
                                                                     values[won]), at=_position(won)))
        return tuple(steps)

    @staticmethod
    def _gradient_solution(p: dict[str, Any], gradient: np.ndarray) -> tuple[Block, ...]:
        values, delta = np.asarray(data_of(p)), np.asarray(p["delta"])
        found = winners(data_of(p), p["width"], p["stride"])
        steps: list[Block] = [prose("A window's output is its maximum: a small change of a value below the maximum "
                                    "leaves the output as it is, so only the winning position (found above; among "
                                    "tied maxima, the one the tie rule names) receives the window's gradient, and "
                                    "every other input gets 0. A position that wins several windows adds their "
                                    "gradients.")]
        received: dict[tuple[int, ...], list] = {}
        for won, d in zip(found, delta.reshape(-1), strict=True):
            received.setdefault(won, []).append(int(d))
        for pos in sorted(received):
            terms = received[pos]
            total = terms[0] if len(terms) == 1 else _plus(terms)
            step = Eq(_label("dx", pos), total) if len(terms) == 1 else Eq(_label("dx", pos), total, sum(terms))
            steps.append(prose("{step}", step=step))
        others = values.size - len(received)
        if others:
            steps.append(prose("The other {count} " + ("input gets" if others == 1 else "inputs get") + " 0.",
                               count=others))
        if values.ndim == 1:
            windows = [(a, b) for a, b, _ in pool_windows(len(values), p["width"], p["stride"])]
            steps.append(draw.pool_gradient(values.tolist(), delta.tolist(), windows, [w[0] for w in found],
                                            gradient.tolist()))
        return tuple(steps)

    def verify(self, question: Question) -> None:
        p = question.params
        values, delta = np.asarray(data_of(p), dtype=np.int64), np.asarray(p["delta"], dtype=np.int64)
        k, s = p["width"], p["stride"]
        output = question.part("output").answer
        assert output.coerce(pool_numpy(values.tolist(), k, s, "max")) == output.value, "pool-backprop output"  # type: ignore
        # Break ties by reading order (earlier wins) and spread the values 2 apart: every window then has a
        # unique maximum that a step of 1 cannot overtake, so L = Σ δ·maxpool changes by exactly its gradient.
        order = np.arange(values.size).reshape(values.shape)
        spread = 2 * ((values.size + 1) * values - order)

        def loss(x: np.ndarray) -> int:
            windows = sliding_window_view(x, (k,) * x.ndim)[tuple(slice(None, None, s) for _ in range(x.ndim))]
            return int(np.sum(delta * windows.max(axis=tuple(range(x.ndim, 2 * x.ndim)))))

        base, expected = loss(spread), np.zeros(values.shape, dtype=object)
        for i in np.ndindex(values.shape):
            bumped = spread.copy()
            bumped[i] += 1
            expected[i] = loss(bumped) - base
        got = np.array(question.part("grad_input").answer.value, dtype=object)
        assert (got == expected).all(), f"pool-backprop grad_input: key {got.tolist()} != perturbation " \
                                        f"{expected.tolist()}"


def _label(name: str, index: tuple[int, ...]) -> Sym:
    index = tuple(int(i) for i in index)
    return Sym(f"{name}_{index[0]}" if len(index) == 1 else f"{name}_{{{','.join(str(i) for i in index)}}}")


def _position(pos: tuple[int, ...]) -> Any:
    return int(pos[0]) if len(pos) == 1 else tuple(int(i) for i in pos)


def _plus(terms: list[int]) -> Any:
    """a + b − c …, a negative term written as a subtraction."""
    expression: Any = terms[0]
    for term in terms[1:]:
        expression = Op("+" if term >= 0 else "-", expression, abs(term))
    return expression
