"""Cross-correlation versus true convolution (Goodfellow et al., section 9.1): the same data both ways.

Deep learning's "convolution" is cross-correlation, (x ⋆ w)_i = Σ_j x_(i+j) w_j; true convolution flips the
kernel, (x ∗ w)_i = Σ_j x_(i+j) w_(k−1−j). Flipping is what makes convolution commutative; swapping the roles in
a cross-correlation reverses its output. The two coincide exactly for symmetric (palindromic) kernels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exercises.fairness import unfair
from exercises.figures import draw
from exercises.misconceptions import Mistake, expect
from exercises.model import Block, Dot, Eq, Neg, Op, Part, Question, Sum, Sym, prose
from exercises.params import IntList, IntMatrix, ParamError
from exercises.redraw import prefer, redraw
from exercises.registry import Template, template
from exercises.topics.convolution import check_fits, correlate1d, draw_taps
from exercises.wording import number
from grader.answers import Choices, Vector


def convolve1d(signal: list[int], kernel: list[int]) -> list[int]:
    """True (valid) convolution: the kernel flipped, then slid along the signal as in cross-correlation."""
    return correlate1d(signal, kernel[::-1])


def full_correlation(a: list[int], b: list[int]) -> list[int]:
    """a ⋆ b in 'full' mode: a padded with len(b) − 1 zeros on each side, b slid along it."""
    return correlate1d(a, b, padding=len(b) - 1)


def is_palindrome(kernel: list[int]) -> bool:
    return list(kernel) == list(kernel)[::-1]


def _full_convolution(p: dict[str, Any]) -> list[int]:
    return full_correlation(p["signal"], p["kernel"][::-1])


CORRELATION_MISTAKES = (
    Mistake("flipped-kernel", "You flipped the kernel: that is true convolution. Deep learning's ⋆ is "
            "cross-correlation, which slides the kernel as it is.", lambda p: convolve1d(p["signal"], p["kernel"])),
    Mistake("full-instead-of-valid", "You computed the 'full' correlation; this asks for the valid positions only, "
            "where the kernel fits inside the signal.", lambda p: full_correlation(p["signal"], p["kernel"])),
)
CONVOLUTION_MISTAKES = (
    Mistake("not-flipped", "That is the cross-correlation: true convolution flips the kernel first, "
            "(x ∗ w)_i = Σ_j x_(i+j) w_(k−1−j).", lambda p: correlate1d(p["signal"], p["kernel"])),
    Mistake("output-reversed", "You reversed the signal (or the output) instead of the kernel: that gives the "
            "convolution's outputs in reverse order.", lambda p: convolve1d(p["signal"], p["kernel"])[::-1]),
    Mistake("full-instead-of-valid", "You computed the 'full' convolution; this asks for the valid positions only, "
            "where the kernel fits inside the signal.", _full_convolution),
)
SWAPPED_MISTAKES = (
    Mistake("assumed-commutative", "That is x ⋆ w: cross-correlation is not commutative. Sliding x along w visits "
            "the same overlaps in the opposite order, so w ⋆ x is x ⋆ w reversed.",
            lambda p: full_correlation(p["signal"], p["kernel"])),
    Mistake("convolution-instead", "That is the full convolution of x and w (which is commutative); the question "
            "asks for the cross-correlation w ⋆ x, without flipping.", _full_convolution),
)


def draw_candidates(rng: np.random.Generator, kernel: list[int]) -> list[list[int]]:
    """Four length-3 kernels: one or two symmetric ones (never more right options than wrong ones, so that picking
    every option earns nothing), often an antisymmetric one, and the question's kernel itself when it has length 3
    (it is not symmetric)."""
    rows = redraw(lambda: _candidate_rows(rng, kernel),
                  lambda rows: all(np.count_nonzero(row) >= 2 for row in rows) and len({tuple(r) for r in rows}) == 4,
                  "four different candidate kernels", tries=1000)
    return [rows[i] for i in rng.permutation(4)]


def _candidate_rows(rng: np.random.Generator, kernel: list[int]) -> list[list[int]]:
    symmetric = int(rng.integers(1, 3))
    rows: list[list[int]] = []
    for i in range(4):
        if i < symmetric:
            a, b = (int(v) for v in rng.integers(-2, 3, size=2))
            rows.append([a, b, a])
        elif i == symmetric and rng.integers(2):
            a = int(rng.choice([-2, -1, 1, 2]))
            rows.append([a, 0, -a])  # antisymmetric: convolution is minus the correlation
        else:
            own = len(kernel) == 3 and kernel not in rows and np.count_nonzero(kernel) >= 2
            rows.append(kernel if own and not is_palindrome(kernel) else draw_taps(rng, (3,)))
    return rows


def _op(op: str, left: str, right: str) -> Op:
    return Op(op, Sym(left), Sym(right))


def _text(kernel: list[int]) -> str:
    """A candidate kernel in plain text (feedback): 'w = [1, 0, −1]'."""
    return "w = [" + ", ".join(number(v) for v in kernel) + "]"


def _candidate(kernel: list[int]) -> Eq:
    """A candidate kernel as math (options and solutions), printed as the statement prints vectors."""
    return Eq(Sym("w"), np.array(kernel))


@template
class Flip(Template):
    id = "flip"
    version = 3  # 2: part (c) asks one thing (the full w ⋆ x), not also whether cross-correlation commutes; 3: one or
    # two symmetric candidates (three made picking every option worth 2/3); a signal and kernel for which a named
    # mistake gives a key or a trivial answer scores are redrawn
    topic = "convolution"
    minutes = {"correlation": 2, "convolution": 1.5, "swapped": 2.5, "symmetric": 1}
    summary = "cross-correlation versus true convolution on the same data; commutativity; symmetric kernels"
    params = {
        "signal": IntList(doc="input signal x", min_len=2, max_len=12),
        "kernel": IntList(doc="kernel w", min_len=1, max_len=6, low=-99, high=99),
        "candidates": IntMatrix(doc="kernels offered in the last part, one per row (drawn: four of length 3)",
                                min_size=2, max_size=6, low=-99, high=99),
    }

    def sample(self, rng: np.random.Generator, params: dict[str, Any]) -> dict[str, Any]:
        p = dict(params)

        def draw() -> dict[str, Any]:
            q = dict(p)
            if "kernel" not in q:
                longest = min(3, len(q["signal"])) if "signal" in q else 3
                q["kernel"] = draw_taps(rng, (int(rng.integers(min(2, longest), longest + 1)),))
            if "signal" not in q:
                shortest = max(5, len(q["kernel"]) + 2)
                q["signal"] = rng.integers(0, 10, size=int(rng.integers(shortest, shortest + 2))).tolist()
            return q

        if "kernel" not in p or "signal" not in p:
            p = prefer(draw, self._fair, lambda q: True, "a signal and a kernel")
        if "candidates" not in p:
            p["candidates"] = draw_candidates(rng, p["kernel"])
        return p

    @staticmethod
    def _fair(p: dict[str, Any]) -> bool:
        """No named mistake gives a key, and no trivial answer (the kernel copied …) scores."""
        x, w = p["signal"], p["kernel"]
        return len(w) <= len(x) and unfair(Vector, correlate1d(x, w), p, CORRELATION_MISTAKES) is None and \
            unfair(Vector, convolve1d(x, w), p, CONVOLUTION_MISTAKES) is None and \
            unfair(Vector, full_correlation(w, x), p, SWAPPED_MISTAKES) is None

    def validate(self, p: dict[str, Any]) -> None:
        check_fits(p["signal"], p["kernel"])
        rows = [tuple(row) for row in p["candidates"]]
        if len(set(rows)) != len(rows):
            raise ParamError("candidates must be different kernels: a row is repeated")
        if not all(any(row) for row in rows):
            raise ParamError("candidates must not hold an all-zero kernel (it is trivially the same both ways)")

    def build(self, p: dict[str, Any]) -> Question:
        x, w = p["signal"], p["kernel"]
        correlation, convolution = correlate1d(x, w), convolve1d(x, w)
        swapped = full_correlation(w, x)
        statement = (
            prose("Let {x} be the signal and {w} the kernel. Deep learning's convolution is cross-correlation, "
                  "{c} with {corr}; true convolution, as in signal processing, flips the kernel: {s} with {conv}, "
                  "where {k} is the kernel's length. Both are valid (no padding, stride 1) unless said "
                  "otherwise.", x=Eq(Sym("x"), np.array(x)), w=Eq(Sym("w"), np.array(w)), k=Eq(Sym("k"), len(w)),
                  c=Op("=", Sym("c"), _op("⋆", "x", "w")), s=Op("=", Sym("s"), _op("∗", "x", "w")),
                  corr=Eq(Sym("c_i"), Sum("j", Op("*", Sym("x_{i+j}"), Sym("w_j")))),
                  conv=Eq(Sym("s_i"), Sum("j", Op("*", Sym("x_{i+j}"), Sym("w_{k-1-j}"))))),
        )
        parts = (
            Part("correlation", prose("Compute the cross-correlation {y}.", y=_op("⋆", "x", "w")),
                 expect(Vector, correlation, p, CORRELATION_MISTAKES), points=2,
                 solution=_steps(x, w, "c")),
            Part("convolution", prose("Compute the true convolution {y}.", y=_op("∗", "x", "w")),
                 expect(Vector, convolution, p, CONVOLUTION_MISTAKES), points=2,
                 solution=self._convolution_solution(x, w, correlation, convolution)),
            Part("swapped", prose("Swap the roles: compute the full cross-correlation {y}, that is, pad {w} with "
                                  "{pad} zeros on each side and slide {x} along it.", y=_op("⋆", "w", "x"),
                                  pad=len(x) - 1, w=Sym("w"), x=Sym("x")),
                 expect(Vector, swapped, p, SWAPPED_MISTAKES), points=2, solution=self._swapped_solution(x, w)),
            self._symmetric_part(p),
        )
        return self.question(p, title="Cross-correlation versus convolution", statement=statement, parts=parts)

    @staticmethod
    def _convolution_solution(x: list[int], w: list[int], correlation: list[int],
                              convolution: list[int]) -> tuple[Block, ...]:
        flipped = w[::-1]
        if correlation == convolution:
            verdict = "The same as {c}: this kernel is symmetric, so flipping it changes nothing."
        elif [-v for v in correlation] == convolution:
            verdict = ("The negative of {c}: this kernel is antisymmetric (flipped, it is {minus_w}), so the two "
                       "differ in sign everywhere.")
        else:
            verdict = "Different from {c}: the kernel is not symmetric, so flipping it matters."
        math = {"c": _op("⋆", "x", "w")} | ({"minus_w": Neg(Sym("w"))} if "minus_w" in verdict else {})
        return (
            prose("Flipping the kernel gives {wf}; slide it along {x} as in cross-correlation:",
                  wf=np.array(flipped), x=Sym("x")),
            *_steps(x, flipped, "s"),
            prose(verdict, **math),
            draw.signal_and_kernel(x, flipped, names=("x", "w flipped")),
        )

    @staticmethod
    def _swapped_solution(x: list[int], w: list[int]) -> tuple[Block, ...]:
        n, k = len(x), len(w)
        padded = [0] * (n - 1) + list(w) + [0] * (n - 1)
        steps: list[Block] = [prose("The padded kernel is {wp}. Slide {x} along it for {z}:", wp=np.array(padded),
                                    x=Sym("x"), z=Op("=", Sym("z"), _op("⋆", "w", "x")))]
        for i, value in enumerate(full_correlation(w, x)):
            terms = tuple((padded[i + j], xj) for j, xj in enumerate(x) if padded[i + j])
            steps.append(prose("{step}", step=Eq(Sym(f"z_{i}"), Dot(terms) if terms else 0, value)))
        forward = full_correlation(x, w)
        same = forward == forward[::-1]
        steps.append(prose("The full {xw} is {f}: {wx} is that reversed. " + (
            "Here the two happen to coincide (the full {xw} is a palindrome), but in general they differ: "
            if same else "So cross-correlation is not commutative: ") +
            "sliding {x} along {w} visits the same overlaps in the opposite order. The full convolution is "
            "commutative, {comm} when both are full, because flipping the kernel undoes exactly that reversal (the "
            "valid convolution {conv} of the statement is another matter: {wconv} is defined only when {w} is at "
            "least as long as {x}).", xw=_op("⋆", "x", "w"), wx=_op("⋆", "w", "x"), x=Sym("x"), w=Sym("w"),
            f=np.array(forward), comm=Eq(_op("∗", "w", "x"), _op("∗", "x", "w")), conv=_op("∗", "x", "w"),
            wconv=_op("∗", "w", "x")))
        if k == 1:
            steps.append(prose("With a single-entry kernel both orders trivially agree."))
        return tuple(steps)

    def _symmetric_part(self, p: dict[str, Any]) -> Part:
        rows = [list(row) for row in p["candidates"]]
        ids = [f"w{i + 1}" for i in range(len(rows))]
        options = tuple((i, prose("{w}", w=_candidate(row))) for i, row in zip(ids, rows, strict=True))
        key = sorted(i for i, row in zip(ids, rows, strict=True) if is_palindrome(row))
        mistakes, solution = [], []
        for i, row in zip(ids, rows, strict=True):
            label = chr(ord("A") + ids.index(i))
            if is_palindrome(row):
                why = "symmetric: flipped, it is itself, so both operations slide the same weights."
                mistakes.append(Mistake("symmetric-missed", f"{_text(row)} is symmetric (it reads the same "
                                        "backwards), so flipping it changes nothing: the two coincide.",
                                        lambda _, i=i: [j for j in key if j != i]))
            elif row == [-v for v in row[::-1]]:
                why = "antisymmetric: flipped, it is {minus_w}, so {conv} is the negative of {corr}."
                mistakes.append(Mistake("antisymmetric-chosen", f"{_text(row)} flipped is minus itself: the "
                                        "convolution is the negative of the correlation, not equal to it.",
                                        lambda _, i=i: sorted([*key, i])))
            else:
                why = "not symmetric: flipped, it is a different kernel, so the outputs differ for most signals."
                mistakes.append(Mistake("asymmetric-chosen", f"{_text(row)} does not read the same backwards: "
                                        "flipping it changes the kernel, so the two differ.",
                                        lambda _, i=i: sorted([*key, i])))
            math = {"minus_w": Neg(Sym("w")), "conv": _op("∗", "x", "w"), "corr": _op("⋆", "x", "w")} \
                if "{conv}" in why else {}
            solution.append(prose(f"{label}. {{w}} is {why}", w=_candidate(row), **math))
        return Part(
            "symmetric",
            prose("For which of these kernels is {eq} for every signal {x}? Select all that apply.",
                  eq=Eq(_op("∗", "x", "w"), _op("⋆", "x", "w")), x=Sym("x")),
            expect(Choices, key, p, mistakes, options=options, rule="net-correct"),
            points=2,
            solution=tuple(solution),
            options=tuple(text for _, text in options),
        )

    def verify(self, question: Question) -> None:
        p = question.params
        x, w = np.array(p["signal"], dtype=np.int64), np.array(p["kernel"], dtype=np.int64)
        expected = {
            "correlation": np.correlate(x, w, "valid").tolist(),
            "convolution": np.convolve(x, w, "valid").tolist(),
            "swapped": np.correlate(w, x, "full").tolist(),
        }
        for part_id, value in expected.items():
            got = list(question.part(part_id).answer.value)
            assert got == value, f"flip {part_id}: key {got} != numpy {value}"
        spec = question.part("symmetric").answer
        probes = np.random.default_rng(17).integers(-9, 10, size=(5, 8))  # the two agree on every probe signal?
        seen = sorted(i for i, text in spec.options  # type: ignore[attr-defined]
                      if all(np.array_equal(np.convolve(s, _kernel(text), "valid"), np.correlate(s, _kernel(text),
                                                                                                 "valid"))
                             for s in probes))
        assert list(spec.value) == seen, f"flip symmetric: key {spec.value}, agreeing on probe signals {seen}"  # type: ignore


def _kernel(text: str) -> np.ndarray:
    """The kernel of an option's plain text 'w = [a, b, c]' (the minus sign read as one)."""
    entries = text.split("[", 1)[1].rstrip("]").replace("\u2212", "-").split(",")
    return np.array([int(v) for v in entries], dtype=np.int64)


def _steps(x: list[int], w: list[int], name: str) -> tuple[Block, ...]:
    return tuple(
        prose("{step}", step=Eq(Sym(f"{name}_{i}"), Dot(tuple((x[i + j], wj) for j, wj in enumerate(w))), value))
        for i, value in enumerate(correlate1d(x, w))
    )
